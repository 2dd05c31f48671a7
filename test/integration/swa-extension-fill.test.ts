/**
 * `POST /sso/swa/fill`, the endpoint the browser extension asks: a launch of an SWA app whose
 * launch method is EXTENSION leaves a one-time ticket for the session and the app's origin, and
 * only the extension (its header, its chrome-extension:// origin), from the app's sign-in page,
 * in that session, gets the credentials — once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { BrowserlessClient } from '../helpers/browserless.ts';
import { createUser } from '../helpers/oidc.ts';
import { samlSignIn } from '../helpers/saml.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let appId: string;
let userId: string;
const person = { username: 'fill.person@example.com', password: 'Quiet-Lantern-Seven-7' };
const appOrigin = 'https://crm.example.test';
const signInUrl = `${appOrigin}/login`;
const extensionOrigin = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
  userId = await createUser(t, person.username, person.password);
  const app = await call('/api/v1/apps', {
    method: 'POST', json: {
      name: 'template_swa', label: 'CRM', signOnMode: 'BROWSER_PLUGIN', credentials: { scheme: 'ADMIN_SETS_CREDENTIALS' },
      settings: { app: { url: signInUrl, usernameField: '#username', passwordField: '#password', buttonField: 'button.primary', loginUrlRegex: '^https://crm\\.example\\.test/sign-in(\\?.*)?$', launchMethod: 'EXTENSION' } },
    },
  });
  expect(app.status, app.text).toBe(200);
  appId = app.json.id;
  const assigned = await call(`/api/v1/apps/${appId}/users`, { method: 'POST', json: { id: userId, credentials: { userName: 'fill.crm', password: { value: 'crm-secret-1' } } } });
  expect(assigned.status, assigned.text).toBe(200);
});
afterAll(async () => t?.close());

/** A browser signed in to Lanyard. */
async function signedIn(): Promise<BrowserlessClient> {
  const browser = new BrowserlessClient(t.url);
  await samlSignIn(browser, '/login', person);
  expect(browser.cookieHeader()).not.toBe('');
  return browser;
}

/** Opens the app link: Lanyard leaves the ticket and sends the browser to the app's sign-in page. */
async function launch(browser: BrowserlessClient): Promise<void> {
  const nav = await browser.get(`/home/template_swa/${appId}`);
  expect(nav.final.status).toBe(302);
  expect(nav.final.location).toBe(signInUrl);
}

async function askFill(browser: BrowserlessClient | undefined, url: string, headers: Record<string, string> = { origin: extensionOrigin, 'x-lanyard-extension': '1' }) {
  const response = await fetch(`${t.url}/sso/swa/fill`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(browser ? { cookie: browser.cookieHeader() } : {}), ...headers },
    body: JSON.stringify({ url }),
  });
  return { status: response.status, headers: response.headers, json: await response.json() as any };
}

describe('the extension fill endpoint', () => {
  it('answers the launch once, to the same session, from the app\'s sign-in page, not to be cached', async () => {
    const browser = await signedIn();
    await launch(browser);
    const first = await askFill(browser, `${signInUrl}?next=%2F#top`);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('access-control-allow-origin')).toBeNull();
    expect(first.json).toEqual({
      fields: { username: '#username', password: '#password', button: 'button.primary' },
      userName: 'fill.crm', password: 'crm-secret-1', extraFields: [],
    });
    const again = await askFill(browser, signInUrl);
    expect(again.status).toBe(404);
    expect(again.json.errorCode).toBe('E0000007');
    expect(again.headers.get('cache-control')).toBe('no-store');
    const log = await call(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.authentication.sso"')}`);
    expect(log.json.some((e: any) => e.outcome.result === 'SUCCESS' && e.target.some((x: any) => x.id === appId))).toBe(true);
    expect(JSON.stringify(log.json)).not.toContain('crm-secret-1');
  });

  it('answers nothing without a launch, without a session, or to another session of the same person', async () => {
    const browser = await signedIn();
    expect((await askFill(browser, signInUrl)).status).toBe(404);
    await launch(browser);
    expect((await askFill(undefined, signInUrl)).json.errorCode).toBe('E0000007');
    const other = await signedIn();
    expect((await askFill(other, signInUrl)).status).toBe(404);
    // The ticket is still there for its own session.
    expect((await askFill(browser, signInUrl)).status).toBe(200);
  });

  it('answers only for the app\'s origin and sign-in page, keeping the ticket for that page', async () => {
    const browser = await signedIn();
    await launch(browser);
    expect((await askFill(browser, 'https://evil.example.test/login')).status).toBe(404);
    expect((await askFill(browser, 'http://crm.example.test/login')).status).toBe(404);
    expect((await askFill(browser, `${appOrigin}/landing`)).status).toBe(404);
    // Another URL of the app's origin that its login URL regex names.
    expect((await askFill(browser, `${appOrigin}/sign-in?step=1`)).status).toBe(200);
  });

  it('refuses a web page: another Origin, no Origin, no extension header, and every preflight', async () => {
    const browser = await signedIn();
    await launch(browser);
    const attempts: Record<string, string>[] = [
      { origin: 'https://evil.example.test', 'x-lanyard-extension': '1' },
      { 'x-lanyard-extension': '1' },
      { origin: extensionOrigin },
      { origin: 'chrome-extension://not-an-extension-id', 'x-lanyard-extension': '1' },
    ];
    for (const headers of attempts) {
      const refused = await askFill(browser, signInUrl, headers);
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(refused.json.errorCode).toBe('E0000006');
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
    const preflight = await fetch(`${t.url}/sso/swa/fill`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-lanyard-extension' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    // None of that used the ticket up.
    expect((await askFill(browser, signInUrl)).status).toBe(200);
  });

  it('says what is wrong with a bad body', async () => {
    const browser = await signedIn();
    const bad = await askFill(browser, 'javascript:alert(1)');
    expect(bad.status).toBe(400);
    expect(bad.json.errorCode).toBe('E0000001');
    expect(bad.json.errorCauses[0].errorSummary).toContain('url');
  });

  it('a launch of a FORM_POST app leaves no ticket', async () => {
    const formApp = await call('/api/v1/apps', {
      method: 'POST', json: { name: 'template_swa', label: 'Form CRM', signOnMode: 'BROWSER_PLUGIN', credentials: { scheme: 'ADMIN_SETS_CREDENTIALS' }, settings: { app: { url: 'https://form.example.test/login', usernameField: 'u', passwordField: 'p' } } },
    });
    await call(`/api/v1/apps/${formApp.json.id}/users`, { method: 'POST', json: { id: userId, credentials: { userName: 'f', password: { value: 'form-secret-1' } } } });
    const browser = await signedIn();
    await browser.get(`/home/template_swa/${formApp.json.id}`);
    expect((await askFill(browser, 'https://form.example.test/login')).status).toBe(404);
  });
});
