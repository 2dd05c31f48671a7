/**
 * Sign-on policy evaluation: which rule applies to a user signing in from an address, and what it
 * asks for. Policies are read by priority, ACTIVE ones only; the first whose conditions match and
 * that has a matching ACTIVE rule decides (a policy without a matching rule hands over to the
 * next). The org's OKTA_SIGN_ON policies always apply; an app's ACCESS_POLICY applies on top, and
 * the two combine strictly. Pure: the caller supplies the records and the facts.
 */
import { ipInZone, type NetworkZone } from './network-zone.ts';
import { allZones, parseDuration, type IncludeExclude, type OrgPolicy, type OrgPolicyRule, type RuleConditions } from './policy.ts';

export interface SignOnFacts {
  readonly userId: string;
  readonly groupIds: readonly string[];
  readonly ip: string;
  /** Every zone of the org; INACTIVE ones never match. */
  readonly zones: readonly NetworkZone[];
}

export interface PolicyWithRules {
  readonly policy: OrgPolicy;
  readonly rules: readonly OrgPolicyRule[];
}

export interface MatchedRule {
  readonly policyId: string;
  readonly policyName: string;
  readonly ruleId: string;
  readonly ruleName: string;
}

export interface SignOnDecision {
  readonly access: 'ALLOW' | 'DENY';
  readonly factorMode: '1FA' | '2FA';
  /** Seconds after which the user must authenticate again for this (app) sign-on; null = session lifetime. */
  readonly reauthenticateSeconds: number | null;
  /** For the system log and error messages. */
  readonly matched: readonly MatchedRule[];
  /** When denied: why ('BLOCKLIST_ZONE', 'POLICY_RULE', or 'NO_MATCHING_RULE' when no rule applies). */
  readonly denyReason?: string;
  /** The session limits of the matched OKTA_SIGN_ON rule. */
  readonly session?: { readonly maxSessionIdleMinutes: number; readonly maxSessionLifetimeMinutes: number };
}

function included(list: IncludeExclude | undefined, has: (id: string) => boolean): boolean {
  if (!list) return true;
  if (list.exclude.some(has)) return false;
  return list.include.length === 0 || list.include.some(has);
}

function zoneMatches(id: string, facts: SignOnFacts): boolean {
  const active = facts.zones.filter((z) => z.status === 'ACTIVE' && z.usage === 'POLICY');
  if (id === allZones) return active.some((z) => ipInZone(facts.ip, z));
  const zone = active.find((z) => z.id === id);
  return zone !== undefined && ipInZone(facts.ip, zone);
}

/** True when a rule's people and network conditions hold for the facts. */
export function conditionsMatch(conditions: RuleConditions, facts: SignOnFacts): boolean {
  const inGroup = (id: string) => facts.groupIds.includes(id);
  if (!included(conditions.people?.users, (id) => id === facts.userId)) return false;
  if (!included(conditions.people?.groups, inGroup)) return false;
  const network = conditions.network;
  if (network && network.connection === 'ZONE') {
    if (network.exclude.some((id) => zoneMatches(id, facts))) return false;
    if (network.include.length > 0 && !network.include.some((id) => zoneMatches(id, facts))) return false;
  }
  return true;
}

/** True when the policy is for the user (OKTA_SIGN_ON and PASSWORD name groups; ACCESS_POLICY has no condition). */
export function policyApplies(policy: OrgPolicy, groupIds: readonly string[]): boolean {
  return included(policy.conditions?.people?.groups, (id) => groupIds.includes(id));
}

const byPriority = <T extends { priority: number }>(items: readonly T[]) => [...items].sort((a, b) => a.priority - b.priority);

/** The first ACTIVE rule of the first ACTIVE policy (both by priority) that matches the facts. */
export function firstMatchingRule(policies: readonly PolicyWithRules[], facts: SignOnFacts): { policy: OrgPolicy; rule: OrgPolicyRule } | undefined {
  for (const { policy, rules } of byPriority(policies.map((p) => ({ ...p, priority: p.policy.priority })))) {
    if (policy.status !== 'ACTIVE' || !policyApplies(policy, facts.groupIds)) continue;
    const rule = byPriority(rules).find((r) => r.status === 'ACTIVE' && conditionsMatch(r.conditions, facts));
    if (rule) return { policy, rule };
  }
  return undefined;
}

/** The ACTIVE BLOCKLIST zone the address is in, if any. */
export function blockingZone(ip: string, zones: readonly NetworkZone[]): NetworkZone | undefined {
  return zones.find((z) => z.status === 'ACTIVE' && z.usage === 'BLOCKLIST' && ipInZone(ip, z));
}

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const matchOf = (policy: OrgPolicy, rule: OrgPolicyRule): MatchedRule => ({ policyId: policy.id, policyName: policy.name, ruleId: rule.id, ruleName: rule.name });

/**
 * Decides a sign-in: a blocked address is denied first; then the org's sign-on rule and, for an
 * app, its app sign-on rule, combined strictly — any DENY denies, any 2FA requires 2FA, the
 * shortest re-authentication wins. A sign-on rule's `factorLifetime` is how long a second factor
 * lasts, so it counts as re-authentication when the rule requires one (`ALWAYS` prompts: 0).
 */
export function decideSignOn(orgPolicies: readonly PolicyWithRules[], appPolicy: PolicyWithRules | undefined, facts: SignOnFacts): SignOnDecision {
  if (blockingZone(facts.ip, facts.zones)) {
    return { access: 'DENY', factorMode: '1FA', reauthenticateSeconds: null, matched: [], denyReason: 'BLOCKLIST_ZONE' };
  }
  const org = firstMatchingRule(orgPolicies, facts);
  const app = appPolicy ? firstMatchingRule([appPolicy], facts) : undefined;
  const matched = [org, app].filter((m) => m !== undefined).map((m) => matchOf(m.policy, m.rule));
  if (!org || (appPolicy && !app)) {
    return { access: 'DENY', factorMode: '1FA', reauthenticateSeconds: null, matched, denyReason: 'NO_MATCHING_RULE' };
  }
  const signon = org.rule.actions.signon;
  let access: 'ALLOW' | 'DENY' = signon?.access ?? 'ALLOW';
  let twoFactor = signon?.requireFactor ?? false;
  let reauthenticate: number | null = null;
  if (signon?.requireFactor) {
    if (signon.factorPromptMode === 'ALWAYS') reauthenticate = 0;
    else if (signon.factorLifetime !== undefined) reauthenticate = signon.factorLifetime * 60;
  }
  const appSignOn = app?.rule.actions.appSignOn;
  if (appSignOn) {
    if (appSignOn.access === 'DENY') access = 'DENY';
    if (appSignOn.verificationMethod.factorMode === '2FA') twoFactor = true;
    const reauthenticateIn = appSignOn.verificationMethod.reauthenticateIn;
    if (reauthenticateIn !== undefined) reauthenticate = minOf(reauthenticate, parseDuration(reauthenticateIn) ?? null);
  }
  return {
    access, factorMode: twoFactor ? '2FA' : '1FA', reauthenticateSeconds: reauthenticate, matched,
    ...(access === 'DENY' ? { denyReason: 'POLICY_RULE' } : {}),
    ...(signon ? { session: { maxSessionIdleMinutes: signon.session.maxSessionIdleMinutes, maxSessionLifetimeMinutes: signon.session.maxSessionLifetimeMinutes } } : {}),
  };
}

/** The first ACTIVE PASSWORD policy (by priority) whose groups include one of the user's, else the default. */
export function choosePasswordPolicy(policies: readonly OrgPolicy[], groupIds: readonly string[]): OrgPolicy | undefined {
  const ordered = byPriority(policies.filter((p) => p.type === 'PASSWORD'));
  return ordered.find((p) => !p.system && p.status === 'ACTIVE' && (p.conditions?.people?.groups?.include ?? []).some((g) => groupIds.includes(g))
    && policyApplies(p, groupIds)) ?? ordered.find((p) => p.system);
}
