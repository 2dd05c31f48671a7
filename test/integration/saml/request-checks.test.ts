/**
 * Every AuthnRequest Lanyard must not answer: an ACS URL or index the app does not have, an
 * unsigned, tampered or foreign-signed request to an app that wants signed ones, XML attacks
 * (external entities, parameter entities, entity expansion, deflate bombs, oversized messages),
 * replays, and requests that are malformed, stale, or meant for someone else. Each gets
 * Lanyard's error page and no form: nothing is posted anywhere. The log lines of the whole suite
 * are kept and checked for SAML messages, assertions and keys at the end.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { createUser } from '../../helpers/oidc.ts';
import { testKeyPair } from '../../helpers/certificates.ts';
import { acsUrl, createSamlApp, postBinding, postedForm, samlSignIn, spEntityId, type TestSamlApp } from '../../helpers/saml.ts';
import {
  authnRequestXml, base64, deflated, expectCleanLogs, expectRefused, logSink, redirectUrl, responseXml, xmlAttr,
} from './support.ts';

const person = { username: 'checks.person@example.com', password: 'Quiet-Lantern-Seven-7' };
const spKeys = testKeyPair('sp-signing');
const otherKeys = testKeyPair('someone-else');
const spCertificateBody = spKeys.certificatePem.replace(/-----[A-Z ]+-----|\s/g, '');
const foreignAcs = 'https://attacker.example.test/acs';

let t: TestLanyard;
const logs = logSink();
let plain: TestSamlApp;
let signed: TestSamlApp;
/** A browser with a session: requests it sends are answered at once, so a missing refusal shows as a form. */
let browser: BrowserlessClient;
/** A server that counts every request: an external DTD or entity must never be fetched from it. */
let trap: Server;
let trapHits = 0;
let trapUrl: string;

function sp(app: TestSamlApp, overrides: Partial<ConstructorParameters<typeof SAML>[0]> = {}) {
  return new SAML({
    entryPoint: app.ssoUrl, issuer: spEntityId, callbackUrl: acsUrl, idpCert: app.certificate, idpIssuer: app.idpIssuer,
    audience: spEntityId, wantAssertionsSigned: true, wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.always, signatureAlgorithm: 'sha256', digestAlgorithm: 'sha256', ...overrides,
  });
}

/** The signed app's SP: signs every request with the key whose certificate the app holds. */
const signingSp = (overrides: Partial<ConstructorParameters<typeof SAML>[0]> = {}) =>
  sp(signed, { privateKey: spKeys.privateKeyPem, ...overrides });

/** node-saml's HTTP-POST binding, with the request as plain base64 XML (not deflated) so a test can change it. */
const postSp = (overrides: Partial<ConstructorParameters<typeof SAML>[0]> = {}) =>
  signingSp({ authnRequestBinding: 'HTTP-POST', skipRequestCompression: true, ...overrides });

/** A Redirect-binding URL's raw query, split into its raw (still encoded) parameters in order. */
function rawParams(url: string): Array<[string, string]> {
  return new URL(url).search.slice(1).split('&').map((pair) => {
    const at = pair.indexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1)] as [string, string];
  });
}

function withParams(url: string, params: Array<[string, string]>): string {
  return `${url.slice(0, url.indexOf('?'))}?${params.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

function inflate(raw: string): string {
  return inflateRawSync(Buffer.from(decodeURIComponent(raw), 'base64')).toString('utf8');
}

/** Flips one bit of the decoded bytes of a base64 value, keeping it valid base64. */
function flipByte(value: string, at = 10): string {
  const bytes = Buffer.from(value, 'base64');
  bytes[at] = bytes[at]! ^ 0x01;
  return bytes.toString('base64');
}

beforeAll(async () => {
  trap = createServer((_req, res) => {
    trapHits++;
    res.end('<!ENTITY leak "LEAKED-FROM-TRAP">');
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/evil.dtd`;

  t = await startLanyard({ logger: logs.logger });
  const userId = await createUser(t, person.username, person.password, { firstName: 'Check', lastName: 'Person' });
  plain = await createSamlApp(t, { label: 'Plain SP', assign: [userId] });
  signed = await createSamlApp(t, {
    label: 'Signed SP', assign: [userId],
    signOn: { samlSignedRequestEnabled: true, spCertificate: { x5c: [spCertificateBody] } },
  });
  browser = new BrowserlessClient(t.url);
  const first = await samlSignIn(browser, plain.ssoUrl, person);
  expect(postedForm(first)?.action).toBe(acsUrl);
});

afterAll(async () => {
  await t?.close();
  await new Promise<void>((resolve) => trap?.close(() => resolve()));
});

describe('the ACS URL must be one the app registered', () => {
  it('an unregistered AssertionConsumerServiceURL gets an error page over both bindings, never a form', async () => {
    const evil = sp(plain, { callbackUrl: foreignAcs });
    expectRefused(await browser.get(await evil.getAuthorizeUrlAsync('r', undefined, {})), 400, /AssertionConsumerServiceURL is not registered/);
    const message = await sp(plain, { callbackUrl: foreignAcs, authnRequestBinding: 'HTTP-POST' }).getAuthorizeMessageAsync('r');
    expectRefused(await postBinding(browser, plain.ssoUrl, message as Record<string, string>), 400, /AssertionConsumerServiceURL is not registered/);
  });

  it('a URL that differs only in case, a trailing slash or a query is another URL', async () => {
    for (const url of [acsUrl.toUpperCase(), `${acsUrl}/`, `${acsUrl}?next=${encodeURIComponent(foreignAcs)}`, acsUrl.replace('https:', 'http:')]) {
      const xml = authnRequestXml({ issuer: spEntityId, destination: plain.ssoUrl, acsUrl: url.replace(/&/g, '&amp;') });
      expectRefused(await browser.get(redirectUrl(plain.ssoUrl, xml)), 400, /not registered/);
    }
  });

  it('an AssertionConsumerServiceIndex the app does not have gets an error page', async () => {
    for (const index of [1, 7, 65535]) {
      const xml = authnRequestXml({ issuer: spEntityId, destination: plain.ssoUrl, acsIndex: index, protocolBinding: null });
      expectRefused(await browser.get(redirectUrl(plain.ssoUrl, xml)), 400, /not registered/);
    }
    const xml = authnRequestXml({ issuer: spEntityId, acsIndex: 'one', protocolBinding: null });
    expectRefused(await browser.get(redirectUrl(plain.ssoUrl, xml)), 400, /AssertionConsumerServiceIndex must be a number/);
  });

  it('a request asking for another response binding (artifact) is refused rather than answered by POST', async () => {
    const xml = authnRequestXml({ issuer: spEntityId, acsUrl, protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact' });
    expectRefused(await browser.get(redirectUrl(plain.ssoUrl, xml)), 400, /HTTP-POST binding only/);
  });

  it('the control: the registered ACS URL, by URL or with none named, is answered', async () => {
    const nav = await browser.get(await sp(plain).getAuthorizeUrlAsync('ok', undefined, {}));
    expect(postedForm(nav)?.action).toBe(acsUrl);
    const bare = await browser.get(redirectUrl(plain.ssoUrl, authnRequestXml({ issuer: spEntityId, protocolBinding: null })));
    expect(postedForm(bare)?.action).toBe(acsUrl);
  });
});

describe('signed requests (samlSignedRequestEnabled with the SP certificate)', () => {
  it('the IdP metadata says WantAuthnRequestsSigned', async () => {
    const metadata = await (await fetch(signed.metadataUrl)).text();
    expect(metadata).toMatch(/WantAuthnRequestsSigned="true"/);
    expect(await (await fetch(plain.metadataUrl)).text()).not.toMatch(/WantAuthnRequestsSigned="true"/);
  });

  it('an unsigned request is refused over both bindings', async () => {
    const unsigned = sp(signed);
    expectRefused(await browser.get(await unsigned.getAuthorizeUrlAsync('r', undefined, {})), 400, /requires signed AuthnRequest/);
    const message = await sp(signed, { authnRequestBinding: 'HTTP-POST' }).getAuthorizeMessageAsync('r');
    expectRefused(await postBinding(browser, signed.ssoUrl, message as Record<string, string>), 400, /requires signed AuthnRequest/);
  });

  it('a request signed with the SP key is accepted over HTTP-Redirect (query signature)', async () => {
    const client = signingSp();
    const url = await client.getAuthorizeUrlAsync('signed-redirect', undefined, {});
    expect(url).toMatch(/[?&]Signature=/);
    const nav = await browser.get(url);
    const form = postedForm(nav);
    expect(form?.action).toBe(acsUrl);
    expect(form!.fields.RelayState).toBe('signed-redirect');
    const { profile } = await client.validatePostResponseAsync({ SAMLResponse: form!.fields.SAMLResponse! });
    expect(profile?.nameID).toBe(person.username);
  });

  it('a request signed with the SP key is accepted over HTTP-POST (enveloped signature)', async () => {
    const client = postSp();
    const message = await client.getAuthorizeMessageAsync('signed-post') as Record<string, string>;
    expect(Buffer.from(message.SAMLRequest!, 'base64').toString()).toMatch(/SignatureValue/);
    const nav = await postBinding(browser, signed.ssoUrl, message);
    const form = postedForm(nav);
    expect(form?.action).toBe(acsUrl);
    const { profile } = await client.validatePostResponseAsync({ SAMLResponse: form!.fields.SAMLResponse! });
    expect(profile?.nameID).toBe(person.username);
    // node-saml's default deflates POST messages too (Okta's "request compressed"): accepted alike.
    const deflating = signingSp({ authnRequestBinding: 'HTTP-POST' });
    const compressed = await deflating.getAuthorizeMessageAsync('signed-post-deflated') as Record<string, string>;
    expect(Buffer.from(compressed.SAMLRequest!, 'base64').toString()).not.toMatch(/AuthnRequest/);
    const again = postedForm(await postBinding(browser, signed.ssoUrl, compressed));
    expect((await deflating.validatePostResponseAsync({ SAMLResponse: again!.fields.SAMLResponse! })).profile?.nameID).toBe(person.username);
  });

  it('Redirect binding: changing the ACS URL after signing is refused', async () => {
    const url = await signingSp().getAuthorizeUrlAsync('r', undefined, {});
    const params = rawParams(url).map(([k, v]): [string, string] => {
      if (k !== 'SAMLRequest') return [k, v];
      const changed = inflate(v).replace(`AssertionConsumerServiceURL="${acsUrl}"`, `AssertionConsumerServiceURL="${foreignAcs}"`);
      expect(changed).toContain(foreignAcs);
      return [k, encodeURIComponent(deflated(changed))];
    });
    expectRefused(await browser.get(withParams(url, params)), 400, /signature does not verify/);
  });

  it('Redirect binding: a flipped byte of the Signature, another RelayState, another SigAlg or a missing Signature are refused', async () => {
    const url = await signingSp().getAuthorizeUrlAsync('original-relay', undefined, {});
    const params = rawParams(url);
    const tampered = {
      signature: params.map(([k, v]): [string, string] => [k, k === 'Signature' ? encodeURIComponent(flipByte(decodeURIComponent(v))) : v]),
      relayState: params.map(([k, v]): [string, string] => [k, k === 'RelayState' ? 'another-relay' : v]),
      addedRelayState: [...params.filter(([k]) => k !== 'RelayState'), ['RelayState', 'added']] as Array<[string, string]>,
      droppedRelayState: params.filter(([k]) => k !== 'RelayState'),
      sigAlgSha512: params.map(([k, v]): [string, string] => [k, k === 'SigAlg' ? encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha512') : v]),
      sigAlgSha1: params.map(([k, v]): [string, string] => [k, k === 'SigAlg' ? encodeURIComponent('http://www.w3.org/2000/09/xmldsig#rsa-sha1') : v]),
      sigAlgUnknown: params.map(([k, v]): [string, string] => [k, k === 'SigAlg' ? encodeURIComponent('http://www.w3.org/2000/09/xmldsig#hmac-sha1') : v]),
      noSignature: params.filter(([k]) => k !== 'Signature'),
      neither: params.filter(([k]) => k !== 'Signature' && k !== 'SigAlg'),
    };
    const says: Record<keyof typeof tampered, RegExp> = {
      signature: /signature does not verify/, relayState: /signature does not verify/, addedRelayState: /signature does not verify/,
      droppedRelayState: /signature does not verify/, sigAlgSha512: /signature does not verify/,
      sigAlgSha1: /algorithm is not accepted/, sigAlgUnknown: /algorithm is not accepted/,
      noSignature: /SigAlg or Signature but not both/, neither: /requires signed AuthnRequest/,
    };
    for (const [name, changed] of Object.entries(tampered) as Array<[keyof typeof tampered, Array<[string, string]>]>) {
      expect.soft(textOfRefusal(await browser.get(withParams(url, changed)), name)).toMatch(says[name]);
    }
    // The untouched URL still works: the refusals above are about the changes.
    expect(postedForm(await browser.get(url))?.action).toBe(acsUrl);
  });

  it('SHA-1 (signature or digest) is refused when the app signs with RSA-SHA256', async () => {
    const url = await signingSp({ signatureAlgorithm: 'sha1' }).getAuthorizeUrlAsync('r', undefined, {});
    expectRefused(await browser.get(url), 400, /signature algorithm is not accepted/);
    const sha1Signature = await postSp({ signatureAlgorithm: 'sha1' }).getAuthorizeMessageAsync('r');
    expectRefused(await postBinding(browser, signed.ssoUrl, sha1Signature as Record<string, string>), 400, /signature algorithm is not accepted/);
    // node-saml's default digest is SHA-1 even with an RSA-SHA256 signature.
    const sha1Digest = await postSp({ digestAlgorithm: undefined }).getAuthorizeMessageAsync('r');
    expect(Buffer.from(String(sha1Digest.SAMLRequest), 'base64').toString()).toContain('xmldsig#sha1');
    expectRefused(await postBinding(browser, signed.ssoUrl, sha1Digest as Record<string, string>), 400, /digest algorithm is not accepted/);
  });

  it('POST binding: changing the ACS URL inside the signed XML, or a byte of the SignatureValue, is refused', async () => {
    const message = await postSp().getAuthorizeMessageAsync('r') as Record<string, string>;
    const xml = Buffer.from(message.SAMLRequest!, 'base64').toString('utf8');
    const movedAcs = xml.replace(`AssertionConsumerServiceURL="${acsUrl}"`, `AssertionConsumerServiceURL="${foreignAcs}"`);
    expect(movedAcs).not.toBe(xml);
    expectRefused(await postBinding(browser, signed.ssoUrl, { ...message, SAMLRequest: base64(movedAcs) }), 400, /signature does not verify/);
    const value = /<(?:\w+:)?SignatureValue>([^<]+)</.exec(xml)![1]!;
    const flipped = xml.replace(value, flipByte(value.replace(/\s/g, ''), 20));
    expectRefused(await postBinding(browser, signed.ssoUrl, { ...message, SAMLRequest: base64(flipped) }), 400, /signature does not verify/);
    // A signature moved off the request (wrapped in an extension) leaves an unsigned request.
    const stripped = xml.replace(/<(\w+:)?Signature\b[\s\S]*<\/(\w+:)?Signature>/, '');
    expect(stripped).not.toMatch(/SignatureValue/);
    expectRefused(await postBinding(browser, signed.ssoUrl, { ...message, SAMLRequest: base64(stripped) }), 400, /requires signed AuthnRequest/);
  });

  it('signature wrapping: a signed request nested in, or copied beside, an unsigned one is refused', async () => {
    const message = await postSp().getAuthorizeMessageAsync('r') as Record<string, string>;
    const original = Buffer.from(message.SAMLRequest!, 'base64').toString('utf8').replace(/^<\?xml[^>]*\?>/, '');
    const id = xmlAttr(original, 'AuthnRequest', 'ID')!;
    // The evil request carries the genuine one as an extension.
    const nested = authnRequestXml({ issuer: spEntityId, acsUrl: foreignAcs, inner: `<samlp:Extensions>${original}</samlp:Extensions>` });
    expectRefused(await postBinding(browser, signed.ssoUrl, { SAMLRequest: base64(nested) }), 400, /requires signed AuthnRequest/);
    // The evil request takes the genuine one's ID and signature, and keeps the genuine one (same ID) beside it.
    const evil = original.replace(`AssertionConsumerServiceURL="${acsUrl}"`, `AssertionConsumerServiceURL="${foreignAcs}"`)
      .replace(/(<\/(?:\w+:)?Issuer>)/, `$1<samlp:Extensions>${original}</samlp:Extensions>`);
    expect(evil.split(`ID="${id}"`).length - 1).toBe(2);
    expectRefused(await postBinding(browser, signed.ssoUrl, { SAMLRequest: base64(evil) }), 400, /ID is not unique/);
    // An enveloped signature does not count over the Redirect binding, where only the query signature does.
    expectRefused(await browser.get(redirectUrl(signed.ssoUrl, original)), 400, /requires signed AuthnRequest/);
  });

  it('a request signed by another key is refused over both bindings', async () => {
    const url = await signingSp({ privateKey: otherKeys.privateKeyPem }).getAuthorizeUrlAsync('r', undefined, {});
    expectRefused(await browser.get(url), 400, /signature does not verify/);
    const message = await postSp({ privateKey: otherKeys.privateKeyPem }).getAuthorizeMessageAsync('r');
    expectRefused(await postBinding(browser, signed.ssoUrl, message as Record<string, string>), 400, /signature does not verify/);
  });
});

function textOfRefusal(nav: Awaited<ReturnType<BrowserlessClient['get']>>, name: string): string {
  const page = expectRefused(nav, 400, /refused/);
  return `${name}: ${page.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')}`;
}

describe('signatures on apps that do not require them', () => {
  it('without an SP certificate, a signed request is taken as unsigned over both bindings (as Okta does)', async () => {
    const url = await sp(plain, { privateKey: spKeys.privateKeyPem }).getAuthorizeUrlAsync('r', undefined, {});
    expect(url).toMatch(/[?&]Signature=/);
    expect(postedForm(await browser.get(url))?.action).toBe(acsUrl);
    const message = await sp(plain, { privateKey: otherKeys.privateKeyPem, authnRequestBinding: 'HTTP-POST' }).getAuthorizeMessageAsync('r');
    expect(postedForm(await postBinding(browser, plain.ssoUrl, message as Record<string, string>))?.action).toBe(acsUrl);
  });

  it('with an SP certificate, a signature that does not verify is refused even when signatures are optional', async () => {
    const optional = await createSamlApp(t, { label: 'Optional signatures', signOn: { spCertificate: { x5c: [spCertificateBody] } } });
    const url = await sp(optional, { privateKey: otherKeys.privateKeyPem }).getAuthorizeUrlAsync('r', undefined, {});
    expectRefused(await browser.get(url), 400, /signature does not verify/);
    const message = await sp(optional, { privateKey: otherKeys.privateKeyPem, authnRequestBinding: 'HTTP-POST' }).getAuthorizeMessageAsync('r');
    expectRefused(await postBinding(browser, optional.ssoUrl, message as Record<string, string>), 400, /signature does not verify/);
    // Unsigned, and signed with the SP's own key, it is answered (the person is not assigned: the refusal says so).
    expectRefused(await browser.get(await sp(optional).getAuthorizeUrlAsync('r', undefined, {})), 403, /not assigned/);
    expectRefused(await browser.get(await sp(optional, { privateKey: spKeys.privateKeyPem }).getAuthorizeUrlAsync('r', undefined, {})), 403, /not assigned/);
  });
});

describe('XML attacks over both bindings', () => {
  const attacks: Record<string, () => string> = {
    'external entity (file:///etc/passwd)': () => authnRequestXml({
      prolog: '<?xml version="1.0"?><!DOCTYPE samlp:AuthnRequest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', issuer: '&xxe;',
    }),
    'external entity over http': () => authnRequestXml({
      prolog: `<!DOCTYPE samlp:AuthnRequest [<!ENTITY xxe SYSTEM "${trapUrl}">]>`, issuer: '&xxe;',
    }),
    'parameter entities and an external DTD': () => authnRequestXml({
      prolog: `<!DOCTYPE samlp:AuthnRequest [<!ENTITY % file SYSTEM "file:///etc/passwd"><!ENTITY % dtd SYSTEM "${trapUrl}">%dtd;]>`, issuer: '&leak;',
    }),
    'an external DTD subset': () => authnRequestXml({ prolog: `<!DOCTYPE samlp:AuthnRequest SYSTEM "${trapUrl}">`, issuer: spEntityId }),
    'billion laughs': () => {
      const entities = ['<!ENTITY lol0 "lol">'];
      for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
      return authnRequestXml({ prolog: `<!DOCTYPE samlp:AuthnRequest [${entities.join('')}]>`, issuer: '&lol9;' });
    },
    'a DOCTYPE in lower case, inside the request': () => authnRequestXml({ issuer: spEntityId, inner: '<!doctype x [<!entity y "z">]>' }),
  };

  for (const [name, build] of Object.entries(attacks)) {
    it(`${name}: a 400 page, nothing read, fetched or posted`, async () => {
      const xml = build();
      for (const nav of [await browser.get(redirectUrl(plain.ssoUrl, xml)), await postBinding(browser, plain.ssoUrl, { SAMLRequest: base64(xml) })]) {
        const page = expectRefused(nav, 400, /Document type declarations are not allowed/);
        expect(page.body).not.toMatch(/root:x:0:0|LEAKED-FROM-TRAP|lollol/);
      }
      expect(trapHits).toBe(0);
    });
  }

  it('an oversized POST body gets an error page (413), no form', async () => {
    const huge = authnRequestXml({ issuer: spEntityId, inner: `<samlp:Extensions>${'<x:y xmlns:x="urn:x"/>'.repeat(6000)}</samlp:Extensions>` });
    const nav = await postBinding(browser, plain.ssoUrl, { SAMLRequest: base64(huge) });
    expectRefused(nav, 413, /larger than/);
  });

  it('a request that inflates beyond the size limit gets a 400 page', async () => {
    const padded = authnRequestXml({ issuer: spEntityId, inner: `<!--${' '.repeat(400 * 1024)}-->` });
    expect(deflated(padded).length).toBeLessThan(4000);
    expectRefused(await browser.get(redirectUrl(plain.ssoUrl, padded)), 400, /beyond the size limit/);
    expectRefused(await postBinding(browser, plain.ssoUrl, { SAMLRequest: deflated(padded) }), 400, /beyond the size limit/);
  });

  it('a query string beyond the HTTP limits is refused before any SAML code runs', async () => {
    const url = `${plain.ssoUrl}?SAMLRequest=${'A'.repeat(64 * 1024)}`;
    const response = await fetch(url, { redirect: 'manual' });
    expect([400, 413, 414, 431]).toContain(response.status);
    expect(await response.text()).not.toMatch(/SAMLResponse/);
  });

  it('a deflate bomb over the Redirect binding gets a 400 page, and the server stays responsive', async () => {
    const bomb = deflated(Buffer.alloc(16 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(30_000);
    const results = await Promise.all(Array.from({ length: 8 }, () => browser.get(`${plain.ssoUrl}?SAMLRequest=${encodeURIComponent(bomb.slice(0, 12_000))}`)));
    // A truncated stream is malformed; the whole bomb (within the header limit) inflates beyond the limit.
    for (const nav of results) expectRefused(nav, 400, /not DEFLATE-compressed|inflates beyond the size limit/);
    const small = deflated(Buffer.alloc(8 * 1024 * 1024, 0x20));
    expect(encodeURIComponent(small).length).toBeLessThan(14_000);
    const whole = await Promise.all(Array.from({ length: 8 }, () => browser.get(`${plain.ssoUrl}?SAMLRequest=${encodeURIComponent(small)}`)));
    for (const nav of whole) expectRefused(nav, 400, /inflates beyond the size limit/);
    expectRefused(await postBinding(browser, plain.ssoUrl, { SAMLRequest: small }), 400, /inflates beyond the size limit/);
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
    expect(postedForm(await browser.get(await sp(plain).getAuthorizeUrlAsync('after-bomb', undefined, {})))?.action).toBe(acsUrl);
  });
});

describe('replays', () => {
  it('the same signed request is answered once; sent again it gets a refusal page (POST binding)', async () => {
    const client = postSp();
    const message = await client.getAuthorizeMessageAsync('once') as Record<string, string>;
    const first = await postBinding(browser, signed.ssoUrl, message);
    await client.validatePostResponseAsync({ SAMLResponse: postedForm(first)!.fields.SAMLResponse! });
    expectRefused(await postBinding(browser, signed.ssoUrl, message), 400, /already answered/);
  });

  it('the same signed Redirect URL is answered once', async () => {
    const url = await signingSp().getAuthorizeUrlAsync('once', undefined, {});
    expect(postedForm(await browser.get(url))?.action).toBe(acsUrl);
    expectRefused(await browser.get(url), 400, /already answered/);
  });

  it('a request parked twice before the person signs in is answered only the first time', async () => {
    const url = await signingSp().getAuthorizeUrlAsync('race', undefined, {});
    const fresh = new BrowserlessClient(t.url);
    const one = await fresh.request(url);
    const two = await fresh.request(url);
    expect(one.location).toMatch(/\/continue\//);
    expect(two.location).toMatch(/\/continue\//);
    expect(one.location).not.toBe(two.location);
    const signedIn = await samlSignIn(fresh, one.location!, person);
    expect(postedForm(signedIn)?.action).toBe(acsUrl);
    expectRefused(await fresh.get(two.location!), 400, /already used/);
  });

  it('a request parked for one app cannot be finished through another app\'s continue URL', async () => {
    const fresh = new BrowserlessClient(t.url);
    const parked = await fresh.request(await sp(plain).getAuthorizeUrlAsync('x', undefined, {}));
    const pendingId = parked.location!.split('/continue/')[1]!;
    const elsewhere = `${new URL(signed.ssoUrl).pathname}/continue/${pendingId}`;
    expectRefused(await samlSignIn(fresh, elsewhere, person), 400, /expired/);
    // The control: through its own app it is answered.
    expect(postedForm(await samlSignIn(fresh, parked.location!, person))?.action).toBe(acsUrl);
  });

  it('a response Lanyard posted cannot be used to get another one, and a continue link is single-use', async () => {
    const fresh = new BrowserlessClient(t.url);
    const parked = await fresh.request(await sp(plain).getAuthorizeUrlAsync('x', undefined, {}));
    const nav = await samlSignIn(fresh, parked.location!, person);
    expect(postedForm(nav)?.action).toBe(acsUrl);
    expectRefused(await fresh.get(parked.location!), 400, /expired/);
  });
});

describe('malformed and misdirected requests', () => {
  const ssoUrl = () => plain.ssoUrl;
  const hourMs = 3_600_000;
  const cases: Array<[string, () => Record<string, string>, RegExp]> = [
    ['SAMLRequest that is not base64', () => ({ SAMLRequest: '%%%not base64%%%' }), /not valid base64/],
    ['SAMLRequest base64 with a bad length', () => ({ SAMLRequest: 'abcde' }), /not valid base64/],
    ['SAMLRequest that is not DEFLATE', () => ({ SAMLRequest: Buffer.from('\x00\x01\x02\x03 not deflate').toString('base64') }), /not DEFLATE-compressed/],
    ['XML that is not well-formed', () => ({ SAMLRequest: deflated('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a"') }), /not well-formed/],
    ['text that is not XML', () => ({ SAMLRequest: deflated('hello, world') }), /not well-formed|no root/],
    ['a LogoutRequest at the SSO endpoint', () => ({ SAMLRequest: deflated(authnRequestXml({ rootName: 'LogoutRequest', issuer: spEntityId })) }), /Expected <AuthnRequest>, got <LogoutRequest>/],
    ['an AuthnRequest in another namespace', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId }).replace(/urn:oasis:names:tc:SAML:2\.0:protocol/, 'urn:oasis:names:tc:SAML:1.0:protocol')) }), /Expected <AuthnRequest>/],
    ['Version 1.1', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId, version: '1.1' })) }), /Only SAML 2\.0/],
    ['no Version', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId, version: null })) }), /Only SAML 2\.0/],
    ['no ID', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId, id: null })) }), /message ID is missing/],
    ['an ID that is not an NCName', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId, id: '1-not-an-ncname' })) }), /message ID is missing or not an NCName/],
    ['no IssueInstant', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId, issueInstant: null })) }), /IssueInstant must be a UTC date-time/],
    ['an IssueInstant with an offset', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId, issueInstant: '2030-01-01T00:00:00+02:00' })) }), /UTC date-time/],
    ['an IssueInstant an hour old', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId, issueInstant: new Date(Date.now() - hourMs).toISOString() })) }), /expired or is not yet valid/],
    ['an IssueInstant an hour ahead', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId, issueInstant: new Date(Date.now() + hourMs).toISOString() })) }), /expired or is not yet valid/],
    ['an IssueInstant years ago', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId, issueInstant: '2001-09-09T01:46:40Z' })) }), /expired/],
    ['a Destination that is another app\'s SSO URL', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId, destination: signed.ssoUrl })) }), /Destination is not this app's sign-on URL/],
    ['a Destination elsewhere', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId, destination: 'https://idp.example.test/sso' })) }), /Destination is not this app's sign-on URL/],
    ['an Issuer that is not the SP', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: 'https://other-sp.example.test/metadata' })) }), /Issuer is not this app's service provider/],
    ['ForceAuthn that is not a boolean', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId }).replace('Version=', 'ForceAuthn="yes" Version=')) }), /ForceAuthn must be true or false/],
    ['SAMLRequest repeated', () => ({}), /repeated/],
    ['a RelayState over 2 KiB', () => ({ SAMLRequest: deflated(authnRequestXml({ issuer: spEntityId })), RelayState: 'r'.repeat(3000) }), /RelayState is too long/],
  ];

  for (const [name, fields, says] of cases) {
    it(`${name}: 400 page over the Redirect binding`, async () => {
      const query = name === 'SAMLRequest repeated'
        ? `SAMLRequest=${encodeURIComponent(deflated(authnRequestXml({ issuer: spEntityId })))}&SAMLRequest=x`
        : new URLSearchParams(fields()).toString();
      expectRefused(await browser.get(`${ssoUrl()}?${query}`), 400, says);
    });
  }

  it('what the request carries is escaped on the error page, never markup', async () => {
    const evil = '<script>alert(1)</script>';
    const query = `${encodeURIComponent(evil)}=1&${encodeURIComponent(evil)}=2`;
    const page = expectRefused(await browser.get(`${ssoUrl()}?${query}`), 400, /repeated/);
    expect(page.body).not.toContain(evil);
    expect(page.body).toContain('&#60;script&#62;');
  });

  it('the same checks hold over the POST binding', async () => {
    const post = (xml: string) => postBinding(browser, ssoUrl(), { SAMLRequest: base64(xml) });
    expectRefused(await post('<samlp:AuthnRequest'), 400, /not well-formed|not DEFLATE/);
    expectRefused(await postBinding(browser, ssoUrl(), { SAMLRequest: '!!!' }), 400, /not valid base64/);
    expectRefused(await post(authnRequestXml({ issuer: spEntityId, rootName: 'Response' })), 400, /Expected <AuthnRequest>/);
    expectRefused(await post(authnRequestXml({ issuer: spEntityId, version: '1.0' })), 400, /Only SAML 2\.0/);
    expectRefused(await post(authnRequestXml({ issuer: spEntityId, id: null })), 400, /message ID/);
    expectRefused(await post(authnRequestXml({ issuer: spEntityId, issueInstant: new Date(Date.now() - 2 * hourMs).toISOString() })), 400, /expired/);
    expectRefused(await post(authnRequestXml({ issuer: spEntityId, issueInstant: new Date(Date.now() + 2 * hourMs).toISOString() })), 400, /not yet valid/);
    expectRefused(await post(authnRequestXml({ issuer: spEntityId, destination: `${ssoUrl()}/elsewhere` })), 400, /Destination/);
    expectRefused(await post(authnRequestXml({ issuer: 'urn:someone:else' })), 400, /Issuer/);
  });

  it('the control: a well-formed request with the right Destination and Issuer is answered, InResponseTo its ID', async () => {
    const xml = authnRequestXml({ id: '_control-request', issuer: spEntityId, destination: ssoUrl(), acsUrl });
    const response = responseXml(await browser.get(redirectUrl(ssoUrl(), xml, 'control')));
    expect(xmlAttr(response, 'Response', 'InResponseTo')).toBe('_control-request');
    expect(xmlAttr(response, 'Response', 'Destination')).toBe(acsUrl);
  });

  it('an unknown app, an app under another name and a deactivated app get a page, not a form', async () => {
    const xml = authnRequestXml({ issuer: spEntityId });
    const unknown = await browser.get(redirectUrl(ssoUrl().replace(plain.id, '0oaunknownunknown1234'), xml));
    expectRefused(unknown, 404, /Not found/);
    const renamed = await browser.get(redirectUrl(ssoUrl().replace(`/${plain.name}/`, '/another_name/'), xml));
    expectRefused(renamed, 404, /Not found/);
    const extra = await createSamlApp(t, { label: 'Soon inactive' });
    expect((await api(t)(`/api/v1/apps/${extra.id}/lifecycle/deactivate`, { method: 'POST' })).status).toBe(200);
    expectRefused(await browser.get(redirectUrl(extra.ssoUrl, xml)), 404, /Not found/);
    expect((await fetch(extra.metadataUrl)).status).toBe(404);
  });
});

describe('the logs', () => {
  it('hold no SAML message, assertion, key or password, in the process log or the system log', async () => {
    const secrets = [person.password, ...browser.cookieHeader().split('; ').map((c) => c.slice(c.indexOf('=') + 1)).filter((v) => v.length >= 16)];
    expect(secrets.length).toBeGreaterThan(1);
    expectCleanLogs(logs.lines, secrets);
    const events = await api(t)('/api/v1/logs?limit=1000');
    expect(events.status).toBe(200);
    expect(events.json.length).toBeGreaterThan(0);
    expectCleanLogs([events.text], secrets);
    expect(events.text).not.toContain(spKeys.privateKeyPem.split('\n')[1]!);
  });
});
