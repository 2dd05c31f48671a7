/**
 * Authorization servers (Okta's API Access Management): scopes, claims, access policies and their
 * rules, and the evaluation that decides whether a client may get a token for a user, with which
 * scopes and lifetimes. Pure: the caller supplies the records and the facts.
 */
import { z } from 'zod';

/** The org authorization server's internal id: it has no record of its own in Okta's API. */
export const orgAuthorizationServerId = 'org';
export const defaultAuthorizationServerId = 'default';

export interface AuthorizationServer {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  readonly description: string;
  readonly audiences: readonly string[];
  readonly issuerMode: 'ORG_URL' | 'CUSTOM_URL' | 'DYNAMIC';
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly signing: SigningSettings;
  readonly created: string;
  readonly lastUpdated: string;
}

export const signingSettingsSchema = z.object({
  rotationMode: z.enum(['AUTO', 'MANUAL']).default('AUTO'),
  alg: z.enum(['RS256', 'ES256']).default('RS256'),
  /** Days an active key signs before automatic rotation replaces it. */
  rotationIntervalDays: z.number().int().min(1).max(365).default(90),
});
export type SigningSettings = z.output<typeof signingSettingsSchema>;

export const scopeSchema = z.object({
  name: z.string().trim().min(1).max(300).regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'may contain only printable ASCII without spaces, quotes or backslashes'),
  displayName: z.string().max(300).nullish(),
  description: z.string().max(1000).nullish(),
  consent: z.enum(['IMPLICIT', 'REQUIRED', 'FLEXIBLE']).default('IMPLICIT'),
  default: z.boolean().default(false),
  metadataPublish: z.enum(['ALL_CLIENTS', 'NO_CLIENTS']).default('NO_CLIENTS'),
  optional: z.boolean().default(false),
});
export type ScopeInput = z.output<typeof scopeSchema>;
export interface Scope extends ScopeInput {
  readonly id: string;
  readonly system: boolean;
}

const groupFilterTypes = ['STARTS_WITH', 'EQUALS', 'CONTAINS', 'REGEX'] as const;

export const claimSchema = z.object({
  name: z.string().trim().min(1).max(100).regex(/^[A-Za-z_][A-Za-z0-9_:.-]*$/, 'must start with a letter or _ and use letters, digits, _ : . -'),
  status: z.enum(['ACTIVE', 'INACTIVE']).default('ACTIVE'),
  claimType: z.enum(['RESOURCE', 'IDENTITY']),
  valueType: z.enum(['EXPRESSION', 'GROUPS']),
  value: z.string().min(1).max(4096),
  group_filter_type: z.enum(groupFilterTypes).optional(),
  alwaysIncludeInToken: z.boolean().default(true),
  conditions: z.object({ scopes: z.array(z.string()).default([]) }).default({ scopes: [] }),
}).refine((c) => c.valueType !== 'GROUPS' || c.group_filter_type !== undefined, {
  message: 'a GROUPS claim needs group_filter_type', path: ['group_filter_type'],
});
export type ClaimInput = z.output<typeof claimSchema>;
export interface Claim extends ClaimInput {
  readonly id: string;
  readonly system: boolean;
}

/** Names a custom claim may not take: the token's own. */
export const reservedClaimNames = new Set([
  'iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'at_hash', 'c_hash', 's_hash',
  'cid', 'uid', 'scp', 'ver', 'idp', 'cnf', 'client_id', 'scope', 'sid', 'token_type',
]);

export const policySchema = z.object({
  name: z.string().trim().min(1).max(255),
  description: z.string().max(1000).default(''),
  status: z.enum(['ACTIVE', 'INACTIVE']).default('ACTIVE'),
  priority: z.number().int().min(1).optional(),
  conditions: z.object({ clients: z.object({ include: z.array(z.string()).min(1) }) }),
});
export type PolicyInput = z.output<typeof policySchema>;
export interface Policy extends Omit<PolicyInput, 'priority'> {
  readonly id: string;
  readonly type: 'OAUTH_AUTHORIZATION_POLICY';
  readonly priority: number;
  readonly system: boolean;
}

const includeExclude = z.object({ include: z.array(z.string()).default([]), exclude: z.array(z.string()).default([]) });

export const ruleSchema = z.object({
  name: z.string().trim().min(1).max(255),
  status: z.enum(['ACTIVE', 'INACTIVE']).default('ACTIVE'),
  priority: z.number().int().min(1).optional(),
  conditions: z.object({
    people: z.object({ users: includeExclude.optional(), groups: includeExclude.optional() }).default({}),
    grantTypes: z.object({ include: z.array(z.string()).min(1) }),
    scopes: z.object({ include: z.array(z.string()).min(1) }),
  }),
  actions: z.object({
    token: z.object({
      accessTokenLifetimeMinutes: z.number().int().min(5).max(1440).default(60),
      refreshTokenLifetimeMinutes: z.number().int().min(0).max(5 * 365 * 1440).default(0),
      refreshTokenWindowMinutes: z.number().int().min(5).max(5 * 365 * 1440).default(10080),
    }).default({ accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 }),
  }).default({ token: { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } }),
});
export type RuleInput = z.output<typeof ruleSchema>;
export interface Rule extends Omit<RuleInput, 'priority'> {
  readonly id: string;
  readonly policyId: string;
  readonly type: 'RESOURCE_ACCESS';
  readonly priority: number;
  readonly system: boolean;
}

/** Scopes every authorization server has (Okta's system scopes). */
export const systemScopes: readonly { name: string; description: string; displayName: string }[] = [
  { name: 'openid', displayName: 'openid', description: 'Signals that a request is an OpenID request.' },
  { name: 'profile', displayName: 'profile', description: 'Allows this application to access your profile information.' },
  { name: 'email', displayName: 'email', description: 'Allows this application to access your email address.' },
  { name: 'address', displayName: 'address', description: 'Allows this application to access your address.' },
  { name: 'phone', displayName: 'phone', description: 'Allows this application to access your phone number.' },
  { name: 'offline_access', displayName: 'offline_access', description: 'Allows this application to keep you signed in.' },
  { name: 'device_sso', displayName: 'device_sso', description: 'Allows this application to share sign-in across native apps on a device.' },
];

/** What the policy engine knows about a request. */
export interface PolicyRequest {
  readonly clientId: string;
  readonly grantType: string;
  /** The user, absent for client credentials. */
  readonly user?: { readonly id: string; readonly groupIds: readonly string[] };
  readonly requestedScopes: readonly string[];
}

export type PolicyDecision =
  | { readonly ok: true; readonly policy: Policy; readonly rule: Rule; readonly scopes: string[] }
  | { readonly ok: false; readonly reason: 'no_policy' | 'no_rule' };

/** Okta's wording for a request no policy or rule allows. */
export const policyDeniedDescription = 'Policy evaluation failed for this request, please check the policy configurations.';

/** Okta's name for every user of the org in a rule's group condition, beside group ids. */
const everyoneInRules = 'EVERYONE';

function peopleMatch(rule: Rule, user: PolicyRequest['user']): boolean {
  if (!user) return true;
  const { users, groups } = rule.conditions.people;
  const inGroup = (g: string) => g === everyoneInRules || user.groupIds.includes(g);
  if (users?.exclude.includes(user.id)) return false;
  if (groups?.exclude.some(inGroup)) return false;
  const anyInclude = (users?.include.length ?? 0) + (groups?.include.length ?? 0) > 0;
  if (!anyInclude) return true;
  return Boolean(users?.include.includes(user.id) || groups?.include.some(inGroup));
}

function scopesAllowed(rule: Rule, scopes: readonly string[]): boolean {
  const allowed = rule.conditions.scopes.include;
  return allowed.includes('*') || scopes.every((s) => allowed.includes(s));
}

/**
 * The first active policy (by priority) that names the client decides; within it the first active
 * rule that matches the grant type, the person and every requested scope.
 */
export function evaluatePolicies(policies: readonly Policy[], rules: readonly Rule[], request: PolicyRequest): PolicyDecision {
  const policy = [...policies].filter((p) => p.status === 'ACTIVE')
    .sort((a, b) => a.priority - b.priority)
    .find((p) => p.conditions.clients.include.includes('ALL_CLIENTS') || p.conditions.clients.include.includes(request.clientId));
  if (!policy) return { ok: false, reason: 'no_policy' };
  const rule = rules.filter((r) => r.policyId === policy.id && r.status === 'ACTIVE')
    .sort((a, b) => a.priority - b.priority)
    .find((r) => r.conditions.grantTypes.include.includes(request.grantType)
      && peopleMatch(r, request.user)
      && scopesAllowed(r, request.requestedScopes));
  if (!rule) return { ok: false, reason: 'no_rule' };
  return { ok: true, policy, rule, scopes: [...request.requestedScopes] };
}
