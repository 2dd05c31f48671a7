/**
 * Okta's `settings.signOn` of a custom SAML 2.0 app (src/domain/saml-app.ts): Okta's defaults,
 * Okta's documented request and response examples, null round trips, field and cross-field
 * validation with Okta-style causes, expressions and group regexes checked on save, certificates
 * generated with openssl, and the resolved service provider the protocol code uses.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateAttributeValue, parseAttributeValue, parseValueTemplate, renderTemplate, resolveIdpIssuer, resolveSamlServiceProvider,
  samlSignOnSchema, selectAcsUrl, type SamlServiceProvider,
} from '../../src/domain/saml-app.ts';
import type { ExpressionContext } from '../../src/protocols/expressions/index.ts';
import { certificateBody } from '../../src/protocols/saml/signature.ts';
import { testKeyPair } from '../helpers/certificates.ts';
import { issuesToCauses } from '../../src/services/validation.ts';

/** A self-signed certificate from openssl, as bare base64 DER. */
function opensslCertificate(key: 'rsa' | 'ec', commonName: string): string {
  return certificateBody(testKeyPair(commonName, key).certificatePem);
}

/** Okta's x5c values wrap the base64 every 76 characters with CRLF, as in its API reference. */
const wrapped = (body: string) => `${body.match(/.{1,76}/g)!.join('\r\n')}\r\n`;

let spCert: string;
let spCert2: string;
let ecCert: string;

beforeAll(() => {
  spCert = opensslCertificate('rsa', 'sp.example.com');
  spCert2 = opensslCertificate('rsa', 'sp-next.example.com');
  ecCert = opensslCertificate('ec', 'ec.example.com');
});

const context = { orgUrl: 'http://localhost:8080', appId: '0oa1abc', orgExternalKey: 'exk1org' };
const minimal = { ssoAcsUrl: 'https://sp.example.com/saml/acs', audience: 'https://sp.example.com/saml/metadata' };

/** Okta-style causes for `settings.signOn`, as the API returns them. */
function causes(input: unknown): string[] {
  const result = samlSignOnSchema.safeParse(input);
  return result.success ? [] : issuesToCauses(result.error, 'settings.signOn');
}

function resolved(input: unknown): SamlServiceProvider {
  const result = resolveSamlServiceProvider(input, context);
  if (!result.ok) throw new Error(result.causes.join('\n'));
  return result.sp;
}

describe('settings.signOn defaults', () => {
  it('fills Okta\'s defaults from the two required fields', () => {
    expect(samlSignOnSchema.parse(minimal)).toEqual({
      ssoAcsUrl: 'https://sp.example.com/saml/acs',
      audience: 'https://sp.example.com/saml/metadata',
      recipient: 'https://sp.example.com/saml/acs',
      destination: 'https://sp.example.com/saml/acs',
      idpIssuer: 'http://www.okta.com/${org.externalKey}',
      subjectNameIdTemplate: '${user.userName}',
      subjectNameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      responseSigned: true,
      assertionSigned: true,
      signatureAlgorithm: 'RSA_SHA256',
      digestAlgorithm: 'SHA256',
      honorForceAuthn: true,
      authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
      requestCompressed: false,
      allowMultipleAcsEndpoints: false,
      acsEndpoints: [],
      attributeStatements: [],
      samlSignedRequestEnabled: false,
      slo: { enabled: false },
      participateSlo: { enabled: false, sessionIndexRequired: false },
      assertionEncryption: { enabled: false, encryptionAlgorithm: 'AES256_GCM', keyTransportAlgorithm: 'RSA_OAEP' },
      inlineHooks: [],
    });
  });

  it('keeps recipient and destination the admin set apart from the ACS', () => {
    const parsed = samlSignOnSchema.parse({ ...minimal, recipient: 'https://sp.example.com/recipient', destination: 'https://sp.example.com/destination' });
    expect(parsed.recipient).toBe('https://sp.example.com/recipient');
    expect(parsed.destination).toBe('https://sp.example.com/destination');
  });

  it('parses its own output to the same settings, so stored settings resolve unchanged', () => {
    const once = samlSignOnSchema.parse({
      ...minimal, spCertificate: { x5c: [spCert] }, samlSignedRequestEnabled: true,
      attributeStatements: [{ name: 'email', values: ['user.email'] }, { type: 'GROUP', name: 'groups', filterType: 'REGEX', filterValue: '.*' }],
      slo: { enabled: true, issuer: 'https://sp.example.com', logoutUrl: 'https://sp.example.com/slo' },
      participateSlo: { enabled: true, logoutRequestUrl: 'https://sp.example.com/slo', bindingType: 'REDIRECT', sessionIndexRequired: true },
      assertionEncryption: { enabled: true, x5c: [spCert2] },
    });
    expect(samlSignOnSchema.parse(JSON.parse(JSON.stringify(once)))).toEqual(JSON.parse(JSON.stringify(once)));
  });

  it('takes null as Okta returns unset fields, so a GET → PUT round trip is accepted', () => {
    const parsed = samlSignOnSchema.parse({
      ...minimal, defaultRelayState: null, spIssuer: null, recipient: null, destination: null, idpIssuer: null, subjectNameIdTemplate: null,
      responseSigned: null, slo: null, participateSlo: null, assertionEncryption: null, spCertificate: null, attributeStatements: null,
      acsEndpoints: null, inlineHooks: null, samlAssertionLifetimeSeconds: null,
    });
    expect(parsed.recipient).toBe(minimal.ssoAcsUrl);
    expect(parsed.responseSigned).toBe(true);
    expect(parsed.idpIssuer).toBe('http://www.okta.com/${org.externalKey}');
    expect(parsed.slo).toEqual({ enabled: false });
    expect(parsed.defaultRelayState).toBeNull();
  });

  it('ignores fields Okta does not know, as Okta does, and keeps inline hooks', () => {
    const parsed = samlSignOnSchema.parse({ ...minimal, notAnOktaField: 1, inlineHooks: [{ id: 'cal4egvp1mbMldrYN0g4', extra: true }] });
    expect(parsed).not.toHaveProperty('notAnOktaField');
    expect(parsed.inlineHooks).toEqual([{ id: 'cal4egvp1mbMldrYN0g4' }]);
  });
});

describe('Okta\'s documented examples', () => {
  it('accepts the Apps API request for a custom SAML 2.0 app, CRLF-wrapped x5c and all', () => {
    const request = {
      defaultRelayState: '',
      ssoAcsUrl: 'http://testorgone.okta',
      idpIssuer: 'http://www.okta.com/${org.externalKey}',
      audience: 'asdqwe123',
      recipient: 'http://testorgone.okta',
      destination: 'http://testorgone.okta',
      subjectNameIdTemplate: '${user.userName}',
      subjectNameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      responseSigned: true,
      assertionSigned: true,
      signatureAlgorithm: 'RSA_SHA256',
      digestAlgorithm: 'SHA256',
      honorForceAuthn: true,
      authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
      // The reference writes the SLO issuer as `spIssuer` inside `slo`; the SDKs call it `issuer`.
      slo: { enabled: true, spIssuer: 'https://testorgone.okta.com', logoutUrl: 'https://testorgone.okta.com/logout' },
      spCertificate: { x5c: [wrapped(spCert)] },
      requestCompressed: false,
      allowMultipleAcsEndpoints: true,
      acsEndpoints: [{ url: 'http://testorgone.okta', index: 0 }, { url: 'http://testorgone.okta/1', index: 1 }],
      attributeStatements: [{ type: 'EXPRESSION', name: 'Attribute', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified', values: ['Value'] }],
    };
    expect(causes(request)).toEqual([]);
    const sp = resolved(request);
    expect(sp.slo).toEqual({ issuer: 'https://testorgone.okta.com', logoutUrl: 'https://testorgone.okta.com/logout', participate: undefined });
    expect(sp.spCertificates).toEqual([spCert]);
    expect(sp.acsUrls).toEqual([
      { url: 'http://testorgone.okta', index: 0, isDefault: true },
      { url: 'http://testorgone.okta/1', index: 1, isDefault: false },
    ]);
    expect(parseAttributeValue('Value')).toEqual({ kind: 'literal', value: 'Value' });
  });

  it('accepts what Terraform\'s Okta provider sends (samlSignedRequestEnabled, inline hook, empty statements)', () => {
    expect(causes({
      ...minimal, subjectNameIdTemplate: '${user.userName}', subjectNameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      signatureAlgorithm: 'RSA_SHA1', digestAlgorithm: 'SHA1', honorForceAuthn: false, slo: { enabled: false },
      samlSignedRequestEnabled: false, allowMultipleAcsEndpoints: false, attributeStatements: [], inlineHooks: [{ id: 'cal1' }],
      samlAssertionLifetimeSeconds: 300,
    })).toEqual([]);
  });
});

describe('field validation', () => {
  it('requires ssoAcsUrl and audience', () => {
    expect(causes({})).toEqual(['settings.signOn.ssoAcsUrl: is required', 'settings.signOn.audience: is required']);
    expect(causes({ ssoAcsUrl: '', audience: '' })).toEqual(['settings.signOn.ssoAcsUrl: is required', 'settings.signOn.audience: is required']);
  });

  it.each([
    ['javascript:alert(document.domain)', 'must be an absolute https or http URL'],
    ['/saml/acs', 'must be an absolute https or http URL'],
    ['ftp://sp.example.com/acs', 'must be an absolute https or http URL'],
    ['data:text/html,<script>alert(1)</script>', 'must be an absolute https or http URL'],
    ['https://sp.example.com/a\nb', 'must not contain spaces or control characters'],
    ['https://sp.example.com/acs#frag', 'must not contain a fragment (#…)'],
    ['https://user:pass@sp.example.com/acs', 'must not contain a user name or password'],
    [' https://sp.example.com/acs', 'must not contain spaces or control characters'],
    [`https://sp.example.com/${'a'.repeat(1100)}`, 'must be at most 1024 characters'],
  ])('refuses the ACS URL %s', (url, message) => {
    expect(causes({ ...minimal, ssoAcsUrl: url })).toEqual([`settings.signOn.ssoAcsUrl: ${message}`]);
  });

  it('checks every URL Lanyard sends a browser or a message to', () => {
    expect(causes({
      ...minimal, recipient: 'javascript:x', destination: 'x', acsEndpoints: [{ url: 'javascript:y', index: 1 }],
      slo: { enabled: true, logoutUrl: 'vbscript:z' }, participateSlo: { logoutRequestUrl: 'file:///etc/passwd' }, ssoAcsUrlOverride: 'gopher://q',
    })).toEqual([
      'settings.signOn.recipient: must be an absolute https or http URL',
      'settings.signOn.destination: must be an absolute https or http URL',
      'settings.signOn.acsEndpoints.0.url: must be an absolute https or http URL',
      'settings.signOn.slo.logoutUrl: must be an absolute https or http URL',
      'settings.signOn.participateSlo.logoutRequestUrl: must be an absolute https or http URL',
      'settings.signOn.ssoAcsUrlOverride: must be an absolute https or http URL',
      // Rules between fields are checked alongside malformed values, so the admin sees them at once.
      'settings.signOn.spCertificate: is required when single logout is enabled: the SP\'s logout requests are verified with it',
    ]);
  });

  it('lists Okta\'s allowed values for enumerations', () => {
    expect(causes({ ...minimal, signatureAlgorithm: 'RSA_SHA512', digestAlgorithm: 'MD5', subjectNameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:emailAddress' })).toEqual([
      'settings.signOn.subjectNameIdFormat: must be one of urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified, urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress, urn:oasis:names:tc:SAML:1.1:nameid-format:x509SubjectName, urn:oasis:names:tc:SAML:2.0:nameid-format:persistent, urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
      'settings.signOn.signatureAlgorithm: must be one of RSA_SHA256, RSA_SHA1',
      'settings.signOn.digestAlgorithm: must be one of SHA256, SHA1',
    ]);
    expect(causes({ ...minimal, authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos' })[0]).toMatch(/^settings\.signOn\.authnContextClassRef: must be one of /);
    expect(causes({ ...minimal, authnContextClassRef: 'oasis:names:tc:SAML:2.0:ac:classes:Kerberos' })).toEqual([]);
  });

  it('checks types', () => {
    expect(causes({ ...minimal, responseSigned: 'yes', acsEndpoints: [{ url: 'https://sp.example.com/a', index: 1.5 }], samlAssertionLifetimeSeconds: 0 })).toEqual([
      'settings.signOn.responseSigned: must be true or false',
      'settings.signOn.acsEndpoints.0.index: must be a whole number',
      'settings.signOn.samlAssertionLifetimeSeconds: must be at least 1 second',
    ]);
    expect(causes({ ...minimal, acsEndpoints: [{ url: 'https://sp.example.com/a' }, { url: 'https://sp.example.com/b', index: 70000 }] })).toEqual([
      'settings.signOn.acsEndpoints.0.index: is required',
      'settings.signOn.acsEndpoints.1.index: must be from 0 to 65535',
    ]);
  });
});

describe('the Name ID template', () => {
  it.each(['${user.userName}', '${user.email}', '${String.toLowerCase(user.login)}', 'AD\\${user.login}', '${user.firstName + "." + user.lastName}', '${"}" + user.login}'])(
    'accepts %s', (template) => {
      expect(causes({ ...minimal, subjectNameIdTemplate: template })).toEqual([]);
    },
  );

  it('refuses templates that do not parse or do not depend on the user', () => {
    expect(causes({ ...minimal, subjectNameIdTemplate: '${user.userName' })).toEqual(['settings.signOn.subjectNameIdTemplate: unterminated ${…} placeholder at position 0']);
    expect(causes({ ...minimal, subjectNameIdTemplate: 'x${user.}' })[0]).toMatch(/^settings\.signOn\.subjectNameIdTemplate: .* at position \d+$/);
    expect(causes({ ...minimal, subjectNameIdTemplate: '${nobody.name}' })[0]).toMatch(/^settings\.signOn\.subjectNameIdTemplate: /);
    expect(causes({ ...minimal, subjectNameIdTemplate: 'everyone-is-alice' })).toEqual([
      'settings.signOn.subjectNameIdTemplate: must insert a user attribute, such as ${user.userName}',
    ]);
  });

  it('reports positions in the template, not in the expression', () => {
    expect(() => parseValueTemplate('abc${user.}')).toThrow(/at position (9|10)$/);
  });
});

describe('attribute statements', () => {
  const expression = (values: string[]) => ({ ...minimal, attributeStatements: [{ type: 'EXPRESSION', name: 'a', values }] });

  it('accepts expressions, static text with or without quotes, AWS role ARNs and ${…} templates', () => {
    const values = [
      'user.email', 'String.toLowerCase(user.login)', 'user.firstName + " " + user.lastName', 'ENG', '"ENG"', 'Value',
      'arn:aws:iam::123456789012:saml-provider/OKTA,arn:aws:iam::123456789012:role/Admin', 'https://app.example.com/home', '${user.firstName} (${user.department})',
      'isMemberOfGroupName("admins") ? "admin" : "user"',
    ];
    expect(causes(expression(values))).toEqual([]);
    expect(values.map((value) => parseAttributeValue(value).kind)).toEqual([
      'expression', 'expression', 'expression', 'literal', 'expression', 'literal', 'literal', 'literal', 'template', 'expression',
    ]);
  });

  it('refuses what evidently means to be an expression but does not parse', () => {
    const result = causes(expression(['user.email +', 'String.toLowerCas(user.login)', '"unterminated', 'user.email', '(user.email']));
    expect(result).toHaveLength(4);
    expect(result[0]).toMatch(/^settings\.signOn\.attributeStatements\.0\.values\.0: /);
    expect(result[1]).toMatch(/^settings\.signOn\.attributeStatements\.0\.values\.1: .*String\.toLowerCase/);
    expect(result[2]).toMatch(/^settings\.signOn\.attributeStatements\.0\.values\.2: unterminated string/);
    expect(result[3]).toMatch(/^settings\.signOn\.attributeStatements\.0\.values\.4: /);
  });

  it('defaults the type to EXPRESSION and the name format to unspecified, and keeps Okta\'s shape', () => {
    expect(samlSignOnSchema.parse({ ...minimal, attributeStatements: [{ name: 'email', values: ['user.email'] }] }).attributeStatements).toEqual([
      { type: 'EXPRESSION', name: 'email', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified', values: ['user.email'] },
    ]);
  });

  it('checks GROUP statements: a filter, no values, and regexes the safe engine can run', () => {
    expect(causes({
      ...minimal, attributeStatements: [
        { type: 'GROUP', name: 'g1', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', filterType: 'REGEX', filterValue: '.*admin.*' },
        { type: 'GROUP', name: 'g2', filterType: 'STARTS_WITH', filterValue: 'app-' },
        { type: 'GROUP', name: 'g3', filterType: 'EQUALS', filterValue: 'Everyone' },
        { type: 'GROUP', name: 'g4', filterType: 'CONTAINS', filterValue: 'eng' },
      ],
    })).toEqual([]);
    const result = causes({
      ...minimal, attributeStatements: [
        { type: 'GROUP', name: 'g1', filterType: 'REGEX', filterValue: '(admin' },
        { type: 'GROUP', name: 'g2', filterType: 'REGEX', filterValue: '(a)\\1' },
        { type: 'GROUP', name: 'g3', filterType: 'REGEX', filterValue: '(?=admin).*' },
        { type: 'GROUP', name: 'g4', filterType: 'REGEX', filterValue: 'a'.repeat(600) },
        { type: 'GROUP', name: 'g5', filterType: 'ENDS_WITH', filterValue: 'x' },
        { type: 'GROUP', name: 'g6', values: ['user.email'] },
        { type: 'EXPRESSION', name: 'e1', values: ['user.email'], filterType: 'REGEX', filterValue: '.*' },
        { type: 'EXPRESSION', name: 'e2' },
        { type: 'ROLE', name: 'e3', values: ['x'] },
        { type: 'EXPRESSION', name: 'e4', values: ['x'], namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:other' },
      ],
    });
    expect(result).toEqual([
      expect.stringMatching(/^settings\.signOn\.attributeStatements\.0\.filterValue: invalid regular expression: /),
      expect.stringMatching(/^settings\.signOn\.attributeStatements\.1\.filterValue: invalid regular expression: unsupported escape \\1/),
      expect.stringMatching(/^settings\.signOn\.attributeStatements\.2\.filterValue: invalid regular expression: /),
      expect.stringMatching(/^settings\.signOn\.attributeStatements\.3\.filterValue: invalid regular expression: /),
      'settings.signOn.attributeStatements.4.filterType: must be one of STARTS_WITH, EQUALS, CONTAINS, REGEX',
      'settings.signOn.attributeStatements.5.values: a GROUP statement has no values: it sends the names of the groups that pass its filter',
      'settings.signOn.attributeStatements.5.filterType: is required for a GROUP statement',
      'settings.signOn.attributeStatements.5.filterValue: is required for a GROUP statement',
      'settings.signOn.attributeStatements.6.filterType: applies only to a GROUP statement',
      'settings.signOn.attributeStatements.6.filterValue: applies only to a GROUP statement',
      'settings.signOn.attributeStatements.7.values: is required for an EXPRESSION statement',
      'settings.signOn.attributeStatements.8.type: must be one of EXPRESSION, GROUP',
      'settings.signOn.attributeStatements.9.namespace: must be one of urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified, urn:oasis:names:tc:SAML:2.0:attrname-format:basic, urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
    ]);
  });

  it('keeps attribute names unique across all statements, as Okta does', () => {
    expect(causes({
      ...minimal, attributeStatements: [
        { name: 'groups', values: ['user.department'] },
        { type: 'GROUP', name: 'groups', filterType: 'REGEX', filterValue: '.*' },
      ],
    })).toEqual(['settings.signOn.attributeStatements.1.name: must be unique across attribute statements (attributeStatements.0 has it too)']);
  });
});

describe('certificates', () => {
  it('accepts base64 DER, CRLF-wrapped base64 and PEM', () => {
    const pem = `-----BEGIN CERTIFICATE-----\n${wrapped(spCert)}-----END CERTIFICATE-----\n`;
    expect(causes({ ...minimal, spCertificate: { x5c: [spCert, wrapped(spCert2)] } })).toEqual([]);
    expect(causes({ ...minimal, spCertificate: { x5c: [pem] } })).toEqual([]);
    expect(resolved({ ...minimal, spCertificate: { x5c: [pem, wrapped(spCert2)] } }).spCertificates).toEqual([spCert, spCert2]);
  });

  it('refuses what is not an RSA X.509 certificate', () => {
    expect(causes({
      ...minimal, spCertificate: { x5c: ['not base64!', Buffer.from('hello world').toString('base64'), ecCert, spCert.slice(0, 200), ''] },
    })).toEqual([
      'settings.signOn.spCertificate.x5c.0: must be a base64-encoded DER X.509 certificate',
      'settings.signOn.spCertificate.x5c.1: is not a valid X.509 certificate',
      'settings.signOn.spCertificate.x5c.2: must hold an RSA public key',
      'settings.signOn.spCertificate.x5c.3: is not a valid X.509 certificate',
      'settings.signOn.spCertificate.x5c.4: must be a base64-encoded DER X.509 certificate',
    ]);
  });

  it('takes exactly one encryption certificate', () => {
    expect(causes({ ...minimal, assertionEncryption: { enabled: true, x5c: [spCert, spCert2] } })).toEqual([
      'settings.signOn.assertionEncryption.x5c: must hold exactly one certificate',
    ]);
    expect(causes({ ...minimal, assertionEncryption: { enabled: true, encryptionAlgorithm: 'AES192_CBC', keyTransportAlgorithm: 'RSA_1_5', x5c: [spCert] } })).toEqual([
      'settings.signOn.assertionEncryption.encryptionAlgorithm: must be one of AES256_CBC, AES128_CBC, AES256_GCM, AES128_GCM',
      'settings.signOn.assertionEncryption.keyTransportAlgorithm: must be one of RSA_OAEP, RSA_15',
    ]);
  });
});

describe('rules between fields', () => {
  it('needs the response or the assertion signed', () => {
    expect(causes({ ...minimal, responseSigned: false, assertionSigned: false })).toEqual([
      'settings.signOn.assertionSigned: either responseSigned or assertionSigned (or both) must be true',
    ]);
    expect(causes({ ...minimal, responseSigned: false })).toEqual([]);
  });

  it('needs the SP certificate for signed requests and for SP-initiated logout', () => {
    expect(causes({ ...minimal, samlSignedRequestEnabled: true })).toEqual([
      'settings.signOn.spCertificate: is required when samlSignedRequestEnabled is true: signed requests are verified with it',
    ]);
    expect(causes({ ...minimal, samlSignedRequestEnabled: true, spCertificate: { x5c: [] } })).toHaveLength(1);
    expect(causes({ ...minimal, slo: { enabled: true } })).toEqual([
      'settings.signOn.slo.logoutUrl: is required when single logout is enabled',
      'settings.signOn.spCertificate: is required when single logout is enabled: the SP\'s logout requests are verified with it',
    ]);
  });

  it('needs a URL and a binding to take part in single logout', () => {
    expect(causes({ ...minimal, participateSlo: { enabled: true } })).toEqual([
      'settings.signOn.participateSlo.logoutRequestUrl: is required when participateSlo is enabled',
      'settings.signOn.participateSlo.bindingType: is required when participateSlo is enabled',
    ]);
    expect(causes({ ...minimal, participateSlo: { enabled: true, logoutRequestUrl: 'https://sp.example.com/slo', bindingType: 'SOAP' } })).toEqual([
      'settings.signOn.participateSlo.bindingType: must be one of POST, REDIRECT',
    ]);
  });

  it('needs the encryption certificate when encryption is on', () => {
    expect(causes({ ...minimal, assertionEncryption: { enabled: true } })).toEqual([
      'settings.signOn.assertionEncryption.x5c: must hold exactly one certificate when assertion encryption is enabled',
    ]);
  });

  it('keeps ACS indexes unique when several ACS URLs are allowed', () => {
    const endpoints = [{ url: 'https://sp.example.com/a', index: 0 }, { url: 'https://sp.example.com/b', index: 0 }];
    expect(causes({ ...minimal, allowMultipleAcsEndpoints: true, acsEndpoints: endpoints })).toEqual([
      'settings.signOn.acsEndpoints.1.index: repeats index 0 of acsEndpoints.0',
    ]);
    expect(causes({ ...minimal, acsEndpoints: [...endpoints, ...Array.from({ length: 100 }, (_, i) => ({ url: `https://sp.example.com/${i}`, index: i }))] }))
      .toEqual(['settings.signOn.acsEndpoints: must have at most 100 endpoints']);
  });
});

describe('the resolved service provider', () => {
  it('resolves the minimal app', () => {
    expect(resolved(minimal)).toEqual({
      entityId: 'https://sp.example.com/saml/metadata',
      spIssuer: 'https://sp.example.com/saml/metadata',
      acsUrls: [{ url: 'https://sp.example.com/saml/acs', index: undefined, isDefault: true }],
      defaultAcsUrl: 'https://sp.example.com/saml/acs',
      recipient: 'https://sp.example.com/saml/acs',
      destination: 'https://sp.example.com/saml/acs',
      idpIssuer: 'http://www.okta.com/exk1org',
      nameId: { template: '${user.userName}', format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' },
      signResponse: true,
      signAssertion: true,
      signatureAlgorithm: 'RSA_SHA256',
      digestAlgorithm: 'SHA256',
      honorForceAuthn: true,
      authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
      requestCompressed: false,
      attributeStatements: [],
      spCertificates: [],
      requireSignedRequests: false,
      slo: undefined,
      participateSlo: undefined,
      encryption: undefined,
      defaultRelayState: undefined,
      sessionLifetimeSeconds: undefined,
      inlineHookIds: [],
    });
  });

  it('fills ${org.externalKey} in the issuer and leaves other text alone', () => {
    expect(resolveIdpIssuer('http://www.okta.com/${org.externalKey}', 'exk9')).toBe('http://www.okta.com/exk9');
    expect(resolved({ ...minimal, idpIssuer: 'https://idp.example.com/${org.externalKey}/${app.id}/${org.externalKey}' }).idpIssuer)
      .toBe('https://idp.example.com/exk1org/${app.id}/exk1org');
    expect(resolved({ ...minimal, idpIssuer: 'urn:example:idp' }).idpIssuer).toBe('urn:example:idp');
  });

  it('allows only ssoAcsUrl unless allowMultipleAcsEndpoints is on', () => {
    const endpoints = [{ url: 'https://sp.example.com/acs/2', index: 2 }, { url: 'https://sp.example.com/acs/1', index: 1 }];
    expect(resolved({ ...minimal, acsEndpoints: endpoints }).acsUrls).toEqual([{ url: minimal.ssoAcsUrl, index: undefined, isDefault: true }]);
    const sp = resolved({ ...minimal, allowMultipleAcsEndpoints: true, acsEndpoints: endpoints });
    expect(sp.acsUrls).toEqual([
      { url: minimal.ssoAcsUrl, index: undefined, isDefault: true },
      { url: 'https://sp.example.com/acs/1', index: 1, isDefault: false },
      { url: 'https://sp.example.com/acs/2', index: 2, isDefault: false },
    ]);
    const withDefault = resolved({ ...minimal, allowMultipleAcsEndpoints: true, acsEndpoints: [...endpoints, { url: minimal.ssoAcsUrl, index: 0 }] });
    expect(withDefault.acsUrls).toEqual([
      { url: minimal.ssoAcsUrl, index: 0, isDefault: true },
      { url: 'https://sp.example.com/acs/1', index: 1, isDefault: false },
      { url: 'https://sp.example.com/acs/2', index: 2, isDefault: false },
    ]);
  });

  it('selects the ACS a request names only when it is registered', () => {
    const sp = resolved({ ...minimal, allowMultipleAcsEndpoints: true, acsEndpoints: [{ url: 'https://sp.example.com/acs/1', index: 1 }] });
    expect(selectAcsUrl(sp, {})).toBe(minimal.ssoAcsUrl);
    expect(selectAcsUrl(sp, { index: 1 })).toBe('https://sp.example.com/acs/1');
    expect(selectAcsUrl(sp, { url: 'https://sp.example.com/acs/1' })).toBe('https://sp.example.com/acs/1');
    expect(selectAcsUrl(sp, { index: 7 })).toBeUndefined();
    expect(selectAcsUrl(sp, { url: 'https://evil.example.net/acs' })).toBeUndefined();
    expect(selectAcsUrl(sp, { url: 'https://sp.example.com/acs/1/' })).toBeUndefined();
  });

  it('resolves signing, logout, encryption and the CASB overrides', () => {
    const sp = resolved({
      ...minimal, spIssuer: 'urn:sp:issuer', defaultRelayState: '/home', samlAssertionLifetimeSeconds: 3600, inlineHooks: [{ id: 'cal1' }],
      spCertificate: { x5c: [wrapped(spCert)] }, samlSignedRequestEnabled: true,
      slo: { enabled: true, logoutUrl: 'https://sp.example.com/slo/response' },
      participateSlo: { enabled: true, logoutRequestUrl: 'https://sp.example.com/slo', bindingType: 'POST', sessionIndexRequired: true },
      assertionEncryption: { enabled: true, encryptionAlgorithm: 'AES128_CBC', keyTransportAlgorithm: 'RSA_15', x5c: [wrapped(spCert2)] },
      audienceOverride: 'urn:casb:audience', ssoAcsUrlOverride: 'https://casb.example.com/acs', recipientOverride: 'https://casb.example.com/r',
      destinationOverride: 'https://casb.example.com/d', subjectNameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    });
    const participate = { logoutRequestUrl: 'https://sp.example.com/slo', binding: 'post', sessionIndexRequired: true };
    expect(sp).toMatchObject({
      entityId: 'urn:casb:audience', spIssuer: 'urn:sp:issuer', defaultAcsUrl: 'https://casb.example.com/acs',
      acsUrls: [{ url: 'https://casb.example.com/acs', index: undefined, isDefault: true }],
      recipient: 'https://casb.example.com/r', destination: 'https://casb.example.com/d',
      nameId: { template: '${user.userName}', format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' },
      spCertificates: [spCert], requireSignedRequests: true,
      slo: { issuer: 'urn:sp:issuer', logoutUrl: 'https://sp.example.com/slo/response', participate },
      participateSlo: participate,
      encryption: { certificate: spCert2, dataAlgorithm: 'AES128_CBC', keyTransportAlgorithm: 'RSA_15' },
      defaultRelayState: '/home', sessionLifetimeSeconds: 3600, inlineHookIds: ['cal1'],
    });
  });

  it('takes part in logout without SP-initiated logout, and spells the binding as the protocol code does', () => {
    const sp = resolved({ ...minimal, participateSlo: { enabled: true, logoutRequestUrl: 'https://sp.example.com/slo', bindingType: 'REDIRECT' } });
    expect(sp.slo).toBeUndefined();
    expect(sp.participateSlo).toEqual({ logoutRequestUrl: 'https://sp.example.com/slo', binding: 'redirect', sessionIndexRequired: false });
  });

  it('returns every problem of stored settings as Okta causes instead of throwing', () => {
    expect(resolveSamlServiceProvider(undefined, context)).toEqual({
      ok: false, causes: ['settings.signOn.ssoAcsUrl: is required', 'settings.signOn.audience: is required'],
    });
    expect(resolveSamlServiceProvider({ ...minimal, responseSigned: false, assertionSigned: false }, context)).toEqual({
      ok: false, causes: ['settings.signOn.assertionSigned: either responseSigned or assertionSigned (or both) must be true'],
    });
    expect(resolveSamlServiceProvider('not an object', context).ok).toBe(false);
  });

  it('hands the protocol code statements with Okta\'s names', () => {
    const sp = resolved({
      ...minimal, attributeStatements: [
        { name: 'email', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', values: ['user.email'] },
        { type: 'GROUP', name: 'groups', filterType: 'STARTS_WITH', filterValue: 'app-' },
      ],
    });
    expect(sp.attributeStatements).toEqual([
      { type: 'EXPRESSION', name: 'email', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', values: ['user.email'] },
      { type: 'GROUP', name: 'groups', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified', filterType: 'STARTS_WITH', filterValue: 'app-' },
    ]);
  });
});

describe('computing values', () => {
  const user: ExpressionContext = {
    user: { userName: 'ada@example.com', login: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', department: null, roles: ['a', 'b'] },
    groups: [], now: new Date('2024-01-01T00:00:00Z'),
  };

  it('renders templates, with null inserting nothing and arrays joined', () => {
    expect(renderTemplate(parseValueTemplate('${user.userName}'), user)).toBe('ada@example.com');
    expect(renderTemplate(parseValueTemplate('AD\\${String.toUpperCase(user.lastName)}$x ${user.department}|${user.roles}'), user)).toBe('AD\\LOVELACE$x |a,b');
  });

  it('evaluates expressions, templates and static values', () => {
    expect(evaluateAttributeValue(parseAttributeValue('user.firstName + " " + user.lastName'), user)).toBe('Ada Lovelace');
    expect(evaluateAttributeValue(parseAttributeValue('user.roles'), user)).toEqual(['a', 'b']);
    expect(evaluateAttributeValue(parseAttributeValue('${user.firstName}!'), user)).toBe('Ada!');
    expect(evaluateAttributeValue(parseAttributeValue('ENG'), user)).toBe('ENG');
    expect(evaluateAttributeValue(parseAttributeValue('"ENG"'), user)).toBe('ENG');
  });
});
