/**
 * The console's security and settings pages, driven as a person would: API tokens (created, shown
 * once, working, then revoked and refused), org settings (saved and read back through the API, bad
 * values refused), the system log (filters that narrow the events exactly as the API does) and
 * authorization servers (a server built page by page that then issues a token with its claim).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import * as client from 'openid-client';
import { api } from '../../helpers/lanyard.ts';
import { codeFlow, createOidcApp, createUser, discover } from '../../helpers/oidc.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { consoleScreenshot, expectAccessible, openConsole, startConsole, type ConsoleHarness } from '../../helpers/console.ts';

let h: ConsoleHarness;
let call: ReturnType<typeof api>;
let page: Page;

beforeAll(async () => {
  h = await startConsole();
  call = api(h.lanyard);
  ({ page } = await h.newPage());
  await openConsole(page);
});

afterAll(async () => {
  await h?.close();
});

const withToken = (token: string) => api({ url: h.lanyard.url, token });

describe('API tokens page', () => {
  it('creates a token shown once that works, then revokes it so that it fails', async () => {
    await openConsole(page, '/api-tokens');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('API tokens');
    await page.getByLabel('Token name').fill('Payroll export');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('heading', { name: 'Token “Payroll export” created' }).waitFor();
    const secret = await page.getByLabel('Token value').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    expect((await withToken(secret)('/api/v1/users/me')).status).toBe(200);
    const listed = (await call('/api/v1/api-tokens')).json as { id: string; name: string }[];
    const created = listed.find((t) => t.name === 'Payroll export');
    expect(created).toBeDefined();
    await page.getByRole('row', { name: /Payroll export/ }).waitFor();
    await consoleScreenshot(page, 'api-tokens');
    await expectAccessible(page);

    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByLabel('Token value').count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke Payroll export' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByText('Token “Payroll export” revoked.').waitFor();
    expect((await withToken(secret)('/api/v1/users/me')).status).toBe(401);
    expect(((await call('/api/v1/api-tokens')).json as { id: string }[]).map((t) => t.id)).not.toContain(created!.id);
    expect(await page.getByRole('row', { name: /Payroll export/ }).count()).toBe(0);
  });
});

describe('org settings page', () => {
  it('saves the org name and session and password settings through the API, and shows the server\'s refusal', async () => {
    await openConsole(page, '/settings');
    await page.getByLabel('Org name').waitFor();
    await page.getByLabel('Org name').fill('Umbrella Research');
    await page.getByRole('button', { name: 'Save org name' }).click();
    await page.getByText('Org name saved.').waitFor();
    expect((await call('/api/v1/org')).json.companyName).toBe('Umbrella Research');

    await page.getByLabel('Idle timeout (minutes)').fill('45');
    await page.getByLabel('Minimum length').fill('12');
    await page.getByLabel('Require a symbol').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const settings = (await call('/api/v1/org/settings')).json;
    expect(settings.session.idleMinutes).toBe(45);
    expect(settings.passwordPolicy).toMatchObject({ minLength: 12, requireSymbol: true });
    await consoleScreenshot(page, 'settings');
    await expectAccessible(page);

    await page.getByLabel('Minimum length').fill('3');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The settings were not saved' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('passwordPolicy.minLength');
    expect((await call('/api/v1/org/settings')).json.passwordPolicy.minLength).toBe(12);
  });
});

describe('system log page', () => {
  it('narrows the events by the filters exactly as the API does, and expands an event', async () => {
    const first = await createUser(h.lanyard, 'logged.one@example.com');
    await createUser(h.lanyard, 'logged.two@example.com');
    await call(`/api/v1/users/${first}/lifecycle/deactivate`, { method: 'POST' });
    await openConsole(page, '/logs');
    const events = page.getByRole('list', { name: 'Log events' }).getByRole('listitem');
    await events.first().waitFor();
    const all = await events.count();

    await page.getByLabel('Target id').fill(first);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Searching the log…').waitFor({ state: 'detached' });
    const byTarget = (await call(`/api/v1/logs?filter=${encodeURIComponent(`target.id eq "${first}"`)}`)).json as { uuid: string }[];
    expect(byTarget.length).toBeGreaterThanOrEqual(2);
    expect(byTarget.length).toBeLessThan(all);
    await expect.poll(() => events.count()).toBe(byTarget.length);

    await page.getByLabel('Event type').fill('user.lifecycle.deactivate');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => events.count()).toBe(1);
    await events.first().getByRole('button', { name: /Details/ }).click();
    await page.getByText(first, { exact: false }).first().waitFor();
    expect(await events.first().textContent()).toContain('logged.one@example.com');
    await consoleScreenshot(page, 'logs');
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Search text').fill('logged.two@example.com');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const byText = (await call(`/api/v1/logs?q=${encodeURIComponent('logged.two@example.com')}`)).json as unknown[];
    expect(byText.length).toBeGreaterThan(0);
    await expect.poll(() => events.count()).toBe(byText.length);

    await page.getByLabel('Search text').fill('nothing-matches-this');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No events match these filters').waitFor();
  });
});

describe('authorization servers pages', () => {
  it('builds a server with a scope, a claim, a policy and a rule that then issues a token carrying the claim', async () => {
    const person = { username: 'token.holder@example.com', password: 'Quiet-Lantern-Seven-7' };
    const userId = await createUser(h.lanyard, person.username, person.password);
    const app = await createOidcApp(h.lanyard, { label: 'Orders Web', assign: [userId] });

    await openConsole(page, '/authorization-servers');
    await page.getByLabel('Name').fill('Orders API');
    await page.getByLabel('Audience').fill('api://orders');
    await page.getByLabel('Description').fill('Tokens for the orders service');
    await expectAccessible(page);
    await consoleScreenshot(page, 'authorization-servers');
    await page.getByRole('button', { name: 'Add server' }).click();
    await page.getByRole('heading', { level: 1, name: 'Orders API' }).waitFor();
    const serverId = decodeURIComponent(new URL(page.url()).pathname.split('/')[3]!);
    const server = (await call(`/api/v1/authorizationServers/${serverId}`)).json;
    expect(server).toMatchObject({ name: 'Orders API', audiences: ['api://orders'], description: 'Tokens for the orders service', status: 'ACTIVE' });
    await consoleScreenshot(page, 'authorization-server-settings');
    await expectAccessible(page);

    const tabs = page.getByRole('navigation', { name: 'Server sections' });
    await tabs.getByRole('link', { name: 'Scopes' }).click();
    await page.getByLabel('Scope name').fill('orders:read');
    await page.getByLabel('Scope description').fill('Read orders');
    await page.getByRole('button', { name: 'Add scope' }).click();
    await page.getByText('Scope orders:read saved.').waitFor();
    await page.getByRole('row', { name: /orders:read/ }).waitFor();
    await consoleScreenshot(page, 'authorization-server-scopes');
    await expectAccessible(page);
    const scopes = (await call(`/api/v1/authorizationServers/${serverId}/scopes?q=orders`)).json as { name: string; description: string }[];
    expect(scopes).toMatchObject([{ name: 'orders:read', description: 'Read orders' }]);

    await tabs.getByRole('link', { name: 'Claims' }).click();
    await page.getByLabel('Claim name').fill('buyer');
    await page.getByLabel('Value expression').fill('String.toUpperCase(user.login)');
    await page.getByLabel('Only for scopes').fill('orders:read');
    await page.getByRole('button', { name: 'Add claim' }).click();
    await page.getByText('Claim buyer saved.').waitFor();
    await consoleScreenshot(page, 'authorization-server-claims');
    await expectAccessible(page);
    // A bad expression is refused by the server and the page says why.
    await page.getByLabel('Claim name').fill('broken');
    await page.getByLabel('Value expression').fill('user.firstName +');
    await page.getByRole('button', { name: 'Add claim' }).click();
    await page.getByRole('alert').filter({ hasText: 'The claim was not saved' }).waitFor();
    const claims = (await call(`/api/v1/authorizationServers/${serverId}/claims`)).json as { name: string }[];
    expect(claims.map((c) => c.name)).toEqual(['buyer']);

    await tabs.getByRole('link', { name: 'Access policies' }).click();
    await page.getByLabel('Policy name').fill('Orders clients');
    await page.getByLabel('All clients').uncheck();
    await page.getByLabel(`Orders Web (${app.clientId})`).check();
    await page.getByRole('button', { name: 'Add policy' }).click();
    await page.getByText('Policy Orders clients saved.').waitFor();
    await page.getByRole('heading', { name: 'Rules of Orders clients' }).waitFor();
    await page.getByLabel('Rule name').fill('Everyone, code flow');
    await page.getByLabel('Scopes granted').fill('openid orders:read');
    await page.getByLabel('Access token lifetime (minutes)').fill('15');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByText('Rule Everyone, code flow saved.').waitFor();
    await consoleScreenshot(page, 'authorization-server-policies');
    await expectAccessible(page);
    const policies = (await call(`/api/v1/authorizationServers/${serverId}/policies`)).json as { id: string; conditions: { clients: { include: string[] } } }[];
    expect(policies.map((p) => p.conditions.clients.include)).toEqual([[app.clientId]]);
    const rules = (await call(`/api/v1/authorizationServers/${serverId}/policies/${policies[0]!.id}/rules`)).json;
    expect(rules).toMatchObject([{
      name: 'Everyone, code flow',
      conditions: { people: { groups: { include: ['EVERYONE'] } }, grantTypes: { include: ['authorization_code'] }, scopes: { include: ['openid', 'orders:read'] } },
      actions: { token: { accessTokenLifetimeMinutes: 15 } },
    }]);

    await tabs.getByRole('link', { name: 'Keys' }).click();
    const activeKid = async () => ((await call(`/api/v1/authorizationServers/${serverId}/credentials/keys`)).json as { kid: string; status: string }[])
      .find((k) => k.status === 'ACTIVE')!.kid;
    const before = await activeKid();
    await page.getByRole('row', { name: new RegExp(before) }).waitFor();
    await page.getByRole('button', { name: 'Rotate keys' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByText('Keys rotated.').waitFor();
    expect(await activeKid()).not.toBe(before);
    await consoleScreenshot(page, 'authorization-server-keys');
    await expectAccessible(page);

    // The server as built in the console issues a token with the claim (discovery may take a moment to notice it).
    const issuer = `${h.lanyard.url}/oauth2/${serverId}`;
    let config: client.Configuration | undefined;
    for (let i = 0; i < 40 && !config; i++) {
      config = await discover(issuer, app).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 250));
        return undefined;
      });
    }
    const tokens = await codeFlow(config!, new BrowserlessClient(h.lanyard.url), person, 'openid orders:read');
    const claimsOf = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    expect(claimsOf).toMatchObject({ iss: issuer, aud: 'api://orders', scp: ['openid', 'orders:read'], buyer: 'TOKEN.HOLDER@EXAMPLE.COM' });
    expect(claimsOf.exp - claimsOf.iat).toBe(15 * 60);
  });
});
