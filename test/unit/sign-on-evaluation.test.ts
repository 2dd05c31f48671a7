/** Sign-on policy evaluation: rule order, people and zone conditions, blocklists, org + app combination, durations. */
import { describe, expect, it } from 'vitest';
import type { NetworkZone } from '../../src/domain/network-zone.ts';
import { orderByPriority, parseDuration, type OrgPolicy, type OrgPolicyRule, type SignOnActions } from '../../src/domain/policy.ts';
import { choosePasswordPolicy, decideSignOn, type PolicyWithRules, type SignOnFacts } from '../../src/domain/sign-on-evaluation.ts';

const office: NetworkZone = { id: 'nzoOffice', type: 'IP', name: 'Office', status: 'ACTIVE', usage: 'POLICY', system: false, gateways: [{ type: 'CIDR', value: '10.0.0.0/8' }], proxies: null };
const blocked: NetworkZone = { id: 'nzoBlocked', type: 'IP', name: 'BlockedIpZone', status: 'ACTIVE', usage: 'BLOCKLIST', system: true, gateways: [{ type: 'RANGE', value: '203.0.113.1-203.0.113.9' }], proxies: null };

const facts = (over: Partial<SignOnFacts> = {}): SignOnFacts => ({ userId: '00uAlice', groupIds: ['00gEveryone'], ip: '198.51.100.1', zones: [office, blocked], ...over });

const signon = (over: Partial<SignOnActions> = {}): { signon: SignOnActions } => ({
  signon: { access: 'ALLOW', requireFactor: false, rememberDeviceByDefault: false, session: { maxSessionIdleMinutes: 120, maxSessionLifetimeMinutes: 0, usePersistentCookie: false }, ...over },
});

let counter = 0;
function rule(over: Partial<OrgPolicyRule>): OrgPolicyRule {
  counter++;
  return { id: `0pr${counter}`, policyId: 'p', type: 'SIGN_ON', name: `rule ${counter}`, status: 'ACTIVE', priority: counter, system: false, conditions: {}, actions: signon(), ...over };
}

function policy(over: Partial<OrgPolicy>, rules: OrgPolicyRule[]): PolicyWithRules {
  const p: OrgPolicy = { id: `00p${++counter}`, type: 'OKTA_SIGN_ON', name: `policy ${counter}`, description: null, status: 'ACTIVE', priority: 1, system: false, conditions: { people: { groups: { include: ['00gEveryone'], exclude: [] } } }, settings: null, ...over };
  return { policy: p, rules: rules.map((r) => ({ ...r, policyId: p.id })) };
}

const defaultOrg = () => policy({ name: 'Default Policy', system: true, priority: 99 }, [rule({ name: 'Default Rule', system: true, priority: 99 })]);

describe('decideSignOn', () => {
  it('takes the first ACTIVE rule by priority, skipping inactive rules and policies', () => {
    const first = policy({ priority: 1 }, [
      rule({ name: 'inactive deny', priority: 1, status: 'INACTIVE', actions: signon({ access: 'DENY' }) }),
      rule({ name: 'mfa', priority: 2, actions: signon({ requireFactor: true, factorPromptMode: 'SESSION', factorLifetime: 15 }) }),
      rule({ name: 'deny', priority: 3, actions: signon({ access: 'DENY' }) }),
    ]);
    const inactive = policy({ priority: 0, status: 'INACTIVE' }, [rule({ name: 'never', actions: signon({ access: 'DENY' }) })]);
    const decision = decideSignOn([defaultOrg(), first, inactive], undefined, facts());
    expect(decision).toMatchObject({ access: 'ALLOW', factorMode: '2FA', reauthenticateSeconds: 900 });
    expect(decision.matched.map((m) => m.ruleName)).toEqual(['mfa']);
    expect(decision.denyReason).toBeUndefined();
  });

  it('reads people conditions: users and groups, include and exclude', () => {
    const p = policy({}, [
      rule({ name: 'bob denied', priority: 1, conditions: { people: { users: { include: ['00uBob'], exclude: [] } } }, actions: signon({ access: 'DENY' }) }),
      rule({ name: 'admins but not alice', priority: 2, conditions: { people: { groups: { include: ['00gAdmins'], exclude: [] }, users: { include: [], exclude: ['00uAlice'] } } }, actions: signon({ access: 'DENY' }) }),
      rule({ name: 'contractors excluded', priority: 3, conditions: { people: { groups: { include: [], exclude: ['00gContractors'] } } }, actions: signon({ requireFactor: true, factorPromptMode: 'ALWAYS' }) }),
    ]);
    const name = (f: SignOnFacts) => decideSignOn([p, defaultOrg()], undefined, f).matched[0]!.ruleName;
    expect(name(facts({ userId: '00uBob' }))).toBe('bob denied');
    expect(name(facts({ userId: '00uCarol', groupIds: ['00gEveryone', '00gAdmins'] }))).toBe('admins but not alice');
    expect(name(facts({ groupIds: ['00gEveryone', '00gAdmins'] }))).toBe('contractors excluded');
    expect(name(facts({ groupIds: ['00gEveryone', '00gContractors'] }))).toBe('Default Rule');
    expect(decideSignOn([p, defaultOrg()], undefined, facts())).toMatchObject({ factorMode: '2FA', reauthenticateSeconds: 0 });
  });

  it('applies a policy only to its groups, and hands over to the next policy when no rule matches', () => {
    const admins = policy({ priority: 1, conditions: { people: { groups: { include: ['00gAdmins'], exclude: [] } } } }, [rule({ name: 'admins mfa', actions: signon({ requireFactor: true, factorPromptMode: 'ALWAYS' }) })]);
    const officeOnly = policy({ priority: 2 }, [rule({ name: 'office only', conditions: { network: { connection: 'ZONE', include: ['nzoOffice'], exclude: [] } } })]);
    expect(decideSignOn([admins, officeOnly, defaultOrg()], undefined, facts()).matched[0]!.ruleName).toBe('Default Rule');
    expect(decideSignOn([admins, officeOnly, defaultOrg()], undefined, facts({ ip: '10.2.3.4' })).matched[0]!.ruleName).toBe('office only');
    expect(decideSignOn([admins, officeOnly, defaultOrg()], undefined, facts({ ip: '10.2.3.4', groupIds: ['00gEveryone', '00gAdmins'] })).matched[0]!.ruleName).toBe('admins mfa');
  });

  it('reads zone conditions: include, exclude, ALL_ZONES, and inactive zones that never match', () => {
    const outside = policy({}, [rule({ name: 'outside office: mfa', conditions: { network: { connection: 'ZONE', include: [], exclude: ['nzoOffice'] } }, actions: signon({ requireFactor: true, factorPromptMode: 'ALWAYS' }) })]);
    const anyZone = policy({ priority: 2 }, [rule({ name: 'in any zone', conditions: { network: { connection: 'ZONE', include: ['ALL_ZONES'], exclude: [] } } })]);
    const decide = (f: SignOnFacts) => decideSignOn([outside, anyZone, defaultOrg()], undefined, f).matched[0]!.ruleName;
    expect(decide(facts())).toBe('outside office: mfa');
    expect(decide(facts({ ip: '10.9.9.9' }))).toBe('in any zone');
    expect(decide(facts({ ip: '::ffff:10.9.9.9' }))).toBe('in any zone');
    const inactiveOffice = { ...office, status: 'INACTIVE' as const };
    expect(decide(facts({ ip: '10.9.9.9', zones: [inactiveOffice] }))).toBe('outside office: mfa');
  });

  it('denies an address in an ACTIVE blocklist zone before any policy, and not when the blocklist is inactive', () => {
    expect(decideSignOn([defaultOrg()], undefined, facts({ ip: '203.0.113.5' }))).toEqual({
      access: 'DENY', factorMode: '1FA', reauthenticateSeconds: null, matched: [], denyReason: 'BLOCKLIST_ZONE',
    });
    expect(decideSignOn([defaultOrg()], undefined, facts({ ip: '203.0.113.5', zones: [{ ...blocked, status: 'INACTIVE' }] })).access).toBe('ALLOW');
  });

  it('says which rule denied, and denies when no rule applies', () => {
    const deny = policy({}, [rule({ name: 'nobody', actions: signon({ access: 'DENY' }) })]);
    expect(decideSignOn([deny, defaultOrg()], undefined, facts())).toMatchObject({ access: 'DENY', denyReason: 'POLICY_RULE', matched: [{ ruleName: 'nobody' }] });
    expect(decideSignOn([], undefined, facts())).toMatchObject({ access: 'DENY', denyReason: 'NO_MATCHING_RULE' });
  });

  it('combines the org rule and the app rule strictly', () => {
    const app = (factorMode: '1FA' | '2FA', reauthenticateIn: string | undefined, access: 'ALLOW' | 'DENY' = 'ALLOW') => policy(
      { type: 'ACCESS_POLICY', conditions: null },
      [rule({ type: 'ACCESS_POLICY', name: `app ${factorMode} ${reauthenticateIn}`, actions: { appSignOn: { access, verificationMethod: { type: 'ASSURANCE', factorMode, constraints: [], ...(reauthenticateIn ? { reauthenticateIn } : {}) } } } })],
    );
    const orgMfa = policy({}, [rule({ actions: signon({ requireFactor: true, factorPromptMode: 'SESSION', factorLifetime: 60 }) })]);
    expect(decideSignOn([defaultOrg()], app('2FA', 'PT2H'), facts())).toMatchObject({ access: 'ALLOW', factorMode: '2FA', reauthenticateSeconds: 7200 });
    expect(decideSignOn([orgMfa], app('1FA', 'PT2H'), facts())).toMatchObject({ factorMode: '2FA', reauthenticateSeconds: 3600 });
    expect(decideSignOn([orgMfa], app('1FA', 'PT30M'), facts())).toMatchObject({ factorMode: '2FA', reauthenticateSeconds: 1800 });
    expect(decideSignOn([defaultOrg()], app('1FA', undefined), facts())).toMatchObject({ factorMode: '1FA', reauthenticateSeconds: null });
    expect(decideSignOn([defaultOrg()], app('1FA', 'PT0S'), facts())).toMatchObject({ reauthenticateSeconds: 0 });
    const denied = decideSignOn([defaultOrg()], app('1FA', undefined, 'DENY'), facts());
    expect(denied).toMatchObject({ access: 'DENY', denyReason: 'POLICY_RULE' });
    expect(denied.matched.map((m) => m.ruleName)).toEqual(['Default Rule', 'app 1FA undefined']);
    const orgDeny = policy({}, [rule({ actions: signon({ access: 'DENY' }) })]);
    expect(decideSignOn([orgDeny], app('1FA', undefined), facts())).toMatchObject({ access: 'DENY' });
  });
});

describe('parseDuration', () => {
  it.each([['PT2H', 7200], ['PT0S', 0], ['PT30M', 1800], ['P1D', 86400], ['P1DT1H1M1S', 90061], ['PT43800H', 157680000]] as const)('%s = %i s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
  it.each(['', 'P', 'PT', '2H', 'PT2h', 'P1W', 'PT-1H', 'PT1.5H', 'P1Y'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('choosePasswordPolicy and orderByPriority', () => {
  const pw = (over: Partial<OrgPolicy>): OrgPolicy => ({ id: `00p${++counter}`, type: 'PASSWORD', name: 'x', description: null, status: 'ACTIVE', priority: 1, system: false, conditions: null, settings: null, ...over });
  it('takes the first active group policy by priority, else the default', () => {
    const fallback = pw({ system: true, priority: 3 });
    const strict = pw({ priority: 2, conditions: { people: { groups: { include: ['00gAdmins'], exclude: [] } } } });
    const off = pw({ priority: 1, status: 'INACTIVE', conditions: { people: { groups: { include: ['00gAdmins'], exclude: [] } } } });
    expect(choosePasswordPolicy([fallback, strict, off], ['00gAdmins'])).toBe(strict);
    expect(choosePasswordPolicy([fallback, strict, off], ['00gOthers'])).toBe(fallback);
  });

  it('keeps priorities 1…n with the default last', () => {
    const a = { id: 'a', priority: 1, system: false };
    const b = { id: 'b', priority: 2, system: false };
    const d = { id: 'd', priority: 3, system: true };
    const order = (wanted: number | undefined) => orderByPriority([a, b, d], { id: 'n', priority: 0, system: false }, wanted).map((x) => `${x.id}${x.priority}`);
    expect(order(1)).toEqual(['n1', 'a2', 'b3', 'd4']);
    expect(order(2)).toEqual(['a1', 'n2', 'b3', 'd4']);
    expect(order(undefined)).toEqual(['a1', 'b2', 'n3', 'd4']);
    expect(order(50)).toEqual(['a1', 'b2', 'n3', 'd4']);
  });
});
