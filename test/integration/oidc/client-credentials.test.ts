/**
 * The client credentials grant on `default` (a custom scope, Okta's client access token), token
 * lifetimes from the default policy rule and from rules changed or added afterwards, and its
 * refusal on the org server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { createOidcApp, discover, type TestApp } from '../../helpers/oidc.ts';
import { addScope, failsWith, verifyWithServerKeys } from './support.ts';

let t: TestLanyard;
let service: TestApp;
let other: TestApp;
const issuer = () => `${t.url}/oauth2/default`;

function serviceApp(label: string, credentials: Record<string, unknown> = {}) {
  return createOidcApp(t, {
    label, credentials,
    settings: { application_type: 'service', grant_types: ['client_credentials'], response_types: undefined, redirect_uris: [], post_logout_redirect_uris: [] },
  });
}

beforeAll(async () => {
  t = await startLanyard();
  await addScope(t, { name: 'inventory:read' });
  await addScope(t, { name: 'inventory:write' });
  service = await serviceApp('Inventory sync');
  other = await serviceApp('Inventory reports', { token_endpoint_auth_method: 'client_secret_post' });
});
afterAll(async () => t?.close());

/** Okta's management API with the admin token. */
const call = () => api(t);

/** The default policy of `default` and its rule, as the management API shows them. */
async function defaultPolicyAndRule() {
  const policies = await call()('/api/v1/authorizationServers/default/policies');
  const policy = policies.json.find((p: { name: string }) => p.name === 'Default Policy');
  const rules = await call()(`/api/v1/authorizationServers/default/policies/${policy.id}/rules`);
  return { policy, rule: rules.json.find((r: { name: string }) => r.name === 'Default Policy Rule') };
}

async function put(path: string, json: unknown) {
  const response = await call()(path, { method: 'PUT', json });
  if (response.status !== 200) throw new Error(`PUT ${path}: ${response.status} ${response.text}`);
  return response.json;
}

async function post(path: string, json: unknown) {
  const response = await call()(path, { method: 'POST', json });
  if (response.status !== 200 && response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${response.text}`);
  return response.json;
}

describe('client credentials on the default server', () => {
  it('issues a client access token for a custom scope, living as long as the default rule says (1 hour)', async () => {
    const config = await discover(issuer(), service);
    const before = Math.floor(Date.now() / 1000);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'inventory:read' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.scope).toBe('inventory:read');
    expect(tokens.id_token).toBeUndefined();
    expect(tokens.refresh_token).toBeUndefined();
    const access = await verifyWithServerKeys(config, tokens.access_token, { audience: 'api://default' });
    expect(access).toMatchObject({ ver: 1, iss: issuer(), aud: 'api://default', cid: service.clientId, sub: service.clientId, scp: ['inventory:read'] });
    expect(access.uid).toBeUndefined();
    expect(access.exp! - access.iat!).toBe(3600);
    expect(access.iat).toBeGreaterThanOrEqual(before - 1);

    const introspected = await client.tokenIntrospection(config, tokens.access_token);
    expect(introspected).toMatchObject({ active: true, client_id: service.clientId, scope: 'inventory:read', token_type: 'Bearer' });
  });

  it('grants several custom scopes at once, with client_secret_post too', async () => {
    const config = await discover(issuer(), other, client.ClientSecretPost(other.clientSecret));
    const tokens = await client.clientCredentialsGrant(config, { scope: 'inventory:read inventory:write' });
    const access = await verifyWithServerKeys(config, tokens.access_token);
    expect(access.scp).toEqual(['inventory:read', 'inventory:write']);
    expect(access.cid).toBe(other.clientId);
  });

  it('takes the access token lifetime from the rule as changed later through the management API', async () => {
    const { policy, rule } = await defaultPolicyAndRule();
    expect(rule.actions.token).toMatchObject({ accessTokenLifetimeMinutes: 60 });
    const path = `/api/v1/authorizationServers/default/policies/${policy.id}/rules/${rule.id}`;
    await put(path, { ...rule, actions: { token: { ...rule.actions.token, accessTokenLifetimeMinutes: 15 } } });
    try {
      const tokens = await client.clientCredentialsGrant(await discover(issuer(), service), { scope: 'inventory:read' });
      expect(tokens.expires_in).toBe(900);
      const access = await verifyWithServerKeys(await discover(issuer(), service), tokens.access_token);
      expect(access.exp! - access.iat!).toBe(900);
    } finally {
      await put(path, rule);
    }
    expect((await client.clientCredentialsGrant(await discover(issuer(), service), { scope: 'inventory:read' })).expires_in).toBe(3600);
  });

  it('a policy for one client, ahead of the default one, decides that client\'s lifetime alone', async () => {
    const { policy: defaultPolicy } = await defaultPolicyAndRule();
    // The default policy moves to second place, the new one takes the first.
    await put(`/api/v1/authorizationServers/default/policies/${defaultPolicy.id}`, { ...defaultPolicy, priority: 2 });
    const reports = await post('/api/v1/authorizationServers/default/policies', {
      type: 'OAUTH_AUTHORIZATION_POLICY', name: 'Reports', description: 'Short tokens for reports', priority: 1, status: 'ACTIVE',
      conditions: { clients: { include: [other.clientId] } },
    });
    await post(`/api/v1/authorizationServers/default/policies/${reports.id}/rules`, {
      type: 'RESOURCE_ACCESS', name: 'Reports rule', priority: 1,
      conditions: { people: { groups: { include: ['EVERYONE'] } }, grantTypes: { include: ['client_credentials'] }, scopes: { include: ['*'] } },
      actions: { token: { accessTokenLifetimeMinutes: 5, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
    });
    const short = await client.clientCredentialsGrant(await discover(issuer(), other, client.ClientSecretPost(other.clientSecret)), { scope: 'inventory:read' });
    expect(short.expires_in).toBe(300);
    const usual = await client.clientCredentialsGrant(await discover(issuer(), service), { scope: 'inventory:read' });
    expect(usual.expires_in).toBe(3600);
  });

  it('refuses a request without scopes (Okta: "No scopes were requested.") and an unknown scope', async () => {
    const config = await discover(issuer(), service);
    expect(await failsWith(() => client.clientCredentialsGrant(config))).toBe('invalid_scope');
    expect(await failsWith(() => client.clientCredentialsGrant(config, { scope: 'inventory:delete' }))).toBe('invalid_scope');
  });

  it('refuses a client without the grant with unauthorized_client', async () => {
    const web = await createOidcApp(t, { label: 'Web app' });
    const config = await discover(issuer(), web);
    const error = await client.clientCredentialsGrant(config, { scope: 'inventory:read' }).catch((e: unknown) => e) as { error?: string; error_description?: string };
    expect(error.error).toBe('unauthorized_client');
    expect(error.error_description).toBe('The client is not authorized to use the provided grant type. Configured grant types: [authorization_code, refresh_token].');
  });
});

describe('client credentials on the org server', () => {
  it('is refused: the org server has no custom scopes', async () => {
    const config = await discover(t.url, service);
    const code = await failsWith(() => client.clientCredentialsGrant(config, { scope: 'inventory:read' }));
    expect(['invalid_scope', 'access_denied']).toContain(code);
  });
});
