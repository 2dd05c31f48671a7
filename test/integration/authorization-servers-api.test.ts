/**
 * The Authorization Servers API through Okta's own Node SDK (plain fetch where the SDK has no call
 * or hides the wire): servers, signing keys and their rotation, scopes, claims, access policies and
 * rules, lifecycle, discovery of a custom server, and the wall between orgs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, collect, oktaClient, oktaError, type OktaClient } from '../helpers/okta.ts';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { createOrgWithAdmin, type TestOrg } from '../helpers/orgs.ts';

let t: TestLanyard;
let client: OktaClient;
let call: ReturnType<typeof api>;
let b: TestOrg;
let urlB: string;
let clientB: OktaClient;
let callB: ReturnType<typeof api>;

beforeAll(async () => {
  t = await startLanyard();
  client = adminClient(t);
  call = api(t);
  b = await createOrgWithAdmin(t, 'globex', '127.0.0.1');
  urlB = `http://127.0.0.1:${t.port}`;
  clientB = oktaClient(urlB, b.token);
  callB = api({ url: urlB, token: b.token });
});
afterAll(async () => t?.close());

const servers = () => client.authorizationServerApi;
let serial = 0;

async function newServer(name = `Server ${++serial}`, audience = `api://server-${serial}`) {
  return servers().createAuthorizationServer({ authorizationServer: { name, description: `${name} description`, audiences: [audience] } });
}

const ruleBody = (overrides: Record<string, unknown> = {}) => ({
  type: 'RESOURCE_ACCESS' as const,
  name: 'Everyone, code flow',
  conditions: {
    people: { groups: { include: ['EVERYONE'] } },
    grantTypes: { include: ['authorization_code'] },
    scopes: { include: ['openid', 'profile'] },
  },
  actions: { token: { accessTokenLifetimeMinutes: 30, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
  ...overrides,
});

/** Discovery answers from an engine the registry re-checks every few seconds: wait for it to notice. */
async function eventually(check: () => Promise<number>, want: number, seconds = 10): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let status = await check();
  while (status !== want && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = await check();
  }
  return status;
}

describe('authorization servers through @okta/okta-sdk-nodejs', () => {
  it('creates a server with its issuer, signing settings, links and system scopes', async () => {
    const created = await newServer('Orders API', 'api://orders');
    expect(created.id).toMatch(/^aus[0-9A-Za-z]{17}$/);
    expect(created.name).toBe('Orders API');
    expect(created.description).toBe('Orders API description');
    expect(created.audiences).toEqual(['api://orders']);
    expect(created.status).toBe('ACTIVE');
    expect(created.issuer).toBe(`${t.url}/oauth2/${created.id}`);
    expect(created.issuerMode).toBe('ORG_URL');

    const keys = await collect(await servers().listAuthorizationServerKeys({ authServerId: created.id! }));
    const active = keys.find((k) => k.status === 'ACTIVE')!;
    const signing = created.credentials!.signing!;
    expect(signing.kid).toBe(active.kid);
    expect(signing.use).toBe('sig');
    expect(signing.rotationMode).toBe('AUTO');
    expect(signing.lastRotated).toBeInstanceOf(Date);
    expect(signing.nextRotation!.getTime() - signing.lastRotated!.getTime()).toBe(90 * 86_400_000);

    const raw = await call(`/api/v1/authorizationServers/${created.id}`);
    expect(raw.status).toBe(200);
    const base = `${t.url}/api/v1/authorizationServers/${created.id}`;
    expect(raw.json._links.self).toEqual({ href: base, hints: { allow: ['GET', 'DELETE', 'PUT'] } });
    expect(raw.json._links.rotateKey.href).toBe(`${base}/credentials/lifecycle/keyRotate`);
    expect(raw.json._links.deactivate.href).toBe(`${base}/lifecycle/deactivate`);
    expect(raw.json._links.metadata.map((m: { name: string; href: string }) => [m.name, m.href])).toEqual([
      ['oauth-authorization-server', `${t.url}/oauth2/${created.id}/.well-known/oauth-authorization-server`],
      ['openid-configuration', `${t.url}/oauth2/${created.id}/.well-known/openid-configuration`],
    ]);
    expect(raw.json.created).toBe(raw.json.lastUpdated);

    const scopes = await collect(await servers().listOAuth2Scopes({ authServerId: created.id! }));
    const system = scopes.filter((s) => s.system).map((s) => s.name).sort();
    expect(system).toEqual(['address', 'device_sso', 'email', 'offline_access', 'openid', 'phone', 'profile']);
  });

  it('answers create with 201, and refuses a server without a name or an audience', async () => {
    const created = await call('/api/v1/authorizationServers', { method: 'POST', json: { name: 'Raw', audiences: ['api://raw'] } });
    expect(created.status).toBe(201);
    expect(created.json.description).toBe('');

    const noAudience = await call('/api/v1/authorizationServers', { method: 'POST', json: { name: 'No audience', audiences: [] } });
    expect(noAudience.status).toBe(400);
    expect(noAudience.json.errorCode).toBe('E0000001');
    expect(noAudience.json.errorCauses[0].errorSummary).toMatch(/^audiences: /);
    const noName = await oktaError(servers().createAuthorizationServer({ authorizationServer: { audiences: ['api://x'] } }));
    expect(noName.status).toBe(400);
    expect(noName.errorCauses[0]!.errorSummary).toMatch(/^name: /);
  });

  it('reads and replaces a server; MANUAL rotation has no next rotation', async () => {
    const created = await newServer();
    const read = await servers().getAuthorizationServer({ authServerId: created.id! });
    expect(read.issuer).toBe(created.issuer);
    expect(read.credentials!.signing!.kid).toBe(created.credentials!.signing!.kid);

    const replaced = await servers().replaceAuthorizationServer({
      authServerId: created.id!,
      authorizationServer: { ...read, name: 'Renamed', description: 'Now manual', audiences: ['api://renamed'], credentials: { signing: { rotationMode: 'MANUAL' } } },
    });
    expect(replaced.name).toBe('Renamed');
    expect(replaced.description).toBe('Now manual');
    expect(replaced.audiences).toEqual(['api://renamed']);
    expect(replaced.credentials!.signing!.rotationMode).toBe('MANUAL');
    // Switching the rotation mode does not change the signing key.
    expect(replaced.credentials!.signing!.kid).toBe(created.credentials!.signing!.kid);
    expect(replaced.credentials!.signing!.nextRotation).toBeUndefined();
    expect(replaced.lastUpdated!.getTime()).toBeGreaterThanOrEqual(created.lastUpdated!.getTime());
    expect((await servers().getAuthorizationServer({ authServerId: created.id! })).name).toBe('Renamed');

    const invalid = await oktaError(servers().replaceAuthorizationServer({ authServerId: created.id!, authorizationServer: { name: 'No audiences' } }));
    expect(invalid.status).toBe(400);
    expect(invalid.errorCode).toBe('E0000001');
  });

  it('lists servers, with q and with paging by limit and after', async () => {
    const first = await newServer('Ledger Alpha', 'api://ledger-alpha');
    const second = await newServer('Ledger Beta', 'api://ledger-beta');
    const all = (await collect(await servers().listAuthorizationServers({}))).map((s) => s.id);
    expect(all).toContain('default');
    expect(all).toContain(first.id);
    expect(all).toContain(second.id);

    const byName = (await collect(await servers().listAuthorizationServers({ q: 'ledger' }))).map((s) => s.id);
    expect(byName).toEqual([first.id, second.id]);
    const byAudience = (await collect(await servers().listAuthorizationServers({ q: 'api://ledger-b' }))).map((s) => s.id);
    expect(byAudience).toEqual([second.id]);

    const page1 = await call('/api/v1/authorizationServers?q=Ledger&limit=1');
    expect(page1.status).toBe(200);
    expect(page1.json.map((s: { id: string }) => s.id)).toEqual([first.id]);
    const next = /<([^>]+)>; rel="next"/.exec(page1.headers.get('link') ?? '')?.[1];
    expect(next).toBeDefined();
    const page2 = await call(next!.slice(t.url.length));
    expect(page2.json.map((s: { id: string }) => s.id)).toEqual([second.id]);
    expect(page2.headers.get('link')).not.toContain('rel="next"');

    const bad = await call('/api/v1/authorizationServers?after=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.json.errorCode).toBe('E0000029');
  });

  it('treats default as an id, and refuses to delete it', async () => {
    const server = await servers().getAuthorizationServer({ authServerId: 'default' });
    expect(server.id).toBe('default');
    expect(server.issuer).toBe(`${t.url}/oauth2/default`);
    expect(server.audiences).toEqual(['api://default']);
    const policies = await collect(await servers().listAuthorizationServerPolicies({ authServerId: 'default' }));
    expect(policies.map((p) => p.name)).toEqual(['Default Policy']);
    expect(policies[0]!.conditions!.clients!.include).toEqual(['ALL_CLIENTS']);
    const rules = await collect(await servers().listAuthorizationServerPolicyRules({ authServerId: 'default', policyId: policies[0]!.id! }));
    expect(rules.map((r) => r.name)).toEqual(['Default Policy Rule']);
    expect(rules[0]!.actions!.token!.accessTokenLifetimeMinutes).toBe(60);

    const refused = await oktaError(servers().deleteAuthorizationServer({ authServerId: 'default' }));
    expect(refused.status).toBe(403);
    expect(refused.errorCode).toBe('E0000006');
    expect((await servers().getAuthorizationServer({ authServerId: 'default' })).status).toBe('ACTIVE');
  });

  it('answers 404 E0000007 naming AuthorizationServer for an unknown server, whatever the operation', async () => {
    const gone = await oktaError(servers().getAuthorizationServer({ authServerId: 'ausNoSuchServer00000' }));
    expect(gone.status).toBe(404);
    expect(gone.errorCode).toBe('E0000007');
    expect(gone.errorSummary).toBe('Not found: Resource not found: ausNoSuchServer00000 (AuthorizationServer)');
    for (const [path, method] of [
      ['', 'PUT'], ['', 'DELETE'], ['/lifecycle/activate', 'POST'], ['/credentials/keys', 'GET'],
      ['/credentials/lifecycle/keyRotate', 'POST'], ['/scopes', 'GET'], ['/claims', 'POST'], ['/policies', 'GET'],
    ] as const) {
      const response = await call(`/api/v1/authorizationServers/ausNoSuchServer00000${path}`, {
        method, ...(method === 'GET' || method === 'DELETE' ? {} : { json: { use: 'sig', name: 'x', audiences: ['api://x'] } }),
      });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.json.errorSummary, `${method} ${path}`).toBe('Not found: Resource not found: ausNoSuchServer00000 (AuthorizationServer)');
    }
  });
});

describe('signing keys', () => {
  it('rotates: ACTIVE becomes EXPIRED, NEXT becomes ACTIVE, and a new NEXT is published', async () => {
    const server = await newServer();
    const before = await collect(await servers().listAuthorizationServerKeys({ authServerId: server.id! }));
    expect(before.map((k) => k.status)).toEqual(['ACTIVE', 'NEXT']);
    for (const key of before) {
      expect(key.kty).toBe('RSA');
      expect(key.alg).toBe('RS256');
      expect(key.use).toBe('sig');
      expect(key.e).toBe('AQAB');
    }
    const [oldActive, oldNext] = before;

    const rotated = await collect(await servers().rotateAuthorizationServerKeys({ authServerId: server.id!, use: { use: 'sig' } }));
    expect(rotated.map((k) => k.status)).toEqual(['ACTIVE', 'NEXT', 'EXPIRED']);
    expect(rotated[0]!.kid).toBe(oldNext!.kid);
    expect(rotated[2]!.kid).toBe(oldActive!.kid);
    const newNext = rotated[1]!.kid!;
    expect([oldActive!.kid, oldNext!.kid]).not.toContain(newNext);

    const read = await servers().getAuthorizationServer({ authServerId: server.id! });
    expect(read.credentials!.signing!.kid).toBe(oldNext!.kid);
    expect(read.credentials!.signing!.lastRotated!.getTime()).toBeGreaterThanOrEqual(server.credentials!.signing!.lastRotated!.getTime());

    const one = await servers().getAuthorizationServerKey({ authServerId: server.id!, keyId: oldActive!.kid! });
    expect(one.status).toBe('EXPIRED');
    const raw = await call(`/api/v1/authorizationServers/${server.id}/credentials/keys`);
    expect(raw.json[0]._links.self.href).toBe(`${t.url}/api/v1/authorizationServers/${server.id}/credentials/keys/${oldNext!.kid}`);

    // The public key set lists all three without status or links, as plain JWKs.
    const jwks = await fetch(`${t.url}/oauth2/${server.id}/v1/keys`);
    expect(jwks.status).toBe(200);
    const published = (await jwks.json()) as { keys: Record<string, unknown>[] };
    expect(published.keys.map((k) => k.kid)).toEqual([oldNext!.kid, newNext, oldActive!.kid]);
    for (const key of published.keys) {
      expect(key.status).toBeUndefined();
      expect(key._links).toBeUndefined();
      expect(key.d).toBeUndefined();
    }
  });

  it('refuses a rotation whose use is not sig', async () => {
    const server = await newServer();
    for (const json of [{ use: 'enc' }, { use: 'SIG' }, { use: null }, {}]) {
      const refused = await call(`/api/v1/authorizationServers/${server.id}/credentials/lifecycle/keyRotate`, { method: 'POST', json });
      expect(refused.status).toBe(400);
      expect(refused.json.errorCode).toBe('E0000001');
      expect(refused.json.errorSummary).toBe('Api validation failed: rotateKeys');
      expect(refused.json.errorCauses).toEqual([{ errorSummary: 'Invalid value specified for key \'use\' parameter.' }]);
    }
    const empty = await call(`/api/v1/authorizationServers/${server.id}/credentials/lifecycle/keyRotate`, { method: 'POST' });
    expect(empty.status).toBe(400);
    expect(empty.json.errorSummary).toBe('Api validation failed: rotateKeys');
    // Nothing rotated.
    const keys = await collect(await servers().listAuthorizationServerKeys({ authServerId: server.id! }));
    expect(keys.map((k) => k.status)).toEqual(['ACTIVE', 'NEXT']);
    expect(keys[0]!.kid).toBe(server.credentials!.signing!.kid);

    const unknownKey = await oktaError(servers().getAuthorizationServerKey({ authServerId: server.id!, keyId: 'no-such-kid' }));
    expect(unknownKey.status).toBe(404);
  });
});

describe('scopes', () => {
  it('creates, reads, replaces, lists and deletes a scope; names are unique', async () => {
    const server = await newServer();
    const authServerId = server.id!;
    const scope = await servers().createOAuth2Scope({ authServerId, oAuth2Scope: { name: 'orders:read', displayName: 'Read orders', description: 'Reads orders' } });
    expect(scope.id).toMatch(/^scp[0-9A-Za-z]{17}$/);
    expect(scope).toMatchObject({ name: 'orders:read', displayName: 'Read orders', system: false, _default: false, optional: false, consent: 'IMPLICIT', metadataPublish: 'NO_CLIENTS' });

    const raw = await call(`/api/v1/authorizationServers/${authServerId}/scopes/${scope.id}`);
    expect(raw.json._links.self.href).toBe(`${t.url}/api/v1/authorizationServers/${authServerId}/scopes/${scope.id}`);

    const duplicate = await oktaError(servers().createOAuth2Scope({ authServerId, oAuth2Scope: { name: 'orders:read' } }));
    expect(duplicate.status).toBe(400);
    expect(duplicate.errorCode).toBe('E0000001');
    expect(duplicate.errorCauses[0]!.errorSummary).toBe('name: An object with this field already exists in the current authorization server');
    const spaced = await oktaError(servers().createOAuth2Scope({ authServerId, oAuth2Scope: { name: 'orders read' } }));
    expect(spaced.status).toBe(400);
    expect(spaced.errorCauses[0]!.errorSummary).toMatch(/^name: /);

    const replaced = await servers().replaceOAuth2Scope({
      authServerId, scopeId: scope.id!, oAuth2Scope: { name: 'orders:read', description: 'Reads every order', consent: 'REQUIRED', metadataPublish: 'ALL_CLIENTS' },
    });
    expect(replaced).toMatchObject({ id: scope.id, description: 'Reads every order', consent: 'REQUIRED', metadataPublish: 'ALL_CLIENTS' });
    expect((await servers().getOAuth2Scope({ authServerId, scopeId: scope.id! })).consent).toBe('REQUIRED');

    await servers().createOAuth2Scope({ authServerId, oAuth2Scope: { name: 'orders:write' } });
    const matching = await collect(await servers().listOAuth2Scopes({ authServerId, q: 'ORDERS' }));
    expect(matching.map((s) => s.name)).toEqual(['orders:read', 'orders:write']);
    const page = await call(`/api/v1/authorizationServers/${authServerId}/scopes?q=orders&limit=1`);
    expect(page.json.map((s: { name: string }) => s.name)).toEqual(['orders:read']);
    expect(page.headers.get('link')).toContain('rel="next"');
    const everything = await collect(await servers().listOAuth2Scopes({ authServerId, limit: 3 }));
    expect(everything).toHaveLength(9);

    await servers().deleteOAuth2Scope({ authServerId, scopeId: scope.id! });
    const gone = await oktaError(servers().getOAuth2Scope({ authServerId, scopeId: scope.id! }));
    expect(gone.status).toBe(404);
    expect(gone.errorSummary).toBe(`Not found: Resource not found: ${scope.id} (OAuth2Scope)`);
    expect((await oktaError(servers().deleteOAuth2Scope({ authServerId, scopeId: scope.id! }))).status).toBe(404);
  });

  it('keeps system scopes: they cannot be deleted or renamed', async () => {
    const server = await newServer();
    const openid = (await collect(await servers().listOAuth2Scopes({ authServerId: server.id! }))).find((s) => s.name === 'openid')!;
    expect(openid.system).toBe(true);
    const refused = await oktaError(servers().deleteOAuth2Scope({ authServerId: server.id!, scopeId: openid.id! }));
    expect(refused.status).toBe(403);
    expect(refused.errorCode).toBe('E0000006');
    const renamed = await oktaError(servers().replaceOAuth2Scope({ authServerId: server.id!, scopeId: openid.id!, oAuth2Scope: { name: 'openid2' } }));
    expect(renamed.status).toBe(400);
    expect((await servers().getOAuth2Scope({ authServerId: server.id!, scopeId: openid.id! })).name).toBe('openid');
  });
});

describe('claims', () => {
  it('creates, reads, replaces and deletes expression and groups claims', async () => {
    const server = await newServer();
    const authServerId = server.id!;
    const claim = await servers().createOAuth2Claim({
      authServerId,
      oAuth2Claim: { name: 'department', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'user.department', conditions: { scopes: ['profile'] } },
    });
    expect(claim.id).toMatch(/^ocl[0-9A-Za-z]{17}$/);
    expect(claim).toMatchObject({ name: 'department', status: 'ACTIVE', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'user.department', alwaysIncludeInToken: true, system: false });
    expect(claim.conditions!.scopes).toEqual(['profile']);

    const groups = await servers().createOAuth2Claim({
      authServerId, oAuth2Claim: { name: 'groups', claimType: 'IDENTITY', valueType: 'GROUPS', group_filter_type: 'REGEX', value: '.*' },
    });
    expect(groups.group_filter_type).toBe('REGEX');
    // On the wire the filter type is snake_case, as Okta writes it.
    const raw = await call(`/api/v1/authorizationServers/${authServerId}/claims/${groups.id}`);
    expect(raw.json.group_filter_type).toBe('REGEX');
    expect(raw.json.groupFilterType).toBeUndefined();
    expect(raw.json.conditions).toEqual({ scopes: [] });
    // The same name is allowed once per token type.
    const inAccessToken = await servers().createOAuth2Claim({
      authServerId, oAuth2Claim: { name: 'groups', claimType: 'RESOURCE', valueType: 'GROUPS', group_filter_type: 'STARTS_WITH', value: 'app-' },
    });
    expect(inAccessToken.id).not.toBe(groups.id);
    const duplicate = await oktaError(servers().createOAuth2Claim({
      authServerId, oAuth2Claim: { name: 'department', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'user.title' },
    }));
    expect(duplicate.status).toBe(400);
    expect(duplicate.errorCode).toBe('E0000001');

    const replaced = await servers().replaceOAuth2Claim({
      authServerId, claimId: claim.id!,
      oAuth2Claim: { name: 'department', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'String.toUpperCase(user.department)', status: 'INACTIVE' },
    });
    expect(replaced).toMatchObject({ id: claim.id, value: 'String.toUpperCase(user.department)', status: 'INACTIVE' });
    const listed = await collect(await servers().listOAuth2Claims({ authServerId }));
    expect(listed.map((c) => `${c.claimType}:${c.name}`).sort()).toEqual(['IDENTITY:groups', 'RESOURCE:department', 'RESOURCE:groups']);

    await servers().deleteOAuth2Claim({ authServerId, claimId: claim.id! });
    const gone = await oktaError(servers().getOAuth2Claim({ authServerId, claimId: claim.id! }));
    expect(gone.status).toBe(404);
    expect(gone.errorSummary).toBe(`Not found: Resource not found: ${claim.id} (OAuth2Claim)`);
  });

  it('refuses a bad expression, a reserved name, and a groups claim without group_filter_type', async () => {
    const server = await newServer();
    const path = `/api/v1/authorizationServers/${server.id}/claims`;
    const badExpression = await call(path, { method: 'POST', json: { name: 'broken', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'user.firstName +' } });
    expect(badExpression.status).toBe(400);
    expect(badExpression.json.errorCode).toBe('E0000001');
    expect(badExpression.json.errorSummary).toBe('Api validation failed: value');
    expect(badExpression.json.errorCauses[0].errorSummary).toMatch(/^value: /);

    const reserved = await call(path, { method: 'POST', json: { name: 'sub', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'user.login' } });
    expect(reserved.status).toBe(400);
    expect(reserved.json.errorCauses).toEqual([{ errorSummary: 'name: sub is a reserved claim name.' }]);

    const noFilter = await call(path, { method: 'POST', json: { name: 'teams', claimType: 'IDENTITY', valueType: 'GROUPS', value: 'team-' } });
    expect(noFilter.status).toBe(400);
    expect(noFilter.json.errorCauses[0].errorSummary).toMatch(/^group_filter_type: /);

    const badType = await call(path, { method: 'POST', json: { name: 'x', claimType: 'BOTH', valueType: 'EXPRESSION', value: 'user.login' } });
    expect(badType.status).toBe(400);
    expect(badType.json.errorCauses[0].errorSummary).toMatch(/^claimType: /);
    expect(await collect(await servers().listOAuth2Claims({ authServerId: server.id! }))).toEqual([]);
  });
});

describe('access policies and rules', () => {
  it('creates, reads, replaces, deactivates, activates and deletes a policy', async () => {
    const server = await newServer();
    const authServerId = server.id!;
    const policy = await servers().createAuthorizationServerPolicy({
      authServerId,
      policy: { type: 'OAUTH_AUTHORIZATION_POLICY', name: 'Partners', description: 'Partner apps', priority: 1, conditions: { clients: { include: ['ALL_CLIENTS'] } } },
    });
    expect(policy.id).toMatch(/^00p[0-9A-Za-z]{17}$/);
    expect(policy).toMatchObject({ type: 'OAUTH_AUTHORIZATION_POLICY', name: 'Partners', description: 'Partner apps', status: 'ACTIVE', priority: 1, system: false });
    expect(policy.created).toBeInstanceOf(Date);
    expect(policy.lastUpdated!.getTime()).toBe(policy.created!.getTime());

    const raw = await call(`/api/v1/authorizationServers/${authServerId}/policies/${policy.id}`);
    expect(raw.status).toBe(200);
    const self = `${t.url}/api/v1/authorizationServers/${authServerId}/policies/${policy.id}`;
    expect(raw.json._links.self.href).toBe(self);
    expect(raw.json._links.rules.href).toBe(`${self}/rules`);
    expect(raw.json._links.deactivate.href).toBe(`${self}/lifecycle/deactivate`);

    const replaced = await servers().replaceAuthorizationServerPolicy({
      authServerId, policyId: policy.id!,
      policy: { type: 'OAUTH_AUTHORIZATION_POLICY', name: 'Partners', description: 'Only two apps', priority: 1, conditions: { clients: { include: ['0oaPartnerOne', '0oaPartnerTwo'] } } },
    });
    expect(replaced.description).toBe('Only two apps');
    expect(replaced.conditions!.clients!.include).toEqual(['0oaPartnerOne', '0oaPartnerTwo']);
    expect(replaced.created!.getTime()).toBe(policy.created!.getTime());

    await servers().deactivateAuthorizationServerPolicy({ authServerId, policyId: policy.id! });
    const inactive = await call(`/api/v1/authorizationServers/${authServerId}/policies/${policy.id}`);
    expect(inactive.json.status).toBe('INACTIVE');
    expect(inactive.json._links.activate.href).toBe(`${self}/lifecycle/activate`);
    await servers().activateAuthorizationServerPolicy({ authServerId, policyId: policy.id! });
    expect((await servers().getAuthorizationServerPolicy({ authServerId, policyId: policy.id! })).status).toBe('ACTIVE');

    const noClients = await oktaError(servers().createAuthorizationServerPolicy({
      authServerId, policy: { type: 'OAUTH_AUTHORIZATION_POLICY', name: 'Nobody', description: 'x', priority: 2, conditions: { clients: { include: [] } } },
    }));
    expect(noClients.status).toBe(400);
    expect(noClients.errorCauses[0]!.errorSummary).toMatch(/^conditions\.clients\.include: /);

    const listed = await collect(await servers().listAuthorizationServerPolicies({ authServerId }));
    expect(listed.map((p) => p.id)).toEqual([policy.id]);

    await servers().deleteAuthorizationServerPolicy({ authServerId, policyId: policy.id! });
    const gone = await oktaError(servers().getAuthorizationServerPolicy({ authServerId, policyId: policy.id! }));
    expect(gone.status).toBe(404);
    expect(gone.errorCode).toBe('E0000007');
    expect(gone.errorSummary).toBe(`Not found: Resource not found: ${policy.id} (AuthorizationServerPolicy)`);
    expect((await oktaError(servers().activateAuthorizationServerPolicy({ authServerId, policyId: policy.id! }))).status).toBe(404);
  });

  it('keeps priorities 1…n: a policy or rule saved at a taken priority goes before it, past the end goes last', async () => {
    const authServerId = (await newServer()).id!;
    const policyAt = (name: string, priority: number) => servers().createAuthorizationServerPolicy({
      authServerId, policy: { type: 'OAUTH_AUTHORIZATION_POLICY', name, description: name, priority, conditions: { clients: { include: ['ALL_CLIENTS'] } } },
    });
    const order = async () => (await collect(await servers().listAuthorizationServerPolicies({ authServerId })))
      .sort((x, y) => x.priority! - y.priority!).map((p) => `${p.priority}:${p.name}`);
    await policyAt('A', 1);
    await policyAt('B', 2);
    const c = await policyAt('C', 1);
    expect(c.priority).toBe(1);
    expect(await order()).toEqual(['1:C', '2:A', '3:B']);
    expect((await policyAt('D', 99)).priority).toBe(4);
    // Moving C from first to third.
    await servers().replaceAuthorizationServerPolicy({
      authServerId, policyId: c.id!,
      policy: { type: 'OAUTH_AUTHORIZATION_POLICY', name: 'C', description: 'C', priority: 3, conditions: { clients: { include: ['ALL_CLIENTS'] } } },
    });
    expect(await order()).toEqual(['1:A', '2:B', '3:C', '4:D']);

    const policyId = c.id!;
    await servers().createAuthorizationServerPolicyRule({ authServerId, policyId, policyRule: ruleBody({ name: 'one', priority: 1 }) });
    await servers().createAuthorizationServerPolicyRule({ authServerId, policyId, policyRule: ruleBody({ name: 'two', priority: 1 }) });
    const rules = await collect(await servers().listAuthorizationServerPolicyRules({ authServerId, policyId }));
    expect(rules.sort((x, y) => x.priority! - y.priority!).map((r) => `${r.priority}:${r.name}`)).toEqual(['1:two', '2:one']);
  });

  it('creates, reads, replaces, deactivates, activates and deletes a rule, checking its lifetimes', async () => {
    const server = await newServer();
    const authServerId = server.id!;
    const policy = await servers().createAuthorizationServerPolicy({
      authServerId, policy: { type: 'OAUTH_AUTHORIZATION_POLICY', name: 'All', description: 'All clients', priority: 1, conditions: { clients: { include: ['ALL_CLIENTS'] } } },
    });
    const policyId = policy.id!;
    const rule = await servers().createAuthorizationServerPolicyRule({ authServerId, policyId, policyRule: ruleBody() });
    expect(rule.id).toMatch(/^0pr[0-9A-Za-z]{17}$/);
    expect(rule).toMatchObject({ type: 'RESOURCE_ACCESS', name: 'Everyone, code flow', status: 'ACTIVE', priority: 1, system: false });
    expect(rule.conditions!.grantTypes!.include).toEqual(['authorization_code']);
    expect(rule.conditions!.scopes!.include).toEqual(['openid', 'profile']);
    expect(rule.actions!.token).toMatchObject({ accessTokenLifetimeMinutes: 30, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 });
    expect(rule.created).toBeInstanceOf(Date);

    const raw = await call(`/api/v1/authorizationServers/${authServerId}/policies/${policyId}/rules/${rule.id}`);
    const self = `${t.url}/api/v1/authorizationServers/${authServerId}/policies/${policyId}/rules/${rule.id}`;
    expect(raw.json._links.self.href).toBe(self);
    expect(raw.json._links.deactivate.href).toBe(`${self}/lifecycle/deactivate`);
    expect(raw.json.conditions.people).toEqual({ users: { include: [], exclude: [] }, groups: { include: ['EVERYONE'], exclude: [] } });

    const rulesPath = `/api/v1/authorizationServers/${authServerId}/policies/${policyId}/rules`;
    for (const [token, field] of [
      [{ accessTokenLifetimeMinutes: 4 }, 'actions.token.accessTokenLifetimeMinutes'],
      [{ accessTokenLifetimeMinutes: 1441 }, 'actions.token.accessTokenLifetimeMinutes'],
      [{ accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 30 }, 'actions.token.refreshTokenLifetimeMinutes'],
      [{ accessTokenLifetimeMinutes: 60, refreshTokenWindowMinutes: 4 }, 'actions.token.refreshTokenWindowMinutes'],
    ] as const) {
      const refused = await call(rulesPath, { method: 'POST', json: ruleBody({ actions: { token } }) });
      expect(refused.status, JSON.stringify(token)).toBe(400);
      expect(refused.json.errorCode).toBe('E0000001');
      expect(refused.json.errorCauses[0].errorSummary.startsWith(`${field}: `), refused.json.errorCauses[0].errorSummary).toBe(true);
    }
    const noGrant = await call(rulesPath, { method: 'POST', json: ruleBody({ conditions: { grantTypes: { include: [] }, scopes: { include: ['*'] } } }) });
    expect(noGrant.status).toBe(400);
    expect(noGrant.json.errorCauses[0].errorSummary).toMatch(/^conditions\.grantTypes\.include: /);

    const replaced = await servers().replaceAuthorizationServerPolicyRule({
      authServerId, policyId, ruleId: rule.id!,
      policyRule: ruleBody({ name: 'Longer tokens', actions: { token: { accessTokenLifetimeMinutes: 120, refreshTokenLifetimeMinutes: 1440, refreshTokenWindowMinutes: 600 } } }),
    });
    expect(replaced.name).toBe('Longer tokens');
    expect(replaced.actions!.token).toMatchObject({ accessTokenLifetimeMinutes: 120, refreshTokenLifetimeMinutes: 1440, refreshTokenWindowMinutes: 600 });

    await servers().deactivateAuthorizationServerPolicyRule({ authServerId, policyId, ruleId: rule.id! });
    expect((await servers().getAuthorizationServerPolicyRule({ authServerId, policyId, ruleId: rule.id! })).status).toBe('INACTIVE');
    await servers().activateAuthorizationServerPolicyRule({ authServerId, policyId, ruleId: rule.id! });
    expect((await servers().getAuthorizationServerPolicyRule({ authServerId, policyId, ruleId: rule.id! })).status).toBe('ACTIVE');

    const second = await servers().createAuthorizationServerPolicyRule({ authServerId, policyId, policyRule: ruleBody({ name: 'Second' }) });
    expect(second.priority).toBe(2);
    const listed = await collect(await servers().listAuthorizationServerPolicyRules({ authServerId, policyId }));
    expect(listed.map((r) => r.name)).toEqual(['Longer tokens', 'Second']);

    // A rule is reached only through its own policy.
    const other = await servers().createAuthorizationServerPolicy({
      authServerId, policy: { type: 'OAUTH_AUTHORIZATION_POLICY', name: 'Other', description: 'Other', priority: 2, conditions: { clients: { include: ['ALL_CLIENTS'] } } },
    });
    const elsewhere = await oktaError(servers().getAuthorizationServerPolicyRule({ authServerId, policyId: other.id!, ruleId: rule.id! }));
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.errorSummary).toBe(`Not found: Resource not found: ${rule.id} (AuthorizationServerPolicyRule)`);
    expect((await oktaError(servers().deleteAuthorizationServerPolicyRule({ authServerId, policyId: other.id!, ruleId: rule.id! }))).status).toBe(404);
    const noPolicy = await oktaError(servers().createAuthorizationServerPolicyRule({ authServerId, policyId: '00pNoSuchPolicy00000', policyRule: ruleBody() }));
    expect(noPolicy.status).toBe(404);
    expect(noPolicy.errorSummary).toBe('Not found: Resource not found: 00pNoSuchPolicy00000 (AuthorizationServerPolicy)');

    await servers().deleteAuthorizationServerPolicyRule({ authServerId, policyId, ruleId: rule.id! });
    expect((await oktaError(servers().getAuthorizationServerPolicyRule({ authServerId, policyId, ruleId: rule.id! }))).status).toBe(404);
    // Deleting the policy takes its remaining rules with it.
    await servers().deleteAuthorizationServerPolicy({ authServerId, policyId });
    const orphan = await call(`/api/v1/authorizationServers/${authServerId}/policies/${policyId}/rules/${second.id}`);
    expect(orphan.status).toBe(404);
  });
});

describe('lifecycle, discovery and deletion', () => {
  it('answers discovery for a custom server under its issuer, and 404 once it is deleted', async () => {
    const server = await newServer();
    const discovery = () => fetch(`${t.url}/oauth2/${server.id}/.well-known/openid-configuration`);
    const found = await discovery();
    expect(found.status).toBe(200);
    const metadata = (await found.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(`${t.url}/oauth2/${server.id}`);
    expect(metadata.jwks_uri).toBe(`${t.url}/oauth2/${server.id}/v1/keys`);
    expect(metadata.token_endpoint).toBe(`${t.url}/oauth2/${server.id}/v1/token`);

    // An ACTIVE server is not deleted.
    const active = await oktaError(servers().deleteAuthorizationServer({ authServerId: server.id! }));
    expect(active.status).toBe(400);
    expect(active.errorCode).toBe('E0000001');
    expect((await servers().getAuthorizationServer({ authServerId: server.id! })).status).toBe('ACTIVE');

    await servers().deactivateAuthorizationServer({ authServerId: server.id! });
    const inactive = await call(`/api/v1/authorizationServers/${server.id}`);
    expect(inactive.json.status).toBe('INACTIVE');
    expect(inactive.json._links.activate.href).toBe(`${t.url}/api/v1/authorizationServers/${server.id}/lifecycle/activate`);
    expect(inactive.json._links.deactivate).toBeUndefined();
    await servers().activateAuthorizationServer({ authServerId: server.id! });
    expect((await servers().getAuthorizationServer({ authServerId: server.id! })).status).toBe('ACTIVE');
    await servers().deactivateAuthorizationServer({ authServerId: server.id! });

    const deleted = await call(`/api/v1/authorizationServers/${server.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    const gone = await oktaError(servers().getAuthorizationServer({ authServerId: server.id! }));
    expect(gone.status).toBe(404);
    expect((await collect(await servers().listAuthorizationServers({}))).map((s) => s.id)).not.toContain(server.id);
    expect((await oktaError(collect(await servers().listOAuth2Scopes({ authServerId: server.id! })))).status).toBe(404);

    expect(await eventually(async () => (await discovery()).status, 404)).toBe(404);
  });
});

describe('org isolation', () => {
  it('never shows one org\'s servers to another, whatever the operation', async () => {
    const server = await newServer('Only in A', 'api://only-a');
    const authServerId = server.id!;
    const listB = await collect(await clientB.authorizationServerApi.listAuthorizationServers({}));
    expect(listB.map((s) => s.id)).toEqual(['default']);
    expect(listB[0]!.issuer).toBe(`${urlB}/oauth2/default`);
    expect(await collect(await clientB.authorizationServerApi.listAuthorizationServers({ q: 'Only' }))).toEqual([]);

    const notFound = `Not found: Resource not found: ${authServerId} (AuthorizationServer)`;
    const get = await oktaError(clientB.authorizationServerApi.getAuthorizationServer({ authServerId }));
    expect(get.status).toBe(404);
    expect(get.errorSummary).toBe(notFound);
    for (const [path, method, json] of [
      ['', 'PUT', { name: 'Taken over', audiences: ['api://b'] }],
      ['', 'DELETE', undefined],
      ['/lifecycle/deactivate', 'POST', undefined],
      ['/credentials/keys', 'GET', undefined],
      ['/credentials/lifecycle/keyRotate', 'POST', { use: 'sig' }],
      ['/scopes', 'GET', undefined],
      ['/scopes', 'POST', { name: 'b:scope' }],
      ['/claims', 'GET', undefined],
      ['/policies', 'GET', undefined],
    ] as const) {
      const response = await callB(`/api/v1/authorizationServers/${authServerId}${path}`, { method, ...(json ? { json } : {}) });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.json.errorSummary).toBe(notFound);
    }
    // Each org has its own default server with its own keys.
    const defaultA = await servers().getAuthorizationServer({ authServerId: 'default' });
    const defaultB = await clientB.authorizationServerApi.getAuthorizationServer({ authServerId: 'default' });
    expect(defaultB.credentials!.signing!.kid).not.toBe(defaultA.credentials!.signing!.kid);

    // Org A's server does not answer at org B's host.
    expect((await fetch(`${urlB}/oauth2/${authServerId}/.well-known/openid-configuration`)).status).toBe(404);
    expect((await fetch(`${urlB}/oauth2/${authServerId}/v1/keys`)).status).toBe(404);

    // Nothing in org A changed.
    const after = await servers().getAuthorizationServer({ authServerId });
    expect(after).toMatchObject({ name: 'Only in A', status: 'ACTIVE' });
    expect(after.credentials!.signing!.kid).toBe(server.credentials!.signing!.kid);
    expect((await collect(await servers().listOAuth2Scopes({ authServerId }))).map((s) => s.name)).not.toContain('b:scope');
  });
});
