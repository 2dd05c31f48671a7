/**
 * A WS-Federation app as Okta models it (`name: 'template_wsfed'`, `signOnMode: WS_FEDERATION`):
 * `settings.app` with Okta's field names (`WsFederationApplicationSettingsApplication`), and the
 * resolved relying party the WS-Federation protocol code answers.
 *
 * ```ts
 * const app = parseOrThrow(wsFedAppSchema, body.settings?.app, 'settings.app');          // on save
 * const resolved = resolveWsFedRelyingParty(app, { orgUrl, appId, orgExternalKey });      // on save and at sign-in
 * ```
 * Okta writes the custom attribute statements as one string in its template apps' grammar:
 * `name|value[|namespace]`, comma separated, where a value is static text or carries
 * `${expression}` placeholders (`givenname|${user.firstName}|http://schemas.xmlsoap.org/ws/2005/05/identity/claims`).
 */
import { z } from 'zod';
import { ExpressionSyntaxError, compileGroupPattern } from '../protocols/expressions/index.ts';
import {
  authnContextClassRefs, defaultSubjectNameIdTemplate, flag, httpUrl, httpUrlProblem, nameIdFormats, oneOf, optionalText, orDefault,
  parseValueTemplate, type AuthnContextClassRef, type NameIdFormat, type ResolvedAttributeStatement, type SamlAppContext,
} from './saml-app.ts';
import type { DigestAlgorithm, SignatureAlgorithm } from '../protocols/saml/signature.ts';

export const groupValueFormats = ['windowsDomainQualifiedName', 'samAccountName', 'dn'] as const;
export type GroupValueFormat = (typeof groupValueFormats)[number];

/** Okta's `usernameAttribute`: which username claims the token carries besides the NameIdentifier. */
export const usernameAttributes = ['username', 'upn', 'upnAndUsername', 'none'] as const;
export type UsernameAttribute = (typeof usernameAttributes)[number];

/** The claim namespace of WS-Federation relying parties (WIF and its descendants). */
export const wsFedClaimsNamespace = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const nameClaim = `${wsFedClaimsNamespace}/name`;
const upnClaim = `${wsFedClaimsNamespace}/upn`;

/** One statement of Okta's `attributeStatements` string. */
export interface WsFedAttributeStatement {
  readonly name: string;
  /** The text after the first `|`: static, or with `${…}` placeholders. */
  readonly value: string;
  /** The third part, or the WS-Federation claims namespace when it is left out. */
  readonly namespace: string;
}

/** Splits `text` at `separator` outside `${…}` placeholders (which may contain quotes and braces). */
function splitOutsidePlaceholders(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (depth > 0) {
      if (quote) {
        // SpEL's only escape is the doubled quote, which stays inside the string.
        if (c === quote && text[i + 1] === quote) {
          current += c;
          i++;
        } else if (c === quote) {
          quote = undefined;
        }
      } else if (c === '"' || c === '\'') {
        quote = c;
      } else if (c === '{') {
        depth++;
      } else if (c === '}') {
        depth--;
      }
      current += c;
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      depth = 1;
      current += '${';
      i++;
      continue;
    }
    if (c === separator) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts;
}

/** Reads Okta's `attributeStatements` string; throws an Error whose message says which statement is wrong and why. */
export function parseWsFedAttributeStatements(text: string): WsFedAttributeStatement[] {
  if (text.trim() === '') return [];
  const statements: WsFedAttributeStatement[] = [];
  splitOutsidePlaceholders(text, ',').forEach((item, index) => {
    const where = `statement ${index + 1}`;
    const parts = splitOutsidePlaceholders(item, '|').map((part) => part.trim());
    if (parts.length < 2 || parts.length > 3) throw new Error(`${where} must be name|value or name|value|namespace`);
    const [name, value, namespace] = parts as [string, string, string | undefined];
    if (!name) throw new Error(`${where} has no name`);
    if (name.length > 512) throw new Error(`${where} has a name longer than 512 characters`);
    if (!value) throw new Error(`${where} (${name}) has no value`);
    if (value.includes('${')) {
      try {
        parseValueTemplate(value);
      } catch (error) {
        if (!(error instanceof ExpressionSyntaxError)) throw error;
        throw new Error(`${where} (${name}): ${error.message}`);
      }
    }
    // Okta documents the form `name|value|` (a trailing separator): an empty namespace is the default one.
    if (namespace) {
      try {
        new URL(namespace);
      } catch {
        throw new Error(`${where} (${name}) has a namespace that is not an absolute URI`);
      }
    }
    statements.push({ name, value, namespace: namespace || wsFedClaimsNamespace });
  });
  if (statements.length > 100) throw new Error('must have at most 100 statements');
  return statements;
}

/** `settings.app` of a `template_wsfed` app, with Okta's defaults. */
export const wsFedAppSchema = z.object({
  /** The `wtrealm` relying parties send; empty means Okta's generated `urn:okta:app:{key}`. */
  realm: optionalText(1024),
  /** Where the token is posted (`wreply`'s registered value). */
  wReplyURL: httpUrl(),
  /** Okta's "Allow ReplyTo Override": a request's `wreply` may replace `wReplyURL` (see {@link selectReplyUrl}). */
  wReplyOverride: orDefault(flag(), false),
  /** Launch URL for IdP-initiated sign-in from the dashboard. */
  siteURL: httpUrl().nullish(),
  /** The token's `Audience`; the realm when unset. */
  audienceRestriction: optionalText(1024),
  nameIDFormat: orDefault(oneOf(nameIdFormats), 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'),
  authnContextClassRef: orDefault(oneOf(authnContextClassRefs), 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'),
  usernameAttribute: orDefault(oneOf(usernameAttributes), 'username'),
  /** A regular expression (whole-name match) selecting the groups sent in the `groupName` claim. */
  groupFilter: z.string({ error: 'must be a string' }).max(1024, 'must be at most 1024 characters').nullish().superRefine((value, ctx) => {
    if (!value) return;
    try {
      compileGroupPattern(value);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  }),
  groupName: optionalText(512),
  /** How an Active Directory group is written; Lanyard's groups are written by name whatever this says. */
  groupValueFormat: orDefault(oneOf(groupValueFormats), 'windowsDomainQualifiedName'),
  attributeStatements: z.string({ error: 'must be a string' }).max(8192, 'must be at most 8192 characters').nullish().superRefine((value, ctx) => {
    if (!value) return;
    try {
      parseWsFedAttributeStatements(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
}).superRefine((app, ctx) => {
  if (app.groupName && !app.groupFilter) ctx.addIssue({ code: 'custom', path: ['groupFilter'], message: 'is required when groupName is set' });
});

/** The claim the groups go in when `groupFilter` is set without `groupName` (Okta's default: the role claim). */
export const defaultGroupClaim = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';

/** The claim URI a statement is sent as: its name when that is already a URI, else the namespace and the name. */
export function wsFedClaimUri(name: string, namespace: string): string {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(name) ? name : `${namespace.replace(/\/+$/, '')}/${name}`;
}

export type WsFedAppSettings = z.output<typeof wsFedAppSchema>;
export type WsFedAppSettingsInput = z.input<typeof wsFedAppSchema>;

/** Everything the WS-Federation protocol code needs about one app, as plain data. */
export interface WsFedRelyingParty {
  /** The IdP's issuer: Okta's `http://www.okta.com/{key}`. */
  readonly issuer: string;
  /** The realm a request's `wtrealm` must equal. */
  readonly realm: string;
  /** The token's `Audience` (`audienceRestriction`, else the realm). */
  readonly audience: string;
  /** The registered reply URL: where the token goes when the request names no other. */
  readonly replyUrl: string;
  /** Every reply URL registered for the app. */
  readonly replyUrls: readonly string[];
  /** Okta's `wReplyOverride`. */
  readonly allowReplyOverride: boolean;
  readonly siteUrl: string | undefined;
  /** The NameIdentifier: the app username, in `nameIDFormat`. */
  readonly nameId: { readonly template: string; readonly format: NameIdFormat };
  readonly usernameAttribute: UsernameAttribute;
  readonly authnContextClassRef: AuthnContextClassRef;
  /**
   * The token's attributes, in the SAML app's shape: the username claims `usernameAttribute`
   * asks for, the custom statements (each value an `${…}` template or a quoted static string,
   * both read by `parseAttributeValue`), and the groups claim as a `REGEX` group statement.
   */
  readonly attributeStatements: readonly ResolvedAttributeStatement[];
  readonly groups: { readonly claim: string; readonly filter: string; readonly valueFormat: GroupValueFormat } | undefined;
  /** Okta issues `template_wsfed` tokens as SAML 2.0 assertions. */
  readonly tokenType: 'saml20' | 'saml11';
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly digestAlgorithm: DigestAlgorithm;
}

/** A static value as an expression that yields it: `ENG` → `"ENG"`. */
function quoted(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/**
 * The relying party Lanyard answers, from `settings.app` as stored or received. Problems come
 * back as Okta's `field: message` causes with `settings.app.` paths.
 */
export function resolveWsFedRelyingParty(settings: unknown, context: SamlAppContext):
  { ok: true; rp: WsFedRelyingParty } | { ok: false; causes: string[] } {
  const parsed = wsFedAppSchema.safeParse(settings ?? {});
  if (!parsed.success) {
    return { ok: false, causes: parsed.error.issues.map((issue) => `${['settings', 'app', ...issue.path.map(String)].join('.')}: ${issue.message}`) };
  }
  const app = parsed.data;
  const realm = app.realm || `urn:okta:app:${context.appId}`;
  const statements: ResolvedAttributeStatement[] = [];
  const userName = (claim: string): ResolvedAttributeStatement => ({
    type: 'EXPRESSION', name: claim, namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri', values: [defaultSubjectNameIdTemplate],
  });
  if (app.usernameAttribute === 'username' || app.usernameAttribute === 'upnAndUsername') statements.push(userName(nameClaim));
  if (app.usernameAttribute === 'upn' || app.usernameAttribute === 'upnAndUsername') statements.push(userName(upnClaim));
  for (const statement of parseWsFedAttributeStatements(app.attributeStatements ?? '')) {
    statements.push({
      type: 'EXPRESSION', name: statement.name, namespace: statement.namespace,
      values: [statement.value.includes('${') ? statement.value : quoted(statement.value)],
    });
  }
  const groupClaim = app.groupFilter ? app.groupName || defaultGroupClaim : undefined;
  if (groupClaim && app.groupFilter) {
    statements.push({ type: 'GROUP', name: groupClaim, namespace: wsFedClaimsNamespace, filterType: 'REGEX', filterValue: app.groupFilter });
  }
  // Two statements are the same claim when they resolve to the same URI, however they are written.
  const seen = new Set<string>();
  const causes: string[] = [];
  for (const statement of statements) {
    const uri = wsFedClaimUri(statement.name, statement.namespace);
    if (seen.has(uri)) causes.push(`settings.app.attributeStatements: the claim ${uri} is sent twice (by usernameAttribute, attributeStatements or groupName)`);
    seen.add(uri);
  }
  if (causes.length > 0) return { ok: false, causes };
  return {
    ok: true,
    rp: {
      issuer: `http://www.okta.com/${context.orgExternalKey}`,
      realm,
      audience: app.audienceRestriction || realm,
      replyUrl: app.wReplyURL,
      replyUrls: [app.wReplyURL],
      allowReplyOverride: app.wReplyOverride,
      siteUrl: app.siteURL ?? undefined,
      nameId: { template: defaultSubjectNameIdTemplate, format: app.nameIDFormat },
      usernameAttribute: app.usernameAttribute,
      authnContextClassRef: app.authnContextClassRef,
      attributeStatements: statements,
      groups: groupClaim && app.groupFilter ? { claim: groupClaim, filter: app.groupFilter, valueFormat: app.groupValueFormat } : undefined,
      tokenType: 'saml20',
      signatureAlgorithm: 'RSA_SHA256',
      digestAlgorithm: 'SHA256',
    },
  };
}

/**
 * Where a sign-in (or sign-out) answer may go for a request's `wreply`: the registered reply URL
 * when `wreply` is absent or equal to it; with `wReplyOverride`, a `wreply` on the same origin
 * as the registered URL (scheme, host and port), so the override can pick a page of the relying
 * party but never send the token to another site. Undefined means refuse and show an error page.
 */
export function selectReplyUrl(rp: WsFedRelyingParty, wreply: string | undefined): string | undefined {
  if (wreply === undefined || wreply === '') return rp.replyUrl;
  if (rp.replyUrls.includes(wreply)) return wreply;
  if (!rp.allowReplyOverride || httpUrlProblem(wreply)) return undefined;
  return new URL(wreply).origin === new URL(rp.replyUrl).origin ? wreply : undefined;
}
