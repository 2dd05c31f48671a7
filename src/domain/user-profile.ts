/**
 * Okta's user profile: the base attributes with their rules, plus custom attributes.
 * Custom attributes are scalars (or arrays of scalars) under names that are safe as JSON keys.
 */
import { z } from 'zod';

const emailPattern = /^[^\s@"(),:;<>[\]\\]+@[^\s@"(),:;<>[\]\\]+\.[^\s@"(),:;<>[\]\\]+$/;

const optionalText = (max: number) => z.string().max(max, `must be at most ${max} characters`).nullable().optional();

/** Base attributes Okta defines for every user; `login`, `email`, `firstName`, `lastName` are required. */
export const baseProfileShape = {
  login: z.string().trim().min(5, 'must be at least 5 characters').max(100, 'must be at most 100 characters')
    .regex(emailPattern, 'Username must be in the form of an email address'),
  email: z.string().trim().max(100, 'must be at most 100 characters').regex(emailPattern, 'Does not match required pattern'),
  secondEmail: z.string().trim().max(100).regex(emailPattern, 'Does not match required pattern').nullable().optional(),
  firstName: z.string().trim().min(1, 'The field cannot be left blank').max(50, 'must be at most 50 characters'),
  lastName: z.string().trim().min(1, 'The field cannot be left blank').max(50, 'must be at most 50 characters'),
  middleName: optionalText(50),
  honorificPrefix: optionalText(50),
  honorificSuffix: optionalText(50),
  title: optionalText(100),
  displayName: optionalText(255),
  nickName: optionalText(100),
  profileUrl: optionalText(1024),
  primaryPhone: optionalText(100),
  mobilePhone: optionalText(100),
  streetAddress: optionalText(1024),
  city: optionalText(128),
  state: optionalText(128),
  zipCode: optionalText(50),
  postalAddress: optionalText(4096),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code').nullable().optional(),
  preferredLanguage: optionalText(64),
  locale: optionalText(64),
  timezone: optionalText(64),
  userType: optionalText(255),
  employeeNumber: optionalText(255),
  costCenter: optionalText(255),
  organization: optionalText(255),
  division: optionalText(255),
  department: optionalText(255),
  managerId: optionalText(255),
  manager: optionalText(255),
} as const;

export const baseAttributeNames = Object.keys(baseProfileShape) as (keyof typeof baseProfileShape)[];

const customScalar = z.union([z.string().max(4096), z.number().finite(), z.boolean(), z.null()]);
const customValue = z.union([customScalar, z.array(customScalar).max(100)]);
export const customAttributeName = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export type ProfileValue = z.infer<typeof customValue>;

/** A user profile as stored: base attributes and custom attributes side by side, as Okta shows them. */
export type UserProfile = {
  login: string;
  email: string;
  firstName: string;
  lastName: string;
} & Record<string, ProfileValue>;

export const userProfileSchema = z.object(baseProfileShape).catchall(customValue).superRefine((profile, ctx) => {
  for (const key of Object.keys(profile)) {
    if (!(key in baseProfileShape) && !customAttributeName.test(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'is not a valid attribute name' });
    }
  }
  if (Object.keys(profile).length > 200) ctx.addIssue({ code: 'custom', path: [], message: 'has more than 200 attributes' });
});

/** Removes null attributes: a profile stores only what is set. */
export function compactProfile(profile: Record<string, ProfileValue | undefined>): Record<string, ProfileValue> {
  const out: Record<string, ProfileValue> = {};
  for (const [key, value] of Object.entries(profile)) {
    if (value !== null && value !== undefined) out[key] = value;
  }
  return out;
}

/** The normalised, case-folded form used for unique keys and case-insensitive lookup. */
export function keyOf(text: string): string {
  return text.normalize('NFC').toLowerCase();
}
