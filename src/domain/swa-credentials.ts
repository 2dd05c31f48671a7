/**
 * Who sets which half of an SWA app's credentials, by the app's `credentials.scheme` (Okta's
 * `ApplicationCredentialsScheme`, plus one Lanyard scheme):
 *
 * | scheme | user name | password |
 * |---|---|---|
 * | `EDIT_USERNAME_AND_PASSWORD` (default) | user | user |
 * | `ADMIN_SETS_CREDENTIALS` | admin | admin |
 * | `EDIT_PASSWORD_ONLY` (Okta: admin sets the user name) | admin | user |
 * | `EDIT_USERNAME_ONLY` (Lanyard: Okta has no such scheme) | user | admin |
 * | `SHARED_USERNAME_AND_PASSWORD` | admin, once, on the app | admin, once, on the app |
 *
 * A per-user user name nobody has set is the user's login (the app's `userNameTemplate`).
 */
export const swaCredentialSchemes = [
  'EDIT_USERNAME_AND_PASSWORD', 'ADMIN_SETS_CREDENTIALS', 'EDIT_PASSWORD_ONLY', 'EDIT_USERNAME_ONLY', 'SHARED_USERNAME_AND_PASSWORD',
] as const;

export type SwaCredentialScheme = typeof swaCredentialSchemes[number];

export type CredentialOwner = 'user' | 'admin' | 'app';

export interface SchemeRules {
  readonly userName: CredentialOwner;
  readonly password: CredentialOwner;
}

const rules: Record<SwaCredentialScheme, SchemeRules> = {
  EDIT_USERNAME_AND_PASSWORD: { userName: 'user', password: 'user' },
  ADMIN_SETS_CREDENTIALS: { userName: 'admin', password: 'admin' },
  EDIT_PASSWORD_ONLY: { userName: 'admin', password: 'user' },
  EDIT_USERNAME_ONLY: { userName: 'user', password: 'admin' },
  SHARED_USERNAME_AND_PASSWORD: { userName: 'app', password: 'app' },
};

export function schemeRules(scheme: SwaCredentialScheme): SchemeRules {
  return rules[scheme];
}

/** The scheme of an SWA app's stored credentials (apps made before schemes existed let users set both). */
export function schemeOf(credentials: Record<string, unknown>): SwaCredentialScheme {
  const scheme = credentials.scheme;
  return (swaCredentialSchemes as readonly unknown[]).includes(scheme) ? scheme as SwaCredentialScheme : 'EDIT_USERNAME_AND_PASSWORD';
}

/** True when the user may change some part of their credentials for the app themself. */
export function userEditsSomething(scheme: SwaCredentialScheme): boolean {
  const r = rules[scheme];
  return r.userName === 'user' || r.password === 'user';
}

/** Only a password the user set themself is ever shown to them. */
export function userMayReveal(scheme: SwaCredentialScheme): boolean {
  return rules[scheme].password === 'user';
}

/**
 * The form field name a configured field stands for. Accepted: a plain name (`user`), an id
 * selector (`#user`, `input#user`: the id is taken as the name), and an attribute selector on the
 * name (`input[name=user]`, `[name="user"]`). Anything else cannot be posted as a form and is
 * undefined (such apps open with the browser extension).
 */
export function formFieldName(configured: string): string | undefined {
  const value = configured.trim();
  if (/^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/.test(value)) return value;
  const id = /^(?:[A-Za-z]+)?#([A-Za-z0-9_.:-]+)$/.exec(value);
  if (id) return id[1];
  const byName = /^(?:[A-Za-z]+)?\[name\s*=\s*(?:"([^"]+)"|'([^']+)'|([^\]\s"']+))\s*\]$/.exec(value);
  if (byName) return byName[1] ?? byName[2] ?? byName[3];
  return undefined;
}
