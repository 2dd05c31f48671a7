/**
 * Client authentication at the token endpoint, as openid-client performs it: the two secret
 * methods, both JWT assertions, and public clients with PKCE, on the org server and `default`.
 * Every exchange returns Okta-shaped ID and access tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { decodeJwt, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { authorizeInBrowser, createOidcApp, createUser, discover, redirectUri, type TestApp } from '../../helpers/oidc.ts';
import { failsWith, firstOrg, pkce, servers, verifyWithServerKeys } from './support.ts';

let t: TestLanyard;
let userId: string;
let orgId: string;
const person = { username: 'client.auth@example.com', password: 'Quiet-Lantern-Seven-7' };
const apps: Record<string, TestApp> = {};
let privateKey: CryptoKey;

beforeAll(async () => {
  t = await startLanyard();
  orgId = (await firstOrg(t)).id;
  userId = await createUser(t, person.username, person.password, { firstName: 'Grace', lastName: 'Hopper' });
  const keys = await generateKeyPair('RS256', { extractable: true });
  privateKey = keys.privateKey;
  const publicJwk = { ...await exportJWK(keys.publicKey), kid: 'rp-key-1', alg: 'RS256', use: 'sig' };
  apps.basic = await createOidcApp(t, { label: 'Basic', assign: [userId] });
  apps.post = await createOidcApp(t, { label: 'Post', assign: [userId], credentials: { token_endpoint_auth_method: 'client_secret_post' } });
  apps.jwt = await createOidcApp(t, { label: 'Secret JWT', assign: [userId], credentials: { token_endpoint_auth_method: 'client_secret_jwt' } });
  apps.key = await createOidcApp(t, {
    label: 'Private key JWT', assign: [userId], credentials: { token_endpoint_auth_method: 'private_key_jwt' },
    settings: { jwks: { keys: [publicJwk] } },
  });
  apps.browser = await createOidcApp(t, {
    label: 'SPA', assign: [userId], credentials: { token_endpoint_auth_method: 'none' },
    settings: { application_type: 'browser', grant_types: ['authorization_code'] },
  });
  apps.native = await createOidcApp(t, {
    label: 'Native', assign: [userId], credentials: { token_endpoint_auth_method: 'none' },
    settings: { application_type: 'native', grant_types: ['authorization_code', 'refresh_token'] },
  });
});
afterAll(async () => t?.close());

const methods: { name: string; app: string; auth: () => client.ClientAuth }[] = [
  { name: 'client_secret_basic', app: 'basic', auth: () => client.ClientSecretBasic(apps.basic!.clientSecret) },
  { name: 'client_secret_post', app: 'post', auth: () => client.ClientSecretPost(apps.post!.clientSecret) },
  { name: 'client_secret_jwt', app: 'jwt', auth: () => client.ClientSecretJwt(apps.jwt!.clientSecret) },
  { name: 'private_key_jwt', app: 'key', auth: () => client.PrivateKeyJwt({ key: privateKey, kid: 'rp-key-1' }) },
  { name: 'none (browser app, PKCE)', app: 'browser', auth: () => client.None() },
  { name: 'none (native app, PKCE)', app: 'native', auth: () => client.None() },
];

describe.each(servers)('token endpoint client authentication on the $name server', (server) => {
  it.each(methods)('$name: code flow returns Okta-shaped tokens', async ({ app: key, auth }) => {
    const app = apps[key]!;
    const config = await discover(server.issuer(t), app, auth());
    const { verifier, params } = await pkce();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const before = Math.floor(Date.now() / 1000);
    const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid profile email', state, nonce, ...params });
    const callback = await authorizeInBrowser(new BrowserlessClient(t.url), url, person);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });

    const id = await verifyWithServerKeys(config, tokens.id_token!, { audience: app.clientId });
    expect(id).toMatchObject({ sub: userId, aud: app.clientId, iss: server.issuer(t), nonce, amr: ['pwd'], ver: 1, idp: orgId });
    expect(typeof id.aud).toBe('string');
    expect(id.auth_time).toBeGreaterThanOrEqual(before - 1);
    expect(id.exp! - id.iat!).toBe(3600);

    const access = await verifyWithServerKeys(config, tokens.access_token, { audience: server.audience(t) });
    expect(access).toMatchObject({ ver: 1, cid: app.clientId, uid: userId, sub: person.username, iss: server.issuer(t), aud: server.audience(t) });
    expect(access.scp).toEqual(['openid', 'profile', 'email']);
    expect(typeof access.jti).toBe('string');
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.refresh_token).toBeUndefined();
  });
});

describe.each(servers)('refusals of client authentication on the $name server', (server) => {
  it('refuses a wrong secret with invalid_client', async () => {
    const config = await discover(server.issuer(t), apps.basic!, client.ClientSecretBasic('not-the-secret-of-this-client-at-all'));
    expect(await failsWith(() => client.tokenIntrospection(config, 'anything'))).toBe('invalid_client');
  });

  it('refuses a token request without client credentials: 401 invalid_client', async () => {
    const token = (await discover(server.issuer(t), apps.basic!)).serverMetadata().token_endpoint!;
    const response = await fetch(token, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=abc',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid_client', error_description: 'No client credentials found.' });
  });

  it('refuses an assertion signed with a key the client did not register', async () => {
    const other = await generateKeyPair('RS256');
    const config = await discover(server.issuer(t), apps.key!, client.PrivateKeyJwt({ key: other.privateKey, kid: 'rp-key-1' }));
    expect(await failsWith(() => client.tokenIntrospection(config, 'anything'))).toBe('invalid_client');
  });

  it('refuses a public client\'s code without its PKCE verifier', async () => {
    const config = await discover(server.issuer(t), apps.browser!, client.None());
    const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', state: 's1', nonce: 'n1' });
    const callback = await authorizeInBrowser(new BrowserlessClient(t.url), url, person);
    // A public client must send a code challenge; the engine refuses the request before any code is issued.
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(decodeURIComponent(callback.searchParams.get('error_description') ?? '')).toMatch(/PKCE/);
  });

  it('exchanges a native app\'s code and then its refresh token without a secret', async () => {
    const config = await discover(server.issuer(t), apps.native!, client.None());
    const { verifier, params } = await pkce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid offline_access', state: 's2', nonce: 'n2', ...params });
    const callback = await authorizeInBrowser(new BrowserlessClient(t.url), url, person);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 's2', expectedNonce: 'n2' });
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ cid: apps.native!.clientId, uid: userId });
  });
});
