/**
 * WS-Federation sign-ins over HTTP, on both stores: what the token says about the user (Okta's
 * `usernameAttribute`, custom `attributeStatements`, the group claim through `groupFilter`), in
 * SAML 2.0 (the app's token type) and in SAML 1.1 (asked for with `wreq`); `wctx` coming back
 * unchanged; `wfresh=0` asking for a new sign-in; `wsignout1.0` ending the Lanyard session and
 * returning only to a registered reply URL; a user who is not assigned getting a page and nothing
 * posted; Okta's shared endpoint naming the app by its generated realm. Every token is read and
 * checked (signature by the metadata certificate, audience, lifetime, recipient) by
 * passport-wsfed-saml2's own SAML reader, the one the interop suite runs as a relying party.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { createUser } from '../../helpers/oidc.ts';
import { BrowserlessClient, textOf, type Navigation } from '../../helpers/browserless.ts';
import { postedForm, samlSignIn } from '../../helpers/saml.ts';

type SamlReader = {
  validateSamlAssertion(token: string, done: (error: Error | null, profile?: Record<string, unknown>) => void): void;
};
const { SAML } = (createRequire(import.meta.url)('passport-wsfed-saml2') as { SAML: { SAML: new (options: Record<string, unknown>) => SamlReader } }).SAML;

const claims = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const roleClaim = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';
const replyUrl = 'https://rp.example.test/wsfed/signin';
const person = { username: 'ada.wsfed@example.com', password: 'Quiet-Lantern-Seven-7' };
const outsider = { username: 'not.assigned@example.com', password: 'Quiet-Lantern-Seven-7' };
const saml11Wreq = '<trust:RequestSecurityToken xmlns:trust="http://docs.oasis-open.org/ws-sx/ws-trust/200512">'
  + '<trust:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</trust:TokenType></trust:RequestSecurityToken>';

interface WsFedApp {
  readonly id: string;
  readonly realm: string;
  readonly passiveUrl: string;
  readonly certificate: string;
}

let t: TestLanyard;
let personId: string;

async function createWsFedApp(app: Record<string, unknown>, assign: readonly string[] = [personId]): Promise<WsFedApp> {
  const call = api(t);
  const created = await call('/api/v1/apps', {
    method: 'POST',
    json: { name: 'template_wsfed', label: 'WS-Fed app', signOnMode: 'WS_FEDERATION', settings: { app: { wReplyURL: replyUrl, ...app } } },
  });
  if (created.status !== 200) throw new Error(`WS-Federation app not created: ${created.status} ${created.text}`);
  const id = created.json.id as string;
  for (const userId of assign) {
    const assigned = await call(`/api/v1/apps/${id}/users`, { method: 'POST', json: { id: userId } });
    if (assigned.status !== 200) throw new Error(`not assigned: ${assigned.text}`);
  }
  const metadata = await (await fetch(`${t.url}/app/${id}/sso/wsfed/metadata`)).text();
  const certificate = /<ds:X509Certificate>([^<]+)</.exec(metadata)?.[1];
  if (!certificate) throw new Error(`no certificate in the metadata: ${metadata.slice(0, 300)}`);
  return { id, realm: (app.realm as string | undefined) || `urn:okta:app:${id}`, passiveUrl: `${t.url}/app/template_wsfed/${id}/sso/wsfed/passive`, certificate };
}

function signInUrl(app: WsFedApp, extra: Record<string, string> = {}): string {
  return `${app.passiveUrl}?${new URLSearchParams({ wa: 'wsignin1.0', wtrealm: app.realm, ...extra })}`;
}

/** The form Lanyard posts to the relying party; fails with what the page says when there is none. */
function tokenForm(nav: Navigation) {
  const form = postedForm(nav);
  if (!form) throw new Error(`expected a form posted to the relying party, got ${nav.final.status} at ${nav.final.url}: ${textOf(nav.final.body).slice(0, 300)}`);
  return form;
}

/** The claims of `wresult` as passport-wsfed-saml2 reads them once it has checked the token. */
function readToken(app: WsFedApp, wresult: string, recipient = replyUrl): Promise<Record<string, unknown>> {
  const token = /<t:RequestedSecurityToken>([\s\S]*)<\/t:RequestedSecurityToken>/.exec(wresult)?.[1];
  if (!token) throw new Error(`no RequestedSecurityToken: ${wresult.slice(0, 300)}`);
  const reader = new SAML({ cert: app.certificate, realm: app.realm, recipientUrl: recipient });
  return new Promise((resolve, reject) => reader.validateSamlAssertion(token, (error, profile) => (error ? reject(error) : resolve(profile!))));
}

async function ssoEvents(outcome: 'SUCCESS' | 'FAILURE', appId: string): Promise<unknown[]> {
  const logs = await api(t)(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.authentication.sso"')}&limit=100`);
  expect(logs.status).toBe(200);
  return (logs.json as Array<{ outcome: { result: string }; target: Array<{ id: string }> }>)
    .filter((e) => e.outcome.result === outcome && e.target.some((target) => target.id === appId));
}

beforeAll(async () => {
  t = await startLanyard();
  const call = api(t);
  personId = await createUser(t, person.username, person.password, { firstName: 'Ada', lastName: 'Lovelace', department: 'Analytical' });
  await createUser(t, outsider.username, outsider.password);
  for (const name of ['wsfed-admins', 'wsfed-users', 'finance']) {
    const group = await call('/api/v1/groups', { method: 'POST', json: { profile: { name } } });
    expect(group.status).toBe(200);
    expect((await call(`/api/v1/groups/${group.json.id}/users/${personId}`, { method: 'PUT' })).status).toBe(204);
  }
});
afterAll(async () => t?.close());

describe('the token', () => {
  let app: WsFedApp;
  beforeAll(async () => {
    app = await createWsFedApp({
      realm: 'urn:example:claims-rp', usernameAttribute: 'upn',
      attributeStatements: `givenname|\${user.firstName}|${claims},dept|\${user.department},fullname|\${user.firstName + " " + user.lastName},tier|Gold,`
        + 'email|${user.email}|urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
      groupName: roleClaim, groupFilter: 'wsfed-.*',
    });
  });

  it('carries the NameIdentifier, the upn claim, the custom statements and the filtered groups (SAML 2.0)', async () => {
    const form = tokenForm(await samlSignIn(new BrowserlessClient(t.url), signInUrl(app, { wctx: 'rm=0&id=passive&ru=%2Fhome' }), person));
    expect(form.action).toBe(replyUrl);
    expect(form.fields).toMatchObject({ wa: 'wsignin1.0', wctx: 'rm=0&id=passive&ru=%2Fhome' });
    expect(form.fields.wresult).toContain('<t:TokenType>urn:oasis:names:tc:SAML:2.0:assertion</t:TokenType>');
    expect(form.fields.wresult).toContain(`<wsa:Address>${app.realm}</wsa:Address>`);
    const profile = await readToken(app, form.fields.wresult!);
    expect(profile).toMatchObject({
      issuer: `http://www.okta.com/${app.id}`,
      [`${claims}/nameidentifier`]: person.username,
      [`${claims}/upn`]: person.username,
      [`${claims}/givenname`]: 'Ada',
      [`${claims}/dept`]: 'Analytical',
      [`${claims}/fullname`]: 'Ada Lovelace',
      [`${claims}/tier`]: 'Gold',
      email: person.username,
      [roleClaim]: ['wsfed-admins', 'wsfed-users'],
    });
    // usernameAttribute upn: the name claim is not sent; the group filter leaves finance out.
    expect(profile).not.toHaveProperty(`${claims}/name`);
    expect(JSON.stringify(profile)).not.toContain('finance');
  });

  it('says the same in SAML 1.1 when wreq asks for it: AttributeNamespace and AttributeName joined give the same claims', async () => {
    const form = tokenForm(await samlSignIn(new BrowserlessClient(t.url), signInUrl(app, { wreq: saml11Wreq }), person));
    expect(form.fields.wresult).toContain('<t:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</t:TokenType>');
    expect(form.fields.wresult).toContain(`<saml:Attribute AttributeName="upn" AttributeNamespace="${claims}">`);
    const profile = await readToken(app, form.fields.wresult!);
    expect(profile).toMatchObject({
      [`${claims}/nameidentifier`]: person.username,
      [`${claims}/upn`]: person.username,
      [`${claims}/givenname`]: 'Ada',
      [`${claims}/tier`]: 'Gold',
      [roleClaim]: ['wsfed-admins', 'wsfed-users'],
    });
  });

  it('sends the name claim for usernameAttribute username (Okta\'s default), both for upnAndUsername, neither for none', async () => {
    const browser = new BrowserlessClient(t.url);
    const claimsOf = async (usernameAttribute: string | undefined) => {
      const rp = await createWsFedApp({ realm: `urn:example:username-${usernameAttribute ?? 'default'}`, ...(usernameAttribute ? { usernameAttribute } : {}) });
      return readToken(rp, tokenForm(await samlSignIn(browser, signInUrl(rp), person)).fields.wresult!);
    };
    const byDefault = await claimsOf(undefined);
    expect(byDefault[`${claims}/name`]).toBe(person.username);
    expect(byDefault).not.toHaveProperty(`${claims}/upn`);
    expect(await claimsOf('upnAndUsername')).toMatchObject({ [`${claims}/name`]: person.username, [`${claims}/upn`]: person.username });
    const none = await claimsOf('none');
    expect(none).not.toHaveProperty(`${claims}/name`);
    expect(none).not.toHaveProperty(`${claims}/upn`);
    expect(none[`${claims}/nameidentifier`]).toBe(person.username);
  });

  it('uses audienceRestriction as the Audience, the realm as AppliesTo', async () => {
    const rp = await createWsFedApp({ realm: 'urn:example:audience-rp', audienceRestriction: 'https://rp.example.test/' });
    const form = tokenForm(await samlSignIn(new BrowserlessClient(t.url), signInUrl(rp), person));
    expect(form.fields.wresult).toContain('<saml:Audience>https://rp.example.test/</saml:Audience>');
    expect(form.fields.wresult).toContain('<wsa:Address>urn:example:audience-rp</wsa:Address>');
    await expect(readToken({ ...rp, realm: 'https://rp.example.test/' }, form.fields.wresult!)).resolves.toMatchObject({ [`${claims}/nameidentifier`]: person.username });
    await expect(readToken(rp, form.fields.wresult!)).rejects.toThrow(/Audience is invalid/);
  });

  it('refuses a wreq asking for a token type Lanyard does not issue, before anything is posted', async () => {
    const wreq = saml11Wreq.replace('urn:oasis:names:tc:SAML:1.0:assertion', 'urn:ietf:params:oauth:token-type:jwt');
    const nav = await samlSignIn(new BrowserlessClient(t.url), signInUrl(app, { wreq }), person);
    expect(nav.final.status).toBe(400);
    expect(postedForm(nav)).toBeUndefined();
    expect(textOf(nav.final.body)).toContain('token type');
  });
});

describe('who may sign in', () => {
  it('a user who is not assigned gets a refusal page, nothing posted, and a FAILURE in the system log', async () => {
    const app = await createWsFedApp({ realm: 'urn:example:assigned-only' });
    const nav = await samlSignIn(new BrowserlessClient(t.url), signInUrl(app), outsider);
    expect(nav.final.status).toBe(403);
    expect(postedForm(nav)).toBeUndefined();
    expect(nav.final.body).not.toContain('wresult');
    expect(textOf(nav.final.body)).toContain('User is not assigned to this application');
    expect(await ssoEvents('FAILURE', app.id)).toHaveLength(1);

    // The assigned user of the same app gets the token, and a SUCCESS.
    tokenForm(await samlSignIn(new BrowserlessClient(t.url), signInUrl(app), person));
    expect(await ssoEvents('SUCCESS', app.id)).toHaveLength(1);
  });

  it('a member of an assigned group may sign in', async () => {
    const call = api(t);
    const group = await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'wsfed-through-group' } } });
    const memberId = await createUser(t, 'group.member@example.com');
    expect((await call(`/api/v1/groups/${group.json.id}/users/${memberId}`, { method: 'PUT' })).status).toBe(204);
    const app = await createWsFedApp({ realm: 'urn:example:group-assigned' }, []);
    expect((await call(`/api/v1/apps/${app.id}/groups/${group.json.id}`, { method: 'PUT', json: {} })).status).toBe(200);
    const form = tokenForm(await samlSignIn(new BrowserlessClient(t.url), signInUrl(app), { username: 'group.member@example.com', password: 'Quiet-Lantern-Seven-7' }));
    expect((await readToken(app, form.fields.wresult!))[`${claims}/nameidentifier`]).toBe('group.member@example.com');
  });
});

describe('sessions', () => {
  let app: WsFedApp;
  beforeAll(async () => {
    app = await createWsFedApp({ realm: 'urn:example:sessions' });
  });

  it('signs in once: a later request with the session gets its token without the form', async () => {
    const browser = new BrowserlessClient(t.url);
    tokenForm(await samlSignIn(browser, signInUrl(app), person));
    const again = await browser.get(signInUrl(app, { wctx: 'second' }));
    expect(again.hops.some((hop) => /name="password"/.test(hop.body))).toBe(false);
    expect(tokenForm(again).fields.wctx).toBe('second');
  });

  it('wfresh=0 asks for a new sign-in even with a session; the token tells of the new one', async () => {
    const browser = new BrowserlessClient(t.url);
    const firstToken = tokenForm(await samlSignIn(browser, signInUrl(app), person)).fields.wresult!;
    const first = await readToken(app, firstToken);
    const firstSession = browser.cookie('lanyard_sid');
    expect(firstSession).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const fresh = await browser.get(signInUrl(app, { wfresh: '0' }));
    expect(fresh.final.status).toBe(200);
    expect(postedForm(fresh)).toBeUndefined();
    expect(fresh.final.body).toMatch(/name="password"/);
    expect(new URL(fresh.final.url).searchParams.get('reauth')).toBe('true');

    const form = tokenForm(await samlSignIn(browser, signInUrl(app, { wfresh: '0' }), person));
    expect(browser.cookie('lanyard_sid')).not.toBe(firstSession);
    const second = await readToken(app, form.fields.wresult!);
    expect(second.sessionIndex).not.toBe(first.sessionIndex);
    const instant = (wresult: string) => Date.parse(/AuthnInstant="([^"]+)"/.exec(wresult)![1]!);
    expect(instant(form.fields.wresult!)).toBeGreaterThan(instant(firstToken));
  });

  it('wfresh=60 takes a session made a moment ago', async () => {
    const browser = new BrowserlessClient(t.url);
    tokenForm(await samlSignIn(browser, signInUrl(app), person));
    tokenForm(await browser.get(signInUrl(app, { wfresh: '60' })));
  });

  it('wsignout1.0 ends the Lanyard session and returns to the registered reply URL', async () => {
    const browser = new BrowserlessClient(t.url);
    tokenForm(await samlSignIn(browser, signInUrl(app), person));
    const sessionId = browser.cookie('lanyard_sid');
    expect(sessionId).toBeDefined();
    const out = await browser.get(`${app.passiveUrl}?${new URLSearchParams({ wa: 'wsignout1.0', wreply: replyUrl })}`);
    expect(out.final.status).toBe(302);
    expect(out.final.location).toBe(replyUrl);
    expect(browser.cookie('lanyard_sid')).toBeUndefined();

    // The session is over on the server too: the old cookie signs nobody in.
    const replayed = new BrowserlessClient(t.url);
    replayed.setCookie('lanyard_sid', sessionId);
    const next = await replayed.get(signInUrl(app));
    expect(postedForm(next)).toBeUndefined();
    expect(next.final.body).toMatch(/name="password"/);
  });

  it('wsignout1.0 with a reply URL not registered ends the session and stays on Lanyard\'s signed-out page', async () => {
    const browser = new BrowserlessClient(t.url);
    tokenForm(await samlSignIn(browser, signInUrl(app), person));
    for (const wreply of ['https://evil.example.net/', 'https://rp.example.test/elsewhere', 'javascript:alert(1)']) {
      const out = await browser.get(`${app.passiveUrl}?${new URLSearchParams({ wa: 'wsignout1.0', wreply })}`);
      expect(out.final.status).toBe(200);
      expect(out.final.location).toBeUndefined();
      expect(textOf(out.final.body)).toContain('You have signed out');
      expect(out.final.body).not.toContain(wreply);
    }
    expect(browser.cookie('lanyard_sid')).toBeUndefined();
    const cleanup = await browser.get(`${app.passiveUrl}?wa=wsignoutcleanup1.0`);
    expect(cleanup.final.status).toBe(200);
    expect(textOf(cleanup.final.body)).toContain('You have signed out');
  });
});

describe('Okta\'s shared endpoint', () => {
  it('/app/template_wsfed/sso/wsfed/passive finds the app by its generated realm urn:okta:app:{id}', async () => {
    const app = await createWsFedApp({});
    expect(app.realm).toBe(`urn:okta:app:${app.id}`);
    const shared = `${t.url}/app/template_wsfed/sso/wsfed/passive?${new URLSearchParams({ wa: 'wsignin1.0', wtrealm: app.realm, wctx: 'shared' })}`;
    const form = tokenForm(await samlSignIn(new BrowserlessClient(t.url), shared, person));
    expect(form.fields.wctx).toBe('shared');
    expect((await readToken(app, form.fields.wresult!))[`${claims}/nameidentifier`]).toBe(person.username);
  });

  it('refuses an app with a realm of its own there, and any realm that names no app', async () => {
    const custom = await createWsFedApp({ realm: 'urn:example:own-realm' });
    for (const wtrealm of [`urn:okta:app:${custom.id}`, 'urn:example:own-realm', 'urn:okta:app:0oaDoesNotExist', 'urn:okta:app:']) {
      const nav = await new BrowserlessClient(t.url).get(`${t.url}/app/template_wsfed/sso/wsfed/passive?${new URLSearchParams({ wa: 'wsignin1.0', wtrealm })}`);
      expect([400, 404]).toContain(nav.final.status);
      expect(postedForm(nav)).toBeUndefined();
    }
  });
});
