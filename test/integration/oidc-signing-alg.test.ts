/**
 * A custom authorization server created with ES256 signs ID tokens and access tokens with its
 * P-256 key, publishes it, and keeps signing with ES256 after a rotation; the default server
 * stays on RS256.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { BrowserlessClient } from '../helpers/browserless.ts';
import { codeFlow, createOidcApp, createUser, discover, type TestApp } from '../helpers/oidc.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let app: TestApp;
let serverId: string;
const person = { username: 'es256.user@example.com', password: 'Quiet-Lantern-Seven-7' };

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
  const userId = await createUser(t, person.username, person.password);
  app = await createOidcApp(t, { assign: [userId] });
  const created = await call('/api/v1/authorizationServers', {
    method: 'POST',
    json: { name: 'Elliptic', description: 'ES256 server', audiences: ['api://elliptic'], credentials: { signing: { alg: 'ES256' } } },
  });
  expect(created.status).toBe(201);
  serverId = created.json.id;
  expect(created.json.credentials.signing).toMatchObject({ rotationMode: 'AUTO' });
  // A policy for the app, so it may get tokens from this server.
  const policy = await call(`/api/v1/authorizationServers/${serverId}/policies`, {
    method: 'POST',
    json: { type: 'OAUTH_AUTHORIZATION_POLICY', name: 'All', description: 'all clients', priority: 1, conditions: { clients: { include: ['ALL_CLIENTS'] } } },
  });
  expect(policy.status).toBe(201);
  const rule = await call(`/api/v1/authorizationServers/${serverId}/policies/${policy.json.id}/rules`, {
    method: 'POST',
    json: {
      type: 'RESOURCE_ACCESS', name: 'Everyone', priority: 1,
      conditions: { people: { groups: { include: ['EVERYONE'] } }, grantTypes: { include: ['authorization_code'] }, scopes: { include: ['*'] } },
      actions: { token: { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
    },
  });
  expect(rule.status).toBe(201);
});
afterAll(async () => t?.close());

async function signIn(issuer: string) {
  const config = await discover(issuer, app);
  const tokens = await codeFlow(config, new BrowserlessClient(t.url), person, 'openid email');
  return { config, tokens };
}

describe('the signing algorithm of a custom authorization server', () => {
  it('ES256: ID and access tokens signed with a published P-256 key, also after a rotation', async () => {
    const issuer = `${t.url}/oauth2/${serverId}`;
    const { config, tokens } = await signIn(issuer);
    expect(config.serverMetadata().id_token_signing_alg_values_supported).toContain('ES256');
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('ES256');
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('ES256');
    const jwks = createRemoteJWKSet(new URL(`${issuer}/v1/keys`));
    const verified = await jwtVerify(tokens.access_token, jwks, { issuer, audience: 'api://elliptic' });
    expect(verified.protectedHeader.alg).toBe('ES256');
    const keys = (await (await fetch(`${issuer}/v1/keys`)).json()) as { keys: { kty: string; crv?: string; alg: string }[] };
    expect(keys.keys.every((k) => k.kty === 'EC' && k.crv === 'P-256' && k.alg === 'ES256')).toBe(true);

    const rotated = await call(`/api/v1/authorizationServers/${serverId}/credentials/lifecycle/keyRotate`, { method: 'POST', json: { use: 'sig' } });
    expect(rotated.status).toBe(200);
    const after = await signIn(issuer);
    expect(decodeProtectedHeader(after.tokens.id_token!).alg).toBe('ES256');
    expect(decodeProtectedHeader(after.tokens.id_token!).kid).not.toBe(decodeProtectedHeader(tokens.id_token!).kid);
    await expect(client.fetchUserInfo(after.config, after.tokens.access_token, client.skipSubjectCheck)).resolves.toHaveProperty('email', person.username);
  });

  it('the default server signs with RS256', async () => {
    const { tokens } = await signIn(`${t.url}/oauth2/default`);
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('RS256');
  });
});
