/**
 * The engine's advanced features as a relying party uses them with openid-client and jose:
 * request objects (JAR) signed with the client's private key and with its secret, pushed
 * authorization requests (PAR), JWT-secured authorization responses (JARM) and DPoP-bound tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { SignJWT, calculateJwkThumbprint, createLocalJWKSet, decodeJwt, exportJWK, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { createOidcApp, createUser, discover, type TestApp } from '../../helpers/oidc.ts';
import { authorize, backToApp, clientKeyPair, codeRequest, failure, person, visit } from './support.ts';

let t: TestLanyard;
let userId: string;
/** A confidential client with a secret (client_secret_basic). */
let secretApp: TestApp;
/** A client that authenticates with its private key (private_key_jwt). */
let keyApp: TestApp;
let keyPair: Awaited<ReturnType<typeof clientKeyPair>>;
let parOnlyApp: TestApp;
let dpopOnlyApp: TestApp;

beforeAll(async () => {
  t = await startLanyard();
  userId = await createUser(t, person.username, person.password);
  keyPair = await clientKeyPair('rp-key-1');
  secretApp = await createOidcApp(t, { label: 'Secret App', assign: [userId] });
  keyApp = await createOidcApp(t, {
    label: 'Key App', assign: [userId],
    credentials: { token_endpoint_auth_method: 'private_key_jwt' },
    settings: { jwks: { keys: [keyPair.publicJwk] } },
  });
  parOnlyApp = await createOidcApp(t, { label: 'PAR App', assign: [userId], settings: { require_pushed_authorization_requests: true } });
  dpopOnlyApp = await createOidcApp(t, { label: 'DPoP App', assign: [userId], settings: { dpop_bound_access_tokens: true } });
});
afterAll(async () => t?.close());

const servers = [
  ['org authorization server', () => t.url],
  ['default custom authorization server', () => `${t.url}/oauth2/default`],
] as const;

/** The server's published key set, for verifying what it signs. */
async function serverKeys(config: client.Configuration) {
  const keys = await (await fetch(config.serverMetadata().jwks_uri!)).json() as { keys: JWK[] };
  return createLocalJWKSet(keys);
}

describe.each(servers)('request objects (JAR) on the %s', (_name, issuerOf) => {
  it('accepts a request object signed RS256 with the private key of a private_key_jwt client', async () => {
    const config = await discover(issuerOf(), keyApp, client.PrivateKeyJwt({ key: keyPair.privateKey, kid: 'rp-key-1' }));
    const { params, checks } = await codeRequest();
    const url = await client.buildAuthorizationUrlWithJAR(config, params, { key: keyPair.privateKey, kid: 'rp-key-1' });
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request']);
    const tokens = await client.authorizationCodeGrant(config, await authorize(new BrowserlessClient(t.url), url, person), checks);
    expect(tokens.claims()).toMatchObject({ sub: userId, aud: keyApp.clientId, nonce: checks.expectedNonce });
  });

  it('accepts a request object signed HS256 with the client secret', async () => {
    const config = await discover(issuerOf(), secretApp);
    const { params, checks } = await codeRequest();
    const request = await new SignJWT({ ...params, response_type: 'code', client_id: secretApp.clientId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(secretApp.clientId).setAudience(issuerOf()).setIssuedAt().setExpirationTime('5m').setJti(randomUUID())
      .sign(new TextEncoder().encode(secretApp.clientSecret!));
    const url = new URL(config.serverMetadata().authorization_endpoint!);
    url.search = new URLSearchParams({ client_id: secretApp.clientId, request }).toString();
    const tokens = await client.authorizationCodeGrant(config, await authorize(new BrowserlessClient(t.url), url, person), checks);
    expect(tokens.claims()).toMatchObject({ sub: userId, nonce: checks.expectedNonce });
  });

  it('takes the parameters from the signed request object, not from the query beside it', async () => {
    const config = await discover(issuerOf(), keyApp, client.PrivateKeyJwt({ key: keyPair.privateKey, kid: 'rp-key-1' }));
    const { params, checks } = await codeRequest();
    const url = await client.buildAuthorizationUrlWithJAR(config, params, { key: keyPair.privateKey, kid: 'rp-key-1' });
    // An attacker appends a redirect_uri of their own outside the signed object.
    url.searchParams.set('redirect_uri', 'https://attacker.example.test/steal');
    url.searchParams.set('state', 'forged');
    const callback = await authorize(new BrowserlessClient(t.url), url, person);
    expect(callback.origin).toBe('https://app.example.test');
    expect(callback.searchParams.get('state')).toBe(checks.expectedState);
  });
});

describe.each(servers)('pushed authorization requests (PAR) on the %s', (_name, issuerOf) => {
  it('pushes the request to /v1/par and continues with its request_uri', async () => {
    const config = await discover(issuerOf(), secretApp);
    expect(config.serverMetadata().pushed_authorization_request_endpoint).toBe(`${issuerOf()}${issuerOf() === t.url ? '/oauth2' : ''}/v1/par`);
    const { params, checks } = await codeRequest();
    const url = await client.buildAuthorizationUrlWithPAR(config, params);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const tokens = await client.authorizationCodeGrant(config, await authorize(new BrowserlessClient(t.url), url, person), checks);
    expect(tokens.claims()!.sub).toBe(userId);
  });

  it('issues a refresh token for offline_access pushed through PAR, as for a plain request', async () => {
    const config = await discover(issuerOf(), secretApp);
    const { params, checks } = await codeRequest({ scope: 'openid offline_access' });
    const url = await client.buildAuthorizationUrlWithPAR(config, params);
    const tokens = await client.authorizationCodeGrant(config, await authorize(new BrowserlessClient(t.url), url, person), checks);
    expect(tokens.scope?.split(' ')).toContain('offline_access');
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('pushes a signed request object for a private_key_jwt client', async () => {
    const config = await discover(issuerOf(), keyApp, client.PrivateKeyJwt({ key: keyPair.privateKey, kid: 'rp-key-1' }));
    const { params, checks } = await codeRequest();
    const jar = await client.buildAuthorizationUrlWithJAR(config, params, { key: keyPair.privateKey, kid: 'rp-key-1' });
    const url = await client.buildAuthorizationUrlWithPAR(config, jar.searchParams);
    const tokens = await client.authorizationCodeGrant(config, await authorize(new BrowserlessClient(t.url), url, person), checks);
    expect(tokens.claims()!.sub).toBe(userId);
  });

  it('uses a request_uri only once', async () => {
    const config = await discover(issuerOf(), secretApp);
    const { params } = await codeRequest();
    const url = await client.buildAuthorizationUrlWithPAR(config, params);
    const browser = new BrowserlessClient(t.url);
    await authorize(browser, url, person);
    const again = await visit(browser, url);
    const back = again.final.location ? new URL(again.final.location) : undefined;
    expect(back?.searchParams.get('code') ?? null).toBeNull();
  });

  it('an app with require_pushed_authorization_requests refuses a plain authorization request and accepts a pushed one', async () => {
    const config = await discover(issuerOf(), parOnlyApp);
    expect(config.serverMetadata().require_pushed_authorization_requests ?? false).toBe(false);
    const browser = new BrowserlessClient(t.url);
    const plain = await codeRequest();
    const refused = backToApp(browser, await visit(browser, client.buildAuthorizationUrl(config, plain.params), person));
    expect(refused.searchParams.get('code')).toBeNull();
    expect(refused.searchParams.get('error')).toBe('invalid_request');
    expect(refused.searchParams.get('error_description')).toMatch(/Pushed Authorization Request must be used/);

    const pushed = await codeRequest();
    const url = await client.buildAuthorizationUrlWithPAR(config, pushed.params);
    const tokens = await client.authorizationCodeGrant(config, await authorize(browser, url, person), pushed.checks);
    expect(tokens.claims()!.sub).toBe(userId);
  });
});

describe.each(servers)('JWT-secured authorization responses (JARM) on the %s', (_name, issuerOf) => {
  it.each(['jwt', 'query.jwt'])('response_mode=%s: the response is a JWT signed with the server\'s key', async (mode) => {
    const config = await discover(issuerOf(), secretApp);
    client.useJwtResponseMode(config);
    const { params, checks } = await codeRequest({ response_mode: mode });
    const callback = await authorize(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, params), person);
    expect(callback.searchParams.get('code')).toBeNull();
    const response = callback.searchParams.get('response')!;
    expect(response).toBeTruthy();
    const { payload, protectedHeader } = await jwtVerify(response, await serverKeys(config), { issuer: issuerOf(), audience: secretApp.clientId });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ state: checks.expectedState });
    expect(typeof payload.code).toBe('string');
    expect(payload.exp!).toBeGreaterThan(Date.now() / 1000);

    const tokens = await client.authorizationCodeGrant(config, callback, checks);
    expect(tokens.claims()!.sub).toBe(userId);
  });

  it('an error is a signed response too, and a tampered response does not verify', async () => {
    const config = await discover(issuerOf(), secretApp);
    const { params } = await codeRequest({ response_mode: 'query.jwt', scope: 'openid not-a-scope' });
    const callback = backToApp(new BrowserlessClient(t.url), await visit(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, params), person));
    const response = callback.searchParams.get('response')!;
    const { payload } = await jwtVerify(response, await serverKeys(config), { issuer: issuerOf(), audience: secretApp.clientId });
    expect(payload.error).toBe('invalid_scope');
    const [header, body, signature] = response.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(response), error: undefined, code: 'forged' })).toString('base64url')}.${signature}`;
    void body;
    await expect(jwtVerify(forged, await serverKeys(config), { issuer: issuerOf(), audience: secretApp.clientId })).rejects.toThrow();
  });
});

describe.each(servers)('DPoP-bound tokens on the %s', (_name, issuerOf) => {
  async function dpopFlow(app: TestApp, keys: { privateKey: CryptoKey; publicKey: CryptoKey }) {
    const config = await discover(issuerOf(), app);
    const DPoP = client.getDPoPHandle(config, keys);
    const { params, checks } = await codeRequest({ scope: 'openid profile email offline_access' });
    const callback = await authorize(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, params), person);
    const tokens = await client.authorizationCodeGrant(config, callback, checks, undefined, { DPoP });
    return { config, DPoP, tokens };
  }

  it('binds the access token to the key (cnf.jkt); userinfo answers only with a DPoP proof of that key', async () => {
    const keys = await client.randomDPoPKeyPair('ES256');
    const { config, DPoP, tokens } = await dpopFlow(secretApp, keys);
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const jkt = await calculateJwkThumbprint(await exportJWK(keys.publicKey));
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt });

    const info = await client.fetchUserInfo(config, tokens.access_token, userId, { DPoP });
    expect(info.sub).toBe(userId);

    // As a plain bearer token it is refused.
    const bearer = await fetch(config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(bearer.status).toBe(401);
    expect(bearer.headers.get('www-authenticate')).toMatch(/invalid_token|invalid_request/);
    // With the DPoP scheme but no proof, too.
    const noProof = await fetch(config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `DPoP ${tokens.access_token}` } });
    expect(noProof.status).toBe(400);

    // A proof made with another key does not match the token.
    const other = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const stolen = await failure(() => client.fetchUserInfo(config, tokens.access_token, userId, { DPoP: other }));
    expect(stolen.error).toBe('invalid_token');
  });

  it('refreshes with a proof of the same key and keeps the binding', async () => {
    const keys = await client.randomDPoPKeyPair('ES256');
    const { config, DPoP, tokens } = await dpopFlow(secretApp, keys);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP });
    expect(decodeJwt(refreshed.access_token).cnf).toEqual(decodeJwt(tokens.access_token).cnf);
    const introspected = await client.tokenIntrospection(config, refreshed.access_token);
    expect(introspected).toMatchObject({ active: true, token_type: 'DPoP' });
  });

  it('an app with dpop_bound_access_tokens refuses token requests without a DPoP proof', async () => {
    const config = await discover(issuerOf(), dpopOnlyApp);
    const { params, checks } = await codeRequest();
    const callback = await authorize(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, params), person);
    const refused = await failure(() => client.authorizationCodeGrant(config, callback, checks));
    expect(refused.error).toBe('invalid_grant');

    // The refusal was for the missing proof: the same code, sent with one, is accepted.
    const keys = await client.randomDPoPKeyPair('ES256');
    const DPoP = client.getDPoPHandle(config, keys);
    const tokens = await client.authorizationCodeGrant(config, callback, checks, undefined, { DPoP });
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: await calculateJwkThumbprint(await exportJWK(keys.publicKey)) });
    const bearer = await fetch(config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(bearer.status).toBe(401);
    expect((await client.fetchUserInfo(config, tokens.access_token, userId, { DPoP })).sub).toBe(userId);
  });
});
