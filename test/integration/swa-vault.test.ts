/**
 * The SWA credential vault: who may set which part by the app's credentials scheme (admin API and
 * the user's page), passwords sealed at rest and never returned, sealed values that do not open
 * for another org, app or user, the launch form to a real form-login app, the "did it work?"
 * answers, revealing a password after the Lanyard password, and master-key rotation (Lanyard
 * started again with the new key still signs people in).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, storeKind, type TestLanyard } from '../helpers/lanyard.ts';
import { BrowserlessClient, csrfOf, decodeEntities, findForms, textOf, type Navigation } from '../helpers/browserless.ts';
import { createUser } from '../helpers/oidc.ts';
import { samlSignIn } from '../helpers/saml.ts';
import { adminClient } from '../helpers/okta.ts';
import { startFormLoginApp, type FormLoginApp } from '../helpers/form-login-app.ts';
import { createVault, SealError } from '../../src/vault/envelope.ts';
import { runCli } from '../../src/cli/program.ts';
import { renderSwaCheckPrompt } from '../../src/web/swa/prompt.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'lanyard-swa-'));
let t: TestLanyard;
let call: ReturnType<typeof api>;
let formApp: FormLoginApp;
const alice = { username: 'alice.swa@example.com', password: 'Quiet-Lantern-Seven-7' };
const bob = { username: 'bob.swa@example.com', password: 'Quiet-Lantern-Seven-8' };
let aliceId: string;
let bobId: string;
const secrets = {
  admin: 'Admin-Set-Secret-4417', user: 'Users-Own-Secret-9921', shared: 'Shared-Team-Secret-3088', pwOnly: 'Password-Only-5512', nameOnly: 'Name-Only-Secret-6630',
};

async function swaApp(label: string, credentials: Record<string, unknown>, settings: Record<string, unknown> = {}) {
  const res = await call('/api/v1/apps', {
    method: 'POST',
    json: {
      name: 'template_swa', label, signOnMode: 'BROWSER_PLUGIN', credentials,
      settings: { app: { url: formApp.url, usernameField: '#username', passwordField: 'input[name=password]', ...settings } },
    },
  });
  return res;
}

async function created(label: string, credentials: Record<string, unknown>, settings: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  const res = await swaApp(label, credentials, settings);
  expect(res.status, res.text).toBe(200);
  return { id: res.json.id, name: res.json.name };
}

async function signedIn(who: { username: string; password: string }): Promise<BrowserlessClient> {
  const browser = new BrowserlessClient(t.url);
  const nav = await samlSignIn(browser, '/login', who);
  expect(nav.final.status).toBeLessThan(400);
  return browser;
}

/** Posts the launch page's form to the form-login app, as the browser would. */
async function postToApp(nav: Navigation): Promise<{ status: number; body: string }> {
  const form = findForms(nav.final.body).find((f) => f.action.startsWith(formApp.origin));
  if (!form) throw new Error(`no launch form on the page: ${textOf(nav.final.body).slice(0, 200)}`);
  const res = await fetch(form.action, { method: 'POST', body: new URLSearchParams(form.fields), redirect: 'manual' });
  return { status: res.status, body: await res.text() };
}

let admin: { id: string; name: string };
let userSet: { id: string; name: string };
let pwOnly: { id: string; name: string };
let nameOnly: { id: string; name: string };
let shared: { id: string; name: string };

beforeAll(async () => {
  formApp = await startFormLoginApp({
    accounts: [
      { userName: 'alice-admin-set', password: secrets.admin },
      { userName: 'alice-own', password: secrets.user },
      { userName: 'team@shared', password: secrets.shared },
      { userName: 'alice-by-admin', password: secrets.pwOnly },
      { userName: 'alice-picked', password: secrets.nameOnly },
    ],
    requiredFields: { company: 'acme' },
  });
  t = await startLanyard({ dataDir });
  call = api(t);
  aliceId = await createUser(t, alice.username, alice.password);
  bobId = await createUser(t, bob.username, bob.password);
  const extra = { extraFields: [{ field: 'company', label: 'Company', value: 'acme' }] };
  admin = await created('Admin Ledger', { scheme: 'ADMIN_SETS_CREDENTIALS' }, extra);
  userSet = await created('Own Wiki', { scheme: 'EDIT_USERNAME_AND_PASSWORD' }, extra);
  pwOnly = await created('Password Only', { scheme: 'EDIT_PASSWORD_ONLY' }, extra);
  nameOnly = await created('Name Only', { scheme: 'EDIT_USERNAME_ONLY' }, extra);
  shared = await created('Team Board', { scheme: 'SHARED_USERNAME_AND_PASSWORD', userName: 'team@shared', password: { value: secrets.shared } }, extra);
}, 60_000);
afterAll(async () => {
  await t?.close();
  await formApp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('who sets what (admin API)', () => {
  it('refuses parts the scheme leaves to users, with Okta\'s error shape, and takes the administrator\'s', async () => {
    const refusedPassword = await call(`/api/v1/apps/${userSet.id}/users`, { method: 'POST', json: { id: aliceId, credentials: { password: { value: 'x-Nope-1' } } } });
    expect(refusedPassword.status).toBe(400);
    expect(refusedPassword.json.errorCode).toBe('E0000001');
    expect(refusedPassword.json.errorCauses[0].errorSummary).toContain('EDIT_USERNAME_AND_PASSWORD');
    const refusedName = await call(`/api/v1/apps/${pwOnly.id}/users`, { method: 'POST', json: { id: aliceId, credentials: { password: { value: 'x-Nope-2' } } } });
    expect(refusedName.status).toBe(400);
    expect((await call(`/api/v1/apps/${nameOnly.id}/users`, { method: 'POST', json: { id: aliceId, credentials: { userName: 'admin-picked' } } })).status).toBe(400);
    expect((await call(`/api/v1/apps/${shared.id}/users`, { method: 'POST', json: { id: aliceId, credentials: { userName: 'someone' } } })).status).toBe(400);

    const own = await call(`/api/v1/apps/${userSet.id}/users`, { method: 'POST', json: { id: aliceId } });
    expect(own.status).toBe(200);
    expect(own.json.credentials).toEqual({ userName: alice.username });
    const byAdmin = await call(`/api/v1/apps/${admin.id}/users`, { method: 'POST', json: { id: aliceId, credentials: { userName: 'alice-admin-set', password: { value: secrets.admin } } } });
    expect(byAdmin.status, byAdmin.text).toBe(200);
    expect(byAdmin.json.credentials).toEqual({ userName: 'alice-admin-set' });
    expect(byAdmin.text).not.toContain(secrets.admin);
    // An app user read back and written unchanged passes, even where the user owns the user name.
    expect((await call(`/api/v1/apps/${userSet.id}/users/${aliceId}`, { method: 'POST', json: { credentials: { userName: alice.username } } })).status).toBe(200);
    expect((await call(`/api/v1/apps/${pwOnly.id}/users`, { method: 'POST', json: { id: aliceId, credentials: { userName: 'alice-by-admin' } } })).status).toBe(200);
    expect((await call(`/api/v1/apps/${nameOnly.id}/users`, { method: 'POST', json: { id: aliceId, credentials: { password: { value: secrets.nameOnly } } } })).status).toBe(200);
    expect((await call(`/api/v1/apps/${shared.id}/users`, { method: 'POST', json: { id: aliceId } })).status).toBe(200);
    const list = await call(`/api/v1/apps/${admin.id}/users`);
    expect(list.json.map((u: any) => u.credentials)).toEqual([{ userName: 'alice-admin-set' }]);
  });

  it('checks an app\'s scheme and shared account; the shared password is never returned', async () => {
    expect((await swaApp('Bad', { scheme: 'EXTERNAL_PASSWORD_SYNC' })).status).toBe(400);
    expect((await swaApp('No password', { scheme: 'SHARED_USERNAME_AND_PASSWORD', userName: 'x' })).status).toBe(400);
    expect((await swaApp('Not shared', { scheme: 'ADMIN_SETS_CREDENTIALS', userName: 'x', password: { value: 'y-Secret-1' } })).status).toBe(400);
    const got = await call(`/api/v1/apps/${shared.id}`);
    expect(got.json.credentials).toMatchObject({ scheme: 'SHARED_USERNAME_AND_PASSWORD', userName: 'team@shared' });
    expect(got.text).not.toContain(secrets.shared);
    // Written back as read (without a password), the shared account keeps its password.
    const put = await call(`/api/v1/apps/${shared.id}`, { method: 'PUT', json: got.json });
    expect(put.status, put.text).toBe(200);
    expect((await t.lanyard.services.swa.credentialsForLaunch((await t.lanyard.services.orgs.list())[0]!, shared.id, aliceId))?.password).toBe(secrets.shared);
  });

  it('Okta\'s SDK assigns a user with credentials and reads back the user name only', async () => {
    const client = adminClient(t);
    const assigned = await client.applicationApi.assignUserToApplication({
      appId: admin.id, appUser: { id: bobId, credentials: { userName: 'bob-ledger', password: { value: 'Bob-Ledger-Secret-1' } } },
    });
    expect(assigned.credentials?.userName).toBe('bob-ledger');
    const read = await client.applicationApi.getApplicationUser({ appId: admin.id, userId: bobId });
    expect(read.credentials?.userName).toBe('bob-ledger');
    expect(JSON.stringify(read)).not.toContain('Bob-Ledger-Secret-1');
    expect((read.credentials as any)?.password?.value).toBeUndefined();
  });
});

describe('launch, the user\'s page and "did it work?"', () => {
  it('posts administrator-set credentials (and extra fields) to the app under a strict, no-store page', async () => {
    const browser = await signedIn(alice);
    const nav = await browser.get(`/home/${admin.name}/${admin.id}`);
    expect(nav.final.status).toBe(200);
    const csp = nav.final.headers.get('content-security-policy')!;
    expect(csp).toContain(`form-action ${formApp.origin}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(nav.final.headers.get('cache-control')).toBe('no-store');
    expect(nav.final.headers.get('referrer-policy')).toBe('no-referrer');
    expect(nav.final.body).toContain('src="/assets/swa-submit.js"');
    expect(nav.final.body).not.toMatch(/<script>/);
    expect(findForms(nav.final.body)[0]!.fields).toEqual({ username: 'alice-admin-set', password: secrets.admin, company: 'acme' });
    const landed = await postToApp(nav);
    expect(landed.status).toBe(200);
    expect(landed.body).toContain('Signed in as alice-admin-set');
    const script = await fetch(`${t.url}/assets/swa-submit.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
  });

  it('each scheme: asks the user for their part first, then signs in; an administrator\'s missing part is a clear page', async () => {
    const browser = await signedIn(alice);
    // User sets both: the launch asks, saving opens the app.
    const ask = await browser.get(`/home/${userSet.name}/${userSet.id}`);
    expect(ask.final.status).toBe(200);
    expect(ask.final.body).toContain('name="password"');
    const saved = await browser.submit(ask.final, { userName: 'alice-own', password: secrets.user });
    expect(saved.final.url).toBe(`${t.url}/home/${userSet.name}/${userSet.id}`);
    expect((await postToApp(saved)).body).toContain('Signed in as alice-own');
    // Administrator sets the user name, the user the password.
    const pw = await browser.get(`/home/${pwOnly.name}/${pwOnly.id}`);
    expect(pw.final.body).not.toContain('name="userName"');
    expect(textOf(pw.final.body)).toContain('alice-by-admin');
    const pwSaved = await browser.submit(pw.final, { password: secrets.pwOnly });
    expect((await postToApp(pwSaved)).body).toContain('Signed in as alice-by-admin');
    // The user picks the user name, the administrator set the password.
    const named = await browser.get(`/home/${nameOnly.name}/${nameOnly.id}`);
    expect(named.final.status).toBe(200);
    expect(findForms(named.final.body)[0]!.fields.username).toBe(alice.username);
    const page = await browser.get(`/home/${nameOnly.name}/${nameOnly.id}/credentials`);
    await browser.submit(page.final, { userName: 'alice-picked' });
    expect((await postToApp(await browser.get(`/home/${nameOnly.name}/${nameOnly.id}`))).body).toContain('Signed in as alice-picked');
    // Shared account.
    expect((await postToApp(await browser.get(`/home/${shared.name}/${shared.id}`))).body).toContain('Signed in as team@shared');
    // Administrator-owned and missing.
    expect((await call(`/api/v1/apps/${admin.id}/users`, { method: 'POST', json: { id: bobId } })).status).toBe(200);
    const bobBrowser = await signedIn(bob);
    const missing = await bobBrowser.get(`/home/${nameOnly.name}/${nameOnly.id}`);
    expect(missing.final.status).toBe(403);
    expect((await call(`/api/v1/apps/${nameOnly.id}/users`, { method: 'POST', json: { id: bobId } })).status).toBe(200);
    const notSet = await bobBrowser.get(`/home/${nameOnly.name}/${nameOnly.id}`);
    expect(notSet.final.status).toBe(409);
    expect(textOf(notSet.final.body)).toContain('isn\'t set up yet');
  });

  it('the user\'s page refuses an administrator\'s part', async () => {
    const browser = await signedIn(alice);
    const page = await browser.get(`/home/${pwOnly.name}/${pwOnly.id}/credentials`);
    const refused = await browser.navigate(`${t.url}/home/${pwOnly.name}/${pwOnly.id}/credentials`, {
      method: 'POST', form: { csrf: csrfOf(page.final.body), userName: 'someone-else' },
    });
    expect(refused.final.status).toBe(403);
    expect(textOf(refused.final.body)).toContain('set by an administrator');
    const adminPage = await browser.get(`/home/${admin.name}/${admin.id}/credentials`);
    expect(adminPage.final.body).not.toContain('<form');
    const adminRefused = await browser.navigate(`${t.url}/home/${admin.name}/${admin.id}/credentials`, {
      method: 'POST', form: { csrf: csrfOf(page.final.body), password: 'mine-now-1' },
    });
    expect(adminRefused.final.status).toBe(403);
    expect((await t.lanyard.services.swa.credentialsForLaunch((await t.lanyard.services.orgs.list())[0]!, admin.id, aliceId))?.password).toBe(secrets.admin);
  });

  it('"did it work?": yes clears it; no sends the user to update, or tells the administrator', async () => {
    const org = (await t.lanyard.services.orgs.list())[0]!;
    const browser = await signedIn(alice);
    await browser.get(`/home/${userSet.name}/${userSet.id}`);
    const check = await t.lanyard.services.swa.pendingCheck(org, aliceId);
    expect(check).toMatchObject({ appId: userSet.id, appLabel: 'Own Wiki' });
    const csrf = csrfOf((await browser.get(`/home/${userSet.name}/${userSet.id}/credentials`)).final.body);
    const fragment = renderSwaCheckPrompt(check!, csrf).value;
    expect(fragment).toContain(`action="/home/swa/checks/${check!.launchId}"`);
    const yes = await browser.navigate(`${t.url}/home/swa/checks/${check!.launchId}`, { method: 'POST', form: { csrf, answer: 'yes' } });
    expect(yes.hops[0]!.location).toBe(`${t.url}/`);
    expect(await t.lanyard.services.swa.pendingCheck(org, aliceId)).toBeUndefined();

    await browser.get(`/home/${userSet.name}/${userSet.id}`);
    const again = (await t.lanyard.services.swa.pendingCheck(org, aliceId))!;
    const forged = await browser.navigate(`${t.url}/home/swa/checks/${again.launchId}`, { method: 'POST', form: { csrf: 'wrong', answer: 'no' } });
    expect(forged.final.status).toBeGreaterThanOrEqual(400);
    const no = await browser.navigate(`${t.url}/home/swa/checks/${again.launchId}`, { method: 'POST', form: { csrf, answer: 'no' } });
    expect(no.hops[0]!.location).toBe(`${t.url}/home/${userSet.name}/${userSet.id}/credentials?failed=1`);
    expect(textOf(no.final.body)).toContain('couldn\'t sign you in');

    await browser.get(`/home/${admin.name}/${admin.id}`);
    const adminCheck = (await t.lanyard.services.swa.pendingCheck(org, aliceId))!;
    expect(adminCheck.appId).toBe(admin.id);
    const told = await browser.navigate(`${t.url}/home/swa/checks/${adminCheck.launchId}`, { method: 'POST', form: { csrf, answer: 'no' } });
    expect(textOf(told.final.body)).toContain('administrator was told');
    const logs = await call(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "application.swa.check.failure"')}`);
    expect(logs.json.some((e: any) => e.target.some((x: any) => x.id === admin.id))).toBe(true);
    expect(JSON.stringify((await call('/api/v1/logs?limit=1000')).json)).not.toContain(secrets.admin);
  });

  it('reveals a password the user set only after their Lanyard password; never an administrator\'s', async () => {
    const browser = await signedIn(alice);
    const page = await browser.get(`/home/${userSet.name}/${userSet.id}/credentials`);
    expect(page.final.body).not.toContain(secrets.user);
    const wrong = await browser.submit(page.final, { lanyardPassword: 'not-my-password' }, { action: `/home/${userSet.name}/${userSet.id}/credentials/reveal` });
    expect(wrong.final.status).toBe(401);
    expect(textOf(wrong.final.body)).toContain('That password is not right');
    expect(wrong.final.body).not.toContain(secrets.user);
    const right = await browser.submit(page.final, { lanyardPassword: alice.password }, { action: `/home/${userSet.name}/${userSet.id}/credentials/reveal` });
    expect(right.final.status).toBe(200);
    expect(decodeEntities(right.final.body)).toContain(secrets.user);
    const adminPage = await browser.get(`/home/${admin.name}/${admin.id}/credentials`);
    expect(adminPage.final.body).not.toContain('Reveal password');
    const refused = await browser.navigate(`${t.url}/home/${admin.name}/${admin.id}/credentials/reveal`, {
      method: 'POST', form: { csrf: csrfOf(page.final.body), lanyardPassword: alice.password },
    });
    expect(refused.final.status).toBe(403);
    expect(refused.final.body).not.toContain(secrets.admin);
  });
});

describe('the vault', () => {
  it('keeps no password in the clear in the database', async () => {
    const all = Object.values(secrets);
    if (storeKind() === 'sqlite') {
      const files = ['lanyard.db', 'lanyard.db-wal'].map((f) => join(dataDir, f)).filter(existsSync);
      expect(files.length).toBeGreaterThan(0);
      const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
      for (const secret of all) expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
      expect(bytes.includes(Buffer.from('alice-admin-set'))).toBe(true);
    } else {
      const client = new pg.Client({ connectionString: t.databaseUrl });
      await client.connect();
      try {
        const rows = JSON.stringify([
          ...(await client.query('select * from swa_credentials')).rows, ...(await client.query('select * from swa_shared_credentials')).rows,
        ]);
        for (const secret of all) expect(rows.includes(secret), secret).toBe(false);
        expect(rows).toContain('alice-admin-set');
      } finally {
        await client.end();
      }
    }
    const row = await t.lanyard.store.forOrg((await t.lanyard.services.orgs.list())[0]!.id).swa.find(admin.id, aliceId);
    expect(row?.password).toMatch(/^v1\./);
  });

  it('a sealed password copied to another user, app or org does not open', async () => {
    const org = (await t.lanyard.services.orgs.list())[0]!;
    const scoped = t.lanyard.store.forOrg(org.id);
    const sealed = (await scoped.swa.find(admin.id, aliceId))!.password!;
    // Bob's row gets Alice's sealed password.
    await scoped.swa.save({ appId: admin.id, userId: bobId, userName: 'bob-ledger', password: sealed, lastUpdated: new Date().toISOString() });
    expect(await t.lanyard.services.swa.credentialsForLaunch(org, admin.id, bobId)).toBeUndefined();
    // Alice's row of another app gets it.
    await scoped.swa.save({ appId: pwOnly.id, userId: aliceId, userName: 'alice-by-admin', password: sealed, lastUpdated: new Date().toISOString() });
    expect(await t.lanyard.services.swa.credentialsForLaunch(org, pwOnly.id, aliceId)).toBeUndefined();
    // Another org, same app and user ids as context.
    const other = await t.lanyard.services.orgs.create({ name: 'swa-other' });
    const vault = createVault(t.lanyard.deps.masterKey, t.lanyard.store.dataKeys);
    await vault.seal(other.id, 'warm-up', 'x');
    await expect(vault.openText(other.id, sealed, `swa:${admin.id}:${aliceId}`)).rejects.toBeInstanceOf(SealError);
    expect(await vault.openText(org.id, sealed, `swa:${admin.id}:${aliceId}`)).toBe(secrets.admin);
    expect((await t.lanyard.services.swa.credentialsForLaunch(org, admin.id, aliceId))?.password).toBe(secrets.admin);
    // The user sets their password again: it works once more.
    const browser = await signedIn(alice);
    const page = await browser.get(`/home/${pwOnly.name}/${pwOnly.id}`);
    expect(page.final.body).toContain('name="password"');
    expect((await postToApp(await browser.submit(page.final, { password: secrets.pwOnly }))).body).toContain('Signed in as alice-by-admin');
  });

  it('master-key rotation re-wraps the data keys; Lanyard started with the new key still signs people in', async () => {
    const databaseUrl = t.databaseUrl;
    await t.close();
    const newKey = randomBytes(32).toString('hex');
    const keyFile = join(dataDir, 'new.key');
    writeFileSync(keyFile, `${newKey}\n`, { mode: 0o600 });
    const lines: string[] = [];
    const env = { LANYARD_DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
    const code = await runCli(['master-key', 'rotate', '--new-key-file', keyFile], { env, out: (l) => lines.push(l), onShutdownSignal: () => {} });
    expect(code, lines.join('\n')).toBe(0);
    expect(lines[0]).toMatch(/^Re-wrapped [1-9]\d* data keys of 2 orgs under the new master key\.$/);
    expect(lines.join('\n')).not.toContain(newKey);
    // The old key no longer opens them: it is refused as a second rotation's current key too.
    expect(await runCli(['master-key', 'rotate', '--new-key-file', keyFile], { env, out: () => {}, onShutdownSignal: () => {} })).not.toBe(0);

    t = await startLanyard({ dataDir, ...(databaseUrl ? { databaseUrl } : {}), env: { LANYARD_MASTER_KEY: newKey } });
    const org = (await t.lanyard.services.orgs.list())[0]!;
    for (const [appId, expected] of [[admin.id, secrets.admin], [userSet.id, secrets.user], [shared.id, secrets.shared], [nameOnly.id, secrets.nameOnly], [pwOnly.id, secrets.pwOnly]] as const) {
      expect((await t.lanyard.services.swa.credentialsForLaunch(org, appId, aliceId))?.password, appId).toBe(expected);
    }
    const browser = await signedIn(alice);
    expect((await postToApp(await browser.get(`/home/${admin.name}/${admin.id}`))).body).toContain('Signed in as alice-admin-set');
  });
});
