/**
 * The Lanyard browser extension in Debian's Chromium: a copy written by `lanyard extension`,
 * loaded unpacked, signs a person in to an app whose sign-in is a script-driven two-step form
 * (which a plain form POST cannot use) when they open it from Lanyard — and fills nothing on
 * another origin. A browser or extension that does not load fails the suite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, screenshot, signInOnLanyardPage } from '../helpers/chromium.ts';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { createUser } from '../helpers/oidc.ts';
import { startScriptLoginApp, type ScriptLoginApp } from '../helpers/script-login-app.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const person = { username: 'ext.person@example.com', password: 'Quiet-Lantern-Seven-7' };
const appAccount = { userName: 'ext.person', password: 'script-app-secret-7' };

let t: TestLanyard;
let call: ReturnType<typeof api>;
let scriptApp: ScriptLoginApp;
let otherOrigin: ScriptLoginApp;
let scratch: string;
let context: BrowserContext;
let extensionId: string;
let extensionAppId: string;
let formPostAppId: string;

async function createSwaApp(label: string, launchMethod: 'EXTENSION' | 'FORM_POST', userId: string): Promise<string> {
  const made = await call('/api/v1/apps', {
    method: 'POST', json: {
      name: 'template_swa', label, signOnMode: 'BROWSER_PLUGIN', credentials: { scheme: 'ADMIN_SETS_CREDENTIALS' },
      settings: { app: { url: scriptApp.loginUrl, usernameField: '#username', passwordField: '#password', buttonField: 'button.primary', launchMethod } },
    },
  });
  expect(made.status, made.text).toBe(200);
  const assigned = await call(`/api/v1/apps/${made.json.id}/users`, { method: 'POST', json: { id: userId, credentials: { userName: appAccount.userName, password: { value: appAccount.password } } } });
  expect(assigned.status, assigned.text).toBe(200);
  return made.json.id;
}

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: install Debian's Chromium to run the extension tests`);
  t = await startLanyard();
  call = api(t);
  scriptApp = await startScriptLoginApp({ [appAccount.userName]: appAccount.password });
  otherOrigin = await startScriptLoginApp({ [appAccount.userName]: appAccount.password });
  const userId = await createUser(t, person.username, person.password);
  extensionAppId = await createSwaApp('Script app', 'EXTENSION', userId);
  formPostAppId = await createSwaApp('Script app by form', 'FORM_POST', userId);

  scratch = mkdtempSync(join(tmpdir(), 'lanyard-extension-'));
  const extensionDir = join(scratch, 'extension');
  // The copy an operator makes: the CLI as a child process, with nothing but PATH.
  const cli = spawnSync(join(root, 'node_modules', '.bin', 'node'), ['src/main.ts', 'extension', '--url', t.url, '--out', extensionDir],
    { cwd: root, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, encoding: 'utf8', timeout: 30_000 });
  expect(cli.status, cli.stderr).toBe(0);
  expect(JSON.parse(readFileSync(join(extensionDir, 'config.json'), 'utf8'))).toEqual({ lanyardUrls: [t.url] });
  expect(JSON.parse(readFileSync(join(extensionDir, 'manifest.json'), 'utf8')).host_permissions[0]).toBe(`${t.url}/*`);

  context = await chromium.launchPersistentContext(join(scratch, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`],
  });
  const worker = context.serviceWorkers()[0] ?? await context.waitForEvent('serviceworker', { timeout: 15_000 });
  expect(worker.url()).toMatch(/^chrome-extension:\/\/[a-p]{32}\/background\.js$/);
  extensionId = new URL(worker.url()).host;
  worker.on('console', (m) => console.log('[worker]', m.text()));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await scriptApp?.close();
  await otherOrigin?.close();
  await t?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Opens the app link in a fresh tab, signing in to Lanyard on the way when asked. */
async function openAppLink(appId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${t.url}/home/template_swa/${appId}`);
  if (new URL(page.url()).origin === t.url) await signInOnLanyardPage(page, person.username, person.password);
  return page;
}

describe('the browser extension', () => {
  it('loads with its options page, which shows the Lanyard its copy was written for', async () => {
    const page = await context.newPage();
    await page.goto(`chrome-extension://${extensionId}/options.html`);
    await expect.poll(() => page.locator('#packed li').allTextContents()).toEqual([t.url]);
    await page.close();
  });

  it('a plain form POST cannot sign in to the script-driven app', async () => {
    const page = await openAppLink(formPostAppId);
    await page.waitForLoadState('load');
    await screenshot(page, 'swa-extension-form-post-refused');
    expect(await page.locator('body').textContent()).toContain('does not take form posts');
    expect(scriptApp.signIns).toEqual([]);
    expect(scriptApp.posts.some((p) => p.path === '/login' && p.contentType.startsWith('application/x-www-form-urlencoded'))).toBe(true);
    await page.close();
  });

  it('signs in to the script-driven app opened from Lanyard, through both steps', async () => {
    const page = await openAppLink(extensionAppId);
    await page.waitForURL(`${scriptApp.origin}/home`, { timeout: 30_000 });
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Signed in as ${appAccount.userName}`);
    await screenshot(page, 'swa-extension-signed-in');
    expect(scriptApp.signIns).toEqual([appAccount.userName]);
    expect(scriptApp.posts.filter((p) => p.path.startsWith('/api/')).map((p) => p.path)).toEqual(['/api/identify', '/api/sign-in']);
    await page.close();
  });

  it('fills nothing on another origin, and still fills the app\'s own page afterwards', async () => {
    const page = await context.newPage();
    // Lanyard launches the app (leaving its ticket), but the browser is sent to the same page on another origin.
    const launched: string[] = [];
    await page.route(`${t.url}/home/**`, async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      launched.push(response.headers().location ?? `status ${response.status()}`);
      await route.fulfill({ status: 302, headers: { location: otherOrigin.loginUrl } });
    }, { times: 1 });
    await page.goto(`${t.url}/home/template_swa/${extensionAppId}`);
    expect(launched).toEqual([scriptApp.loginUrl]);
    await page.waitForURL(otherOrigin.loginUrl);
    await page.locator('#username').waitFor();
    // Long enough for the extension to ask Lanyard and for a filler to have typed and clicked.
    await page.waitForTimeout(3_000);
    await screenshot(page, 'swa-extension-other-origin');
    expect(await page.locator('#username').inputValue()).toBe('');
    expect(otherOrigin.posts).toEqual([]);
    // The ticket was not spent there: the app's own page in the same tab is signed in to.
    await page.goto(scriptApp.loginUrl);
    await page.waitForURL(`${scriptApp.origin}/home`, { timeout: 30_000 });
    expect(scriptApp.signIns).toEqual([appAccount.userName, appAccount.userName]);
    await page.close();
  });

  it('does not sign in again when the app\'s page is opened later without a launch', async () => {
    const page = await context.newPage();
    await page.goto(scriptApp.loginUrl);
    await page.locator('#username').waitFor();
    await page.waitForTimeout(3_000);
    expect(await page.locator('#username').inputValue()).toBe('');
    expect(scriptApp.signIns).toHaveLength(2);
    await page.close();
  });
});
