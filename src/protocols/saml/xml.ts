/**
 * Reading SAML and WS-Federation messages safely: strict base64, bounded inflation for the
 * HTTP-Redirect binding, a size limit, no DTD of any kind (so no external entities and no entity
 * expansion), and a parser that stops at the first error. Helpers find elements by namespace and
 * local name only, never by prefix, so a message cannot steer them with odd prefixes.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DOMParser, XMLSerializer, type Document, type Element, type Node } from '@xmldom/xmldom';

export const ns = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xs: 'http://www.w3.org/2001/XMLSchema',
  saml1: 'urn:oasis:names:tc:SAML:1.0:assertion',
  wst: 'http://schemas.xmlsoap.org/ws/2005/02/trust',
  wsp: 'http://schemas.xmlsoap.org/ws/2004/09/policy',
  wsa: 'http://www.w3.org/2005/08/addressing',
  fed: 'http://docs.oasis-open.org/wsfed/federation/200706',
} as const;

/** Why a message was refused; the text says what was wrong without echoing secrets. */
export type SamlFault = 'malformed' | 'too_large' | 'forbidden' | 'invalid' | 'signature' | 'unsupported';

export class SamlError extends Error {
  readonly fault: SamlFault;

  constructor(fault: SamlFault, message: string) {
    super(message);
    this.name = 'SamlError';
    this.fault = fault;
  }
}

/** Largest message accepted, before and after inflation (SAML messages are a few kilobytes). */
export const maxMessageBytes = 256 * 1024;

/** Deepest element nesting accepted: SAML messages are a dozen levels deep, and deeper ones exhaust recursive code. */
export const maxElementDepth = 128;

const base64Shape = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes base64 as the bindings send it (whitespace allowed between characters), strictly: only
 * the standard alphabet, correct padding, and the canonical encoding (unused trailing bits zero),
 * so every message has exactly one base64 form.
 */
export function decodeBase64(text: string, maxBytes = maxMessageBytes): Buffer {
  const compact = text.replace(/[\r\n\t ]/g, '');
  if (compact.length > Math.ceil((maxBytes * 4) / 3) + 4) throw new SamlError('too_large', 'The message is too large.');
  if (compact.length === 0 || compact.length % 4 !== 0 || !base64Shape.test(compact)) {
    throw new SamlError('malformed', 'The message is not valid base64.');
  }
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.toString('base64') !== compact) throw new SamlError('malformed', 'The message is not valid base64.');
  return bytes;
}

/** The HTTP-Redirect binding: base64 of raw DEFLATE. Inflation stops at `maxBytes` (deflate bombs). */
export function inflateRedirectMessage(text: string, maxBytes = maxMessageBytes): string {
  const compressed = decodeBase64(text, maxBytes);
  let inflated: Buffer;
  let consumed: number;
  try {
    const result = inflateRawSync(compressed, { maxOutputLength: maxBytes, info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    inflated = result.buffer;
    consumed = result.engine.bytesWritten;
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new SamlError('too_large', 'The message inflates beyond the size limit.');
    }
    throw new SamlError('malformed', 'The message is not DEFLATE-compressed.');
  }
  // zlib stops at the end of the first stream and ignores what follows: refuse it instead.
  if (consumed !== compressed.length) throw new SamlError('malformed', 'The message has data after its DEFLATE stream.');
  return utf8(inflated);
}

/** The HTTP-POST binding: plain base64. */
export function decodePostMessage(text: string, maxBytes = maxMessageBytes): string {
  return utf8(decodeBase64(text, maxBytes));
}

export function deflateForRedirect(xml: string): string {
  return deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64');
}

/** Strict UTF-8 (a leading byte-order mark is dropped). An encoded U+FFFD decodes as itself; parseXml then refuses it, as xmldom warns about it. */
function utf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SamlError('malformed', 'The message is not UTF-8 text.');
  }
}

/** A character XML 1.0 allows nowhere, not even as a character reference (NUL, most C0 controls, lone surrogates, U+FFFE/F). */
const invalidXmlCharacter = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const xmlDeclaration = /^<\?xml\s+version\s*=\s*(["'])([^"']*)\1(?:\s+encoding\s*=\s*(["'])([^"']*)\3)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\5)?\s*\?>/;
const xmlNamespace = 'http://www.w3.org/XML/1998/namespace';
const xmlnsNamespace = 'http://www.w3.org/2000/xmlns/';
/** Comments and CDATA sections, where `&` and `]]>` are plain characters. Linear once the document is known to be well-formed. */
const commentOrCdata = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g;
const bareAmpersand = /&(?!(?:[A-Za-z_:][\w.:-]*|#[0-9]+|#x[0-9A-Fa-f]+);)/;
/** A start tag of a well-formed document (outside comments and CDATA), and each attribute in it. */
const startTag = /<[^\s/>!?][^\s/>]*((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/g;
const attributeInTag = /\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*')/g;

/**
 * Parses a message. Refuses DTDs (and so every entity declaration) outright, as SAML forbids
 * them, processing instructions anywhere, any encoding but UTF-8 and any XML version but 1.0,
 * characters XML does not allow (also as character references), nesting deeper than
 * {@link maxElementDepth}, and any parse error or warning, rather than guessing what a broken
 * document meant (xmldom alone lets a bare `&`, `]]>` in text, duplicate namespaced attributes and
 * misuse of the `xml`/`xmlns` prefixes through).
 */
export function parseXml(xml: string, maxBytes = maxMessageBytes): Document {
  if (Buffer.byteLength(xml, 'utf8') > maxBytes) throw new SamlError('too_large', 'The message is too large.');
  if (/<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i.test(xml)) {
    throw new SamlError('forbidden', 'Document type declarations are not allowed in SAML messages.');
  }
  if (invalidXmlCharacter.test(xml)) throw new SamlError('malformed', 'The message contains a character XML does not allow.');
  if (/^<\?xml[\s?]/.test(xml)) {
    const declaration = xmlDeclaration.exec(xml);
    if (!declaration) throw new SamlError('malformed', 'The XML declaration is not well-formed.');
    if (declaration[2] !== '1.0') throw new SamlError('unsupported', 'Only XML 1.0 messages are accepted.');
    if (declaration[4] !== undefined && declaration[4].toLowerCase() !== 'utf-8') {
      throw new SamlError('unsupported', 'Only UTF-8 messages are accepted.');
    }
  }
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        throw new SamlError('malformed', `The message is not well-formed XML (${level}: ${String(message).split('\n')[0]!.slice(0, 160)}).`);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (error) {
    if (error instanceof SamlError) throw error;
    throw new SamlError('malformed', 'The message is not well-formed XML.');
  }
  if (!doc.documentElement) throw new SamlError('malformed', 'The message has no root element.');
  checkTree(doc);
  const outside = xml.replace(commentOrCdata, '');
  if (bareAmpersand.test(outside)) throw new SamlError('malformed', 'The message has an "&" that does not start a reference.');
  if (outside.includes(']]>')) throw new SamlError('malformed', 'The message has "]]>" outside a CDATA section.');
  checkAttributeCounts(doc, outside);
  return doc;
}

/**
 * xmldom keeps only the last of two attributes with one expanded name (`x:ID` and `y:ID` with
 * `x` and `y` bound to one namespace) without a word: compare every start tag's attributes with
 * what the tree kept.
 */
function checkAttributeCounts(doc: Document, outside: string): void {
  const elements = doc.getElementsByTagName('*') as unknown as ArrayLike<Element>;
  let index = 0;
  for (const tag of outside.matchAll(startTag)) {
    const element = elements[index++];
    if (!element) throw new SamlError('malformed', 'The message is not well-formed XML.');
    const written = tag[1]!.match(attributeInTag)?.length ?? 0;
    if (written !== element.attributes.length) throw new SamlError('malformed', `<${element.localName}> has one attribute twice.`);
  }
  if (index !== elements.length) throw new SamlError('malformed', 'The message is not well-formed XML.');
}

/** What xmldom lets through: walks the tree without recursion (so depth cannot exhaust the stack). */
function checkTree(doc: Document): void {
  const stack: Array<{ node: Node; depth: number }> = [];
  for (let node = doc.firstChild; node; node = node.nextSibling) stack.push({ node, depth: 0 });
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    switch (node.nodeType) {
      case 7: { // processing instruction; the XML declaration is one in xmldom, and only allowed first
        const isDeclaration = node.parentNode === doc && node === doc.firstChild && (node as unknown as { target: string }).target === 'xml';
        if (!isDeclaration) throw new SamlError('forbidden', 'Processing instructions are not allowed in SAML messages.');
        break;
      }
      case 3: case 4: case 8: // text, CDATA, comment: character references may have produced what the text could not hold
        if (invalidXmlCharacter.test((node as unknown as { data: string }).data)) {
          throw new SamlError('malformed', 'The message contains a character XML does not allow.');
        }
        break;
      case 1: {
        if (depth >= maxElementDepth) throw new SamlError('too_large', 'The message nests elements too deeply.');
        checkAttributes(node as Element);
        for (let child = node.firstChild; child; child = child.nextSibling) stack.push({ node: child, depth: depth + 1 });
        break;
      }
      default:
        break;
    }
  }
}

function checkAttributes(element: Element): void {
  const seen = new Set<string>();
  const attributes = element.attributes;
  for (let i = 0; i < attributes.length; i++) {
    const attribute = attributes.item(i)!;
    const expanded = `${attribute.namespaceURI ?? ''} ${attribute.localName ?? attribute.name}`;
    if (seen.has(expanded)) throw new SamlError('malformed', `<${element.localName}> has the attribute ${attribute.localName} twice.`);
    seen.add(expanded);
    if (invalidXmlCharacter.test(attribute.value)) throw new SamlError('malformed', 'The message contains a character XML does not allow.');
    if (attribute.namespaceURI !== xmlnsNamespace) continue;
    const prefix = attribute.prefix === 'xmlns' ? attribute.localName : '';
    const value = attribute.value;
    const misuse = prefix === 'xml' ? value !== xmlNamespace
      : prefix === 'xmlns' || value === xmlNamespace || value === xmlnsNamespace || (prefix !== '' && value === '');
    if (misuse) throw new SamlError('malformed', `<${element.localName}> has a namespace declaration XML does not allow.`);
  }
}

export function serialize(node: Node): string {
  return new XMLSerializer().serializeToString(node);
}

export function isElement(node: Node | null | undefined): node is Element {
  return node?.nodeType === 1;
}

/** Child elements of `parent` with this namespace and local name, in document order. */
export function children(parent: Element | Document, namespace: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (isElement(node) && node.namespaceURI === namespace && node.localName === localName) out.push(node);
  }
  return out;
}

/** The one child with this name, undefined when there is none; more than one is an error. */
export function optionalChild(parent: Element, namespace: string, localName: string): Element | undefined {
  const found = children(parent, namespace, localName);
  if (found.length > 1) throw new SamlError('invalid', `<${localName}> appears more than once in <${parent.localName}>.`);
  return found[0];
}

export function requiredChild(parent: Element, namespace: string, localName: string): Element {
  const found = optionalChild(parent, namespace, localName);
  if (!found) throw new SamlError('invalid', `<${parent.localName}> has no <${localName}>.`);
  return found;
}

/** Every descendant element with this namespace and local name. */
export function descendants(root: Element | Document, namespace: string, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(namespace, localName) as unknown as ArrayLike<Element>);
}

/**
 * The element's text, trimmed: every text and CDATA descendant joined, comments and processing
 * instructions skipped. A comment does not cut a value short: `<NameID>admin<!---->@evil.com</NameID>`
 * reads `admin@evil.com`, which is also what exclusive canonicalization (without comments) signs.
 */
export function text(element: Element | undefined): string | undefined {
  if (!element) return undefined;
  return (element.textContent ?? '').trim();
}

/** The root must be this element. */
export function requireRoot(doc: Document, namespace: string, localName: string): Element {
  const root = doc.documentElement!;
  if (root.namespaceURI !== namespace || root.localName !== localName) {
    throw new SamlError('invalid', `Expected <${localName}>, got <${root.localName ?? root.nodeName}>.`);
  }
  return root;
}

/** An attribute without namespace, or undefined when absent. */
export function attr(element: Element, name: string): string | undefined {
  return element.hasAttribute(name) ? element.getAttribute(name) ?? undefined : undefined;
}

/** Escapes text for element content and attribute values. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** An xs:dateTime in UTC with millisecond precision dropped, as SAML peers expect. */
export function samlInstant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A fresh SAML ID: an NCName (it starts with a letter) carrying 160 random bits. */
export function newSamlId(): string {
  return `id${randomBytes(20).toString('hex')}`;
}
