/**
 * The integration manifest: one versioned document that describes an app to the network — who
 * makes it, how it signs in (templates per sign-on mode), what the customer fills in (tenant
 * variables), how it provisions, how an admin sets it up, and whom to call.
 *
 * ```ts
 * const manifest = parseManifest(json);                // ManifestError with one cause per rule
 * const config = renderAppConfig(manifest, 'saml', { subdomain: 'acme' });   // see render.ts
 * ```
 *
 * The schema is strict (an unknown field is a mistake, not an extension) and is exported as JSON
 * Schema at `/api/v1/catalog/manifest-schema`. Rules a JSON Schema cannot say — placeholders name
 * declared variables, examples pass their own patterns, rendered URLs are https, the logo only
 * draws — are checked here too, so a manifest that parses renders for every valid customer.
 */
import { z } from 'zod';
import { compileRegex, RegexSyntaxError } from '../protocols/expressions/regex.ts';
import { groupFilterTypes } from '../protocols/expressions/index.ts';
import { attributeNameFormats, nameIdFormats } from '../domain/saml-app.ts';
import { logoMediaTypes, logoProblem } from './logo.ts';
import { lanyardValues, lanyardValuesIn, renderTenantTemplate, tenantVariablesIn } from './templates.ts';

export const manifestFormat = 1;

export const categories = [
  'Analytics', 'Cloud infrastructure', 'Collaboration', 'Communication', 'CRM', 'Customer support', 'Data platform', 'Design',
  'Developer tools', 'Documentation', 'HR', 'Incident management', 'IT service management', 'Monitoring', 'Networking',
  'Productivity', 'Project management', 'Security', 'Storage', 'Other',
] as const;

export const manifestSignOnModes = ['oidc', 'saml', 'wsfed', 'swa'] as const;
export type ManifestSignOnMode = (typeof manifestSignOnModes)[number];

export const provisioningOperations = ['create', 'update', 'deactivate', 'reactivate', 'groupPush', 'importUsers', 'passwordSync'] as const;
export type ProvisioningOperation = (typeof provisioningOperations)[number];

export const variableTypes = ['text', 'subdomain', 'host', 'url'] as const;
export type VariableType = (typeof variableTypes)[number];

export const tiers = ['community', 'verified'] as const;
export type Tier = (typeof tiers)[number];

const text = (max: number) => z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .trim().min(1, 'is required').max(max, `must be at most ${max} characters`);
const markdown = text(20_000);
const objectError = {
  error: (i: { code?: string; input: unknown; keys?: string[] }) => {
    if (i.code === 'unrecognized_keys') return `has fields the manifest does not know: ${(i.keys ?? []).join(', ')}`;
    return i.input === undefined ? 'is required' : 'must be an object';
  },
};
/** A strict object whose absence or wrong type reads "is required" / "must be an object". */
const record = <S extends z.core.$ZodLooseShape>(shape: S) => z.strictObject(shape, objectError);
const flag = z.boolean({ error: 'must be true or false' });
const list = <T extends z.ZodType>(item: T, max: number) => z.array(item, { error: 'must be an array' }).max(max, `must have at most ${max} entries`);

/** A string that becomes a URL once the tenant variables are filled in. */
const urlTemplate = text(1024).refine((v) => !/[\s<>"]/.test(v), 'must not contain spaces, quotes or angle brackets');
/** A custom-scheme redirect of a native app (`myapp://callback`) or a URL template. */
const redirectTemplate = urlTemplate;

const integrationKey = z.string({ error: 'is required' })
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be 1 to 64 lower-case letters, digits and inner hyphens (a catalog key such as "acme-crm")');

export const semver = z.string({ error: 'is required' })
  .regex(/^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/, 'must be a version such as 1.0.0 (major.minor.patch)');

const httpsUrl = text(1024).refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && !url.username && !url.password && !value.includes('#');
  } catch {
    return false;
  }
}, 'must be an absolute https URL');

const email = text(254).regex(/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/, 'must be an email address');

const contactSchema = record({
  name: text(100).optional(),
  email: email.optional(),
  url: httpsUrl.optional(),
  phone: text(40).regex(/^\+?[0-9 ().-]{5,40}$/, 'must be a phone number').optional(),
}).refine((c) => c.email !== undefined || c.url !== undefined, 'needs an email address or a URL');
export type Contact = z.output<typeof contactSchema>;

const variableSchema = record({
  name: z.string({ error: 'is required' }).regex(/^[a-z][A-Za-z0-9]{0,39}$/, 'must be a camelCase name of at most 40 letters and digits (it is written ${org.name})'),
  label: text(100),
  type: z.enum(variableTypes, { error: `must be one of ${variableTypes.join(', ')}` }).default('text'),
  /** A regular expression the whole value must match (the linear-time matcher; no lookaround). */
  pattern: text(512).optional(),
  example: text(256),
  required: flag.default(true),
  description: text(1000).optional(),
});
export type TenantVariable = z.output<typeof variableSchema>;

const oidcSchema = record({
  applicationType: z.enum(['web', 'browser', 'native'], { error: 'must be one of web, browser, native' }).default('web'),
  redirectUris: list(redirectTemplate, 20).min(1, 'needs at least one redirect URI'),
  postLogoutRedirectUris: list(redirectTemplate, 20).default([]),
  initiateLoginUri: urlTemplate.optional(),
  grantTypes: list(z.enum(['authorization_code', 'refresh_token', 'implicit'], { error: 'must be one of authorization_code, refresh_token, implicit' }), 3)
    .min(1, 'needs at least one grant type').default(['authorization_code']),
  scopes: list(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'must be a scope name'), 30).default(['openid', 'profile', 'email']),
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'none'], { error: 'must be one of client_secret_basic, client_secret_post, none' }).optional(),
  pkceRequired: flag.optional(),
  /** The claim the app reads group names from, when it reads them. */
  groupsClaim: text(100).optional(),
  backchannelLogoutUri: urlTemplate.optional(),
  instructions: markdown.optional(),
});

const samlAttributeSchema = record({
  name: text(512),
  nameFormat: z.enum(attributeNameFormats, { error: 'must be a SAML attribute name format URN' }).optional(),
  /** An expression (`user.email`) or static text; tenant variables may appear as `${org.name}`. */
  value: text(1024),
});

const groupStatementSchema = record({
  name: text(512),
  nameFormat: z.enum(attributeNameFormats, { error: 'must be a SAML attribute name format URN' }).optional(),
  filterType: z.enum(groupFilterTypes, { error: `must be one of ${groupFilterTypes.join(', ')}` }).default('REGEX'),
  filterValue: text(1024).default('.*'),
});

const samlSchema = record({
  acsUrl: urlTemplate,
  /** Further ACS URLs the app may ask for by URL or index (Okta's "other requestable SSO URLs"). */
  additionalAcsUrls: list(urlTemplate, 20).default([]),
  audience: text(1024),
  recipient: urlTemplate.optional(),
  destination: urlTemplate.optional(),
  defaultRelayState: text(2048).optional(),
  nameIdFormat: z.enum(nameIdFormats, { error: 'must be a SAML NameID format URN' }).default('urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'),
  /** The NameID's value, a Lanyard expression template (`${user.email}`). */
  nameIdValue: text(1024).default('${user.userName}'),
  attributes: list(samlAttributeSchema, 50).default([]),
  groups: groupStatementSchema.optional(),
  responseSigned: flag.default(true),
  assertionSigned: flag.default(true),
  signatureAlgorithm: z.enum(['RSA_SHA256', 'RSA_SHA1']).default('RSA_SHA256'),
  digestAlgorithm: z.enum(['SHA256', 'SHA1']).default('SHA256'),
  spInitiated: flag.default(true),
  idpInitiated: flag.default(true),
  /** The app's own sign-in page, which starts SP-initiated sign-in. */
  spLoginUrl: urlTemplate.optional(),
  singleLogoutUrl: urlTemplate.optional(),
  /** Where the app publishes its SP metadata, for the admin's reference. */
  spMetadataUrl: urlTemplate.optional(),
  instructions: markdown.optional(),
});

const wsfedSchema = record({
  realm: text(1024),
  replyUrl: urlTemplate,
  nameIdFormat: z.enum(nameIdFormats, { error: 'must be a SAML NameID format URN' }).default('urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'),
  /** Claims besides the name identifier: `name` (a URI, or a name in the WS-Federation claims namespace) and an expression. */
  claims: list(record({ name: text(512), value: text(1024) }), 30).default([]),
  groupFilter: text(1024).optional(),
  instructions: markdown.optional(),
});

const swaSchema = record({
  loginUrl: urlTemplate,
  /** CSS selectors, or `name` attributes, of the sign-in form's fields. */
  usernameField: text(200),
  passwordField: text(200),
  submitButton: text(200).optional(),
  /** Further fields the form needs, such as an organisation ID, with a value template. */
  extraFields: list(record({ field: text(200), label: text(100), value: text(1024) }), 5).default([]),
  instructions: markdown.optional(),
});

const compatibilitySchema = record({
  updateMethod: z.enum(['PATCH', 'PUT']).default('PATCH'),
  patchNeedsPath: flag.default(false),
  maxGroupMembersPerPatch: z.number().int().min(1).max(10_000).optional(),
  deprovision: z.enum(['deactivate', 'delete']).default('deactivate'),
  userNameCase: z.enum(['preserve', 'lower']).default('preserve'),
});

const provisioningSchema = record({
  scim: record({
    baseUrl: urlTemplate,
    authScheme: z.enum(['bearer', 'basic', 'oauth2_client_credentials'], { error: 'must be one of bearer, basic, oauth2_client_credentials' }),
    operations: record(Object.fromEntries(provisioningOperations.map((op) => [op, flag.default(false)])) as
      Record<ProvisioningOperation, z.ZodDefault<z.ZodBoolean>>),
    uniqueUserField: z.enum(['userName', 'emails']).default('userName'),
    compatibility: compatibilitySchema.default(compatibilitySchema.parse({})),
    /** What the admin should know about this app's SCIM server. */
    notes: list(text(500), 20).default([]),
  }),
  instructions: markdown.optional(),
});

const logoSchema = record({
  mediaType: z.enum(logoMediaTypes, { error: 'must be image/svg+xml or image/png' }),
  /** The file, base64-encoded. */
  data: z.string({ error: 'is required' }).max(400_000, 'is too large').regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
});

const manifestObject = record({
  manifestFormat: z.literal(manifestFormat, { error: `must be ${manifestFormat}` }),
  id: integrationKey,
  version: semver,
  name: text(100),
  vendor: record({ name: text(100), website: httpsUrl }),
  website: httpsUrl,
  category: z.enum(categories, { error: `must be one of ${categories.join(', ')}` }),
  description: text(500).refine((v) => !/[\r\n]/.test(v), 'must be one paragraph'),
  logo: logoSchema,
  /** The tier the vendor asks for; review decides what is published. */
  tier: z.enum(tiers, { error: 'must be community or verified' }).default('community'),
  variables: list(variableSchema, 15).default([]),
  signOn: record({
    oidc: oidcSchema.optional(),
    saml: samlSchema.optional(),
    wsfed: wsfedSchema.optional(),
    swa: swaSchema.optional(),
  }).refine((s) => Object.values(s).some(Boolean), 'needs at least one sign-on mode (oidc, saml, wsfed or swa)'),
  provisioning: provisioningSchema.optional(),
  contacts: record({
    support: contactSchema,
    technical: contactSchema.optional(),
    business: contactSchema.optional(),
    escalation: contactSchema.optional(),
  }),
  docsUrl: httpsUrl.optional(),
});
type ManifestShape = z.output<typeof manifestObject>;

export const manifestSchema = manifestObject.superRefine(checkCoherence);
export type Manifest = z.output<typeof manifestSchema>;
export type ManifestInput = z.input<typeof manifestSchema>;

/** A tenant variable's value check: its type, then its pattern. */
export function variableValueProblem(variable: Pick<TenantVariable, 'type' | 'pattern'>, value: string): string | undefined {
  if (value.length > 256) return 'must be at most 256 characters';
  if (/[\u0000-\u001f\u007f]/.test(value) || value.includes('${')) return 'must not contain control characters or ${';
  switch (variable.type) {
    case 'subdomain':
      if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(value)) return 'must be a DNS label (letters, digits and inner hyphens)';
      break;
    case 'host':
      if (!/^(?=.{1,253}(?::|$))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?$/i.test(value)) {
        return 'must be a host name (optionally with :port)';
      }
      break;
    case 'url':
      try {
        const url = new URL(value);
        if (url.protocol !== 'https:') return 'must be an https URL';
        if (value.endsWith('/') || url.search || url.hash || url.username) return 'must be an https URL without a trailing slash, query or fragment';
      } catch {
        return 'must be an https URL';
      }
      break;
    case 'text':
      if (/[\s<>"'`\\]/.test(value)) return 'must not contain spaces, quotes, angle brackets or backslashes';
      break;
  }
  if (variable.pattern !== undefined) {
    try {
      if (!compileRegex(variable.pattern).matches(value)) return `must match ${variable.pattern}`;
    } catch (error) {
      if (error instanceof RegexSyntaxError || error instanceof RangeError) return `cannot be checked: ${error.message}`;
      throw error;
    }
  }
  return undefined;
}

/** Every string in a sign-on block or provisioning that may hold placeholders, with its path. */
function templatedStrings(manifest: Pick<Manifest, 'signOn' | 'provisioning'>): { path: (string | number)[]; value: string }[] {
  const out: { path: (string | number)[]; value: string }[] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (typeof value === 'string') out.push({ path, value });
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(manifest.signOn, ['signOn']);
  walk(manifest.provisioning, ['provisioning']);
  return out;
}

/** The URL fields whose rendered value must be an https URL (or, for native redirects, a custom scheme). */
function urlFields(manifest: Pick<Manifest, 'signOn' | 'provisioning'>): { path: (string | number)[]; value: string; nativeRedirect?: boolean }[] {
  const out: { path: (string | number)[]; value: string; nativeRedirect?: boolean }[] = [];
  const { oidc, saml, wsfed, swa } = manifest.signOn;
  if (oidc) {
    const native = oidc.applicationType === 'native';
    oidc.redirectUris.forEach((value, i) => out.push({ path: ['signOn', 'oidc', 'redirectUris', i], value, nativeRedirect: native }));
    oidc.postLogoutRedirectUris.forEach((value, i) => out.push({ path: ['signOn', 'oidc', 'postLogoutRedirectUris', i], value, nativeRedirect: native }));
    if (oidc.initiateLoginUri) out.push({ path: ['signOn', 'oidc', 'initiateLoginUri'], value: oidc.initiateLoginUri });
    if (oidc.backchannelLogoutUri) out.push({ path: ['signOn', 'oidc', 'backchannelLogoutUri'], value: oidc.backchannelLogoutUri });
  }
  if (saml) {
    for (const key of ['acsUrl', 'recipient', 'destination', 'spLoginUrl', 'singleLogoutUrl', 'spMetadataUrl'] as const) {
      if (saml[key]) out.push({ path: ['signOn', 'saml', key], value: saml[key] });
    }
    saml.additionalAcsUrls.forEach((value, i) => out.push({ path: ['signOn', 'saml', 'additionalAcsUrls', i], value }));
  }
  if (wsfed) out.push({ path: ['signOn', 'wsfed', 'replyUrl'], value: wsfed.replyUrl });
  if (swa) out.push({ path: ['signOn', 'swa', 'loginUrl'], value: swa.loginUrl });
  if (manifest.provisioning) out.push({ path: ['provisioning', 'scim', 'baseUrl'], value: manifest.provisioning.scim.baseUrl });
  return out;
}

/** Why a rendered URL is not one Lanyard will send a browser or a request to, or undefined. */
export function renderedUrlProblem(value: string, nativeRedirect = false): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL once the tenant variables are filled in';
  }
  if (url.hash || value.includes('#')) return 'must not contain a fragment';
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.protocol === 'https:') return undefined;
  // RFC 8252: a native app may also listen on the loopback interface for its redirect.
  if (nativeRedirect && url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return undefined;
  if (nativeRedirect && url.protocol !== 'http:' && /^[a-z][a-z0-9+.-]*:$/.test(url.protocol)
    && !['javascript:', 'data:', 'file:', 'vbscript:', 'blob:'].includes(url.protocol)) return undefined;
  return nativeRedirect ? 'must be an https URL, a loopback http URL or a private-use scheme (com.example.app:/callback)' : 'must be an https URL';
}

function checkCoherence(manifest: ManifestShape, ctx: z.RefinementCtx): void {
  const declared = new Map(manifest.variables.map((v) => [v.name, v]));
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

  const seen = new Set<string>();
  manifest.variables.forEach((variable, i) => {
    if (seen.has(variable.name)) issue(['variables', i, 'name'], `${variable.name} is declared twice`);
    seen.add(variable.name);
    if (variable.pattern !== undefined) {
      try {
        compileRegex(variable.pattern);
      } catch (error) {
        if (!(error instanceof RegexSyntaxError)) throw error;
        issue(['variables', i, 'pattern'], `is not a pattern Lanyard can run: ${error.message}`);
        return;
      }
    }
    const problem = variableValueProblem(variable, variable.example);
    if (problem) issue(['variables', i, 'example'], `${JSON.stringify(variable.example)} ${problem}`);
  });

  const used = new Set<string>();
  for (const { path, value } of templatedStrings(manifest)) {
    for (const name of tenantVariablesIn(value)) {
      used.add(name);
      if (!declared.has(name)) issue(path, `uses \${org.${name}}, which is not one of the manifest's variables`);
    }
    if (!path.includes('instructions') && lanyardValuesIn(value).length > 0) issue(path, '${lanyard.…} values may be used only in instructions');
    if (path.includes('instructions')) {
      for (const name of lanyardValuesIn(value)) {
        if (!(lanyardValues as readonly string[]).includes(name)) issue(path, `uses \${lanyard.${name}}; known values are ${lanyardValues.join(', ')}`);
      }
    }
  }
  manifest.variables.forEach((variable, i) => {
    if (!used.has(variable.name)) issue(['variables', i, 'name'], `${variable.name} is declared but no template uses it`);
  });

  // Rendered with the examples, every URL must be one Lanyard can use.
  const examples = Object.fromEntries(manifest.variables.map((v) => [v.name, v.example]));
  for (const field of urlFields(manifest)) {
    const problem = renderedUrlProblem(renderTenantTemplate(field.value, examples), field.nativeRedirect);
    if (problem) issue(field.path, problem);
  }

  const oidc = manifest.signOn.oidc;
  if (oidc) {
    if (oidc.applicationType === 'browser' && oidc.tokenEndpointAuthMethod && oidc.tokenEndpointAuthMethod !== 'none') {
      issue(['signOn', 'oidc', 'tokenEndpointAuthMethod'], 'a browser (single-page) app is a public client: use none');
    }
    if (oidc.grantTypes.includes('refresh_token') && oidc.grantTypes.length === 1) {
      issue(['signOn', 'oidc', 'grantTypes'], 'refresh_token needs authorization_code');
    }
  }

  if (manifest.provisioning && manifest.provisioning.scim.compatibility.maxGroupMembersPerPatch !== undefined
    && !manifest.provisioning.scim.operations.groupPush) {
    issue(['provisioning', 'scim', 'compatibility', 'maxGroupMembersPerPatch'], 'applies only when groupPush is offered');
  }

  const data = Buffer.from(manifest.logo.data, 'base64');
  const logo = logoProblem(manifest.logo.mediaType, data);
  if (logo) issue(['logo'], logo);

  if (manifest.tier === 'verified') {
    for (const role of ['technical', 'business', 'escalation'] as const) {
      if (!manifest.contacts[role]) issue(['contacts', role], `is required for the verified tier`);
    }
    for (const role of ['support', 'technical', 'business', 'escalation'] as const) {
      if (manifest.contacts[role] && !manifest.contacts[role].email) issue(['contacts', role, 'email'], 'is required for the verified tier');
    }
  }
}

/** The sign-on modes a manifest offers, in the catalog's order. */
export function modesOf(manifest: Pick<Manifest, 'signOn'>): ManifestSignOnMode[] {
  return manifestSignOnModes.filter((mode) => manifest.signOn[mode] !== undefined);
}

/** The manifest schema as JSON Schema (draft 2020-12), for vendors' editors and CI. */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(manifestSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'urn:lanyard:integration-manifest:1',
    title: 'Lanyard integration manifest',
    description: 'One app integration of the Lanyard integration network. Rules beyond this schema (placeholders, examples, logo, https) are checked on upload.',
  };
}
