/**
 * Network zones and org policies through Okta's Node SDK (`networkZoneApi`, `policyApi`,
 * `applicationApi.assignApplicationPolicy`) and plain HTTP for the refusals: the defaults every
 * org has, CRUD with priorities, validation with causes naming the field, references that must
 * exist, and what may not be deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { adminClient, collect, oktaError, type OktaClient } from '../../helpers/okta.ts';

let t: TestLanyard;
let client: OktaClient;
let call: ReturnType<typeof api>;
let groupId: string;

beforeAll(async () => {
  t = await startLanyard();
  client = adminClient(t);
  call = api(t);
  groupId = (await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Admins' } } })).json.id;
});
afterAll(async () => t?.close());

const causes = (json: any) => (json.errorCauses as { errorSummary: string }[]).map((c) => c.errorSummary);

describe('network zones', () => {
  let zoneId: string;

  it('starts every org with LegacyIpZone and BlockedIpZone, filtered by usage', async () => {
    const zones = await collect(await client.networkZoneApi.listNetworkZones({}));
    expect(zones.map((z: any) => [z.name, z.usage, z.status, z.system])).toEqual([
      ['LegacyIpZone', 'POLICY', 'ACTIVE', true], ['BlockedIpZone', 'BLOCKLIST', 'ACTIVE', true],
    ]);
    const blocklists = await collect(await client.networkZoneApi.listNetworkZones({ filter: 'usage eq "BLOCKLIST"' }));
    expect(blocklists.map((z: any) => z.name)).toEqual(['BlockedIpZone']);
    expect((await call('/api/v1/zones?filter=name%20sw%20%22x%22')).status).toBe(400);
  });

  it('creates, reads, replaces, deactivates and activates an IP zone through the SDK', async () => {
    const created: any = await client.networkZoneApi.createNetworkZone({
      zone: { type: 'IP', name: 'Office', gateways: [{ type: 'CIDR', value: '10.0.0.0/8' }, { type: 'RANGE', value: '2001:db8::1-2001:db8::ff' }], proxies: [{ type: 'RANGE', value: '172.16.0.1' }] } as never,
    });
    zoneId = created.id;
    expect(zoneId).toMatch(/^nzo[0-9A-Za-z]{17}$/);
    expect(created).toMatchObject({ type: 'IP', name: 'Office', usage: 'POLICY', status: 'ACTIVE', system: false });
    const replaced: any = await client.networkZoneApi.replaceNetworkZone({ zoneId, zone: { type: 'IP', name: 'Head office', gateways: [{ type: 'CIDR', value: '10.1.0.0/16' }] } as never });
    expect(replaced.gateways).toEqual([{ type: 'CIDR', value: '10.1.0.0/16' }]);
    expect(replaced.proxies).toBeFalsy();
    expect(((await client.networkZoneApi.deactivateNetworkZone({ zoneId })) as any).status).toBe('INACTIVE');
    expect(((await client.networkZoneApi.activateNetworkZone({ zoneId })) as any).status).toBe('ACTIVE');
    expect(((await client.networkZoneApi.getNetworkZone({ zoneId })) as any).name).toBe('Head office');
  });

  it('refuses bad zones with a cause naming the entry', async () => {
    const bad = await call('/api/v1/zones', { method: 'POST', json: { type: 'IP', name: 'Bad', gateways: [{ type: 'CIDR', value: '10.0.0.0/8' }, { type: 'RANGE', value: '10.0.0.9-10.0.0.1' }] } });
    expect(bad.status).toBe(400);
    expect(bad.json.errorCode).toBe('E0000001');
    expect(causes(bad.json)).toEqual(['gateways.1.value: "10.0.0.9-10.0.0.1" starts after it ends']);
    const empty = await call('/api/v1/zones', { method: 'POST', json: { type: 'IP', name: 'Empty' } });
    expect(causes(empty.json)).toEqual(['gateways: an IP zone needs at least one gateway or proxy']);
    const dynamic = await call('/api/v1/zones', { method: 'POST', json: { type: 'DYNAMIC', name: 'Geo' } });
    expect(causes(dynamic.json)[0]).toMatch(/^type: must be IP/);
  });

  it('keeps system zones, and a zone a rule names', async () => {
    const legacy = (await call('/api/v1/zones?filter=usage%20eq%20%22POLICY%22')).json.find((z: any) => z.name === 'LegacyIpZone');
    const refused = await oktaError(client.networkZoneApi.deleteNetworkZone({ zoneId: legacy.id }));
    expect(refused.status).toBe(403);
    const renamed = await call(`/api/v1/zones/${legacy.id}`, { method: 'PUT', json: { type: 'IP', name: 'Mine', gateways: [] } });
    expect(causes(renamed.json)).toEqual(['name: a system zone keeps its name (LegacyIpZone)']);

    const signOn = (await call('/api/v1/policies?type=OKTA_SIGN_ON')).json[0];
    const rule = await call(`/api/v1/policies/${signOn.id}/rules`, {
      method: 'POST', json: { name: 'Office', conditions: { network: { connection: 'ZONE', include: [zoneId] } }, actions: { signon: { access: 'ALLOW' } } },
    });
    expect(rule.status).toBe(200);
    const inUse = await call(`/api/v1/zones/${zoneId}`, { method: 'DELETE' });
    expect(inUse.status).toBe(400);
    expect(causes(inUse.json)[0]).toContain(rule.json.id);
    expect((await call(`/api/v1/policies/${signOn.id}/rules/${rule.json.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/api/v1/zones/${zoneId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/api/v1/zones/${zoneId}`)).status).toBe(404);
  });
});

describe('policies', () => {
  it('gives every org a default policy of each type, system, with a default rule', async () => {
    for (const type of ['OKTA_SIGN_ON', 'PASSWORD', 'ACCESS_POLICY'] as const) {
      const policies = await collect(await client.policyApi.listPolicies({ type }));
      expect(policies.map((p: any) => [p.name, p.type, p.status, p.system, p.priority])).toEqual([['Default Policy', type, 'ACTIVE', true, 1]]);
      const rules = await collect(await client.policyApi.listPolicyRules({ policyId: policies[0]!.id! }));
      expect(rules).toHaveLength(1);
      expect(rules[0]).toMatchObject({ system: true, status: 'ACTIVE' });
    }
    const signOnRule = (await call(`/api/v1/policies/${(await call('/api/v1/policies?type=OKTA_SIGN_ON')).json[0].id}/rules`)).json[0];
    expect(signOnRule.actions.signon).toMatchObject({ access: 'ALLOW', requireFactor: false });
    expect((await call('/api/v1/policies')).status).toBe(400);
  });

  it('creates sign-on policies in priority order before the default, and renumbers on delete', async () => {
    const make = (name: string, priority?: number) => client.policyApi.createPolicy({
      policy: { type: 'OKTA_SIGN_ON', name, ...(priority ? { priority } : {}), conditions: { people: { groups: { include: [groupId] } } } } as never,
    });
    const a: any = await make('A');
    const b: any = await make('B', 1);
    const listed = async () => (await call('/api/v1/policies?type=OKTA_SIGN_ON')).json.map((p: any) => `${p.name}@${p.priority}`);
    expect(await listed()).toEqual(['B@1', 'A@2', 'Default Policy@3']);
    await client.policyApi.deactivatePolicy({ policyId: a.id });
    expect(((await client.policyApi.getPolicy({ policyId: a.id })) as any).status).toBe('INACTIVE');
    await client.policyApi.deletePolicy({ policyId: b.id });
    expect(await listed()).toEqual(['A@1', 'Default Policy@2']);
    await client.policyApi.deletePolicy({ policyId: a.id });
  });

  it('adds, replaces, orders, deactivates and deletes rules through the SDK', async () => {
    const policy: any = await client.policyApi.createPolicy({ policy: { type: 'ACCESS_POLICY', name: 'Strict apps' } as never });
    expect(policy).toMatchObject({ type: 'ACCESS_POLICY', status: 'ACTIVE', priority: 1 });
    const rules = await collect(await client.policyApi.listPolicyRules({ policyId: policy.id }));
    expect(rules).toHaveLength(0);
    const rule: any = await client.policyApi.createPolicyRule({
      policyId: policy.id,
      policyRule: { type: 'ACCESS_POLICY', name: 'MFA every 2h', conditions: { people: { groups: { include: [groupId] } } }, actions: { appSignOn: { access: 'ALLOW', verificationMethod: { type: 'ASSURANCE', factorMode: '2FA', reauthenticateIn: 'PT2H', constraints: [] } } } } as never,
    });
    expect(rule).toMatchObject({ type: 'ACCESS_POLICY', name: 'MFA every 2h', priority: 1, status: 'ACTIVE', system: false });
    expect(rule.actions.appSignOn.verificationMethod).toMatchObject({ factorMode: '2FA', reauthenticateIn: 'PT2H' });
    const first: any = await client.policyApi.createPolicyRule({
      policyId: policy.id, policyRule: { type: 'ACCESS_POLICY', name: 'Deny', priority: 1, actions: { appSignOn: { access: 'DENY' } } } as never,
    });
    expect(first.priority).toBe(1);
    expect(((await client.policyApi.getPolicyRule({ policyId: policy.id, ruleId: rule.id })) as any).priority).toBe(2);
    const replaced: any = await client.policyApi.replacePolicyRule({
      policyId: policy.id, ruleId: first.id, policyRule: { type: 'ACCESS_POLICY', name: 'Deny (renamed)', actions: { appSignOn: { access: 'DENY' } } } as never,
    });
    expect(replaced).toMatchObject({ name: 'Deny (renamed)', priority: 1 });
    await client.policyApi.deactivatePolicyRule({ policyId: policy.id, ruleId: first.id });
    expect(((await client.policyApi.getPolicyRule({ policyId: policy.id, ruleId: first.id })) as any).status).toBe('INACTIVE');
    await client.policyApi.deletePolicyRule({ policyId: policy.id, ruleId: first.id });
    // The SDK caches GETs by URL; read the moved rule past its cache.
    expect((await call(`/api/v1/policies/${policy.id}/rules/${rule.id}`)).json.priority).toBe(1);
    await client.policyApi.deletePolicy({ policyId: policy.id });
  });

  it('refuses bad bodies with causes naming the field, and references that do not exist', async () => {
    const signOn = (await call('/api/v1/policies?type=OKTA_SIGN_ON')).json[0];
    const post = (path: string, json: unknown) => call(path, { method: 'POST', json });
    const noGroups = await post('/api/v1/policies', { type: 'OKTA_SIGN_ON', name: 'x' });
    expect(causes(noGroups.json)).toEqual(['conditions.people.groups.include: name at least one group']);
    const unknownGroup = await post('/api/v1/policies', { type: 'PASSWORD', name: 'x', conditions: { people: { groups: { include: ['00gNoSuchGroup00000'] } } } });
    expect(causes(unknownGroup.json)).toEqual(['conditions.people.groups.include: no group 00gNoSuchGroup00000 in this org']);
    expect(causes((await post('/api/v1/policies', { type: 'MFA_ENROLL', name: 'x' })).json)[0]).toMatch(/^type: must be one of/);
    const badRule = await post(`/api/v1/policies/${signOn.id}/rules`, {
      name: 'x', conditions: { network: { connection: 'ZONE', include: ['nzoNoSuchZone000000'] }, people: { users: { include: ['00uNoSuchUser000000'] } } }, actions: { signon: { access: 'ALLOW' } },
    });
    expect(causes(badRule.json)).toEqual([
      'conditions.people.users.include: no user 00uNoSuchUser000000 in this org',
      'conditions.network.include: no POLICY zone nzoNoSuchZone000000 in this org',
    ]);
    const badAccess = await post(`/api/v1/policies/${signOn.id}/rules`, { name: 'x', actions: { signon: { access: 'MAYBE' } } });
    expect(causes(badAccess.json)).toEqual(['actions.signon.access: must be ALLOW or DENY']);
    const noPrompt = await post(`/api/v1/policies/${signOn.id}/rules`, { name: 'x', actions: { signon: { access: 'ALLOW', requireFactor: true } } });
    expect(causes(noPrompt.json)).toEqual(['actions.signon.factorPromptMode: is required when requireFactor is true']);
    const wrongKind = await post(`/api/v1/policies/${signOn.id}/rules`, { name: 'x', actions: { appSignOn: { access: 'ALLOW' } } });
    expect(causes(wrongKind.json)).toEqual(['actions.appSignOn: not an action of SIGN_ON rules', 'actions.signon: is required']);
    const access = (await call('/api/v1/policies?type=ACCESS_POLICY')).json[0];
    const badDuration = await post(`/api/v1/policies/${access.id}/rules`, { name: 'x', actions: { appSignOn: { access: 'ALLOW', verificationMethod: { type: 'ASSURANCE', factorMode: '3FA', reauthenticateIn: '2 hours' } } } });
    expect(causes(badDuration.json)).toEqual([
      'actions.appSignOn.verificationMethod.factorMode: must be 1FA or 2FA',
      'actions.appSignOn.verificationMethod.reauthenticateIn: must be an ISO 8601 duration such as PT2H or PT0S',
    ]);
    expect((await call(`/api/v1/policies/${signOn.id}/rules`, { method: 'POST', body: 'not json', headers: { 'content-type': 'application/json' } })).status).toBe(400);
  });

  it('keeps default policies and rules, and a policy apps use', async () => {
    const signOn = (await call('/api/v1/policies?type=OKTA_SIGN_ON')).json[0];
    const deleted = await call(`/api/v1/policies/${signOn.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(403);
    expect(causes(deleted.json)).toEqual(['The default policy cannot be deleted.']);
    expect((await call(`/api/v1/policies/${signOn.id}/lifecycle/deactivate`, { method: 'POST' })).status).toBe(403);
    const defaultRule = (await call(`/api/v1/policies/${signOn.id}/rules`)).json[0];
    expect((await call(`/api/v1/policies/${signOn.id}/rules/${defaultRule.id}`, { method: 'DELETE' })).status).toBe(403);

    const app = (await call('/api/v1/apps', { method: 'POST', json: { name: 'bookmark', label: 'Wiki', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://wiki.example.com' } } } })).json;
    const defaultAccess = (await call('/api/v1/policies?type=ACCESS_POLICY')).json[0];
    expect(app._links.accessPolicy.href).toBe(`${t.url}/api/v1/policies/${defaultAccess.id}`);
    const policy: any = await client.policyApi.createPolicy({ policy: { type: 'ACCESS_POLICY', name: 'Wiki policy' } as never });
    await client.applicationApi.assignApplicationPolicy({ appId: app.id, policyId: policy.id });
    expect((await call(`/api/v1/apps/${app.id}`)).json._links.accessPolicy.href).toBe(`${t.url}/api/v1/policies/${policy.id}`);
    expect((await call('/api/v1/apps')).json.find((a: any) => a.id === app.id)._links.accessPolicy.href).toContain(policy.id);
    expect((await call(`/api/v1/policies/${policy.id}/app`)).json.map((a: any) => a.id)).toEqual([app.id]);
    const inUse = await call(`/api/v1/policies/${policy.id}`, { method: 'DELETE' });
    expect(inUse.status).toBe(400);
    expect(causes(inUse.json)).toEqual([`policy: the app ${app.id} uses this policy; give it another first`]);
    const wrongType = await call(`/api/v1/apps/${app.id}/policies/${signOn.id}`, { method: 'PUT' });
    expect(causes(wrongType.json)[0]).toContain('is a OKTA_SIGN_ON policy');
    expect((await call(`/api/v1/apps/0oaNoSuchApp0000000/policies/${policy.id}`, { method: 'PUT' })).status).toBe(404);
    await client.applicationApi.assignApplicationPolicy({ appId: app.id, policyId: defaultAccess.id });
    expect((await call(`/api/v1/policies/${policy.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('records policy, rule and zone changes in the system log', async () => {
    const events = (await call('/api/v1/logs?since=2000-01-01T00:00:00Z&limit=1000')).json.map((e: any) => e.eventType);
    for (const type of ['zone.create', 'zone.update', 'zone.delete', 'policy.lifecycle.create', 'policy.lifecycle.delete', 'policy.rule.add', 'policy.rule.update', 'policy.rule.delete', 'application.policy.sign_on.update']) {
      expect(events, type).toContain(type);
    }
  });
});
