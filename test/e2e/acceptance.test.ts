/**
 * The whole web product in one story, in Debian's Chromium, through the pages only: an admin adds
 * a SAML app from the catalog and an SWA app in the console and assigns a person to both; the
 * person signs in, sees both tiles, lands signed in at a real SAML service provider
 * (`@node-saml/node-saml` on https, loopback) and at a form-login app through the vault, and
 * answers the "did it work?" question. Screenshots of every page go to test-results/screenshots.
 * (A vendor submitting an integration and a reviewer approving it, also through the pages, is
 * `test/integration/console/network.sqlite-only.test.ts`.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { Page } from 'playwright-core';
import { createUser } from '../helpers/oidc.ts';
import { api } from '../helpers/lanyard.ts';
import { screenshot } from '../helpers/chromium.ts';
import { expectAccessible, openConsole, startConsole, type ConsoleHarness } from '../helpers/console.ts';
import { startFormLoginApp, type FormLoginApp } from '../helpers/form-login-app.ts';
import { selfSignedFor127 } from '../helpers/vendor-apps.ts';

/** A Nextcloud-shaped SAML service provider: ACS at `{base}/apps/user_saml/saml/acs`, node-saml checks every response. */
interface ServiceProvider {
  readonly base: string;
  idpCert: string | undefined;
  readonly accepted: string[];
  close(): Promise<void>;
}

async function startServiceProvider(): Promise<ServiceProvider> {
  const dir = mkdtempSync(join(tmpdir(), 'lanyard-sp-'));
  const tls = selfSignedFor127(dir);
  const accepted: string[] = [];
  const sp: ServiceProvider = { base: '', idpCert: undefined, accepted, close: async () => undefined };
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Cloud</title>${body}`);
    };
    if (req.method !== 'POST' || req.url !== '/apps/user_saml/saml/acs' || !sp.idpCert) return send(404, '<h1>Not here</h1>');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const saml = new SAML({
        callbackUrl: `${sp.base}/apps/user_saml/saml/acs`, issuer: `${sp.base}/apps/user_saml/saml/metadata`,
        audience: `${sp.base}/apps/user_saml/saml/metadata`, idpCert: sp.idpCert!,
        wantAssertionsSigned: true, wantAuthnResponseSigned: false, validateInResponseTo: ValidateInResponseTo.never,
      });
      saml.validatePostResponseAsync({ SAMLResponse: form.get('SAMLResponse') ?? '' }).then(({ profile }) => {
        accepted.push(profile!.nameID);
        send(200, `<h1>Welcome to the cloud, ${profile!.nameID.replace(/</g, '')}</h1>`);
      }, (error: unknown) => send(403, `<h1>Sign-in refused</h1><p>${String((error as Error).message).replace(/</g, '&lt;')}</p>`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  Object.assign(sp, {
    base: `https://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  });
  return sp;
}

let h: ConsoleHarness;
let sp: ServiceProvider;
let formApp: FormLoginApp;
const person = { login: 'pat@example.com', password: 'Quiet-Lantern-Seven-7' };

beforeAll(async () => {
  sp = await startServiceProvider();
  formApp = await startFormLoginApp({ accounts: [{ userName: 'pat.payroll', password: 'Payroll-Secret-42' }] });
  h = await startConsole();
});

afterAll(async () => {
  await h?.close();
  await formApp?.close();
  await sp?.close();
});

const shot = (page: Page, name: string) => screenshot(page, `acceptance-${name}`);

describe('acceptance: from the admin console to signed in at the apps', () => {
  it('an admin adds a SAML app from the catalog and an SWA app, assigns a person; the person reaches both from the dashboard', async () => {
    const personId = await createUser(h.lanyard, person.login, person.password);
    const call = api(h.lanyard);
    const { page: admin } = await h.newPage();
    // The admin starts on their dashboard, where the console is one of their places.
    await admin.goto('/');
    await admin.getByLabel('Username').fill('admin@example.com');
    await admin.getByLabel('Password').fill('Correct-Horse-Battery-9');
    await Promise.all([admin.waitForURL(`${h.lanyard.url}/`), admin.getByRole('button', { name: 'Sign in' }).click()]);
    await admin.getByRole('link', { name: 'Admin console' }).click();
    await admin.getByRole('navigation', { name: 'Console' }).waitFor();
    await openConsole(admin, '/apps');

    // The SAML app, from the catalog, with its tenant variables.
    await admin.getByRole('link', { name: 'Browse catalog' }).click();
    await admin.getByLabel('Search integrations').fill('Nextcloud');
    await admin.getByRole('link', { name: 'Nextcloud', exact: true }).click();
    await admin.getByRole('heading', { level: 1, name: 'Nextcloud' }).waitFor();
    await admin.getByLabel('Sign-on mode').selectOption('saml');
    await admin.getByLabel('Nextcloud base URL').fill(sp.base);
    await admin.getByLabel('user_oidc provider identifier').fill('lanyard');
    await shot(admin, 'console-catalog-nextcloud');
    await expectAccessible(admin);
    await admin.getByRole('button', { name: 'Add' }).click();
    await admin.waitForURL(/\/admin\/apps\/[^/]+$/);
    const samlAppId = /\/admin\/apps\/([^/]+)$/.exec(new URL(admin.url()).pathname)![1]!;
    const samlApp = (await call(`/api/v1/apps/${samlAppId}`)).json;
    expect(samlApp).toMatchObject({ signOnMode: 'SAML_2_0', settings: { signOn: { ssoAcsUrl: `${sp.base}/apps/user_saml/saml/acs` } } });
    // The app's page shows the setup instructions with this app's own values.
    const instructions = admin.getByRole('region', { name: /Setup instructions/ });
    await instructions.waitFor();
    expect(await instructions.textContent()).toContain(`${h.lanyard.url}/app/`);
    await shot(admin, 'console-nextcloud-added');
    const keys = (await call(`/api/v1/apps/${samlAppId}/credentials/keys`)).json as { x5c: string[] }[];
    sp.idpCert = keys[keys.length - 1]!.x5c[0]!;
    await assignPerson(admin);
    await shot(admin, 'console-saml-assigned');

    // The SWA app, made with the wizard; the admin sets the person's credentials.
    await admin.goto('/admin/apps/new');
    await admin.getByLabel('Secure web authentication (SWA)').check();
    await admin.getByRole('button', { name: 'Next' }).click();
    await admin.getByLabel('App name').fill('Payroll');
    await admin.getByLabel('Login URL').fill(formApp.url);
    await admin.getByLabel('Username field').fill('username');
    await admin.getByLabel('Password field').fill('password');
    await admin.getByLabel('Credentials').selectOption('ADMIN_SETS_CREDENTIALS');
    await shot(admin, 'console-wizard-swa');
    await admin.getByRole('button', { name: 'Create app' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Payroll' }).waitFor();
    await assignPerson(admin, { userName: 'pat.payroll', password: 'Payroll-Secret-42' });
    await shot(admin, 'console-swa-assigned');
    const swaAppId = /\/admin\/apps\/([^/]+)/.exec(new URL(admin.url()).pathname)![1]!;
    expect((await call(`/api/v1/apps/${swaAppId}/users/${personId}`)).json.credentials.userName).toBe('pat.payroll');

    // The person signs in and sees both tiles.
    const context = await h.browser.newContext({ baseURL: h.lanyard.url, ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      await page.goto('/');
      await page.getByLabel('Username').fill(person.login);
      await page.getByLabel('Password').fill(person.password);
      await Promise.all([page.waitForURL(`${h.lanyard.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
      const tiles = page.locator('ol.tiles a');
      expect(await tiles.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Nextcloud'), expect.stringContaining('Payroll')]));
      // A person who is not an administrator is not offered the console.
      expect(await page.getByRole('link', { name: 'Admin console' }).count()).toBe(0);
      await shot(page, 'dashboard');
      await expectAccessible(page);

      // The SAML tile: IdP-initiated, node-saml accepts the signed assertion.
      await Promise.all([page.waitForURL((url) => url.origin === sp.base), page.getByRole('link', { name: 'Nextcloud' }).click()]);
      await page.getByRole('heading', { name: `Welcome to the cloud, ${person.login}` }).waitFor();
      expect(sp.accepted).toEqual([person.login]);
      await shot(page, 'saml-app-signed-in');

      // The SWA tile: the vault's form post signs the person in at the form-login app.
      await page.goto('/');
      await Promise.all([page.waitForURL((url) => url.origin === formApp.origin), page.getByRole('link', { name: 'Payroll' }).click()]);
      await page.getByRole('heading', { name: 'Signed in as pat.payroll' }).waitFor();
      await shot(page, 'swa-app-signed-in');

      // Back on the dashboard, the question; answered, it is gone.
      await page.goto('/');
      await page.getByRole('heading', { name: 'Did Payroll sign you in?' }).waitFor();
      await shot(page, 'dashboard-did-it-work');
      await expectAccessible(page);
      await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Yes, it worked' }).click()]);
      expect(await page.getByRole('heading', { name: 'Did Payroll sign you in?' }).count()).toBe(0);
      const answered = (await call(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "application.swa.check.success"')}`)).json as unknown[];
      expect(answered).toHaveLength(1);
    } finally {
      await context.close();
    }
  });
});

/** On an app's page in the console: the Assignments tab, find the person, assign (with app credentials when given). */
async function assignPerson(admin: Page, credentials?: { userName: string; password: string }): Promise<void> {
  await admin.getByRole('link', { name: 'Assignments' }).click();
  await admin.getByLabel('Find people').fill('pat');
  await admin.getByLabel('Person', { exact: true }).selectOption({ label: `Test Person (${person.login})` });
  if (credentials) {
    await admin.getByLabel('User name in the app').fill(credentials.userName);
    await admin.getByLabel('Password in the app').fill(credentials.password);
  }
  await admin.getByRole('button', { name: 'Assign', exact: true }).click();
  await admin.getByRole('status').filter({ hasText: 'assigned.' }).waitFor();
}
