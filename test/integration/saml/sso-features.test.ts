/**
 * What an admin configures on a SAML app, checked end to end with node-saml as the service
 * provider: who may sign in (direct and group assignments), IsPassive and ForceAuthn, several
 * ACS endpoints, assertion encryption, which parts are signed, NameID formats and templates,
 * and attribute statements (expressions and group filters).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { createUser } from '../../helpers/oidc.ts';
import { testKeyPair } from '../../helpers/certificates.ts';
import { acsUrl, createSamlApp, postBinding, postedForm, samlSignIn, spEntityId, type TestSamlApp } from '../../helpers/saml.ts';
import { authnRequestXml, expectCleanLogs, expectRefused, logSink, redirectUrl, responseXml, steppedClock, xmlAttr } from './support.ts';

type SpOptions = Partial<ConstructorParameters<typeof SAML>[0]>;

const clock = steppedClock();
const logs = logSink();
let t: TestLanyard;
const sam = { username: 'sam.person@example.com', password: 'Quiet-Lantern-Seven-7' };
const gina = { username: 'gina.group@example.com', password: 'Quiet-Lantern-Seven-7' };
const una = { username: 'una.assigned@example.com', password: 'Quiet-Lantern-Seven-7' };
const ids: Record<string, string> = {};
const groups: Record<string, string> = {};
const encryptionKeys = testKeyPair('sp-encryption');
const certBody = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');

function sp(app: TestSamlApp, overrides: SpOptions = {}) {
  return new SAML({
    entryPoint: app.ssoUrl, issuer: spEntityId, callbackUrl: acsUrl, idpCert: app.certificate, idpIssuer: app.idpIssuer,
    audience: spEntityId, wantAssertionsSigned: true, wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.always, acceptedClockSkewMs: 120_000, ...overrides,
  });
}

/** A sign-in of `who` to `app` from a fresh browser, SP-initiated over the Redirect binding; returns the browser and the navigation. */
async function signInTo(app: TestSamlApp, who: { username: string; password: string }, client = sp(app), relayState = 'relay') {
  const browser = new BrowserlessClient(t.url);
  const nav = await samlSignIn(browser, await client.getAuthorizeUrlAsync(relayState, undefined, {}), who);
  return { browser, nav, client };
}

async function validated(client: SAML, nav: Parameters<typeof postedForm>[0]) {
  const form = postedForm(nav);
  if (!form) throw new Error(`no form: ${nav.final.status} ${nav.final.body.slice(0, 300)}`);
  const { profile } = await client.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! });
  return { form, profile, xml: Buffer.from(form.fields.SAMLResponse!, 'base64').toString('utf8') };
}

async function group(name: string, members: string[]): Promise<string> {
  const created = await api(t)('/api/v1/groups', { method: 'POST', json: { profile: { name } } });
  expect(created.status).toBe(200);
  for (const member of members) expect((await api(t)(`/api/v1/groups/${created.json.id}/users/${member}`, { method: 'PUT' })).status).toBe(204);
  return created.json.id;
}

beforeAll(async () => {
  t = await startLanyard({ clock, logger: logs.logger });
  ids.sam = await createUser(t, sam.username, sam.password, { firstName: 'Sam', lastName: 'Person', nickName: 'sammy' });
  ids.gina = await createUser(t, gina.username, gina.password, { firstName: 'Gina', lastName: 'Group' });
  ids.una = await createUser(t, una.username, una.password, { firstName: 'Una', lastName: 'Assigned' });
  for (const name of ['eng-backend', 'eng-frontend', 'sales', 'Admins', 'frontline-support']) groups[name] = await group(name, [ids.sam!]);
  groups.samlUsers = await group('saml-users', [ids.gina!]);
});
afterAll(async () => t?.close());

describe('who may sign in', () => {
  let app: TestSamlApp;
  beforeAll(async () => {
    app = await createSamlApp(t, { label: 'Assigned Only', assign: [ids.sam!] });
    expect((await api(t)(`/api/v1/apps/${app.id}/groups/${groups.samlUsers}`, { method: 'PUT', json: {} })).status).toBe(200);
  });

  it('a user who is not assigned gets a refusal page, nothing is posted, and the system log says why', async () => {
    const { nav } = await signInTo(app, una);
    expectRefused(nav, 403, /not assigned to this application/);
    // IdP-initiated too.
    const idp = await samlSignIn(new BrowserlessClient(t.url), app.ssoUrl, una);
    expectRefused(idp, 403, /not assigned/);
    const filter = encodeURIComponent(`eventType eq "user.authentication.sso" and outcome.result eq "FAILURE"`);
    const events = await api(t)(`/api/v1/logs?filter=${filter}`);
    expect(events.status).toBe(200);
    const mine = (events.json as any[]).filter((e) => e.actor.alternateId === una.username);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine[0].outcome).toEqual({ result: 'FAILURE', reason: 'User is not assigned to the app' });
    expect(mine[0].target.map((x: { id: string }) => x.id)).toContain(app.id);
  });

  it('a user assigned directly signs in; one assigned through a group signs in too', async () => {
    const direct = await signInTo(app, sam);
    expect((await validated(direct.client, direct.nav)).profile?.nameID).toBe(sam.username);
    const viaGroup = await signInTo(app, gina);
    expect((await validated(viaGroup.client, viaGroup.nav)).profile?.nameID).toBe(gina.username);
    const success = await api(t)(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.authentication.sso" and outcome.result eq "SUCCESS"')}`);
    expect((success.json as any[]).some((e) => e.actor.alternateId === gina.username)).toBe(true);
  });

  it('a suspended user\'s session answers nothing: the sign-in form, no response', async () => {
    const who = { username: 'suspended.soon@example.com', password: 'Quiet-Lantern-Seven-7' };
    const userId = await createUser(t, who.username, who.password);
    expect((await api(t)(`/api/v1/apps/${app.id}/users`, { method: 'POST', json: { id: userId } })).status).toBe(200);
    const { browser, client, nav } = await signInTo(app, who);
    await validated(client, nav);
    expect((await api(t)(`/api/v1/users/${userId}/lifecycle/suspend`, { method: 'POST' })).status).toBe(200);
    const after = await browser.get(await client.getAuthorizeUrlAsync('again', undefined, {}));
    expect(after.final.url).toMatch(/\/login\?fromURI=/);
    expect(postedForm(after)).toBeUndefined();
  });

  it('taking the group away takes the access away, even in an existing session', async () => {
    const { browser, client, nav } = await signInTo(app, gina);
    await validated(client, nav);
    expect((await api(t)(`/api/v1/apps/${app.id}/groups/${groups.samlUsers}`, { method: 'DELETE' })).status).toBe(204);
    expectRefused(await browser.get(await client.getAuthorizeUrlAsync('again', undefined, {})), 403, /not assigned/);
  });
});

describe('IsPassive and ForceAuthn', () => {
  let app: TestSamlApp;
  let assertionOnly: TestSamlApp;
  let lenient: TestSamlApp;
  beforeAll(async () => {
    app = await createSamlApp(t, { label: 'Passive and Forced', assign: [ids.sam!] });
    assertionOnly = await createSamlApp(t, { label: 'Assertion-only signing', assign: [ids.sam!], signOn: { responseSigned: false } });
    lenient = await createSamlApp(t, { label: 'ForceAuthn ignored', assign: [ids.sam!], signOn: { honorForceAuthn: false } });
  });

  it('IsPassive without a session: a signed Responder/NoPassive response is posted to the ACS, which node-saml reports', async () => {
    for (const target of [app, assertionOnly]) {
      const client = sp(target, { passive: true, wantAuthnResponseSigned: target === app });
      const browser = new BrowserlessClient(t.url);
      const nav = await browser.get(await client.getAuthorizeUrlAsync('passive-relay', undefined, {}));
      expect(nav.final.body).not.toMatch(/name="password"/);
      const form = postedForm(nav);
      expect(form?.action).toBe(acsUrl);
      expect(form!.fields.RelayState).toBe('passive-relay');
      const xml = Buffer.from(form!.fields.SAMLResponse!, 'base64').toString();
      expect(xml).toMatch(/StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:NoPassive"/);
      expect(xml).not.toMatch(/Assertion/);
      expect(xmlAttr(xml, 'Response', 'InResponseTo')).toMatch(/^_/);
      // node-saml answers a signed NoPassive with "no profile, not logged out"; an unsigned one throws.
      expect(await client.validatePostResponseAsync({ SAMLResponse: form!.fields.SAMLResponse! })).toEqual({ profile: null, loggedOut: false });
    }
  });

  it('IsPassive with a session: an ordinary response, no sign-in form', async () => {
    const { browser } = await signInTo(app, sam);
    const client = sp(app, { passive: true });
    const nav = await browser.get(await client.getAuthorizeUrlAsync('p', undefined, {}));
    expect((await validated(client, nav)).profile?.nameID).toBe(sam.username);
  });

  it('ForceAuthn with honorForceAuthn: the sign-in form again despite the session, and the new AuthnInstant', async () => {
    const { browser, nav, client } = await signInTo(app, sam);
    const first = await validated(client, nav);
    const firstInstant = Date.parse(xmlAttr(first.xml, 'AuthnStatement', 'AuthnInstant')!);
    clock.advance(30_000);
    const forced = sp(app, { forceAuthn: true });
    const url = await forced.getAuthorizeUrlAsync('forced', undefined, {});
    const shown = await browser.get(url);
    expect(shown.final.status).toBe(200);
    expect(shown.final.url).toMatch(/\/login\?.*reauth=true/);
    expect(shown.final.body).toMatch(/name="password"/);
    expect(postedForm(shown)).toBeUndefined();
    const signedIn = await samlSignIn(browser, url, sam);
    const second = await validated(forced, signedIn);
    const secondInstant = Date.parse(xmlAttr(second.xml, 'AuthnStatement', 'AuthnInstant')!);
    expect(secondInstant - firstInstant).toBeGreaterThanOrEqual(30_000);
    expect(second.form.fields.RelayState).toBe('forced');
    // The next ordinary request is answered from the new session, with its AuthnInstant.
    const after = await validated(client, await browser.get(await client.getAuthorizeUrlAsync('after', undefined, {})));
    expect(Date.parse(xmlAttr(after.xml, 'AuthnStatement', 'AuthnInstant')!)).toBe(secondInstant);
  });

  it('ForceAuthn with honorForceAuthn=false: no form, the existing session answers', async () => {
    const { browser, nav, client } = await signInTo(lenient, sam);
    const firstInstant = xmlAttr((await validated(client, nav)).xml, 'AuthnStatement', 'AuthnInstant');
    clock.advance(10_000);
    const forced = sp(lenient, { forceAuthn: true });
    const again = await browser.get(await forced.getAuthorizeUrlAsync('f', undefined, {}));
    expect(again.final.body).not.toMatch(/name="password"/);
    const answer = await validated(forced, again);
    expect(xmlAttr(answer.xml, 'AuthnStatement', 'AuthnInstant')).toBe(firstInstant);
  });

  it('ForceAuthn and IsPassive together with an older session: NoPassive, never a form', async () => {
    const { browser } = await signInTo(app, sam);
    clock.advance(5_000);
    const both = sp(app, { forceAuthn: true, passive: true });
    const nav = await browser.get(await both.getAuthorizeUrlAsync('both', undefined, {}));
    expect(nav.final.body).not.toMatch(/name="password"/);
    expect(postedForm(nav)?.action).toBe(acsUrl);
    expect(await both.validatePostResponseAsync({ SAMLResponse: postedForm(nav)!.fields.SAMLResponse! })).toEqual({ profile: null, loggedOut: false });
  });
});

describe('several ACS endpoints', () => {
  const acs = ['https://sp.example.test/acs/zero', 'https://sp.example.test/acs/one', 'https://sp.example.test/acs/two'];
  let app: TestSamlApp;
  let single: TestSamlApp;
  let browser: BrowserlessClient;
  beforeAll(async () => {
    app = await createSamlApp(t, {
      label: 'Many ACS', assign: [ids.sam!],
      signOn: {
        ssoAcsUrl: acs[0], recipient: 'https://sp.example.test/recipient', destination: 'https://sp.example.test/destination',
        allowMultipleAcsEndpoints: true, acsEndpoints: [{ url: acs[2], index: 2 }, { url: acs[0], index: 0 }, { url: acs[1], index: 1 }],
      },
    });
    single = await createSamlApp(t, { label: 'One ACS', assign: [ids.sam!], signOn: { acsEndpoints: [{ url: acs[1], index: 1 }] } });
    browser = new BrowserlessClient(t.url);
    await samlSignIn(browser, app.ssoUrl, sam);
  });

  it('a request naming an ACS URL gets its response there, with that URL as Destination and Recipient', async () => {
    for (const url of [acs[1]!, acs[2]!]) {
      const client = sp(app, { callbackUrl: url });
      const { form, xml, profile } = await validated(client, await browser.get(await client.getAuthorizeUrlAsync('u', undefined, {})));
      expect(form.action).toBe(url);
      expect(xmlAttr(xml, 'Response', 'Destination')).toBe(url);
      expect(xmlAttr(xml, 'SubjectConfirmationData', 'Recipient')).toBe(url);
      expect(profile?.nameID).toBe(sam.username);
    }
  });

  it('a request naming an index gets the endpoint of that index', async () => {
    for (const index of [1, 2]) {
      const xml = authnRequestXml({ issuer: spEntityId, destination: app.ssoUrl, acsIndex: index, protocolBinding: null });
      const response = responseXml(await browser.get(redirectUrl(app.ssoUrl, xml)));
      expect(postedForm(await browser.get(redirectUrl(app.ssoUrl, authnRequestXml({ issuer: spEntityId, acsIndex: index, protocolBinding: null }))))?.action).toBe(acs[index]);
      expect(xmlAttr(response, 'Response', 'Destination')).toBe(acs[index]);
      expect(xmlAttr(response, 'SubjectConfirmationData', 'Recipient')).toBe(acs[index]);
    }
  });

  it('the default ACS (no URL, index 0, IdP-initiated) keeps the configured Recipient and Destination', async () => {
    const requests = [
      authnRequestXml({ issuer: spEntityId }), authnRequestXml({ issuer: spEntityId, acsIndex: 0, protocolBinding: null }),
      authnRequestXml({ issuer: spEntityId, acsUrl: acs[0] }),
    ];
    const navs = [...await Promise.all(requests.map((xml) => browser.get(redirectUrl(app.ssoUrl, xml)))), await browser.get(app.ssoUrl)];
    for (const nav of navs) {
      const xml = responseXml(nav);
      expect(postedForm(nav)?.action).toBe(acs[0]);
      expect(xmlAttr(xml, 'Response', 'Destination')).toBe('https://sp.example.test/destination');
      expect(xmlAttr(xml, 'SubjectConfirmationData', 'Recipient')).toBe('https://sp.example.test/recipient');
    }
  });

  it('an index or URL outside the list is refused; without allowMultipleAcsEndpoints the list is ignored', async () => {
    expectRefused(await browser.get(redirectUrl(app.ssoUrl, authnRequestXml({ issuer: spEntityId, acsIndex: 3, protocolBinding: null }))), 400, /not registered/);
    expectRefused(await browser.get(redirectUrl(app.ssoUrl, authnRequestXml({ issuer: spEntityId, acsUrl: 'https://sp.example.test/acs/three' }))), 400, /not registered/);
    await samlSignIn(browser, single.ssoUrl, sam);
    expectRefused(await browser.get(redirectUrl(single.ssoUrl, authnRequestXml({ issuer: spEntityId, acsUrl: acs[1] }))), 400, /not registered/);
    expectRefused(await browser.get(redirectUrl(single.ssoUrl, authnRequestXml({ issuer: spEntityId, acsIndex: 1, protocolBinding: null }))), 400, /not registered/);
  });
});

describe('assertion encryption and signing', () => {
  const combos = [
    { encryptionAlgorithm: 'AES256_GCM', keyTransportAlgorithm: 'RSA_OAEP', uri: 'xmlenc11#aes256-gcm' },
    { encryptionAlgorithm: 'AES128_GCM', keyTransportAlgorithm: 'RSA_OAEP', uri: 'xmlenc11#aes128-gcm' },
    { encryptionAlgorithm: 'AES256_CBC', keyTransportAlgorithm: 'RSA_OAEP', uri: 'xmlenc#aes256-cbc' },
  ] as const;

  for (const combo of combos) {
    it(`an encrypted assertion (${combo.encryptionAlgorithm}, ${combo.keyTransportAlgorithm}) that node-saml decrypts and validates`, async () => {
      const app = await createSamlApp(t, {
        label: `Encrypted ${combo.encryptionAlgorithm}`, assign: [ids.sam!],
        signOn: {
          assertionEncryption: { enabled: true, encryptionAlgorithm: combo.encryptionAlgorithm, keyTransportAlgorithm: combo.keyTransportAlgorithm, x5c: [certBody(encryptionKeys.certificatePem)] },
          attributeStatements: [{ type: 'EXPRESSION', name: 'email', values: ['user.email'] }],
        },
      });
      const { nav, client } = await signInTo(app, sam, sp(app, { decryptionPvk: encryptionKeys.privateKeyPem }));
      const { xml, profile } = await validated(client, nav);
      expect(xml).toMatch(/<saml:EncryptedAssertion/);
      expect(xml).toContain(combo.uri);
      expect(xml).toContain('rsa-oaep-mgf1p');
      expect(xml).not.toContain(sam.username);
      expect(xml).not.toMatch(/<saml:Assertion|NameID/);
      expect(profile).toMatchObject({ nameID: sam.username, email: sam.username });
      // Without the key, or with another, node-saml cannot read it.
      const form = postedForm(nav)!;
      await expect(sp(app, { decryptionPvk: testKeyPair('not-the-sp').privateKeyPem }).validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! })).rejects.toThrow();
    });
  }

  const signings = [
    { responseSigned: true, assertionSigned: false, accepts: { wantAuthnResponseSigned: true, wantAssertionsSigned: false }, refuses: { wantAssertionsSigned: true } },
    { responseSigned: false, assertionSigned: true, accepts: { wantAuthnResponseSigned: false, wantAssertionsSigned: true }, refuses: { wantAuthnResponseSigned: true } },
    { responseSigned: true, assertionSigned: true, accepts: { wantAuthnResponseSigned: true, wantAssertionsSigned: true }, refuses: undefined },
  ] as const;

  for (const signing of signings) {
    it(`responseSigned=${signing.responseSigned}, assertionSigned=${signing.assertionSigned}: node-saml accepts with the matching settings`, async () => {
      const app = await createSamlApp(t, {
        label: `Signing ${signing.responseSigned} ${signing.assertionSigned}`, assign: [ids.sam!],
        signOn: { responseSigned: signing.responseSigned, assertionSigned: signing.assertionSigned },
      });
      const { nav, client } = await signInTo(app, sam, sp(app, signing.accepts));
      const { xml, profile } = await validated(client, nav);
      expect(profile?.nameID).toBe(sam.username);
      const responseSignature = /<samlp:Response\b[^>]*>\s*<saml:Issuer[^>]*>[^<]*<\/saml:Issuer>\s*<ds:Signature/.test(xml);
      const assertionSignature = /<saml:Assertion\b[^>]*>\s*<saml:Issuer[^>]*>[^<]*<\/saml:Issuer>\s*<ds:Signature/.test(xml);
      expect({ responseSignature, assertionSignature }).toEqual({ responseSignature: signing.responseSigned, assertionSignature: signing.assertionSigned });
      if (signing.refuses) {
        const form = postedForm(nav)!;
        await expect(sp(app, { ...signing.accepts, ...signing.refuses, validateInResponseTo: ValidateInResponseTo.never })
          .validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! })).rejects.toThrow(/signature/i);
      }
    });
  }

  it('encryption with a signed response and a signed assertion inside: node-saml checks both', async () => {
    const app = await createSamlApp(t, {
      label: 'Encrypted and signed', assign: [ids.sam!],
      signOn: { assertionEncryption: { enabled: true, x5c: [certBody(encryptionKeys.certificatePem)] } },
    });
    const { nav, client } = await signInTo(app, sam, sp(app, { decryptionPvk: encryptionKeys.privateKeyPem }));
    const { xml, profile } = await validated(client, nav);
    expect(xml).toMatch(/<ds:Signature/);
    expect(xml).toContain('xmlenc11#aes256-gcm');
    expect(profile?.nameID).toBe(sam.username);
  });

  it('samlAssertionLifetimeSeconds sets SessionNotOnOrAfter; without it there is none', async () => {
    const app = await createSamlApp(t, { label: 'App session lifetime', assign: [ids.sam!], signOn: { samlAssertionLifetimeSeconds: 3600 } });
    const { nav, client } = await signInTo(app, sam);
    const { xml } = await validated(client, nav);
    const issued = Date.parse(xmlAttr(xml, 'Assertion', 'IssueInstant')!);
    expect(Date.parse(xmlAttr(xml, 'AuthnStatement', 'SessionNotOnOrAfter')!) - issued).toBe(3_600_000);
    const plain = await createSamlApp(t, { label: 'No app session lifetime', assign: [ids.sam!] });
    const other = await signInTo(plain, sam);
    expect((await validated(other.client, other.nav)).xml).not.toContain('SessionNotOnOrAfter');
  });

  it('RSA-SHA1 with SHA-1 digests, for SPs that need them', async () => {
    const app = await createSamlApp(t, { label: 'SHA-1', assign: [ids.sam!], signOn: { signatureAlgorithm: 'RSA_SHA1', digestAlgorithm: 'SHA1' } });
    const { nav, client } = await signInTo(app, sam);
    const { xml, profile } = await validated(client, nav);
    expect(xml).toContain('xmldsig#rsa-sha1');
    expect(xml).toContain('xmldsig#sha1');
    expect(xml).not.toContain('rsa-sha256');
    expect(profile?.nameID).toBe(sam.username);
  });
});

describe('NameID formats and templates', () => {
  const cases = [
    { format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', template: undefined, expected: sam.username },
    { format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', template: '${user.firstName}.${user.lastName}', expected: 'Sam.Person' },
    { format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', template: 'id-${String.toLowerCase(user.lastName)}-${user.nickName}', expected: 'id-person-sammy' },
    { format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:x509SubjectName', template: 'CN=${user.firstName} ${user.lastName},O=Example', expected: 'CN=Sam Person,O=Example' },
  ] as const;

  for (const c of cases) {
    it(`${c.format.split(':').pop()} with ${c.template ?? 'the default template'} → ${c.expected}`, async () => {
      const app = await createSamlApp(t, {
        label: `NameID ${c.format.split(':').pop()}`, assign: [ids.sam!],
        signOn: { subjectNameIdFormat: c.format, ...(c.template ? { subjectNameIdTemplate: c.template } : {}) },
      });
      const { nav, client } = await signInTo(app, sam, sp(app, { identifierFormat: c.format }));
      const { profile } = await validated(client, nav);
      expect(profile).toMatchObject({ nameID: c.expected, nameIDFormat: c.format });
    });
  }

  it('transient: a fresh opaque value per session, stable within one', async () => {
    const format = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
    const app = await createSamlApp(t, { label: 'Transient', assign: [ids.sam!], signOn: { subjectNameIdFormat: format } });
    const one = await signInTo(app, sam);
    const first = (await validated(one.client, one.nav)).profile!;
    const sameSession = (await validated(one.client, await one.browser.get(await one.client.getAuthorizeUrlAsync('x', undefined, {})))).profile!;
    const two = await signInTo(app, sam);
    const other = (await validated(two.client, two.nav)).profile!;
    expect(first.nameIDFormat).toBe(format);
    expect(first.nameID).toMatch(/^_[0-9a-f]{32}$/);
    expect(sameSession.nameID).toBe(first.nameID);
    expect(other.nameID).not.toBe(first.nameID);
    expect(first.nameID).not.toContain('sam');
  });

  it('a template that is empty for this user gets an error page naming the setting, nothing posted', async () => {
    const app = await createSamlApp(t, { label: 'Empty NameID', assign: [ids.gina!], signOn: { subjectNameIdTemplate: '${user.nickName}' } });
    const { nav } = await signInTo(app, gina);
    expectRefused(nav, 500, /Name ID is empty/);
  });

  it('a template without a user attribute, or one that does not parse, is refused when saved', async () => {
    for (const template of ['constant', '${user.firstName', '${user.}']) {
      const res = await api(t)('/api/v1/apps', {
        method: 'POST',
        json: { label: 'Bad template', signOnMode: 'SAML_2_0', settings: { signOn: { ssoAcsUrl: acsUrl, audience: spEntityId, subjectNameIdTemplate: template } } },
      });
      expect(res.status).toBe(400);
      expect(res.json.errorCode).toBe('E0000001');
      expect(res.json.errorCauses.map((c: { errorSummary: string }) => c.errorSummary).join(' ')).toMatch(/settings\.signOn\.subjectNameIdTemplate/);
    }
  });
});

describe('attribute statements', () => {
  let app: TestSamlApp;
  beforeAll(async () => {
    app = await createSamlApp(t, {
      label: 'Attributes', assign: [ids.sam!],
      signOn: {
        attributeStatements: [
          { type: 'EXPRESSION', name: 'email', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', values: ['user.email'] },
          { type: 'EXPRESSION', name: 'urn:oid:2.5.4.42', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri', values: ['user.firstName'] },
          { type: 'EXPRESSION', name: 'fullName', values: ['user.firstName + " " + user.lastName'] },
          { type: 'EXPRESSION', name: 'several', values: ['"first"', 'String.toUpperCase(user.lastName)', 'static text'] },
          { type: 'EXPRESSION', name: 'templated', values: ['${user.firstName}@${org.subdomain}'] },
          { type: 'EXPRESSION', name: 'missing', values: ['user.mobilePhone'] },
          { type: 'GROUP', name: 'engineering', filterType: 'STARTS_WITH', filterValue: 'eng-' },
          { type: 'GROUP', name: 'sales', filterType: 'EQUALS', filterValue: 'sales' },
          { type: 'GROUP', name: 'front', filterType: 'CONTAINS', filterValue: 'front' },
          { type: 'GROUP', name: 'admins', filterType: 'REGEX', filterValue: '.*[Aa]dmin.*' },
          { type: 'GROUP', name: 'anchored', filterType: 'REGEX', filterValue: 'eng' },
          { type: 'GROUP', name: 'none', filterType: 'EQUALS', filterValue: 'Sales' },
        ],
      },
    });
  });

  it('each statement carries its values and NameFormat; group filters pick the groups by name', async () => {
    const { nav, client } = await signInTo(app, sam);
    const { profile, xml } = await validated(client, nav);
    const sorted = (v: unknown) => [...(Array.isArray(v) ? v : [v])].sort();
    expect(profile).toMatchObject({
      email: sam.username, 'urn:oid:2.5.4.42': 'Sam', fullName: 'Sam Person', several: ['first', 'PERSON', 'static text'], sales: 'sales',
      admins: 'Admins',
    });
    expect(sorted(profile!.engineering)).toEqual(['eng-backend', 'eng-frontend']);
    expect(sorted(profile!.front)).toEqual(['eng-frontend', 'frontline-support']);
    expect(profile!.templated).toMatch(/^Sam@/);
    // A regular expression must match the whole name; statements with no value are left out.
    for (const absent of ['anchored', 'none', 'missing']) expect(profile).not.toHaveProperty(absent);
    expect(xml).toMatch(/<saml:Attribute Name="email" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">/);
    expect(xml).toMatch(/<saml:Attribute Name="urn:oid:2.5.4.42" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">/);
    expect(xml).toMatch(/<saml:Attribute Name="engineering" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">/);
  });

  it('a user in none of the groups gets none of the group attributes', async () => {
    await api(t)(`/api/v1/apps/${app.id}/users`, { method: 'POST', json: { id: ids.gina } });
    const { nav, client } = await signInTo(app, gina);
    const { profile } = await validated(client, nav);
    for (const name of ['engineering', 'sales', 'front', 'admins']) expect(profile).not.toHaveProperty(name);
    expect(profile).toMatchObject({ email: gina.username, fullName: 'Gina Group' });
  });

  it('bad statements are refused when saved, with settings.signOn causes', async () => {
    const bad = [
      [{ type: 'GROUP', name: 'g', filterType: 'REGEX', filterValue: '(' }, /attributeStatements\.0\.filterValue/],
      [{ type: 'GROUP', name: 'g', filterType: 'LIKE', filterValue: 'x' }, /attributeStatements\.0\.filterType/],
      [{ type: 'GROUP', name: 'g', values: ['user.email'], filterType: 'EQUALS', filterValue: 'x' }, /attributeStatements\.0\.values/],
      [{ type: 'EXPRESSION', name: 'e', values: ['user.email +'] }, /attributeStatements\.0\.values\.0/],
      [{ type: 'EXPRESSION', name: 'e' }, /attributeStatements\.0\.values/],
    ] as const;
    for (const [statement, cause] of bad) {
      const res = await api(t)('/api/v1/apps', {
        method: 'POST',
        json: { label: 'Bad statement', signOnMode: 'SAML_2_0', settings: { signOn: { ssoAcsUrl: acsUrl, audience: spEntityId, attributeStatements: [statement] } } },
      });
      expect(res.status).toBe(400);
      expect(res.json.errorCode).toBe('E0000001');
      expect(res.json.errorCauses.map((c: { errorSummary: string }) => c.errorSummary).join(' ')).toMatch(cause);
    }
  });
});

describe('issuer, relay state and authentication context', () => {
  it('IdP-initiated: the defaultRelayState, a custom idpIssuer and authnContextClassRef are in the response', async () => {
    const app = await createSamlApp(t, {
      label: 'Issuer and context', assign: [ids.sam!],
      signOn: { defaultRelayState: '/start/here', idpIssuer: 'https://idp.example.test/${org.externalKey}/lanyard', authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password' },
    });
    expect(app.idpIssuer).toBe(`https://idp.example.test/${app.id}/lanyard`);
    const nav = await samlSignIn(new BrowserlessClient(t.url), app.ssoUrl, sam);
    const form = postedForm(nav)!;
    expect(form.fields.RelayState).toBe('/start/here');
    const client = sp(app, { validateInResponseTo: ValidateInResponseTo.never, authnContext: ['urn:oasis:names:tc:SAML:2.0:ac:classes:Password'] });
    const { profile } = await client.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! });
    expect(profile?.issuer).toBe(app.idpIssuer);
    expect(Buffer.from(form.fields.SAMLResponse!, 'base64').toString()).toContain('<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef>');
  });
});

describe('POST binding', () => {
  it('a POST-binding request from a signed-in browser is answered with the same settings', async () => {
    const app = await createSamlApp(t, { label: 'POST binding', assign: [ids.sam!], signOn: { subjectNameIdTemplate: '${user.firstName}.${user.lastName}' } });
    const browser = new BrowserlessClient(t.url);
    await samlSignIn(browser, app.ssoUrl, sam);
    const client = sp(app, { authnRequestBinding: 'HTTP-POST' });
    const relayState = '"><script>alert(1)</script>&x=<b>';
    const nav = await postBinding(browser, app.ssoUrl, await client.getAuthorizeMessageAsync(relayState) as Record<string, string>);
    const { profile, form } = await validated(client, nav);
    expect(profile?.nameID).toBe('Sam.Person');
    // The RelayState goes back exactly as it came, escaped in the page, under a CSP that allows only the submit script.
    expect(form.fields.RelayState).toBe(relayState);
    expect(nav.final.body).not.toContain('<script>alert(1)');
    expect(nav.final.headers.get('content-security-policy')).toMatch(/script-src 'sha256-[^']+'; form-action https:\/\/sp\.example\.test/);
  });
});

describe('the logs', () => {
  it('hold no SAML message, assertion, key or password', () => {
    expectCleanLogs(logs.lines, [sam.password]);
  });
});
