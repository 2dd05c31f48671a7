/**
 * The frame the Apache interop tests share: a private Apache and Debian's Chromium, started once
 * for a file, a fresh browser context per test, and Apache's own error log printed when a test
 * fails. A server that did not start makes every test fail with the reason, never skip.
 */
import { afterAll, afterEach, beforeEach } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestApache } from './apache.ts';
import { launchChromium } from './chromium.ts';

export function apacheInChromium(onPage: (page: Page) => void) {
  let apache: TestApache | undefined;
  let apacheError: Error | undefined;
  let browser: Browser | undefined;
  let launchError: Error | undefined;
  let context: BrowserContext | undefined;

  /** Apache and Chromium, or the reason one is missing. */
  function servers(): { apache: TestApache; browser: Browser } {
    if (!apache) throw apacheError ?? new Error('Apache was not started');
    if (!browser) throw launchError ?? new Error('Chromium was not launched');
    return { apache, browser };
  }

  beforeEach(async () => {
    context = await servers().browser.newContext({ viewport: { width: 800, height: 640 } });
    onPage(await context.newPage());
  });
  afterEach(async (test) => {
    await context?.close();
    // The module's own account of what went wrong, when something did.
    if (test.task.result?.state === 'fail' && apache) console.error(apache.errorLog());
  });
  afterAll(async () => {
    await browser?.close();
    await apache?.close();
  });

  return {
    servers,
    /** Starts Apache (with `start`) and Chromium; a failure is kept for the tests to report. */
    async start(start: () => Promise<TestApache>): Promise<void> {
      try {
        apache = await start();
      } catch (error) {
        apacheError = error as Error;
      }
      try {
        browser = await launchChromium();
      } catch (error) {
        launchError = error as Error;
      }
    },
  };
}
