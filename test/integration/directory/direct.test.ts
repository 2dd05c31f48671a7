/**
 * A directory Lanyard reaches itself (mode DIRECT), against a real OpenLDAP slapd: settings and
 * their refusals, the connection test, a full import read in pages smaller than the tree, an
 * incremental import, group membership, vanished users, read-only directory attributes, and
 * delegated sign-in — through `/api/v1/authn` and the `/login` page — with the directory up and
 * down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attribute, Change } from 'ldapts';
import { adminEmail, adminPassword, api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { groupsDn, peopleDn, serviceDn, servicePassword, startSlapd, type SeedUser, type Slapd } from '../../helpers/slapd.ts';
import { eventually } from '../../helpers/eventually.ts';
import { BrowserlessClient, textOf } from '../../helpers/browserless.ts';

const seedUsers: SeedUser[] = ['ann', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina'].map((uid, i) => ({
  uid, givenName: uid[0]!.toUpperCase() + uid.slice(1), sn: `Person${i}`, mail: `${uid}@example.org`, password: `Dir-Secret-${uid}-9`,
}));

let t: TestLanyard;
let ldap: Slapd;
let call: ReturnType<typeof api>;
let directoryId: string;

const settings = () => ({
  name: 'Corp LDAP', preset: 'OPENLDAP', url: ldap.url, bindDn: serviceDn, bindPassword: servicePassword,
  userBaseDn: peopleDn, groupBaseDn: groupsDn, loginSuffix: 'example.org', pageSize: 3,
});

async function runImport(kind?: 'FULL' | 'INCREMENTAL') {
  const started = await call(`/api/v1/directories/${directoryId}/imports`, { method: 'POST', json: kind ? { kind } : {} });
  expect(started.status, started.text).toBe(202);
  const done = await eventually(() => call(`/api/v1/directories/${directoryId}/imports/${started.json.id}`), (r) => r.json.status !== 'RUNNING');
  expect(done.json.status, JSON.stringify(done.json)).toBe('SUCCEEDED');
  return done.json;
}

const userByLogin = async (login: string) => (await call(`/api/v1/users/${encodeURIComponent(login)}`)).json;

beforeAll(async () => {
  ldap = await startSlapd({ users: seedUsers, groups: [{ cn: 'eng', members: ['ann', 'bob'] }, { cn: 'ops', members: ['carol'] }] });
  t = await startLanyard();
  call = api(t);
});
afterAll(async () => {
  await t?.close();
  await ldap?.close();
});

describe('directory settings', () => {
  it('refuses bad settings with causes naming each field', async () => {
    const missing = await call('/api/v1/directories', { method: 'POST', json: { name: 'x', preset: 'OPENLDAP' } });
    expect(missing.status).toBe(400);
    expect(missing.json.errorCode).toBe('E0000001');
    const causes = missing.json.errorCauses.map((c: { errorSummary: string }) => c.errorSummary).join('\n');
    for (const field of ['url', 'bindDn', 'bindPassword', 'userBaseDn']) expect(causes).toContain(`${field}:`);

    const bad = await call('/api/v1/directories', { method: 'POST', json: { ...settings(), url: 'http://ldap.example.org', pageSize: 0, userFilter: 'uid=x' } });
    expect(bad.status).toBe(400);
    const badCauses = bad.json.errorCauses.map((c: { errorSummary: string }) => c.errorSummary).join('\n');
    expect(badCauses).toMatch(/^url: must be ldap:\/\//m);
    expect(badCauses).toMatch(/^pageSize: /m);
    expect(badCauses).toMatch(/^userFilter: must be an LDAP filter/m);

    const tls = await call('/api/v1/directories', { method: 'POST', json: { ...settings(), url: 'ldaps://ldap.example.org', startTls: true } });
    expect(tls.status).toBe(400);
    expect(tls.json.errorCauses[0].errorSummary).toMatch(/^startTls: /);

    const unknownAttribute = await call('/api/v1/directories', { method: 'POST', json: { ...settings(), attributes: { shoeSize: 'x' } } });
    expect(unknownAttribute.status).toBe(400);
    expect(unknownAttribute.json.errorCauses[0].errorSummary).toMatch(/^attributes\.shoeSize: /);
    expect((await call('/api/v1/directories')).json).toEqual([]);
  });

  it('creates a directory with the preset\'s defaults and never shows the bind password', async () => {
    const created = await call('/api/v1/directories', { method: 'POST', json: settings() });
    expect(created.status, created.text).toBe(201);
    directoryId = created.json.id;
    expect(directoryId).toMatch(/^dir[0-9A-Za-z]{17}$/);
    expect(created.json).toMatchObject({
      name: 'Corp LDAP', preset: 'OPENLDAP', mode: 'DIRECT', userObjectClass: 'inetOrgPerson', groupObjectClass: 'groupOfNames',
      uniqueIdAttribute: 'entryUUID', changeAttribute: 'modifyTimestamp', groupMembershipAttribute: 'member',
      attributes: { login: 'uid', email: 'mail', firstName: 'givenName', lastName: 'sn' }, delegatedAuthentication: true, deactivateMissing: true,
    });
    expect(created.text).not.toContain(servicePassword);
    expect((await call(`/api/v1/directories/${directoryId}`)).text).not.toContain(servicePassword);
    const again = await call('/api/v1/directories', { method: 'POST', json: settings() });
    expect(again.status).toBe(400);
    expect(again.json.errorCauses[0].errorSummary).toMatch(/^name: /);
  });
});

describe('test connection', () => {
  it('binds, reads both base DNs and counts a page of users and groups', async () => {
    const report = await call(`/api/v1/directories/${directoryId}/test`, { method: 'POST' });
    expect(report.status).toBe(200);
    expect(report.json).toMatchObject({ ok: true, users: 3, groups: 2 });
    expect(report.json.steps.map((s: { step: string }) => s.step)).toEqual(['bind', 'usersBaseDn', 'groupsBaseDn']);
  });

  it('says which step failed: a wrong bind password, a missing base, an unreachable server — never the password', async () => {
    const scratch = await call('/api/v1/directories', { method: 'POST', json: { ...settings(), name: 'Scratch', bindPassword: 'Wrong-Password-77' } });
    const test = () => call(`/api/v1/directories/${scratch.json.id}/test`, { method: 'POST' });
    const bind = await test();
    expect(bind.json.ok).toBe(false);
    expect(bind.json.steps.at(-1)).toMatchObject({ step: 'bind', ok: false });
    expect(bind.json.steps.at(-1).message).toMatch(/refused the bind DN cn=lanyard/);
    expect(bind.text).not.toContain('Wrong-Password-77');

    await call(`/api/v1/directories/${scratch.json.id}`, { method: 'PUT', json: { ...settings(), name: 'Scratch', userBaseDn: `ou=nobody,${peopleDn}` } });
    const base = await test();
    expect(base.json.steps.at(-1)).toMatchObject({ step: 'baseDn', ok: false });
    expect(base.json.steps.at(-1).message).toContain('ou=nobody');

    await call(`/api/v1/directories/${scratch.json.id}`, { method: 'PUT', json: { ...settings(), name: 'Scratch', url: 'ldap://127.0.0.1:1' } });
    const down = await test();
    expect(down.json.steps.at(-1)).toMatchObject({ step: 'connect', ok: false });
    expect(down.json.steps.at(-1).message).toMatch(/cannot be reached/);
    expect((await call(`/api/v1/directories/${scratch.json.id}`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('imports', () => {
  it('imports every user and group in pages smaller than the tree, as LDAP-sourced users and APP_GROUPs', async () => {
    const run = await runImport();
    expect(run.kind).toBe('FULL');
    expect(run.progress.users).toMatchObject({ read: 7, created: 7, failed: 0 });
    expect(run.progress.groups).toMatchObject({ read: 2, created: 2 });
    expect(run.progress.memberships.added).toBe(3);
    const ann = await userByLogin('ann@example.org');
    expect(ann).toMatchObject({ status: 'ACTIVE', profile: { firstName: 'Ann', lastName: 'Person0', email: 'ann@example.org', displayName: 'Ann Person0' } });
    expect(ann.credentials).toEqual({ provider: { type: 'LDAP', name: 'Corp LDAP' } });
    const groups = (await call('/api/v1/groups?q=eng')).json;
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ type: 'APP_GROUP', profile: { name: 'eng' } });
    const members = (await call(`/api/v1/groups/${groups[0].id}/users`)).json.map((u: { profile: { login: string } }) => u.profile.login).sort();
    expect(members).toEqual(['ann@example.org', 'bob@example.org']);
    const listed = (await call(`/api/v1/directories/${directoryId}/imports`)).json;
    expect(listed[0]).toMatchObject({ id: run.id, status: 'SUCCEEDED' });
  });

  it('reads incrementally after a first run, and touches only the changed user', async () => {
    const bobBefore = await userByLogin('bob@example.org');
    await ldap.asRoot((c) => c.modify(ldap.userDn('ann'), new Change({ operation: 'replace', modification: new Attribute({ type: 'givenName', values: ['Annabel'] }) })));
    const run = await runImport();
    expect(run.kind).toBe('INCREMENTAL');
    expect(run.since).toMatch(/^\d{14}Z$/);
    expect(run.progress.users).toMatchObject({ updated: 1, created: 0, failed: 0 });
    expect((await userByLogin('ann@example.org')).profile.firstName).toBe('Annabel');
    expect((await userByLogin('bob@example.org')).lastUpdated).toBe(bobBefore.lastUpdated);
  });

  it('follows group membership changes', async () => {
    await ldap.asRoot((c) => c.modify(ldap.groupDn('eng'), new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [ldap.userDn('dave')] }) })));
    const run = await runImport();
    expect(run.progress.memberships).toEqual({ added: 1, removed: 0 });
    const eng = (await call('/api/v1/groups?q=eng')).json[0];
    const members = (await call(`/api/v1/groups/${eng.id}/users`)).json.map((u: { profile: { login: string } }) => u.profile.login).sort();
    expect(members).toEqual(['ann@example.org', 'bob@example.org', 'dave@example.org']);
  });

  it('a full run deactivates users gone from the directory and removes vanished groups', async () => {
    await ldap.asRoot(async (c) => {
      await c.del(ldap.groupDn('ops'));
      await c.del(ldap.userDn('carol'));
    });
    const run = await runImport('FULL');
    expect(run.progress.users.deactivated).toBe(1);
    expect(run.progress.groups.deleted).toBe(1);
    expect((await userByLogin('carol@example.org')).status).toBe('DEPROVISIONED');
    expect((await call('/api/v1/groups?q=ops')).json).toEqual([]);
    expect((await userByLogin('bob@example.org')).status).toBe('ACTIVE');
  });
});

describe('read-only directory attributes', () => {
  it('refuses a change to a mapped attribute, naming it, and allows the others', async () => {
    const bob = await userByLogin('bob@example.org');
    const refused = await call(`/api/v1/users/${bob.id}`, { method: 'POST', json: { profile: { firstName: 'Robert' } } });
    expect(refused.status).toBe(400);
    expect(refused.json.errorCauses[0].errorSummary).toBe('firstName: Cannot modify the firstName attribute because it comes from the directory Corp LDAP.');
    const allowed = await call(`/api/v1/users/${bob.id}`, { method: 'POST', json: { profile: { nickName: 'Bobby' } } });
    expect(allowed.status, allowed.text).toBe(200);
    expect(allowed.json.profile).toMatchObject({ nickName: 'Bobby', firstName: 'Bob' });
  });

  it('refuses password changes and resets for directory users', async () => {
    const bob = await userByLogin('bob@example.org');
    const set = await call(`/api/v1/users/${bob.id}`, { method: 'POST', json: { credentials: { password: { value: 'Some-New-Password-42' } } } });
    expect(set.status).toBe(403);
    expect(set.json.errorCode).toBe('E0000014');
    expect(set.json.errorCauses[0].errorSummary).toMatch(/kept by their directory/);
    const reset = await call(`/api/v1/users/${bob.id}/lifecycle/reset_password?sendEmail=false`, { method: 'POST' });
    expect(reset.status).toBe(403);
    const change = await call(`/api/v1/users/${bob.id}/credentials/change_password`, {
      method: 'POST', json: { oldPassword: { value: 'Dir-Secret-bob-9' }, newPassword: { value: 'Some-New-Password-42' } },
    });
    expect(change.status).toBe(403);
  });

  it('keeps directory groups\' name and membership read-only', async () => {
    const eng = (await call('/api/v1/groups?q=eng')).json[0];
    const rename = await call(`/api/v1/groups/${eng.id}`, { method: 'PUT', json: { profile: { name: 'renamed' } } });
    expect(rename.status).toBe(403);
    const gina = await userByLogin('gina@example.org');
    expect((await call(`/api/v1/groups/${eng.id}/users/${gina.id}`, { method: 'PUT' })).status).toBe(403);
  });
});

describe('delegated authentication', () => {
  const authn = (username: string, password: string) => fetch(`${t.url}/api/v1/authn`, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ username, password }),
  }).then(async (r) => ({ status: r.status, json: await r.json() as Record<string, any> }));

  async function pageSignIn(login: string, password: string) {
    const client = new BrowserlessClient(t.url);
    const page = await client.get('/login');
    return client.submit(page.final, { username: login, password });
  }

  it('checks the password with a bind to the directory, through /api/v1/authn and the sign-in page', async () => {
    const ok = await authn('dave@example.org', 'Dir-Secret-dave-9');
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'SUCCESS', _embedded: { user: { profile: { login: 'dave@example.org' } } } });
    const wrong = await authn('dave@example.org', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.json.errorCode).toBe('E0000004');
    expect((await authn('dave@example.org', '')).status).not.toBe(200);

    const signedIn = await pageSignIn('erin@example.org', 'Dir-Secret-erin-9');
    expect(signedIn.hops[0]!.status).toBe(302);
    const refused = await pageSignIn('erin@example.org', 'wrong');
    expect(refused.final.status).toBe(401);
    expect(textOf(refused.final.body)).toContain('Unable to sign in');
    // A user gone from the directory is deactivated, so cannot sign in even with the old password.
    expect((await authn('carol@example.org', 'Dir-Secret-carol-9')).status).toBe(401);
  });

  it('with the directory down: a clear message, no lockout, and local admins still sign in', async () => {
    await call('/api/v1/org/settings', { method: 'PUT', json: { lockout: { maxAttempts: 3, autoUnlockMinutes: null } } });
    await ldap.stop();
    try {
      const page = await pageSignIn('frank@example.org', 'Dir-Secret-frank-9');
      expect(page.final.status).toBe(503);
      expect(textOf(page.final.body)).toContain('Your organization\'s directory can\'t be reached right now. Try again in a few minutes.');
      for (let i = 0; i < 4; i++) expect((await authn('frank@example.org', 'Dir-Secret-frank-9')).status).toBe(401);
      expect((await userByLogin('frank@example.org')).status).toBe('ACTIVE');
      const admin = await authn(adminEmail, adminPassword);
      expect(admin.json.status).toBe('SUCCESS');
      const events = (await call(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.session.start" and outcome.result eq "FAILURE"')}`)).json;
      expect(events.some((e: any) => e.outcome.reason === 'DIRECTORY_UNAVAILABLE' && e.actor.alternateId === 'frank@example.org')).toBe(true);
    } finally {
      await ldap.start();
    }
    const back = await authn('frank@example.org', 'Dir-Secret-frank-9');
    expect(back.json.status).toBe('SUCCESS');
  });
});
