/**
 * A PASSWORD policy's `settings.password` in Okta's shape (complexity, age, lockout), and the
 * translation to and from the checker's {@link PasswordPolicy} and the org's lockout settings.
 * The default policy has no settings of its own: they are the org's, shown and edited through it.
 */
import { z } from 'zod';
import { lockoutPolicySchema, passwordPolicySchema, type OrgSettings, type PasswordPolicy } from './org.ts';

const zeroOrOne = z.number().int().min(0).max(1, 'must be 0 or 1');
/** Password expiry is not enforced yet: only "never" is accepted, so nothing is stored that would not apply. */
const notEnforced = z.number().int().refine((v) => v === 0, 'must be 0: password expiry is not enforced by this version');

export const passwordSettingsSchema = z.object({
  complexity: z.object({
    minLength: z.number().int().min(8, 'must be at least 8').max(256).default(8),
    minLowerCase: zeroOrOne.default(1),
    minUpperCase: zeroOrOne.default(1),
    minNumber: zeroOrOne.default(1),
    minSymbol: zeroOrOne.default(0),
    excludeUsername: z.boolean().default(true),
    excludeAttributes: z.array(z.enum(['firstName', 'lastName'], { error: 'must be firstName or lastName' })).max(2).default([]),
    dictionary: z.object({ common: z.object({ exclude: z.boolean().default(false) }).default({ exclude: false }) }).loose()
      .default({ common: { exclude: false } }),
  }).loose().default(() => ({
    minLength: 8, minLowerCase: 1, minUpperCase: 1, minNumber: 1, minSymbol: 0, excludeUsername: true, excludeAttributes: [],
    dictionary: { common: { exclude: false } },
  })),
  age: z.object({
    maxAgeDays: notEnforced.default(0),
    expireWarnDays: notEnforced.default(0),
    minAgeMinutes: notEnforced.default(0),
    historyCount: z.number().int().min(0).max(24).default(4),
  }).loose().default({ maxAgeDays: 0, expireWarnDays: 0, minAgeMinutes: 0, historyCount: 4 }),
  lockout: z.object({
    maxAttempts: z.number().int().min(0).max(100).default(10),
    autoUnlockMinutes: z.number().int().min(0).max(1440).default(0),
    showLockoutFailures: z.boolean().default(false),
    userLockoutNotificationChannels: z.array(z.string()).max(5).default([]),
  }).loose().default({ maxAttempts: 10, autoUnlockMinutes: 0, showLockoutFailures: false, userLockoutNotificationChannels: [] }),
}).loose();
export type PasswordSettings = z.output<typeof passwordSettingsSchema>;

export const passwordPolicySettingsSchema = z.object({
  password: passwordSettingsSchema.default(() => passwordSettingsSchema.parse({})),
  recovery: z.record(z.string(), z.unknown()).optional(),
  delegation: z.record(z.string(), z.unknown()).optional(),
}).loose();

/** The checker's policy of a PASSWORD policy's settings. */
export function toCheckerPolicy(settings: PasswordSettings): PasswordPolicy {
  const c = settings.complexity;
  return passwordPolicySchema.parse({
    minLength: c.minLength,
    requireLowercase: c.minLowerCase > 0,
    requireUppercase: c.minUpperCase > 0,
    requireNumber: c.minNumber > 0,
    requireSymbol: c.minSymbol > 0,
    excludeUsername: c.excludeUsername,
    excludeAttributes: c.excludeAttributes,
    historyCount: settings.age.historyCount,
    rejectCommonPasswords: c.dictionary.common.exclude,
  });
}

/** The org's password and lockout settings in Okta's shape: the default PASSWORD policy's settings. */
export function orgPasswordSettings(settings: OrgSettings): PasswordSettings {
  const p = settings.passwordPolicy;
  const l = settings.lockout;
  return passwordSettingsSchema.parse({
    complexity: {
      minLength: p.minLength, minLowerCase: p.requireLowercase ? 1 : 0, minUpperCase: p.requireUppercase ? 1 : 0,
      minNumber: p.requireNumber ? 1 : 0, minSymbol: p.requireSymbol ? 1 : 0, excludeUsername: p.excludeUsername,
      excludeAttributes: p.excludeAttributes, dictionary: { common: { exclude: p.rejectCommonPasswords } },
    },
    age: { maxAgeDays: 0, expireWarnDays: 0, minAgeMinutes: 0, historyCount: p.historyCount },
    lockout: { maxAttempts: l.maxAttempts, autoUnlockMinutes: l.autoUnlockMinutes ?? 0, showLockoutFailures: l.showLockoutFailures, userLockoutNotificationChannels: [] },
  });
}

/** The org settings that a new default PASSWORD policy's settings stand for. */
export function orgSettingsFromPassword(settings: PasswordSettings): Pick<OrgSettings, 'passwordPolicy' | 'lockout'> {
  return {
    passwordPolicy: toCheckerPolicy(settings),
    lockout: lockoutPolicySchema.parse({
      maxAttempts: settings.lockout.maxAttempts,
      autoUnlockMinutes: settings.lockout.autoUnlockMinutes === 0 ? null : settings.lockout.autoUnlockMinutes,
      showLockoutFailures: settings.lockout.showLockoutFailures,
    }),
  };
}
