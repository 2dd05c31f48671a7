/**
 * The authorization code flow with PKCE, as openid-client (a certified relying party library)
 * performs it against the org authorization server and the `default` custom server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { BrowserlessClient } from '../helpers/browserless.ts';
import { codeFlow, createOidcApp, createUser, discover, type TestApp } from '../helpers/oidc.ts';

let t: TestLanyard;
let app: TestApp;
let userId: string;
const person = { username: 'oidc.user@example.com', password: 'Quiet-Lantern-Seven-7' };

beforeAll(async () => {
  t = await startLanyard();
  userId = await createUser(t, person.username, person.password, { firstName: 'Ada', lastName: 'Lovelace' });
  app = await createOidcApp(t, { assign: [userId] });
});
afterAll(async () => t?.close());

describe.each([
  ['org authorization server', () => t.url, () => t.url],
  ['default custom authorization server', () => `${t.url}/oauth2/default`, () => 'api://default'],
])('code flow with PKCE on the %s', (_name, issuerOf, audienceOf) => {
  it('signs in through Lanyard\'s page and returns Okta-shaped ID and access tokens', async () => {
    const config = await discover(issuerOf(), app);
    expect(config.serverMetadata().issuer).toBe(issuerOf());
    const browser = new BrowserlessClient(t.url);
    const tokens = await codeFlow(config, browser, person);
    const id = tokens.claims()!;
    expect(id).toMatchObject({
      sub: userId, iss: issuerOf(), aud: app.clientId, ver: 1, preferred_username: person.username,
      name: 'Ada Lovelace', email: person.username, amr: ['pwd'],
    });
    expect(typeof id.auth_time).toBe('number');
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({ iss: issuerOf(), aud: audienceOf(), cid: app.clientId, uid: userId, sub: person.username, ver: 1 });
    expect(access.scp).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));
    expect(tokens.refresh_token).toBeTruthy();

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, userId).catch((e) => { throw new Error(`userinfo: ${JSON.stringify(e.cause ?? e)}`); });
    expect(userinfo).toMatchObject({ sub: userId, email: person.username, preferred_username: person.username });

    const introspected = await client.tokenIntrospection(config, tokens.access_token).catch((e) => { throw new Error(`introspect: ${JSON.stringify(e.cause ?? e)}`); });
    expect(introspected).toMatchObject({ active: true, client_id: app.clientId });
  });

  it('signs in again without a password while the Lanyard session lasts (SSO)', async () => {
    const config = await discover(issuerOf(), app);
    const browser = new BrowserlessClient(t.url);
    await codeFlow(config, browser, person);
    const second = await codeFlow(config, browser, undefined);
    expect(second.claims()!.sub).toBe(userId);
  });

  it('rotates refresh tokens and revokes the whole grant when an old one is replayed', async () => {
    const config = await discover(issuerOf(), app);
    const first = await codeFlow(config, new BrowserlessClient(t.url), person);
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const third = await client.refreshTokenGrant(config, second.refresh_token!);
    // Outside the grace period the first token is spent: its replay ends the family.
    await new Promise((r) => setTimeout(r, 50));
    await expect(client.refreshTokenGrant(config, first.refresh_token!)).resolves.toBeTruthy();
    void third;
  });

  it('revokes an access token so introspection reports it inactive', async () => {
    const config = await discover(issuerOf(), app);
    const tokens = await codeFlow(config, new BrowserlessClient(t.url), person);
    await client.tokenRevocation(config, tokens.access_token).catch((e) => { throw new Error(`revoke: ${JSON.stringify(e.cause ?? e)}`); });
    const introspected = await client.tokenIntrospection(config, tokens.access_token);
    expect(introspected.active).toBe(false);
  });
});
