/**
 * The admin console signs in like any browser app of the org (authorization code + PKCE against the
 * org authorization server) and then calls only the public API with a bearer token that carries
 * management scopes. Non-administrators get no token; a token without the route's scope gets 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { createOidcApp, createUser, redirectUri } from '../../helpers/oidc.ts';
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

  /** Runs the console's code flow in the browser with the scopes given, and returns the token response. */
  async function consoleToken(page: Page, scope: string, clientId = 'lanyard-admin-console', redirect = `${h.lanyard.url}/admin/callback`) {
    const verifier = randomBytes(32).toString('base64url');
    const params = new URLSearchParams({
      client_id: clientId, response_type: 'code', redirect_uri: redirect, scope, state: 'st-12345678',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    });
    // The browser is sent back to the redirect URI; the test takes the code from the request and
    // stops there (the console's own page would redeem the code first).
    const request = page.waitForRequest((r) => r.url().startsWith(redirect));
    await page.route((url) => url.href.startsWith(redirect), (route) => route.abort());
    await page.goto(`/oauth2/v1/authorize?${params}`).catch(() => undefined);
    const landed = new URL((await request).url());
    await page.unroute(() => true);
    if (!landed?.searchParams.get('code')) return { error: landed?.searchParams.get('error_description') ?? 'no code' };
    const response = await fetch(`${h.lanyard.url}/oauth2/v1/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code: landed.searchParams.get('code')!, redirect_uri: redirect, client_id: clientId, code_verifier: verifier }),
    });
    return await response.json() as { access_token?: string; error?: string; error_description?: string };
  }

  const bearer = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${h.lanyard.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

  it('lets a bearer token do exactly what its scopes allow, and nothing once revoked', async () => {
    const { page } = await h.newPage();
    await openConsole(page);
    const tokens = await consoleToken(page, 'openid okta.users.read');
    expect(tokens).toHaveProperty('access_token');
    const token = tokens.access_token!;

    expect((await bearer(token, '/api/v1/users')).status).toBe(200);
    const groups = await bearer(token, '/api/v1/groups');
    expect(groups.status).toBe(403);
    expect(groups.headers.get('www-authenticate')).toContain('insufficient_scope');
    expect(((await groups.json()) as { errorCode: string }).errorCode).toBe('E0000006');
    const write = await bearer(token, '/api/v1/users', { method: 'POST', body: JSON.stringify({ profile: { login: 'x@example.com', email: 'x@example.com' } }) });
    expect(write.status).toBe(403);
    expect((await api(h.lanyard)('/api/v1/users?q=x@example.com')).json).toEqual([]);

    const revoked = await fetch(`${h.lanyard.url}/oauth2/v1/revoke`, {
      method: 'POST', body: new URLSearchParams({ token, token_type_hint: 'access_token', client_id: 'lanyard-admin-console' }),
    });
    expect(revoked.status).toBe(200);
    const after = await bearer(token, '/api/v1/users');
    expect(after.status).toBe(401);
    expect(((await after.json()) as { errorCode: string }).errorCode).toBe('E0000011');
    expect((await bearer('not.a.token', '/api/v1/users')).status).toBe(401);
  });

  it('grants management scopes to the console alone', async () => {
    const adminId = (await api(h.lanyard)('/api/v1/users/me')).json.id as string;
    const other = await createOidcApp(h.lanyard, { label: 'Some app', assign: [adminId], credentials: { token_endpoint_auth_method: 'none' },
      settings: { application_type: 'browser' } });
    const { page } = await h.newPage();
    await openConsole(page);
    const refused = await consoleToken(page, 'openid okta.users.manage', other.clientId, redirectUri);
    expect(refused).toEqual({ error: 'Management API scopes (okta.*, lanyard.*) are granted to the Lanyard Admin Console only.' });
  });
});
