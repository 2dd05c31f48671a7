/**
 * Okta's `settings.app` of a `template_wsfed` app (src/domain/wsfed-app.ts): Okta's documented
 * request (as Okta's SDKs send it, nulls included), defaults, validation with Okta-style causes,
 * the template apps' attribute statement grammar, group filters on the safe regex engine, and the
 * resolved relying party with its reply URL rule.
 */
import { describe, expect, it } from 'vitest';
import { parseAttributeValue } from '../../src/domain/saml-app.ts';
import {
  parseWsFedAttributeStatements, resolveWsFedRelyingParty, selectReplyUrl, wsFedAppSchema, type WsFedRelyingParty,
} from '../../src/domain/wsfed-app.ts';
import { issuesToCauses } from '../../src/services/validation.ts';

const context = { orgUrl: 'http://localhost:8080', appId: '0oawsfed1', orgExternalKey: 'exk1org' };

/** Okta's Apps API example for "Add WS-Federation application", as Okta's Node SDK sends it. */
const oktaExample = {
  audienceRestriction: 'urn:example:app',
  groupName: null,
  groupValueFormat: 'windowsDomainQualifiedName',
  realm: 'urn:example:app',
  wReplyURL: 'https://example.com/',
  attributeStatements: null,
  nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  siteURL: 'https://example.com',
  wReplyOverride: false,
  groupFilter: null,
  usernameAttribute: 'username',
};

function causes(input: unknown): string[] {
  const result = wsFedAppSchema.safeParse(input);
  return result.success ? [] : issuesToCauses(result.error, 'settings.app');
}

function resolved(input: unknown): WsFedRelyingParty {
  const result = resolveWsFedRelyingParty(input, context);
  if (!result.ok) throw new Error(result.causes.join('\n'));
  return result.rp;
}

describe('settings.app of template_wsfed', () => {
  it('accepts Okta\'s documented request, nulls and all', () => {
    expect(causes(oktaExample)).toEqual([]);
  });

  it('fills Okta\'s defaults around the reply URL', () => {
    expect(wsFedAppSchema.parse({ wReplyURL: 'https://rp.example.com/' })).toEqual({
      wReplyURL: 'https://rp.example.com/',
      wReplyOverride: false,
      nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
      usernameAttribute: 'username',
      groupValueFormat: 'windowsDomainQualifiedName',
    });
  });

  it('checks fields and lists the allowed values', () => {
    expect(causes({})).toEqual(['settings.app.wReplyURL: is required']);
    expect(causes({
      wReplyURL: 'javascript:alert(1)', siteURL: 'https://example.com/#top', usernameAttribute: 'email', groupValueFormat: 'sid',
      nameIDFormat: 'urn:x', wReplyOverride: 'no', unknownField: 1,
    })).toEqual([
      'settings.app.wReplyURL: must be an absolute https or http URL',
      'settings.app.wReplyOverride: must be true or false',
      'settings.app.siteURL: must not contain a fragment (#…)',
      expect.stringMatching(/^settings\.app\.nameIDFormat: must be one of urn:oasis:names:tc:SAML:1\.1:nameid-format:unspecified, /),
      'settings.app.usernameAttribute: must be one of username, upn, upnAndUsername, none',
      'settings.app.groupValueFormat: must be one of windowsDomainQualifiedName, samAccountName, dn',
    ]);
  });

  it('checks the group filter with the safe regex engine; a filter without a claim name sends the role claim', () => {
    expect(causes({ wReplyURL: 'https://rp.example.com/', groupFilter: 'app-.*', groupName: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role' })).toEqual([]);
    expect(causes({ wReplyURL: 'https://rp.example.com/', groupFilter: '(a+)+\\1', groupName: 'role' })).toEqual([
      expect.stringMatching(/^settings\.app\.groupFilter: invalid regular expression: /),
    ]);
    expect(causes({ wReplyURL: 'https://rp.example.com/', groupFilter: '.*' })).toEqual([]);
    const resolved = resolveWsFedRelyingParty({ wReplyURL: 'https://rp.example.com/', groupFilter: '.*' }, context);
    expect(resolved.ok && resolved.rp.groups?.claim).toBe('http://schemas.microsoft.com/ws/2008/06/identity/claims/role');
    expect(causes({ wReplyURL: 'https://rp.example.com/', groupName: 'role' })).toEqual(['settings.app.groupFilter: is required when groupName is set']);
  });
});

describe('the attribute statements grammar', () => {
  it('takes Okta\'s documented form with a trailing separator, and sees one claim written two ways as a duplicate', () => {
    expect(parseWsFedAttributeStatements('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname|${user.firstName}|')).toEqual([
      { name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname', value: '${user.firstName}', namespace: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims' },
    ]);
    expect(resolveWsFedRelyingParty({ wReplyURL: 'https://rp.example.com/', usernameAttribute: 'username', attributeStatements: 'name|${user.email}' }, context)).toEqual({
      ok: false,
      causes: ['settings.app.attributeStatements: the claim http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name is sent twice (by usernameAttribute, attributeStatements or groupName)'],
    });
  });


  it('reads name|value and name|value|namespace, comma separated', () => {
    expect(parseWsFedAttributeStatements('email|${user.email},firstName|${user.firstName},role|ENG')).toEqual([
      { name: 'email', value: '${user.email}', namespace: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims' },
      { name: 'firstName', value: '${user.firstName}', namespace: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims' },
      { name: 'role', value: 'ENG', namespace: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims' },
    ]);
    expect(parseWsFedAttributeStatements('role|ENG|urn:oasis:names:tc:SAML:2.0:attrname-format:uri, email|${user.email}|urn:oasis:names:tc:SAML:2.0:attrname-format:uri')).toEqual([
      { name: 'role', value: 'ENG', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri' },
      { name: 'email', value: '${user.email}', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri' },
    ]);
    expect(parseWsFedAttributeStatements('')).toEqual([]);
  });

  it('does not split inside ${…}, whose expressions may hold commas, bars, quotes and braces', () => {
    expect(parseWsFedAttributeStatements('domain|${String.substringAfter(user.email, "@")},pair|${user.a + "|," + user.b + "}"},list|${{"a", "b"}}')).toEqual([
      { name: 'domain', value: '${String.substringAfter(user.email, "@")}', namespace: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims' },
      { name: 'pair', value: '${user.a + "|," + user.b + "}"}', namespace: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims' },
      { name: 'list', value: '${{"a", "b"}}', namespace: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims' },
    ]);
  });

  it('says which statement is wrong', () => {
    const check = (text: string) => causes({ wReplyURL: 'https://rp.example.com/', attributeStatements: text });
    expect(check('email')).toEqual(['settings.app.attributeStatements: statement 1 must be name|value or name|value|namespace']);
    expect(check('a|b,|x')).toEqual(['settings.app.attributeStatements: statement 2 has no name']);
    expect(check('a|b|c|d')).toEqual(['settings.app.attributeStatements: statement 1 must be name|value or name|value|namespace']);
    expect(check('a|')).toEqual(['settings.app.attributeStatements: statement 1 (a) has no value']);
    expect(check('a|${user.email')).toEqual(['settings.app.attributeStatements: statement 1 (a): unterminated ${…} placeholder at position 0']);
    expect(check('a|x${user.}')[0]).toMatch(/^settings\.app\.attributeStatements: statement 1 \(a\): .* at position \d+$/);
    expect(check('a|b|not a uri')).toEqual(['settings.app.attributeStatements: statement 1 (a) has a namespace that is not an absolute URI']);
  });
});

describe('the resolved relying party', () => {
  it('resolves Okta\'s documented app', () => {
    expect(resolved(oktaExample)).toEqual({
      issuer: 'http://www.okta.com/exk1org',
      realm: 'urn:example:app',
      audience: 'urn:example:app',
      replyUrl: 'https://example.com/',
      replyUrls: ['https://example.com/'],
      allowReplyOverride: false,
      siteUrl: 'https://example.com',
      nameId: { template: '${user.userName}', format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' },
      usernameAttribute: 'username',
      authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
      attributeStatements: [
        { type: 'EXPRESSION', name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri', values: ['${user.userName}'] },
      ],
      groups: undefined,
      tokenType: 'saml20',
      signatureAlgorithm: 'RSA_SHA256',
      digestAlgorithm: 'SHA256',
    });
  });

  it('generates Okta\'s realm when none is set, and uses it as the audience', () => {
    const rp = resolved({ wReplyURL: 'https://rp.example.com/', realm: '' });
    expect(rp.realm).toBe('urn:okta:app:0oawsfed1');
    expect(rp.audience).toBe('urn:okta:app:0oawsfed1');
    expect(resolved({ wReplyURL: 'https://rp.example.com/', realm: 'urn:rp', audienceRestriction: 'https://rp.example.com/' }).audience).toBe('https://rp.example.com/');
  });

  it('turns usernameAttribute, the custom statements and the group filter into statements', () => {
    const rp = resolved({
      wReplyURL: 'https://rp.example.com/', usernameAttribute: 'upnAndUsername', groupFilter: 'app-.*',
      groupName: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', groupValueFormat: 'samAccountName',
      attributeStatements: 'givenname|${user.firstName}|http://schemas.xmlsoap.org/ws/2005/05/identity/claims,dept|R&D "West"',
    });
    expect(rp.attributeStatements).toEqual([
      { type: 'EXPRESSION', name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri', values: ['${user.userName}'] },
      { type: 'EXPRESSION', name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri', values: ['${user.userName}'] },
      { type: 'EXPRESSION', name: 'givenname', namespace: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims', values: ['${user.firstName}'] },
      { type: 'EXPRESSION', name: 'dept', namespace: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims', values: ['"R&D ""West"""'] },
      { type: 'GROUP', name: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', namespace: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims', filterType: 'REGEX', filterValue: 'app-.*' },
    ]);
    expect(rp.groups).toEqual({ claim: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', filter: 'app-.*', valueFormat: 'samAccountName' });
    // Static text stays static: it reaches the token as written, through the same reader as SAML values.
    const statement = rp.attributeStatements[3];
    if (statement?.type !== 'EXPRESSION') throw new Error('expected an EXPRESSION statement');
    const dept = parseAttributeValue(statement.values[0]!);
    expect(dept).toMatchObject({ kind: 'expression' });
    expect(dept.kind === 'expression' && dept.expression.tree).toEqual({ kind: 'literal', value: 'R&D "West"', pos: 0 });
    expect(resolved({ wReplyURL: 'https://rp.example.com/', usernameAttribute: 'none' }).attributeStatements).toEqual([]);
  });

  it('refuses a claim sent twice', () => {
    expect(resolveWsFedRelyingParty({
      wReplyURL: 'https://rp.example.com/', attributeStatements: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name|${user.email}',
    }, context)).toEqual({
      ok: false,
      causes: ['settings.app.attributeStatements: the claim http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name is sent twice (by usernameAttribute, attributeStatements or groupName)'],
    });
  });

  it('returns problems of stored settings as causes', () => {
    expect(resolveWsFedRelyingParty(undefined, context)).toEqual({ ok: false, causes: ['settings.app.wReplyURL: is required'] });
  });
});

describe('reply URLs', () => {
  const fixed = resolved({ ...oktaExample, wReplyURL: 'https://rp.example.com/signin' });
  const overridable = resolved({ ...oktaExample, wReplyURL: 'https://rp.example.com/signin', wReplyOverride: true });

  it('uses the registered reply URL when the request names none or names it', () => {
    expect(selectReplyUrl(fixed, undefined)).toBe('https://rp.example.com/signin');
    expect(selectReplyUrl(fixed, '')).toBe('https://rp.example.com/signin');
    expect(selectReplyUrl(fixed, 'https://rp.example.com/signin')).toBe('https://rp.example.com/signin');
  });

  it('refuses any other wreply without wReplyOverride', () => {
    expect(selectReplyUrl(fixed, 'https://rp.example.com/other')).toBeUndefined();
    expect(selectReplyUrl(fixed, 'https://evil.example.net/signin')).toBeUndefined();
  });

  it('with wReplyOverride, accepts another page of the same site only', () => {
    expect(selectReplyUrl(overridable, 'https://rp.example.com/tenant/7/signin?x=1')).toBe('https://rp.example.com/tenant/7/signin?x=1');
    expect(selectReplyUrl(overridable, 'https://evil.example.net/signin')).toBeUndefined();
    expect(selectReplyUrl(overridable, 'http://rp.example.com/signin')).toBeUndefined();
    expect(selectReplyUrl(overridable, 'https://rp.example.com:8443/signin')).toBeUndefined();
    expect(selectReplyUrl(overridable, 'https://rp.example.com.evil.example.net/')).toBeUndefined();
    expect(selectReplyUrl(overridable, 'javascript:alert(1)//https://rp.example.com/')).toBeUndefined();
    expect(selectReplyUrl(overridable, 'https://attacker@rp.example.com/')).toBeUndefined();
    expect(selectReplyUrl(overridable, 'https://rp.example.com/#fragment')).toBeUndefined();
  });
});
