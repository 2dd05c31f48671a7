/**
 * pysaml2 (Debian's python3-pysaml2) as the service provider of Lanyard's SAML apps, set up as a
 * vendor would set it up: Lanyard's IdP metadata, the SP's own key and certificate, signed
 * responses and assertions wanted, emailAddress NameIDs, attribute statements. The browser is
 * Lanyard's cookie-keeping client; every response it carries to the SP is checked by pysaml2's
 * own code (`parse_authn_request_response`: signatures against the metadata certificate,
 * audience, InResponseTo against the outstanding requests, validity, destination) and again by
 * xmlsec1 against the certificate from the metadata.
 *
 * Needs Debian's python3-pysaml2 and xmlsec1; without them the tests fail, naming the package.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient, csrfOf, textOf, type Navigation } from '../../helpers/browserless.ts';
import { createUser } from '../../helpers/oidc.ts';
import { createSamlApp, postBinding, postedForm, samlSignIn, type TestSamlApp } from '../../helpers/saml.ts';
import { createPythonSp, missingPeers, x5cOf, type PythonSp } from '../../helpers/python-sp.ts';
import { testKeyPair } from '../../helpers/certificates.ts';
import { verifySamlResponse } from '../../helpers/xmlsec.ts';

const person = { username: 'grace.hopper@example.com', password: 'Compiler-Ribbon-1952' };
const emailFormat = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const basic = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';
const unspecified = 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified';
const passwordProtectedTransport = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

/** What a vendor's app sends: the user's email, display name, a static department and the Engineering groups. */
const attributeStatements = [
  { type: 'EXPRESSION', name: 'email', namespace: basic, values: ['user.email'] },
  { type: 'EXPRESSION', name: 'displayName', namespace: unspecified, values: ['user.firstName + " " + user.lastName'] },
  { type: 'EXPRESSION', name: 'department', namespace: basic, values: ['"Compilers"'] },
  { type: 'GROUP', name: 'groups', namespace: basic, filterType: 'STARTS_WITH', filterValue: 'Engineering' },
];
const expectedAttributes = [
  { name: 'email', nameFormat: basic, values: [person.username] },
  { name: 'displayName', nameFormat: unspecified, values: ['Grace Hopper'] },
  { name: 'department', nameFormat: basic, values: ['Compilers'] },
  { name: 'groups', nameFormat: basic, values: ['Engineering', 'Engineering Leads'] },
];

let t: TestLanyard;
let userId: string;
/** Lanyard's clock runs this many milliseconds off (a badly set IdP clock), for one test. */
let clockOffsetMs = 0;
const sps: PythonSp[] = [];

/** A SAML app for one pysaml2 SP (its own entity ID and ACS URL) and the SP, configured from the app's metadata. */
async function appWithSp(name: string, signOn: (sp: { x5c: string }) => Record<string, unknown>, settings: Record<string, unknown> = {}) {
  const entityId = `https://${name}.pysaml2.example.test/saml2/metadata`;
  const acsUrl = `https://${name}.pysaml2.example.test/saml2/acs/post`;
  const keyName = `pysaml2-${name}`;
  // The certificate is needed in the app's settings before the SP (which needs the app's metadata) exists.
  const x5c = x5cOf(testKeyPair(keyName).certificatePem);
  const app = await createSamlApp(t, {
    label: `pysaml2 ${name}`, assign: [userId],
    signOn: {
      ssoAcsUrl: acsUrl, audience: entityId, subjectNameIdFormat: emailFormat, subjectNameIdTemplate: '${user.email}',
      attributeStatements, ...signOn({ x5c }),
    },
  });
  const idpMetadata = await (await fetch(app.metadataUrl)).text();
  const sp = createPythonSp({
    library: 'pysaml2', entityId, acsUrl, sloUrl: `https://${name}.pysaml2.example.test/saml2/ls`, idpMetadata, keyName, settings,
  });
  sps.push(sp);
  return { app, sp };
}

/** Carries an SP's message to Lanyard as the browser would (a redirect, or an auto-posted form), signing in when asked. */
async function deliver(browser: BrowserlessClient, message: Record<string, any>): Promise<Navigation> {
  if (message.binding === 'redirect') return samlSignIn(browser, message.url, person);
  let nav = await postBinding(browser, message.url, message.fields);
  if (nav.final.status === 200 && /name="password"/.test(nav.final.body)) {
    nav = await browser.submit(nav.final, { csrf: csrfOf(nav.final.body), username: person.username, password: person.password });
  }
  return nav;
}

/** The SAMLResponse Lanyard posts to `acsUrl`, checked with xmlsec1 against the metadata certificate. */
function responseFor(nav: Navigation, app: TestSamlApp, sp: PythonSp, expectSigned = { response: true, assertion: true, encrypted: false }) {
  const form = postedForm(nav);
  if (!form) throw new Error(`Lanyard posted nothing (${nav.final.status}): ${textOf(nav.final.body).slice(0, 300)}`);
  expect(form.action).toBe(sp.acsUrl);
  const signatures = verifySamlResponse(form.fields.SAMLResponse!, app.certificate, { decryptionKey: sp.keyPair.privateKeyPem });
  expect({ response: signatures.response, assertion: signatures.assertion, encrypted: signatures.encrypted }).toEqual(expectSigned);
  return { samlResponse: form.fields.SAMLResponse!, relayState: form.fields.RelayState, assertionXml: signatures.assertionXml };
}

/** A missing peer fails every test with the package to install; nothing is skipped. */
const missing = missingPeers('pysaml2');
beforeEach(() => {
  if (missing) throw missing;
});

beforeAll(async () => {
  if (missing) return;
  t = await startLanyard({ clock: { now: () => new Date(Date.now() + clockOffsetMs) } });
  userId = await createUser(t, person.username, person.password, { firstName: 'Grace', lastName: 'Hopper' });
  const call = api(t);
  for (const name of ['Engineering', 'Engineering Leads', 'Finance']) {
    const group = await call('/api/v1/groups', { method: 'POST', json: { profile: { name, description: `${name} people` } } });
    expect(group.status).toBe(200);
    expect((await call(`/api/v1/groups/${group.json.id}/users/${userId}`, { method: 'PUT' })).status).toBe(204);
  }
});
afterAll(async () => {
  for (const sp of sps) sp.close();
  await t?.close();
});

describe('pysaml2 as the service provider', () => {
  let plain: Awaited<ReturnType<typeof appWithSp>>;
  beforeAll(async () => {
    if (missing) return;
    plain = await appWithSp('plain', () => ({}));
  });

  it('SP-initiated over HTTP-Redirect: sign-in, then a response pysaml2 accepts, with the NameID, attributes and filtered groups', async () => {
    const { app, sp } = plain;
    const request = await sp.ok('authn-request', { binding: 'redirect', relayState: 'inbox' });
    expect(request.url.startsWith(`${app.ssoUrl}?SAMLRequest=`)).toBe(true);
    const nav = await deliver(new BrowserlessClient(t.url), request);
    const { samlResponse, relayState } = responseFor(nav, app, sp);
    expect(relayState).toBe('inbox');

    const accepted = await sp.ok('acs', { samlResponse, outstanding: { [request.requestId]: '/inbox' } });
    expect(accepted).toMatchObject({
      issuer: app.idpIssuer, inResponseTo: request.requestId, cameFrom: '/inbox',
      nameId: person.username, nameIdFormat: emailFormat, authnContextClassRef: passwordProtectedTransport,
      audiences: [sp.entityId], recipient: sp.acsUrl, destination: sp.acsUrl, wasEncrypted: false, loggedIn: true,
    });
    expect(accepted.sessionIndex).toMatch(/^_[0-9a-f]{32}$/);
    expect(accepted.attributes).toEqual(expectedAttributes);
    expect(accepted.ava).toMatchObject({ email: [person.username], displayName: ['Grace Hopper'], groups: ['Engineering', 'Engineering Leads'] });
  });

  it('pysaml2\'s own checks are live: it refuses that kind of response unasked for, for another SP, or altered', async () => {
    const { app, sp } = plain;
    const request = await sp.ok('authn-request', { binding: 'redirect' });
    const { samlResponse } = responseFor(await deliver(new BrowserlessClient(t.url), request), app, sp);

    const unasked = await sp.run('acs', { samlResponse, outstanding: {} });
    expect(unasked).toMatchObject({ ok: false, errorType: 'UnsolicitedResponse' });

    const otherSp = await sp.run('acs', { samlResponse, outstanding: { [request.requestId]: '/' }, spEntityId: 'https://other.pysaml2.example.test/saml2/metadata' });
    expect(otherSp).toMatchObject({ ok: false, error: expect.stringContaining('AudienceRestrictions conditions not satisfied') });

    const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
    expect(xml).toContain(`>${person.username}</saml:NameID>`);
    const altered = Buffer.from(xml.replace(`>${person.username}</saml:NameID>`, '>ada.lovelace@example.com</saml:NameID>')).toString('base64');
    const forged = await sp.run('acs', { samlResponse: altered, outstanding: { [request.requestId]: '/' } });
    expect(forged).toMatchObject({ ok: false, errorType: 'SignatureError' });
    expect(() => verifySamlResponse(altered, app.certificate)).toThrow(/xmlsec1 does not verify/);
    // xmlsec1 takes the key from the metadata certificate only, never from the response's KeyInfo.
    expect(() => verifySamlResponse(samlResponse, x5cOf(testKeyPair('not-lanyard').certificatePem))).toThrow(/xmlsec1 does not verify/);
  });

  it('SP-initiated over HTTP-POST, with a session already there: no sign-in form, the same subject', async () => {
    const { app, sp } = plain;
    const browser = new BrowserlessClient(t.url);
    const first = await sp.ok('authn-request', { binding: 'redirect' });
    responseFor(await deliver(browser, first), app, sp);

    const request = await sp.ok('authn-request', { binding: 'post', relayState: 'reports' });
    expect(request.url).toBe(app.ssoUrl);
    expect(Object.keys(request.fields).sort()).toEqual(['RelayState', 'SAMLRequest']);
    const nav = await postBinding(browser, request.url, request.fields);
    expect(nav.hops.some((hop) => /name="password"/.test(hop.body))).toBe(false);
    const { samlResponse, relayState } = responseFor(nav, app, sp);
    expect(relayState).toBe('reports');
    const accepted = await sp.ok('acs', { samlResponse, outstanding: { [request.requestId]: '/reports' } });
    expect(accepted).toMatchObject({ nameId: person.username, inResponseTo: request.requestId, cameFrom: '/reports' });
  });

  it('IdP-initiated: pysaml2 accepts the unsolicited response only when configured to (allow_unsolicited)', async () => {
    const { app, sp } = plain;
    const nav = await samlSignIn(new BrowserlessClient(t.url), `${app.ssoUrl}?RelayState=%2Fdashboard`, person);
    const { samlResponse, relayState } = responseFor(nav, app, sp);
    expect(relayState).toBe('/dashboard');
    expect(Buffer.from(samlResponse, 'base64').toString('utf8')).not.toContain('InResponseTo');

    const accepted = await sp.ok('acs', { samlResponse, allowUnsolicited: true });
    expect(accepted).toMatchObject({ nameId: person.username, inResponseTo: null, issuer: app.idpIssuer, audiences: [sp.entityId] });
    expect(accepted.attributes).toEqual(expectedAttributes);
    expect(await sp.run('acs', { samlResponse, allowUnsolicited: false })).toMatchObject({ ok: false, errorType: 'UnsolicitedResponse' });
  });

  it('an assertion from an IdP whose clock is ten minutes slow has expired, and pysaml2 refuses it', async () => {
    const { app, sp } = plain;
    clockOffsetMs = -600_000;
    let samlResponse: string;
    try {
      samlResponse = responseFor(await samlSignIn(new BrowserlessClient(t.url), app.ssoUrl, person), app, sp).samlResponse;
    } finally {
      clockOffsetMs = 0;
    }
    const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
    const notOnOrAfter = /<saml:Conditions NotBefore="[^"]+" NotOnOrAfter="([^"]+)"/.exec(xml)?.[1];
    expect(Date.parse(notOnOrAfter!)).toBeLessThan(Date.now());
    const refused = await sp.run('acs', { samlResponse, allowUnsolicited: true });
    expect(refused).toMatchObject({ ok: false, errorType: 'ResponseLifetimeExceed' });
  });
});

describe('pysaml2 with signed AuthnRequests (samlSignedRequestEnabled)', () => {
  let signed: Awaited<ReturnType<typeof appWithSp>>;
  beforeAll(async () => {
    if (missing) return;
    signed = await appWithSp('signed', ({ x5c }) => ({ samlSignedRequestEnabled: true, spCertificate: { x5c: [x5c] } }), { signRequests: true });
  });

  it('the metadata asks for signed requests', async () => {
    const metadata = await (await fetch(signed.app.metadataUrl)).text();
    expect(metadata).toContain('WantAuthnRequestsSigned="true"');
  });

  it.each(['redirect', 'post'] as const)('a request signed over HTTP-%s is answered, and pysaml2 accepts the response', async (binding) => {
    const { app, sp } = signed;
    const request = await sp.ok('authn-request', { binding, sign: true, relayState: `signed-${binding}` });
    if (binding === 'redirect') {
      expect(new URL(request.url).searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
      expect(new URL(request.url).searchParams.get('Signature')).toBeTruthy();
    } else {
      expect(Buffer.from(request.fields.SAMLRequest, 'base64').toString('utf8')).toMatch(/<(\w+:)?SignatureValue>/);
    }
    const { samlResponse, relayState } = responseFor(await deliver(new BrowserlessClient(t.url), request), app, sp);
    expect(relayState).toBe(`signed-${binding}`);
    const accepted = await sp.ok('acs', { samlResponse, outstanding: { [request.requestId]: '/' } });
    expect(accepted).toMatchObject({ nameId: person.username, inResponseTo: request.requestId, audiences: [sp.entityId] });
  });

  it.each(['redirect', 'post'] as const)('an unsigned request over HTTP-%s gets an error page and nothing is posted', async (binding) => {
    const { sp } = signed;
    const request = await sp.ok('authn-request', { binding, sign: false });
    const nav = await deliver(new BrowserlessClient(t.url), request);
    expect(nav.final.status).toBe(400);
    expect(postedForm(nav)).toBeUndefined();
    expect(textOf(nav.final.body)).toContain('requires signed AuthnRequest messages');
  });

  it('a request signed with a key other than the registered certificate gets an error page', async () => {
    const { app } = signed;
    const metadata = await (await fetch(app.metadataUrl)).text();
    const impostor = createPythonSp({
      library: 'pysaml2', entityId: signed.sp.entityId, acsUrl: signed.sp.acsUrl, sloUrl: '', idpMetadata: metadata, keyName: 'pysaml2-impostor',
    });
    sps.push(impostor);
    for (const binding of ['redirect', 'post'] as const) {
      const request = await impostor.ok('authn-request', { binding, sign: true });
      const nav = await deliver(new BrowserlessClient(t.url), request);
      expect(nav.final.status).toBe(400);
      expect(postedForm(nav)).toBeUndefined();
      expect(textOf(nav.final.body)).toMatch(/does not verify/);
    }
  });
});

describe('pysaml2 with one signature only', () => {
  it.each([
    ['only the assertion is signed (responseSigned false)', { responseSigned: false }, { wantResponseSigned: false }, { response: false, assertion: true }],
    ['only the response is signed (assertionSigned false)', { assertionSigned: false }, { wantAssertionsSigned: false }, { response: true, assertion: false }],
  ] as const)('%s: xmlsec1 finds exactly that signature, pysaml2 accepts it when set to, refuses it when it wants both', async (_, signOn, lenient, signed) => {
    const name = 'responseSigned' in signOn ? 'assertion-only' : 'response-only';
    const { app, sp } = await appWithSp(name, () => signOn, lenient);
    const request = await sp.ok('authn-request', { binding: 'redirect' });
    const { samlResponse } = responseFor(await deliver(new BrowserlessClient(t.url), request), app, sp, { ...signed, encrypted: false });
    const accepted = await sp.ok('acs', { samlResponse, outstanding: { [request.requestId]: '/' } });
    expect(accepted).toMatchObject({ nameId: person.username, inResponseTo: request.requestId });
    const strict = await sp.run('acs', { samlResponse, outstanding: { [request.requestId]: '/' }, wantResponseSigned: true, wantAssertionsSigned: true });
    expect(strict).toMatchObject({ ok: false, errorType: 'SignatureError' });
  });
});

describe('pysaml2 with encrypted assertions (assertionEncryption)', () => {
  it.each([
    ['AES256_GCM', 'RSA_OAEP', 'http://www.w3.org/2009/xmlenc11#aes256-gcm'],
    ['AES128_CBC', 'RSA_OAEP', 'http://www.w3.org/2001/04/xmlenc#aes128-cbc'],
  ] as const)('%s with %s: pysaml2 decrypts with its key and accepts the signed assertion inside', async (encryptionAlgorithm, keyTransportAlgorithm, uri) => {
    const { app, sp } = await appWithSp(`encrypted-${encryptionAlgorithm.toLowerCase().replace('_', '-')}`, ({ x5c }) => ({
      assertionEncryption: { enabled: true, encryptionAlgorithm, keyTransportAlgorithm, x5c: [x5c] },
    }), { decrypt: true });
    const request = await sp.ok('authn-request', { binding: 'redirect' });
    const nav = await deliver(new BrowserlessClient(t.url), request);
    const { samlResponse, assertionXml } = responseFor(nav, app, sp, { response: true, assertion: true, encrypted: true });
    const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
    expect(xml).toContain(`Algorithm="${uri}"`);
    expect(xml).not.toContain(person.username);
    expect(assertionXml).toContain(`>${person.username}</saml:NameID>`);

    const accepted = await sp.ok('acs', { samlResponse, outstanding: { [request.requestId]: '/' } });
    expect(accepted).toMatchObject({ nameId: person.username, nameIdFormat: emailFormat, wasEncrypted: true, inResponseTo: request.requestId });
    expect(accepted.attributes).toEqual(expectedAttributes);

    // Without its key pysaml2 cannot read it.
    const keyless = await sp.run('acs', { samlResponse, outstanding: { [request.requestId]: '/' }, decrypt: false });
    expect(keyless).toMatchObject({ ok: false, errorType: 'NoAssertion' });
  });
});
