/**
 * Authorization request parameters that steer the interaction: `prompt` (none, login, consent),
 * `max_age`, `login_hint`, `id_token_hint`, `state` and the `claims` request parameter, on the org
 * server and `default`; consent (Okta's prompt × consent_method × scope-consent table) on `default`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient, csrfOf, findForms } from '../../helpers/browserless.ts';
import { authorizeInBrowser, codeFlow, createOidcApp, createUser, discover, type TestApp } from '../../helpers/oidc.ts';
import {
  addScope, backToApp, baseParams, isConsentPage, isSignInForm, pkce, servers, signInToLanyard, submitSignIn,
} from './support.ts';

let t: TestLanyard;
let ada: string;
let bob: string;
let trusted: TestApp;
let requiresConsent: TestApp;
const adaLogin = { username: 'ada.prompts@example.com', password: 'Quiet-Lantern-Seven-7' };
const bobLogin = { username: 'bob.prompts@example.com', password: 'Quiet-Lantern-Seven-8' };

beforeAll(async () => {
  t = await startLanyard();
  ada = await createUser(t, adaLogin.username, adaLogin.password, { firstName: 'Ada', lastName: 'Byron' });
  bob = await createUser(t, bobLogin.username, bobLogin.password, { firstName: 'Bob', lastName: 'Kahn' });
  trusted = await createOidcApp(t, { label: 'Trusted', assign: [ada, bob] });
  requiresConsent = await createOidcApp(t, { label: 'Photo Printer', assign: [ada, bob], settings: { consent_method: 'REQUIRED' } });
  await addScope(t, { name: 'photos:read', consent: 'REQUIRED' });
});
afterAll(async () => t?.close());

async function signedIn(person = adaLogin): Promise<BrowserlessClient> {
  const browser = new BrowserlessClient(t.url);
  await signInToLanyard(browser, person);
  return browser;
}

/** Starts a code flow and returns the navigation (the sign-in form, a consent page, or the redirect back). */
async function start(browser: BrowserlessClient, config: client.Configuration, extra: Record<string, string> = {}) {
  const { verifier, params: challenge } = await pkce();
  const params = baseParams({ ...challenge, ...extra });
  const nav = await browser.get(client.buildAuthorizationUrl(config, params).href);
  const redeem = (callback: URL) => client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier, expectedState: params.state!, expectedNonce: params.nonce!,
    ...(extra.max_age !== undefined ? { maxAge: Number(extra.max_age) } : {}),
  });
  return { nav, params, redeem };
}

describe.each(servers)('prompts and parameters on the $name server', (server) => {
  it('prompt=none without a session answers login_required to the app, with the state', async () => {
    const config = await discover(server.issuer(t), trusted);
    const { nav, params } = await start(new BrowserlessClient(t.url), config, { prompt: 'none' });
    const callback = backToApp(new BrowserlessClient(t.url), nav);
    expect(callback.searchParams.get('error')).toBe('login_required');
    expect(callback.searchParams.get('state')).toBe(params.state);
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('prompt=none with a Lanyard session returns a code at once, for an app the user has not used before', async () => {
    const app = await createOidcApp(t, { label: `Silent ${server.name}`, assign: [ada] });
    const config = await discover(server.issuer(t), app);
    const browser = await signedIn();
    const { nav, redeem } = await start(browser, config, { prompt: 'none' });
    const callback = backToApp(browser, nav);
    expect(callback.searchParams.get('error')).toBeNull();
    const tokens = await redeem(callback);
    expect(tokens.claims()!.sub).toBe(ada);
  });

  it('prompt=none after a sign-in to the app returns a code without any page', async () => {
    const config = await discover(server.issuer(t), trusted);
    const browser = new BrowserlessClient(t.url);
    await codeFlow(config, browser, adaLogin, 'openid profile');
    const { nav, redeem } = await start(browser, config, { prompt: 'none' });
    const tokens = await redeem(backToApp(browser, nav));
    expect(tokens.claims()!.sub).toBe(ada);
  });

  it('prompt=login shows the sign-in form even with a session, and the new sign-in is what the ID token reports', async () => {
    const config = await discover(server.issuer(t), trusted);
    const browser = await signedIn();
    const first = await codeFlow(config, browser, undefined, 'openid');
    await new Promise((r) => setTimeout(r, 1100));
    const { nav, redeem } = await start(browser, config, { prompt: 'login' });
    expect(nav.final.status).toBe(200);
    expect(isSignInForm(nav.final.body)).toBe(true);
    const done = await submitSignIn(browser, nav, adaLogin);
    const tokens = await redeem(backToApp(browser, done));
    expect(tokens.claims()!.sub).toBe(ada);
    expect(tokens.claims()!.auth_time).toBeGreaterThan(first.claims()!.auth_time!);
  });

  it('max_age=0 forces the sign-in form', async () => {
    const config = await discover(server.issuer(t), trusted);
    const browser = await signedIn();
    await codeFlow(config, browser, undefined, 'openid');
    const { nav, redeem } = await start(browser, config, { max_age: '0' });
    expect(isSignInForm(nav.final.body)).toBe(true);
    const tokens = await redeem(backToApp(browser, await submitSignIn(browser, nav, adaLogin)));
    expect(typeof tokens.claims()!.auth_time).toBe('number');
  });

  it('a generous max_age keeps the session', async () => {
    const config = await discover(server.issuer(t), trusted);
    const browser = await signedIn();
    await codeFlow(config, browser, undefined, 'openid');
    const { nav, redeem } = await start(browser, config, { max_age: '3600' });
    const tokens = await redeem(backToApp(browser, nav));
    expect(tokens.claims()!.sub).toBe(ada);
  });

  it('login_hint prefills the username on the sign-in form', async () => {
    const config = await discover(server.issuer(t), trusted);
    const { nav } = await start(new BrowserlessClient(t.url), config, { login_hint: bobLogin.username });
    expect(isSignInForm(nav.final.body)).toBe(true);
    const form = findForms(nav.final.body).find((f) => 'password' in f.fields)!;
    expect(form.fields.username).toBe(bobLogin.username);
  });

  it('an id_token_hint naming another user than the session\'s forces the sign-in form', async () => {
    const config = await discover(server.issuer(t), trusted);
    const bobs = await codeFlow(config, new BrowserlessClient(t.url), bobLogin, 'openid');
    const browser = await signedIn(adaLogin);
    await codeFlow(config, browser, undefined, 'openid');
    const { nav, redeem } = await start(browser, config, { id_token_hint: bobs.id_token! });
    expect(isSignInForm(nav.final.body)).toBe(true);
    const tokens = await redeem(backToApp(browser, await submitSignIn(browser, nav, bobLogin)));
    expect(tokens.claims()!.sub).toBe(bob);
  });

  it('an id_token_hint of the session\'s own user signs in silently', async () => {
    const config = await discover(server.issuer(t), trusted);
    const browser = await signedIn(adaLogin);
    const own = await codeFlow(config, browser, undefined, 'openid');
    const { nav, redeem } = await start(browser, config, { id_token_hint: own.id_token!, prompt: 'none' });
    expect((await redeem(backToApp(browser, nav))).claims()!.sub).toBe(ada);
  });

  it('state round-trips unchanged on success and on error', async () => {
    const config = await discover(server.issuer(t), trusted);
    const state = 'a1.b2_c3-d4,e5';
    const ok = await authorizeInBrowser(await signedIn(), client.buildAuthorizationUrl(config, baseParams({ state, ...(await pkce()).params })));
    expect(ok.searchParams.get('state')).toBe(state);
    const failed = await authorizeInBrowser(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, baseParams({ state, prompt: 'none', ...(await pkce()).params })));
    expect(failed.searchParams.get('error')).toBe('login_required');
    expect(failed.searchParams.get('state')).toBe(state);
  });

  it('the claims request parameter releases a claim the scopes alone would not', async () => {
    const config = await discover(server.issuer(t), trusted);
    const browser = await signedIn();
    const plain = await codeFlow(config, browser, undefined, 'openid');
    expect(plain.claims()!.email).toBeUndefined();
    const requested = await codeFlow(config, browser, undefined, 'openid', {
      claims: JSON.stringify({ id_token: { email: null, given_name: { essential: true } }, userinfo: { family_name: null } }),
    });
    expect(requested.claims()).toMatchObject({ sub: ada, email: adaLogin.username, given_name: 'Ada' });
    const userinfo = await client.fetchUserInfo(config, requested.access_token, ada);
    expect(userinfo.family_name).toBe('Byron');
  });
});

describe('consent on the default server (scope photos:read requires consent)', () => {
  const issuer = () => `${t.url}/oauth2/default`;

  it('an app with consent_method REQUIRED asks; Deny answers access_denied to the app', async () => {
    const config = await discover(issuer(), requiresConsent);
    const browser = await signedIn(bobLogin);
    const { nav, params } = await start(browser, config, { scope: 'openid photos:read' });
    expect(isConsentPage(nav.final.body)).toBe(true);
    expect(nav.final.body).toContain('photos:read');
    const denied = await browser.submit(nav.final, { csrf: csrfOf(nav.final.body), decision: 'deny' });
    const callback = backToApp(browser, denied);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(params.state);
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('Allow issues the scope; the consent is remembered, and prompt=consent asks again', async () => {
    const config = await discover(issuer(), requiresConsent);
    const browser = await signedIn(adaLogin);
    const first = await start(browser, config, { scope: 'openid photos:read' });
    expect(isConsentPage(first.nav.final.body)).toBe(true);
    const allowed = await browser.submit(first.nav.final, { csrf: csrfOf(first.nav.final.body), decision: 'allow' });
    const tokens = await first.redeem(backToApp(browser, allowed));
    expect(decodeJwt(tokens.access_token).scp).toEqual(['openid', 'photos:read']);

    // The same request again: no page, the grant is remembered.
    const second = await start(browser, config, { scope: 'openid photos:read' });
    expect(isConsentPage(second.nav.final.body)).toBe(false);
    expect(decodeJwt((await second.redeem(backToApp(browser, second.nav))).access_token).scp).toEqual(['openid', 'photos:read']);

    // Remembered across sessions too (Okta's consent outlasts the session).
    const later = await signedIn(adaLogin);
    const third = await start(later, config, { scope: 'openid photos:read' });
    expect(isConsentPage(third.nav.final.body)).toBe(false);
    await third.redeem(backToApp(later, third.nav));

    const asked = await start(browser, config, { scope: 'openid photos:read', prompt: 'consent' });
    expect(isConsentPage(asked.nav.final.body)).toBe(true);
  });

  it('a trusted app is asked only with prompt=consent', async () => {
    const config = await discover(issuer(), trusted);
    const browser = await signedIn(bobLogin);
    const silent = await start(browser, config, { scope: 'openid photos:read' });
    expect(isConsentPage(silent.nav.final.body)).toBe(false);
    expect(decodeJwt((await silent.redeem(backToApp(browser, silent.nav))).access_token).scp).toEqual(['openid', 'photos:read']);

    const asked = await start(browser, config, { scope: 'openid photos:read', prompt: 'consent' });
    expect(isConsentPage(asked.nav.final.body)).toBe(true);
    const allowed = await browser.submit(asked.nav.final, { csrf: csrfOf(asked.nav.final.body), decision: 'allow' });
    expect((await asked.redeem(backToApp(browser, allowed))).claims()!.sub).toBe(bob);
  });

  it('prompt=consent for scopes that need no consent shows no page', async () => {
    const config = await discover(issuer(), trusted);
    const browser = await signedIn(bobLogin);
    const { nav, redeem } = await start(browser, config, { scope: 'openid profile', prompt: 'consent' });
    expect(isConsentPage(nav.final.body)).toBe(false);
    expect((await redeem(backToApp(browser, nav))).claims()!.sub).toBe(bob);
  });

  it('prompt=none where consent would be asked answers consent_required', async () => {
    const app = await createOidcApp(t, { label: 'Needs consent', assign: [bob], settings: { consent_method: 'REQUIRED' } });
    const config = await discover(issuer(), app);
    const browser = await signedIn(bobLogin);
    const { nav } = await start(browser, config, { scope: 'openid photos:read', prompt: 'none' });
    expect(backToApp(browser, nav).searchParams.get('error')).toBe('consent_required');
  });
});

describe('consent on the org server', () => {
  it('prompt=consent shows no page: the org server has no scopes that need consent', async () => {
    const config = await discover(t.url, requiresConsent);
    const browser = await signedIn(bobLogin);
    const { nav, redeem } = await start(browser, config, { scope: 'openid profile email', prompt: 'consent' });
    expect(isConsentPage(nav.final.body)).toBe(false);
    expect((await redeem(backToApp(browser, nav))).claims()!.sub).toBe(bob);
  });
});

