/**
 * SAML single logout across two real service providers signed in with one Lanyard session:
 * pysaml2 (python3-pysaml2) and python3-saml (python3-onelogin-saml2). One SP sends a signed
 * LogoutRequest; Lanyard ends the session, sends a signed LogoutRequest to the other participant
 * (Okta's `participateSlo`), takes the LogoutResponse that library builds and signs, and finally
 * answers the first SP with a LogoutResponse it validates. Both directions are run: pysaml2 first
 * over HTTP-POST with python3-saml answering over HTTP-Redirect, and python3-saml first over
 * HTTP-Redirect (the only binding its logout supports) with pysaml2 answering over HTTP-POST.
 * Afterwards Lanyard's session is gone: both apps' sign-on URLs show the sign-in form again.
 *
 * Needs Debian's python3-pysaml2, python3-onelogin-saml2 and xmlsec1; without them the tests fail.
 */
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient, textOf, type Navigation } from '../../helpers/browserless.ts';
import { createUser } from '../../helpers/oidc.ts';
import { createSamlApp, postBinding, postedForm, samlSignIn, type TestSamlApp } from '../../helpers/saml.ts';
import { createPythonSp, missingPeers, queryOf, x5cOf, type PythonSp, type PythonSpLibrary } from '../../helpers/python-sp.ts';
import { testKeyPair } from '../../helpers/certificates.ts';
import { samlNamespaces, verifyEnvelopedSignature, verifySamlResponse } from '../../helpers/xmlsec.ts';

const person = { username: 'barbara.liskov@example.com', password: 'Substitution-Principle-87' };
const emailFormat = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const success = 'urn:oasis:names:tc:SAML:2.0:status:Success';

let t: TestLanyard;
let userId: string;
const sps: PythonSp[] = [];

interface Participant {
  readonly app: TestSamlApp;
  readonly sp: PythonSp;
}

/**
 * A SAML app with single logout for one SP: `slo` (the SP may start a logout) and/or
 * `participateSlo` (Lanyard sends it LogoutRequests, with `binding`), the SP's certificate
 * verifying its requests and logout messages.
 */
async function participant(library: PythonSpLibrary, name: string, options: { startsLogout: boolean; binding: 'POST' | 'REDIRECT' }): Promise<Participant> {
  const host = `https://${name}.example.test`;
  const entityId = `${host}/saml/metadata`;
  const acsUrl = `${host}/saml/acs`;
  const sloUrl = `${host}/saml/slo`;
  const keyName = `slo-${name}`;
  const x5c = x5cOf(testKeyPair(keyName).certificatePem);
  const app = await createSamlApp(t, {
    label: `${library} ${name}`, assign: [userId],
    signOn: {
      ssoAcsUrl: acsUrl, audience: entityId, subjectNameIdFormat: emailFormat, subjectNameIdTemplate: '${user.email}',
      attributeStatements: [{ type: 'EXPRESSION', name: 'email', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', values: ['user.email'] }],
      spCertificate: { x5c: [x5c] },
      ...(options.startsLogout ? { slo: { enabled: true, logoutUrl: sloUrl } } : {}),
      participateSlo: { enabled: true, logoutRequestUrl: sloUrl, bindingType: options.binding, sessionIndexRequired: true },
    },
  });
  const idpMetadata = await (await fetch(app.metadataUrl)).text();
  const sp = createPythonSp({ library, entityId, acsUrl, sloUrl, idpMetadata, keyName, settings: { logoutBinding: options.binding.toLowerCase() } });
  sps.push(sp);
  return { app, sp };
}

/** Signs in to one SP in `browser` (signing in on Lanyard's form if there is no session yet); returns what the SP accepted. */
async function signIn(browser: BrowserlessClient, { app, sp }: Participant): Promise<Record<string, any>> {
  const request = await sp.ok('authn-request', { binding: 'redirect' });
  const nav = await samlSignIn(browser, request.url, person);
  const form = postedForm(nav);
  if (!form) throw new Error(`no response for ${sp.entityId} (${nav.final.status}): ${textOf(nav.final.body).slice(0, 300)}`);
  expect(form.action).toBe(sp.acsUrl);
  expect(verifySamlResponse(form.fields.SAMLResponse!, app.certificate)).toMatchObject({ response: true, assertion: true });
  const accepted = await sp.ok('acs', sp.library === 'pysaml2'
    ? { samlResponse: form.fields.SAMLResponse, outstanding: { [request.requestId]: '/' } }
    : { samlResponse: form.fields.SAMLResponse, requestId: request.requestId });
  expect(accepted.nameId).toBe(person.username);
  return accepted;
}

/** Where Lanyard sends the browser next: a cross-origin redirect, or an auto-posted form. */
function nextHop(nav: Navigation): { binding: 'redirect'; url: string } | { binding: 'post'; url: string; fields: Record<string, string> } {
  const form = postedForm(nav);
  if (form) return { binding: 'post', url: form.action, fields: { ...form.fields } };
  if (nav.final.status >= 300 && nav.final.status < 400 && nav.final.location) return { binding: 'redirect', url: nav.final.location };
  throw new Error(`Lanyard sent the browser nowhere (${nav.final.status} at ${nav.final.url}): ${textOf(nav.final.body).slice(0, 400)}`);
}

function decodeRedirectMessage(url: string, parameter: 'SAMLRequest' | 'SAMLResponse'): string {
  return inflateRawSync(Buffer.from(new URL(url).searchParams.get(parameter)!, 'base64')).toString('utf8');
}

/** Lanyard's session is over: both apps' sign-on URLs ask for the password again. */
async function expectSignedOut(browser: BrowserlessClient, ...apps: TestSamlApp[]): Promise<void> {
  for (const app of apps) {
    const nav = await browser.get(app.ssoUrl);
    expect(nav.final.status).toBe(200);
    expect(nav.final.body).toMatch(/name="password"/);
    expect(postedForm(nav)).toBeUndefined();
  }
}

/** A missing peer fails every test with the package to install; nothing is skipped. */
const missing = missingPeers('pysaml2', 'onelogin');
beforeEach(() => {
  if (missing) throw missing;
});

beforeAll(async () => {
  if (missing) return;
  t = await startLanyard();
  userId = await createUser(t, person.username, person.password, { firstName: 'Barbara', lastName: 'Liskov' });
});
afterAll(async () => {
  for (const sp of sps) sp.close();
  await t?.close();
});

describe('single logout between pysaml2 and python3-saml', () => {
  it.each(['POST', 'REDIRECT'] as const)('pysaml2 starts over HTTP-%s; python3-saml is logged out over HTTP-Redirect; pysaml2 validates the final LogoutResponse', async (binding) => {
    const first = await participant('pysaml2', `pysaml2-first-${binding.toLowerCase()}`, { startsLogout: true, binding });
    const other = await participant('onelogin', `onelogin-other-${binding.toLowerCase()}`, { startsLogout: true, binding: 'REDIRECT' });
    const browser = new BrowserlessClient(t.url);
    const atFirst = await signIn(browser, first);
    const atOther = await signIn(browser, other);
    expect(atOther.sessionIndex).not.toBe(atFirst.sessionIndex);

    // pysaml2's global_logout: a signed LogoutRequest (in the XML for POST, in the query for Redirect) to the first app's SLO URL.
    const logout = await first.sp.ok('logout-request', { nameIdCoded: atFirst.nameIdCoded });
    expect(logout).toMatchObject({ binding: binding.toLowerCase(), idp: first.app.idpIssuer });
    let started: Navigation;
    if (binding === 'POST') {
      expect(logout.url).toBe(first.app.sloUrl);
      const requestXml = Buffer.from(logout.fields.SAMLRequest, 'base64').toString('utf8');
      expect(requestXml).toContain(`>${atFirst.sessionIndex}</`);
      expect(verifyEnvelopedSignature(requestXml, { namespace: samlNamespaces.protocol, localName: 'LogoutRequest' }, first.sp.x5c)).toBe(true);
      started = await postBinding(browser, logout.url, logout.fields);
    } else {
      expect(logout.url.startsWith(`${first.app.sloUrl}?SAMLRequest=`)).toBe(true);
      expect(new URL(logout.url).searchParams.get('Signature')).toBeTruthy();
      expect(decodeRedirectMessage(logout.url, 'SAMLRequest')).toContain(`>${atFirst.sessionIndex}</`);
      started = await browser.get(logout.url);
    }

    // Lanyard ends the session and sends python3-saml a signed LogoutRequest over HTTP-Redirect.
    const toOther = nextHop(started);
    expect(toOther.binding).toBe('redirect');
    expect(toOther.url.startsWith(`${other.sp.sloUrl}?SAMLRequest=`)).toBe(true);
    expect(decodeRedirectMessage(toOther.url, 'SAMLRequest')).toContain(`<samlp:SessionIndex>${atOther.sessionIndex}</samlp:SessionIndex>`);
    const answered = await other.sp.ok('logout-request-received', { query: queryOf(toOther.url), nameId: atOther.nameId, sessionIndex: atOther.sessionIndex });
    expect(answered).toMatchObject({
      issuer: other.app.idpIssuer, nameId: person.username, nameIdFormat: emailFormat, sessionIndexes: [atOther.sessionIndex],
    });
    expect(answered.url.startsWith(`${other.app.sloUrl}?SAMLResponse=`)).toBe(true);

    // python3-saml's signed LogoutResponse goes back through the browser; Lanyard answers pysaml2 with the binding it used.
    const toFirst = nextHop(await browser.get(answered.url));
    let done: Record<string, any>;
    if (binding === 'POST') {
      expect(toFirst).toMatchObject({ binding: 'post', url: first.sp.sloUrl });
      const fields = (toFirst as { fields: Record<string, string> }).fields;
      expect(fields.RelayState).toBe(logout.fields.RelayState);
      const responseXml = Buffer.from(fields.SAMLResponse!, 'base64').toString('utf8');
      expect(verifyEnvelopedSignature(responseXml, { namespace: samlNamespaces.protocol, localName: 'LogoutResponse' }, first.app.certificate)).toBe(true);
      done = await first.sp.ok('logout-response', {
        binding: 'post', samlResponse: fields.SAMLResponse, nameIdCoded: atFirst.nameIdCoded, idpEntityId: first.app.idpIssuer,
      });
    } else {
      expect(toFirst.binding).toBe('redirect');
      expect(toFirst.url.startsWith(`${first.sp.sloUrl}?SAMLResponse=`)).toBe(true);
      const query = queryOf(toFirst.url);
      expect(query.RelayState).toBe(new URL(logout.url).searchParams.get('RelayState'));
      // The query signature is pysaml2's to check; a tampered one must fail it.
      const tampered = await first.sp.run('logout-response', {
        binding: 'redirect', query: { ...query, RelayState: 'elsewhere' }, nameIdCoded: atFirst.nameIdCoded, idpEntityId: first.app.idpIssuer,
      });
      expect(tampered).toMatchObject({ ok: false, errorType: 'SignatureError' });
      done = await first.sp.ok('logout-response', { binding: 'redirect', query, nameIdCoded: atFirst.nameIdCoded, idpEntityId: first.app.idpIssuer });
    }
    expect(done).toMatchObject({ status: success, inResponseTo: logout.requestId, issuer: first.app.idpIssuer, destination: first.sp.sloUrl, loggedIn: false });

    await expectSignedOut(browser, first.app, other.app);
  });

  it('python3-saml starts over HTTP-Redirect; pysaml2 (participant only) is logged out over HTTP-POST; python3-saml validates the final LogoutResponse', async () => {
    const first = await participant('onelogin', 'onelogin-first', { startsLogout: true, binding: 'REDIRECT' });
    const other = await participant('pysaml2', 'pysaml2-other', { startsLogout: false, binding: 'POST' });
    const browser = new BrowserlessClient(t.url);
    const atOther = await signIn(browser, other);
    const atFirst = await signIn(browser, first);

    const logout = await first.sp.ok('logout-request', {
      nameId: atFirst.nameId, nameIdFormat: atFirst.nameIdFormat, sessionIndex: atFirst.sessionIndex, relayState: 'https://onelogin-first.example.test/bye',
    });
    expect(logout.url.startsWith(`${first.app.sloUrl}?SAMLRequest=`)).toBe(true);
    expect(new URL(logout.url).searchParams.get('Signature')).toBeTruthy();

    // Lanyard ends the session and posts pysaml2 a LogoutRequest signed in the XML.
    const toOther = nextHop(await browser.get(logout.url));
    expect(toOther).toMatchObject({ binding: 'post', url: other.sp.sloUrl });
    const requestFields = (toOther as { fields: Record<string, string> }).fields;
    const requestXml = Buffer.from(requestFields.SAMLRequest!, 'base64').toString('utf8');
    expect(verifyEnvelopedSignature(requestXml, { namespace: samlNamespaces.protocol, localName: 'LogoutRequest' }, other.app.certificate)).toBe(true);
    const answered = await other.sp.ok('logout-request-received', {
      binding: 'post', samlRequest: requestFields.SAMLRequest, relayState: requestFields.RelayState, nameIdCoded: atOther.nameIdCoded, idpEntityId: other.app.idpIssuer,
    });
    expect(answered).toMatchObject({
      issuer: other.app.idpIssuer, nameId: person.username, sessionIndexes: [atOther.sessionIndex], destination: other.sp.sloUrl, loggedIn: false, status: success,
    });
    expect(answered.url).toBe(other.app.sloUrl);

    // pysaml2's signed LogoutResponse goes back; Lanyard answers python3-saml over HTTP-Redirect, signed in the query.
    const back = answered.binding === 'post' ? await postBinding(browser, answered.url, answered.fields) : await browser.get(answered.url);
    const toFirst = nextHop(back);
    expect(toFirst.binding).toBe('redirect');
    expect(toFirst.url.startsWith(`${first.sp.sloUrl}?SAMLResponse=`)).toBe(true);
    const done = await first.sp.ok('logout-response', { query: queryOf(toFirst.url), requestId: logout.requestId });
    expect(done).toMatchObject({ status: success, inResponseTo: logout.requestId, issuer: first.app.idpIssuer, relayState: 'https://onelogin-first.example.test/bye' });

    await expectSignedOut(browser, first.app, other.app);
  });

  it('signing out on Lanyard\'s own page logs both SPs out in turn, each with its binding, then says so', async () => {
    const viaPost = await participant('pysaml2', 'pysaml2-page', { startsLogout: false, binding: 'POST' });
    const viaRedirect = await participant('onelogin', 'onelogin-page', { startsLogout: true, binding: 'REDIRECT' });
    const browser = new BrowserlessClient(t.url);
    const atPost = await signIn(browser, viaPost);
    const atRedirect = await signIn(browser, viaRedirect);

    const confirm = await browser.get('/logout');
    expect(confirm.final.status).toBe(200);
    let nav = await browser.submit(confirm.final, {});
    const loggedOut = new Set<string>();
    for (let step = 0; step < 4 && !/You have signed out/.test(nav.final.body); step++) {
      const hop = nextHop(nav);
      if (hop.url.startsWith(viaPost.sp.sloUrl)) {
        expect(hop.binding).toBe('post');
        const fields = (hop as { fields: Record<string, string> }).fields;
        const answered = await viaPost.sp.ok('logout-request-received', {
          binding: 'post', samlRequest: fields.SAMLRequest, relayState: fields.RelayState, nameIdCoded: atPost.nameIdCoded, idpEntityId: viaPost.app.idpIssuer,
        });
        expect(answered).toMatchObject({ nameId: person.username, sessionIndexes: [atPost.sessionIndex], loggedIn: false, status: success });
        loggedOut.add('pysaml2');
        nav = answered.binding === 'post' ? await postBinding(browser, answered.url, answered.fields) : await browser.get(answered.url);
      } else if (hop.url.startsWith(viaRedirect.sp.sloUrl)) {
        expect(hop.binding).toBe('redirect');
        const answered = await viaRedirect.sp.ok('logout-request-received', { query: queryOf(hop.url), nameId: atRedirect.nameId, sessionIndex: atRedirect.sessionIndex });
        expect(answered).toMatchObject({ nameId: person.username, sessionIndexes: [atRedirect.sessionIndex] });
        loggedOut.add('onelogin');
        nav = await browser.get(answered.url);
      } else {
        throw new Error(`Lanyard sent the browser to ${hop.url}`);
      }
    }
    expect([...loggedOut].sort()).toEqual(['onelogin', 'pysaml2']);
    expect(nav.final.status).toBe(200);
    expect(textOf(nav.final.body)).toContain('You have signed out');
    await expectSignedOut(browser, viaPost.app, viaRedirect.app);
  });
});
