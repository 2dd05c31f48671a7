/**
 * Policies, rules, app policy choices and network zones on both dialects: round trips with
 * timestamps, ordering by priority, one default per kind, deleting a policy with its rules — and
 * that org B can neither find, list, change nor delete org A's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/services/ports.ts';
import type { OrgPolicy, OrgPolicyRule } from '../../src/domain/policy.ts';
import type { NetworkZone } from '../../src/domain/network-zone.ts';
import { at, openTestStore, seedTwoOrgs, type TestStore, type TwoOrgs } from './store-fixture.ts';

let t: TestStore;
let o: TwoOrgs;

beforeAll(async () => {
  t = await openTestStore();
  o = await seedTwoOrgs(t.store);
});
afterAll(async () => t?.cleanup());

const policy = (id: string, priority: number, over: Partial<OrgPolicy> = {}): OrgPolicy => ({
  id, type: 'OKTA_SIGN_ON', name: `Policy ${id}`, description: null, status: 'ACTIVE', priority, system: false,
  conditions: { people: { groups: { include: ['00gA'], exclude: [] } } }, settings: null, ...over,
});
const rule = (id: string, policyId: string, priority: number): OrgPolicyRule => ({
  id, policyId, type: 'SIGN_ON', name: `Rule ${id}`, status: 'ACTIVE', priority, system: false, conditions: {},
  actions: { signon: { access: 'ALLOW', requireFactor: false, rememberDeviceByDefault: false, session: { maxSessionIdleMinutes: 120, maxSessionLifetimeMinutes: 0, usePersistentCookie: false } } },
});
const zone = (id: string): NetworkZone => ({ id, type: 'IP', name: `Zone ${id}`, status: 'ACTIVE', usage: 'POLICY', system: false, gateways: [{ type: 'CIDR', value: '10.0.0.0/8' }], proxies: null });

describe('policies', () => {
  it('round-trips policies and rules with timestamps, ordered by priority', async () => {
    await o.a.policies.insert(policy('00pSecond', 2), at(0));
    await o.a.policies.insert(policy('00pFirst', 1), at(1));
    await o.a.policies.insert(policy('00pPassword', 1, { type: 'PASSWORD' }), at(2));
    expect((await o.a.policies.list('OKTA_SIGN_ON')).map((p) => p.id)).toEqual(['00pFirst', '00pSecond']);
    expect(await o.a.policies.findById('00pFirst')).toEqual({ ...policy('00pFirst', 1), created: at(1), lastUpdated: at(1) });
    await o.a.policies.update({ ...policy('00pFirst', 3), name: 'Renamed' }, at(5));
    expect(await o.a.policies.findById('00pFirst')).toMatchObject({ name: 'Renamed', priority: 3, created: at(1), lastUpdated: at(5) });
    expect((await o.a.policies.list('OKTA_SIGN_ON')).map((p) => p.id)).toEqual(['00pSecond', '00pFirst']);

    await o.a.policies.insertRule(rule('0prTwo', '00pSecond', 2), at(0));
    await o.a.policies.insertRule(rule('0prOne', '00pSecond', 1), at(0));
    await o.a.policies.insertRule(rule('0prOther', '00pFirst', 1), at(0));
    expect((await o.a.policies.listRules('00pSecond')).map((r) => r.id)).toEqual(['0prOne', '0prTwo']);
    expect((await o.a.policies.listRules()).map((r) => r.id).sort()).toEqual(['0prOne', '0prOther', '0prTwo']);
    expect(await o.a.policies.findRule('00pFirst', '0prOne')).toBeUndefined();
    await o.a.policies.updateRule({ ...rule('0prOne', '00pSecond', 3), name: 'Moved' }, at(9));
    expect(await o.a.policies.findRule('00pSecond', '0prOne')).toMatchObject({ name: 'Moved', priority: 3, lastUpdated: at(9) });
  });

  it('keeps one default per type, and deletes a policy with its rules', async () => {
    await o.a.policies.insert(policy('00pDefault1', 9, { system: true }), at(0), 'OKTA_SIGN_ON');
    await expect(o.a.policies.insert(policy('00pDefault2', 9, { system: true }), at(0), 'OKTA_SIGN_ON')).rejects.toBeInstanceOf(UniqueViolation);
    await o.b.policies.insert(policy('00pDefaultB', 9, { system: true }), at(0), 'OKTA_SIGN_ON');
    expect(await o.a.policies.delete('00pSecond')).toBe(true);
    expect(await o.a.policies.listRules('00pSecond')).toEqual([]);
    expect(await o.a.policies.delete('00pSecond')).toBe(false);
  });

  it('records which policy an app uses, replacing the earlier choice', async () => {
    const id = '0oaWiki';
    await t.db.insertInto('apps').values({
      org_id: o.orgA.id, id, name: 'bookmark', label: 'Wiki', label_key: 'wiki', status: 'ACTIVE', sign_on_mode: 'BOOKMARK', client_id: null,
      settings: '{}', credentials: '{}', visibility: '{}', accessibility: '{}', created: at(0), last_updated: at(0),
    }).execute();
    await o.a.policies.insert(policy('00pApps', 1, { type: 'ACCESS_POLICY', conditions: null }), at(0));
    await o.a.policies.assignApp(id, '00pFirst', at(0));
    await o.a.policies.assignApp(id, '00pApps', at(1));
    expect(await o.a.policies.policyOfApp(id)).toBe('00pApps');
    expect(await o.a.policies.policiesOfApps([id, '0oaNone'])).toEqual(new Map([[id, '00pApps']]));
    expect(await o.a.policies.appsOfPolicy('00pApps')).toEqual([id]);
    expect(await o.a.policies.appsOfPolicy('00pFirst')).toEqual([]);
    expect(await o.b.policies.policyOfApp(id)).toBeUndefined();
    expect(await o.b.policies.appsOfPolicy('00pApps')).toEqual([]);
  });

  it('never shows, changes or deletes another org\'s policies and rules', async () => {
    expect(await o.b.policies.findById('00pFirst')).toBeUndefined();
    expect((await o.b.policies.list()).map((p) => p.id)).toEqual(['00pDefaultB']);
    expect(await o.b.policies.listRules()).toEqual([]);
    expect(await o.b.policies.findRule('00pFirst', '0prOther')).toBeUndefined();
    await o.b.policies.update({ ...policy('00pFirst', 1), name: 'Hijacked' }, at(20));
    await o.b.policies.updateRule({ ...rule('0prOther', '00pFirst', 1), name: 'Hijacked' }, at(20));
    expect(await o.b.policies.deleteRule('00pFirst', '0prOther')).toBe(false);
    expect(await o.b.policies.delete('00pFirst')).toBe(false);
    expect(await o.a.policies.findById('00pFirst')).toMatchObject({ name: 'Renamed' });
    expect(await o.a.policies.findRule('00pFirst', '0prOther')).toMatchObject({ name: 'Rule 0prOther' });
  });
});

describe('networkZones', () => {
  it('round-trips zones, keeps one of each default, and isolates orgs', async () => {
    await o.a.networkZones.insert(zone('nzoOffice'), at(0));
    await o.a.networkZones.insert({ ...zone('nzoLegacy'), system: true, name: 'LegacyIpZone', gateways: null }, at(0), 'LegacyIpZone');
    await expect(o.a.networkZones.insert({ ...zone('nzoLegacy2'), system: true }, at(0), 'LegacyIpZone')).rejects.toBeInstanceOf(UniqueViolation);
    await o.b.networkZones.insert({ ...zone('nzoLegacyB'), system: true }, at(0), 'LegacyIpZone');
    expect(await o.a.networkZones.findById('nzoOffice')).toEqual({ ...zone('nzoOffice'), created: at(0), lastUpdated: at(0) });
    await o.a.networkZones.update({ ...zone('nzoOffice'), status: 'INACTIVE', usage: 'BLOCKLIST' }, at(3));
    expect(await o.a.networkZones.findById('nzoOffice')).toMatchObject({ status: 'INACTIVE', usage: 'BLOCKLIST', lastUpdated: at(3) });

    expect(await o.b.networkZones.findById('nzoOffice')).toBeUndefined();
    expect((await o.b.networkZones.list()).map((z) => z.id)).toEqual(['nzoLegacyB']);
    await o.b.networkZones.update({ ...zone('nzoOffice'), name: 'Hijacked' }, at(4));
    expect(await o.b.networkZones.delete('nzoOffice')).toBe(false);
    expect(await o.a.networkZones.findById('nzoOffice')).toMatchObject({ name: 'Zone nzoOffice' });
    expect(await o.a.networkZones.delete('nzoOffice')).toBe(true);
    expect((await o.a.networkZones.list()).map((z) => z.id)).toEqual(['nzoLegacy']);
  });
});
