/**
 * Orgs (tenants) and their settings. Settings are one validated document per org with defaults
 * that follow Okta's: password policy, lockout, session lifetime and API rate limits.
 */
import { z } from 'zod';

export const passwordPolicySchema = z.object({
  minLength: z.number().int().min(8).max(256).default(8),
  requireLowercase: z.boolean().default(true),
  requireUppercase: z.boolean().default(true),
  requireNumber: z.boolean().default(true),
  requireSymbol: z.boolean().default(false),
  excludeUsername: z.boolean().default(true),
  excludeAttributes: z.array(z.enum(['firstName', 'lastName'])).default(['firstName', 'lastName']),
  historyCount: z.number().int().min(0).max(24).default(4),
  rejectCommonPasswords: z.boolean().default(true),
});

export const lockoutPolicySchema = z.object({
  /** Failed sign-ins in a row that lock the account; 0 turns lockout off. */
  maxAttempts: z.number().int().min(0).max(100).default(10),
  /** Minutes after which a locked account unlocks by itself; null means only an admin unlocks it. */
  autoUnlockMinutes: z.number().int().min(1).max(1440).nullable().default(null),
  /** Okta's `showLockoutFailures`: the classic authentication API answers LOCKED_OUT instead of a plain failure. */
  showLockoutFailures: z.boolean().default(false),
});

export const sessionPolicySchema = z.object({
  idleMinutes: z.number().int().min(1).max(43200).default(120),
  maxLifetimeMinutes: z.number().int().min(1).max(43200).default(1440),
});

export const orgSettingsSchema = z.object({
  passwordPolicy: passwordPolicySchema.default(passwordPolicySchema.parse({})),
  lockout: lockoutPolicySchema.default(lockoutPolicySchema.parse({})),
  session: sessionPolicySchema.default(sessionPolicySchema.parse({})),
  /** Per-bucket request limits per minute that override the defaults. */
  rateLimits: z.record(z.string(), z.number().int().min(1).max(1_000_000)).default({}),
});

export type OrgSettings = z.infer<typeof orgSettingsSchema>;
export type PasswordPolicy = z.infer<typeof passwordPolicySchema>;

export interface Org {
  readonly id: string;
  /** Lower-case DNS label: the org answers at `{name}.{base host}`. */
  readonly name: string;
  readonly displayName: string;
  readonly customDomain: string | null;
  readonly isDefault: boolean;
  readonly settings: OrgSettings;
  readonly created: string;
  readonly lastUpdated: string;
}

export const orgNamePattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function defaultOrgSettings(): OrgSettings {
  return orgSettingsSchema.parse({});
}
