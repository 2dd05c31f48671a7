/**
 * python3-saml (OneLogin's toolkit, Debian's python3-onelogin-saml2) as the service provider of a
 * Lanyard SAML app, with the strict settings its documentation recommends: strict mode, signed
 * AuthnRequests, signed messages and signed assertions wanted, SHA-256, the IdP part read from
 * Lanyard's metadata. The toolkit's own classes check every response (schema, destination,
 * audience, issuer, InResponseTo, times, both signatures); xmlsec1 checks them again against the
 * certificate in Lanyard's metadata.
 *
 * Needs Debian's python3-onelogin-saml2 and xmlsec1; without them the tests fail, naming the package.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient, textOf, type Navigation } from '../../helpers/browserless.ts';
import { createUser } from '../../helpers/oidc.ts';
import { createSamlApp, postedForm, samlSignIn, type TestSamlApp } from '../../helpers/saml.ts';
import { createPythonSp, missingPeers, x5cOf, type PythonSp } from '../../helpers/python-sp.ts';
import { testKeyPair } from '../../helpers/certificates.ts';
import { verifySamlResponse } from '../../helpers/xmlsec.ts';

const person = { username: 'katherine.johnson@example.com', password: 'Orbital-Mechanics-1962' };
const emailFormat = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const uri = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
const entityId = 'https://onelogin.example.test/saml/metadata';
const acsUrl = 'https://onelogin.example.test/saml/acs';
const sloUrl = 'https://onelogin.example.test/saml/sls';

let t: TestLanyard;
let app: TestSamlApp;
let sp: PythonSp;

function responseFrom(nav: Navigation): string {
  const form = postedForm(nav);
  if (!form) throw new Error(`Lanyard posted nothing (${nav.final.status}): ${textOf(nav.final.body).slice(0, 300)}`);
  expect(form.action).toBe(acsUrl);
  const signatures = verifySamlResponse(form.fields.SAMLResponse!, app.certificate);
  expect({ response: signatures.response, assertion: signatures.assertion, encrypted: signatures.encrypted })
    .toEqual({ response: true, assertion: true, encrypted: false });
  return form.fields.SAMLResponse!;
}

/** A missing peer fails every test with the package to install; nothing is skipped. */
const missing = missingPeers('onelogin');
beforeEach(() => {
  if (missing) throw missing;
});

beforeAll(async () => {
  if (missing) return;
  t = await startLanyard();
  const userId = await createUser(t, person.username, person.password, { firstName: 'Katherine', lastName: 'Johnson' });
  const call = api(t);
  for (const name of ['Flight Research', 'Flight Dynamics', 'Payroll']) {
    const group = await call('/api/v1/groups', { method: 'POST', json: { profile: { name } } });
    await call(`/api/v1/groups/${group.json.id}/users/${userId}`, { method: 'PUT' });
  }
  app = await createSamlApp(t, {
    label: 'python3-saml', assign: [userId],
    signOn: {
      ssoAcsUrl: acsUrl, audience: entityId, subjectNameIdFormat: emailFormat, subjectNameIdTemplate: '${user.email}',
      samlSignedRequestEnabled: true, spCertificate: { x5c: [x5cOf(testKeyPair('onelogin-sp').certificatePem)] },
      attributeStatements: [
        { type: 'EXPRESSION', name: 'urn:oid:0.9.2342.19200300.100.1.3', namespace: uri, values: ['user.email'] },
        { type: 'EXPRESSION', name: 'urn:oid:2.5.4.42', namespace: uri, values: ['user.firstName'] },
        { type: 'EXPRESSION', name: 'urn:oid:2.5.4.4', namespace: uri, values: ['user.lastName'] },
        { type: 'GROUP', name: 'memberOf', namespace: uri, filterType: 'REGEX', filterValue: 'Flight .*' },
      ],
    },
  });
  sp = createPythonSp({
    library: 'onelogin', entityId, acsUrl, sloUrl, idpMetadata: await (await fetch(app.metadataUrl)).text(), keyName: 'onelogin-sp',
  });
});
afterAll(async () => {
  sp?.close();
  await t?.close();
});

describe('python3-saml as the service provider', () => {
  it('reads Lanyard\'s metadata, which matches the SAML metadata schema the toolkit ships', async () => {
    const read = await sp.ok('metadata');
    expect(read).toMatchObject({
      idp: {
        entityId: app.idpIssuer, x509cert: app.certificate,
        singleSignOnService: { url: app.ssoUrl, binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect' },
        singleLogoutService: { url: app.sloUrl, binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect' },
      },
    });
  });

  it('SP-initiated with a signed HTTP-Redirect request: strict validation accepts the response, NameID and attributes', async () => {
    const request = await sp.ok('authn-request', { relayState: 'https://onelogin.example.test/after' });
    const query = new URL(request.url).searchParams;
    expect(`${new URL(request.url).origin}${new URL(request.url).pathname}`).toBe(app.ssoUrl);
    expect(query.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(request.xml).toContain(`Format="${emailFormat}"`);

    const nav = await samlSignIn(new BrowserlessClient(t.url), request.url, person);
    expect(postedForm(nav)?.fields.RelayState).toBe('https://onelogin.example.test/after');
    const accepted = await sp.ok('acs', { samlResponse: responseFrom(nav), requestId: request.requestId });
    expect(accepted).toMatchObject({
      issuers: [app.idpIssuer], audiences: [entityId], inResponseTo: request.requestId,
      nameId: person.username, nameIdFormat: emailFormat,
      authnContexts: ['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'],
    });
    expect(accepted.sessionIndex).toMatch(/^_[0-9a-f]{32}$/);
    expect(accepted.attributes).toEqual({
      'urn:oid:0.9.2342.19200300.100.1.3': [person.username],
      'urn:oid:2.5.4.42': ['Katherine'],
      'urn:oid:2.5.4.4': ['Johnson'],
      memberOf: ['Flight Dynamics', 'Flight Research'].sort(),
    });
  });

  it('the toolkit\'s strict checks are live: another request ID, another ACS URL and an altered response are refused', async () => {
    const request = await sp.ok('authn-request');
    const samlResponse = responseFrom(await samlSignIn(new BrowserlessClient(t.url), request.url, person));
    expect((await sp.ok('acs', { samlResponse, requestId: request.requestId })).nameId).toBe(person.username);

    const otherRequest = await sp.run('acs', { samlResponse, requestId: 'ONELOGIN_0123456789abcdef' });
    expect(otherRequest).toMatchObject({ ok: false });
    expect(otherRequest.ok === false && otherRequest.error).toMatch(/InResponseTo/);

    const elsewhere = await sp.run('acs', { samlResponse, requestId: request.requestId, acsUrl: 'https://onelogin.example.test/other/acs' });
    expect(elsewhere.ok === false && elsewhere.error).toMatch(/received at https:\/\/onelogin\.example\.test\/other\/acs instead of/);

    const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
    const altered = Buffer.from(xml.replace('>Johnson<', '>Jackson<')).toString('base64');
    expect(altered).not.toBe(samlResponse);
    const forged = await sp.run('acs', { samlResponse: altered, requestId: request.requestId });
    expect(forged.ok === false && forged.error).toMatch(/[Ss]ignature|[Dd]igest/);
  });

  it('an unsigned request is refused by Lanyard: the app requires signed requests', async () => {
    const request = await sp.ok('authn-request', { signRequests: false });
    expect(new URL(request.url).searchParams.has('Signature')).toBe(false);
    const nav = await samlSignIn(new BrowserlessClient(t.url), request.url, person);
    expect(nav.final.status).toBe(400);
    expect(postedForm(nav)).toBeUndefined();
  });

  it('IdP-initiated: strict validation accepts a response without InResponseTo', async () => {
    const nav = await samlSignIn(new BrowserlessClient(t.url), app.ssoUrl, person);
    const accepted = await sp.ok('acs', { samlResponse: responseFrom(nav) });
    expect(accepted).toMatchObject({ nameId: person.username, inResponseTo: null, issuers: [app.idpIssuer], audiences: [entityId] });
  });
});
