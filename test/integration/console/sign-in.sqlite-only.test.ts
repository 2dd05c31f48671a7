/**
 * The admin console signs in like any browser app of the org (authorization code + PKCE against the
 * org authorization server) and then calls only the public API with a bearer token that carries
 * management scopes. Non-administrators get no token; a token without the route's scope gets 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/oidc.ts';
import { api } from '../../helpers/lanyard.ts';
import { consoleScreenshot, expectAccessible, openConsole, startConsole, type ConsoleHarness } from '../../helpers/console.ts';

let h: ConsoleHarness;

beforeAll(async () => {
  h = await startConsole();
});

afterAll(async () => {
  await h?.close();
});

describe('admin console sign-in', () => {
  it('signs an admin in through the org authorization server and uses the API with a bearer token', async () => {
    const { page } = await h.newPage();
    const apiCalls: { url: string; authorization: string | undefined }[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/v1/')) apiCalls.push({ url: r.url(), authorization: r.headers().authorization });
    });
    const shell = page.waitForResponse((r) => new URL(r.url()).pathname === '/admin/');
    await openConsole(page);
    const csp = (await shell).headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    await consoleScreenshot(page, 'overview');
    await expectAccessible(page);

    // The console app is an ordinary app of the org, visible through the API.
    const apps = await api(h.lanyard)('/api/v1/apps?q=Lanyard%20Admin');
    expect(apps.json.map((a: { label: string }) => a.label)).toContain('Lanyard Admin Console');
    // Every page the console shows is loaded through the public API with a bearer token.
    await page.goto('/admin/users');
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    for (const call of apiCalls) expect(call.authorization).toMatch(/^Bearer /);
  });

  it('gives no token to a person who is not an administrator', async () => {
    await createUser(h.lanyard, 'worker@example.com', 'Quiet-Lantern-Seven-7');
    const { page } = await h.newPage();
    await page.goto('/admin/');
    await page.getByLabel('Username').waitFor();
    await page.getByLabel('Username').fill('worker@example.com');
    await page.getByLabel('Password').fill('Quiet-Lantern-Seven-7');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/callback');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Only administrators may sign in to the admin console');
  });
});
