/**
 * The token endpoint and signed requests under attack: wrong PKCE verifiers, replayed and expired
 * authorization codes, wrong secrets, unsigned (`alg: none`) request objects and client
 * assertions, HMAC "signatures" keyed with a client's public key (algorithm confusion), and
 * asymmetric assertions for a client that shares a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { createOidcApp, createUser, discover, type TestApp } from '../../helpers/oidc.ts';
import type { Clock } from '../../../src/kernel/clock.ts';
import {
  assertionType, authorize, basic, clientKeyPair, codeRequest, failure, firstOrg, person, postForm, redirectUri, unsignedJwt, visit,
} from './support.ts';

/** The system's time, moved forward on demand: Lanyard's clock for this file. */
class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

const clock = new ShiftedClock();
let t: TestLanyard;
let userId: string;
let app: TestApp;
let keyApp: TestApp;
let jwtSecretApp: TestApp;
let keyPair: Awaited<ReturnType<typeof clientKeyPair>>;

beforeAll(async () => {
  t = await startLanyard({ clock });
  userId = await createUser(t, person.username, person.password);
  keyPair = await clientKeyPair('rp-key-1');
  app = await createOidcApp(t, { label: 'Secret App', assign: [userId] });
  keyApp = await createOidcApp(t, {
    label: 'Key App', assign: [userId],
    credentials: { token_endpoint_auth_method: 'private_key_jwt' },
    settings: { jwks: { keys: [keyPair.publicJwk] } },
  });
  jwtSecretApp = await createOidcApp(t, { label: 'Secret JWT App', assign: [userId], credentials: { token_endpoint_auth_method: 'client_secret_jwt' } });
});
afterAll(async () => t?.close());

const servers = [
  ['org authorization server', () => t.url, 'org'],
  ['default custom authorization server', () => `${t.url}/oauth2/default`, 'default'],
] as const;

/** A code for `app` (signed in through the browser) and the checks that go with it. */
async function freshCode(config: client.Configuration, extra: Record<string, string> = {}) {
  const { params, checks } = await codeRequest(extra);
  const callback = await authorize(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, params), person);
  return { callback, checks, code: callback.searchParams.get('code')! };
}

/** A client assertion with the claims the engine checks, signed as the caller says. */
function assertionClaims(clientId: string, audience: string) {
  return new SignJWT({}).setIssuer(clientId).setSubject(clientId).setAudience(audience).setIssuedAt().setExpirationTime('2m').setJti(randomUUID());
}

describe.each(servers)('authorization codes on the %s', (_name, issuerOf, asId) => {
  it('refuses a wrong PKCE verifier with invalid_grant', async () => {
    const config = await discover(issuerOf(), app);
    const { callback, checks } = await freshCode(config);
    const refused = await failure(() => client.authorizationCodeGrant(config, callback, { ...checks, pkceCodeVerifier: client.randomPKCECodeVerifier() }));
    expect(refused.error).toBe('invalid_grant');
    expect(refused.status).toBe(400);
  });

  it('refuses a code sent without the verifier its challenge asked for', async () => {
    const config = await discover(issuerOf(), app);
    const { code } = await freshCode(config);
    const res = await postForm(config.serverMetadata().token_endpoint!, { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
      basic(app.clientId, app.clientSecret!));
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_grant');
  });

  it('refuses a replayed code and revokes the tokens its first use issued', async () => {
    const config = await discover(issuerOf(), app);
    const { callback, checks } = await freshCode(config, { scope: 'openid profile offline_access' });
    const first = await client.authorizationCodeGrant(config, callback, checks);
    expect((await client.tokenIntrospection(config, first.access_token)).active).toBe(true);
    expect((await client.tokenIntrospection(config, first.refresh_token!)).active).toBe(true);

    const replay = await failure(() => client.authorizationCodeGrant(config, callback, checks));
    expect(replay.error).toBe('invalid_grant');

    expect((await client.tokenIntrospection(config, first.access_token)).active).toBe(false);
    expect((await client.tokenIntrospection(config, first.refresh_token!)).active).toBe(false);
    expect((await failure(() => client.refreshTokenGrant(config, first.refresh_token!))).error).toBe('invalid_grant');
    const userinfo = await fetch(config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${first.access_token}` } });
    expect(userinfo.status).toBe(401);
  });

  it('refuses a code sent by another client', async () => {
    const config = await discover(issuerOf(), app);
    const { code, checks } = await freshCode(config);
    const other = await createOidcApp(t, { label: 'Other App', assign: [userId] });
    const res = await postForm(config.serverMetadata().token_endpoint!, {
      grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: checks.pkceCodeVerifier,
    }, basic(other.clientId, other.clientSecret!));
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_grant');
  });

  it('stores a code for 300 seconds and refuses it once they have passed', async () => {
    const config = await discover(issuerOf(), app);
    const { callback, checks, code } = await freshCode(config);
    const org = await firstOrg(t);
    const stored = await t.lanyard.store.forOrg(org.id).oidcPayloads.find(asId, 'AuthorizationCode', code);
    expect(stored).toBeDefined();
    const payload = stored!.payload as { iat: number; exp: number };
    expect(payload.exp - payload.iat).toBe(300);
    expect(Math.abs(Date.parse(stored!.expiresAt!) - (clock.now().getTime() + 300_000))).toBeLessThan(5_000);

    clock.offsetMs += 301_000;
    try {
      const refused = await failure(() => client.authorizationCodeGrant(config, callback, checks));
      expect(refused.error).toBe('invalid_grant');
    } finally {
      clock.offsetMs -= 301_000;
    }
  });

  it('accepts a code 290 seconds old (control for the expiry above)', async () => {
    const config = await discover(issuerOf(), app);
    const { callback, checks } = await freshCode(config);
    clock.offsetMs += 290_000;
    try {
      const tokens = await client.authorizationCodeGrant(config, callback, checks);
      expect(tokens.claims()!.sub).toBe(userId);
    } finally {
      clock.offsetMs -= 290_000;
    }
  });
});

describe.each(servers)('client authentication on the %s', (_name, issuerOf) => {
  /** A token request whose grant is junk: client authentication is judged first (401), the grant after (400). */
  async function tokenCall(auth: { form?: Record<string, string>; headers?: Record<string, string> }) {
    const config = await discover(issuerOf(), app);
    return postForm(config.serverMetadata().token_endpoint!, {
      grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: redirectUri, ...auth.form,
    }, auth.headers);
  }

  const tokenEndpoint = () => `${issuerOf()}${issuerOf() === t.url ? '/oauth2' : ''}/v1/token`;

  it('refuses a wrong client secret with invalid_client 401 (basic and post)', async () => {
    const wrong = `${app.clientSecret!.slice(0, -1)}${app.clientSecret!.endsWith('A') ? 'B' : 'A'}`;
    for (const auth of [{ headers: basic(app.clientId, wrong) }, { form: { client_id: app.clientId, client_secret: wrong } }]) {
      const res = await tokenCall(auth);
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('invalid_client');
    }
    // With the right secret the client is authenticated and only the junk code is refused.
    const right = await tokenCall({ headers: basic(app.clientId, app.clientSecret!) });
    expect(right.status).toBe(400);
    expect(right.json.error).toBe('invalid_grant');
  });

  it('accepts both active secrets during a rotation and refuses one once it is deactivated', async () => {
    const rotating = await createOidcApp(t, { label: `Rotating ${randomUUID()}`, assign: [userId] });
    const created = await api(t)(`/api/v1/apps/${rotating.id}/credentials/secrets`, { method: 'POST', json: {} });
    expect(created.status).toBe(201);
    const newSecret: string = created.json.client_secret;
    for (const secret of [rotating.clientSecret!, newSecret]) {
      const res = await tokenCall({ headers: basic(rotating.clientId, secret) });
      expect(res.json.error).toBe('invalid_grant');
    }
    const listed = await api(t)(`/api/v1/apps/${rotating.id}/credentials/secrets`);
    const old = (listed.json as { id: string }[]).find((s) => s.id !== created.json.id)!;
    expect((await api(t)(`/api/v1/apps/${rotating.id}/credentials/secrets/${old.id}/lifecycle/deactivate`, { method: 'POST' })).status).toBe(200);
    const refused = await tokenCall({ headers: basic(rotating.clientId, rotating.clientSecret!) });
    expect(refused.status).toBe(401);
    expect(refused.json.error).toBe('invalid_client');
    expect((await tokenCall({ headers: basic(rotating.clientId, newSecret) })).json.error).toBe('invalid_grant');
  });

  it('refuses an empty secret and a secret sent for a private_key_jwt client', async () => {
    const empty = await tokenCall({ headers: basic(app.clientId, '') });
    expect(empty.status).toBe(400);
    expect(empty.json.error).toBe('invalid_request');
    const res = await tokenCall({ headers: basic(keyApp.clientId, app.clientSecret!) });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('invalid_client');
  });

  it('accepts well-signed assertions (controls): RS256 for private_key_jwt, HS256 for client_secret_jwt', async () => {
    const rs = await assertionClaims(keyApp.clientId, tokenEndpoint()).setProtectedHeader({ alg: 'RS256', kid: 'rp-key-1' }).sign(keyPair.privateKey);
    const hs = await assertionClaims(jwtSecretApp.clientId, tokenEndpoint()).setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(jwtSecretApp.clientSecret!));
    for (const assertion of [rs, hs]) {
      const res = await tokenCall({ form: { client_assertion_type: assertionType, client_assertion: assertion } });
      expect(res.json.error).toBe('invalid_grant');
    }
  });

  it('refuses an unsigned (alg: none) client assertion', async () => {
    for (const app_ of [keyApp, jwtSecretApp]) {
      const assertion = unsignedJwt({
        iss: app_.clientId, sub: app_.clientId, aud: tokenEndpoint(), jti: randomUUID(),
        iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 120,
      });
      const res = await tokenCall({ form: { client_assertion_type: assertionType, client_assertion: assertion } });
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('invalid_client');
    }
  });

  it('refuses an HS256 client assertion keyed with the public key of a private_key_jwt client (PEM and JWK)', async () => {
    for (const key of [keyPair.publicPem, JSON.stringify(keyPair.publicJwk), keyPair.publicJwk.n!]) {
      const assertion = await assertionClaims(keyApp.clientId, tokenEndpoint()).setProtectedHeader({ alg: 'HS256', kid: 'rp-key-1' })
        .sign(new TextEncoder().encode(key));
      const res = await tokenCall({ form: { client_assertion_type: assertionType, client_assertion: assertion } });
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('invalid_client');
    }
  });

  it('refuses an RS256 client assertion for a client_secret_jwt client', async () => {
    const attacker = await generateKeyPair('RS256');
    for (const key of [attacker.privateKey, keyPair.privateKey]) {
      const assertion = await assertionClaims(jwtSecretApp.clientId, tokenEndpoint()).setProtectedHeader({ alg: 'RS256' }).sign(key);
      const res = await tokenCall({ form: { client_assertion_type: assertionType, client_assertion: assertion } });
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('invalid_client');
    }
  });

  it('refuses a replayed client assertion', async () => {
    const assertion = await assertionClaims(keyApp.clientId, tokenEndpoint()).setProtectedHeader({ alg: 'RS256', kid: 'rp-key-1' }).sign(keyPair.privateKey);
    expect((await tokenCall({ form: { client_assertion_type: assertionType, client_assertion: assertion } })).json.error).toBe('invalid_grant');
    const again = await tokenCall({ form: { client_assertion_type: assertionType, client_assertion: assertion } });
    expect(again.status).toBe(401);
    expect(again.json.error).toBe('invalid_client');
  });
});

describe.each(servers)('request objects under attack on the %s', (_name, issuerOf) => {
  /** Sends a request object (with the redirect_uri also outside it, as some clients do) and returns where the browser stopped. */
  async function send(appOf: TestApp, request: string) {
    const config = await discover(issuerOf(), appOf);
    const url = new URL(config.serverMetadata().authorization_endpoint!);
    url.search = new URLSearchParams({ client_id: appOf.clientId, request, redirect_uri: redirectUri, response_type: 'code', scope: 'openid' }).toString();
    const browser = new BrowserlessClient(t.url);
    const nav = await visit(browser, url, person);
    const back = nav.final.location && new URL(nav.final.location).origin !== browser.origin ? new URL(nav.final.location) : undefined;
    return { nav, back };
  }

  async function requestClaims(appOf: TestApp) {
    const { params } = await codeRequest();
    return new SignJWT({ ...params, response_type: 'code', client_id: appOf.clientId })
      .setIssuer(appOf.clientId).setAudience(issuerOf()).setIssuedAt().setExpirationTime('5m').setJti(randomUUID());
  }

  function expectRefused({ nav, back }: Awaited<ReturnType<typeof send>>) {
    expect(back?.searchParams.get('code') ?? null).toBeNull();
    if (back) expect(back.searchParams.get('error')).toBe('invalid_request_object');
    else expect(nav.final.status).toBe(400);
  }

  it('refuses an unsigned (alg: none) request object', async () => {
    for (const appOf of [app, keyApp]) {
      const { params } = await codeRequest();
      const now = Math.floor(Date.now() / 1000);
      const request = unsignedJwt({ ...params, response_type: 'code', client_id: appOf.clientId, iss: appOf.clientId, aud: issuerOf(), iat: now, exp: now + 300, jti: randomUUID() });
      expectRefused(await send(appOf, request));
    }
  });

  it('refuses an HS256 request object keyed with the public key of a private_key_jwt client (PEM and JWK)', async () => {
    for (const key of [keyPair.publicPem, JSON.stringify(keyPair.publicJwk), keyPair.publicJwk.n!]) {
      const request = await (await requestClaims(keyApp)).setProtectedHeader({ alg: 'HS256', kid: 'rp-key-1' }).sign(new TextEncoder().encode(key));
      expectRefused(await send(keyApp, request));
    }
  });

  it('refuses a request object signed by a key the client did not register', async () => {
    const attacker = await generateKeyPair('RS256');
    const request = await (await requestClaims(keyApp)).setProtectedHeader({ alg: 'RS256', kid: 'rp-key-1' }).sign(attacker.privateKey);
    expectRefused(await send(keyApp, request));
  });

  it('refuses an HS256 request object keyed with another client\'s secret', async () => {
    const request = await (await requestClaims(app)).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(jwtSecretApp.clientSecret!));
    expectRefused(await send(app, request));
  });

  it('accepts the same request object when it is signed properly (control)', async () => {
    const request = await (await requestClaims(keyApp)).setProtectedHeader({ alg: 'RS256', kid: 'rp-key-1' }).sign(keyPair.privateKey);
    const { back } = await send(keyApp, request);
    expect(back?.searchParams.get('code')).toBeTruthy();
    void decodeJwt;
  });
});
