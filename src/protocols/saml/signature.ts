/**
 * XML signatures of SAML and WS-Federation messages, and the query-string signatures of the
 * HTTP-Redirect binding.
 *
 * Verification is built against signature wrapping: the signature must be a direct child of the
 * element it signs, with exactly one reference, to that element's ID, which no other element in
 * the document carries (in any ID-like attribute of any namespace); the signature must have
 * exactly XML Signature's shape (no foreign or repeated parts that the verifier, which finds them
 * by local name, could read instead of the checked ones); only the enveloped-signature and
 * canonicalization transforms are allowed; the key comes from the RSA certificates Lanyard holds
 * for the peer, never from the message's KeyInfo. The caller gets back the canonical form of what
 * was signed (comments removed) and reads only that.
 */
import { createPublicKey, createSign, createVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { attr, children, decodeBase64, isElement, ns, parseXml, SamlError, serialize } from './xml.ts';

/** Okta's names for the algorithms (`settings.signOn.signatureAlgorithm` / `digestAlgorithm`). */
export type SignatureAlgorithm = 'RSA_SHA256' | 'RSA_SHA1';
export type DigestAlgorithm = 'SHA256' | 'SHA1';

const signatureUris = {
  RSA_SHA256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  RSA_SHA1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
} as const;
const digestUris = {
  SHA256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  SHA1: 'http://www.w3.org/2000/09/xmldsig#sha1',
} as const;

const acceptedSignatureUris = new Map<string, string>([
  [signatureUris.RSA_SHA256, 'RSA-SHA256'],
  ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha512', 'RSA-SHA512'],
  [signatureUris.RSA_SHA1, 'RSA-SHA1'],
]);
const acceptedDigestUris = new Set<string>([digestUris.SHA256, 'http://www.w3.org/2001/04/xmlenc#sha512', digestUris.SHA1]);
const envelopedTransform = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const exclusiveC14n = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const exclusiveC14nWithComments = 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments';
/** Canonicalizations accepted for SignedInfo, and (with the enveloped-signature transform) in references. */
const acceptedCanonicalizations = new Set<string>([
  exclusiveC14n, exclusiveC14nWithComments,
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315', 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
]);
const acceptedTransforms = new Set<string>([envelopedTransform, ...acceptedCanonicalizations]);
/** The namespace of `<ec:InclusiveNamespaces>`, the one element a transform may hold (and only an exclusive one). */
const exclusiveC14nNamespace = exclusiveC14n;

export interface SigningMaterial {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

export function signatureAlgorithmUri(algorithm: SignatureAlgorithm): string {
  return signatureUris[algorithm];
}

/** The certificate's base64 DER, as KeyInfo and metadata carry it. */
export function certificateBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/** A certificate given as PEM or bare base64 DER, as PEM. */
export function toPem(certificate: string): string {
  const body = certificateBody(certificate);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new SamlError('invalid', 'The certificate is not a valid X.509 certificate.');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Reads a certificate, refusing what is not one. */
export function parseCertificate(certificate: string): X509Certificate {
  try {
    return new X509Certificate(toPem(certificate));
  } catch {
    throw new SamlError('invalid', 'The certificate is not a valid X.509 certificate.');
  }
}

const ncName = /^[A-Za-z_][\w.-]*$/;

/**
 * Signs the element whose `ID` (or SAML 1.1 `AssertionID`) is `id` in `xml` with an enveloped
 * signature (exclusive canonicalization), placed right after its `<Issuer>` as the SAML 2.0 schema
 * wants, or (`'last'`) as its last child, where the SAML 1.1 schema puts it.
 */
export function signElement(xml: string, id: string, key: SigningMaterial, algorithms: { signature: SignatureAlgorithm; digest: DigestAlgorithm },
  placement: { afterLocalName: string } | 'last' = { afterLocalName: 'Issuer' }): string {
  // Both go into XPath expressions: only NCNames, so neither can change what the expressions select.
  if (!ncName.test(id) || (placement !== 'last' && !ncName.test(placement.afterLocalName))) {
    throw new SamlError('invalid', 'The ID or placement to sign is not an NCName.');
  }
  const signer = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: key.certificatePem,
    signatureAlgorithm: signatureUris[algorithms.signature],
    canonicalizationAlgorithm: exclusiveC14n,
    idAttribute: 'AssertionID',
  });
  const target = `//*[@ID='${id}' or @AssertionID='${id}']`;
  signer.addReference({ xpath: target, transforms: [envelopedTransform, exclusiveC14n], digestAlgorithm: digestUris[algorithms.digest] });
  signer.computeSignature(xml, {
    prefix: 'ds',
    location: placement === 'last'
      ? { reference: target, action: 'append' }
      : { reference: `${target}/*[local-name(.)='${placement.afterLocalName}']`, action: 'after' },
  });
  return signer.getSignedXml();
}

/** The element's ID attribute, as SAML (`ID`) or WS-Security-era SAML 1.1 (`AssertionID`) names it. */
function idOf(element: Element): string | undefined {
  return attr(element, 'ID') ?? attr(element, 'AssertionID');
}

const idLikeNames = new Set(['ID', 'Id', 'id', 'AssertionID']);

/**
 * How often this value appears in an ID-like attribute anywhere in the document, whatever the
 * attribute's namespace (`xml:id`, `wsu:Id`, `evil:ID`): xml-crypto resolves references by local name.
 */
function countId(doc: Document, id: string): number {
  let count = 0;
  const all = doc.getElementsByTagName('*') as unknown as ArrayLike<Element>;
  for (let i = 0; i < all.length; i++) {
    const attributes = all[i]!.attributes;
    for (let j = 0; j < attributes.length; j++) {
      const attribute = attributes.item(j)!;
      if (idLikeNames.has(attribute.localName ?? attribute.name) && attribute.value === id) count++;
    }
  }
  return count;
}

/**
 * The element children of a part of the signature, which must all be XML Signature elements
 * named in `allowed`; between them only whitespace. xml-crypto finds these parts by local name
 * alone, so an element of another namespace (`<x:DigestMethod>`), a second `Transforms` or a
 * comment could make it read something other than what was checked here.
 */
function parts(parent: Element, allowed: readonly string[]): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 3 && /^[ \t\r\n]*$/.test((node as unknown as { data: string }).data)) continue;
    if (!isElement(node) || node.namespaceURI !== ns.ds || !allowed.includes(node.localName!)) {
      throw new SamlError('signature', `The signature's <${parent.localName}> holds something XML Signature does not put there.`);
    }
    out.push(node);
  }
  return out;
}

function sequence(elements: readonly Element[]): string {
  return elements.map((element) => element.localName).join(' ');
}

/** The base64 text of `DigestValue` or `SignatureValue`: text only, no comment or element inside. */
function base64Value(element: Element): void {
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== 3) throw new SamlError('signature', `The signature's <${element.localName}> holds something other than base64 text.`);
  }
  try {
    decodeBase64(element.textContent ?? '');
  } catch {
    throw new SamlError('signature', `The signature's <${element.localName}> is not base64.`);
  }
}

interface SignatureParts {
  readonly signedInfo: Element;
  readonly canonicalization: string;
  readonly method: string;
  readonly references: readonly Element[];
}

/** Checks that the signature has exactly the shape XML Signature gives it, and returns its parts. */
function signatureParts(signature: Element): SignatureParts {
  const top = parts(signature, ['SignedInfo', 'SignatureValue', 'KeyInfo', 'Object']);
  if (!/^SignedInfo SignatureValue( KeyInfo)?( Object)*$/.test(sequence(top))) {
    throw new SamlError('signature', 'The signature must hold SignedInfo, SignatureValue, an optional KeyInfo and Objects, in that order.');
  }
  const [signedInfo, signatureValue] = top as [Element, Element];
  base64Value(signatureValue);
  const info = parts(signedInfo, ['CanonicalizationMethod', 'SignatureMethod', 'Reference']);
  const references = info.filter((element) => element.localName === 'Reference');
  if (references.length !== 1) throw new SamlError('signature', 'The signature must have exactly one reference.');
  if (sequence(info) !== 'CanonicalizationMethod SignatureMethod Reference') {
    throw new SamlError('signature', 'The signature\'s SignedInfo must hold CanonicalizationMethod, SignatureMethod and Reference, in that order.');
  }
  const [canonicalizationMethod, signatureMethod] = info as [Element, Element];
  parts(canonicalizationMethod, []);
  parts(signatureMethod, []);
  return {
    signedInfo,
    canonicalization: attr(canonicalizationMethod, 'Algorithm') ?? '',
    method: attr(signatureMethod, 'Algorithm') ?? '',
    references,
  };
}

/** The reference's transforms and digest method, checked for shape. */
function referenceParts(reference: Element): { transforms: Element[]; digest: string } {
  const inside = parts(reference, ['Transforms', 'DigestMethod', 'DigestValue']);
  if (!/^(Transforms )?DigestMethod DigestValue$/.test(sequence(inside))) {
    throw new SamlError('signature', 'The signature\'s Reference must hold optional Transforms, DigestMethod and DigestValue, in that order.');
  }
  const transforms = inside[0]!.localName === 'Transforms' ? parts(inside[0]!, ['Transform']) : [];
  if (inside[0]!.localName === 'Transforms' && transforms.length === 0) throw new SamlError('signature', 'The signature\'s Transforms is empty.');
  const digestMethod = inside[inside.length - 2]!;
  parts(digestMethod, []);
  base64Value(inside[inside.length - 1]!);
  for (const transform of transforms) {
    const algorithm = attr(transform, 'Algorithm') ?? '';
    if (!acceptedTransforms.has(algorithm)) throw new SamlError('signature', 'The signature uses a transform that is not accepted.');
    // Only an exclusive canonicalization may carry one <ec:InclusiveNamespaces>, with nothing in it.
    let inclusive = 0;
    for (let node = transform.firstChild; node; node = node.nextSibling) {
      if (node.nodeType === 3 && /^[ \t\r\n]*$/.test((node as unknown as { data: string }).data)) continue;
      const allowed = isElement(node) && node.namespaceURI === exclusiveC14nNamespace && node.localName === 'InclusiveNamespaces'
        && (algorithm === exclusiveC14n || algorithm === exclusiveC14nWithComments) && inclusive++ === 0 && node.firstChild === null;
      if (!allowed) throw new SamlError('signature', 'The signature uses a transform that is not accepted.');
    }
  }
  return { transforms, digest: attr(digestMethod, 'Algorithm') ?? '' };
}

/** The configured certificates that can verify an RSA signature; the others (EC keys, broken text) are passed over. */
function rsaCertificates(certificates: readonly string[]): Array<{ certificate: string; pem: string; key: KeyObject }> {
  const out: Array<{ certificate: string; pem: string; key: KeyObject }> = [];
  for (const certificate of certificates) {
    let key: KeyObject;
    let pem: string;
    try {
      pem = toPem(certificate);
      key = createPublicKey(pem);
    } catch {
      continue;
    }
    // Every accepted algorithm is RSA (PKCS#1 v1.5); an EC key would verify an ECDSA signature under an RSA name.
    if (key.asymmetricKeyType === 'rsa') out.push({ certificate, pem, key });
  }
  if (out.length === 0) throw new SamlError('signature', 'No RSA certificate is configured to verify this signature.');
  return out;
}

export interface VerifiedElement {
  /** The signed element, re-read from its canonical form: the only thing a caller may trust. */
  readonly element: Element;
  /** Which of the offered certificates verified it. */
  readonly certificate: string;
}

/**
 * Verifies the enveloped signature of `element` (a direct `ds:Signature` child) against the
 * peer's certificates and returns the signed element as it was signed. Throws {@link SamlError}
 * (`signature`) for anything else: no signature, several, a reference elsewhere, a duplicated ID,
 * an unexpected transform or algorithm, or a value that does not verify.
 */
export function verifyElementSignature(doc: Document, element: Element, certificates: readonly string[], options: { allowSha1?: boolean } = {}): VerifiedElement {
  const signatures = children(element, ns.ds, 'Signature');
  if (signatures.length === 0) throw new SamlError('signature', `<${element.localName}> is not signed.`);
  if (signatures.length > 1) throw new SamlError('signature', `<${element.localName}> carries more than one signature.`);
  const signature = signatures[0]!;
  const { canonicalization, method, references } = signatureParts(signature);
  if (!acceptedCanonicalizations.has(canonicalization)) throw new SamlError('signature', 'The signature\'s canonicalization is not accepted.');
  if (!acceptedSignatureUris.has(method) || (!options.allowSha1 && method === signatureUris.RSA_SHA1)) {
    throw new SamlError('signature', 'The signature algorithm is not accepted.');
  }
  const reference = references[0]!;
  const id = idOf(element);
  if (!id || attr(reference, 'URI') !== `#${id}`) throw new SamlError('signature', 'The signature does not reference the element it is in.');
  if (countId(doc, id) !== 1) throw new SamlError('signature', 'The signed element\'s ID is not unique in the message.');
  const { digest } = referenceParts(reference);
  if (!acceptedDigestUris.has(digest) || (!options.allowSha1 && digest === digestUris.SHA1)) {
    throw new SamlError('signature', 'The digest algorithm is not accepted.');
  }
  if (certificates.length === 0) throw new SamlError('signature', 'No certificate is configured to verify this signature.');
  const usable = rsaCertificates(certificates);

  const xml = serialize(doc);
  const signatureXml = serialize(signature);
  for (const { certificate, pem } of usable) {
    const verifier = new SignedXml({ publicCert: pem, getCertFromKeyInfo: () => null, idAttribute: 'AssertionID' });
    let signed: string[];
    try {
      verifier.loadSignature(signatureXml);
      if (!verifier.checkSignature(xml)) continue;
      signed = verifier.getSignedReferences();
    } catch {
      continue;
    }
    if (signed.length !== 1) break;
    // Canonical XML can be larger than the message it came from (exclusive canonicalization repeats
    // namespace declarations), and it is in memory already: no size limit on re-reading it.
    const reread = parseXml(signed[0]!, Number.POSITIVE_INFINITY).documentElement!;
    if (reread.namespaceURI !== element.namespaceURI || reread.localName !== element.localName || idOf(reread) !== id) break;
    return { element: reread, certificate };
  }
  throw new SamlError('signature', 'The signature does not verify with the configured certificate.');
}

/** The Node hash name for an accepted signature algorithm URI. */
function hashFor(sigAlg: string, allowSha1: boolean): string {
  const name = acceptedSignatureUris.get(sigAlg);
  if (!name || (!allowSha1 && sigAlg === signatureUris.RSA_SHA1)) throw new SamlError('signature', 'The signature algorithm is not accepted.');
  return name;
}

/**
 * Signs an HTTP-Redirect binding message: returns the query string (without `?`) with
 * `SigAlg` and `Signature` appended, over the exact encoded octets the receiver will see.
 */
export function signRedirectQuery(parameter: 'SAMLRequest' | 'SAMLResponse', encodedMessage: string, relayState: string | undefined,
  key: SigningMaterial, algorithm: SignatureAlgorithm): string {
  const sigAlg = signatureUris[algorithm];
  const parts = [`${parameter}=${encodeURIComponent(encodedMessage)}`];
  if (relayState !== undefined) parts.push(`RelayState=${encodeURIComponent(relayState)}`);
  parts.push(`SigAlg=${encodeURIComponent(sigAlg)}`);
  const signedPart = parts.join('&');
  const signature = createSign(hashFor(sigAlg, true)).update(signedPart).sign(key.privateKeyPem, 'base64');
  return `${signedPart}&Signature=${encodeURIComponent(signature)}`;
}

/** Percent-decoding that answers a malformed escape with a {@link SamlError} rather than a URIError. */
function percentDecode(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new SamlError('malformed', `The query's ${what} is not validly percent-encoded.`);
  }
}

/** The raw (still URL-encoded) value of each parameter of a query string; repeated parameters are refused. */
export function rawQueryParameters(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = percentDecode(eq < 0 ? pair : pair.slice(0, eq), 'parameter name');
    if (out.has(name)) throw new SamlError('invalid', `${name.slice(0, 40)} is repeated in the query.`);
    out.set(name, eq < 0 ? '' : pair.slice(eq + 1));
  }
  return out;
}

/**
 * The parameters of a query string decoded as a form (`+` is a space), from the same parse as
 * {@link rawQueryParameters}: the values a handler reads are the very octets a signature covers.
 */
export function decodedQueryParameters(rawQuery: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of rawQueryParameters(rawQuery)) out[name] = percentDecode(raw.replace(/\+/g, '%20'), `value of ${name.slice(0, 40)}`);
  return out;
}

/**
 * Verifies the signature of an HTTP-Redirect binding message over the octets as received (SAML
 * bindings §3.4.4.1): `SAMLRequest|SAMLResponse`, `RelayState` if present, `SigAlg`, in that
 * order whatever their order in the query, each exactly as sent (so `%2f` and `%2F` differ).
 * Returns false when the query carries no signature; throws when it carries a bad one, or both a
 * `SAMLRequest` and a `SAMLResponse` (only one of them could be covered).
 */
export function verifyRedirectQuery(rawQuery: string, parameter: 'SAMLRequest' | 'SAMLResponse', certificates: readonly string[],
  options: { allowSha1?: boolean } = {}): boolean {
  const raw = rawQueryParameters(rawQuery);
  if (raw.has('SAMLRequest') && raw.has('SAMLResponse')) throw new SamlError('invalid', 'The query carries both SAMLRequest and SAMLResponse.');
  const signature = raw.get('Signature');
  const sigAlgRaw = raw.get('SigAlg');
  if (signature === undefined && sigAlgRaw === undefined) return false;
  if (signature === undefined || sigAlgRaw === undefined) throw new SamlError('signature', 'The request has SigAlg or Signature but not both.');
  const sigAlg = percentDecode(sigAlgRaw.replace(/\+/g, '%20'), 'SigAlg');
  const hash = hashFor(sigAlg, options.allowSha1 ?? false);
  const message = raw.get(parameter);
  if (message === undefined) throw new SamlError('invalid', `The query has no ${parameter}.`);
  const parts = [`${parameter}=${message}`];
  if (raw.has('RelayState')) parts.push(`RelayState=${raw.get('RelayState')}`);
  parts.push(`SigAlg=${sigAlgRaw}`);
  const signedText = parts.join('&');
  // A URL is ASCII (RFC 3986); anything else has been decoded somewhere, and its octets are no longer known.
  if (!/^[\x21-\x7e]*$/.test(signedText)) throw new SamlError('malformed', 'The query is not percent-encoded ASCII.');
  const octets = Buffer.from(signedText, 'ascii');
  // Base64 has no spaces, so a `+` left unencoded can only have meant `+`.
  let signatureBytes: Buffer;
  try {
    signatureBytes = decodeBase64(percentDecode(signature, 'Signature'));
  } catch (error) {
    if (error instanceof SamlError && error.fault !== 'malformed') throw error;
    throw new SamlError('signature', 'The request signature is not base64.');
  }
  if (certificates.length === 0) throw new SamlError('signature', 'No certificate is configured to verify this signature.');
  for (const { key } of rsaCertificates(certificates)) {
    if (createVerify(hash).update(octets).verify(key, signatureBytes)) return true;
  }
  throw new SamlError('signature', 'The request signature does not verify with the configured certificate.');
}
