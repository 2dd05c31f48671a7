/**
 * An app's provisioning settings: where its SCIM server is and how Lanyard authenticates there
 * (Okta's default provisioning connection), what Lanyard may do (Okta's USER_PROVISIONING
 * capabilities, plus import and group push), how a Lanyard profile becomes the app's user
 * (attribute mappings, as expressions), and the app server's quirks (the compatibility profile),
 * so one engine serves every vendor.
 */
import { z } from 'zod';
import { httpUrl } from './saml-app.ts';

export const connectionAuthSchemes = ['TOKEN', 'BASIC', 'OAUTH2'] as const;
export type ConnectionAuthScheme = (typeof connectionAuthSchemes)[number];

const secret = (max: number) => z.string({ error: 'must be a string' }).min(1, 'is required').max(max, `must be at most ${max} characters`);

/** The credentials of a connection, as the admin sends them (sealed before they are stored). */
export const connectionProfileSchema = z.discriminatedUnion('authScheme', [
  z.strictObject({ authScheme: z.literal('TOKEN'), token: secret(4096) }),
  z.strictObject({ authScheme: z.literal('BASIC'), username: secret(256), password: secret(256) }),
  z.strictObject({
    authScheme: z.literal('OAUTH2'), tokenUrl: httpUrl(), clientId: secret(256), clientSecret: secret(1024),
    scope: z.string().max(1000).optional(),
  }),
], { error: `authScheme must be one of ${connectionAuthSchemes.join(', ')}` });
export type ConnectionProfile = z.output<typeof connectionProfileSchema>;

export const connectionRequestSchema = z.strictObject({
  baseUrl: httpUrl(),
  profile: connectionProfileSchema,
});

const enabled = z.object({ status: z.enum(['ENABLED', 'DISABLED']) });

/** Okta's USER_PROVISIONING capabilities. */
export const capabilitiesSchema = z.object({
  create: z.object({ lifecycleCreate: enabled }).default({ lifecycleCreate: { status: 'DISABLED' } }),
  update: z.object({
    lifecycleDeactivate: enabled.default({ status: 'DISABLED' }),
    profile: enabled.default({ status: 'DISABLED' }),
    password: z.object({
      status: z.enum(['ENABLED', 'DISABLED']),
      seed: z.enum(['OKTA', 'RANDOM']).default('RANDOM'),
      change: z.enum(['CHANGE', 'KEEP_EXISTING']).default('KEEP_EXISTING'),
    }).default({ status: 'DISABLED', seed: 'RANDOM', change: 'KEEP_EXISTING' }),
  }).default({
    lifecycleDeactivate: { status: 'DISABLED' }, profile: { status: 'DISABLED' },
    password: { status: 'DISABLED', seed: 'RANDOM', change: 'KEEP_EXISTING' },
  }),
});
export type Capabilities = z.output<typeof capabilitiesSchema>;

/** Real servers' quirks, usually taken from the app's catalog manifest. */
export const compatibilitySchema = z.strictObject({
  updateMethod: z.enum(['PATCH', 'PUT']).default('PATCH'),
  patchNeedsPath: z.boolean().default(false),
  maxGroupMembersPerPatch: z.number().int().min(1).max(10_000).default(1000),
  deprovision: z.enum(['deactivate', 'delete']).default('deactivate'),
  userNameCase: z.enum(['preserve', 'lower']).default('preserve'),
});
export type Compatibility = z.output<typeof compatibilitySchema>;

/** One mapping: a SCIM attribute path of the app's user and the expression that fills it. */
export const mappingSchema = z.strictObject({
  target: z.enum(['userName', 'name.givenName', 'name.familyName', 'name.formatted', 'displayName', 'nickName', 'title', 'preferredLanguage',
    'locale', 'timezone', 'externalId', 'emails.work', 'phoneNumbers.work', 'phoneNumbers.mobile', 'userType', 'employeeNumber',
    'department', 'organization'], { error: 'must be a SCIM user attribute Lanyard maps (userName, name.givenName, emails.work…)' }),
  expression: z.string().min(1, 'is required').max(1024, 'must be at most 1024 characters'),
});
export type Mapping = z.output<typeof mappingSchema>;

/** Okta's default mappings for a SCIM 2.0 app. */
export const defaultMappings: readonly Mapping[] = [
  { target: 'userName', expression: 'user.login' },
  { target: 'name.givenName', expression: 'user.firstName' },
  { target: 'name.familyName', expression: 'user.lastName' },
  { target: 'emails.work', expression: 'user.email' },
  { target: 'displayName', expression: 'user.displayName ?: (user.firstName + " " + user.lastName)' },
];

export const provisioningSettingsSchema = z.strictObject({
  mappings: z.array(mappingSchema).max(50).default([...defaultMappings]),
  /** How an existing account is found before one is created (Okta: userName). */
  uniqueUserField: z.enum(['userName']).default('userName'),
  importUsers: z.boolean().default(false),
  /** Import on a schedule, linking accounts that match by `importMatch` (nothing is created): every this many hours. */
  importEveryHours: z.number().int().min(1).max(168).nullable().default(null),
  importMatch: z.enum(['login', 'email']).default('login'),
  groupPush: z.boolean().default(false),
  compatibility: compatibilitySchema.default(compatibilitySchema.parse({})),
  /** At most this many requests at once to the app. */
  concurrency: z.number().int().min(1).max(16).default(4),
  /** At most this many requests per second to the app. */
  requestsPerSecond: z.number().int().min(1).max(1000).default(20),
});
export type ProvisioningSettings = z.output<typeof provisioningSettingsSchema>;
