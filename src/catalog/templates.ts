/**
 * Tenant-variable templates: `https://${org.subdomain}.example.com/sso` in a manifest becomes the
 * customer's URL when an org adds the integration. `${org.NAME}` names one of the manifest's
 * tenant variables; every other `${…}` (such as `${user.email}` in a SAML attribute) is left for
 * sign-in time. Instructions may also use the values Lanyard gives the admin, `${lanyard.NAME}`.
 */

/** Placeholders of tenant variables, as the OIN writes them: `${org.subdomain}`. */
const tenantPlaceholder = /\$\{org\.([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** Placeholders of Lanyard's own values in setup instructions: `${lanyard.metadataUrl}`. */
const lanyardPlaceholder = /\$\{lanyard\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Values Lanyard fills into setup instructions, per sign-on mode, once the app exists. */
export const lanyardValues = [
  'orgUrl', 'appId', 'appLabel',
  // OpenID Connect
  'issuer', 'discoveryUrl', 'clientId',
  // SAML 2.0
  'metadataUrl', 'ssoUrl', 'sloUrl', 'idpIssuer', 'certificateUrl', 'launchUrl',
  // WS-Federation
  'passiveUrl', 'federationMetadataUrl', 'realm',
] as const;
export type LanyardValue = (typeof lanyardValues)[number];

/** The tenant variables a template uses, in order of first use. */
export function tenantVariablesIn(template: string): string[] {
  return [...new Set([...template.matchAll(tenantPlaceholder)].map((m) => m[1]!))];
}

/** The Lanyard values an instruction text uses. */
export function lanyardValuesIn(text: string): string[] {
  return [...new Set([...text.matchAll(lanyardPlaceholder)].map((m) => m[1]!))];
}

/** Replaces tenant-variable placeholders; a name without a value is left as it is (the schema refuses those). */
export function renderTenantTemplate(template: string, variables: Readonly<Record<string, string>>): string {
  return template.replace(tenantPlaceholder, (whole, name: string) => (Object.hasOwn(variables, name) ? variables[name]! : whole));
}

/** Instructions for the admin, with tenant variables and Lanyard's values filled in. */
export function renderInstructions(text: string, variables: Readonly<Record<string, string>>,
  values: Partial<Readonly<Record<LanyardValue, string>>>): string {
  return renderTenantTemplate(text, variables)
    .replace(lanyardPlaceholder, (whole, name: string) => (values as Record<string, string | undefined>)[name] ?? whole);
}
