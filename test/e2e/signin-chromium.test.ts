/**
 * The sign-in pages in a real headless Chromium (Debian's, driven by playwright-core): sign in by
 * the form's labels, a wrong password announced as an alert, lockout, sign-out, and setting a
 * first password from an activation link. Each page is also saved as a screenshot under
 * `test-results/screenshots/` for a person to look at.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); without it every test here fails.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';

/** The few browser globals the in-page functions below use (the project compiles without the DOM lib). */
interface BrowserElement {
  readonly id: string;
  readonly parentElement: BrowserElement | null;
}
declare const document: {
  readonly activeElement: BrowserElement | null;
  readonly body: BrowserElement;
  readonly cookie: string;
  querySelector(selector: string): BrowserElement | null;
};
declare function getComputedStyle(element: BrowserElement): {
  readonly display: string;
  readonly color: string;
  readonly backgroundColor: string;
  readonly borderTopLeftRadius: string;
};

const chromiumPath = '/usr/bin/chromium';
const screenshots = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const genericMessage = 'Unable to sign in. Check your username and password.';
const password = 'Tr0ub4dor&3-horse';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let browser: Browser | undefined;
let launchError: Error | undefined;
let context: BrowserContext;
let page: Page;
let serial = 0;

/** The browser, or a failure that says what is missing: these tests never skip. */
function requireBrowser(): Browser {
  if (browser) return browser;
  throw launchError ?? new Error('Chromium was not launched');
}

async function createUser(options: { password?: string | null; activate?: boolean } = {}) {
  serial += 1;
  const login = `browser${serial}@example.com`;
  const profile = { firstName: 'Ada', lastName: `Lovelace${serial}`, email: login, login };
  const pw = options.password === undefined ? password : options.password;
  const body = pw === null ? { profile } : { profile, credentials: { password: { value: pw } } };
  const created = await call(`/api/v1/users${options.activate === false ? '?activate=false' : ''}`, { method: 'POST', json: body });
  expect(created.status, created.text).toBe(200);
  return { id: created.json.id as string, login, name: `${profile.firstName} ${profile.lastName}` };
}

async function statusOf(userId: string): Promise<string> {
  return (await call(`/api/v1/users/${userId}`)).json.status;
}

async function shoot(name: string): Promise<void> {
  await page.screenshot({ path: `${screenshots}${name}.png`, fullPage: true });
}

/**
 * The WCAG contrast ratio of each selected element's text against the background it sits on
 * (its own, or the nearest ancestor's that is not transparent).
 */
async function contrastOf(selectors: readonly string[]): Promise<Record<string, number>> {
  return page.evaluate((list) => {
    const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
    };
    const out: Record<string, number> = {};
    for (const selector of list) {
      const element = document.querySelector(selector);
      if (!element) throw new Error(`no ${selector} on the page`);
      let background: number[] = [];
      for (let at: BrowserElement | null = element; at; at = at.parentElement) {
        const parts = rgb(getComputedStyle(at).backgroundColor);
        if (parts.length === 3 || (parts.length === 4 && parts[3]! > 0)) {
          background = parts;
          break;
        }
      }
      const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background)];
      out[selector] = Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 100) / 100;
    }
    return out;
  }, selectors);
}

/** Text on the page meets WCAG AA (4.5:1) in the current colour scheme. */
async function expectReadable(selectors: readonly string[]): Promise<void> {
  for (const [selector, ratio] of Object.entries(await contrastOf(selectors))) {
    expect(ratio, `contrast of ${selector}`).toBeGreaterThanOrEqual(4.5);
  }
}

/** Fills the sign-in form by its labels and submits it with the button, as a person would. */
async function submitSignIn(login: string, pw: string): Promise<void> {
  await page.getByLabel('Username').fill(login);
  await page.getByLabel('Password').fill(pw);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

async function sessionCookie() {
  return (await context.cookies(t.url)).find((c) => c.name === 'lanyard_sid');
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  t = await startLanyard();
  call = api(t);
  if (!existsSync(chromiumPath)) {
    launchError = new Error(`${chromiumPath} is missing: install Debian's Chromium with \`apt-get update && apt-get install -y chromium\` to run the browser tests`);
    return;
  }
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (error) {
    launchError = new Error(`Chromium at ${chromiumPath} did not start: ${(error as Error).message}`);
  }
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** What the browser complained about: CSP violations, script errors, failed loads (the stylesheet). */
let complaints: string[] = [];

beforeEach(async () => {
  context = await requireBrowser().newContext({ baseURL: t.url, viewport: { width: 800, height: 640 } });
  page = await context.newPage();
  complaints = [];
  page.on('console', (message) => {
    // A 401 page is logged as "Failed to load resource"; that is the status, not a problem.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) complaints.push(message.text());
  });
  page.on('pageerror', (error) => complaints.push(error.message));
  page.on('requestfailed', (request) => complaints.push(`${request.url()}: ${request.failure()?.errorText}`));
});
afterEach(async () => {
  await context?.close();
  expect(complaints).toEqual([]);
});

/** The stylesheet loaded and applies (CSP and CORP let it through). */
/** The stylesheet applied: sign-in pages centre their card on a grid; the wide dashboard flows as a block. */
async function expectStyled(display: 'grid' | 'block' = 'grid'): Promise<void> {
  const looks = await page.evaluate(() => {
    const card = document.querySelector('main.card');
    return { display: getComputedStyle(document.body).display, radius: card ? getComputedStyle(card).borderTopLeftRadius : null };
  });
  expect(looks).toEqual({ display, radius: '12px' });
}

describe('sign-in in Chromium', () => {
  it('signs in by the labelled form and shows the welcome page', async () => {
    const user = await createUser();
    await page.goto('/login');
    const orgName = (await call('/api/v1/org')).json.companyName as string;
    await expect(page.title()).resolves.toBe(`Sign in · ${orgName}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    // The username field has the focus, ready to type.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('username');
    await expectStyled();
    await expectReadable(['h1', 'label[for=username]', 'button[type=submit]', '.brand']);
    await shoot('login');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectReadable(['h1', 'label[for=username]', 'button[type=submit]', '.brand']);
    await shoot('login-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await submitSignIn(user.login, password);
    expect(new URL(page.url()).pathname).toBe('/');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Welcome, ${user.name}`);
    await expect(page.locator('dd').first().textContent()).resolves.toBe(user.login);
    await expectStyled('block');
    await shoot('signed-in');

    // The browser kept the session cookie as the server meant it: HttpOnly, Secure, SameSite=None, host-only.
    const sid = await sessionCookie();
    expect(sid).toMatchObject({ domain: 'localhost', path: '/', httpOnly: true, secure: true, sameSite: 'None' });
    await expect(page.evaluate(() => document.cookie)).resolves.not.toContain('lanyard_sid');

    // Reloading keeps the session.
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Welcome, ${user.name}`);
  });

  it('announces a wrong password as an alert with the generic message', async () => {
    const user = await createUser();
    await page.goto('/login');
    await submitSignIn(user.login, 'Wrong-Password-123');

    const alert = page.getByRole('alert');
    await expect(alert.count()).resolves.toBe(1);
    await expect(alert.textContent()).resolves.toBe(genericMessage);
    expect(new URL(page.url()).pathname).toBe('/login');
    // The username is kept, the password is not, and the focus is back in the password field.
    await expect(page.getByLabel('Username').inputValue()).resolves.toBe(user.login);
    await expect(page.getByLabel('Password').inputValue()).resolves.toBe('');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('password');
    expect(await sessionCookie()).toBeUndefined();
    await expectReadable(['[role=alert]']);
    await shoot('wrong-password');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectReadable(['[role=alert]']);
    await page.emulateMedia({ colorScheme: 'light' });

    // Corrected, it signs in.
    await submitSignIn(user.login, password);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Welcome, ${user.name}`);
  });

  it('locks the account after maxAttempts failures: then even the right password fails', async () => {
    const lowered = await call('/api/v1/org/settings', { method: 'PUT', json: { lockout: { maxAttempts: 3, autoUnlockMinutes: null } } });
    expect(lowered.status, lowered.text).toBe(200);
    try {
      const user = await createUser();
      await page.goto('/login');
      for (let attempt = 1; attempt <= 3; attempt++) {
        await submitSignIn(user.login, `Wrong-Password-${attempt}`);
        await expect(page.getByRole('alert').textContent()).resolves.toBe(genericMessage);
      }
      expect(await statusOf(user.id)).toBe('LOCKED_OUT');

      await submitSignIn(user.login, password);
      await expect(page.getByRole('alert').textContent()).resolves.toBe(genericMessage);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await sessionCookie()).toBeUndefined();
      await shoot('locked-out');

      // An administrator unlocks; the same browser signs in.
      expect((await call(`/api/v1/users/${user.id}/lifecycle/unlock`, { method: 'POST' })).status).toBe(200);
      await submitSignIn(user.login, password);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Welcome, ${user.name}`);
    } finally {
      await call('/api/v1/org/settings', { method: 'PUT', json: { lockout: { maxAttempts: 10, autoUnlockMinutes: null } } });
    }
  });

  it('signs out with the Sign out button; / then redirects to /login', async () => {
    const user = await createUser();
    await page.goto('/login');
    await submitSignIn(user.login, password);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Welcome, ${user.name}`);

    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign out', exact: true }).click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('You have signed out');
    expect(await sessionCookie()).toBeUndefined();
    await expectStyled();
    await shoot('signed-out');

    // Back does not show the signed-in page again from a cache.
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    expect(new URL(page.url()).pathname).toBe('/login');

    const answer = await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(answer?.status()).toBe(200);
    expect(answer?.request().redirectedFrom()?.url()).toBe(`${t.url}/`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
  });

  it('sets a first password from an activation link and is signed in', async () => {
    const user = await createUser({ password: null, activate: false });
    const link = await call(`/api/v1/users/${user.id}/lifecycle/activate?sendEmail=false`, { method: 'POST' });
    expect(link.status, link.text).toBe(200);

    await page.goto(link.json.activationUrl);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Activate your account');
    await page.getByLabel('New password', { exact: true }).fill('weak');
    await page.getByLabel('Repeat new password').fill('weak');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Set password' }).click()]);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Password requirements were not met');
    await shoot('activation-refused');

    const chosen = 'Analytical-Engine-1843';
    await page.getByLabel('New password', { exact: true }).fill(chosen);
    await page.getByLabel('Repeat new password').fill(chosen);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Set password' }).click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Welcome, ${user.name}`);
    expect(await statusOf(user.id)).toBe('ACTIVE');
  });
});
