/**
 * Apache's mod_auth_openidc, the relying party many existing sites put in front of their apps,
 * configured only with Lanyard's discovery URL and a client made through `/api/v1/apps`, as one
 * would configure it for Okta. Real Chromium goes to the protected page, is sent to Lanyard's
 * sign-in page, signs in, and lands on the page, which shows the claims Apache received.
 *
 * Needs Debian's apache2, libapache2-mod-auth-openidc and chromium; without them it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { createOidcApp, createUser, type TestApp } from '../helpers/oidc.ts';
import { freePort } from '../helpers/ports.ts';
import { oidcApachePaths, startOidcApache } from '../helpers/apache.ts';
import { screenshot, signInOnLanyardPage } from '../helpers/chromium.ts';
import { apacheInChromium } from '../helpers/apache-browser.ts';

const person = { username: 'ada.lovelace@example.com', password: 'Analytical-Engine-1843' };

let t: TestLanyard;
let userId: string;
let app: TestApp;
let page: Page;

/** Apache and Chromium for the file (these tests fail rather than skip), and a fresh page per test. */
const ui = apacheInChromium((p) => {
  page = p;
});

beforeAll(async () => {
  t = await startLanyard();
  userId = await createUser(t, person.username, person.password, { firstName: 'Ada', lastName: 'Lovelace' });
  const port = await freePort();
  const site = `http://127.0.0.1:${port}`;
  app = await createOidcApp(t, {
    label: 'Apache mod_auth_openidc', assign: [userId],
    settings: {
      redirect_uris: [`${site}${oidcApachePaths.redirectUri}`],
      post_logout_redirect_uris: [`${site}${oidcApachePaths.signedOut}`],
    },
  });
  await ui.start(() => startOidcApache({
    port, metadataUrl: `${t.url}/oauth2/default/.well-known/openid-configuration`, clientId: app.clientId, clientSecret: app.clientSecret!,
  }));
});
afterAll(async () => {
  await t?.close();
});


describe('Apache mod_auth_openidc against Lanyard', () => {
  it('sends a visitor to Lanyard\'s sign-in page and, signed in, shows the protected page with the claims', async () => {
    const { apache } = ui.servers();
    const protectedUrl = `${apache.url}${oidcApachePaths.protectedPage}`;
    await page.goto(protectedUrl);
    expect(new URL(page.url()).origin).toBe(t.url);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    await screenshot(page, 'mod-auth-openidc-signin');

    await signInOnLanyardPage(page, person.username, person.password);
    expect(page.url()).toBe(protectedUrl);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Protected by mod_auth_openidc');
    await expect(page.locator('#preferred_username').textContent()).resolves.toBe(person.username);
    await expect(page.locator('#sub').textContent()).resolves.toBe(userId);
    await expect(page.locator('#email').textContent()).resolves.toBe(person.username);
    await expect(page.locator('#name').textContent()).resolves.toBe('Ada Lovelace');
    await expect(page.locator('#remote_user').textContent()).resolves.toBe(person.username);
    await screenshot(page, 'mod-auth-openidc-protected');

    // Apache's own session holds: reloading does not go back to Lanyard.
    await page.reload();
    expect(page.url()).toBe(protectedUrl);
    await expect(page.locator('#preferred_username').textContent()).resolves.toBe(person.username);
  });

  it('signs out through the module\'s logout, ending the Lanyard session too', async () => {
    const { apache } = ui.servers();
    const protectedUrl = `${apache.url}${oidcApachePaths.protectedPage}`;
    await page.goto(protectedUrl);
    await signInOnLanyardPage(page, person.username, person.password);
    await expect(page.locator('#preferred_username').textContent()).resolves.toBe(person.username);

    await Promise.all([page.waitForURL(`${apache.url}${oidcApachePaths.signedOut}`), page.locator('#logout').click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Signed out of Apache');
    await screenshot(page, 'mod-auth-openidc-signed-out');

    // Both sessions are over: the protected page sends the visitor to Lanyard's form again.
    await page.goto(protectedUrl);
    expect(new URL(page.url()).origin).toBe(t.url);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    // The module found nothing to complain about in what Lanyard sent it (beyond plain http on loopback).
    const complaints = apache.errorLog().split('\n').filter((line) => /\[auth_openidc:(error|warn)\]/.test(line) && !/SHOULD be "https"/.test(line));
    expect(complaints).toEqual([]);
  });
});
