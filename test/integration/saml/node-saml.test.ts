/**
 * Full SAML sign-ins with `@node-saml/node-saml` as the service provider (the library behind
 * passport-saml): SP-initiated over the Redirect and POST bindings, IdP-initiated, each response
 * validated by node-saml against the certificate from Lanyard's metadata.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { createUser } from '../../helpers/oidc.ts';
import { acsUrl, createSamlApp, postBinding, postedForm, samlSignIn, spEntityId, type TestSamlApp } from '../../helpers/saml.ts';

let t: TestLanyard;
let app: TestSamlApp;
const person = { username: 'saml.person@example.com', password: 'Quiet-Lantern-Seven-7' };

function serviceProvider(overrides: Partial<ConstructorParameters<typeof SAML>[0]> = {}) {
  return new SAML({
    entryPoint: app.ssoUrl, issuer: spEntityId, callbackUrl: acsUrl, idpCert: app.certificate, idpIssuer: app.idpIssuer,
    audience: spEntityId, wantAssertionsSigned: true, wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.ifPresent, ...overrides,
  });
}

beforeAll(async () => {
  t = await startLanyard();
  const userId = await createUser(t, person.username, person.password, { firstName: 'Sam', lastName: 'Person' });
  app = await createSamlApp(t, {
    assign: [userId],
    signOn: {
      attributeStatements: [
        { type: 'EXPRESSION', name: 'email', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', values: ['user.email'] },
        { type: 'EXPRESSION', name: 'displayName', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified', values: ['user.firstName + " " + user.lastName'] },
      ],
    },
  });
});
afterAll(async () => t?.close());

describe('SAML sign-in with node-saml as the service provider', () => {
  it('SP-initiated over HTTP-Redirect: sign-in form, then a signed response node-saml accepts', async () => {
    const sp = serviceProvider();
    const url = await sp.getAuthorizeUrlAsync('relay-123', undefined, {});
    const nav = await samlSignIn(new BrowserlessClient(t.url), url, person);
    const form = postedForm(nav);
    expect(form?.action).toBe(acsUrl);
    expect(form!.fields.RelayState).toBe('relay-123');
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: form!.fields.SAMLResponse! });
    expect(profile).toMatchObject({ nameID: person.username, issuer: app.idpIssuer, email: person.username, displayName: 'Sam Person' });
  });

  it('SP-initiated over HTTP-POST, with a session already there: no sign-in form', async () => {
    const browser = new BrowserlessClient(t.url);
    await samlSignIn(browser, app.ssoUrl, person);
    const sp = serviceProvider({ authnRequestBinding: 'HTTP-POST' });
    const message = await sp.getAuthorizeMessageAsync('post-relay', undefined, {});
    const nav = await postBinding(browser, app.ssoUrl, message as Record<string, string>);
    const form = postedForm(nav);
    expect(form?.action).toBe(acsUrl);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: form!.fields.SAMLResponse! });
    expect(profile?.nameID).toBe(person.username);
  });

  it('IdP-initiated: a response without InResponseTo, with the RelayState asked for', async () => {
    const nav = await samlSignIn(new BrowserlessClient(t.url), `${app.ssoUrl}?RelayState=%2Fdashboard`, person);
    const form = postedForm(nav);
    expect(form?.fields.RelayState).toBe('/dashboard');
    const xml = Buffer.from(form!.fields.SAMLResponse!, 'base64').toString();
    expect(xml).not.toContain('InResponseTo');
    const { profile } = await serviceProvider({ validateInResponseTo: ValidateInResponseTo.never }).validatePostResponseAsync({ SAMLResponse: form!.fields.SAMLResponse! });
    expect(profile?.nameID).toBe(person.username);
  });
});

describe('NameIDPolicy', () => {
  it('gives a transient NameID when the request asks for one, the same for the rest of the session', async () => {
    const sp = serviceProvider({ identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' });
    const browser = new BrowserlessClient(t.url);
    const first = postedForm(await samlSignIn(browser, await sp.getAuthorizeUrlAsync('', undefined, {}), person));
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: first!.fields.SAMLResponse! });
    expect(profile?.nameIDFormat).toBe('urn:oasis:names:tc:SAML:2.0:nameid-format:transient');
    expect(profile?.nameID).toMatch(/^_[0-9a-f]{32}$/);
    const again = postedForm(await samlSignIn(browser, await sp.getAuthorizeUrlAsync('', undefined, {}), person));
    expect((await sp.validatePostResponseAsync({ SAMLResponse: again!.fields.SAMLResponse! })).profile?.nameID).toBe(profile?.nameID);
    // Another session gets another one.
    const other = postedForm(await samlSignIn(new BrowserlessClient(t.url), await sp.getAuthorizeUrlAsync('', undefined, {}), person));
    expect((await sp.validatePostResponseAsync({ SAMLResponse: other!.fields.SAMLResponse! })).profile?.nameID).not.toBe(profile?.nameID);
  });
});

describe('refused requests in the system log', () => {
  it('records why a request was refused, naming the app, without the request itself', async () => {
    const sp = serviceProvider({ callbackUrl: 'https://elsewhere.example.test/acs' });
    const url = await sp.getAuthorizeUrlAsync('', undefined, {});
    const nav = await new BrowserlessClient(t.url).get(url);
    expect(nav.final.status).toBe(400);
    const logs = await api(t)(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.authentication.sso" and outcome.result eq "FAILURE"')}`);
    const event = logs.json.find((e: any) => e.target?.some((target: any) => target.id === app.id));
    expect(event).toMatchObject({ severity: 'WARN', outcome: { result: 'FAILURE', reason: 'The AssertionConsumerServiceURL is not registered for this app.' } });
    expect(JSON.stringify(logs.json)).not.toContain(new URL(url).searchParams.get('SAMLRequest')!.slice(0, 40));
  });
});
