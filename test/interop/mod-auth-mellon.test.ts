/**
 * Apache's mod_auth_mellon (Lasso underneath), the SAML 2.0 service provider many existing sites
 * put in front of their apps, against a Lanyard SAML app made only from mellon's own metadata
 * (`mellon_create_metadata`, imported through `POST /api/v1/apps/import/saml`) and configured
 * only with Lanyard's IdP metadata, as one would configure it for Okta. Real Chromium goes to the
 * protected page, is sent to Lanyard's sign-in page with mellon's signed AuthnRequest, signs in,
 * and Lanyard posts the (signed, encrypted) response to mellon's ACS; the page shows what mellon
 * received. Single logout runs both ways: mellon's signed LogoutRequest ends the Lanyard session,
 * and signing out on Lanyard's page sends mellon a LogoutRequest that ends mellon's.
 *
 * Needs Debian's apache2, libapache2-mod-auth-mellon and chromium; without them it fails.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { createUser } from '../helpers/oidc.ts';
import { freePort } from '../helpers/ports.ts';
import {
  createMellonServiceProvider, mellonApachePaths, startMellonApache, type MellonServiceProvider, type TestApache,
} from '../helpers/apache.ts';
import { screenshot, signInOnLanyardPage } from '../helpers/chromium.ts';
import { apacheInChromium } from '../helpers/apache-browser.ts';

/**
 * mellon asks for transient NameIDs (NameIDPolicy), so each sign-in gets a fresh one: the tests
 * read it from the protected page. Each test still signs in its own person, so what one test
 * leaves behind cannot satisfy another.
 */
const transientNameId = /^_[0-9a-f]{32}$/;
const people = {
  signIn: { username: 'ada.lovelace@example.com', password: 'Analytical-Engine-1843', firstName: 'Ada', lastName: 'Lovelace' },
  spLogout: { username: 'grace.hopper@example.com', password: 'Compiler-A-0-1952', firstName: 'Grace', lastName: 'Hopper' },
  idpLogout: { username: 'katherine.johnson@example.com', password: 'Orbital-Mechanics-62', firstName: 'Katherine', lastName: 'Johnson' },
} as const;

let t: TestLanyard;
let sp: MellonServiceProvider;
let app: { id: string; name: string; signOn: Record<string, any> };
let page: Page;

/** Apache and Chromium for the file (these tests fail rather than skip), and a fresh page per test. */
const ui = apacheInChromium((p) => {
  page = p;
});

beforeAll(async () => {
  t = await startLanyard();
  const call = api(t);
  const userIds: string[] = [];
  for (const p of Object.values(people)) userIds.push(await createUser(t, p.username, p.password, { firstName: p.firstName, lastName: p.lastName }));
  const port = await freePort();
  // Everything mellon needs is part of starting it: a failure anywhere fails every test with its reason.
  await ui.start(async () => {
    sp = createMellonServiceProvider(port);
    const imported = await call('/api/v1/apps/import/saml', { method: 'POST', json: { label: 'Apache mod_auth_mellon', metadata: sp.metadata } });
    if (imported.status !== 200) throw new Error(`mellon's metadata was not imported: ${imported.status} ${imported.text}`);
    // The attributes mellon passes on as MELLON_email and MELLON_displayName: the one thing metadata cannot say.
    const signOn = {
      ...imported.json.settings.signOn,
      attributeStatements: [
        { type: 'EXPRESSION', name: 'email', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', values: ['user.email'] },
        { type: 'EXPRESSION', name: 'displayName', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', values: ['user.firstName + " " + user.lastName'] },
      ],
    };
    const replaced = await call(`/api/v1/apps/${imported.json.id}`, {
      method: 'PUT', json: { name: imported.json.name, label: imported.json.label, signOnMode: 'SAML_2_0', settings: { ...imported.json.settings, signOn } },
    });
    if (replaced.status !== 200) throw new Error(`attribute statements not saved: ${replaced.status} ${replaced.text}`);
    app = { id: replaced.json.id, name: replaced.json.name, signOn: replaced.json.settings.signOn };
    for (const id of userIds) {
      const assigned = await call(`/api/v1/apps/${app.id}/users`, { method: 'POST', json: { id } });
      if (assigned.status !== 200) throw new Error(`not assigned: ${assigned.text}`);
    }
    const idpMetadata = await (await fetch(`${t.url}/app/${app.id}/sso/saml/metadata`)).text();
    return startMellonApache({ port, serviceProvider: sp, idpMetadata, attributes: ['email', 'displayName'] });
  });
});
afterAll(async () => {
  await t?.close();
});

/** A Redirect-binding message's XML (`SAMLRequest` or `SAMLResponse` of a URL). */
function redirectMessage(url: string | URL, parameter: 'SAMLRequest' | 'SAMLResponse'): string {
  const value = new URL(url).searchParams.get(parameter);
  if (value === null) throw new Error(`${url} carries no ${parameter}`);
  return inflateRawSync(Buffer.from(value, 'base64')).toString('utf8');
}

/** Where mellon sends a visitor without a session: its login endpoint, then Lanyard's SSO URL with a signed AuthnRequest. */
async function mellonAuthnRedirect(apache: TestApache): Promise<URL> {
  const first = await fetch(`${apache.url}${mellonApachePaths.protectedPage}`, { redirect: 'manual' });
  await first.arrayBuffer();
  expect(first.status).toBe(303);
  const login = first.headers.get('location')!;
  expect(new URL(login).pathname).toBe(`${mellonApachePaths.endpoint}/login`);
  const second = await fetch(login, { redirect: 'manual' });
  await second.arrayBuffer();
  expect(second.status).toBe(303);
  return new URL(second.headers.get('location')!);
}

/** The module's complaints in Apache's error log (none are expected). */
function mellonComplaints(apache: TestApache): string[] {
  return apache.errorLog().split('\n').filter((line) => /\[auth_mellon:(emerg|alert|crit|error|warn)\]/.test(line));
}

/** Every URL the page's main frame navigates to (redirects included), from now on. */
function recordNavigations(target: Page): string[] {
  const urls: string[] = [];
  target.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === target.mainFrame()) urls.push(request.url());
  });
  return urls;
}

describe('Apache mod_auth_mellon against Lanyard', () => {
  it('makes the app from mellon\'s metadata: its ACS, entity ID, signing and encryption certificate, signed requests and single logout', async () => {
    ui.servers();
    const certificate = sp.certificatePem.replace(/-----[^-]+-----|\s/g, '');
    const site = new URL(sp.entityId).origin;
    expect(app.signOn).toMatchObject({
      ssoAcsUrl: `${site}${mellonApachePaths.acs}`, recipient: `${site}${mellonApachePaths.acs}`, destination: `${site}${mellonApachePaths.acs}`,
      audience: sp.entityId, spIssuer: sp.entityId,
      // mellon_create_metadata says AuthnRequestsSigned="true"; the import makes Lanyard insist on it.
      samlSignedRequestEnabled: true, spCertificate: { x5c: [certificate] },
      slo: { enabled: true, issuer: sp.entityId, logoutUrl: `${site}${mellonApachePaths.logout}` },
      participateSlo: { enabled: true, logoutRequestUrl: `${site}${mellonApachePaths.logout}`, bindingType: 'REDIRECT' },
      assertionEncryption: { enabled: true, x5c: [certificate] },
    });
    const metadata = await (await fetch(`${t.url}/app/${app.id}/sso/saml/metadata`)).text();
    expect(metadata).toContain('WantAuthnRequestsSigned="true"');
  });

  it('verifies mellon\'s signed AuthnRequest, and refuses it altered or without its signature', async () => {
    const { apache } = ui.servers();
    const sso = await mellonAuthnRedirect(apache);
    expect(`${sso.origin}${sso.pathname}`).toBe(`${t.url}/app/${app.name}/${app.id}/sso/saml`);
    expect(sso.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(sso.searchParams.get('Signature')).toBeTruthy();
    const request = redirectMessage(sso, 'SAMLRequest');
    expect(request).toContain(`<saml:Issuer>${sp.entityId}</saml:Issuer>`);
    expect(request).toContain(`Destination="${t.url}/app/${app.name}/${app.id}/sso/saml"`);

    const rawQuery = sso.search.slice(1);
    const withParameter = (name: string, value: string | undefined) => rawQuery.split('&')
      .flatMap((pair) => (pair.startsWith(`${name}=`) ? (value === undefined ? [] : [`${name}=${value}`]) : [pair])).join('&');
    // The same request sent elsewhere: another ACS in the XML, the signature left as it was.
    const altered = deflateRawSync(Buffer.from(request.replace(mellonApachePaths.acs, '/elsewhere'))).toString('base64');
    const refusals = {
      altered: withParameter('SAMLRequest', encodeURIComponent(altered)),
      otherRelayState: withParameter('RelayState', encodeURIComponent('https://attacker.example.test/')),
      unsigned: withParameter('Signature', undefined).split('&').filter((pair) => !pair.startsWith('SigAlg=')).join('&'),
    };
    for (const [what, query] of Object.entries(refusals)) {
      const res = await fetch(`${sso.origin}${sso.pathname}?${query}`, { redirect: 'manual' });
      const body = await res.text();
      expect(res.status, what).toBe(400);
      expect(body, what).toContain('Sign-in request refused');
      expect(body, what).toMatch(what === 'unsigned' ? /requires signed AuthnRequest/ : /signature does not verify/);
    }
    // The request as mellon signed it is accepted: the visitor is sent on to sign in.
    const accepted = await fetch(sso, { redirect: 'manual' });
    await accepted.arrayBuffer();
    expect(accepted.status).toBe(302);
    const parked = accepted.headers.get('location')!;
    expect(parked).toMatch(new RegExp(`^/app/${app.name}/${app.id}/sso/saml/continue/`));
    const signIn = await fetch(`${t.url}${parked}`, { redirect: 'manual' });
    await signIn.arrayBuffer();
    expect(signIn.headers.get('location')).toBe(`/login?fromURI=${encodeURIComponent(parked)}`);
  });

  it('sends a visitor to Lanyard\'s sign-in page and, signed in, shows the protected page with the NameID and attributes', async () => {
    const { apache } = ui.servers();
    const person = people.signIn;
    const protectedUrl = `${apache.url}${mellonApachePaths.protectedPage}`;
    const navigations = recordNavigations(page);
    await page.goto(protectedUrl);
    expect(new URL(page.url()).origin).toBe(t.url);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    await screenshot(page, 'mod-auth-mellon-signin');
    // mellon's AuthnRequest went to the app's SSO URL, signed.
    const authn = navigations.find((url) => url.startsWith(`${t.url}/app/${app.name}/${app.id}/sso/saml?`));
    expect(authn && new URL(authn).searchParams.get('Signature')).toBeTruthy();

    const posted: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${apache.url}${mellonApachePaths.acs}`) posted.push(request.postData() ?? '');
    });
    await signInOnLanyardPage(page, person.username, person.password);
    // Lanyard posted one response to mellon's ACS, its assertion encrypted for mellon's certificate.
    expect(posted).toHaveLength(1);
    const response = Buffer.from(new URLSearchParams(posted[0]).get('SAMLResponse') ?? '', 'base64').toString('utf8');
    expect(response).toContain(`Destination="${apache.url}${mellonApachePaths.acs}"`);
    expect(response).toMatch(/<saml2?:EncryptedAssertion/);
    expect(response).not.toContain(person.username);
    expect(page.url()).toBe(protectedUrl);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Protected by mod_auth_mellon');
    const nameId = await page.locator('#name_id').textContent();
    expect(nameId).toMatch(transientNameId);
    await expect(page.locator('#idp').textContent()).resolves.toBe(`http://www.okta.com/${app.id}`);
    await expect(page.locator('#attr_email').textContent()).resolves.toBe(person.username);
    await expect(page.locator('#attr_displayName').textContent()).resolves.toBe(`${person.firstName} ${person.lastName}`);
    await expect(page.locator('#remote_user').textContent()).resolves.toBe(nameId);
    await screenshot(page, 'mod-auth-mellon-protected');

    // mellon's own session holds: reloading does not go back to Lanyard.
    const before = navigations.length;
    await page.reload();
    expect(page.url()).toBe(protectedUrl);
    expect(navigations.slice(before)).toEqual([protectedUrl]);
    await expect(page.locator('#name_id').textContent()).resolves.toBe(nameId);
    expect(mellonComplaints(apache)).toEqual([]);
  });

  it('signs out through mellon\'s logout: a signed LogoutRequest ends the Lanyard session and mellon accepts the LogoutResponse', async () => {
    const { apache } = ui.servers();
    const person = people.spLogout;
    const protectedUrl = `${apache.url}${mellonApachePaths.protectedPage}`;
    await page.goto(protectedUrl);
    await signInOnLanyardPage(page, person.username, person.password);
    const nameId = await page.locator('#name_id').textContent();
    expect(nameId).toMatch(transientNameId);

    const navigations = recordNavigations(page);
    await Promise.all([page.waitForURL(`${apache.url}${mellonApachePaths.signedOut}`), page.locator('#logout').click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Signed out of Apache');
    await screenshot(page, 'mod-auth-mellon-signed-out');

    // mellon's LogoutRequest (signed, naming the subject and session) went to the app's SLO URL...
    const sloUrl = `${t.url}/app/${app.name}/${app.id}/slo/saml`;
    const logoutRequest = navigations.find((url) => url.startsWith(`${sloUrl}?SAMLRequest=`));
    expect(logoutRequest, navigations.join('\n')).toBeDefined();
    expect(new URL(logoutRequest!).searchParams.get('Signature')).toBeTruthy();
    const requestXml = redirectMessage(logoutRequest!, 'SAMLRequest');
    expect(requestXml).toContain(`<saml:Issuer>${sp.entityId}</saml:Issuer>`);
    expect(requestXml).toContain(`>${nameId}</saml:NameID>`);
    expect(requestXml).toMatch(/<samlp:SessionIndex>_[0-9a-f]+<\/samlp:SessionIndex>/);
    // ...and Lanyard's signed LogoutResponse came back to mellon's logout endpoint.
    const logoutResponse = navigations.find((url) => url.startsWith(`${apache.url}${mellonApachePaths.logout}?SAMLResponse=`));
    expect(logoutResponse, navigations.join('\n')).toBeDefined();
    expect(new URL(logoutResponse!).searchParams.get('Signature')).toBeTruthy();
    expect(redirectMessage(logoutResponse!, 'SAMLResponse')).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');

    // Both sessions are over: the protected page sends the visitor to Lanyard's form again.
    await page.goto(protectedUrl);
    expect(new URL(page.url()).origin).toBe(t.url);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    expect(mellonComplaints(apache)).toEqual([]);
  });

  it('signs out on Lanyard\'s page: Lanyard sends mellon a LogoutRequest, and mellon\'s session is gone too', async () => {
    const { apache } = ui.servers();
    const person = people.idpLogout;
    const protectedUrl = `${apache.url}${mellonApachePaths.protectedPage}`;
    await page.goto(protectedUrl);
    await signInOnLanyardPage(page, person.username, person.password);
    const nameId = await page.locator('#name_id').textContent();
    expect(nameId).toMatch(transientNameId);

    await page.goto(`${t.url}/logout`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign out?');
    const navigations = recordNavigations(page);
    // The browser's own complaints (a Content-Security-Policy that stops the way to mellon, say).
    const refusals: string[] = [];
    page.on('console', (message) => { if (message.type() === 'error') refusals.push(message.text()); });
    const back = page.waitForURL((url) => url.href.startsWith(`${t.url}/app/${app.name}/${app.id}/slo/saml?SAMLResponse=`), { waitUntil: 'load', timeout: 15_000 })
      .then(() => undefined, (error: Error) => error);
    await page.getByRole('button', { name: 'Sign out' }).click();
    const stopped = await back;
    if (stopped) {
      await page.waitForTimeout(500); // for the console message that says why
      throw new Error(`The sign-out did not come back from mellon (${stopped.message.split('\n')[0]}); the browser said: ${refusals.join(' | ') || 'nothing'}; it went to: ${navigations.join(' → ') || 'nowhere'}`);
    }
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('You have signed out');
    await screenshot(page, 'mod-auth-mellon-idp-signed-out');

    // Lanyard's signed LogoutRequest went to mellon's logout endpoint with the NameID and SessionIndex of the sign-in...
    const logoutRequest = navigations.find((url) => url.startsWith(`${apache.url}${mellonApachePaths.logout}?SAMLRequest=`));
    expect(logoutRequest, navigations.join('\n')).toBeDefined();
    expect(new URL(logoutRequest!).searchParams.get('Signature')).toBeTruthy();
    const requestXml = redirectMessage(logoutRequest!, 'SAMLRequest');
    expect(requestXml).toContain(`>${nameId}</saml:NameID>`);
    expect(requestXml).toContain(`Destination="${apache.url}${mellonApachePaths.logout}"`);
    // ...and mellon answered with a signed LogoutResponse that says it succeeded.
    const responseUrl = page.url();
    expect(new URL(responseUrl).searchParams.get('Signature')).toBeTruthy();
    expect(redirectMessage(responseUrl, 'SAMLResponse')).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');

    // mellon's session is gone: the protected page sends the visitor to Lanyard's sign-in form again.
    await page.goto(protectedUrl);
    expect(new URL(page.url()).origin).toBe(t.url);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    expect(mellonComplaints(apache)).toEqual([]);
  });
});
