/**
 * The implicit (`id_token`, `id_token token`) and hybrid (`code id_token`, `code token`,
 * `code id_token token`) flows for an app with the implicit grant, on the org server and
 * `default`; and their refusal for an app without it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { authorizeInBrowser, createOidcApp, createUser, discover, redirectUri, type TestApp } from '../../helpers/oidc.ts';
import { baseParams, leftHalfHash, pkce, responseParams, servers, signInToLanyard, verifyWithServerKeys } from './support.ts';

let t: TestLanyard;
let userId: string;
let implicitApp: TestApp;
let codeOnlyApp: TestApp;
const person = { username: 'implicit.user@example.com', password: 'Quiet-Lantern-Seven-7' };

beforeAll(async () => {
  t = await startLanyard();
  userId = await createUser(t, person.username, person.password, { firstName: 'Alan', lastName: 'Turing' });
  implicitApp = await createOidcApp(t, {
    label: 'Implicit and hybrid', assign: [userId],
    settings: { grant_types: ['authorization_code', 'implicit', 'refresh_token'], response_types: ['code', 'id_token', 'token'] },
  });
  codeOnlyApp = await createOidcApp(t, { label: 'Code only', assign: [userId] });
});
afterAll(async () => t?.close());

/** A browser already signed in to Lanyard, so each flow answers with a redirect at once. */
async function signedInBrowser(): Promise<BrowserlessClient> {
  const browser = new BrowserlessClient(t.url);
  await signInToLanyard(browser, person);
  return browser;
}

describe.each(servers)('implicit flow on the $name server', (server) => {
  it('response_type=id_token returns an ID token in the fragment (openid-client implicitAuthentication)', async () => {
    const config = await discover(server.issuer(t), implicitApp);
    client.useIdTokenResponseType(config);
    const params = baseParams();
    const url = client.buildAuthorizationUrl(config, params);
    expect(url.searchParams.get('response_type')).toBe('id_token');
    const callback = await authorizeInBrowser(await signedInBrowser(), url);
    expect(callback.search).toBe('');
    expect(callback.hash).toMatch(/id_token=/);
    expect(responseParams(callback).get('access_token')).toBeNull();
    const claims = await client.implicitAuthentication(config, callback, params.nonce!, { expectedState: params.state! });
    expect(claims).toMatchObject({ sub: userId, aud: implicitApp.clientId, iss: server.issuer(t), nonce: params.nonce, ver: 1, amr: ['pwd'] });
    expect(claims.email).toBe(person.username);
  });

  it('response_type="id_token token" returns both in the fragment, the ID token bound to the access token by at_hash', async () => {
    const config = await discover(server.issuer(t), implicitApp);
    const params = baseParams({ response_type: 'id_token token' });
    const callback = await authorizeInBrowser(await signedInBrowser(), client.buildAuthorizationUrl(config, params));
    expect(callback.search).toBe('');
    const out = responseParams(callback);
    expect(out.get('state')).toBe(params.state);
    expect(out.get('token_type')).toMatch(/^bearer$/i);
    expect(out.get('expires_in')).toBe('3600');
    expect(out.get('code')).toBeNull();
    const accessToken = out.get('access_token')!;
    const id = await verifyWithServerKeys(config, out.get('id_token')!, { audience: implicitApp.clientId });
    expect(id).toMatchObject({ sub: userId, nonce: params.nonce, at_hash: leftHalfHash(accessToken) });
    const access = await verifyWithServerKeys(config, accessToken, { audience: server.audience(t) });
    expect(access).toMatchObject({ cid: implicitApp.clientId, uid: userId, sub: person.username, ver: 1 });
    expect(access.scp).toEqual(['openid', 'profile', 'email']);
    // The access token is good at userinfo.
    const userinfo = await client.fetchUserInfo(config, accessToken, userId);
    expect(userinfo.email).toBe(person.username);
  });
});

describe.each(servers)('hybrid flow on the $name server', (server) => {
  it('response_type="code id_token" (openid-client hybrid) returns a code and a c_hash-bound ID token', async () => {
    const config = await discover(server.issuer(t), implicitApp);
    client.useCodeIdTokenResponseType(config);
    const { verifier, params: challenge } = await pkce();
    const params = baseParams(challenge);
    const url = client.buildAuthorizationUrl(config, params);
    expect(url.searchParams.get('response_type')).toBe('code id_token');
    const callback = await authorizeInBrowser(await signedInBrowser(), url);
    expect(callback.search).toBe('');
    const out = responseParams(callback);
    const id = await verifyWithServerKeys(config, out.get('id_token')!, { audience: implicitApp.clientId });
    expect(id.c_hash).toBe(leftHalfHash(out.get('code')!));
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: params.state!, expectedNonce: params.nonce! });
    expect(tokens.claims()).toMatchObject({ sub: userId, aud: implicitApp.clientId, nonce: params.nonce });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ uid: userId, aud: server.audience(t) });
  });

  it.each(['code token', 'code id_token token'])('response_type="%s" returns a code and an access token, and the code still redeems', async (responseType) => {
    const config = await discover(server.issuer(t), implicitApp);
    const { verifier, params: challenge } = await pkce();
    const params = baseParams({ response_type: responseType, ...challenge });
    const callback = await authorizeInBrowser(await signedInBrowser(), client.buildAuthorizationUrl(config, params));
    expect(callback.search).toBe('');
    const out = responseParams(callback);
    expect(out.get('state')).toBe(params.state);
    const code = out.get('code')!;
    const accessToken = out.get('access_token')!;
    expect(code).toBeTruthy();
    const access = await verifyWithServerKeys(config, accessToken, { audience: server.audience(t) });
    expect(access).toMatchObject({ cid: implicitApp.clientId, uid: userId, sub: person.username });
    if (responseType.includes('id_token')) {
      const id = await verifyWithServerKeys(config, out.get('id_token')!, { audience: implicitApp.clientId });
      expect(id).toMatchObject({ sub: userId, nonce: params.nonce, c_hash: leftHalfHash(code), at_hash: leftHalfHash(accessToken) });
    } else {
      expect(out.get('id_token')).toBeNull();
    }
    const tokens = await client.genericGrantRequest(config, 'authorization_code', { code, redirect_uri: redirectUri, code_verifier: verifier });
    const exchanged = await verifyWithServerKeys(config, tokens.id_token!, { audience: implicitApp.clientId });
    expect(exchanged).toMatchObject({ sub: userId, nonce: params.nonce });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ uid: userId });
  });
});

describe.each(servers)('implicit refused on the $name server for an app without the implicit grant', (server) => {
  it.each(['id_token', 'id_token token', 'code id_token'])('response_type="%s" comes back as an error, with no token', async (responseType) => {
    const config = await discover(server.issuer(t), codeOnlyApp);
    const params = baseParams({ response_type: responseType });
    const callback = await authorizeInBrowser(await signedInBrowser(), client.buildAuthorizationUrl(config, params));
    const out = responseParams(callback);
    expect(out.get('error')).toBe('unauthorized_client');
    expect(out.get('error_description')).toMatch(/^The client is not authorized to use the provided grant type. Configured grant types: \[authorization_code, refresh_token\]/);
    expect(out.get('state')).toBe(params.state);
    expect(out.get('id_token')).toBeNull();
    expect(out.get('access_token')).toBeNull();
  });
});
