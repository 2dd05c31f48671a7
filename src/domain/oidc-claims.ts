/**
 * OpenID Connect standard claims from an Okta user profile, and which claims each scope releases
 * (OpenID Connect Core 1.0 §5.4), with the additions Okta makes (`ver`, `idp`, `groups`).
 */
import type { User } from './user.ts';

export const claimsByStandardScope: Readonly<Record<string, readonly string[]>> = {
  // Okta puts how and when the user signed in into every ID token.
  openid: ['sub', 'ver', 'idp', 'amr', 'acr', 'auth_time'],
  profile: ['name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'zoneinfo', 'locale', 'updated_at'],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number'],
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Every standard claim the user's profile can answer; the engine releases them by scope. */
export function standardClaims(user: User, orgId: string): Record<string, unknown> {
  const p = user.profile;
  const name = text(p.displayName) ?? [p.firstName, p.lastName].filter(Boolean).join(' ');
  const address = {
    street_address: text(p.streetAddress), locality: text(p.city), region: text(p.state),
    postal_code: text(p.zipCode), country: text(p.countryCode),
  };
  const claims: Record<string, unknown> = {
    sub: user.id,
    ver: 1,
    idp: orgId,
    name,
    given_name: text(p.firstName),
    family_name: text(p.lastName),
    middle_name: text(p.middleName),
    nickname: text(p.nickName),
    preferred_username: p.login,
    profile: text(p.profileUrl),
    zoneinfo: text(p.timezone),
    locale: text(p.locale)?.replace('_', '-'),
    updated_at: Math.floor(Date.parse(user.lastUpdated) / 1000),
    email: p.email,
    email_verified: true,
    phone_number: text(p.mobilePhone) ?? text(p.primaryPhone),
    ...(Object.values(address).some(Boolean) ? { address: Object.fromEntries(Object.entries(address).filter(([, v]) => v)) } : {}),
  };
  // Okta leaves claims with no value out rather than sending nulls.
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
}
