/**
 * A custom SAML 2.0 app as Okta models it (`signOnMode: SAML_2_0`, created with
 * `POST /api/v1/apps`): `settings.signOn` with Okta's field names, defaults and rules, and the
 * fully resolved service provider the protocol code signs responses for.
 *
 * ```ts
 * const signOn = parseOrThrow(samlSignOnSchema, body.settings?.signOn, 'settings.signOn'); // on save
 * const resolved = resolveSamlServiceProvider(signOn, { orgUrl, appId, orgExternalKey }); // on save and at sign-on
 * if (!resolved.ok) throw validationError(resolved.causes);
 * ```
 * Values follow Okta's model (`SamlApplicationSettingsSignOn` in Okta's SDKs): nullable fields
 * accept `null` as Okta returns them, so a GET → PUT round trip through Okta's SDK is accepted;
 * unknown fields are dropped, as Okta ignores them. Expressions (attribute values, the Name ID
 * template) and group-filter regular expressions are checked when saved, certificates are read
 * when saved, and every URL Lanyard will send a browser to must be an absolute http(s) URL.
 */
import { z } from 'zod';
import { ExpressionSyntaxError, compileGroupPattern, evaluate, groupFilterTypes, parseExpression, type Expression,
  type ExpressionContext, type ExpressionValue, type GroupFilterType } from '../protocols/expressions/index.ts';
import { contextRoots } from '../protocols/expressions/ast.ts';
import { functions, namespaces } from '../protocols/expressions/functions.ts';
import { certificateBody, parseCertificate, type DigestAlgorithm, type SignatureAlgorithm } from '../protocols/saml/signature.ts';

// ---------------------------------------------------------------------------------------------
// Okta's enumerations

/** Okta's `subjectNameIdFormat` values (and WS-Federation's `nameIDFormat`). */
export const nameIdFormats = [
  'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:x509SubjectName',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
] as const;
export type NameIdFormat = (typeof nameIdFormats)[number];

/** Okta's `authnContextClassRef` values (Kerberos is written without `urn:`, as Okta writes it). */
export const authnContextClassRefs = [
  'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:X509',
  'urn:federation:authentication:windows',
  'oasis:names:tc:SAML:2.0:ac:classes:Kerberos',
] as const;
export type AuthnContextClassRef = (typeof authnContextClassRefs)[number];

/** Okta's attribute statement `namespace`: the SAML `NameFormat` of the attribute. */
export const attributeNameFormats = [
  'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
  'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
  'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
] as const;
export type AttributeNameFormat = (typeof attributeNameFormats)[number];

/** Okta's `assertionEncryption.encryptionAlgorithm` (block cipher of the EncryptedData). */
export const assertionEncryptionAlgorithms = ['AES256_CBC', 'AES128_CBC', 'AES256_GCM', 'AES128_GCM'] as const;
export type AssertionEncryptionAlgorithm = (typeof assertionEncryptionAlgorithms)[number];
/** Okta's `assertionEncryption.keyTransportAlgorithm` (`RSA_15` is Okta's spelling of RSA-v1.5). */
export const keyTransportAlgorithms = ['RSA_OAEP', 'RSA_15'] as const;
export type KeyTransportAlgorithm = (typeof keyTransportAlgorithms)[number];

export const sloBindingTypes = ['POST', 'REDIRECT'] as const;
export type SloBindingType = (typeof sloBindingTypes)[number];

/** The issuer Okta gives every SAML app; `${org.externalKey}` is filled in when a response is signed. */
export const defaultIdpIssuer = 'http://www.okta.com/${org.externalKey}';
export const defaultSubjectNameIdTemplate = '${user.userName}';

// ---------------------------------------------------------------------------------------------
// Value templates and attribute values

/** One piece of a `${…}` template: literal text, or an expression whose value is inserted. */
export type TemplatePart = { readonly literal: string } | { readonly expression: Expression };

/** A string with `${expression}` placeholders, as Okta writes `${user.userName}`. */
export interface ValueTemplate {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
}

const positionSuffix = / at position \d+$/;

/**
 * Parses a `${…}` template. Each placeholder holds one expression (which may itself contain
 * quoted braces or array literals); text outside placeholders is literal, and a `$` not followed
 * by `{` is an ordinary character. Throws {@link ExpressionSyntaxError} with the offset in
 * `text` for an unterminated placeholder or an expression that does not parse.
 */
export function parseValueTemplate(text: string): ValueTemplate {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '$' || text[i + 1] !== '{') {
      literal += text[i];
      i++;
      continue;
    }
    const start = i + 2;
    let end = -1;
    let depth = 0;
    let quote: string | undefined;
    for (let j = start; j < text.length; j++) {
      const c = text[j]!;
      if (quote) {
        if (c === quote) {
          if (text[j + 1] === quote) j++;
          else quote = undefined;
        }
      } else if (c === '"' || c === '\'') {
        quote = c;
      } else if (c === '{') {
        depth++;
      } else if (c === '}') {
        if (depth === 0) { end = j; break; }
        depth--;
      }
    }
    if (end < 0) throw new ExpressionSyntaxError('unterminated ${…} placeholder', i);
    let expression: Expression;
    try {
      expression = parseExpression(text.slice(start, end));
    } catch (error) {
      if (error instanceof ExpressionSyntaxError) {
        throw new ExpressionSyntaxError(error.message.replace(positionSuffix, ''), start + error.position);
      }
      throw error;
    }
    if (literal) parts.push({ literal });
    literal = '';
    parts.push({ expression });
    i = end + 1;
  }
  if (literal) parts.push({ literal });
  return Object.freeze({ source: text, parts: Object.freeze(parts) });
}

/** Whether the template inserts at least one expression (a Name ID must depend on the user). */
export function templateHasExpression(template: ValueTemplate): boolean {
  return template.parts.some((part) => 'expression' in part);
}

function stringify(value: ExpressionValue): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.map((item) => stringify(item as ExpressionValue)).join(',');
  return String(value);
}

/** Fills a template for one user: `null` inserts nothing, arrays insert their items joined by commas. */
export function renderTemplate(template: ValueTemplate, context: ExpressionContext): string {
  let out = '';
  for (const part of template.parts) out += 'literal' in part ? part.literal : stringify(evaluate(part.expression, context));
  return out;
}

/**
 * How an attribute statement's value is computed. Okta takes each value as an expression
 * (`user.email`, `String.toLowerCase(user.login)`), accepts static text with or without quotes
 * (`"ENG"` or `ENG`, and AWS role ARNs), and the template apps' `${user.email}` placeholders.
 */
export type AttributeValueSource =
  | { readonly kind: 'expression'; readonly expression: Expression }
  | { readonly kind: 'template'; readonly template: ValueTemplate }
  | { readonly kind: 'literal'; readonly value: string };

const expressionStarters: ReadonlySet<string> = new Set([
  ...contextRoots, ...namespaces, ...[...functions.keys()].filter((name) => !name.includes('.')),
]);

/** Text that is evidently meant as an expression, so a parse failure is a mistake, not static text. */
function looksLikeExpression(text: string): boolean {
  if (/^\s*["'({!]/.test(text)) return true;
  const head = /^\s*([A-Za-z_$][\w$]*)\s*[.(]/.exec(text);
  return head !== null && expressionStarters.has(head[1]!);
}

/**
 * Classifies and checks one attribute value. Text containing `${` is a template; text that
 * parses is an expression; text that does not parse is static, unless it evidently starts an
 * expression (a root such as `user.`, a function call, a quote or a parenthesis), in which case
 * the syntax error is thrown so the admin learns of the typo when saving.
 */
export function parseAttributeValue(text: string): AttributeValueSource {
  if (text.includes('${')) return { kind: 'template', template: parseValueTemplate(text) };
  try {
    return { kind: 'expression', expression: parseExpression(text) };
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    if (looksLikeExpression(text)) throw error;
    return { kind: 'literal', value: text };
  }
}

/** The value of an attribute for one user: an array becomes several `AttributeValue`s. */
export function evaluateAttributeValue(source: AttributeValueSource, context: ExpressionContext): ExpressionValue {
  switch (source.kind) {
    case 'literal': return source.value;
    case 'template': return renderTemplate(source.template, context);
    case 'expression': return evaluate(source.expression, context);
  }
}

// ---------------------------------------------------------------------------------------------
// Field schemas shared with the WS-Federation app

const maxUrlLength = 1024;

/** Why `value` is not an absolute http(s) URL Lanyard may send a browser to, or undefined. */
export function httpUrlProblem(value: string): string | undefined {
  if (value.length > maxUrlLength) return `must be at most ${maxUrlLength} characters`;
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return 'must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute https or http URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an absolute https or http URL';
  if (!url.hostname) return 'must be an absolute https or http URL';
  if (value.includes('#')) return 'must not contain a fragment (#…)';
  if (url.username || url.password) return 'must not contain a user name or password';
  return undefined;
}

const mustBeText = (issue: { input: unknown }) => (issue.input == null ? 'is required' : 'must be a string');

/** A required string of at most `max` characters; missing, `null` and `""` read "is required". */
export const requiredText = (max = 1024) =>
  z.string({ error: mustBeText }).min(1, 'is required').max(max, `must be at most ${max} characters`);

/** An optional string; Okta returns unset ones as `null`. */
export const optionalText = (max = 1024) =>
  z.string({ error: 'must be a string' }).max(max, `must be at most ${max} characters`).nullish();

/** An absolute http(s) URL without fragment or credentials. */
export const httpUrl = () => z.string({ error: mustBeText }).min(1, 'is required').superRefine((value, ctx) => {
  const problem = value === '' ? undefined : httpUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** An enumeration with a message that lists the allowed values. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

export const flag = () => z.boolean({ error: 'must be true or false' });

/** `schema`, where a missing or `null` value takes Okta's default. */
export function orDefault<T extends z.ZodType>(schema: T, fallback: z.output<T>) {
  return schema.nullish().transform((value) => (value ?? fallback) as z.output<T>);
}

/** Why a certificate from `x5c` cannot be used, or undefined. */
export function certificateProblem(value: string): string | undefined {
  const body = certificateBody(value);
  if (!body || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return 'must be a base64-encoded DER X.509 certificate';
  let certificate;
  try {
    certificate = parseCertificate(body);
  } catch {
    return 'is not a valid X.509 certificate';
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa') return 'must hold an RSA public key';
  return undefined;
}

const x5cEntry = z.string({ error: 'must be a string' }).max(16_384, 'is too long for a certificate').superRefine((value, ctx) => {
  const problem = certificateProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A template field (`${user.userName}`), checked when saved. */
const templateText = (requireExpression: boolean) => requiredText(1024).superRefine((value, ctx) => {
  try {
    const template = parseValueTemplate(value);
    if (requireExpression && !templateHasExpression(template)) {
      ctx.addIssue({ code: 'custom', message: 'must insert a user attribute, such as ${user.userName}' });
    }
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});

// ---------------------------------------------------------------------------------------------
// settings.signOn

const attributeStatementSchema = z.object({
  type: orDefault(oneOf(['EXPRESSION', 'GROUP']), 'EXPRESSION'),
  name: requiredText(512),
  namespace: orDefault(oneOf(attributeNameFormats), 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified'),
  values: z.array(z.string({ error: 'must be a string' }).max(1024, 'must be at most 1024 characters'), { error: 'must be an array of strings' })
    .max(100, 'must have at most 100 values').nullish(),
  filterType: oneOf(groupFilterTypes).nullish(),
  filterValue: z.string({ error: 'must be a string' }).max(1024, 'must be at most 1024 characters').nullish(),
}).superRefine((statement, ctx) => {
  if (statement.type === 'EXPRESSION') {
    if (!statement.values || statement.values.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'is required for an EXPRESSION statement' });
    }
    if (statement.filterType != null) ctx.addIssue({ code: 'custom', path: ['filterType'], message: 'applies only to a GROUP statement' });
    if (statement.filterValue != null) ctx.addIssue({ code: 'custom', path: ['filterValue'], message: 'applies only to a GROUP statement' });
    statement.values?.forEach((value, index) => {
      try {
        parseAttributeValue(value);
      } catch (error) {
        if (!(error instanceof ExpressionSyntaxError)) throw error;
        ctx.addIssue({ code: 'custom', path: ['values', index], message: error.message });
      }
    });
    return;
  }
  if (statement.values && statement.values.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['values'], message: 'a GROUP statement has no values: it sends the names of the groups that pass its filter' });
  }
  if (statement.filterType == null) ctx.addIssue({ code: 'custom', path: ['filterType'], message: 'is required for a GROUP statement' });
  if (!statement.filterValue) {
    ctx.addIssue({ code: 'custom', path: ['filterValue'], message: 'is required for a GROUP statement' });
  } else if (statement.filterType === 'REGEX') {
    try {
      compileGroupPattern(statement.filterValue);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      ctx.addIssue({ code: 'custom', path: ['filterValue'], message: error.message });
    }
  }
}).transform((statement): SamlAttributeStatement => (statement.type === 'EXPRESSION'
  ? { type: 'EXPRESSION', name: statement.name, namespace: statement.namespace, values: statement.values ?? [] }
  : { type: 'GROUP', name: statement.name, namespace: statement.namespace, filterType: statement.filterType!, filterValue: statement.filterValue! }));

/** One of Okta's `attributeStatements`, as stored and returned. */
export type SamlAttributeStatement =
  | { type: 'EXPRESSION'; name: string; namespace: AttributeNameFormat; values: string[] }
  | { type: 'GROUP'; name: string; namespace: AttributeNameFormat; filterType: GroupFilterType; filterValue: string };

const acsEndpointSchema = z.object({
  url: httpUrl(),
  index: z.number({ error: (issue) => (issue.input == null ? 'is required' : 'must be a number') })
    .int('must be a whole number').min(0, 'must be from 0 to 65535').max(65535, 'must be from 0 to 65535'),
});

const certificateListSchema = z.object({
  x5c: z.array(x5cEntry, { error: 'must be an array of base64 DER certificates' }).max(5, 'must hold at most 5 certificates').nullish()
    .transform((value) => value ?? []),
});

const sloSchema = z.object({
  enabled: orDefault(flag(), false),
  issuer: optionalText(1024),
  logoutUrl: httpUrl().nullish(),
  /** How Okta's Apps API reference spells `issuer` in its examples; read as `issuer`. */
  spIssuer: optionalText(1024),
}).transform(({ spIssuer, ...slo }) => ({ ...slo, issuer: slo.issuer ?? spIssuer }));

const participateSloSchema = z.object({
  enabled: orDefault(flag(), false),
  logoutRequestUrl: httpUrl().nullish(),
  sessionIndexRequired: orDefault(flag(), false),
  bindingType: oneOf(sloBindingTypes).nullish(),
});

/**
 * Okta's `assertionEncryption` (the Admin Console's "Assertion Encryption"): the SP's encryption
 * certificate, exactly one, and the algorithms. Lanyard defaults to AES-256-GCM with RSA-OAEP;
 * CBC and RSA-v1.5 stay available for SPs that support nothing else.
 */
const assertionEncryptionSchema = z.object({
  enabled: orDefault(flag(), false),
  encryptionAlgorithm: orDefault(oneOf(assertionEncryptionAlgorithms), 'AES256_GCM'),
  keyTransportAlgorithm: orDefault(oneOf(keyTransportAlgorithms), 'RSA_OAEP'),
  x5c: z.array(x5cEntry, { error: 'must be an array of base64 DER certificates' }).max(1, 'must hold exactly one certificate').nullish(),
});

const inlineHookSchema = z.object({ id: requiredText(100) });

/** Fills a missing or `null` nested object with its defaults. */
function objectOrDefault<T extends z.ZodType>(schema: T, fallback: z.output<T>) {
  return schema.nullish().transform((value) => (value ?? fallback) as z.output<T>);
}

const signOnFields = z.object({
  defaultRelayState: optionalText(2048),
  ssoAcsUrl: httpUrl(),
  idpIssuer: orDefault(requiredText(1024), defaultIdpIssuer),
  audience: requiredText(1024),
  recipient: httpUrl().nullish(),
  destination: httpUrl().nullish(),
  subjectNameIdTemplate: orDefault(templateText(true), defaultSubjectNameIdTemplate),
  subjectNameIdFormat: orDefault(oneOf(nameIdFormats), 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'),
  responseSigned: orDefault(flag(), true),
  assertionSigned: orDefault(flag(), true),
  signatureAlgorithm: orDefault(oneOf(['RSA_SHA256', 'RSA_SHA1']), 'RSA_SHA256' as SignatureAlgorithm),
  digestAlgorithm: orDefault(oneOf(['SHA256', 'SHA1']), 'SHA256' as DigestAlgorithm),
  honorForceAuthn: orDefault(flag(), true),
  authnContextClassRef: orDefault(oneOf(authnContextClassRefs), 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'),
  spIssuer: optionalText(1024),
  requestCompressed: orDefault(flag(), false),
  allowMultipleAcsEndpoints: orDefault(flag(), false),
  acsEndpoints: orDefault(z.array(acsEndpointSchema, { error: 'must be an array of {url, index}' }).max(100, 'must have at most 100 endpoints'), []),
  attributeStatements: orDefault(z.array(attributeStatementSchema, { error: 'must be an array' }).max(100, 'must have at most 100 statements'), []),
  /** Okta's "Signed Requests": AuthnRequests must be signed with a key of `spCertificate`. */
  samlSignedRequestEnabled: orDefault(flag(), false),
  /** The SP's signing certificate: verifies signed AuthnRequests and the SP's logout messages. */
  spCertificate: certificateListSchema.nullish(),
  slo: objectOrDefault(sloSchema, { enabled: false, issuer: undefined }),
  participateSlo: objectOrDefault(participateSloSchema, { enabled: false, sessionIndexRequired: false }),
  assertionEncryption: objectOrDefault(assertionEncryptionSchema, { enabled: false, encryptionAlgorithm: 'AES256_GCM', keyTransportAlgorithm: 'RSA_OAEP' }),
  inlineHooks: orDefault(z.array(inlineHookSchema, { error: 'must be an array of {id}' }).max(10, 'must have at most 10 hooks'), []),
  /** Okta's "Maximum app session lifetime" (`SessionNotOnOrAfter`); unset means the Okta session's. */
  samlAssertionLifetimeSeconds: z.number({ error: 'must be a number' }).int('must be a whole number')
    .min(1, 'must be at least 1 second').max(7_776_000, 'must be at most 90 days (7776000 seconds)').nullish(),
  // The CASB overrides Okta keeps for catalog apps: when set, each replaces its base setting.
  ssoAcsUrlOverride: httpUrl().nullish(),
  recipientOverride: httpUrl().nullish(),
  destinationOverride: httpUrl().nullish(),
  audienceOverride: optionalText(1024),
});

type SignOnFields = z.output<typeof signOnFields>;

/** A problem that involves more than one field, with the path of the field to fix. */
interface Problem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Okta's rules between fields, plus the ones Lanyard needs to act on the settings safely. */
function crossFieldProblems(s: SignOnFields): Problem[] {
  const problems: Problem[] = [];
  const hasSpCertificate = (s.spCertificate?.x5c.length ?? 0) > 0;
  if (!s.responseSigned && !s.assertionSigned) {
    problems.push({ path: ['assertionSigned'], message: 'either responseSigned or assertionSigned (or both) must be true' });
  }
  if (s.samlSignedRequestEnabled && !hasSpCertificate) {
    problems.push({ path: ['spCertificate'], message: 'is required when samlSignedRequestEnabled is true: signed requests are verified with it' });
  }
  if (s.slo.enabled) {
    if (!s.slo.logoutUrl) problems.push({ path: ['slo', 'logoutUrl'], message: 'is required when single logout is enabled' });
    if (!hasSpCertificate) {
      problems.push({ path: ['spCertificate'], message: 'is required when single logout is enabled: the SP\'s logout requests are verified with it' });
    }
  }
  if (s.participateSlo.enabled) {
    if (!s.participateSlo.logoutRequestUrl) problems.push({ path: ['participateSlo', 'logoutRequestUrl'], message: 'is required when participateSlo is enabled' });
    if (!s.participateSlo.bindingType) problems.push({ path: ['participateSlo', 'bindingType'], message: 'is required when participateSlo is enabled' });
  }
  if (s.assertionEncryption.enabled && (s.assertionEncryption.x5c?.length ?? 0) !== 1) {
    problems.push({ path: ['assertionEncryption', 'x5c'], message: 'must hold exactly one certificate when assertion encryption is enabled' });
  }
  if (s.allowMultipleAcsEndpoints) {
    const seen = new Map<number, number>();
    s.acsEndpoints.forEach((endpoint, index) => {
      const first = seen.get(endpoint.index);
      if (first !== undefined) problems.push({ path: ['acsEndpoints', index, 'index'], message: `repeats index ${endpoint.index} of acsEndpoints.${first}` });
      else seen.set(endpoint.index, index);
    });
  }
  const names = new Map<string, number>();
  s.attributeStatements.forEach((statement, index) => {
    const first = names.get(statement.name);
    if (first !== undefined) {
      problems.push({ path: ['attributeStatements', index, 'name'], message: `must be unique across attribute statements (attributeStatements.${first} has it too)` });
    } else {
      names.set(statement.name, index);
    }
  });
  return problems;
}

/**
 * `settings.signOn` of a custom SAML 2.0 app. Parsing applies Okta's defaults (the literal
 * `idpIssuer` template, `${user.userName}`, signed response and assertion with RSA-SHA256, …)
 * and fills `recipient` and `destination` from `ssoAcsUrl` as Okta's wizard does; the output is
 * what Lanyard stores and returns.
 */
export const samlSignOnSchema = signOnFields
  .superRefine((value, ctx) => {
    for (const problem of crossFieldProblems(value)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  })
  .transform((value) => ({ ...value, recipient: value.recipient ?? value.ssoAcsUrl, destination: value.destination ?? value.ssoAcsUrl }));

export type SamlSignOn = z.output<typeof samlSignOnSchema>;
export type SamlSignOnInput = z.input<typeof samlSignOnSchema>;

// ---------------------------------------------------------------------------------------------
// The resolved service provider

export interface SamlAppContext {
  /** The org's URL, e.g. `http://localhost:8080`. */
  readonly orgUrl: string;
  readonly appId: string;
  /** Fills `${org.externalKey}` in `idpIssuer`. */
  readonly orgExternalKey: string;
}

export interface SamlAcsUrl {
  readonly url: string;
  /** The `AssertionConsumerServiceIndex` that selects it; undefined for an `ssoAcsUrl` outside `acsEndpoints`. */
  readonly index: number | undefined;
  /** The ACS for IdP-initiated sign-on and for requests that name none. */
  readonly isDefault: boolean;
}

/**
 * An attribute statement ready for the protocol code: each value is read with
 * {@link parseAttributeValue} and computed with {@link evaluateAttributeValue}. `namespace` is
 * the SAML 2.0 `NameFormat` (one of {@link attributeNameFormats}) for SAML apps, and the claim
 * namespace URI for WS-Federation apps.
 */
export type ResolvedAttributeStatement =
  | { readonly type: 'EXPRESSION'; readonly name: string; readonly namespace: string; readonly values: readonly string[] }
  | { readonly type: 'GROUP'; readonly name: string; readonly namespace: string; readonly filterType: GroupFilterType; readonly filterValue: string };

/** Where and how Lanyard sends an SP a LogoutRequest (Okta's `participateSlo`). */
export interface SloParticipant {
  readonly logoutRequestUrl: string;
  /** Okta's `bindingType`, in the protocol code's spelling. */
  readonly binding: 'post' | 'redirect';
  readonly sessionIndexRequired: boolean;
}

/** Everything the SAML protocol code needs about one app, as plain data. */
export interface SamlServiceProvider {
  /** The SP's entity ID: the assertion's `Audience` (`audienceOverride` ?? `audience`). */
  readonly entityId: string;
  /** The `Issuer` the SP writes in its requests (`spIssuer` ?? `slo.issuer` ?? the entity ID). */
  readonly spIssuer: string;
  /** Every ACS URL a response may go to; nothing else is ever a destination. */
  readonly acsUrls: readonly SamlAcsUrl[];
  readonly defaultAcsUrl: string;
  /** `SubjectConfirmationData/@Recipient`. */
  readonly recipient: string;
  /** `Response/@Destination`. */
  readonly destination: string;
  /** The IdP's `Issuer`, with `${org.externalKey}` filled in. */
  readonly idpIssuer: string;
  readonly nameId: { readonly template: string; readonly format: NameIdFormat };
  readonly signResponse: boolean;
  readonly signAssertion: boolean;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly digestAlgorithm: DigestAlgorithm;
  readonly honorForceAuthn: boolean;
  readonly authnContextClassRef: AuthnContextClassRef;
  /** Okta's `requestCompressed`: whether the SP deflates its requests (informational for HTTP-POST). */
  readonly requestCompressed: boolean;
  readonly attributeStatements: readonly ResolvedAttributeStatement[];
  /** The SP's signing certificates (bare base64 DER): signed requests and logout messages verify against them. */
  readonly spCertificates: readonly string[];
  /** Okta's "Signed Requests" (`samlSignedRequestEnabled`): refuse AuthnRequests without a valid signature. */
  readonly requireSignedRequests: boolean;
  /**
   * SP-initiated single logout (Okta's `slo`, when enabled): the `Issuer` the SP's LogoutRequests
   * carry, where the LogoutResponse goes, and (the same object as {@link participateSlo}) whether
   * Lanyard also sends this SP LogoutRequests.
   */
  readonly slo: { readonly issuer: string; readonly logoutUrl: string; readonly participate: SloParticipant | undefined } | undefined;
  /**
   * Okta's `participateSlo`, when enabled: where Lanyard sends a LogoutRequest when the session
   * ends elsewhere. Independent of `slo`: an SP may take part without starting logouts itself.
   */
  readonly participateSlo: SloParticipant | undefined;
  /** Okta's `assertionEncryption`, when enabled. */
  readonly encryption: { readonly certificate: string; readonly dataAlgorithm: AssertionEncryptionAlgorithm; readonly keyTransportAlgorithm: KeyTransportAlgorithm } | undefined;
  readonly defaultRelayState: string | undefined;
  /** Okta's `samlAssertionLifetimeSeconds`: the `SessionNotOnOrAfter` of the assertion. */
  readonly sessionLifetimeSeconds: number | undefined;
  /** Okta's `inlineHooks` (SAML assertion inline hooks), kept for when Lanyard runs them. */
  readonly inlineHookIds: readonly string[];
}

/** Fills `${org.externalKey}`; any other text, including other placeholders, is left as it is. */
export function resolveIdpIssuer(template: string, orgExternalKey: string): string {
  return template.split('${org.externalKey}').join(orgExternalKey);
}

const present = (value: string | null | undefined): string | undefined => (value ? value : undefined);

/**
 * The service provider Lanyard answers, from `settings.signOn` as stored (the schema's output,
 * which parses again to itself) or as received. The ACS rule: with `allowMultipleAcsEndpoints`
 * false the only ACS is `ssoAcsUrl`; with it true, every `acsEndpoints` URL (by index) and
 * `ssoAcsUrl`, which stays the default. Every problem, of one field or between fields, comes back
 * as Okta's `field: message` causes with `settings.signOn.` paths.
 */
export function resolveSamlServiceProvider(settings: unknown, context: SamlAppContext):
  { ok: true; sp: SamlServiceProvider } | { ok: false; causes: string[] } {
  const parsed = samlSignOnSchema.safeParse(settings ?? {});
  if (!parsed.success) {
    return { ok: false, causes: parsed.error.issues.map((issue) => `${['settings', 'signOn', ...issue.path.map(String)].join('.')}: ${issue.message}`) };
  }
  const signOn = parsed.data;
  const entityId = present(signOn.audienceOverride) ?? signOn.audience;
  const defaultAcsUrl = present(signOn.ssoAcsUrlOverride) ?? signOn.ssoAcsUrl;
  const acsUrls: SamlAcsUrl[] = [];
  if (signOn.allowMultipleAcsEndpoints) {
    for (const endpoint of [...signOn.acsEndpoints].sort((a, b) => a.index - b.index)) {
      acsUrls.push({ url: endpoint.url, index: endpoint.index, isDefault: endpoint.url === defaultAcsUrl && !acsUrls.some((acs) => acs.isDefault) });
    }
  }
  if (!acsUrls.some((acs) => acs.isDefault)) acsUrls.unshift({ url: defaultAcsUrl, index: undefined, isDefault: true });

  const spCertificates = (signOn.spCertificate?.x5c ?? []).map(certificateBody);
  const spIssuer = present(signOn.spIssuer) ?? present(signOn.slo.issuer) ?? entityId;
  const encryptionCertificate = signOn.assertionEncryption.x5c?.[0];
  const participateSlo: SloParticipant | undefined = signOn.participateSlo.enabled
    ? {
      logoutRequestUrl: signOn.participateSlo.logoutRequestUrl!,
      binding: signOn.participateSlo.bindingType === 'POST' ? 'post' : 'redirect',
      sessionIndexRequired: signOn.participateSlo.sessionIndexRequired,
    }
    : undefined;
  return {
    ok: true,
    sp: {
      entityId,
      spIssuer,
      acsUrls,
      defaultAcsUrl,
      recipient: present(signOn.recipientOverride) ?? signOn.recipient,
      destination: present(signOn.destinationOverride) ?? signOn.destination,
      idpIssuer: resolveIdpIssuer(signOn.idpIssuer, context.orgExternalKey),
      nameId: { template: signOn.subjectNameIdTemplate, format: signOn.subjectNameIdFormat },
      signResponse: signOn.responseSigned,
      signAssertion: signOn.assertionSigned,
      signatureAlgorithm: signOn.signatureAlgorithm,
      digestAlgorithm: signOn.digestAlgorithm,
      honorForceAuthn: signOn.honorForceAuthn,
      authnContextClassRef: signOn.authnContextClassRef,
      requestCompressed: signOn.requestCompressed,
      attributeStatements: signOn.attributeStatements.map((statement): ResolvedAttributeStatement => (statement.type === 'EXPRESSION'
        ? { type: 'EXPRESSION', name: statement.name, namespace: statement.namespace, values: [...statement.values] }
        : { type: 'GROUP', name: statement.name, namespace: statement.namespace, filterType: statement.filterType, filterValue: statement.filterValue })),
      spCertificates,
      requireSignedRequests: signOn.samlSignedRequestEnabled,
      slo: signOn.slo.enabled
        ? { issuer: present(signOn.slo.issuer) ?? spIssuer, logoutUrl: signOn.slo.logoutUrl!, participate: participateSlo }
        : undefined,
      participateSlo,
      encryption: signOn.assertionEncryption.enabled && encryptionCertificate
        ? { certificate: certificateBody(encryptionCertificate), dataAlgorithm: signOn.assertionEncryption.encryptionAlgorithm, keyTransportAlgorithm: signOn.assertionEncryption.keyTransportAlgorithm }
        : undefined,
      defaultRelayState: present(signOn.defaultRelayState),
      sessionLifetimeSeconds: signOn.samlAssertionLifetimeSeconds ?? undefined,
      inlineHookIds: signOn.inlineHooks.map((hook) => hook.id),
    },
  };
}

/**
 * The ACS URL a request may use: by `AssertionConsumerServiceIndex`, by
 * `AssertionConsumerServiceURL` (compared exactly), or the default when it names neither.
 * Undefined when it names one that is not registered: the caller shows an error page and sends
 * nothing anywhere.
 */
export function selectAcsUrl(sp: SamlServiceProvider, request: { url?: string | undefined; index?: number | undefined }): string | undefined {
  if (request.index !== undefined) return sp.acsUrls.find((acs) => acs.index === request.index)?.url;
  if (request.url !== undefined) return sp.acsUrls.find((acs) => acs.url === request.url)?.url;
  return sp.defaultAcsUrl;
}
