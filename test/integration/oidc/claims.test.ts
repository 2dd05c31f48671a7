/**
 * The endpoints around the tokens, on the org server and `default`: userinfo, introspection (access,
 * refresh and client tokens, active and not, in Okta's fields), revocation, the discovery documents
 * (and `/oauth2/default/.well-known/oauth-authorization-server`) and the key sets at `{issuer}/v1/keys`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { codeFlow, createOidcApp, createUser, discover, type TestApp } from '../../helpers/oidc.ts';
import { addScope, failsWith, servers } from './support.ts';

let t: TestLanyard;
let userId: string;
let app: TestApp;
let otherApp: TestApp;
let service: TestApp;
const person = { username: 'claims.user@example.com', password: 'Quiet-Lantern-Seven-7' };

beforeAll(async () => {
  t = await startLanyard();
  userId = await createUser(t, person.username, person.password, {
    firstName: 'Katherine', lastName: 'Johnson', locale: 'en_US', mobilePhone: '+1 555 0100', city: 'Hampton', countryCode: 'US',
  });
  app = await createOidcApp(t, { label: 'Claims', assign: [userId] });
  otherApp = await createOidcApp(t, { label: 'Other', assign: [userId] });
  service = await createOidcApp(t, {
    label: 'Service', settings: { application_type: 'service', grant_types: ['client_credentials'], response_types: undefined },
  });
  await addScope(t, { name: 'reports:read' });
  await addScope(t, { name: 'published:read', metadataPublish: 'ALL_CLIENTS' });
});
afterAll(async () => t?.close());

/** A JSON document of the server (discovery metadata, error bodies). */
async function json(response: Response | Promise<Response>): Promise<Record<string, any>> {
  return (await response).json() as Promise<Record<string, any>>;
}

async function signIn(config: client.Configuration, scope = 'openid profile email address phone offline_access') {
  return codeFlow(config, new BrowserlessClient(t.url), person, scope);
}

describe.each(servers)('userinfo on the $name server', (server) => {
  it('answers the claims of the granted scopes, with sub the user id', async () => {
    const config = await discover(server.issuer(t), app);
    const tokens = await signIn(config);
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, userId);
    expect(userinfo).toMatchObject({
      sub: userId, name: 'Katherine Johnson', given_name: 'Katherine', family_name: 'Johnson', preferred_username: person.username,
      locale: 'en-US', email: person.username, email_verified: true, phone_number: '+1 555 0100',
      address: { locality: 'Hampton', country: 'US' },
    });
    expect(typeof userinfo.updated_at).toBe('number');
  });

  it('answers only sub (and Okta\'s claims) for openid alone, and 401 without a valid token', async () => {
    const config = await discover(server.issuer(t), app);
    const tokens = await signIn(config, 'openid');
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, userId);
    expect(userinfo.sub).toBe(userId);
    expect(userinfo.email).toBeUndefined();
    expect(userinfo.name).toBeUndefined();
    const refused = await fetch(config.serverMetadata().userinfo_endpoint!, { headers: { authorization: 'Bearer not-a-token' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^(Bearer|DPoP) .*error="invalid_token"/);
  });
});

describe.each(servers)('introspection on the $name server', (server) => {
  it('describes an active access token in Okta\'s fields', async () => {
    const config = await discover(server.issuer(t), app);
    const tokens = await signIn(config, 'openid profile offline_access');
    const payload = decodeJwt(tokens.access_token);
    const introspected = await client.tokenIntrospection(config, tokens.access_token);
    expect(introspected).toMatchObject({
      active: true, token_type: 'Bearer', scope: 'openid profile offline_access', client_id: app.clientId,
      username: person.username, sub: person.username, uid: userId, iss: server.issuer(t), aud: server.audience(t),
      exp: payload.exp, iat: payload.iat, jti: payload.jti,
    });
  });

  it('describes an active refresh token, with or without the hint', async () => {
    const config = await discover(server.issuer(t), app);
    const tokens = await signIn(config, 'openid offline_access');
    for (const hint of [undefined, 'refresh_token']) {
      const introspected = await client.tokenIntrospection(config, tokens.refresh_token!, hint ? { token_type_hint: hint } : undefined);
      expect(introspected).toMatchObject({
        active: true, token_type: 'Bearer', scope: 'openid offline_access', client_id: app.clientId,
        username: person.username, sub: person.username, iss: server.issuer(t),
      });
      expect(introspected.exp).toBeGreaterThan(Math.floor(Date.now() / 1000) + 86400);
    }
  });

  it('answers exactly { active: false } for unknown, foreign, ID and other clients\' tokens', async () => {
    const config = await discover(server.issuer(t), app);
    const tokens = await signIn(config, 'openid');
    const inactive = async (token: string, c = config) => expect(await client.tokenIntrospection(c, token)).toEqual({ active: false });
    await inactive('not-a-token');
    await inactive(tokens.id_token!);
    // A token of the other server.
    const otherServer = servers.find((s) => s.name !== server.name)!;
    await inactive((await signIn(await discover(otherServer.issuer(t), app), 'openid')).access_token);
    // A public client may introspect only its own tokens; a confidential one (as here) may introspect any of the server's.
    expect((await client.tokenIntrospection(await discover(server.issuer(t), otherApp), tokens.access_token)).active).toBe(true);
  });

  it('needs client authentication', async () => {
    const response = await fetch(`${server.issuer(t)}${server.name === 'org' ? '/oauth2' : ''}/v1/introspect`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=abc',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid_client', error_description: 'No client credentials found.' });
  });
});

describe.each(servers)('revocation on the $name server', (server) => {
  it('revokes an access token: introspection and userinfo refuse it, the refresh token lives on', async () => {
    const config = await discover(server.issuer(t), app);
    const tokens = await signIn(config, 'openid profile offline_access');
    await client.tokenRevocation(config, tokens.access_token);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await expect(client.fetchUserInfo(config, tokens.access_token, userId)).rejects.toThrow();
    expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(true);
  });

  it('revokes a refresh token, and the access tokens of its grant with it', async () => {
    const config = await discover(server.issuer(t), app);
    const tokens = await signIn(config, 'openid offline_access');
    await client.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(false);
    expect(await failsWith(() => client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  it('answers 200 for an unknown or already revoked token, and leaves other clients\' tokens alone', async () => {
    const config = await discover(server.issuer(t), app);
    const tokens = await signIn(config, 'openid');
    await client.tokenRevocation(config, 'not-a-token');
    await client.tokenRevocation(await discover(server.issuer(t), otherApp), tokens.access_token);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(true);
    await client.tokenRevocation(config, tokens.access_token);
    await client.tokenRevocation(config, tokens.access_token);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });
});

describe('client credentials tokens at introspection and revocation (default server)', () => {
  it('introspects as active with sub the client id, and revokes', async () => {
    const config = await discover(`${t.url}/oauth2/default`, service);
    const { access_token: token } = await client.clientCredentialsGrant(config, { scope: 'reports:read' });
    const introspected = await client.tokenIntrospection(config, token);
    expect(introspected).toMatchObject({ active: true, token_type: 'Bearer', client_id: service.clientId, sub: service.clientId, scope: 'reports:read' });
    expect(introspected.username).toBeUndefined();
    expect(introspected.uid).toBeUndefined();
    await client.tokenRevocation(config, token);
    expect(await client.tokenIntrospection(config, token)).toEqual({ active: false });
  });
});

describe.each(servers)('discovery and keys of the $name server', (server) => {
  const prefix = () => `${server.issuer(t)}${server.name === 'org' ? '/oauth2' : ''}/v1`;

  it('publishes Okta\'s endpoints and capabilities', async () => {
    const response = await fetch(`${server.issuer(t)}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = await json(response);
    expect(metadata).toMatchObject({
      issuer: server.issuer(t),
      authorization_endpoint: `${prefix()}/authorize`,
      token_endpoint: `${prefix()}/token`,
      userinfo_endpoint: `${prefix()}/userinfo`,
      jwks_uri: `${prefix()}/keys`,
      introspection_endpoint: `${prefix()}/introspect`,
      revocation_endpoint: `${prefix()}/revoke`,
      end_session_endpoint: `${prefix()}/logout`,
      device_authorization_endpoint: `${prefix()}/device/authorize`,
      registration_endpoint: `${t.url}/oauth2/v1/clients`,
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(metadata.response_types_supported).toEqual(expect.arrayContaining(['code', 'id_token', 'code id_token', 'code token', 'id_token token', 'code id_token token']));
    expect(metadata.response_modes_supported).toEqual(expect.arrayContaining(['query', 'fragment', 'form_post', 'okta_post_message']));
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'implicit', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']));
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none']);
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']));
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['sub', 'ver', 'idp', 'amr', 'auth_time', 'email', 'preferred_username']));
  });

  it('serves its public signing keys at {issuer}/v1/keys (the org server at /oauth2/v1/keys), and they verify its tokens', async () => {
    const response = await fetch(`${prefix()}/keys`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const { keys } = await response.json() as { keys: Record<string, unknown>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
      expect(typeof key.kid).toBe('string');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key[secret]).toBeUndefined();
    }
    const tokens = await signIn(await discover(server.issuer(t), app), 'openid');
    expect(keys.map((k) => k.kid)).toContain(decodeProtectedHeader(tokens.id_token!).kid);
    expect(keys.map((k) => k.kid)).toContain(decodeProtectedHeader(tokens.access_token).kid);
  });
});

describe('discovery specifics', () => {
  it('serves /oauth2/default/.well-known/oauth-authorization-server with the same issuer and endpoints', async () => {
    const oidc = await json(fetch(`${t.url}/oauth2/default/.well-known/openid-configuration`));
    const response = await fetch(`${t.url}/oauth2/default/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    const oauth = await json(response);
    expect(oauth).toMatchObject({
      issuer: `${t.url}/oauth2/default`, token_endpoint: oidc.token_endpoint, authorization_endpoint: oidc.authorization_endpoint,
      jwks_uri: `${t.url}/oauth2/default/v1/keys`, introspection_endpoint: oidc.introspection_endpoint, revocation_endpoint: oidc.revocation_endpoint,
    });
    expect(oauth.grant_types_supported).toContain('client_credentials');
  });

  it('the two servers sign with different keys', async () => {
    const org = await (await fetch(`${t.url}/oauth2/v1/keys`)).json() as { keys: { kid: string }[] };
    const custom = await (await fetch(`${t.url}/oauth2/default/v1/keys`)).json() as { keys: { kid: string }[] };
    expect(org.keys.map((k) => k.kid)).not.toEqual(expect.arrayContaining(custom.keys.map((k) => k.kid)));
  });

  it('lists the org server\'s groups scope, and on default only the custom scopes published to all clients', async () => {
    const org = await json(fetch(`${t.url}/.well-known/openid-configuration`));
    expect(org.scopes_supported).toContain('groups');
    const custom = await json(fetch(`${t.url}/oauth2/default/.well-known/openid-configuration`));
    expect(custom.scopes_supported).toContain('published:read');
    expect(custom.scopes_supported).not.toContain('reports:read');
    expect(custom.scopes_supported).not.toContain('groups');
  });

  it('answers 404 for a server that does not exist', async () => {
    const response = await fetch(`${t.url}/oauth2/ausNoSuchServer123/.well-known/openid-configuration`);
    expect(response.status).toBe(404);
    expect((await json(response)).errorCode).toBe('E0000007');
  });
});
