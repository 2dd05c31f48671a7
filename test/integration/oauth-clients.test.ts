/**
 * Okta's Dynamic Client Registration API (`/oauth2/v1/clients`): clients registered with
 * openid-client and plain HTTP, read, listed, replaced, given a new secret and removed, with the
 * token endpoint showing what each change means; refused metadata in RFC 7591's error shape; and
 * the client and the OIDC app as two views of one record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { decodeJwt, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { BrowserlessClient } from '../helpers/browserless.ts';
import { codeFlow, createOidcApp, createUser, redirectUri } from '../helpers/oidc.ts';
import { createOrgWithAdmin, type TestOrg } from '../helpers/orgs.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let userId: string;
let privateKey: CryptoKey;
let publicJwk: JWK;
const person = { username: 'dcr.user@example.com', password: 'Quiet-Lantern-Seven-7' };
const scope = 'inventory:read';

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
  userId = await createUser(t, person.username, person.password);
  const created = await call('/api/v1/authorizationServers/default/scopes', { method: 'POST', json: { name: scope } });
  if (created.status !== 200 && created.status !== 201) throw new Error(`scope not created: ${created.status} ${created.text}`);
  const keys = await generateKeyPair('RS256', { extractable: true });
  privateKey = keys.privateKey;
  publicJwk = { ...await exportJWK(keys.publicKey), kid: 'service-key-1', alg: 'RS256', use: 'sig' };
});
afterAll(async () => t?.close());

/**
 * openid-client sends the initial access token as `Bearer`; Okta's registration endpoint takes the
 * API token as `SSWS`. Its documented fetch hook rewrites that one header, nothing else.
 */
const sswsFetch: client.CustomFetch = (url, options) => {
  const headers = { ...options.headers };
  const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '');
  if (bearer) headers.authorization = `SSWS ${bearer[1]}`;
  return fetch(url, { ...options, headers });
};

async function register(metadata: Record<string, unknown>) {
  return call('/oauth2/v1/clients', { method: 'POST', json: metadata });
}

async function registered(metadata: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await register(metadata);
  if (res.status !== 201) throw new Error(`client not registered: ${res.status} ${res.text}`);
  return res.json;
}

/** A client-credentials request at the `default` server, authenticating the way the client registered. */
async function clientCredentials(clientId: string, secret: string, method: 'client_secret_basic' | 'client_secret_post') {
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (method === 'client_secret_basic') {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  } else {
    body.set('client_id', clientId);
    body.set('client_secret', secret);
  }
  const res = await fetch(`${t.url}/oauth2/default/v1/token`, { method: 'POST', headers, body });
  return { status: res.status, json: await res.json() as Record<string, any> };
}

const webMetadata = {
  client_name: 'Inventory Web',
  client_uri: 'https://inventory.example.test',
  logo_uri: 'https://inventory.example.test/logo.png',
  application_type: 'web',
  redirect_uris: [redirectUri],
  post_logout_redirect_uris: ['https://inventory.example.test/signed-out'],
  response_types: ['code'],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  token_endpoint_auth_method: 'client_secret_post',
  initiate_login_uri: 'https://inventory.example.test/login',
};

describe('a confidential web client', () => {
  let config: client.Configuration;
  let clientId: string;
  let secret: string;

  beforeAll(async () => {
    config = await client.dynamicClientRegistration(new URL(`${t.url}/oauth2/default`), webMetadata, undefined, {
      initialAccessToken: t.token, [client.customFetch]: sswsFetch, execute: [client.allowInsecureRequests],
    });
    clientId = config.clientMetadata().client_id;
    secret = config.clientMetadata().client_secret as string;
  });

  it('is registered through the endpoint discovery names, with Okta\'s read-only fields', async () => {
    expect(config.serverMetadata().registration_endpoint).toBe(`${t.url}/oauth2/v1/clients`);
    const metadata = config.clientMetadata();
    const now = Math.floor(Date.now() / 1000);
    expect(clientId).toMatch(/^0oa[A-Za-z0-9]{17}$/);
    expect(secret.length).toBeGreaterThanOrEqual(40);
    expect(metadata.client_id_issued_at).toBeGreaterThanOrEqual(now - 60);
    expect(metadata.client_id_issued_at).toBeLessThanOrEqual(now + 1);
    expect(metadata).toMatchObject({
      client_secret_expires_at: 0, client_name: 'Inventory Web', client_uri: webMetadata.client_uri, logo_uri: webMetadata.logo_uri,
      application_type: 'web', redirect_uris: [redirectUri], post_logout_redirect_uris: webMetadata.post_logout_redirect_uris,
      response_types: ['code'], grant_types: webMetadata.grant_types, token_endpoint_auth_method: 'client_secret_post',
      initiate_login_uri: webMetadata.initiate_login_uri,
    });

    // Reading it back never shows the secret.
    const read = await call(`/oauth2/v1/clients/${clientId}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toMatch(/^application\/json/);
    expect(read.headers.get('x-rate-limit-limit')).toMatch(/^\d+$/);
    const { client_secret: _secret, ...withoutSecret } = metadata as Record<string, unknown>;
    expect(read.json).toEqual({ ...withoutSecret });
    expect(read.json.client_secret).toBeUndefined();
  });

  it('is an OPENID_CONNECT app in /api/v1/apps, which asks for consent as Okta\'s registered clients do', async () => {
    const app = await call(`/api/v1/apps/${clientId}`);
    expect(app.status).toBe(200);
    expect(app.json).toMatchObject({
      id: clientId, name: 'oidc_client', label: 'Inventory Web', status: 'ACTIVE', signOnMode: 'OPENID_CONNECT',
      credentials: { oauthClient: { client_id: clientId, token_endpoint_auth_method: 'client_secret_post' } },
      settings: { oauthClient: { redirect_uris: [redirectUri], application_type: 'web', consent_method: 'REQUIRED', grant_types: webMetadata.grant_types } },
    });
    const list = await call('/api/v1/apps?q=Inventory%20Web');
    expect(list.json.map((a: { id: string }) => a.id)).toContain(clientId);
  });

  it('signs a user in with openid-client once the user is assigned through the Apps API', async () => {
    const assigned = await call(`/api/v1/apps/${clientId}/users`, { method: 'POST', json: { id: userId } });
    expect(assigned.status).toBe(200);
    const tokens = await codeFlow(config, new BrowserlessClient(t.url), person, 'openid profile email');
    expect(tokens.claims()).toMatchObject({ aud: clientId, sub: userId, iss: `${t.url}/oauth2/default` });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ cid: clientId, uid: userId });
  });

  it('gets client-credentials tokens with its secret (openid-client and plain HTTP)', async () => {
    const tokens = await client.clientCredentialsGrant(config, { scope });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ cid: clientId, sub: clientId, scp: [scope], aud: 'api://default' });
    expect((await clientCredentials(clientId, secret, 'client_secret_post')).status).toBe(200);
    expect((await clientCredentials(clientId, 'not-the-secret-not-the-secret-not-the-secret', 'client_secret_post')).json.error).toBe('invalid_client');
  });

  it('PUT replaces the metadata as a whole, keeps the secret and the app\'s own settings', async () => {
    const replaced = await call(`/oauth2/v1/clients/${clientId}`, {
      method: 'PUT',
      json: {
        client_id: clientId, client_name: 'Inventory Web v2', application_type: 'web',
        redirect_uris: [redirectUri, 'https://inventory.example.test/callback2'],
        response_types: ['code'], grant_types: ['authorization_code', 'client_credentials'], token_endpoint_auth_method: 'client_secret_post',
      },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('cache-control')).toBe('no-store');
    expect(replaced.json).toMatchObject({
      client_id: clientId, client_secret: secret, client_secret_expires_at: 0, client_name: 'Inventory Web v2',
      redirect_uris: [redirectUri, 'https://inventory.example.test/callback2'], grant_types: ['authorization_code', 'client_credentials'],
      // Left out of the PUT, so gone.
      client_uri: null, logo_uri: null,
    });
    expect(replaced.json.post_logout_redirect_uris).toBeUndefined();
    expect(replaced.json.initiate_login_uri).toBeUndefined();

    const read = await call(`/oauth2/v1/clients/${clientId}`);
    expect(read.json).toMatchObject({ client_name: 'Inventory Web v2', client_uri: null, grant_types: ['authorization_code', 'client_credentials'] });
    const app = await call(`/api/v1/apps/${clientId}`);
    expect(app.json.label).toBe('Inventory Web v2');
    expect(app.json.settings.oauthClient.consent_method).toBe('REQUIRED');
    expect(app.json.settings.oauthClient.client_uri).toBeUndefined();
    expect((await clientCredentials(clientId, secret, 'client_secret_post')).status).toBe(200);

    // The application type is fixed at registration; the issued-at fields are the server's.
    const { client_id_issued_at: _issued, client_secret_expires_at: _expires, ...writable } = read.json;
    const retyped = await call(`/oauth2/v1/clients/${clientId}`, { method: 'PUT', json: { ...writable, application_type: 'native' } });
    expect(retyped.status).toBe(400);
    expect(retyped.json).toEqual({ error: 'invalid_client_metadata', error_description: expect.stringMatching(/^application_type: /) });
    const echoed = await call(`/oauth2/v1/clients/${clientId}`, { method: 'PUT', json: read.json });
    expect(echoed.status).toBe(400);
    expect(echoed.json.error_description).toBe('client_id_issued_at: The field is read-only and cannot be set; client_secret_expires_at: The field is read-only and cannot be set');
    // The metadata as read, without the server's fields, is a valid replacement.
    expect((await call(`/oauth2/v1/clients/${clientId}`, { method: 'PUT', json: writable })).status).toBe(200);
    const blank = await call(`/oauth2/v1/clients/${clientId}`, { method: 'PUT', json: { redirect_uris: [redirectUri] } });
    expect(blank.status).toBe(400);
    expect(blank.json).toEqual({ error: 'invalid_client_metadata', error_description: 'client_name: The field cannot be left blank' });
    expect((await call(`/oauth2/v1/clients/${clientId}`)).json.client_name).toBe('Inventory Web v2');
  });

  it('newSecret replaces the secret: the old one is refused at the token endpoint, the new one accepted', async () => {
    const rotated = await call(`/oauth2/v1/clients/${clientId}/lifecycle/newSecret`, { method: 'POST' });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    const fresh = rotated.json.client_secret as string;
    expect(fresh).toEqual(expect.any(String));
    expect(fresh).not.toBe(secret);
    expect(rotated.json).toMatchObject({ client_id: clientId, client_name: 'Inventory Web v2', client_secret_expires_at: 0 });

    const old = await clientCredentials(clientId, secret, 'client_secret_post');
    expect(old.status).toBe(401);
    expect(old.json.error).toBe('invalid_client');
    const now = await clientCredentials(clientId, fresh, 'client_secret_post');
    expect(now.status).toBe(200);
    expect(decodeJwt(now.json.access_token)).toMatchObject({ cid: clientId, scp: [scope] });

    // The Apps API sees the same single secret; rotating again still leaves exactly one.
    const secrets = await call(`/api/v1/apps/${clientId}/credentials/secrets`);
    expect(secrets.json.map((s: { client_secret: string; status: string }) => [s.client_secret, s.status])).toEqual([[fresh, 'ACTIVE']]);
    const added = await call(`/api/v1/apps/${clientId}/credentials/secrets`, { method: 'POST', json: {} });
    expect(added.status).toBe(201);
    const again = await call(`/oauth2/v1/clients/${clientId}/lifecycle/newSecret`, { method: 'POST' });
    expect(again.status).toBe(200);
    for (const refused of [fresh, added.json.client_secret as string]) {
      expect((await clientCredentials(clientId, refused, 'client_secret_post')).status).toBe(401);
    }
    expect((await clientCredentials(clientId, again.json.client_secret, 'client_secret_post')).status).toBe(200);
    expect((await call(`/api/v1/apps/${clientId}/credentials/secrets`)).json).toHaveLength(1);
    secret = again.json.client_secret;
  });

  it('DELETE removes the client and its app: 404 afterwards, and no more tokens', async () => {
    expect((await clientCredentials(clientId, secret, 'client_secret_post')).status).toBe(200);
    const removed = await call(`/oauth2/v1/clients/${clientId}`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');

    const gone = await call(`/oauth2/v1/clients/${clientId}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({
      errorCode: 'E0000007', errorSummary: `Not found: Resource not found: ${clientId} (PublicClientApp)`, errorLink: 'E0000007',
      errorId: expect.stringMatching(/^oae/), errorCauses: [],
    });
    expect((await call(`/api/v1/apps/${clientId}`)).status).toBe(404);
    expect((await call(`/oauth2/v1/clients/${clientId}`, { method: 'DELETE' })).status).toBe(404);
    expect((await call(`/oauth2/v1/clients/${clientId}/lifecycle/newSecret`, { method: 'POST' })).status).toBe(404);
    expect((await call(`/oauth2/v1/clients/${clientId}`, { method: 'PUT', json: webMetadata })).status).toBe(404);
    const refused = await clientCredentials(clientId, secret, 'client_secret_post');
    expect(refused.status).toBe(401);
    expect(refused.json.error).toBe('invalid_client');
  });
});

describe('public and key-based clients', () => {
  it('a browser client is public: no secret, PKCE code flow with openid-client', async () => {
    const spa = await registered({ client_name: 'Inventory SPA', application_type: 'browser', redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' });
    expect(spa).toMatchObject({
      client_name: 'Inventory SPA', application_type: 'browser', token_endpoint_auth_method: 'none',
      response_types: ['code'], grant_types: ['authorization_code'], redirect_uris: [redirectUri], client_uri: null, logo_uri: null,
    });
    // Okta shows no secret and no secret expiry for a public client.
    expect('client_secret' in spa).toBe(false);
    expect('client_secret_expires_at' in spa).toBe(false);
    expect((await call(`/api/v1/apps/${spa.client_id}`)).json.credentials.oauthClient).toMatchObject({ token_endpoint_auth_method: 'none', pkce_required: true });
    expect((await call(`/oauth2/v1/clients/${spa.client_id}/lifecycle/newSecret`, { method: 'POST' })).json.error).toBe('invalid_client_metadata');

    await call(`/api/v1/apps/${spa.client_id}/users`, { method: 'POST', json: { id: userId } });
    const config = await client.discovery(new URL(`${t.url}/oauth2/default`), spa.client_id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const tokens = await codeFlow(config, new BrowserlessClient(t.url), person, 'openid profile');
    expect(tokens.claims()).toMatchObject({ aud: spa.client_id, sub: userId });
  });

  it('a native client defaults to a public client with a custom-scheme redirect', async () => {
    const native = await registered({ client_name: 'Inventory Mobile', application_type: 'native', redirect_uris: ['com.example.inventory:/callback'] });
    expect(native).toMatchObject({ application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['com.example.inventory:/callback'] });
    expect(native.client_secret).toBeUndefined();
  });

  it('a service client with private_key_jwt and a jwks gets client-credentials tokens by signing an assertion', async () => {
    const service = await registered({
      client_name: 'Inventory Service', application_type: 'service', response_types: ['token'], grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk] },
    });
    expect(service).toMatchObject({
      client_name: 'Inventory Service', application_type: 'service', redirect_uris: [], response_types: ['token'],
      grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', client_uri: null, logo_uri: null,
      jwks: { keys: [expect.objectContaining({ kid: 'service-key-1', kty: 'RSA', n: publicJwk.n, e: publicJwk.e })] },
    });
    expect('client_secret' in service).toBe(false);
    expect('client_secret_expires_at' in service).toBe(false);

    const config = await client.discovery(new URL(`${t.url}/oauth2/default`), service.client_id, undefined,
      client.PrivateKeyJwt({ key: privateKey, kid: 'service-key-1' }), { execute: [client.allowInsecureRequests] });
    const tokens = await client.clientCredentialsGrant(config, { scope });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ cid: service.client_id, sub: service.client_id, scp: [scope] });

    // Another key signs nothing this client accepts.
    const stranger = await generateKeyPair('RS256');
    const wrong = await client.discovery(new URL(`${t.url}/oauth2/default`), service.client_id, undefined,
      client.PrivateKeyJwt({ key: stranger.privateKey, kid: 'service-key-1' }), { execute: [client.allowInsecureRequests] });
    await expect(client.clientCredentialsGrant(wrong, { scope })).rejects.toMatchObject({ error: 'invalid_client' });

    const newSecret = await call(`/oauth2/v1/clients/${service.client_id}/lifecycle/newSecret`, { method: 'POST' });
    expect(newSecret.status).toBe(400);
    expect(newSecret.json).toEqual({ error: 'invalid_client_metadata', error_description: expect.stringMatching(/^token_endpoint_auth_method: /) });
  });
});

describe('listing', () => {
  it('lists OIDC apps made either way, by client_name prefix, paged with Link headers', async () => {
    const made: string[] = [];
    for (const name of ['Paging Alpha', 'Paging Beta']) made.push((await registered({ client_name: name, redirect_uris: [redirectUri] })).client_id);
    // An app made with the Apps API is a client too; a bookmark app is not.
    const fromApps = await createOidcApp(t, { label: 'Paging Gamma' });
    made.push(fromApps.clientId);
    const bookmark = await call('/api/v1/apps', { method: 'POST', json: { label: 'Paging Bookmark', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://bookmark.example.test' } } } });
    expect(bookmark.status).toBe(200);

    const seen: Record<string, any>[] = [];
    let next: string | undefined = '/oauth2/v1/clients?q=paging&limit=2';
    let pages = 0;
    while (next) {
      const page = await call(next);
      expect(page.status).toBe(200);
      expect(page.json.length).toBeLessThanOrEqual(2);
      seen.push(...page.json);
      const links = page.headers.get('link')!;
      expect(links).toContain('rel="self"');
      const match = /<([^>]+)>; rel="next"/.exec(links);
      next = match ? new URL(match[1]!).pathname + new URL(match[1]!).search : undefined;
      pages += 1;
    }
    expect(pages).toBe(2);
    expect(seen.map((c) => c.client_id).sort()).toEqual([...made].sort());
    expect(seen.map((c) => c.client_name).sort()).toEqual(['Paging Alpha', 'Paging Beta', 'Paging Gamma']);
    expect(seen.every((c) => c.client_secret === undefined)).toBe(true);

    const gamma = await call(`/oauth2/v1/clients/${fromApps.clientId}`);
    expect(gamma.status).toBe(200);
    expect(gamma.json).toMatchObject({
      client_id: fromApps.clientId, client_name: 'Paging Gamma', application_type: 'web', token_endpoint_auth_method: 'client_secret_basic',
      client_secret_expires_at: 0, redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
    });
    expect((await call(`/oauth2/v1/clients/${bookmark.json.id}`)).status).toBe(404);

    const all = await call('/oauth2/v1/clients?limit=200');
    expect(all.json.length).toBeGreaterThanOrEqual(3);
    expect(all.json.some((c: { client_name: string }) => c.client_name === 'Paging Bookmark')).toBe(false);
    expect((await call('/oauth2/v1/clients?limit=0')).status).toBe(400);
  });

  it('finds an app whose client_id the Apps API chose by that client_id', async () => {
    const custom = await createOidcApp(t, {
      label: 'Custom Id', credentials: { client_id: 'inventory-custom-client' }, settings: { grant_types: ['authorization_code', 'client_credentials'] },
    });
    expect(custom.clientId).toBe('inventory-custom-client');
    const read = await call('/oauth2/v1/clients/inventory-custom-client');
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ client_id: 'inventory-custom-client', client_name: 'Custom Id' });
    // The app id is not the client id of that app.
    expect((await call(`/oauth2/v1/clients/${custom.id}`)).status).toBe(404);
    const rotated = await call('/oauth2/v1/clients/inventory-custom-client/lifecycle/newSecret', { method: 'POST' });
    expect(rotated.status).toBe(200);
    expect((await clientCredentialsBasic('inventory-custom-client', custom.clientSecret!)).status).toBe(401);
    expect((await clientCredentialsBasic('inventory-custom-client', rotated.json.client_secret)).status).toBe(200);

    // Deactivated, it is still found (and refused at the token endpoint).
    expect((await call(`/api/v1/apps/${custom.id}/lifecycle/deactivate`, { method: 'POST' })).status).toBe(200);
    expect((await call('/oauth2/v1/clients/inventory-custom-client')).status).toBe(200);
    expect((await clientCredentialsBasic('inventory-custom-client', rotated.json.client_secret)).status).toBe(401);
  });
});

/** Basic authentication at the token endpoint (for apps made with the Apps API's default method). */
function clientCredentialsBasic(clientId: string, secret: string) {
  return clientCredentials(clientId, secret, 'client_secret_basic');
}

describe('refused metadata answers 400 invalid_client_metadata naming the field', () => {
  it.each([
    ['a blank client_name', { client_name: '   ', redirect_uris: [redirectUri] }, /^client_name: The field cannot be left blank$/],
    ['no client_name', { redirect_uris: [redirectUri] }, /^client_name: The field cannot be left blank$/],
    ['a redirect URI with a fragment', { client_name: 'Fragment', redirect_uris: ['https://app.example.test/cb#frag'] }, /^redirect_uris: /],
    ['a browser app with a secret method', { client_name: 'Secret SPA', application_type: 'browser', redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_basic' }, /^token_endpoint_auth_method: /],
    ['an unknown grant type', { client_name: 'Magic', redirect_uris: [redirectUri], grant_types: ['authorization_code', 'urn:example:magic'] }, /^grant_types: /],
    ['an unknown application type', { client_name: 'Toaster', application_type: 'toaster', redirect_uris: [redirectUri] }, /^application_type: /],
    ['a web app without redirect URIs', { client_name: 'Nowhere' }, /^redirect_uris: /],
    ['a chosen client_id', { client_name: 'Chosen', client_id: 'my-own-id', redirect_uris: [redirectUri] }, /^client_id: /],
  ])('%s', async (_case, metadata, description) => {
    const res = await register(metadata);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json).toEqual({ error: 'invalid_client_metadata', error_description: expect.stringMatching(description) });
  });

  it('a client_name already in use, as Okta words it', async () => {
    await registered({ client_name: 'Twice', redirect_uris: [redirectUri] });
    const res = await register({ client_name: 'twice', redirect_uris: [redirectUri] });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: 'invalid_client_metadata', error_description: 'client_name: An object with this field already exists in the current organization' });
    const listed = await call('/oauth2/v1/clients?q=twice');
    expect(listed.json).toHaveLength(1);
  });

  it('nothing is created by a refused registration', async () => {
    const before = (await call('/api/v1/apps?limit=200')).json.length;
    expect((await register({ client_name: 'Refused', redirect_uris: ['not a uri'] })).status).toBe(400);
    expect((await call('/api/v1/apps?limit=200')).json.length).toBe(before);
  });
});

describe('authentication and tenancy', () => {
  it.each([
    ['no Authorization header', undefined],
    ['a Bearer token', 'Bearer some-access-token'],
    ['an unknown SSWS token', 'SSWS not-a-real-token-not-a-real-token'],
  ])('%s is refused with 401 E0000011 on every operation', async (_case, authorization) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization) headers.authorization = authorization;
    for (const [method, path, body] of [
      ['GET', '/oauth2/v1/clients', undefined], ['POST', '/oauth2/v1/clients', JSON.stringify({ client_name: '' })],
      ['GET', '/oauth2/v1/clients/0oaNoSuchClient00000', undefined], ['PUT', '/oauth2/v1/clients/0oaNoSuchClient00000', '{}'],
      ['DELETE', '/oauth2/v1/clients/0oaNoSuchClient00000', undefined], ['POST', '/oauth2/v1/clients/0oaNoSuchClient00000/lifecycle/newSecret', undefined],
    ] as const) {
      const res = await fetch(`${t.url}${path}`, { method, headers, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(await res.json()).toMatchObject({ errorCode: 'E0000011', errorSummary: 'Invalid token provided' });
    }
  });

  it('another org\'s client is not found, and that org\'s list does not show it', async () => {
    const other: TestOrg = await createOrgWithAdmin(t, 'globex', '127.0.0.1');
    const otherUrl = `http://127.0.0.1:${t.port}`;
    const asOther = api({ url: otherUrl, token: other.token });
    const ours = await registered({ client_name: 'Only Ours', redirect_uris: [redirectUri] });

    for (const [method, path] of [
      ['GET', `/oauth2/v1/clients/${ours.client_id}`], ['PUT', `/oauth2/v1/clients/${ours.client_id}`],
      ['DELETE', `/oauth2/v1/clients/${ours.client_id}`], ['POST', `/oauth2/v1/clients/${ours.client_id}/lifecycle/newSecret`],
    ] as const) {
      const res = await asOther(path, { method, ...(method === 'PUT' ? { json: { client_name: 'Taken Over', redirect_uris: [redirectUri] } } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json.errorCode).toBe('E0000007');
    }
    const theirs = await asOther('/oauth2/v1/clients', { method: 'POST', json: { client_name: 'Only Ours', redirect_uris: [redirectUri] } });
    expect(theirs.status).toBe(201);
    const list = await asOther('/oauth2/v1/clients?limit=200');
    expect(list.json.map((c: { client_id: string }) => c.client_id)).toEqual([theirs.json.client_id]);
    // Our token does not work at their host.
    expect((await api({ url: otherUrl, token: t.token })('/oauth2/v1/clients')).status).toBe(401);
    // And ours is untouched.
    expect((await call(`/oauth2/v1/clients/${ours.client_id}`)).json.client_name).toBe('Only Ours');
  });

  it('unknown paths and methods under /oauth2/v1/clients answer in Okta\'s JSON shape', async () => {
    const missing = await call('/oauth2/v1/clients/0oaNoSuchClient00000/lifecycle/nothing', { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(missing.json.errorCode).toBe('E0000008');
    const patch = await call('/oauth2/v1/clients/0oaNoSuchClient00000', { method: 'PATCH', json: {} });
    expect(patch.status).toBe(405);
    expect(patch.json.errorCode).toBe('E0000022');
  });
});
