/**
 * The dashboard in a real Chromium: tiles in the user's order, reordered from the keyboard, the
 * profile edited, "Sign out everywhere" ending another browser's session, and no serious axe-core
 * violations.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { launchChromium, screenshot } from '../helpers/chromium.ts';
import { createUser } from '../helpers/oidc.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let chromium: Browser;
let userId: string;
const login = 'dana.dashboard@example.com';
const password = 'Quiet-Lantern-Seven-7';
const axeSource = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

async function bookmark(label: string): Promise<string> {
  const id = (await call('/api/v1/apps', { method: 'POST', json: { label, signOnMode: 'BOOKMARK', settings: { app: { url: `https://${label.toLowerCase()}.example.test/` } } } })).json.id;
  expect((await call(`/api/v1/apps/${id}/users`, { method: 'POST', json: { id: userId } })).status).toBe(200);
  return id;
}

async function signIn(options: { bypassCSP?: boolean } = {}): Promise<Page> {
  // axe-core is injected as an inline script, which the page's policy rightly forbids.
  const page = await (await chromium.newContext(options)).newPage();
  await page.goto(`${t.url}/login`);
  await page.getByLabel('Username').fill(login);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
  return page;
}

const tileLabels = (page: Page) => page.locator('.tiles .label').allTextContents();

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
  chromium = await launchChromium();
  userId = await createUser(t, login, password, { firstName: 'Dana', lastName: 'Dash' });
  await bookmark('Payroll');
  await bookmark('Calendar');
  const hidden = await bookmark('Hidden');
  const app = (await call(`/api/v1/apps/${hidden}`)).json;
  expect((await call(`/api/v1/apps/${hidden}`, { method: 'PUT', json: { ...app, visibility: { ...app.visibility, hide: { iOS: false, web: true } } } })).status).toBe(200);
});
afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

describe('the dashboard in Chromium', () => {
  it('shows the assigned, visible apps by name, and reorders them from the keyboard; the order is kept', async () => {
    const page = await signIn();
    expect(await tileLabels(page)).toEqual(['Calendar', 'Payroll']);
    await page.getByRole('button', { name: 'Move later: Calendar' }).focus();
    await Promise.all([page.waitForURL(/moved=/), page.keyboard.press('Enter')]);
    expect(await tileLabels(page)).toEqual(['Payroll', 'Calendar']);
    // Focus stays with the moved tile's button, so a keyboard user can go on.
    expect(await page.locator(':focus').getAttribute('aria-label')).toBe('Move earlier: Calendar');
    await screenshot(page, 'dashboard-reordered');

    const again = await signIn();
    expect(await tileLabels(again)).toEqual(['Payroll', 'Calendar']);
    await Promise.all([again.waitForURL(/done=sorted/), again.getByRole('button', { name: 'Sort by name' }).click()]);
    expect(await tileLabels(again)).toEqual(['Calendar', 'Payroll']);
  });

  it('edits the profile', async () => {
    const page = await signIn();
    await page.getByLabel('Mobile phone').fill('+1 555 0100');
    await page.getByLabel('Job title').fill('Engineer');
    await Promise.all([page.waitForURL(/done=profile/), page.getByRole('button', { name: 'Save profile' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Your profile is saved.');
    expect((await call(`/api/v1/users/${userId}`)).json.profile).toMatchObject({ mobilePhone: '+1 555 0100', title: 'Engineer' });
    await page.getByLabel('First name').fill('');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('cannot be left blank');
  });

  it('signs out everywhere: another browser\'s session ends too', async () => {
    const other = await signIn();
    const page = await signIn();
    await expect(page.locator('#sessions .rows > li').count()).resolves.toBeGreaterThanOrEqual(2);
    await expect(page.locator('#sessions').textContent()).resolves.toContain('Chrome on Linux');
    await Promise.all([page.waitForURL(/\/login$/), page.getByRole('button', { name: 'Sign out everywhere' }).click()]);
    await other.goto(`${t.url}/`);
    expect(new URL(other.url()).pathname).toBe('/login');
    const logs = (await call('/api/v1/logs?filter=eventType eq "user.session.clear"')).json;
    expect(logs[0].actor.alternateId).toBe(login);
  });

  it('has labelled controls, landmarks, and no serious axe-core violations', async () => {
    const page = await signIn({ bypassCSP: true });
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () => (globalThis as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run());
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => v.id)).toEqual([]);
    await expect(page.getByRole('navigation', { name: 'Dashboard' }).count()).resolves.toBe(1);
    await expect(page.getByRole('main').count()).resolves.toBe(1);
    await screenshot(page, 'dashboard');
  });
});
