/**
 * SAML apps through the management API: created and read back with Okta's Node SDK, settings
 * refused with Okta's E0000001 and `settings.signOn.*` causes, the IdP metadata through the API,
 * signing-key rotation (a new key, the app switched to it, responses and metadata follow), import
 * from the SP's metadata, deletion with the app's keys, and org isolation at every endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { createUser } from '../../helpers/oidc.ts';
import { adminClient, oktaError, type OktaClient } from '../../helpers/okta.ts';
import { createOrgWithAdmin, type TestOrg } from '../../helpers/orgs.ts';
import { testKeyPair } from '../../helpers/certificates.ts';
import { acsUrl, createSamlApp, postBinding, postedForm, samlSignIn, spEntityId, type TestSamlApp } from '../../helpers/saml.ts';
import { expectCleanLogs, expectRefused, logSink } from './support.ts';

const logs = logSink();
let t: TestLanyard;
let sdk: OktaClient;
let call: ReturnType<typeof api>;
const person = { username: 'api.person@example.com', password: 'Quiet-Lantern-Seven-7' };
let personId: string;
const spKeys = testKeyPair('import-sp-signing');
const spEncryption = testKeyPair('import-sp-encryption');
const certBody = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');

function sp(app: TestSamlApp, overrides: Partial<ConstructorParameters<typeof SAML>[0]> = {}) {
  return new SAML({
    entryPoint: app.ssoUrl, issuer: spEntityId, callbackUrl: acsUrl, idpCert: app.certificate, idpIssuer: app.idpIssuer,
    audience: spEntityId, wantAssertionsSigned: true, wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.always, signatureAlgorithm: 'sha256', digestAlgorithm: 'sha256', ...overrides,
  });
}

function causes(body: { errorCauses?: { errorSummary: string }[] }): string[] {
  return (body.errorCauses ?? []).map((c) => c.errorSummary);
}

const certificateOf = (metadata: string) => /<ds:X509Certificate>([^<]+)</.exec(metadata)?.[1];

/** What a SAML app is, as a test needs it, from an API representation. */
async function asTestApp(json: { id: string; name: string }, url = t.url): Promise<TestSamlApp> {
  const metadataUrl = `${url}/app/${json.id}/sso/saml/metadata`;
  const metadata = await (await fetch(metadataUrl)).text();
  return {
    id: json.id, name: json.name, metadataUrl, certificate: certificateOf(metadata)!, idpIssuer: /entityID="([^"]+)"/.exec(metadata)![1]!,
    ssoUrl: `${url}/app/${json.name}/${json.id}/sso/saml`, sloUrl: `${url}/app/${json.name}/${json.id}/slo/saml`,
  };
}

beforeAll(async () => {
  t = await startLanyard({ logger: logs.logger });
  sdk = adminClient(t);
  call = api(t);
  personId = await createUser(t, person.username, person.password, { firstName: 'Api', lastName: 'Person' });
});
afterAll(async () => t?.close());

describe('creating and reading SAML apps with Okta\'s SDK', () => {
  it('createApplication with a SamlApplication, then getApplication and listApplications return it in Okta\'s shape', async () => {
    const created = await sdk.applicationApi.createApplication({
      application: {
        label: 'SDK SAML App', signOnMode: 'SAML_2_0',
        settings: {
          signOn: {
            ssoAcsUrl: acsUrl, audience: spEntityId, recipient: acsUrl, destination: acsUrl,
            subjectNameIdTemplate: '${user.userName}', subjectNameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
            responseSigned: true, assertionSigned: true, signatureAlgorithm: 'RSA_SHA256', digestAlgorithm: 'SHA256',
            honorForceAuthn: true, authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
            idpIssuer: 'http://www.okta.com/${org.externalKey}', requestCompressed: false, allowMultipleAcsEndpoints: false,
            attributeStatements: [{ type: 'EXPRESSION', name: 'email', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', values: ['user.email'] }],
          },
        },
      } as never,
    });
    const app = created as unknown as Record<string, any>;
    expect(app).toMatchObject({ signOnMode: 'SAML_2_0', label: 'SDK SAML App', status: 'ACTIVE' });
    expect(app.id).toMatch(/^0oa/);
    expect(app.credentials.signing.kid).toMatch(/^akm/);
    const read = await sdk.applicationApi.getApplication({ appId: app.id }) as unknown as Record<string, any>;
    expect(read.settings.signOn).toMatchObject({
      ssoAcsUrl: acsUrl, audience: spEntityId, recipient: acsUrl, destination: acsUrl,
      subjectNameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', responseSigned: true, assertionSigned: true,
      signatureAlgorithm: 'RSA_SHA256', digestAlgorithm: 'SHA256', idpIssuer: 'http://www.okta.com/${org.externalKey}',
    });
    expect(read.settings.signOn.attributeStatements).toEqual([
      expect.objectContaining({ type: 'EXPRESSION', name: 'email', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', values: ['user.email'] }),
    ]);
    expect(read.credentials.signing.kid).toBe(app.credentials.signing.kid);
    expect(read._links.metadata.href).toBe(`${t.url}/api/v1/apps/${app.id}/sso/saml/metadata`);
    const all: string[] = [];
    for await (const item of await sdk.applicationApi.listApplications({})) if (item) all.push(item.id!);
    expect(all).toContain(app.id);

    // A GET → PUT round trip through the SDK is accepted and changes nothing it was not asked to.
    read.label = 'SDK SAML App renamed';
    const replaced = await sdk.applicationApi.replaceApplication({ appId: app.id, application: read as never }) as unknown as Record<string, any>;
    expect(replaced.label).toBe('SDK SAML App renamed');
    expect(replaced.settings.signOn.ssoAcsUrl).toBe(acsUrl);
    expect(replaced.credentials.signing.kid).toBe(app.credentials.signing.kid);

    // And the app works: assigned, a sign-in with node-saml.
    expect((await call(`/api/v1/apps/${app.id}/users`, { method: 'POST', json: { id: personId } })).status).toBe(200);
    const saml = await asTestApp(replaced as { id: string; name: string });
    const client = sp(saml, { identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' });
    const nav = await samlSignIn(new BrowserlessClient(t.url), await client.getAuthorizeUrlAsync('r', undefined, {}), person);
    const { profile } = await client.validatePostResponseAsync({ SAMLResponse: postedForm(nav)!.fields.SAMLResponse! });
    expect(profile).toMatchObject({ nameID: person.username, email: person.username, issuer: `http://www.okta.com/${app.id}` });
  });

  it('the defaults Okta applies: recipient and destination from ssoAcsUrl, both signatures, RSA-SHA256, ${user.userName}', async () => {
    const created = await call('/api/v1/apps', { method: 'POST', json: { label: 'Defaults', signOnMode: 'SAML_2_0', settings: { signOn: { ssoAcsUrl: acsUrl, audience: spEntityId } } } });
    expect(created.status).toBe(200);
    expect(created.json.settings.signOn).toMatchObject({
      recipient: acsUrl, destination: acsUrl, responseSigned: true, assertionSigned: true, signatureAlgorithm: 'RSA_SHA256',
      digestAlgorithm: 'SHA256', subjectNameIdTemplate: '${user.userName}', honorForceAuthn: true, allowMultipleAcsEndpoints: false,
      subjectNameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    });
  });
});

describe('settings Lanyard refuses', () => {
  const base = { ssoAcsUrl: acsUrl, audience: spEntityId };
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no ssoAcsUrl', { audience: spEntityId }, /^settings\.signOn\.ssoAcsUrl: is required/],
    ['no audience', { ssoAcsUrl: acsUrl }, /^settings\.signOn\.audience: is required/],
    ['a javascript: ACS URL', { ...base, ssoAcsUrl: 'javascript:alert(1)' }, /^settings\.signOn\.ssoAcsUrl: must be an absolute https or http URL/],
    ['a relative recipient', { ...base, recipient: '/acs' }, /^settings\.signOn\.recipient: must be an absolute/],
    ['an ACS URL with credentials', { ...base, ssoAcsUrl: 'https://user:pw@sp.example.test/acs' }, /^settings\.signOn\.ssoAcsUrl: must not contain a user name or password/],
    ['an unknown NameID format', { ...base, subjectNameIdFormat: 'urn:example:format' }, /^settings\.signOn\.subjectNameIdFormat: must be one of/],
    ['an unknown signature algorithm', { ...base, signatureAlgorithm: 'HS256' }, /^settings\.signOn\.signatureAlgorithm: must be one of RSA_SHA256, RSA_SHA1/],
    ['nothing signed', { ...base, responseSigned: false, assertionSigned: false }, /^settings\.signOn\.assertionSigned: either responseSigned or assertionSigned/],
    ['signed requests without a certificate', { ...base, samlSignedRequestEnabled: true }, /^settings\.signOn\.spCertificate: is required when samlSignedRequestEnabled/],
    ['an SP certificate that is not one', { ...base, spCertificate: { x5c: ['bm90IGEgY2VydGlmaWNhdGU='] } }, /^settings\.signOn\.spCertificate\.x5c\.0: is not a valid X\.509 certificate/],
    ['an EC certificate', { ...base, spCertificate: { x5c: [certBody(testKeyPair('ec-sp', 'ec').certificatePem)] } }, /^settings\.signOn\.spCertificate\.x5c\.0: must hold an RSA public key/],
    ['encryption without a certificate', { ...base, assertionEncryption: { enabled: true } }, /^settings\.signOn\.assertionEncryption\.x5c: must hold exactly one certificate/],
    ['an unknown encryption algorithm', { ...base, assertionEncryption: { enabled: true, encryptionAlgorithm: 'DES', x5c: [certBody(spEncryption.certificatePem)] } }, /^settings\.signOn\.assertionEncryption\.encryptionAlgorithm: must be one of/],
    ['two ACS endpoints with one index', { ...base, allowMultipleAcsEndpoints: true, acsEndpoints: [{ url: acsUrl, index: 0 }, { url: `${acsUrl}/2`, index: 0 }] }, /^settings\.signOn\.acsEndpoints\.1\.index: repeats index 0/],
    ['an ACS index out of range', { ...base, allowMultipleAcsEndpoints: true, acsEndpoints: [{ url: acsUrl, index: 70000 }] }, /^settings\.signOn\.acsEndpoints\.0\.index: must be from 0 to 65535/],
    ['two attribute statements with one name', { ...base, attributeStatements: [{ name: 'a', values: ['user.email'] }, { name: 'a', values: ['user.login'] }] }, /^settings\.signOn\.attributeStatements\.1\.name: must be unique/],
    ['single logout without a URL', { ...base, slo: { enabled: true }, spCertificate: { x5c: [certBody(spKeys.certificatePem)] } }, /^settings\.signOn\.slo\.logoutUrl: is required/],
    ['a string where a boolean goes', { ...base, honorForceAuthn: 'yes' }, /^settings\.signOn\.honorForceAuthn: must be true or false/],
  ];

  for (const [name, signOn, cause] of cases) {
    it(`${name}: 400 E0000001 with the settings.signOn cause, nothing created`, async () => {
      const before = (await call('/api/v1/apps?limit=200')).json.length;
      const res = await call('/api/v1/apps', { method: 'POST', json: { label: `Bad: ${name}`, signOnMode: 'SAML_2_0', settings: { signOn } } });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ errorCode: 'E0000001', errorSummary: expect.stringMatching(/validation failed/i) });
      expect(res.json.errorId).toBeTruthy();
      expect(causes(res.json)).toEqual(expect.arrayContaining([expect.stringMatching(cause)]));
      expect((await call('/api/v1/apps?limit=200')).json.length).toBe(before);
    });
  }

  it('an app name that cannot be a URL segment is refused; a good one is in the sign-on URLs', async () => {
    for (const name of ['a b/c', 'x?y#z', '../../oauth2', '<script>', 'x'.repeat(101)]) {
      const res = await call('/api/v1/apps', { method: 'POST', json: { name, label: 'Named', signOnMode: 'SAML_2_0', settings: { signOn: { ssoAcsUrl: acsUrl, audience: spEntityId } } } });
      expect(res.status).toBe(400);
      expect(causes(res.json)).toEqual([expect.stringMatching(/^name: must be 1 to 100 letters, digits/)]);
    }
    const res = await call('/api/v1/apps', { method: 'POST', json: { name: 'acme_saml-2', label: 'Named', signOnMode: 'SAML_2_0', settings: { signOn: { ssoAcsUrl: acsUrl, audience: spEntityId } } } });
    expect(res.status).toBe(200);
    expect(res.json.name).toBe('acme_saml-2');
    const metadata = await (await fetch(`${t.url}/app/${res.json.id}/sso/saml/metadata`)).text();
    expect(metadata).toContain(`Location="${t.url}/app/acme_saml-2/${res.json.id}/sso/saml"`);
  });

  it('the SDK sees the same error; a PUT with bad settings leaves the app as it was', async () => {
    const error = await oktaError(sdk.applicationApi.createApplication({
      application: { label: 'SDK bad', signOnMode: 'SAML_2_0', settings: { signOn: { audience: spEntityId, ssoAcsUrl: 'ftp://sp.example.test/acs' } } } as never,
    }));
    expect(error.status).toBe(400);
    expect(error.errorCode).toBe('E0000001');
    expect(error.errorCauses.map((c) => c.errorSummary)).toEqual(expect.arrayContaining([expect.stringMatching(/^settings\.signOn\.ssoAcsUrl: /)]));

    const app = await createSamlApp(t, { label: 'Keep me' });
    const before = (await call(`/api/v1/apps/${app.id}`)).json;
    const res = await call(`/api/v1/apps/${app.id}`, {
      method: 'PUT', json: { ...before, label: 'Changed', settings: { signOn: { ...before.settings.signOn, responseSigned: false, assertionSigned: false } } },
    });
    expect(res.status).toBe(400);
    expect(causes(res.json)).toEqual([expect.stringMatching(/^settings\.signOn\.assertionSigned: /)]);
    const after = (await call(`/api/v1/apps/${app.id}`)).json;
    expect(after.label).toBe('Keep me');
    expect(after.settings.signOn).toEqual(before.settings.signOn);
  });
});

describe('metadata through the API', () => {
  let app: TestSamlApp;
  beforeAll(async () => {
    app = await createSamlApp(t, { label: 'Metadata', signOn: { samlSignedRequestEnabled: true, spCertificate: { x5c: [certBody(spKeys.certificatePem)] } } });
  });

  it('GET /api/v1/apps/{id}/sso/saml/metadata (SSWS) is the public metadata', async () => {
    const viaApi = await call(`/api/v1/apps/${app.id}/sso/saml/metadata`, { headers: { accept: 'application/xml' } });
    expect(viaApi.status).toBe(200);
    expect(viaApi.headers.get('content-type')).toMatch(/xml/);
    const publicOne = await fetch(app.metadataUrl);
    expect(publicOne.status).toBe(200);
    expect(viaApi.text).toBe(await publicOne.text());
    expect(viaApi.text).toContain(`entityID="http://www.okta.com/${app.id}"`);
    expect(viaApi.text).toContain(`Location="${app.ssoUrl}"`);
    expect(viaApi.text).toMatch(/WantAuthnRequestsSigned="true"/);
    expect(viaApi.text).not.toMatch(/PRIVATE KEY/);
    const key = (await call(`/api/v1/apps/${app.id}/credentials/keys`)).json[0];
    expect(certificateOf(viaApi.text)).toBe(key.x5c[0]);
  });

  it('without a token, with a bad one, or for an unknown app: Okta\'s errors', async () => {
    const anonymous = await fetch(`${t.url}/api/v1/apps/${app.id}/sso/saml/metadata`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { errorCode: string }).errorCode).toBe('E0000011');
    const unknown = await call('/api/v1/apps/0oaunknownunknown1234/sso/saml/metadata');
    expect(unknown.status).toBe(404);
    expect(unknown.json.errorCode).toBe('E0000007');
    const oidc = await call('/api/v1/apps', {
      method: 'POST',
      json: { label: 'OIDC', signOnMode: 'OPENID_CONNECT', credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
        settings: { oauthClient: { redirect_uris: ['https://app.example.test/cb'], grant_types: ['authorization_code'], response_types: ['code'], application_type: 'web' } } },
    });
    expect(oidc.status).toBe(200);
    expect((await call(`/api/v1/apps/${oidc.json.id}/sso/saml/metadata`)).status).toBe(404);
    expect((await fetch(`${t.url}/app/${oidc.json.id}/sso/saml/metadata`)).status).toBe(404);
  });

  it('an inactive app\'s metadata is still readable through the API, not publicly', async () => {
    const inactive = await createSamlApp(t, { label: 'Inactive metadata' });
    expect((await call(`/api/v1/apps/${inactive.id}/lifecycle/deactivate`, { method: 'POST' })).status).toBe(200);
    expect((await call(`/api/v1/apps/${inactive.id}/sso/saml/metadata`)).status).toBe(200);
    expect((await fetch(inactive.metadataUrl)).status).toBe(404);
  });
});

describe('signing key rotation', () => {
  it('a new key, the app switched to it with PUT: responses and metadata use the new certificate', async () => {
    const app = await createSamlApp(t, { label: 'Rotating', assign: [personId] });
    const oldCert = app.certificate;
    const browser = new BrowserlessClient(t.url);
    const before = sp(app);
    const first = await samlSignIn(browser, await before.getAuthorizeUrlAsync('r', undefined, {}), person);
    await before.validatePostResponseAsync({ SAMLResponse: postedForm(first)!.fields.SAMLResponse! });

    const generated = await call(`/api/v1/apps/${app.id}/credentials/keys/generate?validityYears=2`, { method: 'POST' });
    expect(generated.status).toBe(201);
    const kid = generated.json.kid as string;
    const newCert = generated.json.x5c[0] as string;
    expect(newCert).not.toBe(oldCert);
    // Generating does not switch: the app keeps signing with its key until the admin says so.
    expect(certificateOf(await (await fetch(app.metadataUrl)).text())).toBe(oldCert);
    const preview = await call(`/api/v1/apps/${app.id}/sso/saml/metadata?kid=${kid}`);
    expect(certificateOf(preview.text)).toBe(newCert);

    const current = (await call(`/api/v1/apps/${app.id}`)).json;
    const put = await call(`/api/v1/apps/${app.id}`, { method: 'PUT', json: { ...current, credentials: { ...current.credentials, signing: { kid } } } });
    expect(put.status).toBe(200);
    expect(put.json.credentials.signing.kid).toBe(kid);
    expect(certificateOf(await (await fetch(app.metadataUrl)).text())).toBe(newCert);
    expect(certificateOf((await call(`/api/v1/apps/${app.id}/sso/saml/metadata`)).text)).toBe(newCert);

    const nav = await browser.get(await sp(app, { idpCert: newCert }).getAuthorizeUrlAsync('r', undefined, {}));
    const response = postedForm(nav)!.fields.SAMLResponse!;
    expect(Buffer.from(response, 'base64').toString()).toContain(newCert);
    const withNew = sp(app, { idpCert: newCert, validateInResponseTo: ValidateInResponseTo.never });
    expect((await withNew.validatePostResponseAsync({ SAMLResponse: response })).profile?.nameID).toBe(person.username);
    const withOld = sp(app, { idpCert: oldCert, validateInResponseTo: ValidateInResponseTo.never });
    await expect(withOld.validatePostResponseAsync({ SAMLResponse: response })).rejects.toThrow(/signature/i);
  });

  it('a key cloned from another app can be used: both apps then sign with one certificate', async () => {
    const source = await createSamlApp(t, { label: 'Clone source', assign: [personId] });
    const target = await createSamlApp(t, { label: 'Clone target', assign: [personId] });
    const kid = (await call(`/api/v1/apps/${source.id}`)).json.credentials.signing.kid as string;
    const cloned = await call(`/api/v1/apps/${source.id}/credentials/keys/${kid}/clone?targetAid=${target.id}`, { method: 'POST' });
    expect(cloned.status).toBe(201);
    const current = (await call(`/api/v1/apps/${target.id}`)).json;
    expect((await call(`/api/v1/apps/${target.id}`, { method: 'PUT', json: { ...current, credentials: { signing: { kid } } } })).status).toBe(200);
    expect(certificateOf(await (await fetch(target.metadataUrl)).text())).toBe(source.certificate);
    const client = sp(target, { idpCert: source.certificate });
    const nav = await samlSignIn(new BrowserlessClient(t.url), await client.getAuthorizeUrlAsync('r', undefined, {}), person);
    expect((await client.validatePostResponseAsync({ SAMLResponse: postedForm(nav)!.fields.SAMLResponse! })).profile?.nameID).toBe(person.username);
  });

  it('a kid of another app, or one that does not exist, is refused and the app keeps its key', async () => {
    const mine = await createSamlApp(t, { label: 'Mine' });
    const theirs = await createSamlApp(t, { label: 'Theirs' });
    const theirKid = (await call(`/api/v1/apps/${theirs.id}`)).json.credentials.signing.kid as string;
    const current = (await call(`/api/v1/apps/${mine.id}`)).json;
    for (const kid of [theirKid, 'akmDoesNotExist12345']) {
      const res = await call(`/api/v1/apps/${mine.id}`, { method: 'PUT', json: { ...current, credentials: { signing: { kid } } } });
      expect(res.status).toBe(400);
      expect(res.json.errorCode).toBe('E0000001');
      expect(causes(res.json)).toEqual([expect.stringMatching(/^credentials\.signing\.kid: The key .* is not a key of this app/)]);
    }
    expect((await call(`/api/v1/apps/${mine.id}`)).json.credentials.signing.kid).toBe(current.credentials.signing.kid);
    expect(certificateOf(await (await fetch(mine.metadataUrl)).text())).toBe(mine.certificate);
    // Nor can the metadata preview show another app's key.
    expect((await call(`/api/v1/apps/${mine.id}/sso/saml/metadata?kid=${theirKid}`)).status).toBe(404);
    const created = await call('/api/v1/apps', {
      method: 'POST', json: { label: 'Steals a key', signOnMode: 'SAML_2_0', credentials: { signing: { kid: theirKid } }, settings: { signOn: { ssoAcsUrl: acsUrl, audience: spEntityId } } },
    });
    expect(created.status).toBe(400);
    expect(causes(created.json)).toEqual([expect.stringMatching(/^credentials\.signing\.kid: /)]);
  });
});

describe('import from the SP\'s metadata', () => {
  const importedAcs = 'https://imported.example.test/saml/acs';
  const importedEntity = 'https://imported.example.test/saml/metadata';
  function spMetadata(options: { signing?: boolean; encryption?: boolean; acs?: string } = {}): string {
    const generator = new SAML({
      issuer: importedEntity, callbackUrl: options.acs ?? importedAcs, idpCert: 'unused', entryPoint: 'https://idp.example.test/sso',
      ...(options.signing ? { privateKey: spKeys.privateKeyPem, publicCert: spKeys.certificatePem } : {}),
      ...(options.encryption ? { decryptionPvk: spEncryption.privateKeyPem } : {}),
    });
    return generator.generateServiceProviderMetadata(options.encryption ? spEncryption.certificatePem : null, options.signing ? spKeys.certificatePem : null);
  }

  it('POST /api/v1/apps/import/saml makes a working app from node-saml\'s metadata', async () => {
    const metadata = spMetadata({ signing: true, encryption: true });
    expect(metadata).toMatch(/AuthnRequestsSigned="true"/);
    const res = await call('/api/v1/apps/import/saml', { method: 'POST', json: { label: 'Imported SP', metadata } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ signOnMode: 'SAML_2_0', status: 'ACTIVE', label: 'Imported SP' });
    expect(res.json.settings.signOn).toMatchObject({
      ssoAcsUrl: importedAcs, audience: importedEntity, samlSignedRequestEnabled: true,
      spCertificate: { x5c: [certBody(spKeys.certificatePem)] },
      assertionEncryption: { enabled: true, x5c: [certBody(spEncryption.certificatePem)] },
    });
    expect((await call(`/api/v1/apps/${res.json.id}/users`, { method: 'POST', json: { id: personId } })).status).toBe(200);
    const app = await asTestApp(res.json);
    const client = sp(app, {
      issuer: importedEntity, callbackUrl: importedAcs, audience: importedEntity, privateKey: spKeys.privateKeyPem, decryptionPvk: spEncryption.privateKeyPem,
    });
    const nav = await samlSignIn(new BrowserlessClient(t.url), await client.getAuthorizeUrlAsync('imported', undefined, {}), person);
    const form = postedForm(nav);
    expect(form?.action).toBe(importedAcs);
    expect(Buffer.from(form!.fields.SAMLResponse!, 'base64').toString()).toContain('EncryptedAssertion');
    expect((await client.validatePostResponseAsync({ SAMLResponse: form!.fields.SAMLResponse! })).profile?.nameID).toBe(person.username);
    // The imported app wants signed requests: an unsigned one is refused.
    const unsigned = sp(app, { issuer: importedEntity, callbackUrl: importedAcs, audience: importedEntity });
    expectRefused(await new BrowserlessClient(t.url).get(await unsigned.getAuthorizeUrlAsync('x', undefined, {})), 400, /requires signed/);
  });

  it('POST /api/v1/apps/{id}/sso/saml/import updates the sign-on settings and keeps the rest', async () => {
    const app = await createSamlApp(t, { label: 'To update', signOn: { subjectNameIdTemplate: '${user.firstName}', defaultRelayState: '/home' } });
    const res = await call(`/api/v1/apps/${app.id}/sso/saml/import`, { method: 'POST', json: { metadata: spMetadata({ acs: `${importedAcs}/v2` }) } });
    expect(res.status).toBe(200);
    expect(res.json.label).toBe('To update');
    expect(res.json.settings.signOn).toMatchObject({
      ssoAcsUrl: `${importedAcs}/v2`, recipient: `${importedAcs}/v2`, destination: `${importedAcs}/v2`, audience: importedEntity,
      subjectNameIdTemplate: '${user.firstName}', defaultRelayState: '/home',
    });
  });

  const bad: Array<[string, () => string, RegExp]> = [
    ['a DOCTYPE', () => `<!DOCTYPE md:EntityDescriptor [<!ENTITY x SYSTEM "file:///etc/passwd">]>${spMetadata()}`, /^metadata: Document type declarations are not allowed/],
    ['an entity-expansion DOCTYPE', () => `<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${spMetadata()}`, /^metadata: Document type declarations/],
    ['an AuthnRequest, not metadata', () => '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0" IssueInstant="2024-01-01T00:00:00Z"/>', /^metadata: /],
    ['IdP metadata', () => '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.test"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.test/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>', /^metadata: /],
    ['XML that is not well-formed', () => spMetadata().slice(0, -30), /^metadata: .*not well-formed/],
    ['text', () => 'hello', /^metadata: /],
    ['an ACS that is not http(s)', () => spMetadata().replace(importedAcs, 'javascript:alert(1)'), /^metadata: /],
    ['expired metadata', () => spMetadata().replace('<EntityDescriptor ', '<EntityDescriptor validUntil="2001-01-01T00:00:00Z" '), /^metadata: .*expired|validUntil/i],
  ];

  for (const [name, metadata, cause] of bad) {
    it(`${name}: 400 with a metadata: cause, nothing created or changed`, async () => {
      const xml = metadata();
      const before = (await call('/api/v1/apps?limit=200')).json.length;
      const created = await call('/api/v1/apps/import/saml', { method: 'POST', json: { label: `Bad import ${name}`, metadata: xml } });
      expect(created.status).toBe(400);
      expect(created.json.errorCode).toBe('E0000001');
      expect(causes(created.json)).toEqual([expect.stringMatching(cause)]);
      expect(created.text).not.toMatch(/root:x:0:0/);
      expect((await call('/api/v1/apps?limit=200')).json.length).toBe(before);
    });
  }

  it('an update with bad metadata leaves the app unchanged; other apps and missing fields get Okta\'s errors', async () => {
    const app = await createSamlApp(t, { label: 'Unchanged' });
    const before = (await call(`/api/v1/apps/${app.id}`)).json;
    const res = await call(`/api/v1/apps/${app.id}/sso/saml/import`, { method: 'POST', json: { metadata: `<!DOCTYPE x>${spMetadata()}` } });
    expect(res.status).toBe(400);
    expect(causes(res.json)).toEqual([expect.stringMatching(/^metadata: /)]);
    expect((await call(`/api/v1/apps/${app.id}`)).json).toEqual(before);
    const missing = await call(`/api/v1/apps/${app.id}/sso/saml/import`, { method: 'POST', json: {} });
    expect(missing.status).toBe(400);
    expect(causes(missing.json).join(' ')).toMatch(/metadata/);
    const noLabel = await call('/api/v1/apps/import/saml', { method: 'POST', json: { metadata: spMetadata() } });
    expect(noLabel.status).toBe(400);
    expect(causes(noLabel.json).join(' ')).toMatch(/label/);
    const tooBig = await call('/api/v1/apps/import/saml', { method: 'POST', json: { label: 'Big', metadata: `${spMetadata()}${' '.repeat(300 * 1024)}` } });
    expect(tooBig.status).toBe(400);
    expect(causes(tooBig.json).join(' ')).toMatch(/metadata: .*256 KiB/);
    const unknown = await call('/api/v1/apps/0oaunknownunknown1234/sso/saml/import', { method: 'POST', json: { metadata: spMetadata() } });
    expect(unknown.status).toBe(404);
    expect(unknown.json.errorCode).toBe('E0000007');
    const bookmark = await call('/api/v1/apps', { method: 'POST', json: { label: 'Bookmark', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://example.test/' } } } });
    expect(bookmark.status).toBe(200);
    const wrongMode = await call(`/api/v1/apps/${bookmark.json.id}/sso/saml/import`, { method: 'POST', json: { metadata: spMetadata() } });
    expect(wrongMode.status).toBe(400);
    expect(causes(wrongMode.json)).toEqual([expect.stringMatching(/^signOnMode: /)]);
  });
});

describe('deleting a SAML app', () => {
  it('removes its keys; its endpoints answer 404', async () => {
    const app = await createSamlApp(t, { label: 'To delete', assign: [personId] });
    expect((await call(`/api/v1/apps/${app.id}/credentials/keys/generate?validityYears=2`, { method: 'POST' })).status).toBe(201);
    const orgId = (await call('/api/v1/org')).json.id as string;
    const keysOf = () => t.lanyard.store.forOrg(orgId).signingKeys.listForOwner('app', app.id);
    expect(await keysOf()).toHaveLength(2);
    const active = await call(`/api/v1/apps/${app.id}`, { method: 'DELETE' });
    expect(active.status).toBe(403);
    expect((await call(`/api/v1/apps/${app.id}/lifecycle/deactivate`, { method: 'POST' })).status).toBe(200);
    expect((await call(`/api/v1/apps/${app.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await keysOf()).toEqual([]);
    expect((await call(`/api/v1/apps/${app.id}/credentials/keys`)).status).toBe(404);
    expect((await call(`/api/v1/apps/${app.id}/sso/saml/metadata`)).status).toBe(404);
    expect((await fetch(app.metadataUrl)).status).toBe(404);
    expectRefused(await new BrowserlessClient(t.url).get(app.ssoUrl), 404, /Not found/);
  });
});

describe('org isolation', () => {
  let other: TestOrg;
  let otherUrl: string;
  let app: TestSamlApp;
  let otherCall: ReturnType<typeof api>;

  beforeAll(async () => {
    app = await createSamlApp(t, { label: 'Only in the first org', assign: [personId] });
    other = await createOrgWithAdmin(t, 'globex', '127.0.0.1');
    otherUrl = `http://127.0.0.1:${t.port}`;
    otherCall = api({ url: otherUrl, token: other.token });
  });

  it('the other org\'s admin API answers 404 E0000007 for the app at every endpoint', async () => {
    const kid = (await call(`/api/v1/apps/${app.id}`)).json.credentials.signing.kid as string;
    const requests: Array<[string, string, unknown?]> = [
      ['GET', `/api/v1/apps/${app.id}`],
      ['PUT', `/api/v1/apps/${app.id}`, { label: 'Hijacked', signOnMode: 'SAML_2_0', settings: { signOn: { ssoAcsUrl: 'https://evil.example.test/acs', audience: 'evil' } } }],
      ['GET', `/api/v1/apps/${app.id}/sso/saml/metadata`],
      ['GET', `/api/v1/apps/${app.id}/sso/saml/metadata?kid=${kid}`],
      ['POST', `/api/v1/apps/${app.id}/sso/saml/import`, { metadata: '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>' }],
      ['GET', `/api/v1/apps/${app.id}/credentials/keys`],
      ['GET', `/api/v1/apps/${app.id}/credentials/keys/${kid}`],
      ['POST', `/api/v1/apps/${app.id}/credentials/keys/generate?validityYears=2`],
      ['POST', `/api/v1/apps/${app.id}/lifecycle/deactivate`],
      ['GET', `/api/v1/apps/${app.id}/users`],
      ['POST', `/api/v1/apps/${app.id}/users`, { id: other.adminId }],
      ['DELETE', `/api/v1/apps/${app.id}`],
    ];
    for (const [method, path, json] of requests) {
      const res = await otherCall(path, { method, ...(json ? { json } : {}) });
      expect({ method, path, status: res.status, code: res.json?.errorCode }).toEqual({ method, path, status: 404, code: 'E0000007' });
    }
    // Nothing changed in the first org.
    const still = (await call(`/api/v1/apps/${app.id}`)).json;
    expect(still).toMatchObject({ status: 'ACTIVE', label: 'Only in the first org' });
    expect(still.settings.signOn.ssoAcsUrl).toBe(acsUrl);
    expect((await call(`/api/v1/apps/${app.id}/credentials/keys`)).json).toHaveLength(1);
  });

  it('the other org cannot sign with the app\'s key', async () => {
    const kid = (await call(`/api/v1/apps/${app.id}`)).json.credentials.signing.kid as string;
    const res = await otherCall('/api/v1/apps', {
      method: 'POST', json: { label: 'Borrower', signOnMode: 'SAML_2_0', credentials: { signing: { kid } }, settings: { signOn: { ssoAcsUrl: acsUrl, audience: spEntityId } } },
    });
    expect(res.status).toBe(400);
    expect(causes(res.json)).toEqual([expect.stringMatching(/^credentials\.signing\.kid: /)]);
  });

  it('the browser endpoints on the other org\'s host are 404 pages, never a form', async () => {
    const onOther = (url: string) => url.replace(t.url, otherUrl);
    const browser = new BrowserlessClient(otherUrl);
    expectRefused(await browser.get(onOther(app.ssoUrl)), 404, /Not found/);
    expectRefused(await browser.get(`${onOther(app.ssoUrl)}?SAMLRequest=${encodeURIComponent('fZA9T8MwEIZ3')}`), 404, /Not found/);
    expectRefused(await postBinding(browser, onOther(app.ssoUrl), { SAMLRequest: 'PHg+' }), 404, /Not found/);
    expectRefused(await browser.get(`${onOther(app.ssoUrl)}/continue/abcdefabcdefabcdefabcdef`), 404, /Not found/);
    expectRefused(await browser.get(onOther(app.sloUrl)), 404, /Not found/);
    expect((await fetch(onOther(app.metadataUrl))).status).toBe(404);
    // A request parked in the first org cannot be continued from the second.
    const parked = await new BrowserlessClient(t.url).request(await sp(app).getAuthorizeUrlAsync('r', undefined, {}));
    expect(parked.location).toMatch(/\/continue\//);
    expectRefused(await browser.get(onOther(parked.location!)), 404, /Not found/);
    // The control: the first org answers.
    expect((await fetch(app.metadataUrl)).status).toBe(200);
  });

  it('the first org\'s token means nothing on the other org\'s host', async () => {
    const res = await api({ url: otherUrl, token: t.token })(`/api/v1/apps/${app.id}`);
    expect(res.status).toBe(401);
    expect(res.json.errorCode).toBe('E0000011');
  });
});

describe('the logs', () => {
  it('hold no SAML message, assertion, metadata key or password', () => {
    expectCleanLogs(logs.lines, [person.password, spKeys.privateKeyPem.split('\n')[1]!]);
  });
});
