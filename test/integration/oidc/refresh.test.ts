/**
 * Refresh tokens on the org server and `default`: rotation on every use (Okta's ROTATE), reuse
 * detection that revokes the whole family, the grace period (`leeway`), STATIC refresh tokens, and
 * lifetimes (a rotated token keeps the expiry of the first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { codeFlow, createOidcApp, createUser, discover, type TestApp } from '../../helpers/oidc.ts';
import { failsWith, servers } from './support.ts';

let t: TestLanyard;
let userId: string;
let noLeeway: TestApp;
let withLeeway: TestApp;
let staticTokens: TestApp;
const person = { username: 'refresh.user@example.com', password: 'Quiet-Lantern-Seven-7' };

beforeAll(async () => {
  t = await startLanyard();
  userId = await createUser(t, person.username, person.password);
  noLeeway = await createOidcApp(t, { label: 'No leeway', assign: [userId], settings: { refresh_token: { rotation_type: 'ROTATE', leeway: 0 } } });
  withLeeway = await createOidcApp(t, { label: 'Default leeway', assign: [userId] });
  staticTokens = await createOidcApp(t, { label: 'Static', assign: [userId], settings: { refresh_token: { rotation_type: 'STATIC', leeway: 0 } } });
});
afterAll(async () => t?.close());

async function signIn(config: client.Configuration) {
  return codeFlow(config, new BrowserlessClient(t.url), person, 'openid profile offline_access');
}

async function active(config: client.Configuration, token: string, hint?: string): Promise<boolean> {
  return (await client.tokenIntrospection(config, token, hint ? { token_type_hint: hint } : undefined)).active;
}

describe.each(servers)('refresh tokens on the $name server', (server) => {
  it('rotates on every use: each refresh returns a new refresh token and a fresh access token', async () => {
    const config = await discover(server.issuer(t), noLeeway);
    const first = await signIn(config);
    expect(first.refresh_token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(decodeJwt(second.access_token)).toMatchObject({ uid: userId, cid: noLeeway.clientId, sub: person.username, aud: server.audience(t) });
    expect(second.claims()).toMatchObject({ sub: userId, aud: noLeeway.clientId, iss: server.issuer(t) });
    const third = await client.refreshTokenGrant(config, second.refresh_token!);
    expect(third.refresh_token).not.toBe(second.refresh_token);
  });

  it('with leeway 0, a spent refresh token fails with invalid_grant and revokes the family', async () => {
    const config = await discover(server.issuer(t), noLeeway);
    const first = await signIn(config);
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    expect(await active(config, second.refresh_token!, 'refresh_token')).toBe(true);
    expect(await active(config, second.access_token)).toBe(true);

    expect(await failsWith(() => client.refreshTokenGrant(config, first.refresh_token!))).toBe('invalid_grant');

    // Reuse detected: the newest refresh token and every access token of the grant are dead.
    expect(await active(config, second.refresh_token!, 'refresh_token')).toBe(false);
    expect(await active(config, second.access_token)).toBe(false);
    expect(await active(config, first.access_token)).toBe(false);
    expect(await failsWith(() => client.refreshTokenGrant(config, second.refresh_token!))).toBe('invalid_grant');
    await expect(client.fetchUserInfo(config, second.access_token, userId)).rejects.toThrow();
  });

  it('within the leeway (30 s by default) the previous refresh token still works', async () => {
    const config = await discover(server.issuer(t), withLeeway);
    const first = await signIn(config);
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    const again = await client.refreshTokenGrant(config, first.refresh_token!);
    expect(again.access_token).toBeTruthy();
    // Nothing was revoked.
    expect(await active(config, second.refresh_token!, 'refresh_token')).toBe(true);
    expect(await active(config, second.access_token)).toBe(true);
  });

  it('rotation_type STATIC keeps the same refresh token', async () => {
    const config = await discover(server.issuer(t), staticTokens);
    const first = await signIn(config);
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    expect(second.refresh_token).toBe(first.refresh_token);
    const third = await client.refreshTokenGrant(config, first.refresh_token!);
    expect(third.access_token).not.toBe(second.access_token);
    expect(await active(config, first.refresh_token!, 'refresh_token')).toBe(true);
  });

  it('a rotated refresh token keeps the expiry of the first', async () => {
    const config = await discover(server.issuer(t), noLeeway);
    const first = await signIn(config);
    const before = await client.tokenIntrospection(config, first.refresh_token!, { token_type_hint: 'refresh_token' });
    const lifetime = before.exp! - Math.floor(Date.now() / 1000);
    // The org server's refresh tokens last 90 days; `default`'s rule: unlimited, but unused for 7 days they expire.
    const expected = server.name === 'org' ? 90 * 86400 : 7 * 86400;
    expect(Math.abs(lifetime - expected)).toBeLessThan(60);
    await new Promise((r) => setTimeout(r, 1100));
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    const after = await client.tokenIntrospection(config, second.refresh_token!, { token_type_hint: 'refresh_token' });
    expect(after.exp).toBe(before.exp);
  });

  it('a refresh may narrow the scopes, never widen them', async () => {
    const config = await discover(server.issuer(t), withLeeway);
    const first = await signIn(config);
    const narrowed = await client.refreshTokenGrant(config, first.refresh_token!, { scope: 'openid offline_access' });
    expect(decodeJwt(narrowed.access_token).scp).toEqual(['openid', 'offline_access']);
    expect(await failsWith(() => client.refreshTokenGrant(config, narrowed.refresh_token!, { scope: 'openid email' }))).toBe('invalid_scope');
  });
});
