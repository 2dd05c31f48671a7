/**
 * XML signatures and HTTP-Redirect query signatures (src/protocols/saml/signature.ts), against
 * independent implementations (xmlsec1, OpenSSL, python3-saml) and against attacks: signature
 * wrapping XSW1–XSW8 ("On Breaking SAML: Be Whoever You Want to Be", Somorovsky et al., 2012),
 * reference and transform tricks, algorithm downgrade and confusion, foreign keys, tampering.
 *
 * Some attacks need a signature that a holder of the trusted key made over an odd SignedInfo (a
 * peer that signs carelessly, or a policy the verifier must enforce whatever the peer does);
 * `forge` below makes those, and its output for a normal SignedInfo is checked against xmlsec1.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import { C14nCanonicalization, ExclusiveCanonicalization } from 'xml-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rawQueryParameters, signElement, signRedirectQuery, verifyElementSignature, verifyRedirectQuery,
} from '../../src/protocols/saml/signature.ts';
import {
  children, deflateForRedirect, descendants, inflateRedirectMessage, maxMessageBytes, ns, parseXml, requiredChild, SamlError, serialize, text,
} from '../../src/protocols/saml/xml.ts';
import { requireCommand, testKeyPair, type TestKeyPair } from '../helpers/certificates.ts';
import { faultOf, messageOf } from '../helpers/errors.ts';

const python = '/usr/bin/python3';
const peer = testKeyPair('lanyard-saml-peer');
const attacker = testKeyPair('lanyard-saml-attacker');
const peerEc = testKeyPair('lanyard-saml-peer-ec', 'ec');
const trusted = [peer.certificatePem];
const sha256 = { signature: 'RSA_SHA256', digest: 'SHA256' } as const;

const uri = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  excC14nWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  xpath: 'http://www.w3.org/TR/1999/REC-xpath-19991116',
  xpathFilter2: 'http://www.w3.org/2002/06/xmldsig-filter2',
  xslt: 'http://www.w3.org/TR/1999/REC-xslt-19991116',
  base64: 'http://www.w3.org/2000/09/xmldsig#base64',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  hmacSha256: 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256',
  hmacSha1: 'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
} as const;

// ---------------------------------------------------------------------------------------------
// Helpers

/** The fault of the SamlError `run` throws; fails the test when it throws anything else or nothing. */
/** Verifies the root element of `xml`. */
function verifyRoot(xml: string, certificates: readonly string[] = trusted, options: { allowSha1?: boolean } = {}) {
  const doc = parseXml(xml);
  return verifyElementSignature(doc, doc.documentElement!, certificates, options);
}

/** Refused as a signature problem (or an invalid message). */
function expectRefused(run: () => unknown): void {
  expect(['signature', 'invalid']).toContain(faultOf(run));
}

/** Edits a document through the DOM (xmldom, as an attacker's tool would). */
function edit(xml: string, change: (doc: Document) => void): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  change(doc);
  return new XMLSerializer().serializeToString(doc);
}

function byId(doc: Document | Element, id: string): Element {
  const all = doc.getElementsByTagName('*') as unknown as ArrayLike<Element>;
  for (let i = 0; i < all.length; i++) if (all[i]!.getAttribute('ID') === id) return all[i]!;
  throw new Error(`no element ${id}`);
}

function signatureOf(element: Element): Element {
  return children(element, ns.ds, 'Signature')[0]!;
}

function setNameId(element: Element, value: string): void {
  const nameId = descendants(element, ns.assertion, 'NameID')[0]!;
  nameId.textContent = value;
}

let dir = '';
let fileCount = 0;
function tempFile(content: string, extension = 'xml'): string {
  const path = join(dir, `f${fileCount++}.${extension}`);
  writeFileSync(path, content);
  return path;
}

/** xmlsec1 --verify with exactly this certificate's key (KeyInfo ignored: only named keys are enabled). */
function xmlsecVerifies(xml: string, certificatePem: string, idAttributes: readonly string[], nodeXpath?: string): boolean {
  const args = ['--verify', '--enabled-key-data', 'key-name', '--pubkey-cert-pem', tempFile(certificatePem, 'pem')];
  for (const element of idAttributes) args.push('--id-attr:' + (element.endsWith(':Assertion') && element.includes('1.0') ? 'AssertionID' : 'ID'), element);
  if (nodeXpath) args.push('--node-xpath', nodeXpath);
  args.push(tempFile(xml));
  const result = spawnSync('xmlsec1', args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  return result.status === 0;
}

/** xmlsec1 --sign of a template holding an empty Signature. */
function xmlsecSign(template: string, key: TestKeyPair, idAttributes: readonly string[]): string {
  const args = ['--sign', '--privkey-pem', `${tempFile(key.privateKeyPem, 'pem')},${tempFile(key.certificatePem, 'pem')}`];
  for (const element of idAttributes) args.push('--id-attr:ID', element);
  const output = join(dir, `signed${fileCount++}.xml`);
  args.push('--output', output, tempFile(template));
  const result = spawnSync('xmlsec1', args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`xmlsec1 --sign failed: ${result.stderr}`);
  return readFileSync(output, 'utf8');
}

function runPython(script: string, input: string): string {
  const result = spawnSync(python, ['-c', script], { input, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
  return result.stdout.trim();
}

const protocolElement = (name: string): string => `${ns.protocol}:${name}`;
const assertionElement = `${ns.assertion}:Assertion`;

beforeAll(() => {
  requireCommand('xmlsec1', ['--version'], 'xmlsec1');
  requireCommand('openssl', ['version'], 'openssl');
  requireCommand(python, ['-c', 'from onelogin.saml2.utils import OneLogin_Saml2_Utils; from onelogin.saml2.auth import OneLogin_Saml2_Auth'], 'python3-saml');
  dir = mkdtempSync(join(tmpdir(), 'lanyard-saml-sig-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Messages

const victim = 'attacker@example.com';
const evil = 'admin@example.com';

function logoutRequestXml(id: string, nameId = victim): string {
  return `<samlp:LogoutRequest xmlns:samlp="${ns.protocol}" xmlns:saml="${ns.assertion}" ID="${id}" Version="2.0" IssueInstant="2024-01-01T00:00:00Z" Destination="https://lanyard.example/slo">`
    + `<saml:Issuer>https://peer.example</saml:Issuer><saml:NameID>${nameId}</saml:NameID></samlp:LogoutRequest>`;
}

function assertionXml(id: string, nameId = victim): string {
  return `<saml:Assertion xmlns:saml="${ns.assertion}" xmlns:xs="${ns.xs}" xmlns:xsi="${ns.xsi}" ID="${id}" IssueInstant="2024-01-01T00:00:00Z" Version="2.0">`
    + '<saml:Issuer>https://peer.example</saml:Issuer>'
    + `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${nameId}</saml:NameID></saml:Subject>`
    + '<saml:Conditions NotBefore="2024-01-01T00:00:00Z" NotOnOrAfter="2024-01-01T00:05:00Z"><saml:AudienceRestriction><saml:Audience>https://lanyard.example</saml:Audience></saml:AudienceRestriction></saml:Conditions>'
    + '<saml:AttributeStatement><saml:Attribute Name="role"><saml:AttributeValue xsi:type="xs:string">user</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>'
    + '</saml:Assertion>';
}

function responseXml(id: string, inner: string): string {
  return `<samlp:Response xmlns:samlp="${ns.protocol}" xmlns:saml="${ns.assertion}" ID="${id}" Version="2.0" IssueInstant="2024-01-01T00:00:00Z" Destination="https://lanyard.example/acs">`
    + '<saml:Issuer>https://peer.example</saml:Issuer>'
    + '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
    + `${inner}</samlp:Response>`;
}

const signedLogoutRequest = (): string => signElement(logoutRequestXml('_lr1'), '_lr1', peer, sha256);
/** A Response whose Response element is signed (its Assertion is not). */
const signedResponse = (): string => signElement(responseXml('_r1', assertionXml('_a1')), '_r1', peer, sha256);
/** An unsigned Response holding a signed Assertion. */
const responseWithSignedAssertion = (): string => responseXml('_r1', signElement(assertionXml('_a1'), '_a1', peer, sha256));

// ---------------------------------------------------------------------------------------------
// forge: an enveloped signature by `key` over any SignedInfo, for shapes signElement never makes.

interface Digests { sha256: string; sha1: string }

function excC14n(xml: string, id: string | undefined, inclusive = false): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const element = id === undefined ? doc.documentElement! : byId(doc, id);
  return (inclusive ? new C14nCanonicalization() : new ExclusiveCanonicalization()).process(element as never, {});
}

function transformsXml(algorithms: readonly string[]): string {
  return `<ds:Transforms>${algorithms.map((a) => `<ds:Transform Algorithm="${a}"></ds:Transform>`).join('')}</ds:Transforms>`;
}

function referenceXml(id: string, digests: Digests, options: { uri?: string; transforms?: readonly string[]; digest?: 'sha256' | 'sha1' } = {}): string {
  const digest = options.digest ?? 'sha256';
  return `<ds:Reference URI="${options.uri ?? `#${id}`}">${transformsXml(options.transforms ?? [uri.enveloped, uri.excC14n])}`
    + `<ds:DigestMethod Algorithm="${uri[digest]}"></ds:DigestMethod><ds:DigestValue>${digests[digest]}</ds:DigestValue></ds:Reference>`;
}

const head = (method: string = uri.rsaSha256, canonicalization: string = uri.excC14n): string =>
  `<ds:CanonicalizationMethod Algorithm="${canonicalization}"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm="${method}"></ds:SignatureMethod>`;

/**
 * `xml` holds `<!--SIG-->` where the signature goes. Digests are of the element `id` without the
 * signature (exclusive canonicalization); SignedInfo is written in canonical form by `signedInfo`.
 */
function forge(xml: string, id: string, options: {
  key?: TestKeyPair; signedInfo?: (digests: Digests) => string; hash?: string; hmacKey?: Buffer; after?: string;
  signatureValue?: (value: string) => string; inclusiveDigest?: boolean;
} = {}): string {
  const unsigned = xml.replace('<!--SIG-->', '');
  const canonical = excC14n(unsigned, id, options.inclusiveDigest);
  const digests = { sha256: createHash('sha256').update(canonical).digest('base64'), sha1: createHash('sha1').update(canonical).digest('base64') };
  const inner = options.signedInfo ? options.signedInfo(digests) : head() + referenceXml(id, digests);
  const signedInfo = excC14n(`<ds:SignedInfo xmlns:ds="${ns.ds}">${inner}</ds:SignedInfo>`, undefined);
  const value = options.hmacKey
    ? createHmac(options.hash ?? 'sha256', options.hmacKey).update(signedInfo).digest('base64')
    : sign(options.hash ?? 'sha256', Buffer.from(signedInfo), (options.key ?? peer).privateKeyPem).toString('base64');
  const signatureValue = options.signatureValue ? options.signatureValue(value) : value;
  return xml.replace('<!--SIG-->', `<ds:Signature xmlns:ds="${ns.ds}"><ds:SignedInfo>${inner}</ds:SignedInfo>`
    + `<ds:SignatureValue>${signatureValue}</ds:SignatureValue>${options.after ?? ''}</ds:Signature>`);
}

const requestTemplate = (id = '_q1', nameId = victim): string =>
  `<samlp:LogoutRequest xmlns:samlp="${ns.protocol}" xmlns:saml="${ns.assertion}" ID="${id}" Version="2.0" IssueInstant="2024-01-01T00:00:00Z">`
  + `<saml:Issuer>https://peer.example</saml:Issuer><!--SIG--><saml:NameID>${nameId}</saml:NameID></samlp:LogoutRequest>`;

// ---------------------------------------------------------------------------------------------

describe('Lanyard signs; xmlsec1 and Lanyard verify', () => {
  it('an enveloped RSA-SHA256 signature on a LogoutRequest', () => {
    const signed = signedLogoutRequest();
    expect(xmlsecVerifies(signed, peer.certificatePem, [protocolElement('LogoutRequest')])).toBe(true);
    // The negative control: xmlsec1 as called here really checks the key.
    expect(xmlsecVerifies(signed, attacker.certificatePem, [protocolElement('LogoutRequest')])).toBe(false);
    expect(xmlsecVerifies(signed.replace(victim, evil), peer.certificatePem, [protocolElement('LogoutRequest')])).toBe(false);
    const { element, certificate } = verifyRoot(signed);
    expect(certificate).toBe(peer.certificatePem);
    expect(children(element, ns.ds, 'Signature')).toHaveLength(0);
    expect(text(requiredChild(element, ns.assertion, 'NameID'))).toBe(victim);
    expect(element.getAttribute('Destination')).toBe('https://lanyard.example/slo');
  });

  it('places the signature right after Issuer', () => {
    const root = parseXml(signedLogoutRequest()).documentElement!;
    const elements = Array.from(root.childNodes as unknown as ArrayLike<Element>).filter((n) => n.nodeType === 1).map((e) => e.localName);
    expect(elements).toEqual(['Issuer', 'Signature', 'NameID']);
  });

  it('a signed Assertion inside a signed Response, as buildResponse makes them', () => {
    const signed = signElement(responseXml('_r1', signElement(assertionXml('_a1'), '_a1', peer, sha256)), '_r1', peer, sha256);
    const ids = [protocolElement('Response'), assertionElement];
    expect(xmlsecVerifies(signed, peer.certificatePem, ids, "/*[local-name()='Response']/*[local-name()='Signature']")).toBe(true);
    expect(xmlsecVerifies(signed, peer.certificatePem, ids, "//*[local-name()='Assertion']/*[local-name()='Signature']")).toBe(true);
    const doc = parseXml(signed);
    const response = verifyElementSignature(doc, doc.documentElement!, trusted).element;
    const assertion = verifyElementSignature(doc, requiredChild(doc.documentElement!, ns.assertion, 'Assertion'), trusted).element;
    expect(text(descendants(response, ns.assertion, 'NameID')[0])).toBe(victim);
    expect(text(descendants(assertion, ns.assertion, 'NameID')[0])).toBe(victim);
  });

  it('RSA-SHA1 is refused unless allowSha1, in the signature method and in the digest', () => {
    const sha1Both = signElement(logoutRequestXml('_lr1'), '_lr1', peer, { signature: 'RSA_SHA1', digest: 'SHA1' });
    expect(xmlsecVerifies(sha1Both, peer.certificatePem, [protocolElement('LogoutRequest')])).toBe(true);
    expect(faultOf(() => verifyRoot(sha1Both))).toBe('signature');
    expect(messageOf(() => verifyRoot(sha1Both))).toMatch(/algorithm is not accepted/);
    expect(text(requiredChild(verifyRoot(sha1Both, trusted, { allowSha1: true }).element, ns.assertion, 'NameID'))).toBe(victim);

    const sha1Digest = signElement(logoutRequestXml('_lr1'), '_lr1', peer, { signature: 'RSA_SHA256', digest: 'SHA1' });
    expect(messageOf(() => verifyRoot(sha1Digest))).toMatch(/digest algorithm is not accepted/);
    expect(() => verifyRoot(sha1Digest, trusted, { allowSha1: true })).not.toThrow();
  });

  it('a SAML 1.1 Assertion, signed by its AssertionID', () => {
    const saml1 = `<saml1:Assertion xmlns:saml1="${ns.saml1}" MajorVersion="1" MinorVersion="1" AssertionID="_s11" Issuer="https://lanyard.example" IssueInstant="2024-01-01T00:00:00Z">`
      + '<saml1:AttributeStatement><saml1:Subject><saml1:NameIdentifier>user@example.com</saml1:NameIdentifier></saml1:Subject></saml1:AttributeStatement></saml1:Assertion>';
    const signed = signElement(saml1, '_s11', peer, sha256, { afterLocalName: 'AttributeStatement' });
    expect(signed).toContain('URI="#_s11"');
    expect(signed).not.toMatch(/ Id="/);
    expect(xmlsecVerifies(signed, peer.certificatePem, [`${ns.saml1}:Assertion`])).toBe(true);
    expect(text(descendants(verifyRoot(signed).element, ns.saml1, 'NameIdentifier')[0])).toBe('user@example.com');
  });

  it('a message whose canonical form outgrows the size limit still verifies (exclusive canonicalization repeats declarations)', () => {
    const extension = 'urn:example:a-rather-long-extension-namespace-name-that-repeats';
    const many = '<x:e/>'.repeat(30_000);
    const xml = logoutRequestXml('_big').replace('<samlp:LogoutRequest ', `<samlp:LogoutRequest xmlns:x="${extension}" `)
      .replace('<saml:NameID>', `<samlp:Extensions>${many}</samlp:Extensions><saml:NameID>`);
    const signed = signElement(xml, '_big', peer, sha256);
    expect(Buffer.byteLength(signed)).toBeLessThan(maxMessageBytes);
    const { element } = verifyRoot(signed);
    expect(Buffer.byteLength(serialize(element))).toBeGreaterThan(maxMessageBytes);
    expect(text(requiredChild(element, ns.assertion, 'NameID'))).toBe(victim);
  });

  it('refuses to sign by an ID or placement that is not an NCName (they go into XPath)', () => {
    expect(faultOf(() => signElement(logoutRequestXml('_lr1'), "_lr1' or '1'='1", peer, sha256))).toBe('invalid');
    expect(faultOf(() => signElement(logoutRequestXml('_lr1'), '_lr1', peer, sha256, { afterLocalName: "Issuer'] | //*[1" }))).toBe('invalid');
  });
});

describe('xmlsec1 signs; Lanyard verifies', () => {
  const template = (options: { canonicalization?: string; method?: string; transforms?: readonly string[]; digest?: string; inclusive?: string; body?: string } = {}): string => {
    const transforms = (options.transforms ?? [uri.enveloped, uri.excC14n]).map((a) =>
      options.inclusive && a === uri.excC14n
        ? `<ds:Transform Algorithm="${a}"><ec:InclusiveNamespaces xmlns:ec="${uri.excC14n}" PrefixList="${options.inclusive}"/></ds:Transform>`
        : `<ds:Transform Algorithm="${a}"/>`).join('\n          ');
    return `<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="${ns.protocol}" xmlns:saml="${ns.assertion}" ID="_x1" Version="2.0" IssueInstant="2024-01-01T00:00:00Z">
  <saml:Issuer>https://peer.example</saml:Issuer>
  <ds:Signature xmlns:ds="${ns.ds}">
    <ds:SignedInfo>
      <ds:CanonicalizationMethod Algorithm="${options.canonicalization ?? uri.excC14n}"/>
      <ds:SignatureMethod Algorithm="${options.method ?? uri.rsaSha256}"/>
      <ds:Reference URI="#_x1">
        <ds:Transforms>
          ${transforms}
        </ds:Transforms>
        <ds:DigestMethod Algorithm="${options.digest ?? uri.sha256}"/>
        <ds:DigestValue></ds:DigestValue>
      </ds:Reference>
    </ds:SignedInfo>
    <ds:SignatureValue></ds:SignatureValue>
    <ds:KeyInfo><ds:X509Data/></ds:KeyInfo>
  </ds:Signature>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  ${options.body ?? assertionXml('_a1')}
</samlp:Response>
`;
  };
  const ids = [protocolElement('Response')];
  const nameIdOf = (element: Element): string | undefined => text(descendants(element, ns.assertion, 'NameID')[0]);

  it('pretty-printed, exclusive canonicalization, RSA-SHA256', () => {
    const signed = xmlsecSign(template(), peer, ids);
    expect(signed).toMatch(/<ds:DigestValue>[A-Za-z0-9+/=]{44}<\/ds:DigestValue>/);
    expect(nameIdOf(verifyRoot(signed).element)).toBe(victim);
    expect(faultOf(() => verifyRoot(signed, [attacker.certificatePem]))).toBe('signature');
  });

  it('with an InclusiveNamespaces prefix list (the xs: of xsi:type values)', () => {
    const signed = xmlsecSign(template({ inclusive: 'xs' }), peer, ids);
    expect(signed).toContain('PrefixList="xs"');
    expect(nameIdOf(verifyRoot(signed).element)).toBe(victim);
  });

  it('inclusive canonicalization, of SignedInfo and of the reference', () => {
    const signed = xmlsecSign(template({ canonicalization: uri.c14n, transforms: [uri.enveloped, uri.c14n] }), peer, ids);
    expect(nameIdOf(verifyRoot(signed).element)).toBe(victim);
    expect(faultOf(() => verifyRoot(signed.replace(victim, evil)))).toBe('signature');
  });

  it('RSA-SHA512 with SHA-512 digests', () => {
    const signed = xmlsecSign(template({ method: uri.rsaSha512, digest: uri.sha512 }), peer, ids);
    expect(nameIdOf(verifyRoot(signed).element)).toBe(victim);
  });

  it('with the WithComments transform: comments in the document neither break the signature nor reach the reader', () => {
    const body = assertionXml('_a1').replace(`>${victim}<`, `>${victim.replace('@', '<!-- c -->@')}<`);
    const signed = xmlsecSign(template({ transforms: [uri.enveloped, uri.excC14nWithComments], body }), peer, ids);
    expect(signed).toContain('<!-- c -->');
    const { element } = verifyRoot(signed);
    expect(serialize(element)).not.toContain('<!--');
    expect(nameIdOf(element)).toBe(victim);
  });

  it('RSA-SHA1 from xmlsec1 only with allowSha1', () => {
    const signed = xmlsecSign(template({ method: uri.rsaSha1, digest: uri.sha1 }), peer, ids);
    expect(faultOf(() => verifyRoot(signed))).toBe('signature');
    expect(nameIdOf(verifyRoot(signed, trusted, { allowSha1: true }).element)).toBe(victim);
  });

  it('both refuse the same tampering', () => {
    const signed = xmlsecSign(template(), peer, ids);
    const tampered = signed.replace(victim, evil);
    expect(xmlsecVerifies(signed, peer.certificatePem, ids)).toBe(true);
    expect(xmlsecVerifies(tampered, peer.certificatePem, ids)).toBe(false);
    expect(faultOf(() => verifyRoot(tampered))).toBe('signature');
  });

  it('forge (used by the attack tests below) makes signatures xmlsec1 accepts', () => {
    const forged = forge(requestTemplate(), '_q1');
    expect(xmlsecVerifies(forged, peer.certificatePem, [protocolElement('LogoutRequest')])).toBe(true);
    expect(text(requiredChild(verifyRoot(forged).element, ns.assertion, 'NameID'))).toBe(victim);
  });
});

describe('signature wrapping: XSW1–XSW8', () => {
  /**
   * The caller's natural element (the root for a signed Response, the Response's Assertion child
   * otherwise) must be refused; and whatever element an attacker makes the caller pass, a
   * successful verification never yields the attacker's value.
   */
  function expectNoWrapping(xml: string, level: 'Response' | 'Assertion'): void {
    expect(xml).toContain(evil);
    const doc = parseXml(xml);
    const root = doc.documentElement!;
    const natural = level === 'Response' ? root : children(root, ns.assertion, 'Assertion')[0]!;
    expect(natural).toBeDefined();
    expectRefused(() => verifyElementSignature(doc, natural, trusted));
    const candidates = [root, ...descendants(doc, ns.protocol, 'Response'), ...descendants(doc, ns.assertion, 'Assertion')];
    for (const candidate of candidates) {
      let read: string | undefined;
      try {
        read = serialize(verifyElementSignature(doc, candidate, trusted).element);
      } catch (error) {
        expect(error).toBeInstanceOf(SamlError);
      }
      if (read !== undefined) {
        expect(read).not.toContain(evil);
        expect(read).toContain(victim);
      }
    }
  }

  it('control: the unwrapped messages verify where the caller looks', () => {
    expect(descendants(verifyRoot(signedResponse()).element, ns.assertion, 'NameID').map((e) => text(e))).toEqual([victim]);
    const doc = parseXml(responseWithSignedAssertion());
    const { element } = verifyElementSignature(doc, children(doc.documentElement!, ns.assertion, 'Assertion')[0]!, trusted);
    expect(text(descendants(element, ns.assertion, 'NameID')[0])).toBe(victim);
  });

  for (const evilId of ['_evil', '_r1']) {
    it(`XSW1: an evil Response wraps the signature, the original Response inside it (evil ID ${evilId})`, () => {
      const xml = edit(signedResponse(), (doc) => {
        const original = doc.documentElement!;
        const wrapper = original.cloneNode(true) as Element;
        wrapper.setAttribute('ID', evilId);
        setNameId(wrapper, evil);
        const copy = original.cloneNode(true) as Element;
        copy.removeChild(signatureOf(copy));
        signatureOf(wrapper).appendChild(copy);
        doc.replaceChild(wrapper, original);
      });
      expectNoWrapping(xml, 'Response');
    });

    it(`XSW2: an evil Response holds the original Response before the (now detached) signature (evil ID ${evilId})`, () => {
      const xml = edit(signedResponse(), (doc) => {
        const original = doc.documentElement!;
        const wrapper = original.cloneNode(true) as Element;
        wrapper.setAttribute('ID', evilId);
        setNameId(wrapper, evil);
        const copy = original.cloneNode(true) as Element;
        copy.removeChild(signatureOf(copy));
        wrapper.insertBefore(copy, signatureOf(wrapper));
        doc.replaceChild(wrapper, original);
      });
      expectNoWrapping(xml, 'Response');
    });

    it(`XSW3: an evil Assertion before the signed one (evil ID ${evilId})`, () => {
      const xml = edit(responseWithSignedAssertion(), (doc) => {
        const original = byId(doc, '_a1');
        const copy = original.cloneNode(true) as Element;
        copy.removeChild(signatureOf(copy));
        copy.setAttribute('ID', evilId === '_r1' ? '_a1' : evilId);
        setNameId(copy, evil);
        original.parentNode!.insertBefore(copy, original);
      });
      expectNoWrapping(xml, 'Assertion');
    });

    it(`XSW4: an evil Assertion with the signed one inside it (evil ID ${evilId})`, () => {
      const xml = edit(responseWithSignedAssertion(), (doc) => {
        const original = byId(doc, '_a1');
        const copy = original.cloneNode(true) as Element;
        copy.removeChild(signatureOf(copy));
        copy.setAttribute('ID', evilId === '_r1' ? '_a1' : evilId);
        setNameId(copy, evil);
        original.parentNode!.replaceChild(copy, original);
        copy.appendChild(original);
      });
      expectNoWrapping(xml, 'Assertion');
    });
  }

  it('XSW5: the signed Assertion changed, an unsigned copy of the original at the end of the message', () => {
    const xml = edit(responseWithSignedAssertion(), (doc) => {
      const original = byId(doc, '_a1');
      const copy = original.cloneNode(true) as Element;
      copy.removeChild(signatureOf(copy));
      setNameId(original, evil);
      doc.documentElement!.appendChild(copy);
    });
    expectNoWrapping(xml, 'Assertion');
  });

  it('XSW6: the signed Assertion changed, the original inside its Signature', () => {
    const xml = edit(responseWithSignedAssertion(), (doc) => {
      const original = byId(doc, '_a1');
      const copy = original.cloneNode(true) as Element;
      copy.removeChild(signatureOf(copy));
      setNameId(original, evil);
      signatureOf(original).appendChild(copy);
    });
    expectNoWrapping(xml, 'Assertion');
  });

  for (const evilId of ['_evil', '_a1']) {
    it(`XSW7: the signed Assertion in an Extensions block, an evil one in its place (evil ID ${evilId})`, () => {
      const xml = edit(responseWithSignedAssertion(), (doc) => {
        const original = byId(doc, '_a1');
        const copy = original.cloneNode(true) as Element;
        copy.removeChild(signatureOf(copy));
        copy.setAttribute('ID', evilId);
        setNameId(copy, evil);
        const extensions = doc.createElementNS(ns.protocol, 'samlp:Extensions');
        const root = doc.documentElement!;
        root.replaceChild(copy, original);
        extensions.appendChild(original);
        root.insertBefore(extensions, requiredChild(root, ns.protocol, 'Status'));
      });
      expectNoWrapping(xml, 'Assertion');
    });
  }

  it('XSW8: the signed Assertion changed, the original in a ds:Object of its Signature', () => {
    const xml = edit(responseWithSignedAssertion(), (doc) => {
      const original = byId(doc, '_a1');
      const copy = original.cloneNode(true) as Element;
      copy.removeChild(signatureOf(copy));
      setNameId(original, evil);
      const object = doc.createElementNS(ns.ds, 'ds:Object');
      object.appendChild(copy);
      signatureOf(original).appendChild(object);
    });
    expectNoWrapping(xml, 'Assertion');
  });

  it('an evil Response around a signed Response, the original in the evil one\'s Extensions', () => {
    const xml = edit(signedResponse(), (doc) => {
      const original = doc.documentElement!;
      const wrapper = original.cloneNode(true) as Element;
      wrapper.removeChild(signatureOf(wrapper));
      wrapper.setAttribute('ID', '_evil');
      setNameId(wrapper, evil);
      const extensions = doc.createElementNS(ns.protocol, 'samlp:Extensions');
      extensions.appendChild(original.cloneNode(true));
      wrapper.insertBefore(extensions, requiredChild(wrapper, ns.protocol, 'Status'));
      doc.replaceChild(wrapper, original);
    });
    expectNoWrapping(xml, 'Response');
  });
});

describe('other attacks on XML signatures', () => {
  it('a duplicate ID anywhere in the message', () => {
    for (const [name, attribute] of [['ID', 'ID'], ['a namespaced ID', 'evil:ID'], ['xml:id', 'xml:id'], ['wsu:Id', 'wsu:Id'], ['AssertionID', 'AssertionID']] as const) {
      const xml = signedLogoutRequest().replace('<saml:NameID>',
        `<samlp:Extensions xmlns:evil="urn:evil" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><evil:Thing ${attribute}="_lr1"/></samlp:Extensions><saml:NameID>`);
      expect(messageOf(() => verifyRoot(xml)), name).toMatch(/not unique/);
    }
  });

  it('the signature moved to a sibling', () => {
    const xml = edit(responseWithSignedAssertion(), (doc) => {
      const assertion = byId(doc, '_a1');
      const signature = signatureOf(assertion);
      assertion.removeChild(signature);
      doc.documentElement!.insertBefore(signature, assertion);
    });
    const doc = parseXml(xml);
    expect(messageOf(() => verifyElementSignature(doc, children(doc.documentElement!, ns.assertion, 'Assertion')[0]!, trusted))).toMatch(/not signed/);
    expect(messageOf(() => verifyElementSignature(doc, doc.documentElement!, trusted))).toMatch(/does not reference the element it is in/);
  });

  it('a valid signature of another element, placed in the one the caller checks', () => {
    // The peer really signed the Assertion; the signature is copied into the Response.
    const xml = edit(responseWithSignedAssertion(), (doc) => {
      const signature = signatureOf(byId(doc, '_a1')).cloneNode(true);
      doc.documentElement!.insertBefore(signature, requiredChild(doc.documentElement!, ns.protocol, 'Status'));
    });
    const doc = parseXml(xml);
    expect(messageOf(() => verifyElementSignature(doc, doc.documentElement!, trusted))).toMatch(/does not reference the element it is in/);
    // The same made by the key holder: a Reference in the Response to the Assertion.
    const forged = forge(responseXml('_r1', '<!--SIG-->' + assertionXml('_a1')).replace('<!--SIG--><saml:Assertion', '<saml:Assertion')
      .replace('<samlp:Status>', '<!--SIG--><samlp:Status>'), '_a1');
    const forgedDoc = parseXml(forged);
    expect(messageOf(() => verifyElementSignature(forgedDoc, forgedDoc.documentElement!, trusted))).toMatch(/does not reference/);
  });

  it('signature verification is of the element the caller passes, not of whichever is signed', () => {
    const doc = parseXml(responseWithSignedAssertion());
    expect(messageOf(() => verifyElementSignature(doc, doc.documentElement!, trusted))).toMatch(/not signed/);
    expect(messageOf(() => verifyElementSignature(doc, requiredChild(doc.documentElement!, ns.assertion, 'Issuer'), trusted))).toMatch(/not signed/);
  });

  it.each([
    ['the empty URI (the whole document)', ''],
    ['a bare ID without #', '_q1'],
    ['an XPointer', "#xpointer(id('_q1'))"],
    ['an XPointer to the root', '#xpointer(/)'],
    ['an external URI', 'http://127.0.0.1:1/x.xml'],
    ['another element', '#_other'],
  ])('a Reference URI other than #ID: %s', (_name, referenceUri) => {
    const xml = forge(requestTemplate().replace('<saml:NameID>', '<saml:NameID ID="_other">'), '_q1', {
      signedInfo: (d) => head() + referenceXml('_q1', d, { uri: referenceUri }),
    });
    expect(messageOf(() => verifyRoot(xml))).toMatch(/does not reference the element it is in/);
  });

  it.each([
    ['XPath', `<ds:Transform Algorithm="${uri.xpath}"><ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform>`],
    ['XPath Filter 2.0', `<ds:Transform Algorithm="${uri.xpathFilter2}"><dsig-xpath:XPath xmlns:dsig-xpath="${uri.xpathFilter2}" Filter="subtract">//NameID</dsig-xpath:XPath></ds:Transform>`],
    ['XSLT', `<ds:Transform Algorithm="${uri.xslt}"><xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0"><xsl:template match="/"><xsl:copy-of select="document('file:///etc/passwd')"/></xsl:template></xsl:stylesheet></ds:Transform>`],
    ['base64', `<ds:Transform Algorithm="${uri.base64}"></ds:Transform>`],
  ])('a %s transform', (_name, transform) => {
    const xml = forge(requestTemplate(), '_q1', {
      signedInfo: (d) => head() + referenceXml('_q1', d).replace('</ds:Transforms>', `${transform}</ds:Transforms>`),
    });
    expect(messageOf(() => verifyRoot(xml))).toMatch(/transform that is not accepted/);
  });

  it('two References, both valid', () => {
    const xml = forge(requestTemplate().replace('<saml:NameID>', '<saml:NameID ID="_n1">'), '_q1', {
      signedInfo: (d) => head() + referenceXml('_q1', d) + referenceXml('_q1', d),
    });
    expect(messageOf(() => verifyRoot(xml))).toMatch(/exactly one reference/);
  });

  it('two Signatures, both valid', () => {
    const once = forge(requestTemplate().replace('<!--SIG-->', '<!--SIG--><!--SIG2-->'), '_q1');
    expect(text(requiredChild(verifyRoot(once).element, ns.assertion, 'NameID'))).toBe(victim);
    const twice = once.replace('<!--SIG2-->', serialize(signatureOf(parseXml(once).documentElement!)));
    expect(messageOf(() => verifyRoot(twice))).toMatch(/more than one signature/);
  });

  it('the signature algorithm edited down to RSA-SHA1 breaks the signature even with allowSha1', () => {
    const edited = signedLogoutRequest().replace(uri.rsaSha256, uri.rsaSha1);
    expect(faultOf(() => verifyRoot(edited))).toBe('signature');
    expect(faultOf(() => verifyRoot(edited, trusted, { allowSha1: true }))).toBe('signature');
  });

  it('HMAC keyed with the certificate (PEM, DER, public key) is refused', () => {
    const der = new X509Certificate(peer.certificatePem).raw;
    const spki = new X509Certificate(peer.certificatePem).publicKey.export({ type: 'spki', format: 'der' });
    for (const [method, hash] of [[uri.hmacSha256, 'sha256'], [uri.hmacSha1, 'sha1']] as const) {
      for (const hmacKey of [Buffer.from(peer.certificatePem), der, spki]) {
        const xml = forge(requestTemplate(), '_q1', { signedInfo: (d) => head(method) + referenceXml('_q1', d), hash, hmacKey });
        expect(messageOf(() => verifyRoot(xml))).toMatch(/algorithm is not accepted/);
        expect(faultOf(() => verifyRoot(xml, trusted, { allowSha1: true }))).toBe('signature');
      }
    }
  });

  it('a valid signature by another key; the attacker\'s certificate in KeyInfo is ignored', () => {
    const keyInfo = `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${attacker.certificatePem.replace(/-----[^-]+-----|\s/g, '')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
    const bySomeoneElse = forge(requestTemplate('_q1', evil), '_q1', { key: attacker, after: keyInfo });
    expect(xmlsecVerifies(bySomeoneElse, attacker.certificatePem, [protocolElement('LogoutRequest')])).toBe(true);
    expect(messageOf(() => verifyRoot(bySomeoneElse))).toMatch(/does not verify/);
    // signElement puts its own certificate in KeyInfo: still only the configured one counts.
    const signedByAttacker = signElement(logoutRequestXml('_lr1', evil), '_lr1', attacker, sha256);
    expect(signedByAttacker).toContain('X509Certificate');
    expect(faultOf(() => verifyRoot(signedByAttacker))).toBe('signature');
    // And a genuine signature with the attacker's certificate swapped into KeyInfo still verifies, by the configured key.
    const genuine = signedLogoutRequest();
    const swapped = genuine.replace(/<ds:X509Certificate>[^<]+</, `<ds:X509Certificate>${attacker.certificatePem.replace(/-----[^-]+-----|\s/g, '')}<`);
    expect(swapped).not.toBe(genuine);
    expect(verifyRoot(swapped).certificate).toBe(peer.certificatePem);
    expect(faultOf(() => verifyRoot(genuine, [attacker.certificatePem]))).toBe('signature');
  });

  it('several configured certificates: the one that verifies is named', () => {
    const { certificate } = verifyRoot(signedLogoutRequest(), [attacker.certificatePem, 'not a certificate', peer.certificatePem]);
    expect(certificate).toBe(peer.certificatePem);
    expect(faultOf(() => verifyRoot(signedLogoutRequest(), []))).toBe('signature');
    expect(faultOf(() => verifyRoot(signedLogoutRequest(), ['not a certificate']))).toBe('signature');
    // An empty or blank entry is passed over like any other broken one, not a TypeError.
    expect(verifyRoot(signedLogoutRequest(), ['', '  \n', peer.certificatePem]).certificate).toBe(peer.certificatePem);
    expect(faultOf(() => verifyRoot(signedLogoutRequest(), ['']))).toBe('signature');
    expect(faultOf(() => verifyRedirectQuery(signRedirectQuery('SAMLRequest', 'PGEvPg==', undefined, peer, 'RSA_SHA256'), 'SAMLRequest', ['']))).toBe('signature');
  });

  it('an ECDSA signature under an RSA algorithm name, by an EC key the peer holds, is refused', () => {
    const xml = forge(requestTemplate(), '_q1', { key: peerEc });
    expect(faultOf(() => verifyRoot(xml, [peerEc.certificatePem]))).toBe('signature');
    const ecdsaNamed = forge(requestTemplate(), '_q1', { key: peerEc, signedInfo: (d) => head(uri.ecdsaSha256) + referenceXml('_q1', d) });
    expect(faultOf(() => verifyRoot(ecdsaNamed, [peerEc.certificatePem]))).toBe('signature');
  });

  it.each([
    ['text', (xml: string) => xml.replace(victim, evil)],
    ['text, by one character', (xml: string) => xml.replace(victim, victim.replace('attacker', 'attackes'))],
    ['an attribute value', (xml: string) => xml.replace('https://lanyard.example/slo', 'https://evil.example/slo')],
    ['an added attribute', (xml: string) => xml.replace('Version="2.0"', 'Version="2.0" Consent="urn:evil"')],
    ['a removed attribute', (xml: string) => xml.replace(' Destination="https://lanyard.example/slo"', '')],
    ['an added element', (xml: string) => xml.replace('<saml:NameID>', '<samlp:SessionIndex>x</samlp:SessionIndex><saml:NameID>')],
    ['a removed element', (xml: string) => xml.replace(/<saml:NameID>[^<]*<\/saml:NameID>/, '')],
    ['whitespace added in text', (xml: string) => xml.replace(`>${victim}<`, `> ${victim}<`)],
    ['the ID changed with the reference', (xml: string) => xml.replace(/_lr1/g, '_lr2')],
    ['the DigestValue', (xml: string) => xml.replace(/<ds:DigestValue>./, '<ds:DigestValue>A')],
    ['the SignatureValue', (xml: string) => xml.replace(/<ds:SignatureValue>./, (m) => m.endsWith('A') ? m.slice(0, -1) + 'B' : m.slice(0, -1) + 'A')],
  ])('tampered: %s', (_name, change) => {
    const signed = signedLogoutRequest();
    const tampered = change(signed);
    expect(tampered).not.toBe(signed);
    expect(() => verifyRoot(signed)).not.toThrow();
    expectRefused(() => verifyRoot(tampered));
  });

  it('the Signature removed', () => {
    const stripped = signedLogoutRequest().replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    expect(messageOf(() => verifyRoot(stripped))).toMatch(/not signed/);
  });

  it('namespace prefixes: exclusive canonicalization keeps them, so renaming one breaks the signature', () => {
    const signed = signedLogoutRequest();
    // Renaming the saml: prefix (same namespace) changes the canonical bytes of the signed element.
    const renamed = signed.replace(/saml:/g, 'a:').replace('xmlns:a=', 'xmlns:a=').replace(`xmlns:saml="${ns.assertion}"`, `xmlns:a="${ns.assertion}"`);
    expect(renamed).toContain('<a:NameID>');
    expect(faultOf(() => verifyRoot(renamed))).toBe('signature');
    // Renaming the ds: prefix changes the canonical bytes of SignedInfo.
    const dsig = signed.replace(/ds:/g, 'dsig:').replace('xmlns:ds=', 'xmlns:dsig=');
    expect(faultOf(() => verifyRoot(dsig))).toBe('signature');
    // Making saml the default namespace of the NameID changes them too.
    const defaulted = signed.replace(/<saml:NameID>([^<]*)<\/saml:NameID>/, `<NameID xmlns="${ns.assertion}">$1</NameID>`);
    expect(faultOf(() => verifyRoot(defaulted))).toBe('signature');
  });

  it('namespace declarations: where they are declared, and unused ones, do not matter to exclusive canonicalization', () => {
    const signed = signedLogoutRequest();
    const moved = signed.replace(` xmlns:saml="${ns.assertion}"`, '').replace(/<saml:(Issuer|NameID)>/g, `<saml:$1 xmlns:saml="${ns.assertion}">`);
    expect(moved).not.toBe(signed);
    expect(text(requiredChild(verifyRoot(moved).element, ns.assertion, 'NameID'))).toBe(victim);
    const unused = signed.replace('<samlp:LogoutRequest ', '<samlp:LogoutRequest xmlns:unused="urn:unused" ');
    expect(() => verifyRoot(unused)).not.toThrow();
  });

  it('whitespace: inside SignedInfo it breaks the signature; between attributes or in SignatureValue it does not', () => {
    const signed = signedLogoutRequest();
    expect(faultOf(() => verifyRoot(signed.replace('<ds:SignatureMethod', '\n  <ds:SignatureMethod')))).toBe('signature');
    expect(faultOf(() => verifyRoot(signed.replace('</ds:Reference>', '</ds:Reference>\n')))).toBe('signature');
    expect(faultOf(() => verifyRoot(signed.replace('<ds:DigestValue>', '<ds:DigestValue> ')))).toBe('signature');
    const spaced = signed.replace('<samlp:LogoutRequest xmlns:samlp', '<samlp:LogoutRequest\n    xmlns:samlp').replace(' Version="2.0"', "\n  Version = '2.0' ");
    expect(spaced).not.toBe(signed);
    expect(() => verifyRoot(spaced)).not.toThrow();
    const wrapped = signed.replace(/<ds:SignatureValue>([^<]+)</, (_m, value: string) => `<ds:SignatureValue>\n${value.replace(/.{64}/g, '$&\n')}\n<`);
    expect(() => verifyRoot(wrapped)).not.toThrow();
  });

  // The verifier (xml-crypto) finds the parts of a signature by local name alone, and only the
  // first Transforms; Lanyard checked the algorithms of the XML Signature elements it found by
  // namespace. These signatures are made by the key holder, so what is at stake is Lanyard's
  // algorithm policy (no SHA-1 without allowSha1, no XPath) and the one-to-one view of the signature.
  it('a foreign-namespace DigestMethod before the real one cannot bring SHA-1 in', () => {
    const xml = forge(requestTemplate(), '_q1', {
      signedInfo: (d) => head() + referenceXml('_q1', d, { digest: 'sha1' }).replace(`<ds:DigestMethod Algorithm="${uri.sha1}"></ds:DigestMethod>`,
        `<x:DigestMethod xmlns:x="urn:evil" Algorithm="${uri.sha1}"></x:DigestMethod><ds:DigestMethod Algorithm="${uri.sha256}"></ds:DigestMethod>`),
    });
    expect(faultOf(() => verifyRoot(xml))).toBe('signature');
  });

  it('a foreign-namespace SignatureMethod before the real one cannot bring RSA-SHA1 in', () => {
    const xml = forge(requestTemplate(), '_q1', {
      hash: 'sha1',
      signedInfo: (d) => `<ds:CanonicalizationMethod Algorithm="${uri.excC14n}"></ds:CanonicalizationMethod>`
        + `<x:SignatureMethod xmlns:x="urn:evil" Algorithm="${uri.rsaSha1}"></x:SignatureMethod><ds:SignatureMethod Algorithm="${uri.rsaSha256}"></ds:SignatureMethod>`
        + referenceXml('_q1', d),
    });
    expect(faultOf(() => verifyRoot(xml))).toBe('signature');
  });

  it('a second Transforms with an XPath transform', () => {
    const xml = forge(requestTemplate(), '_q1', {
      signedInfo: (d) => head() + referenceXml('_q1', d).replace('<ds:DigestMethod', `${transformsXml([uri.xpath])}<ds:DigestMethod`),
    });
    expect(faultOf(() => verifyRoot(xml))).toBe('signature');
  });

  it.each([
    ['a foreign SignedInfo before the real one', (xml: string) => xml.replace('<ds:SignedInfo>', '<x:SignedInfo xmlns:x="urn:evil"></x:SignedInfo><ds:SignedInfo>')],
    ['a second SignedInfo', (xml: string) => xml.replace('<ds:SignatureValue>', '<ds:SignedInfo></ds:SignedInfo><ds:SignatureValue>')],
    ['a comment before the DigestValue (CVE-2025-29774 style)', (xml: string) => xml.replace('<ds:DigestValue>', '<ds:DigestValue><!--AAAA-->')],
    ['an element in the SignatureValue', (xml: string) => xml.replace('</ds:SignatureValue>', '<x:y xmlns:x="urn:evil"/></ds:SignatureValue>')],
    ['a second SignatureValue', (xml: string) => xml.replace('</ds:SignatureValue>', '</ds:SignatureValue><ds:SignatureValue>AAAA</ds:SignatureValue>')],
    ['KeyInfo before SignatureValue', (xml: string) => xml.replace('<ds:SignatureValue>', '<ds:KeyInfo></ds:KeyInfo><ds:SignatureValue>')],
    ['SignatureValue that is not base64', (xml: string) => xml.replace('<ds:SignatureValue>', '<ds:SignatureValue>!!')],
    ['text in SignedInfo', (xml: string) => xml.replace('<ds:SignatureMethod', 'evil<ds:SignatureMethod')],
  ])('a signature with %s', (_name, change) => {
    const xml = forge(requestTemplate(), '_q1');
    expect(() => verifyRoot(xml)).not.toThrow();
    const changed = change(xml);
    expect(changed).not.toBe(xml);
    expect(faultOf(() => verifyRoot(changed))).toBe('signature');
  });

  it('a comment in the DigestValue of a signature made that way by the key holder', () => {
    const xml = forge(requestTemplate(), '_q1', { signedInfo: (d) => head() + referenceXml('_q1', d).replace('<ds:DigestValue>', '<ds:DigestValue><!--x-->') });
    expect(faultOf(() => verifyRoot(xml))).toBe('signature');
  });

  it.each([
    ['the enveloped-signature transform', uri.enveloped],
    ['XSLT', uri.xslt],
    ['nothing', ''],
  ])('SignedInfo canonicalized by %s is refused for what it is', (_name, algorithm) => {
    const xml = forge(requestTemplate(), '_q1', { signedInfo: (d) => head(uri.rsaSha256, algorithm) + referenceXml('_q1', d) });
    expect(messageOf(() => verifyRoot(xml))).toMatch(/canonicalization is not accepted/);
  });

  it('only the enveloped-signature transform: the reference falls back to inclusive canonicalization, and still protects', () => {
    const xml = forge(requestTemplate(), '_q1', { inclusiveDigest: true, signedInfo: (d) => head() + referenceXml('_q1', d, { transforms: [uri.enveloped] }) });
    expect(xmlsecVerifies(xml, peer.certificatePem, [protocolElement('LogoutRequest')])).toBe(true);
    expect(text(requiredChild(verifyRoot(xml).element, ns.assertion, 'NameID'))).toBe(victim);
    expect(faultOf(() => verifyRoot(xml.replace(victim, evil)))).toBe('signature');
  });

  it('no Transforms at all: the digest would cover the signature itself, so nothing verifies', () => {
    const xml = forge(requestTemplate(), '_q1', { signedInfo: (d) => head() + referenceXml('_q1', d).replace(/<ds:Transforms>.*<\/ds:Transforms>/, '') });
    expect(xml).not.toContain('Transforms');
    expect(faultOf(() => verifyRoot(xml))).toBe('signature');
  });

  it('an InclusiveNamespaces element anywhere but in an exclusive canonicalization', () => {
    const inclusive = `<ec:InclusiveNamespaces xmlns:ec="${uri.excC14n}" PrefixList="saml"></ec:InclusiveNamespaces>`;
    const onEnveloped = forge(requestTemplate(), '_q1', {
      signedInfo: (d) => head() + referenceXml('_q1', d).replace(`<ds:Transform Algorithm="${uri.enveloped}"></ds:Transform>`,
        `<ds:Transform Algorithm="${uri.enveloped}">${inclusive}</ds:Transform>`),
    });
    expect(messageOf(() => verifyRoot(onEnveloped))).toMatch(/transform that is not accepted/);
  });
});

describe('HTTP-Redirect binding signatures', () => {
  const request = `<samlp:AuthnRequest xmlns:samlp="${ns.protocol}" ID="_r" Version="2.0" IssueInstant="2024-01-01T00:00:00Z"/>`;
  const message = deflateForRedirect(request);
  const relayState = 'https://app.example/after login?x=1&y=ü';
  const signed = (): string => signRedirectQuery('SAMLRequest', message, relayState, peer, 'RSA_SHA256');

  /** Replaces one raw parameter's value. */
  const withParameter = (query: string, name: string, value: string): string =>
    query.split('&').map((pair) => pair.startsWith(`${name}=`) ? `${name}=${value}` : pair).join('&');
  const rawValue = (query: string, name: string): string => rawQueryParameters(query).get(name)!;

  it('signs and verifies, with and without RelayState, for requests and responses', () => {
    expect(verifyRedirectQuery(signed(), 'SAMLRequest', trusted)).toBe(true);
    const withoutRelay = signRedirectQuery('SAMLRequest', message, undefined, peer, 'RSA_SHA256');
    expect(withoutRelay).not.toContain('RelayState');
    expect(verifyRedirectQuery(withoutRelay, 'SAMLRequest', trusted)).toBe(true);
    const response = signRedirectQuery('SAMLResponse', message, 'x', peer, 'RSA_SHA256');
    expect(verifyRedirectQuery(response, 'SAMLResponse', trusted)).toBe(true);
    expect(faultOf(() => verifyRedirectQuery(response, 'SAMLRequest', trusted))).toBe('invalid');
    expect(inflateRedirectMessage(decodeURIComponent(rawValue(signed(), 'SAMLRequest')))).toBe(request);
    expect(decodeURIComponent(rawValue(signed(), 'RelayState'))).toBe(relayState);
  });

  it('verifies by the configured key only', () => {
    expect(faultOf(() => verifyRedirectQuery(signed(), 'SAMLRequest', [attacker.certificatePem]))).toBe('signature');
    const byAttacker = signRedirectQuery('SAMLRequest', message, relayState, attacker, 'RSA_SHA256');
    expect(faultOf(() => verifyRedirectQuery(byAttacker, 'SAMLRequest', trusted))).toBe('signature');
    expect(verifyRedirectQuery(signed(), 'SAMLRequest', [attacker.certificatePem, peer.certificatePem])).toBe(true);
    expect(faultOf(() => verifyRedirectQuery(signed(), 'SAMLRequest', []))).toBe('signature');
  });

  it('an unsigned query is reported as unsigned, not as valid', () => {
    expect(verifyRedirectQuery(`SAMLRequest=${encodeURIComponent(message)}&RelayState=x`, 'SAMLRequest', trusted)).toBe(false);
  });

  it.each([
    ['RelayState changed', (q: string) => withParameter(q, 'RelayState', 'https%3A%2F%2Fevil.example%2F')],
    ['RelayState removed', (q: string) => q.split('&').filter((p) => !p.startsWith('RelayState=')).join('&')],
    ['RelayState emptied', (q: string) => withParameter(q, 'RelayState', '')],
    ['SAMLRequest changed', (q: string) => withParameter(q, 'SAMLRequest', encodeURIComponent(deflateForRedirect(request.replace('_r', '_evil'))))],
    ['SigAlg changed to RSA-SHA512', (q: string) => withParameter(q, 'SigAlg', encodeURIComponent(uri.rsaSha512))],
    ['the signature changed', (q: string) => withParameter(q, 'Signature', encodeURIComponent(Buffer.alloc(256, 1).toString('base64')))],
    ['SAMLRequest double-encoded', (q: string) => withParameter(q, 'SAMLRequest', encodeURIComponent(rawValue(q, 'SAMLRequest')))],
    ['RelayState double-encoded', (q: string) => withParameter(q, 'RelayState', encodeURIComponent(rawValue(q, 'RelayState')))],
    ['RelayState decoded', (q: string) => withParameter(q, 'RelayState', decodeURIComponent(rawValue(q, 'RelayState')).replace(/[&ü ]/g, ''))],
    ['escapes changed to lower case', (q: string) => withParameter(q, 'SAMLRequest', rawValue(q, 'SAMLRequest').replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()))],
  ])('refuses a query with %s', (_name, change) => {
    const query = signed();
    const changed = change(query);
    expect(changed).not.toBe(query);
    expect(faultOf(() => verifyRedirectQuery(changed, 'SAMLRequest', trusted))).toBe('signature');
  });

  it('a RelayState added to a query signed without one is refused', () => {
    const query = signRedirectQuery('SAMLRequest', message, undefined, peer, 'RSA_SHA256');
    expect(faultOf(() => verifyRedirectQuery(`${query}&RelayState=evil`, 'SAMLRequest', trusted))).toBe('signature');
  });

  it('the order of parameters in the URL does not matter (the signed order is fixed)', () => {
    const pairs = signed().split('&');
    expect(verifyRedirectQuery([...pairs].reverse().join('&'), 'SAMLRequest', trusted)).toBe(true);
    expect(verifyRedirectQuery([pairs[3], pairs[1], pairs[0], pairs[2]].join('&'), 'SAMLRequest', trusted)).toBe(true);
    expect(verifyRedirectQuery(`foo=bar&${signed()}&utm_source=x`, 'SAMLRequest', trusted)).toBe(true);
  });

  it('SigAlg double-encoded is not an algorithm', () => {
    const query = signed();
    const doubled = withParameter(query, 'SigAlg', encodeURIComponent(rawValue(query, 'SigAlg')));
    expect(messageOf(() => verifyRedirectQuery(doubled, 'SAMLRequest', trusted))).toMatch(/algorithm is not accepted/);
  });

  it.each(['SAMLRequest', 'RelayState', 'SigAlg', 'Signature'])('refuses a repeated %s, also behind an encoded name', (name) => {
    const query = signed();
    const value = rawValue(query, name);
    expect(faultOf(() => verifyRedirectQuery(`${query}&${name}=${value}`, 'SAMLRequest', trusted))).toBe('invalid');
    const encodedName = name.replace(/[A-Z]/, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    expect(encodedName).not.toBe(name);
    expect(faultOf(() => verifyRedirectQuery(`${query}&${encodedName}=${value}`, 'SAMLRequest', trusted))).toBe('invalid');
  });

  it('refuses SigAlg without Signature and Signature without SigAlg', () => {
    const query = signed();
    expect(faultOf(() => verifyRedirectQuery(query.replace(/&SigAlg=[^&]*/, ''), 'SAMLRequest', trusted))).toBe('signature');
    expect(faultOf(() => verifyRedirectQuery(query.replace(/&Signature=[^&]*/, ''), 'SAMLRequest', trusted))).toBe('signature');
    expect(faultOf(() => verifyRedirectQuery(query.replace(/SAMLRequest=[^&]*&/, ''), 'SAMLRequest', trusted))).toBe('invalid');
  });

  it('refuses RSA-SHA1 unless allowSha1, and algorithms it does not know', () => {
    const sha1 = signRedirectQuery('SAMLRequest', message, relayState, peer, 'RSA_SHA1');
    expect(messageOf(() => verifyRedirectQuery(sha1, 'SAMLRequest', trusted))).toMatch(/algorithm is not accepted/);
    expect(verifyRedirectQuery(sha1, 'SAMLRequest', trusted, { allowSha1: true })).toBe(true);
    for (const alg of [uri.hmacSha256, uri.ecdsaSha256, 'none', '']) {
      const query = withParameter(signed(), 'SigAlg', encodeURIComponent(alg));
      expect(faultOf(() => verifyRedirectQuery(query, 'SAMLRequest', trusted))).toBe('signature');
    }
  });

  it('refuses an ECDSA signature under the RSA-SHA256 name, even by an EC key the peer holds', () => {
    const octets = `SAMLRequest=${encodeURIComponent(message)}&SigAlg=${encodeURIComponent(uri.rsaSha256)}`;
    const signature = sign('sha256', Buffer.from(octets), peerEc.privateKeyPem).toString('base64');
    expect(faultOf(() => verifyRedirectQuery(`${octets}&Signature=${encodeURIComponent(signature)}`, 'SAMLRequest', [peerEc.certificatePem]))).toBe('signature');
  });

  it('refuses a query carrying both SAMLRequest and SAMLResponse', () => {
    expect(faultOf(() => verifyRedirectQuery(`${signed()}&SAMLResponse=${encodeURIComponent(message)}`, 'SAMLRequest', trusted))).toBe('invalid');
  });

  it('answers malformed percent-encoding with a SamlError, never a URIError', () => {
    const query = signed();
    expect(faultOf(() => verifyRedirectQuery(`${query}&%E0%A4%A=1`, 'SAMLRequest', trusted))).toBe('malformed');
    expect(faultOf(() => verifyRedirectQuery(withParameter(query, 'SigAlg', '%E0%A4%A'), 'SAMLRequest', trusted))).toBe('malformed');
    expect(faultOf(() => verifyRedirectQuery(withParameter(query, 'Signature', '%ZZ'), 'SAMLRequest', trusted))).toBe('signature');
    expect(faultOf(() => rawQueryParameters('%'))).toBe('malformed');
  });

  it('refuses a signature that is not strict base64 (no junk around a valid one)', () => {
    const query = signed();
    const value = decodeURIComponent(rawValue(query, 'Signature'));
    for (const junk of [`!!${value}`, `${value}$$`, value.replace(/=+$/, ''), value.replace(/\+/g, '-').replace(/\//g, '_')]) {
      if (junk === value) continue;
      expect(faultOf(() => verifyRedirectQuery(withParameter(query, 'Signature', encodeURIComponent(junk)), 'SAMLRequest', trusted))).toBe('signature');
    }
  });

  it('an unencoded "+" in the Signature is read as "+" (base64 has no spaces)', () => {
    let query = signed();
    for (let i = 0; !rawValue(query, 'Signature').includes('%2B'); i++) {
      expect(i).toBeLessThan(100);
      query = signRedirectQuery('SAMLRequest', message, `state-${i}`, peer, 'RSA_SHA256');
    }
    const plus = withParameter(query, 'Signature', rawValue(query, 'Signature').replace(/%2B/g, '+'));
    expect(plus).not.toBe(query);
    expect(verifyRedirectQuery(plus, 'SAMLRequest', trusted)).toBe(true);
  });

  it('refuses a query that is not ASCII (its octets are not known)', () => {
    const query = withParameter(signed(), 'RelayState', 'caf\u00e9');
    expect(faultOf(() => verifyRedirectQuery(query, 'SAMLRequest', trusted))).toBe('malformed');
  });

  // The octets as received: a signer that writes lower-case escapes (ADFS does) signs those.
  function opensslSign(octets: string, key: TestKeyPair, digest = '-sha256'): string {
    const keyFile = tempFile(key.privateKeyPem, 'pem');
    const result = spawnSync('openssl', ['dgst', digest, '-sign', keyFile, '-binary'], { input: Buffer.from(octets, 'ascii') });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`openssl dgst failed: ${result.stderr.toString()}`);
    return result.stdout.toString('base64');
  }

  it('verifies a signature OpenSSL made over lower-case escapes, as received, and only as received', () => {
    const lower = (value: string): string => encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    const octets = `SAMLRequest=${lower(message)}&RelayState=${lower(relayState)}&SigAlg=${lower(uri.rsaSha256)}`;
    expect(octets).toMatch(/%2f/);
    const query = `${octets}&Signature=${encodeURIComponent(opensslSign(octets, peer))}`;
    expect(verifyRedirectQuery(query, 'SAMLRequest', trusted)).toBe(true);
    // Re-encoded with upper-case escapes it means the same, but it is not what was signed.
    const upper = query.replace(/^[^]*?(?=&Signature=)/, (part) => part.replace(/%[0-9a-f]{2}/g, (m) => m.toUpperCase()));
    expect(upper).not.toBe(query);
    expect(faultOf(() => verifyRedirectQuery(upper, 'SAMLRequest', trusted))).toBe('signature');
  });

  it('verifies a signature OpenSSL made over upper-case escapes, and RSA-SHA1 only with allowSha1', () => {
    const octets = `SAMLRequest=${encodeURIComponent(message)}&SigAlg=${encodeURIComponent(uri.rsaSha1)}`;
    const query = `${octets}&Signature=${encodeURIComponent(opensslSign(octets, peer, '-sha1'))}`;
    expect(faultOf(() => verifyRedirectQuery(query, 'SAMLRequest', trusted))).toBe('signature');
    expect(verifyRedirectQuery(query, 'SAMLRequest', trusted, { allowSha1: true })).toBe(true);
  });

  // python3-saml (OneLogin) builds the signed query with quote_plus, and optionally lower-cases
  // the escapes as ADFS does; it signs with libxmlsec1 through python-xmlsec.
  const onelogin = `
import sys, json
from urllib.parse import quote_plus
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.constants import OneLogin_Saml2_Constants
import xmlsec
args = json.load(sys.stdin)
build = getattr(OneLogin_Saml2_Auth, '_OneLogin_Saml2_Auth__build_sign_query')
alg = {'sha256': OneLogin_Saml2_Constants.RSA_SHA256, 'sha1': OneLogin_Saml2_Constants.RSA_SHA1}[args['alg']]
transform = {'sha256': xmlsec.Transform.RSA_SHA256, 'sha1': xmlsec.Transform.RSA_SHA1}[args['alg']]
msg = build(args['message'], args['relayState'], alg, 'SAMLRequest', args['lower'])
signature = OneLogin_Saml2_Utils.sign_binary(msg, args['key'], transform)
import base64
print(msg + '&Signature=' + OneLogin_Saml2_Utils.escape_url(base64.b64encode(signature).decode('ascii'), args['lower']))
`;
  const pythonSigned = (options: { lower: boolean; alg?: 'sha256' | 'sha1'; relayState?: string | null }): string => runPython(onelogin,
    JSON.stringify({ message, relayState: options.relayState === undefined ? relayState : options.relayState, key: peer.privateKeyPem, alg: options.alg ?? 'sha256', lower: options.lower }));

  it('verifies queries python3-saml signed, with upper- and lower-case escapes', () => {
    for (const lower of [false, true]) {
      const query = pythonSigned({ lower });
      expect(query).toMatch(lower ? /%2f/ : /%2F/);
      // quote_plus writes spaces as "+": the octets as received are still what was signed.
      expect(rawValue(query, 'RelayState')).toContain('+login');
      expect(verifyRedirectQuery(query, 'SAMLRequest', trusted)).toBe(true);
      expect(faultOf(() => verifyRedirectQuery(query, 'SAMLRequest', [attacker.certificatePem]))).toBe('signature');
    }
    expect(verifyRedirectQuery(pythonSigned({ lower: false, relayState: null }), 'SAMLRequest', trusted)).toBe(true);
    const sha1 = pythonSigned({ lower: false, alg: 'sha1' });
    expect(faultOf(() => verifyRedirectQuery(sha1, 'SAMLRequest', trusted))).toBe('signature');
    expect(verifyRedirectQuery(sha1, 'SAMLRequest', trusted, { allowSha1: true })).toBe(true);
  });

  it('python3-saml verifies what signRedirectQuery signed', () => {
    const script = `
import sys, json, base64
from urllib.parse import unquote
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.constants import OneLogin_Saml2_Constants
args = json.load(sys.stdin)
query = args['query']
signed = query[:query.index('&Signature=')]
signature = base64.b64decode(unquote(query[query.index('&Signature=') + 11:]))
print(OneLogin_Saml2_Utils.validate_binary_sign(signed, signature, args['cert'], OneLogin_Saml2_Constants.RSA_SHA256, False))
`;
    expect(runPython(script, JSON.stringify({ query: signed(), cert: peer.certificatePem }))).toBe('True');
    expect(runPython(script, JSON.stringify({ query: signed().replace('RelayState=', 'RelayState=x'), cert: peer.certificatePem }))).toBe('False');
  });

  it('rawQueryParameters keeps values raw and names decoded', () => {
    const raw = rawQueryParameters('a=%2F+x&b&SAML%52equest=1&&c=');
    expect([...raw.entries()]).toEqual([['a', '%2F+x'], ['b', ''], ['SAMLRequest', '1'], ['c', '']]);
    expect(faultOf(() => rawQueryParameters('a=1&a=2'))).toBe('invalid');
  });
});
