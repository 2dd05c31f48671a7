/**
 * Reading SAML and WS-Federation messages safely (src/protocols/saml/xml.ts): DTDs and entities
 * (XXE, billion laughs), processing instructions, encodings, base64, HTTP-Redirect inflation
 * (deflate bombs), well-formedness, namespace-aware lookups, and comments inside values (the
 * CVE-2017-11428 family) together with signature verification.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attr, children, decodeBase64, decodePostMessage, deflateForRedirect, descendants, inflateRedirectMessage, maxElementDepth,
  maxMessageBytes, ns, optionalChild, parseXml, requiredChild, requireRoot, SamlError, serialize, text,
} from '../../src/protocols/saml/xml.ts';
import { signElement, verifyElementSignature } from '../../src/protocols/saml/signature.ts';
import { testKeyPair } from '../helpers/certificates.ts';
import { faultOf, messageOf } from '../helpers/errors.ts';

/** The fault of the SamlError `run` throws; fails the test when it throws anything else or nothing. */
const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64');
const rootText = (xml: string): string | undefined => text(parseXml(xml).documentElement!);

// A server that counts every request, to show that no DTD or entity is ever fetched.
let server: Server;
let hits = 0;
let baseUrl = '';
let dir = '';
let secretFile = '';
const secret = 'LANYARD-SECRET-MARKER-7f3a';

beforeAll(async () => {
  server = createServer((_request, response) => {
    hits++;
    response.end(`<!ENTITY leak "${secret}">`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  baseUrl = `http://127.0.0.1:${address.port}`;
  dir = mkdtempSync(join(tmpdir(), 'lanyard-xxe-'));
  secretFile = join(dir, 'secret.txt');
  writeFileSync(secretFile, secret);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('DTDs and entities are refused, and nothing is fetched or read', () => {
  const attacks = (): Record<string, string> => ({
    'external general entity (file:///etc/passwd)': '<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>',
    'external general entity (a local file)': `<!DOCTYPE a [<!ENTITY xxe SYSTEM "${pathToFileURL(secretFile).href}">]><a>&xxe;</a>`,
    'external general entity (http)': `<!DOCTYPE a [<!ENTITY xxe SYSTEM "${baseUrl}/entity">]><a>&xxe;</a>`,
    'public identifier': `<!DOCTYPE a PUBLIC "-//Evil//DTD//EN" "${baseUrl}/public.dtd"><a/>`,
    'parameter entity': `<!DOCTYPE a [<!ENTITY % p SYSTEM "${baseUrl}/p.dtd"> %p;]><a>&leak;</a>`,
    'external DTD via SYSTEM': `<!DOCTYPE a SYSTEM "${baseUrl}/external.dtd"><a>&leak;</a>`,
    'out-of-band exfiltration': `<!DOCTYPE a [<!ENTITY % file SYSTEM "file:///etc/hostname"><!ENTITY % dtd SYSTEM "${baseUrl}/oob.dtd"> %dtd;]><a/>`,
    'internal subset only': '<!DOCTYPE a []><a/>',
    'bare DOCTYPE': '<!DOCTYPE a><a/>',
    'lower-case doctype': '<!doctype a [<!entity x "y">]><a>&x;</a>',
    'mixed-case DocType': '<!DocType a><a/>',
    'after leading whitespace': '\n \t<!DOCTYPE a><a/>',
    'after a leading byte-order mark': '\uFEFF<!DOCTYPE a><a/>',
    'after a comment': '<!-- hello --><!DOCTYPE a><a/>',
    'after the XML declaration': '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE a><a/>',
    'after the root element': '<a/><!DOCTYPE a>',
    'inside the root element': '<a><!DOCTYPE a></a>',
    'a stray ENTITY declaration': '<a><!ENTITY x "y"></a>',
    'a stray ELEMENT declaration': '<a><!ELEMENT a ANY></a>',
    'a stray ATTLIST declaration': '<a><!ATTLIST a ID ID #IMPLIED></a>',
  });

  for (const name of Object.keys(attacks())) {
    it(`refuses ${name} as forbidden`, () => {
      const xml = attacks()[name]!;
      expect(faultOf(() => parseXml(xml))).toBe('forbidden');
      expect(messageOf(() => parseXml(xml))).not.toContain(secret);
      // The same through both bindings.
      expect(faultOf(() => parseXml(decodePostMessage(b64(xml))))).toBe('forbidden');
      expect(faultOf(() => parseXml(inflateRedirectMessage(deflateForRedirect(xml))))).toBe('forbidden');
    });
  }

  it('a DOCTYPE behind a byte-order mark in the bytes is refused too', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')]);
    expect(faultOf(() => parseXml(decodePostMessage(b64(bytes))))).toBe('forbidden');
  });

  it('billion laughs is refused before any expansion', () => {
    let dtd = '<!ENTITY lol0 "lol">';
    for (let i = 1; i <= 10; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    const xml = `<!DOCTYPE a [${dtd}]><a>&lol10;</a>`;
    expect(faultOf(() => parseXml(xml))).toBe('forbidden');
  });

  it('quadratic blowup is refused before any expansion', () => {
    const xml = `<!DOCTYPE a [<!ENTITY big "${'x'.repeat(20_000)}">]><a>${'&big;'.repeat(20_000)}</a>`;
    expect(xml.length).toBeLessThan(maxMessageBytes);
    expect(faultOf(() => parseXml(xml))).toBe('forbidden');
  });

  it('without a DTD, a reference to an undeclared entity is not well-formed', () => {
    expect(faultOf(() => parseXml('<a>&xxe;</a>'))).toBe('malformed');
    expect(faultOf(() => parseXml(`<a>${'&big;'.repeat(1000)}</a>`))).toBe('malformed');
    expect(faultOf(() => parseXml('<a b="&xxe;"/>'))).toBe('malformed');
  });

  it('HTML entities are not XML entities', () => {
    expect(faultOf(() => parseXml('<a>&nbsp;</a>'))).toBe('malformed');
    expect(faultOf(() => parseXml('<a>&copy;</a>'))).toBe('malformed');
  });

  it('the five predefined entities and character references still work', () => {
    expect(rootText('<a>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F600;</a>')).toBe('<>&"\'AB😀');
    expect(attr(parseXml('<a b="&lt;&amp;&#x9;"/>').documentElement!, 'b')).toBe('<&\t');
  });

  it('fetched nothing: the counting server saw no request', () => {
    expect(hits).toBe(0);
  });
});

describe('processing instructions', () => {
  it.each([
    ['before the root', '<?foo bar?><a/>'],
    ['a stylesheet', '<?xml-stylesheet type="text/xsl" href="http://127.0.0.1:1/x.xsl"?><a/>'],
    ['inside an element', '<a><b><?foo bar?></b></a>'],
    ['after the root', '<a/><?foo?>'],
    ['after the XML declaration', '<?xml version="1.0"?><?foo?><a/>'],
  ])('refuses one %s', (_where, xml) => {
    expect(faultOf(() => parseXml(xml))).toBe('forbidden');
  });

  it('accepts the XML declaration, in its place only', () => {
    expect(rootText('<?xml version="1.0"?><a>x</a>')).toBe('x');
    expect(rootText('<?xml version="1.0" encoding="UTF-8"?><a>x</a>')).toBe('x');
    expect(rootText("<?xml version='1.0' encoding='utf-8' standalone='yes'?>\n<a>x</a>")).toBe('x');
    expect(faultOf(() => parseXml('<!-- c --><?xml version="1.0"?><a/>'))).toBe('malformed');
    expect(faultOf(() => parseXml(' <?xml version="1.0"?><a/>'))).toBe('malformed');
    expect(faultOf(() => parseXml('<?XML version="1.0"?><a/>'))).toBe('malformed');
    expect(faultOf(() => parseXml('<?xml version="1.0" bogus="1"?><a/>'))).toBe('malformed');
  });
});

describe('encodings', () => {
  it('refuses declarations of another encoding or XML version', () => {
    expect(faultOf(() => parseXml('<?xml version="1.0" encoding="UTF-16"?><a/>'))).toBe('unsupported');
    expect(faultOf(() => parseXml('<?xml version="1.0" encoding="utf-16le"?><a/>'))).toBe('unsupported');
    expect(faultOf(() => parseXml('<?xml version="1.0" encoding="ISO-8859-1"?><a/>'))).toBe('unsupported');
    expect(faultOf(() => parseXml('<?xml version="1.1"?><a/>'))).toBe('unsupported');
  });

  it('refuses UTF-16 bytes, with or without a byte-order mark', () => {
    const xml = '<?xml version="1.0" encoding="UTF-16"?><a>x</a>';
    const le = Buffer.from(xml, 'utf16le');
    const be = Buffer.from(xml, 'utf16le').swap16();
    // With a byte-order mark the bytes are not UTF-8 at all.
    expect(faultOf(() => decodePostMessage(b64(Buffer.concat([Buffer.from([0xff, 0xfe]), le]))))).toBe('malformed');
    expect(faultOf(() => decodePostMessage(b64(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))))).toBe('malformed');
    // Without one they are valid UTF-8 full of NULs, which XML does not allow.
    expect(faultOf(() => parseXml(decodePostMessage(b64(le))))).toBe('malformed');
    expect(faultOf(() => parseXml(decodePostMessage(b64(be))))).toBe('malformed');
    expect(faultOf(() => parseXml(inflateRedirectMessage(b64(deflateRawSync(le)))))).toBe('malformed');
  });

  it.each([
    ['Latin-1 é', [0x3c, 0x61, 0x3e, 0x63, 0x61, 0x66, 0xe9, 0x3c, 0x2f, 0x61, 0x3e]],
    ['an overlong "/"', [0x3c, 0x61, 0x3e, 0xc0, 0xaf, 0x3c, 0x2f, 0x61, 0x3e]],
    ['a CESU-8 surrogate', [0x3c, 0x61, 0x3e, 0xed, 0xa0, 0x80, 0x3c, 0x2f, 0x61, 0x3e]],
    ['a truncated sequence', [0x3c, 0x61, 0x3e, 0xe2, 0x82, 0x3c, 0x2f, 0x61, 0x3e]],
    ['a 0xFF byte', [0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]],
    ['a code point beyond U+10FFFF', [0x3c, 0x61, 0x3e, 0xf4, 0x90, 0x80, 0x80, 0x3c, 0x2f, 0x61, 0x3e]],
  ])('refuses invalid UTF-8: %s', (_name, bytes) => {
    expect(faultOf(() => decodePostMessage(b64(Buffer.from(bytes))))).toBe('malformed');
    expect(faultOf(() => inflateRedirectMessage(b64(deflateRawSync(Buffer.from(bytes)))))).toBe('malformed');
  });

  it('reads real UTF-8 and drops a leading byte-order mark', () => {
    const xml = '<a>José 👩‍💻 Ω</a>';
    expect(text(parseXml(decodePostMessage(b64(Buffer.from(xml, 'utf8')))).documentElement!)).toBe('José 👩‍💻 Ω');
    expect(decodePostMessage(b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a/>')])))).toBe('<a/>');
    expect(inflateRedirectMessage(deflateForRedirect(xml))).toBe(xml);
  });

  it('decodes an encoded U+FFFD as the character it is, which the parser then refuses as a sign of encoding trouble', () => {
    expect(decodePostMessage(b64(Buffer.from('<a>\uFFFD</a>', 'utf8')))).toBe('<a>\uFFFD</a>');
    expect(faultOf(() => parseXml('<a>\uFFFD</a>'))).toBe('malformed');
  });

  it.each([
    ['a NUL', '<a>x\u0000y</a>'],
    ['a C0 control', '<a>x\u0001y</a>'],
    ['an escape character', '<a>\u001b[31m</a>'],
    ['a lone surrogate', '<a>x\uD800y</a>'],
    ['U+FFFE', '<a>\uFFFE</a>'],
    ['NUL as a character reference', '<a>&#0;</a>'],
    ['a control as a character reference', '<a>&#x1B;</a>'],
    ['a surrogate as a character reference', '<a>&#xD800;</a>'],
    ['U+FFFF as a character reference', '<a>&#xFFFF;</a>'],
    ['a code point beyond U+10FFFF', '<a>&#x110000;</a>'],
    ['an absurd character reference', '<a>&#99999999999999999999;</a>'],
    ['a control in an attribute', '<a b="&#x7;"/>'],
    ['a NUL in a name', '<a\u0000b/>'],
  ])('refuses %s', (_name, xml) => {
    expect(faultOf(() => parseXml(xml))).toBe('malformed');
  });
});

describe('base64', () => {
  it('decodes standard base64 with the whitespace bindings add', () => {
    expect(decodeBase64('PGEvPg==').toString()).toBe('<a/>');
    expect(decodeBase64(' PGEv\r\nPg==\t\n').toString()).toBe('<a/>');
    const long = Buffer.alloc(300, 0x41).toString('base64').replace(/.{76}/g, '$&\r\n');
    expect(decodeBase64(long).length).toBe(300);
  });

  it.each([
    ['missing padding', 'PGEvPg'],
    ['short padding', 'PGEvPg='],
    ['too much padding', 'PGEvPg==='],
    ['padding in the middle', 'PGEv=Pg='],
    ['two messages glued', 'PGEvPg==PGEvPg=='],
    ['non-canonical trailing bits', 'PGEvPh=='],
    ['non-canonical trailing bits (one pad)', 'PGEvPGF='],
    ['base64url "-"', 'PGEv-g=='],
    ['base64url "_"', 'PGEv_g=='],
    ['a percent escape', 'PGEv%2B=='],
    ['a star', 'PGE*Pg=='],
    ['a non-ASCII letter', 'PGEvPé=='],
    ['a non-breaking space', 'PGEv\u00a0Pg=='],
    ['a form feed', 'PGEv\fPg=='],
    ['a vertical tab', 'PGEv\vPg=='],
    ['a NUL', 'PGEv\u0000Pg=='],
    ['nothing', ''],
    ['only whitespace', ' \r\n\t '],
  ])('refuses %s', (_name, value) => {
    expect(faultOf(() => decodeBase64(value))).toBe('malformed');
    expect(faultOf(() => decodePostMessage(value))).toBe('malformed');
  });

  it('refuses base64 longer than the limit without decoding it', () => {
    expect(faultOf(() => decodeBase64('A'.repeat(Math.ceil((maxMessageBytes * 4) / 3) + 8)))).toBe('too_large');
    expect(faultOf(() => decodeBase64('QUFB'.repeat(100), 30))).toBe('too_large');
  });
});

describe('message size', () => {
  const ofSize = (bytes: number): string => `<a>${'x'.repeat(bytes - 7)}</a>`;

  it('accepts a message of exactly the limit and refuses one byte more', () => {
    expect(() => parseXml(ofSize(maxMessageBytes))).not.toThrow();
    expect(faultOf(() => parseXml(ofSize(maxMessageBytes + 1)))).toBe('too_large');
    expect(() => parseXml(decodePostMessage(b64(ofSize(maxMessageBytes))))).not.toThrow();
    expect(faultOf(() => parseXml(decodePostMessage(b64(ofSize(maxMessageBytes + 1)))))).toBe('too_large');
    expect(faultOf(() => decodePostMessage(b64(ofSize(maxMessageBytes + 4096))))).toBe('too_large');
  });

  it('counts bytes, not characters', () => {
    const wide = `<a>${'é'.repeat(maxMessageBytes / 2 - 3)}</a>`;
    expect(wide.length).toBeLessThan(maxMessageBytes);
    expect(faultOf(() => parseXml(wide))).toBe('too_large');
  });

  it(`refuses nesting deeper than ${maxElementDepth} elements, whatever the size`, () => {
    const nested = (depth: number): string => '<a>'.repeat(depth) + '</a>'.repeat(depth);
    expect(() => parseXml(nested(maxElementDepth))).not.toThrow();
    expect(faultOf(() => parseXml(nested(maxElementDepth + 1)))).toBe('too_large');
    expect(faultOf(() => parseXml(nested(30_000)))).toBe('too_large');
  });
});

describe('HTTP-Redirect inflation', () => {
  it('round-trips deflateForRedirect', () => {
    const xml = '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="a"/>';
    expect(inflateRedirectMessage(deflateForRedirect(xml))).toBe(xml);
  });

  it('stops a deflate bomb at the limit: kilobytes that inflate to 20 MB', () => {
    const bomb = deflateRawSync(Buffer.alloc(20 * 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(faultOf(() => inflateRedirectMessage(b64(bomb)))).toBe('too_large');
  });

  it('stops a bomb hidden behind a valid start', () => {
    const bomb = deflateRawSync(Buffer.concat([Buffer.from('<samlp:AuthnRequest>'), Buffer.alloc(5 * 1024 * 1024, 0x41)]), { level: 9 });
    expect(faultOf(() => inflateRedirectMessage(b64(bomb)))).toBe('too_large');
  });

  it('accepts exactly the limit after inflation and refuses one byte more', () => {
    expect(inflateRedirectMessage(b64(deflateRawSync(Buffer.alloc(maxMessageBytes, 0x20))))).toHaveLength(maxMessageBytes);
    expect(faultOf(() => inflateRedirectMessage(b64(deflateRawSync(Buffer.alloc(maxMessageBytes + 1, 0x20)))))).toBe('too_large');
    expect(faultOf(() => inflateRedirectMessage(b64(deflateRawSync(Buffer.alloc(1001, 0x20))), 1000))).toBe('too_large');
  });

  const good = deflateRawSync(Buffer.from('<a>hello hello hello hello</a>'));
  it.each([
    ['a truncated stream', b64(good.subarray(0, good.length - 3))],
    ['a stream cut in half', b64(good.subarray(0, 6))],
    ['data after the stream', b64(Buffer.concat([good, Buffer.from('<evil/>')]))],
    ['two streams', b64(Buffer.concat([good, good]))],
    ['a zlib header (not raw DEFLATE)', b64(deflateSync(Buffer.from('<a/>')))],
    ['gzip', b64(gzipSync(Buffer.from('<a/>')))],
    ['plain XML', b64('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>')],
    ['an invalid block type', b64(Buffer.from('ffffffffffffffff', 'hex'))],
    ['a stored block with a bad length check', b64(Buffer.from([0x01, 0x04, 0x00, 0x00, 0x00, 0x41, 0x41, 0x41, 0x41]))],
  ])('refuses %s', (_name, value) => {
    expect(faultOf(() => inflateRedirectMessage(value))).toBe('malformed');
  });

  it('refuses empty input, and an empty stream is not a message', () => {
    expect(faultOf(() => inflateRedirectMessage(''))).toBe('malformed');
    expect(inflateRedirectMessage(b64(deflateRawSync(Buffer.alloc(0))))).toBe('');
    expect(faultOf(() => parseXml(inflateRedirectMessage(b64(deflateRawSync(Buffer.alloc(0))))))).toBe('malformed');
  });

  it('refuses compressed data larger than the limit before inflating', () => {
    expect(faultOf(() => inflateRedirectMessage('A'.repeat(Math.ceil((maxMessageBytes * 4) / 3) + 8)))).toBe('too_large');
  });
});

describe('well-formedness', () => {
  it.each([
    ['empty input', ''],
    ['only whitespace', '  \n '],
    ['only a comment', '<!-- nothing -->'],
    ['text, no element', 'hello'],
    ['two root elements', '<a/><b/>'],
    ['two SAML roots', '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'],
    ['text before the root', 'junk<a/>'],
    ['text after the root', '<a/>junk'],
    ['unbalanced tags', '<a><b></a></b>'],
    ['an unclosed element', '<a><b>'],
    ['a stray end tag', '<a></a></b>'],
    ['end tag of another case', '<a></A>'],
    ['a duplicate attribute', '<a ID="1" ID="2"/>'],
    ['one expanded attribute name twice through two prefixes', '<a xmlns:x="urn:n" xmlns:y="urn:n" x:ID="1" y:ID="2"/>'],
    ['an undeclared element prefix', '<x:a/>'],
    ['an undeclared attribute prefix', '<a x:b="1"/>'],
    ['the xml prefix bound elsewhere', '<a xmlns:xml="urn:evil"/>'],
    ['the XML namespace bound to another prefix', '<a xmlns:p="http://www.w3.org/XML/1998/namespace"/>'],
    ['the xmlns prefix declared', '<a xmlns:xmlns="urn:evil"/>'],
    ['the xmlns namespace as the default', '<a xmlns="http://www.w3.org/2000/xmlns/"/>'],
    ['a prefix undeclared (XML 1.1 only)', '<a xmlns:p=""/>'],
    ['a bare & in text', '<a>Tom & Jerry</a>'],
    ['a bare & in an attribute', '<a b="Tom & Jerry"/>'],
    ['an entity reference without ;', '<a>&amp b</a>'],
    ['"]]>" in text', '<a>x]]>y</a>'],
    ['< in an attribute', '<a b="<"/>'],
    ['< in text', '<a>1 < 2</a>'],
    ['an unquoted attribute', '<a b=c/>'],
    ['attributes without space between them', '<a b="1"c="2"/>'],
    ['"--" in a comment', '<a><!-- a -- b --></a>'],
    ['an unclosed comment', '<a><!-- x</a>'],
    ['an unclosed CDATA section', '<a><![CDATA[x</a>'],
    ['a name starting with a digit', '<1a/>'],
  ])('refuses %s', (_name, xml) => {
    expect(faultOf(() => parseXml(xml))).toBe('malformed');
  });

  it('accepts what XML allows: & and ]]> inside comments and CDATA, > in attributes, odd spacing', () => {
    expect(rootText('<a><!-- Tom & Jerry ]]> --><![CDATA[Tom & Jerry <b>]]></a>')).toBe('Tom & Jerry <b>');
    expect(attr(parseXml('<a b="x>y" c = \'single\' />').documentElement!, 'b')).toBe('x>y');
    expect(attr(parseXml('<a\n\tb="1"\n/>').documentElement!, 'b')).toBe('1');
    expect(rootText('<a>]]&gt;</a>')).toBe(']]>');
    expect(() => parseXml('<a xmlns:xml="http://www.w3.org/XML/1998/namespace" xml:lang="en"/>')).not.toThrow();
    expect(() => parseXml('<a xmlns="urn:x"><b xmlns=""/></a>')).not.toThrow();
  });
});

describe('namespace-aware lookups', () => {
  const response = `<samlp:Response xmlns:samlp="${ns.protocol}" xmlns:saml="${ns.assertion}" xmlns:evil="urn:evil">`
    + '<evil:Issuer>https://evil.example</evil:Issuer>'
    + '<saml:Issuer>https://idp.example</saml:Issuer>'
    + `<Assertion xmlns="urn:evil" ID="evil"><Issuer>https://evil.example</Issuer></Assertion>`
    + `<a:Assertion xmlns:a="${ns.assertion}" ID="real"><a:Issuer>https://idp.example</a:Issuer></a:Assertion>`
    + `<saml:Subject xmlns:saml="urn:evil"><saml:NameID>admin</saml:NameID></saml:Subject>`
    + '</samlp:Response>';

  it('children, optionalChild and requiredChild ignore the same local name in another namespace', () => {
    const root = parseXml(response).documentElement!;
    expect(children(root, ns.assertion, 'Issuer').map((e) => text(e))).toEqual(['https://idp.example']);
    expect(text(requiredChild(root, ns.assertion, 'Issuer'))).toBe('https://idp.example');
    expect(children(root, ns.assertion, 'Assertion').map((e) => attr(e, 'ID'))).toEqual(['real']);
    expect(optionalChild(root, ns.assertion, 'Subject')).toBeUndefined();
    expect(() => requiredChild(root, ns.assertion, 'Subject')).toThrow(SamlError);
    expect(faultOf(() => requiredChild(root, ns.assertion, 'Subject'))).toBe('invalid');
  });

  it('finds elements by namespace whatever their prefix, never by prefix', () => {
    const root = parseXml(response).documentElement!;
    const assertion = requiredChild(root, ns.assertion, 'Assertion');
    expect(assertion.prefix).toBe('a');
    expect(text(requiredChild(assertion, ns.assertion, 'Issuer'))).toBe('https://idp.example');
    // A `saml:` prefix bound to another namespace is not SAML.
    expect(descendants(root, ns.assertion, 'NameID')).toHaveLength(0);
    expect(descendants(root, ns.assertion, 'Issuer').map((e) => text(e))).toEqual(['https://idp.example', 'https://idp.example']);
  });

  it('optionalChild refuses a repeated child', () => {
    const root = parseXml(`<r xmlns:saml="${ns.assertion}"><saml:Issuer>a</saml:Issuer><saml:Issuer>b</saml:Issuer></r>`).documentElement!;
    expect(faultOf(() => optionalChild(root, ns.assertion, 'Issuer'))).toBe('invalid');
  });

  it('requireRoot wants the namespace as well as the name', () => {
    expect(faultOf(() => requireRoot(parseXml('<AuthnRequest xmlns="urn:evil"/>'), ns.protocol, 'AuthnRequest'))).toBe('invalid');
    expect(faultOf(() => requireRoot(parseXml('<AuthnRequest/>'), ns.protocol, 'AuthnRequest'))).toBe('invalid');
    expect(requireRoot(parseXml(`<p:AuthnRequest xmlns:p="${ns.protocol}"/>`), ns.protocol, 'AuthnRequest').localName).toBe('AuthnRequest');
  });

  it('attr reads only the attribute without a namespace', () => {
    const element = parseXml('<a xmlns:x="urn:x" x:ID="evil"/>').documentElement!;
    expect(attr(element, 'ID')).toBeUndefined();
    expect(attr(parseXml('<a ID=""/>').documentElement!, 'ID')).toBe('');
  });
});

describe('text() and comments inside values', () => {
  it('joins every text and CDATA piece, skips comments, trims', () => {
    expect(rootText('<NameID>admin<!---->@evil.com</NameID>')).toBe('admin@evil.com');
    expect(rootText('<NameID>  admin<!-- x -->@evil.com\n</NameID>')).toBe('admin@evil.com');
    expect(rootText('<NameID>ad<![CDATA[min]]>@evil.com</NameID>')).toBe('admin@evil.com');
    expect(rootText('<NameID>ad<b>min</b>@x</NameID>')).toBe('admin@x');
    expect(text(undefined)).toBeUndefined();
  });

  // CVE-2017-11428 and its family: the attacker owns user@example.com.evil.test, gets a signed
  // message for it, and slips a comment in. Signing ignores comments, so the signature still holds;
  // a reader that takes only the first text node would then see user@example.com.
  const key = testKeyPair('saml-xml-safety');
  const logoutRequest = (nameId: string): string => signElement(
    `<samlp:LogoutRequest xmlns:samlp="${ns.protocol}" xmlns:saml="${ns.assertion}" ID="_lr1" Version="2.0" IssueInstant="2024-01-01T00:00:00Z">`
    + `<saml:Issuer>https://sp.example</saml:Issuer><saml:NameID>${nameId}</saml:NameID></samlp:LogoutRequest>`,
    '_lr1', key, { signature: 'RSA_SHA256', digest: 'SHA256' });

  it('a comment slipped into a signed NameID neither breaks the signature nor shortens the value read', () => {
    const injected = logoutRequest('user@example.com.evil.test').replace('user@example.com.evil.test', 'user@example.com<!---->.evil.test');
    expect(injected).toContain('<!---->');
    const doc = parseXml(injected);
    const { element } = verifyElementSignature(doc, doc.documentElement!, [key.certificatePem]);
    const nameId = requiredChild(element, ns.assertion, 'NameID');
    // The canonical element has no comment left: one text node, the whole signed value.
    expect(serialize(element)).not.toContain('<!--');
    expect(nameId.childNodes.length).toBe(1);
    expect((nameId.firstChild as unknown as { data: string }).data).toBe('user@example.com.evil.test');
    expect(text(nameId)).toBe('user@example.com.evil.test');
    // And the original document reads the same.
    expect(text(descendants(doc, ns.assertion, 'NameID')[0])).toBe('user@example.com.evil.test');
  });

  it('a comment does not hide a change to the value', () => {
    const tampered = logoutRequest('user@example.com.evil.test').replace('user@example.com.evil.test', 'user@example.com<!--.evil.test-->');
    const doc = parseXml(tampered);
    expect(faultOf(() => verifyElementSignature(doc, doc.documentElement!, [key.certificatePem]))).toBe('signature');
  });
});
