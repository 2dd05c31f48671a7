/**
 * Independent checks of XML signatures with `xmlsec1` (Debian's xmlsec1, the C library most
 * SAML and WS-Federation peers use underneath), for any document: a SAML response, a logout
 * message, a WS-Federation RSTR.
 *
 * `xmlsecVerify` checks ONE signature, chosen by XPath (the document's first `ds:Signature` by
 * default), with the key of the given certificate only: KeyInfo in the document is not used
 * to find the key (`--enabled-key-data key-name`). It reports what the signature covered (the
 * reference URIs and the canonical octets digested), so a caller can tell that the signature
 * covers the element it claims to, not merely some element. `xmlsecDecrypt` decrypts the first
 * `xenc:EncryptedData` of a document with a private key.
 *
 * A missing xmlsec1 fails loudly with the package to install.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { requireCommand } from './certificates.ts';

export const xmldsigNamespace = 'http://www.w3.org/2000/09/xmldsig#';

/** An attribute that xmlsec1 must treat as an ID: `--id-attr:{attribute} {namespace}:{element}`. */
export interface IdAttribute {
  readonly attribute: string;
  readonly namespace: string;
  readonly element: string;
}

export interface XmlsecVerifyOptions {
  /** The signer's certificate: PEM, or bare base64 DER as metadata carries it. */
  readonly certificate: string;
  /** The ID attributes the document's references point at (SAML: `ID` of Response, Assertion, …). */
  readonly idAttributes: readonly IdAttribute[];
  /** XPath selecting the one `ds:Signature` to check (see {@link signatureOf}); the first in the document when absent. */
  readonly signatureXPath?: string;
}

export interface XmlsecReference {
  /** The Reference's URI, e.g. `#id123`. */
  readonly uri: string;
  /** The octets that were digested (after the transforms), as text. */
  readonly preDigest: string;
}

export interface XmlsecVerification {
  /** Whether xmlsec1 said OK (exit status 0). */
  readonly ok: boolean;
  readonly references: readonly XmlsecReference[];
  /** xmlsec1's own report (stdout and stderr), for failure messages. */
  readonly output: string;
}

let checked = false;
function requireXmlsec(): void {
  if (checked) return;
  requireCommand('xmlsec1', ['--version'], 'xmlsec1');
  checked = true;
}

/** The certificate as PEM. */
export function certificatePem(certificate: string): string {
  if (certificate.includes('BEGIN CERTIFICATE')) return certificate;
  const body = certificate.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** XPath of the `ds:Signature` that is a direct child of the element `{namespace}localName` (the first such element). */
export function signatureOf(namespace: string, localName: string): string {
  return `(//*[local-name()='${localName}' and namespace-uri()='${namespace}'])[1]/*[local-name()='Signature' and namespace-uri()='${xmldsigNamespace}']`;
}

function withTempDir<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'lanyard-xmlsec-'));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses xmlsec1's `--store-references` report: each reference's URI and pre-digest octets. */
function referencesIn(report: string): XmlsecReference[] {
  const out: XmlsecReference[] = [];
  for (const block of report.split('= REFERENCE VERIFICATION CONTEXT').slice(1)) {
    const uri = /== URI: "([^"]*)"/.exec(block)?.[1] ?? '';
    const preDigest = /== PreDigest data - start buffer:\n([\s\S]*?)\n== PreDigest data - end buffer/.exec(block)?.[1] ?? '';
    out.push({ uri, preDigest });
  }
  return out;
}

/** Verifies one signature of `document` with `xmlsec1 --verify`. */
export function xmlsecVerify(document: string, options: XmlsecVerifyOptions): XmlsecVerification {
  requireXmlsec();
  return withTempDir((dir) => {
    const docFile = join(dir, 'document.xml');
    const certFile = join(dir, 'signer.pem');
    writeFileSync(docFile, document);
    writeFileSync(certFile, certificatePem(options.certificate));
    const args = ['--verify', '--store-references', '--enabled-key-data', 'key-name', '--enabled-reference-uris', 'empty,same-doc',
      '--pubkey-cert-pem', certFile];
    for (const id of options.idAttributes) args.push(`--id-attr:${id.attribute}`, `${id.namespace}:${id.element}`);
    if (options.signatureXPath) args.push('--node-xpath', options.signatureXPath);
    args.push(docFile);
    try {
      const stdout = execFileSync('xmlsec1', args, { stdio: 'pipe', encoding: 'utf8' });
      return { ok: true, references: referencesIn(stdout), output: stdout };
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      return { ok: false, references: referencesIn(stdout), output: `${stdout}\n${stderr}` };
    }
  });
}

/** Decrypts the first `xenc:EncryptedData` of `document` with `xmlsec1 --decrypt` and returns the document with it replaced. */
export function xmlsecDecrypt(document: string, privateKeyPem: string): string {
  requireXmlsec();
  return withTempDir((dir) => {
    const docFile = join(dir, 'document.xml');
    const keyFile = join(dir, 'key.pem');
    const outFile = join(dir, 'decrypted.xml');
    writeFileSync(docFile, document);
    writeFileSync(keyFile, privateKeyPem, { mode: 0o600 });
    try {
      execFileSync('xmlsec1', ['--decrypt', '--privkey-pem', keyFile, '--output', outFile, docFile], { stdio: 'pipe', encoding: 'utf8' });
    } catch (error) {
      throw new Error(`xmlsec1 could not decrypt the document: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`);
    }
    return readFileSync(outFile, 'utf8');
  });
}

// ---------------------------------------------------------------------------------------------
// SAML 2.0

export const samlNamespaces = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
} as const;

/** The ID attributes of SAML 2.0 messages that Lanyard signs. */
export const samlIdAttributes: readonly IdAttribute[] = [
  { attribute: 'ID', namespace: samlNamespaces.assertion, element: 'Assertion' },
  { attribute: 'ID', namespace: samlNamespaces.protocol, element: 'Response' },
  { attribute: 'ID', namespace: samlNamespaces.protocol, element: 'LogoutRequest' },
  { attribute: 'ID', namespace: samlNamespaces.protocol, element: 'LogoutResponse' },
];

function directChild(parent: Element, namespace: string, localName: string): Element | undefined {
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && (node as Element).namespaceURI === namespace && (node as Element).localName === localName) return node as Element;
  }
  return undefined;
}

/**
 * Checks the enveloped signature of the first `{namespace}localName` element of a document with
 * xmlsec1, and that it signs that very element: one reference, to its ID, whose digested octets
 * are that element. Returns false when the element carries no signature; throws when it carries
 * one that does not verify, or the element is missing.
 */
export function verifyEnvelopedSignature(document: string, element: { namespace: string; localName: string }, certificate: string,
  idAttributes: readonly IdAttribute[] = samlIdAttributes): boolean {
  const doc = new DOMParser().parseFromString(document, 'text/xml');
  const target = Array.from(doc.getElementsByTagNameNS(element.namespace, element.localName) as unknown as ArrayLike<Element>)[0];
  if (!target) throw new Error(`the document has no <${element.localName}>`);
  if (!directChild(target, xmldsigNamespace, 'Signature')) return false;
  const id = target.getAttribute('ID') ?? '';
  const result = xmlsecVerify(document, { certificate, idAttributes, signatureXPath: signatureOf(element.namespace, element.localName) });
  if (!result.ok) throw new Error(`xmlsec1 does not verify the signature of <${element.localName} ID="${id}">:\n${result.output.slice(-3000)}`);
  const [reference, ...more] = result.references;
  if (!reference || more.length > 0) throw new Error(`the signature of <${element.localName}> must have exactly one reference, has ${result.references.length}`);
  if (reference.uri !== `#${id}`) throw new Error(`the signature of <${element.localName} ID="${id}"> references ${reference.uri}`);
  const digested = new DOMParser().parseFromString(reference.preDigest, 'text/xml').documentElement;
  if (digested?.namespaceURI !== element.namespace || digested.localName !== element.localName || digested.getAttribute('ID') !== id) {
    throw new Error(`the signature of <${element.localName} ID="${id}"> digested something else: ${reference.preDigest.slice(0, 200)}`);
  }
  return true;
}

export interface SamlResponseSignatures {
  /** The `<samlp:Response>` carries a signature that xmlsec1 verified. */
  readonly response: boolean;
  /** The `<saml:Assertion>` (decrypted first, when encrypted) carries a signature that xmlsec1 verified. */
  readonly assertion: boolean;
  /** The assertion was encrypted (and `decryptionKey` decrypted it). */
  readonly encrypted: boolean;
  /** The assertion as xmlsec1 read it (decrypted, when it was encrypted). */
  readonly assertionXml: string | undefined;
}

/**
 * Verifies every signature of a SAML `<samlp:Response>` (base64 or XML) against the IdP's
 * certificate with xmlsec1: the response's, and the assertion's (decrypting an
 * `EncryptedAssertion` with `decryptionKey` first). The caller asserts which were signed.
 */
export function verifySamlResponse(response: string, certificate: string, options: { decryptionKey?: string } = {}): SamlResponseSignatures {
  const xml = response.trimStart().startsWith('<') ? response : Buffer.from(response, 'base64').toString('utf8');
  const responseSigned = verifyEnvelopedSignature(xml, { namespace: samlNamespaces.protocol, localName: 'Response' }, certificate);
  const encrypted = xml.includes('EncryptedAssertion');
  let plain = xml;
  if (encrypted) {
    if (!options.decryptionKey) throw new Error('the assertion is encrypted: pass the SP\'s key to decrypt it');
    plain = xmlsecDecrypt(xml, options.decryptionKey);
  }
  const doc = new DOMParser().parseFromString(plain, 'text/xml');
  const assertion = Array.from(doc.getElementsByTagNameNS(samlNamespaces.assertion, 'Assertion') as unknown as ArrayLike<Element>)[0];
  const assertionSigned = assertion
    ? verifyEnvelopedSignature(plain, { namespace: samlNamespaces.assertion, localName: 'Assertion' }, certificate)
    : false;
  return { response: responseSigned, assertion: assertionSigned, encrypted, assertionXml: assertion?.toString() };
}
