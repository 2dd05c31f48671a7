/**
 * The console's application pages, driven as an administrator would: adding a SAML integration
 * from the catalog, creating custom SWA and OIDC apps with the wizard, assigning a person with
 * the credentials the administrator owns, and provisioning to a real SCIM server with its errors
 * and an import whose progress runs to the end. Every result is checked through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../../helpers/oidc.ts';
import { api } from '../../helpers/lanyard.ts';
import { eventually } from '../../helpers/eventually.ts';
import { startScimServer, type ScimServer } from '../../helpers/scim-server.ts';
import { consoleScreenshot, expectAccessible, openConsole, startConsole, type ConsoleHarness } from '../../helpers/console.ts';

let h: ConsoleHarness;
let scim: ScimServer;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  scim = await startScimServer();
  h = await startConsole({ env: { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_PROVISIONING_RETRY_MS: '20' } });
  call = api(h.lanyard);
});

afterAll(async () => {
  await h?.close();
  await scim?.close();
});

const appIdOf = (page: Page) => /\/admin\/apps\/([^/]+)/.exec(new URL(page.url()).pathname)![1]!;

async function signedIn(path: string): Promise<Page> {
  const { page } = await h.newPage();
  await openConsole(page, path);
  return page;
}

describe('the applications console', () => {
  it('adds a SAML integration from the catalog with its tenant variables and shows its IdP details', async () => {
    const page = await signedIn('/apps');
    await page.getByRole('heading', { level: 1, name: 'Applications' }).waitFor();
    await consoleScreenshot(page, 'apps-list');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Browse catalog' }).click();
    await page.getByLabel('Search integrations').fill('Slack');
    await page.getByRole('link', { name: 'Slack', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Slack' }).waitFor();
    expect(await page.getByRole('region', { name: 'Setup instructions' }).textContent()).toContain('SAML 2.0 Endpoint');
    await consoleScreenshot(page, 'apps-catalog-integration');
    await expectAccessible(page);

    await page.getByLabel('Slack workspace subdomain').fill('globex');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('heading', { level: 1, name: 'Slack' }).waitFor();
    await page.waitForURL(/\/admin\/apps\/[^/]+$/);
    const appId = appIdOf(page);

    const app = (await call(`/api/v1/apps/${appId}`)).json;
    expect(app).toMatchObject({ signOnMode: 'SAML_2_0', status: 'ACTIVE', settings: { signOn: { ssoAcsUrl: 'https://globex.slack.com/sso/saml', audience: 'https://slack.com' } } });
    expect((await call(`/api/v1/apps/${appId}/integration`)).json).toMatchObject({ integrationId: 'slack', variables: { subdomain: 'globex' } });

    await page.getByRole('link', { name: 'Sign on' }).click();
    await page.getByTestId('signing-certificate').waitFor();
    expect(await page.getByTestId('metadata-url').textContent()).toBe(`${h.lanyard.url}/api/v1/apps/${appId}/sso/saml/metadata`);
    const keys = (await call(`/api/v1/apps/${appId}/credentials/keys`)).json;
    expect((await page.getByTestId('signing-certificate').textContent())!.replace(/\s|-----[A-Z ]+-----/g, '')).toBe(keys[keys.length - 1].x5c[0]);
    expect(await page.getByLabel('Single sign-on URL (ACS URL)').inputValue()).toBe('https://globex.slack.com/sso/saml');
    await consoleScreenshot(page, 'apps-saml-sign-on');
    await expectAccessible(page);

    // The catalog itself, searched by sign-on mode.
    await page.goto('/admin/apps/catalog');
    await page.getByLabel('Sign-on mode').selectOption('saml');
    await page.getByRole('link', { name: 'Slack', exact: true }).waitFor();
    await consoleScreenshot(page, 'apps-catalog');
    await expectAccessible(page);
  });

  it('creates a custom SWA app with the wizard and assigns a person with the credentials the administrator sets', async () => {
    const person = await createUser(h.lanyard, 'dana@example.com');
    const page = await signedIn('/apps/new');
    await page.getByRole('heading', { level: 1, name: 'Create app integration' }).waitFor();
    await consoleScreenshot(page, 'apps-wizard-mode');
    await expectAccessible(page);
    await page.getByLabel('Secure web authentication (SWA)').check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('App name').fill('Payroll');
    await page.getByLabel('Login URL').fill('https://payroll.example.com/login');
    await page.getByLabel('Username field').fill('#user');
    await page.getByLabel('Password field').fill('#pass');
    await page.getByLabel('Credentials').selectOption('ADMIN_SETS_CREDENTIALS');
    await consoleScreenshot(page, 'apps-wizard-swa');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.getByRole('heading', { level: 1, name: 'Payroll' }).waitFor();
    const appId = appIdOf(page);
    expect((await call(`/api/v1/apps/${appId}`)).json).toMatchObject({
      name: 'template_swa', signOnMode: 'BROWSER_PLUGIN', credentials: { scheme: 'ADMIN_SETS_CREDENTIALS' },
      settings: { app: { url: 'https://payroll.example.com/login', usernameField: '#user', passwordField: '#pass', launchMethod: 'FORM_POST' } },
    });
    await consoleScreenshot(page, 'apps-general');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Assignments' }).click();
    await page.getByLabel('Find people').fill('dana');
    await page.getByLabel('Person', { exact: true }).selectOption({ label: 'Test Person (dana@example.com)' });
    await page.getByLabel('User name in the app').fill('dana.payroll');
    await page.getByLabel('Password in the app').fill('Payroll-Secret-42');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'dana.payroll assigned.' }).waitFor();
    const assigned = (await call(`/api/v1/apps/${appId}/users/${person}`)).json;
    expect(assigned.credentials.userName).toBe('dana.payroll');
    expect(JSON.stringify(assigned)).not.toContain('Payroll-Secret-42');
    await page.getByRole('cell', { name: 'dana.payroll' }).waitFor();
    await consoleScreenshot(page, 'apps-assignments');
    await expectAccessible(page);

    // Deactivate, then delete, from the General tab.
    await page.getByRole('link', { name: 'General' }).click();
    await page.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByRole('button', { name: 'Activate', exact: true }).waitFor();
    await page.getByRole('status').filter({ hasText: 'App deactivated.' }).waitFor();
    expect((await call(`/api/v1/apps/${appId}`)).json.status).toBe('INACTIVE');
  });

  it('creates an OIDC web app and shows its client secret once', async () => {
    const page = await signedIn('/apps/new');
    await page.getByLabel('OIDC — Web application').check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('App name').fill('Wiki');
    await page.getByLabel('Sign-in redirect URIs').fill('https://wiki.example.com/callback');
    await page.getByRole('button', { name: 'Create app' }).click();
    const shown = (await page.getByTestId('client-secret').textContent())!;
    expect(await page.getByRole('status').filter({ hasText: 'will not show it again' }).count()).toBe(1);
    await consoleScreenshot(page, 'apps-oidc-created');
    await expectAccessible(page);

    const apps = (await call('/api/v1/apps?q=Wiki')).json;
    const app = apps.find((a: { label: string }) => a.label === 'Wiki');
    expect(app.settings.oauthClient.redirect_uris).toEqual(['https://wiki.example.com/callback']);
    const secrets = (await call(`/api/v1/apps/${app.id}/credentials/secrets`)).json;
    expect(secrets.map((s: { client_secret: string }) => s.client_secret)).toContain(shown);

    await page.getByRole('button', { name: 'Go to the app' }).click();
    await page.getByRole('link', { name: 'Sign on' }).click();
    await page.getByRole('table', { name: 'Client secrets' }).waitFor();
    expect(await page.getByText(shown).count()).toBe(0);
    await consoleScreenshot(page, 'apps-oidc-sign-on');
    await expectAccessible(page);
  });

  it('sets up provisioning, shows the errors of failing tasks, and imports with progress to the end', async () => {
    for (let i = 0; i < 250; i++) {
      scim.directory.users.set(`acct${i}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: `acct${i}`, userName: `acct${i}@example.com`, active: true });
    }
    const app = (await call('/api/v1/apps', { method: 'POST', json: { label: 'Directory App', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://dir.example.com' } } } })).json;
    const person = await createUser(h.lanyard, 'erin@example.com');
    const page = await signedIn(`/apps/${app.id}/provisioning`);
    await page.getByLabel('SCIM base URL').fill(scim.url);
    await page.getByLabel('Bearer token').fill(scim.token);
    await page.getByLabel('Provisioning enabled').check();
    await page.getByRole('button', { name: 'Save connection' }).click();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('The connection works.').waitFor();
    expect((await call(`/api/v1/apps/${app.id}/connections/default`)).json).toMatchObject({ status: 'ENABLED', authScheme: 'TOKEN', baseUrl: scim.url });

    await page.getByLabel('Create users').check();
    await page.getByRole('button', { name: 'Save features' }).click();
    await page.getByRole('status').filter({ hasText: 'Provisioning features saved.' }).waitFor();
    expect((await call(`/api/v1/apps/${app.id}/features/USER_PROVISIONING`)).json.capabilities.create.lifecycleCreate.status).toBe('ENABLED');

    // The app fails every request: the push task records the app's error, and the page shows it.
    scim.faults = { rate500: 1 };
    await call(`/api/v1/apps/${app.id}/users`, { method: 'POST', json: { id: person } });
    const tasks = await eventually(() => call(`/api/v1/apps/${app.id}/provisioning/tasks`).then((r) => r.json as { lastError: string | null }[]), (all) => all.some((t) => t.lastError));
    const error = tasks.find((t) => t.lastError)!.lastError!;
    await page.getByRole('button', { name: 'Refresh tasks' }).click();
    await page.getByRole('table', { name: 'Recent provisioning tasks' }).getByRole('cell', { name: error }).first().waitFor();
    await consoleScreenshot(page, 'apps-provisioning-errors');
    await expectAccessible(page);
    scim.faults = { latencyMs: 150 };

    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByText(/Reading Users/).waitFor();
    await page.getByLabel('Import progress').waitFor();
    await page.getByText(/Done: 25\d accounts/).waitFor({ timeout: 20_000 });
    const imports = (await call(`/api/v1/apps/${app.id}/provisioning/imports`)).json;
    expect(imports[0]).toMatchObject({ status: 'READY', progress: { users: expect.any(Number), usersTotal: expect.any(Number) } });
    expect(imports[0].progress.users).toBeGreaterThanOrEqual(250);
    expect(await page.getByLabel('Import progress').evaluate((p) => [(p as unknown as { value: number }).value, (p as unknown as { max: number }).max])).toEqual([1, 1]);
    await consoleScreenshot(page, 'apps-provisioning-import');
    await expectAccessible(page);
    scim.faults = {};
  });

  it('sets who may request an app and what approval does', async () => {
    const app = (await call('/api/v1/apps', { method: 'POST', json: { label: 'Requestable', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://req.example.com' } } } })).json;
    const page = await signedIn(`/apps/${app.id}/access-requests`);
    await page.getByLabel('People may request this app').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Access request settings saved.' }).waitFor();
    expect((await call(`/api/v1/apps/${app.id}/access-request-settings`)).json).toMatchObject({ requestable: true, approver: { type: 'ADMIN' }, onApproval: { type: 'ASSIGN_USER' } });
    await consoleScreenshot(page, 'apps-access-requests');
    await expectAccessible(page);
  });
});
