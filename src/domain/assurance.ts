/**
 * How strongly a person proved who they are, said the way each protocol says it: the methods
 * (`amr`, RFC 8176) a session used, OpenID Connect's `acr` in Okta's level-of-assurance names, and
 * SAML's `AuthnContextClassRef`.
 */

/** Okta's `acr` values: one factor (a password), or two of any kind. */
export const acrOneFactor = 'urn:okta:loa:1fa:pwd';
export const acrTwoFactor = 'urn:okta:loa:2fa:any';
export const acrValuesSupported = [acrOneFactor, acrTwoFactor] as const;

/** The class Microsoft's and many other service providers read as "multi-factor authentication done". */
export const samlMultiFactorClass = 'http://schemas.microsoft.com/claims/multipleauthn';
const samlDefaultClass = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

export function provedMfa(amr: readonly string[]): boolean {
  return amr.includes('mfa');
}

export function acrOf(amr: readonly string[]): string {
  return provedMfa(amr) ? acrTwoFactor : acrOneFactor;
}

/** Whether an OpenID Connect request's `acr_values` asks for a second factor. */
export function acrValuesWantMfa(acrValues: unknown): boolean {
  return typeof acrValues === 'string' && acrValues.split(' ').some((v) => v === acrTwoFactor || /^urn:okta:loa:2fa:/.test(v));
}

/**
 * The `AuthnContextClassRef` of an assertion: the class the admin chose for the app; or, when they
 * left the default and the session proved a second factor, the multi-factor class.
 */
export function samlAuthnContextClass(configured: string, amr: readonly string[]): string {
  return configured === samlDefaultClass && provedMfa(amr) ? samlMultiFactorClass : configured;
}
