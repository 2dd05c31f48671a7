/**
 * Org policies as Okta's Policy API models them: the global session policy (`OKTA_SIGN_ON`), the
 * password policies (`PASSWORD`, chosen by group) and app sign-on policies (`ACCESS_POLICY`,
 * assigned to apps), each an ordered list of rules. This file holds their shapes, the schemas of
 * what the API accepts, and Okta's ordering rule. Pure: no I/O.
 */
import { z } from 'zod';

export const policyTypes = ['OKTA_SIGN_ON', 'PASSWORD', 'ACCESS_POLICY'] as const;
export type PolicyType = (typeof policyTypes)[number];

/** The rule type Okta gives the rules of each policy type. */
export const ruleTypeOf: Record<PolicyType, string> = { OKTA_SIGN_ON: 'SIGN_ON', PASSWORD: 'PASSWORD', ACCESS_POLICY: 'ACCESS_POLICY' };

export interface IncludeExclude {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export interface OrgPolicy {
  readonly id: string;
  readonly type: PolicyType;
  readonly name: string;
  readonly description: string | null;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly priority: number;
  /** Okta's default policy of the type: never deleted, deactivated or reordered; always last. */
  readonly system: boolean;
  /** OKTA_SIGN_ON and PASSWORD: the groups the policy is for. */
  readonly conditions: { readonly people?: { readonly groups?: IncludeExclude } } | null;
  /** PASSWORD: Okta's `settings` (complexity, age, lockout…). The default one's live in the org's settings. */
  readonly settings: Record<string, unknown> | null;
}

export interface NetworkCondition {
  readonly connection: 'ANYWHERE' | 'ZONE';
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export interface RuleConditions {
  readonly people?: { readonly users?: IncludeExclude; readonly groups?: IncludeExclude };
  readonly network?: NetworkCondition;
}

export interface SignOnActions {
  readonly access: 'ALLOW' | 'DENY';
  readonly requireFactor: boolean;
  readonly factorPromptMode?: 'ALWAYS' | 'DEVICE' | 'SESSION';
  readonly factorLifetime?: number;
  readonly rememberDeviceByDefault: boolean;
  readonly session: { readonly maxSessionIdleMinutes: number; readonly maxSessionLifetimeMinutes: number; readonly usePersistentCookie: boolean };
}

export interface AppSignOnActions {
  readonly access: 'ALLOW' | 'DENY';
  readonly verificationMethod: {
    readonly type: 'ASSURANCE';
    readonly factorMode: '1FA' | '2FA';
    /** ISO 8601 duration; absent: as long as the session lasts. */
    readonly reauthenticateIn?: string;
    readonly constraints: readonly Record<string, unknown>[];
  };
}

export interface OrgPolicyRule {
  readonly id: string;
  readonly policyId: string;
  readonly type: string;
  readonly name: string;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly priority: number;
  /** The policy's default rule: never deleted or deactivated; always last. */
  readonly system: boolean;
  readonly conditions: RuleConditions;
  readonly actions: {
    readonly signon?: SignOnActions;
    readonly appSignOn?: AppSignOnActions;
    readonly passwordChange?: { readonly access: 'ALLOW' | 'DENY' };
    readonly selfServicePasswordReset?: { readonly access: 'ALLOW' | 'DENY' };
    readonly selfServiceUnlock?: { readonly access: 'ALLOW' | 'DENY' };
  };
}

/** Okta's names for every zone in a rule's zone list, beside zone ids. */
export const allZones = 'ALL_ZONES';

const ids = z.array(z.string().trim().min(1).max(200)).max(100);
const includeExclude = z.object({ include: ids.default([]), exclude: ids.default([]) });

export const policyInputSchema = z.object({
  type: z.enum(policyTypes, { error: `must be one of ${policyTypes.join(', ')}` }),
  name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(255),
  description: z.string().max(1000).nullish(),
  status: z.enum(['ACTIVE', 'INACTIVE']).optional(),
  priority: z.number().int().min(1).optional(),
  conditions: z.object({
    people: z.object({ groups: includeExclude.optional() }).optional(),
    authProvider: z.object({ provider: z.literal('OKTA', { error: 'must be OKTA' }) }).loose().optional(),
  }).nullish(),
  settings: z.record(z.string(), z.unknown()).nullish(),
}).loose();
export type PolicyInput = z.output<typeof policyInputSchema>;

const accessEnum = z.enum(['ALLOW', 'DENY'], { error: 'must be ALLOW or DENY' });

export const networkConditionSchema = z.object({
  connection: z.enum(['ANYWHERE', 'ZONE'], { error: 'must be ANYWHERE or ZONE' }),
  include: ids.default([]),
  exclude: ids.default([]),
}).superRefine((network, ctx) => {
  if (network.connection === 'ANYWHERE' && (network.include.length > 0 || network.exclude.length > 0)) {
    ctx.addIssue({ code: 'custom', path: ['connection'], message: 'ANYWHERE takes no zones; use ZONE with include or exclude' });
  }
  if (network.connection === 'ZONE' && network.include.length === 0 && network.exclude.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['include'], message: 'ZONE needs zone ids in include or exclude' });
  }
});

export const ruleConditionsSchema = z.object({
  people: z.object({ users: includeExclude.optional(), groups: includeExclude.optional() }).optional(),
  network: networkConditionSchema.optional(),
}).loose();

/** ISO 8601 durations as Okta writes `reauthenticateIn`: `PT2H`, `PT43800H`, `P1D`, `PT0S`. */
const durationPattern = /^P(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,9})S)?)?$/;

/** Seconds of an ISO 8601 duration (days, hours, minutes, seconds); undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = durationPattern.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [, d, h, m, s] = match.map((v) => Number(v ?? 0));
  return d! * 86400 + h! * 3600 + m! * 60 + s!;
}

export const signOnActionsSchema = z.object({
  access: accessEnum,
  requireFactor: z.boolean().default(false),
  factorPromptMode: z.enum(['ALWAYS', 'DEVICE', 'SESSION'], { error: 'must be ALWAYS, DEVICE or SESSION' }).optional(),
  factorLifetime: z.number().int().min(5, 'must be at least 5 (minutes)').max(43200).optional(),
  rememberDeviceByDefault: z.boolean().default(false),
  session: z.object({
    maxSessionIdleMinutes: z.number().int().min(1).max(43200).default(120),
    maxSessionLifetimeMinutes: z.number().int().min(0).max(43200).default(0),
    usePersistentCookie: z.boolean().default(false),
  }).default({ maxSessionIdleMinutes: 120, maxSessionLifetimeMinutes: 0, usePersistentCookie: false }),
}).superRefine((signon, ctx) => {
  if (signon.requireFactor && signon.factorPromptMode === undefined) {
    ctx.addIssue({ code: 'custom', path: ['factorPromptMode'], message: 'is required when requireFactor is true' });
  }
  if (signon.requireFactor && signon.factorPromptMode === 'SESSION' && signon.factorLifetime === undefined) {
    ctx.addIssue({ code: 'custom', path: ['factorLifetime'], message: 'is required when factorPromptMode is SESSION' });
  }
});

export const appSignOnActionsSchema = z.object({
  access: accessEnum,
  verificationMethod: z.object({
    type: z.literal('ASSURANCE', { error: 'must be ASSURANCE' }),
    factorMode: z.enum(['1FA', '2FA'], { error: 'must be 1FA or 2FA' }),
    reauthenticateIn: z.string().refine((v) => parseDuration(v) !== undefined, 'must be an ISO 8601 duration such as PT2H or PT0S').optional(),
    constraints: z.array(z.record(z.string(), z.unknown())).max(10).default([]),
  }).default({ type: 'ASSURANCE', factorMode: '2FA', constraints: [] }),
});

const passwordAction = z.object({ access: accessEnum }).loose();

export const ruleInputSchema = z.object({
  type: z.string().optional(),
  name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(255),
  status: z.enum(['ACTIVE', 'INACTIVE']).optional(),
  priority: z.number().int().min(1).optional(),
  conditions: ruleConditionsSchema.nullish(),
  actions: z.object({
    signon: signOnActionsSchema.optional(),
    appSignOn: appSignOnActionsSchema.optional(),
    passwordChange: passwordAction.optional(),
    selfServicePasswordReset: passwordAction.optional(),
    selfServiceUnlock: passwordAction.optional(),
  }).loose().default({}),
}).loose();
export type RuleInput = z.output<typeof ruleInputSchema>;

/**
 * Okta keeps priorities 1…n without gaps and the default (system) item last: an item saved at a
 * priority another holds goes in before it and moves the later ones down; a priority past the
 * non-system items (or none) puts it just before the default. Returns every item with its new
 * priority (the saved one included), in order.
 */
export function orderByPriority<T extends { id: string; priority: number; system: boolean }>(others: readonly T[], item: T,
  wanted: number | undefined): T[] {
  const byPriority = (a: T, b: T) => a.priority - b.priority;
  const regular = others.filter((o) => !o.system).sort(byPriority);
  const pinned = others.filter((o) => o.system).sort(byPriority);
  const ordered = item.system
    ? [...regular, ...pinned, item]
    : [...regular.slice(0, Math.max(0, (wanted ?? Infinity) - 1)), item, ...regular.slice(Math.max(0, (wanted ?? Infinity) - 1)), ...pinned];
  return ordered.map((o, index) => (o.priority === index + 1 ? o : { ...o, priority: index + 1 }));
}
