/**
 * What Lanyard's WS-Federation endpoints accept and refuse, on both stores: the federation
 * metadata (entityID, passive endpoint, the app's own signing certificate); a wrong realm or an
 * unregistered reply URL gets an error page and nothing posted; `wReplyOverride` lets a `wreply`
 * pick another page of the registered site and nothing else; inactive apps, apps of another org,
 * unknown apps and wrong app names are 404; overlong, repeated or malformed parameters are a 400
 * page, never a 500.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { createUser } from '../../helpers/oidc.ts';
import { BrowserlessClient, textOf, type Navigation } from '../../helpers/browserless.ts';
import { postedForm, samlSignIn } from '../../helpers/saml.ts';
import { createOrgWithAdmin, type TestOrg } from '../../helpers/orgs.ts';

const replyUrl = 'https://rp.example.test/wsfed/signin';
const person = { username: 'wsfed.requests@example.com', password: 'Quiet-Lantern-Seven-7' };
const md = 'urn:oasis:names:tc:SAML:2.0:metadata';
const fed = 'http://docs.oasis-open.org/wsfed/federation/200706';
const wsa = 'http://www.w3.org/2005/08/addressing';
const ds = 'http://www.w3.org/2000/09/xmldsig#';

interface WsFedApp {
  readonly id: string;
  readonly realm: string;
  readonly passiveUrl: string;
}

let t: TestLanyard;
let personId: string;
let other: TestOrg;
/** The second org answers on 127.0.0.1 (its custom domain); the first on localhost. */
let otherUrl: string;

async function createWsFedApp(app: Record<string, unknown>, base: { url: string; token: string } = t): Promise<WsFedApp> {
  const created = await api(base)('/api/v1/apps', {
    method: 'POST',
    json: { name: 'template_wsfed', label: 'WS-Fed app', signOnMode: 'WS_FEDERATION', settings: { app: { wReplyURL: replyUrl, ...app } } },
  });
  if (created.status !== 200) throw new Error(`WS-Federation app not created: ${created.status} ${created.text}`);
  const id = created.json.id as string;
  if (base === t) {
    const assigned = await api(t)(`/api/v1/apps/${id}/users`, { method: 'POST', json: { id: personId } });
    if (assigned.status !== 200) throw new Error(`not assigned: ${assigned.text}`);
  }
  return { id, realm: (app.realm as string | undefined) || `urn:okta:app:${id}`, passiveUrl: `${base.url}/app/template_wsfed/${id}/sso/wsfed/passive` };
}

function signInUrl(app: WsFedApp, extra: Record<string, string> = {}): string {
  return `${app.passiveUrl}?${new URLSearchParams({ wa: 'wsignin1.0', wtrealm: app.realm, ...extra })}`;
}

/** An error page: the status, HTML, nothing posted anywhere and no redirect away from Lanyard. */
function expectRefusal(nav: Navigation, status: number, says?: RegExp): void {
  expect(nav.final.status, textOf(nav.final.body).slice(0, 300)).toBe(status);
  expect(nav.final.headers.get('content-type')).toMatch(/^text\/html/);
  expect(nav.final.location).toBeUndefined();
  expect(postedForm(nav)).toBeUndefined();
  expect(nav.final.body).not.toContain('wresult');
  if (says) expect(textOf(nav.final.body)).toMatch(says);
}

beforeAll(async () => {
  t = await startLanyard();
  personId = await createUser(t, person.username, person.password);
  other = await createOrgWithAdmin(t, 'globex', '127.0.0.1');
  otherUrl = `http://127.0.0.1:${t.port}`;
});
afterAll(async () => t?.close());

describe('federation metadata', () => {
  it('names the issuer, the passive endpoint and the app\'s own signing certificate', async () => {
    const app = await createWsFedApp({ realm: 'urn:example:metadata', usernameAttribute: 'upn', attributeStatements: 'givenname|${user.firstName}' });
    const response = await fetch(`${t.url}/app/${app.id}/sso/wsfed/metadata`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/xml/);
    const doc = new DOMParser().parseFromString(await response.text(), 'text/xml');
    const root = doc.documentElement!;
    expect(root.namespaceURI).toBe(md);
    expect(root.localName).toBe('EntityDescriptor');
    expect(root.getAttribute('entityID')).toBe(`http://www.okta.com/${app.id}`);
    const role = root.getElementsByTagNameNS(md, 'RoleDescriptor')[0]!;
    expect(role.getAttribute('protocolSupportEnumeration')).toBe(fed);
    const passive = role.getElementsByTagNameNS(fed, 'PassiveRequestorEndpoint')[0]!;
    expect(passive.getElementsByTagNameNS(wsa, 'Address')[0]!.textContent).toBe(app.passiveUrl);
    const offered = Array.from(role.getElementsByTagNameNS(fed, 'TokenType') as unknown as ArrayLike<Element>).map((e) => e.getAttribute('Uri'));
    expect(offered).toEqual(expect.arrayContaining(['urn:oasis:names:tc:SAML:2.0:assertion', 'urn:oasis:names:tc:SAML:1.0:assertion']));
    const claimTypes = Array.from(role.getElementsByTagNameNS('http://docs.oasis-open.org/wsfed/authorization/200706', 'ClaimType') as unknown as ArrayLike<Element>)
      .map((e) => e.getAttribute('Uri'));
    expect(claimTypes).toEqual(['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname']);

    // The certificate is the app's current key, as the keys API shows it.
    const certificate = role.getElementsByTagNameNS(ds, 'X509Certificate')[0]!.textContent!.replace(/\s+/g, '');
    const appJson = (await api(t)(`/api/v1/apps/${app.id}`)).json;
    const key = await api(t)(`/api/v1/apps/${app.id}/credentials/keys/${appJson.credentials.signing.kid}`);
    expect(key.status).toBe(200);
    expect(certificate).toBe(key.json.x5c[0]);
    expect(new X509Certificate(Buffer.from(certificate, 'base64')).publicKey.export({ format: 'jwk' })).toMatchObject({ n: key.json.n, e: key.json.e });
  });

  it('follows the app when it signs with another of its keys', async () => {
    const app = await createWsFedApp({ realm: 'urn:example:rotated' });
    const call = api(t);
    const generated = await call(`/api/v1/apps/${app.id}/credentials/keys/generate?validityYears=2`, { method: 'POST' });
    expect(generated.status).toBe(201);
    const current = (await call(`/api/v1/apps/${app.id}`)).json;
    const updated = await call(`/api/v1/apps/${app.id}`, {
      method: 'PUT', json: { ...current, credentials: { ...current.credentials, signing: { kid: generated.json.kid } } },
    });
    expect(updated.status, updated.text).toBe(200);
    const metadata = await (await fetch(`${t.url}/app/${app.id}/sso/wsfed/metadata`)).text();
    expect(metadata).toContain(generated.json.x5c[0]);
  });

  it('is 404 for an unknown app, a SAML app, another org\'s app and an inactive app', async () => {
    const inactive = await createWsFedApp({ realm: 'urn:example:inactive-metadata' });
    expect((await api(t)(`/api/v1/apps/${inactive.id}/lifecycle/deactivate`, { method: 'POST' })).status).toBe(200);
    const foreign = await createWsFedApp({ realm: 'urn:example:foreign-metadata' }, { url: otherUrl, token: other.token });
    const saml = await api(t)('/api/v1/apps', {
      method: 'POST', json: { label: 'SAML', signOnMode: 'SAML_2_0', settings: { signOn: { ssoAcsUrl: 'https://sp.example.test/acs', audience: 'https://sp.example.test/' } } },
    });
    expect(saml.status).toBe(200);
    for (const id of ['0oaDoesNotExist', inactive.id, foreign.id, saml.json.id, 'x'.repeat(500)]) {
      const response = await fetch(`${t.url}/app/${id}/sso/wsfed/metadata`);
      expect(response.status, id).toBe(404);
    }
    // The other org serves its own app.
    expect((await fetch(`${otherUrl}/app/${foreign.id}/sso/wsfed/metadata`)).status).toBe(200);
  });
});

describe('realm and reply URL', () => {
  let app: WsFedApp;
  beforeAll(async () => {
    app = await createWsFedApp({ realm: 'urn:example:strict-rp' });
  });

  it('a wrong or missing realm gets an error page and nothing posted, signed in or not', async () => {
    const browser = new BrowserlessClient(t.url);
    expectRefusal(await browser.get(signInUrl(app, { wtrealm: 'urn:example:someone-else' })), 400, /wtrealm is not this app's realm/);
    expectRefusal(await browser.get(`${app.passiveUrl}?wa=wsignin1.0`), 400, /wtrealm is required/);
    expectRefusal(await browser.get(signInUrl(app, { wtrealm: 'urn:example:strict-rp ' })), 400);
    // With a session, still nothing.
    expect(postedForm(await samlSignIn(browser, signInUrl(app), person))?.action).toBe(replyUrl);
    expectRefusal(await browser.get(signInUrl(app, { wtrealm: 'urn:example:someone-else' })), 400);
  });

  it('a wreply that is not registered gets an error page and nothing posted', async () => {
    const browser = new BrowserlessClient(t.url);
    for (const wreply of ['https://evil.example.net/wsfed/signin', 'https://rp.example.test/other', 'http://rp.example.test/wsfed/signin', 'not a url']) {
      expectRefusal(await browser.get(signInUrl(app, { wreply })), 400, /wreply is not a reply URL registered for this app/);
    }
    // The registered one itself is fine.
    expect(postedForm(await samlSignIn(browser, signInUrl(app, { wreply: replyUrl }), person))?.action).toBe(replyUrl);
  });

  it('with wReplyOverride, a wreply on the registered site is where the token goes; other sites are still refused', async () => {
    const overridable = await createWsFedApp({ realm: 'urn:example:override-rp', wReplyOverride: true });
    const browser = new BrowserlessClient(t.url);
    const elsewhere = 'https://rp.example.test/tenant/7/signin?return=%2Fhome';
    const form = postedForm(await samlSignIn(browser, signInUrl(overridable, { wreply: elsewhere }), person));
    expect(form?.action).toBe(elsewhere);
    expect(form?.fields.wresult).toContain(`Recipient="${elsewhere.replace('&', '&amp;')}"`);
    for (const wreply of ['https://evil.example.net/tenant/7/signin', 'http://rp.example.test/tenant/7/signin', 'https://rp.example.test:8443/signin',
      'https://rp.example.test.evil.example.net/', 'https://user@rp.example.test/signin', 'javascript:alert(1)//https://rp.example.test/']) {
      expectRefusal(await browser.get(signInUrl(overridable, { wreply })), 400);
    }
    // Without the override, the same page of the same site is refused.
    expectRefusal(await browser.get(signInUrl(app, { wreply: elsewhere })), 400);
  });
});

describe('which app answers', () => {
  it('an inactive app is 404, and a request parked before it was deactivated cannot finish', async () => {
    const app = await createWsFedApp({ realm: 'urn:example:inactive' });
    const browser = new BrowserlessClient(t.url);
    const parked = await browser.get(signInUrl(app));
    expect(parked.final.body).toMatch(/name="password"/);
    expect((await api(t)(`/api/v1/apps/${app.id}/lifecycle/deactivate`, { method: 'POST' })).status).toBe(200);
    expectRefusal(await browser.get(signInUrl(app)), 404);
    const finished = await samlSignIn(browser, parked.final.url, person);
    expectRefusal(finished, 404);
    // Active again, it answers again.
    expect((await api(t)(`/api/v1/apps/${app.id}/lifecycle/activate`, { method: 'POST' })).status).toBe(200);
    expect(postedForm(await browser.get(signInUrl(app)))?.action).toBe(replyUrl);
  });

  it('another org\'s app is 404 on this org\'s host, with its metadata and on the shared endpoint', async () => {
    const foreign = await createWsFedApp({}, { url: otherUrl, token: other.token });
    const browser = new BrowserlessClient(t.url);
    expectRefusal(await browser.get(`${t.url}/app/template_wsfed/${foreign.id}/sso/wsfed/passive?wa=wsignin1.0&wtrealm=${encodeURIComponent(foreign.realm)}`), 404);
    expectRefusal(await browser.get(`${t.url}/app/template_wsfed/sso/wsfed/passive?wa=wsignin1.0&wtrealm=${encodeURIComponent(foreign.realm)}`), 404);
    expectRefusal(await browser.get(`${t.url}/app/template_wsfed/${foreign.id}/sso/wsfed/passive?wa=wsignout1.0`), 404);
    // On its own org's host it answers with the sign-in form.
    const own = await new BrowserlessClient(otherUrl).get(`${otherUrl}/app/template_wsfed/${foreign.id}/sso/wsfed/passive?wa=wsignin1.0&wtrealm=${encodeURIComponent(foreign.realm)}`);
    expect(own.final.status).toBe(200);
    expect(own.final.body).toMatch(/name="password"/);
  });

  it('a wrong app name, a SAML app and an unknown id are 404', async () => {
    const app = await createWsFedApp({ realm: 'urn:example:names' });
    const browser = new BrowserlessClient(t.url);
    expectRefusal(await browser.get(`${t.url}/app/other_name/${app.id}/sso/wsfed/passive?wa=wsignin1.0&wtrealm=urn:example:names`), 404);
    expectRefusal(await browser.get(`${t.url}/app/template_wsfed/0oaDoesNotExist/sso/wsfed/passive?wa=wsignin1.0&wtrealm=urn:example:names`), 404);
    const saml = await api(t)('/api/v1/apps', {
      method: 'POST', json: { label: 'SAML', signOnMode: 'SAML_2_0', settings: { signOn: { ssoAcsUrl: 'https://sp.example.test/acs', audience: 'https://sp.example.test/' } } },
    });
    expectRefusal(await browser.get(`${t.url}/app/${saml.json.name}/${saml.json.id}/sso/wsfed/passive?wa=wsignin1.0&wtrealm=x`), 404);
  });
});

describe('bad requests', () => {
  let app: WsFedApp;
  beforeAll(async () => {
    app = await createWsFedApp({ realm: 'urn:example:bad-requests' });
  });

  it('overlong, repeated and malformed parameters get a 400 page, never a 500', async () => {
    const long = 'x'.repeat(3000);
    const realm = encodeURIComponent(app.realm);
    const cases: Array<[string, RegExp]> = [
      ['', /wa must be/],
      ['wa=wsignin2.0', /wa must be/],
      [`wa=wsignin1.0&wa=wsignin1.0&wtrealm=${realm}`, /wa must be given once/],
      [`wa=wsignin1.0&wtrealm=${realm}&wtrealm=${realm}`, /wtrealm must be given once/],
      [`wa=wsignin1.0&wtrealm=${realm}&wreply=a&wreply=b`, /wreply must be given once/],
      [`wa=wsignin1.0&wtrealm=${realm}&wctx=1&wctx=2`, /wctx must be given once/],
      [`wa=wsignin1.0&wtrealm=${realm}&wctx=${long}`, /wctx is too long/],
      [`wa=wsignin1.0&wtrealm=${long}`, /wtrealm is too long/],
      [`wa=wsignin1.0&wtrealm=${realm}&wreply=https://rp.example.test/${long}`, /wreply is too long/],
      [`wa=wsignin1.0&wtrealm=${realm}&wfresh=soon`, /wfresh must be a number/],
      [`wa=wsignin1.0&wtrealm=${realm}&wfresh=-1`, /wfresh must be a number/],
      [`wa=wsignin1.0&wtrealm=${realm}&wfresh=99999999999`, /wfresh must be a number/],
      [`wa=wsignin1.0&wtrealm=${realm}&wreq=${encodeURIComponent('<not xml')}`, /well-formed/],
      [`wa=wsignin1.0&wtrealm=${realm}&wreq=${encodeURIComponent('<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>')}`, /Document type declarations/],
      [`wa=wsignin1.0&wtrealm=${realm}&wreq=${encodeURIComponent('<x/>')}`, /wreq must be a RequestSecurityToken/],
      [`wa=wsignin1.0&wtrealm=${realm}&wreq=${'x'.repeat(5000)}`, /wreq is too long/],
      [`wa[]=wsignin1.0&wtrealm=${realm}`, /wa must be/],
      [`wa=wsignin1.0&wtrealm[x]=${realm}`, /wtrealm/],
      [`wa=%E0%A4%A&wtrealm=${realm}`, /wa must be/],
    ];
    const browser = new BrowserlessClient(t.url);
    for (const [query, says] of cases) {
      const nav = await browser.get(`${app.passiveUrl}?${query}`);
      expect(nav.final.status, `${query.slice(0, 80)}: ${textOf(nav.final.body).slice(0, 200)}`).toBe(400);
      expectRefusal(nav, 400, says);
    }
  });

  it('NUL and other control characters anywhere in a request are refused or harmless, on either store', async () => {
    const browser = new BrowserlessClient(t.url);
    await samlSignIn(browser, signInUrl(app), person);
    for (const path of [
      `/app/template_wsfed/%00/sso/wsfed/passive?wa=wsignin1.0&wtrealm=x`,
      `/app/%00/${app.id}/sso/wsfed/passive?wa=wsignin1.0&wtrealm=x`,
      `/app/%00/sso/wsfed/metadata`,
      `/app/template_wsfed/sso/wsfed/passive?wa=wsignin1.0&wtrealm=urn:okta:app:%00`,
    ]) {
      const nav = await browser.get(`${t.url}${path}`);
      expect([400, 404], path).toContain(nav.final.status);
      expect(postedForm(nav)).toBeUndefined();
    }
    // In wctx, the relying party's own text: carried back as it came.
    const form = postedForm(await browser.get(signInUrl(app, { wctx: 'a\u0000b\u0001c' })));
    expect(form?.fields.wctx).toBe('a\u0000b\u0001c');
    expectRefusal(await browser.get(signInUrl(app, { wreply: 'https://rp.example.test/\u0000' })), 400);
    expectRefusal(await browser.get(signInUrl(app, { wtrealm: 'urn:example:bad-requests\u0000' })), 400);
  });

  it('a continue link that was never issued, or was used, gets a 400 page', async () => {
    const browser = new BrowserlessClient(t.url);
    for (const pendingId of ['nope', 'x'.repeat(300), '%00', '..%2F..%2Fadmin']) {
      const nav = await browser.get(`${app.passiveUrl}/continue/${pendingId}`);
      expect(nav.final.status, pendingId).toBeLessThan(500);
      expect(postedForm(nav)).toBeUndefined();
    }
    await samlSignIn(browser, signInUrl(app), person);
    const parked = await browser.request(signInUrl(app));
    const continueUrl = parked.location!;
    expect(postedForm(await browser.get(continueUrl))?.action).toBe(replyUrl);
    expectRefusal(await browser.get(continueUrl), 400, /expired/);
  });

  it('a continue link is bound to its app', async () => {
    const second = await createWsFedApp({ realm: 'urn:example:second' });
    const browser = new BrowserlessClient(t.url);
    await samlSignIn(browser, signInUrl(app), person);
    const parked = await browser.request(signInUrl(app));
    const pendingId = parked.location!.split('/continue/')[1]!;
    expectRefusal(await browser.get(`${second.passiveUrl}/continue/${pendingId}`), 400, /expired/);
  });
});
