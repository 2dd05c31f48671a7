/**
 * Okta's classic authentication API over HTTP: a password becomes a one-time session token, an
 * expired password a state token for the change, a locked account a plain failure unless the org
 * shows lockouts; the session token opens a session once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { createUser } from '../helpers/oidc.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
const password = 'Quiet-Lantern-Seven-7';

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
});
afterAll(async () => t?.close());

async function authn(username: string, secret: string) {
  const response = await fetch(`${t.url}/api/v1/authn`, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username, password: secret }),
  });
  return { status: response.status, json: await response.json() as any, headers: response.headers };
}

describe('POST /api/v1/authn', () => {
  it('SUCCESS: a one-time session token that opens a session once', async () => {
    const login = 'authn.success@example.com';
    const userId = await createUser(t, login, password);
    const result = await authn(login, password);
    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.json).toMatchObject({ status: 'SUCCESS', _embedded: { user: { id: userId, profile: { login } } } });
    expect(result.json.sessionToken).toMatch(/^[A-Za-z0-9]{43}$/);
    expect(Date.parse(result.json.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000);

    const redirect = (token: string) => fetch(`${t.url}/login/sessionCookieRedirect?token=${token}&redirectUrl=${encodeURIComponent(`${t.url}/`)}`, { redirect: 'manual' });
    const first = await redirect(result.json.sessionToken);
    expect(first.status).toBe(302);
    expect(first.headers.getSetCookie().some((c) => c.startsWith('lanyard_sid='))).toBe(true);
    const again = await redirect(result.json.sessionToken);
    expect(again.status).toBe(403);
  });

  it('a wrong password or an unknown user: 401 E0000004, the same answer', async () => {
    await createUser(t, 'authn.wrong@example.com', password);
    for (const [username, secret] of [['authn.wrong@example.com', 'not-the-password'], ['nobody@example.com', password]] as const) {
      const result = await authn(username, secret);
      expect(result.status).toBe(401);
      expect(result.json).toMatchObject({ errorCode: 'E0000004', errorSummary: 'Authentication failed' });
    }
  });

  it('refuses a body without a username or password with a validation error', async () => {
    const response = await fetch(`${t.url}/api/v1/authn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"x"}' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errorCode: string }).errorCode).toBe('E0000001');
  });

  it('PASSWORD_EXPIRED: a state token and the policy; change_password then answers SUCCESS', async () => {
    const login = 'authn.expired@example.com';
    const userId = await createUser(t, login, password);
    expect((await call(`/api/v1/users/${userId}/lifecycle/expire_password`, { method: 'POST' })).status).toBe(200);
    const result = await authn(login, password);
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ status: 'PASSWORD_EXPIRED', _embedded: { policy: { complexity: { minLength: expect.any(Number) } } } });
    expect(result.json._links.next).toMatchObject({ name: 'changePassword', href: `${t.url}/api/v1/authn/credentials/change_password` });
    const changed = await fetch(result.json._links.next.href, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stateToken: result.json.stateToken, oldPassword: password, newPassword: 'Brand-New-Harbour-42' }),
    });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { status: string }).status).toBe('SUCCESS');
    expect((await authn(login, 'Brand-New-Harbour-42')).json.status).toBe('SUCCESS');
  });

  it('a locked account fails like a wrong password, unless the org shows lockouts: then LOCKED_OUT', async () => {
    const login = 'authn.locked@example.com';
    await createUser(t, login, password);
    expect((await call('/api/v1/org/settings', { method: 'PUT', json: { lockout: { maxAttempts: 2, autoUnlockMinutes: null } } })).status).toBe(200);
    try {
      await authn(login, 'wrong-1');
      await authn(login, 'wrong-2');
      const hidden = await authn(login, password);
      expect(hidden.status).toBe(401);
      expect(hidden.json.errorCode).toBe('E0000004');

      const shown = await call('/api/v1/org/settings', { method: 'PUT', json: { lockout: { maxAttempts: 2, autoUnlockMinutes: null, showLockoutFailures: true } } });
      expect(shown.json.lockout).toEqual({ maxAttempts: 2, autoUnlockMinutes: null, showLockoutFailures: true });
      const locked = await authn(login, password);
      expect(locked.status).toBe(200);
      expect(locked.json.status).toBe('LOCKED_OUT');
      expect(locked.json.sessionToken).toBeUndefined();
      // Only a locked account is shown as one: a wrong password for another user stays a plain failure.
      expect((await authn('authn.success@example.com', 'wrong')).status).toBe(401);
    } finally {
      await call('/api/v1/org/settings', { method: 'PUT', json: { lockout: { maxAttempts: 10, autoUnlockMinutes: null, showLockoutFailures: false } } });
    }
  });
});
