/**
 * Tokens cross no boundary they should not: one org's tokens and clients mean nothing to another
 * org, and a token signed by a signing key stops verifying once that key has been rotated out
 * and its publication window is over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import { startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient, textOf } from '../../helpers/browserless.ts';
import { createOidcApp, createUser, discover, type TestApp } from '../../helpers/oidc.ts';
import { createOrgWithAdmin, type TestOrg } from '../../helpers/orgs.ts';
import { systemCaller } from '../../../src/services/bootstrap.ts';
import type { Clock } from '../../../src/kernel/clock.ts';
import { authorize, basic, codeRequest, failure, firstOrg, person, postForm, visit } from './support.ts';

/** The system's time, moved forward on demand. */
class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

const servers = [
  ['org authorization server', ''],
  ['default custom authorization server', '/oauth2/default'],
] as const;

describe('org isolation', () => {
  let t: TestLanyard;
  let acme: TestOrg;
  let acmeUrl: string;
  let appA: TestApp;
  let appB: TestApp;
  let userA: string;
  let userB: string;

  beforeAll(async () => {
    t = await startLanyard();
    userA = await createUser(t, person.username, person.password);
    appA = await createOidcApp(t, { label: 'App in A', assign: [userA] });
    acme = await createOrgWithAdmin(t, 'acme', '127.0.0.1');
    acmeUrl = `http://127.0.0.1:${t.port}`;
    // The same login in both orgs: nothing but the org tells them apart.
    userB = await createUser({ url: acmeUrl, token: acme.token }, person.username, person.password);
    appB = await createOidcApp({ url: acmeUrl, token: acme.token }, { label: 'App in B', assign: [userB] });
  });
  afterAll(async () => t?.close());

  async function tokensOf(issuer: string, app: TestApp, origin: string) {
    const config = await discover(issuer, app);
    const { params, checks } = await codeRequest({ scope: 'openid profile offline_access' });
    const tokens = await client.authorizationCodeGrant(config, await authorize(new BrowserlessClient(origin), client.buildAuthorizationUrl(config, params), person), checks);
    return { config, tokens };
  }

  describe.each(servers)('on the %s', (_name, path) => {
    it('B issues its own tokens (control)', async () => {
      const { config, tokens } = await tokensOf(`${acmeUrl}${path}`, appB, acmeUrl);
      expect(config.serverMetadata().issuer).toBe(`${acmeUrl}${path}`);
      expect(tokens.claims()!.sub).toBe(userB);
      expect((await client.fetchUserInfo(config, tokens.access_token, userB)).sub).toBe(userB);
    });

    it('refuses A\'s access token at B\'s userinfo and reports it inactive at B\'s introspection', async () => {
      const { tokens } = await tokensOf(`${t.url}${path}`, appA, t.url);
      const configB = await discover(`${acmeUrl}${path}`, appB);
      const userinfo = await fetch(configB.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(userinfo.status).toBe(401);
      expect(userinfo.headers.get('www-authenticate')).toMatch(/invalid_token/);
      expect(await client.tokenIntrospection(configB, tokens.access_token)).toEqual({ active: false });
      expect(await client.tokenIntrospection(configB, tokens.refresh_token!)).toEqual({ active: false });
      expect((await failure(() => client.refreshTokenGrant(configB, tokens.refresh_token!))).error).toBe('invalid_grant');
    });

    it('does not know A\'s client at B: authorization shows an error page, client credentials are refused', async () => {
      const configA = await discover(`${t.url}${path}`, appA);
      const url = client.buildAuthorizationUrl(configA, (await codeRequest()).params);
      const atB = new URL(`${acmeUrl}${url.pathname}${url.search}`);
      const nav = await visit(new BrowserlessClient(acmeUrl), atB, person);
      expect(nav.final.status).toBe(400);
      expect(nav.final.location).toBeUndefined();
      expect(textOf(nav.final.body)).not.toMatch(/password/i);

      const tokenB = (await discover(`${acmeUrl}${path}`, appB)).serverMetadata().token_endpoint!;
      const res = await postForm(tokenB, { grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://app.example.test/callback' },
        basic(appA.clientId, appA.clientSecret!));
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('invalid_client');
    });

    it('publishes different keys in each org', async () => {
      const keysA = await (await fetch((await discover(`${t.url}${path}`, appA)).serverMetadata().jwks_uri!)).json() as { keys: JWK[] };
      const keysB = await (await fetch((await discover(`${acmeUrl}${path}`, appB)).serverMetadata().jwks_uri!)).json() as { keys: JWK[] };
      const kidsB = new Set(keysB.keys.map((k) => k.kid));
      expect(keysA.keys.some((k) => kidsB.has(k.kid))).toBe(false);
    });
  });
});

describe('a signing key rotated out of the default server', () => {
  const clock = new ShiftedClock();
  let t: TestLanyard;
  let app: TestApp;
  let userId: string;

  beforeAll(async () => {
    t = await startLanyard({ clock });
    userId = await createUser(t, person.username, person.password);
    app = await createOidcApp(t, { label: 'Rotation App', assign: [userId] });
  });
  afterAll(async () => t?.close());

  const jwksOf = async (config: client.Configuration) => await (await fetch(config.serverMetadata().jwks_uri!)).json() as { keys: JWK[] };

  /** Waits for the engine to follow a key change (engines recheck the keys every few seconds). */
  async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 12_000;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting until ${what}`);
  }

  /** Whether the server accepts an ID token as `id_token_hint` (checked against its keys, expiry ignored). */
  async function hintAccepted(config: client.Configuration, idToken: string): Promise<boolean> {
    const url = client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: 'https://app.example.test/signed-out' });
    const nav = await new BrowserlessClient(t.url).get(url.href);
    if (nav.final.status === 400) return false;
    if (nav.final.status === 200 || nav.final.location) return true;
    throw new Error(`unexpected logout answer ${nav.final.status}: ${nav.final.body.slice(0, 300)}`);
  }

  it('keeps verifying tokens it signed while EXPIRED and published, and refuses them once past its delete-after time', async () => {
    const org = await firstOrg(t);
    const config = await discover(`${t.url}/oauth2/default`, app);
    const { params, checks } = await codeRequest();
    const old = await client.authorizationCodeGrant(config, await authorize(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, params), person), checks);
    const oldKid = decodeProtectedHeader(old.access_token).kid!;
    expect(decodeProtectedHeader(old.id_token!).kid).toBe(oldKid);
    const jwksBefore = await jwksOf(config);
    expect(jwksBefore.keys.map((k) => k.kid)).toContain(oldKid);

    const rotated = await t.lanyard.services.authorizationServers.rotateKeys(systemCaller(org), 'default');
    const retired = rotated.find((k) => k.kid === oldKid)!;
    expect(retired.status).toBe('EXPIRED');
    const newKid = rotated.find((k) => k.status === 'ACTIVE')!.kid;

    // New tokens are signed with the new key once the engine has followed the rotation.
    await eventually(async () => {
      const r = await codeRequest();
      const fresh = await client.authorizationCodeGrant(config, await authorize(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, r.params), person), r.checks);
      return decodeProtectedHeader(fresh.access_token).kid === newKid;
    }, 'new tokens are signed by the new key');

    // EXPIRED but published: still listed, and what it signed still verifies.
    expect((await jwksOf(config)).keys.map((k) => k.kid)).toContain(oldKid);
    expect((await client.fetchUserInfo(config, old.access_token, userId)).sub).toBe(userId);
    expect((await client.tokenIntrospection(config, old.access_token)).active).toBe(true);
    expect(await hintAccepted(config, old.id_token!)).toBe(true);

    // Past its delete-after time the key is no longer published, and the server no longer verifies with it.
    clock.offsetMs = Date.parse(retired.deleteAfter!) - Date.now() + 60_000;
    const published = (await jwksOf(config)).keys.map((k) => k.kid);
    expect(published).not.toContain(oldKid);
    expect(published).toContain(newKid);
    await eventually(async () => !(await hintAccepted(config, old.id_token!)), 'the server stops accepting what the retired key signed');

    // The clean-up removes it from the store.
    expect(await t.lanyard.store.deleteRetiredSigningKeys(clock.now().toISOString())).toBeGreaterThanOrEqual(1);
    expect((await t.lanyard.store.forOrg(org.id).signingKeys.listForOwner('as', 'default')).map((k) => k.kid)).not.toContain(oldKid);
    expect(await hintAccepted(config, old.id_token!)).toBe(false);
    const userinfo = await fetch(config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${old.access_token}` } });
    expect(userinfo.status).toBe(401);
    expect((await client.tokenIntrospection(config, old.access_token)).active).toBe(false);

    // It is the key, not only the token's age: at the token's own time, the published keys cannot verify it any more…
    const at = new Date(decodeJwt(old.access_token).iat! * 1000);
    await expect(jwtVerify(old.access_token, createLocalJWKSet(await jwksOf(config)), { currentDate: at }))
      .rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
    // …while the key set from before the rotation still does.
    await expect(jwtVerify(old.access_token, createLocalJWKSet(jwksBefore), { currentDate: at })).resolves.toBeTruthy();
  });
});
