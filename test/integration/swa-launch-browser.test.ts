/**
 * SWA launch in a real browser: Chromium opens an app tile's URL (`/home/{name}/{id}`), the
 * launch page's own script posts the vaulted credentials under its strict CSP, and the browser
 * lands signed in at a form-login app; a first launch asks the user for their sign-in first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { launchChromium, screenshot } from '../helpers/chromium.ts';
import { createUser } from '../helpers/oidc.ts';
import { startFormLoginApp, type FormLoginApp } from '../helpers/form-login-app.ts';

let t: TestLanyard;
let browser: Browser;
let formApp: FormLoginApp;
const person = { username: 'swa.browser@example.com', password: 'Quiet-Lantern-Seven-7' };
const apps: Record<string, { id: string; name: string }> = {};

beforeAll(async () => {
  formApp = await startFormLoginApp({ accounts: [{ userName: 'ledger-user', password: 'Ledger-Secret-77' }, { userName: 'wiki-user', password: 'Wiki-Secret-88' }] });
  t = await startLanyard();
  browser = await launchChromium();
  const call = api(t);
  const userId = await createUser(t, person.username, person.password);
  for (const [label, scheme] of [['Ledger', 'ADMIN_SETS_CREDENTIALS'], ['Wiki', 'EDIT_USERNAME_AND_PASSWORD']] as const) {
    const made = await call('/api/v1/apps', {
      method: 'POST',
      json: { name: 'template_swa', label, signOnMode: 'BROWSER_PLUGIN', credentials: { scheme }, settings: { app: { url: formApp.url, usernameField: 'username', passwordField: '#password' } } },
    });
    expect(made.status, made.text).toBe(200);
    apps[label] = { id: made.json.id, name: made.json.name };
  }
  const assigned = await call(`/api/v1/apps/${apps.Ledger!.id}/users`, { method: 'POST', json: { id: userId, credentials: { userName: 'ledger-user', password: { value: 'Ledger-Secret-77' } } } });
  expect(assigned.status, assigned.text).toBe(200);
  expect((await call(`/api/v1/apps/${apps.Wiki!.id}/users`, { method: 'POST', json: { id: userId } })).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await formApp?.close();
});

describe('SWA launch in Chromium', () => {
  it('opens the tile URL and lands signed in at the app with administrator-set credentials', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await page.goto(`${t.url}/home/${apps.Ledger!.name}/${apps.Ledger!.id}`);
    await page.getByLabel('Username').fill(person.username);
    await page.getByLabel('Password').fill(person.password);
    await Promise.all([
      page.waitForURL((url) => url.origin === formApp.origin, { waitUntil: 'load', timeout: 15_000 }),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(await page.textContent('h1')).toBe('Signed in as ledger-user');
    expect((await context.cookies(formApp.origin)).some((c) => c.name === 'app_session')).toBe(true);
    expect(violations).toEqual([]);
    await screenshot(page, 'swa-launch-admin-set');
    await context.close();
  });

  it('a first launch asks for the user\'s sign-in, then lands signed in; without script, Continue does it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/login`);
    await page.getByLabel('Username').fill(person.username);
    await page.getByLabel('Password').fill(person.password);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.goto(`${t.url}/home/${apps.Wiki!.name}/${apps.Wiki!.id}`);
    await page.getByLabel('User name for Wiki').fill('wiki-user');
    await page.getByLabel('Password for Wiki').fill('Wiki-Secret-88');
    await screenshot(page, 'swa-set-credentials');
    await Promise.all([
      page.waitForURL((url) => url.origin === formApp.origin, { waitUntil: 'load', timeout: 15_000 }),
      page.getByRole('button', { name: 'Save and open Wiki' }).click(),
    ]);
    expect(await page.textContent('h1')).toBe('Signed in as wiki-user');
    const cookies = await context.cookies(t.url);
    await context.close();

    const noScript = await browser.newContext({ javaScriptEnabled: false });
    await noScript.addCookies(cookies);
    const plain = await noScript.newPage();
    await plain.goto(`${t.url}/home/${apps.Wiki!.name}/${apps.Wiki!.id}`);
    await screenshot(plain, 'swa-launch-continue');
    await Promise.all([
      plain.waitForURL((url) => url.origin === formApp.origin, { waitUntil: 'load', timeout: 15_000 }),
      plain.getByRole('button', { name: 'Continue' }).click(),
    ]);
    expect(await plain.textContent('h1')).toBe('Signed in as wiki-user');
    await noScript.close();
  });
});
