/**
 * The admin console in Chromium: a Lanyard, a browser, and an admin signed in at `/admin` through
 * the real sign-in page and the console's own authorization-code + PKCE flow. The console must be
 * built (`npm run build`; `npm test` builds it first): a missing build fails, never skips.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshot } from './chromium.ts';
import { adminEmail, adminPassword, startLanyard, type StartOptions, type TestLanyard } from './lanyard.ts';

const built = fileURLToPath(new URL('../../dist/console/index.html', import.meta.url));
const axePath = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

export interface ConsoleHarness {
  readonly lanyard: TestLanyard;
  readonly browser: Browser;
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function startConsole(options: StartOptions = {}): Promise<ConsoleHarness> {
  if (!existsSync(built)) throw new Error('dist/console is missing: run `npm run build` (npm test does it) before the console tests');
  const lanyard = await startLanyard(options);
  const browser = await launchChromium().catch(async (error: unknown) => {
    await lanyard.close();
    throw error;
  });
  const contexts: BrowserContext[] = [];
  return {
    lanyard,
    browser,
    async newPage() {
      const context = await browser.newContext({ baseURL: lanyard.url });
      contexts.push(context);
      return { context, page: await context.newPage() };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await lanyard.close();
    },
  };
}

/** Opens `/admin{path}`, signs in on Lanyard's page when asked, and waits for the console's main landmark. */
export async function openConsole(page: Page, path = '/', login = adminEmail, password = adminPassword): Promise<void> {
  await page.goto(`/admin${path}`);
  const signInPage = (url: URL) => url.pathname === '/login' || url.pathname.startsWith('/interaction/');
  const username = page.getByLabel('Username');
  const nav = page.getByRole('navigation', { name: 'Console' });
  await Promise.race([username.waitFor(), nav.waitFor()]);
  if (signInPage(new URL(page.url()))) {
    await page.getByLabel('Username').fill(login);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.waitForURL((url) => url.pathname.startsWith('/admin') && !url.pathname.startsWith('/admin/callback'));
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
}

/** Runs axe-core in the page and fails on serious or critical violations, naming them. */
export async function expectAccessible(page: Page): Promise<void> {
  // Evaluated through the debugger protocol: the page's CSP rightly refuses an injected script tag.
  await page.evaluate(readFileSync(axePath, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context?: unknown, options?: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
  });
  expect(violations).toEqual([]);
}

/** A screenshot of the console page under `test-results/screenshots/console-{name}.png`. */
export const consoleScreenshot = (page: Page, name: string) => screenshot(page, `console-${name}`);
