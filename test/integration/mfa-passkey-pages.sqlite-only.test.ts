/**
 * A person whose org requires a second factor, in a real browser (Debian's Chromium with the
 * DevTools virtual authenticator): the first sign-in sets up a security key on the sign-in pages
 * (Lanyard's own `/assets/webauthn.js` performs the ceremony under the page's strict CSP), the next
 * sign-in asks for it, and the session records `hwk`. Screenshots of each page go to test-results.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { createUser } from '../helpers/oidc.ts';
import { launchChromium, screenshot } from '../helpers/chromium.ts';

const password = 'Quiet-Lantern-Seven-7';
const login = 'passkey.person@example.com';
let t: TestLanyard;
let browser: Browser;
let page: Page;

async function ok(path: string, init?: Parameters<ReturnType<typeof api>>[1]) {
  const response = await api(t)(path, init);
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${response.text}`);
  return response.json;
}

beforeAll(async () => {
  t = await startLanyard();
  const everyone = (await ok('/api/v1/groups?q=Everyone'))[0].id;
  const policy = await ok('/api/v1/policies', {
    method: 'POST', json: { type: 'OKTA_SIGN_ON', name: 'Everyone proves two factors', status: 'ACTIVE', priority: 1, conditions: { people: { groups: { include: [everyone] } } } },
  });
  await ok(`/api/v1/policies/${policy.id}/rules`, {
    method: 'POST', json: { type: 'SIGN_ON', name: 'Second factor', actions: { signon: { access: 'ALLOW', requireFactor: true, factorPromptMode: 'ALWAYS' } } },
  });
  await createUser(t, login, password);
  browser = await launchChromium();
  const context = await browser.newContext();
  page = await context.newPage();
  await page.goto(`${t.url}/login`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function password1(): Promise<void> {
  await page.getByLabel('Username').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('load');
}

async function amr(): Promise<string[]> {
  // The page's CSP allows it no requests of its own; the browser context's request API sends its cookies.
  return (await (await page.request.get(`${t.url}/api/v1/sessions/me`, { headers: { accept: 'application/json' } })).json()).amr;
}

describe('a security key on the sign-in pages', () => {
  it('the first sign-in sets one up; the page script registers it and the person lands signed in', async () => {
    await password1();
    expect(await page.getByRole('heading', { name: 'Set up a second factor' }).isVisible()).toBe(true);
    await screenshot(page, 'mfa-enroll-choice');
    await Promise.all([
      page.waitForURL(`${t.url}/`, { timeout: 15_000 }),
      page.getByRole('button', { name: 'Security key or passkey' }).click(),
    ]);
    expect(await page.getByRole('heading', { name: /Welcome/ }).isVisible()).toBe(true);
    expect(await amr()).toEqual(expect.arrayContaining(['pwd', 'mfa', 'hwk']));
    const factors = await ok(`/api/v1/users/${encodeURIComponent(login)}/factors`);
    expect(factors.map((f: any) => [f.factorType, f.status])).toEqual([['webauthn', 'ACTIVE']]);
    await screenshot(page, 'mfa-signed-in-with-key');
  });

  it('the next sign-in asks for the key before any session, and the script answers the challenge', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForLoadState('load');
    await page.goto(`${t.url}/login`);
    await page.getByLabel('Username').fill(login);
    await page.getByLabel('Password').fill(password);
    await Promise.all([
      page.waitForURL(`${t.url}/`, { timeout: 15_000 }),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(await page.getByRole('heading', { name: /Welcome/ }).isVisible()).toBe(true);
    expect(await amr()).toEqual(expect.arrayContaining(['pwd', 'mfa', 'hwk']));
    const events = await ok(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.authentication.auth_via_mfa"')}`);
    expect(events.some((e: any) => e.outcome.result === 'SUCCESS' && e.debugContext?.debugData?.factor === 'webauthn')).toBe(true);
  });
});
