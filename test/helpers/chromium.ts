/**
 * Debian's Chromium, headless, driven by playwright-core, with the flags that keep it from
 * reaching anything off this machine. A missing browser is a failure that says what to install,
 * never a skip.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';
export const screenshotDir = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: install Debian's Chromium with \`apt-get update && apt-get install -y chromium\` to run the browser tests`);
  }
  try {
    return await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (error) {
    throw new Error(`Chromium at ${chromiumPath} did not start: ${(error as Error).message}`);
  }
}

/** Saves the whole page as `test-results/screenshots/{name}.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true });
}

/**
 * Fills Lanyard's sign-in form by its labels and submits it, then waits until the browser has
 * left Lanyard's origin (the redirects back to the app are done) and the page there has loaded.
 */
export async function signInOnLanyardPage(page: Page, username: string, password: string): Promise<void> {
  const lanyard = new URL(page.url()).origin;
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await Promise.all([
    page.waitForURL((url) => url.origin !== lanyard, { waitUntil: 'load', timeout: 15_000 }),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}
