/**
 * Okta's own libraries, unchanged, against Lanyard: `@okta/jwt-verifier` checks tokens the
 * `default` server issued, `@okta/oidc-middleware` signs a person in to an Express app through
 * Lanyard's sign-in page (real Chromium), and `@okta/okta-auth-js` signs in with credentials in
 * Node and in Chromium. Every server here listens on 127.0.0.1 on a free port and is stopped.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); without it the browser tests fail.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import OktaJwtVerifier from '@okta/jwt-verifier';
import { ExpressOIDC } from '@okta/oidc-middleware';
import { OktaAuth, AuthApiError } from '@okta/okta-auth-js';
import express from 'express';
import session from 'express-session';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { BrowserlessClient } from '../helpers/browserless.ts';
import { authorizeInBrowser, createOidcApp, createUser, discover, redirectUri, type TestApp } from '../helpers/oidc.ts';
import { createOrgWithAdmin } from '../helpers/orgs.ts';
import { hostRequest } from '../helpers/host-request.ts';
import { freePort } from '../helpers/ports.ts';
import { startStaticServer, type StaticServer } from '../helpers/static-server.ts';
import { launchChromium, screenshot, signInOnLanyardPage } from '../helpers/chromium.ts';

const person = { username: 'grace.hopper@example.com', password: 'Compiler-Cobol-1959' };

let t: TestLanyard;
let call: ReturnType<typeof api>;
let userId: string;
let webApp: TestApp;
let issuer: string;
let browser: Browser | undefined;
let launchError: Error | undefined;

/** The browser, or the reason it is missing: the browser tests fail rather than skip. */
function requireBrowser(): Browser {
  if (browser) return browser;
  throw launchError ?? new Error('Chromium was not launched');
}

// The Express app's port is chosen first so its redirect URIs can be registered with the app.
let expressPort: number;
let expressUrl: string;

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
  issuer = `${t.url}/oauth2/default`;
  userId = await createUser(t, person.username, person.password, { firstName: 'Grace', lastName: 'Hopper' });
  expressPort = await freePort();
  expressUrl = `http://127.0.0.1:${expressPort}`;
  webApp = await createOidcApp(t, {
    label: 'Okta libraries',
    assign: [userId],
    settings: {
      redirect_uris: [redirectUri, `${expressUrl}/authorization-code/callback`],
      post_logout_redirect_uris: [`${expressUrl}/`],
    },
  });
  try {
    browser = await launchChromium();
  } catch (error) {
    launchError = error as Error;
  }
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** A code flow with PKCE on `default` with openid-client, keeping the nonce for the verifier. */
async function tokensFromDefault(scope = 'openid profile email') {
  const config = await discover(issuer, webApp);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const callback = await authorizeInBrowser(new BrowserlessClient(t.url), url, person);
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  return { accessToken: tokens.access_token, idToken: tokens.id_token!, nonce };
}

function verifierFor(iss: string) {
  return new OktaJwtVerifier({ issuer: iss, testing: { disableHttpsCheck: true } });
}

/** The message a promise rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}

describe('@okta/jwt-verifier', () => {
  it('verifies an access token of the default server for api://default', async () => {
    const { accessToken } = await tokensFromDefault();
    const jwt = await verifierFor(issuer).verifyAccessToken(accessToken, 'api://default');
    expect(jwt.claims).toMatchObject({
      iss: issuer, aud: 'api://default', cid: webApp.clientId, uid: userId, sub: person.username, ver: 1,
    });
    expect(jwt.claims.scp).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
    expect(jwt.header).toMatchObject({ alg: 'RS256' });
  });

  it('verifies an ID token for the client id and nonce', async () => {
    const { idToken, nonce } = await tokensFromDefault();
    const jwt = await verifierFor(issuer).verifyIdToken(idToken, webApp.clientId, nonce);
    expect(jwt.claims).toMatchObject({
      iss: issuer, aud: webApp.clientId, sub: userId, nonce, preferred_username: person.username, name: 'Grace Hopper', ver: 1,
    });
  });

  it('rejects a wrong audience, client id or nonce', async () => {
    const { accessToken, idToken, nonce } = await tokensFromDefault();
    const verifier = verifierFor(issuer);
    expect(await rejection(verifier.verifyAccessToken(accessToken, 'api://other'))).toMatch(/audience/);
    expect(await rejection(verifier.verifyIdToken(idToken, '0oaNotThisClient', nonce))).toMatch(/audience/);
    expect(await rejection(verifier.verifyIdToken(idToken, webApp.clientId, 'another-nonce'))).toMatch(/nonce/);
  });

  it('rejects a tampered token: the payload changed, the signature kept', async () => {
    const { accessToken } = await tokensFromDefault();
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    claims.scp = [...claims.scp, 'okta.users.manage'];
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expect(await rejection(verifierFor(issuer).verifyAccessToken(tampered, 'api://default'))).toMatch(/signature/i);
  });

  it('rejects a token another org on the same Lanyard issued', async () => {
    // Org "globex" answers on globex.localhost: reached with a Host header, no DNS needed.
    const other = await createOrgWithAdmin(t, 'globex');
    const host = `globex.localhost:${t.port}`;
    const asAdmin = { authorization: `SSWS ${other.token}` };
    const scope = await hostRequest(t.port, host, '/api/v1/authorizationServers/default/scopes', { headers: asAdmin, json: { name: 'inventory:read' } });
    expect(scope.status, scope.text).toBe(201);
    const service = await hostRequest(t.port, host, '/api/v1/apps', {
      headers: asAdmin,
      json: {
        name: 'oidc_client', label: 'Globex service', signOnMode: 'OPENID_CONNECT',
        credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
        settings: { oauthClient: { grant_types: ['client_credentials'], response_types: ['token'], application_type: 'service', redirect_uris: [] } },
      },
    });
    expect(service.status, service.text).toBe(200);
    const { client_id: id, client_secret: secret } = service.json.credentials.oauthClient;
    const issued = await hostRequest(t.port, host, '/oauth2/default/v1/token', {
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
      form: { grant_type: 'client_credentials', scope: 'inventory:read' },
    });
    expect(issued.status, issued.text).toBe(200);
    const foreign: string = issued.json.access_token;

    // Globex's own verifier accepts it (so the token is genuine), but not one for the first org.
    const globexIssuer = `http://globex.localhost:${t.port}/oauth2/default`;
    expect(JSON.parse(Buffer.from(foreign.split('.')[1]!, 'base64url').toString('utf8'))).toMatchObject({ iss: globexIssuer, aud: 'api://default' });
    expect(await rejection(verifierFor(issuer).verifyAccessToken(foreign, 'api://default'))).toMatch(/kid|key/i);
  });

  it('rejects an access token once its hour is over', async () => {
    const { accessToken } = await tokensFromDefault();
    const verifier = verifierFor(issuer);
    // Valid now; the same token, checked by the same verifier 61 minutes later, is expired.
    await expect(verifier.verifyAccessToken(accessToken, 'api://default')).resolves.toBeTruthy();
    const exp = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString('utf8')).exp as number;
    vi.useFakeTimers({ toFake: ['Date'], now: (exp + 60) * 1000 });
    try {
      expect(await rejection(verifier.verifyAccessToken(accessToken, 'api://default'))).toMatch(/expired/i);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('@okta/okta-auth-js in Node', () => {
  // A public client (PKCE, no secret), as auth-js apps are.
  let publicApp: TestApp;
  beforeAll(async () => {
    publicApp = await createOidcApp(t, {
      label: 'auth-js in Node', assign: [userId], credentials: { token_endpoint_auth_method: 'none' },
      settings: { application_type: 'native', grant_types: ['authorization_code'] },
    });
  });
  const authClient = () => new OktaAuth({ issuer, clientId: publicApp.clientId, redirectUri, scopes: ['openid', 'profile', 'email'], decodeAccessTokens: true });

  it('signInWithCredentials gives SUCCESS and a session token that /authorize accepts without a sign-in page', async () => {
    const auth = authClient();
    const transaction = await auth.signInWithCredentials({ username: person.username, password: person.password });
    expect(transaction.status).toBe('SUCCESS');
    expect(transaction.sessionToken).toMatch(/^\S{20,}$/);
    expect(transaction.user).toMatchObject({ id: userId, profile: { login: person.username } });

    const config = await discover(issuer, publicApp, client.None());
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid profile', state, nonce: client.randomNonce(),
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      sessionToken: transaction.sessionToken!,
    });
    // A fresh browser without a Lanyard session: no page with a password field on the way.
    const visitor = new BrowserlessClient(t.url);
    const nav = await visitor.get(url.href);
    for (const hop of nav.hops) expect(hop.body).not.toMatch(/name="password"/);
    expect(nav.final.location, `${nav.final.status} ${nav.final.body.slice(0, 200)}`).toBeDefined();
    const callback = new URL(nav.final.location!);
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    expect(callback.searchParams.get('code')).toBeTruthy();

    // auth-js itself redeems the code (PKCE) and validates the ID token against the discovery document.
    const { tokens } = await auth.token.exchangeCodeForTokens({ authorizationCode: callback.searchParams.get('code')!, codeVerifier: verifier });
    expect(tokens.idToken?.claims).toMatchObject({ sub: userId, iss: issuer, aud: publicApp.clientId, preferred_username: person.username });
    expect(tokens.accessToken?.claims).toMatchObject({ iss: issuer, aud: 'api://default', uid: userId });

    // The session token is single-use: another browser replaying the URL gets the sign-in page.
    const replay = await new BrowserlessClient(t.url).get(url.href);
    expect(replay.final.status).toBe(200);
    expect(replay.final.body).toMatch(/name="password"/);
  });

  it('a wrong password is an AuthApiError E0000004', async () => {
    const error = await authClient().signInWithCredentials({ username: person.username, password: 'Not-The-Password-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthApiError);
    expect(error).toMatchObject({ errorCode: 'E0000004', errorSummary: 'Authentication failed' });
    expect((error as AuthApiError).xhr?.status).toBe(401);
  });
});

describe('@okta/oidc-middleware (ExpressOIDC) in an Express app', () => {
  let server: Server;
  let context: BrowserContext;
  let page: Page;
  let lastTokens: Record<string, string> | undefined;
  const errors: Error[] = [];

  beforeAll(async () => {
    const oidc = new ExpressOIDC({
      issuer, client_id: webApp.clientId, client_secret: webApp.clientSecret!, appBaseUrl: expressUrl,
      scope: 'openid profile email', testing: { disableHttpsCheck: true },
    });
    oidc.on('error', (error: Error) => errors.push(error));
    const ready = new Promise<void>((resolve, reject) => {
      oidc.on('ready', () => resolve());
      oidc.on('error', reject);
    });
    const app = express();
    app.use(session({ secret: 'okta-middleware-interop-test', resave: false, saveUninitialized: false }));
    app.use(oidc.router);
    app.get('/', (req, res) => {
      res.type('html').send(`<!doctype html><title>Home</title><h1>${req.userContext ? 'Signed in' : 'Signed out'}</h1>`);
    });
    app.get('/protected', oidc.ensureAuthenticated(), (req, res) => {
      const context = req.userContext as unknown as { userinfo: Record<string, string>; tokens: Record<string, string> };
      lastTokens = context.tokens;
      const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
      res.type('html').send(`<!doctype html><title>Protected</title><h1>Protected page</h1>
<p id="user">${escape(context.userinfo.preferred_username ?? '')}</p><p id="sub">${escape(context.userinfo.sub ?? '')}</p>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>`);
    });
    await ready;
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(expressPort, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    context = await requireBrowser().newContext({ viewport: { width: 800, height: 640 } });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('sends an unauthenticated visitor to Lanyard, and back to the protected page after sign-in', async () => {
    await page.goto(`${expressUrl}/protected`);
    expect(new URL(page.url()).origin).toBe(t.url);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    await screenshot(page, 'okta-middleware-signin');
    await signInOnLanyardPage(page, person.username, person.password);

    expect(page.url()).toBe(`${expressUrl}/protected`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Protected page');
    await expect(page.locator('#user').textContent()).resolves.toBe(person.username);
    await expect(page.locator('#sub').textContent()).resolves.toBe(userId);
    await screenshot(page, 'okta-middleware-protected');
    expect(errors).toEqual([]);
  });

  it('signs out through its logout route: tokens revoked, Lanyard session ended, back at the app', async () => {
    expect(lastTokens?.access_token).toBeTruthy();
    const accessToken = lastTokens!.access_token!;
    await Promise.all([page.waitForURL(`${expressUrl}/`), page.getByRole('button', { name: 'Sign out' }).click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Signed out');
    await screenshot(page, 'okta-middleware-signed-out');
    expect(errors).toEqual([]);

    // The middleware revoked the access token at Lanyard.
    const config = await discover(issuer, webApp);
    expect((await client.tokenIntrospection(config, accessToken)).active).toBe(false);
    // The Lanyard session ended too: the protected page asks for a password again.
    await page.goto(`${expressUrl}/protected`);
    expect(new URL(page.url()).origin).toBe(t.url);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
  });
});

/** The single-page app that loads auth-js's browser bundle; `/config.js` is filled in once the app exists. */
function spaPage(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>auth-js SPA</title>
<script src="/okta-auth-js.min.js"></script><script src="/config.js"></script></head>
<body><h1>auth-js SPA</h1><pre id="out"></pre>
<script>
const Ctor = OktaAuth.OktaAuth || OktaAuth;
const out = (value) => { document.getElementById('out').textContent = JSON.stringify(value); };
window.authClient = new Ctor({
  issuer: CONFIG.issuer, clientId: CONFIG.clientId, redirectUri: location.origin + '/callback',
  scopes: ['openid', 'profile', 'email'], pkce: true, decodeAccessTokens: true,
  restoreOriginalUri: async (client) => {
    const tokens = await client.tokenManager.getTokens();
    out({ idClaims: tokens.idToken && tokens.idToken.claims, accessClaims: tokens.accessToken && tokens.accessToken.claims, path: location.pathname });
  },
});
if (location.pathname === '/callback') {
  authClient.handleRedirect('/').catch((e) => out({ error: e.name, message: e.message, errorCode: e.errorCode }));
}
</script></body></html>`;
}

describe('@okta/okta-auth-js in Chromium (browser bundle, a trusted origin)', () => {
  let spa: StaticServer;
  // The SPA is on localhost like Lanyard (another port: another origin, the same site), as an org
  // with a custom domain would have it: browsers send no third-party cookies, so the session
  // calls of a cross-site SPA would carry no Lanyard session.
  let spaOrigin: string;
  let spaApp: TestApp;
  let context: BrowserContext;
  let page: Page;
  const files: Record<string, { type: string; body: string | Buffer }> = {};

  beforeAll(async () => {
    const bundle = readFileSync(new URL('../../node_modules/@okta/okta-auth-js/dist/okta-auth-js.min.js', import.meta.url));
    files['/okta-auth-js.min.js'] = { type: 'text/javascript', body: bundle };
    files['/'] = { type: 'text/html', body: spaPage() };
    files['/callback'] = files['/'];
    spa = await startStaticServer(files);
    spaOrigin = `http://localhost:${spa.port}`;
    spaApp = await createOidcApp(t, {
      label: 'auth-js SPA', assign: [userId],
      credentials: { token_endpoint_auth_method: 'none' },
      settings: {
        application_type: 'browser', redirect_uris: [`${spaOrigin}/callback`], post_logout_redirect_uris: [`${spaOrigin}/`],
        grant_types: ['authorization_code'], response_types: ['code'],
      },
    });
    files['/config.js'] = { type: 'text/javascript', body: `window.CONFIG = ${JSON.stringify({ issuer, clientId: spaApp.clientId })};` };
    const trusted = await call('/api/v1/trustedOrigins', {
      method: 'POST', json: { name: 'auth-js SPA', origin: spaOrigin, scopes: [{ type: 'CORS' }, { type: 'REDIRECT' }] },
    });
    expect(trusted.status, trusted.text).toBe(200);
    context = await requireBrowser().newContext({ viewport: { width: 800, height: 640 } });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await spa?.close();
  });

  async function signIn(password = person.password): Promise<{ status?: string; sessionToken?: string; error?: string; errorCode?: string }> {
    return page.evaluate(`authClient.signInWithCredentials(${JSON.stringify({ username: person.username, password })})
      .then((tx) => ({ status: tx.status, sessionToken: tx.sessionToken }), (e) => ({ error: e.name, errorCode: e.errorCode }))`);
  }

  it('signs in with credentials over CORS, then getWithRedirect and handleRedirect return tokens', async () => {
    await page.goto(`${spaOrigin}/`);
    const wrong = await signIn('Not-The-Password-1');
    expect(wrong).toMatchObject({ error: 'AuthApiError', errorCode: 'E0000004' });
    const transaction = await signIn();
    expect(transaction.status).toBe('SUCCESS');
    expect(transaction.sessionToken).toBeTruthy();

    await Promise.all([
      page.waitForURL(`${spaOrigin}/callback?**`),
      page.evaluate(`authClient.token.getWithRedirect({ sessionToken: ${JSON.stringify(transaction.sessionToken)} })`),
    ]);
    await page.locator('#out').filter({ hasText: /\S/ }).waitFor();
    const result = JSON.parse((await page.locator('#out').textContent())!);
    expect(result.error, result.message).toBeUndefined();
    expect(result.idClaims).toMatchObject({ sub: userId, iss: issuer, aud: spaApp.clientId, preferred_username: person.username });
    expect(result.accessClaims).toMatchObject({ iss: issuer, aud: 'api://default', cid: spaApp.clientId, uid: userId });
    await screenshot(page, 'okta-auth-js-spa-signed-in');

    // The Lanyard session the session token started is visible to the SPA (CORS with credentials), and it can end it.
    await expect(page.evaluate('authClient.session.exists()')).resolves.toBe(true);
    await expect(page.evaluate('authClient.session.get().then((s) => ({ status: s.status, login: s.login, userId: s.userId }))'))
      .resolves.toEqual({ status: 'ACTIVE', login: person.username, userId });
    await page.evaluate('authClient.closeSession()');
    await expect(page.evaluate('authClient.session.exists()')).resolves.toBe(false);
  });

  it('getWithoutPrompt with the session token, then without it, returns tokens (okta_post_message)', async () => {
    await page.goto(`${spaOrigin}/`);
    const transaction = await signIn();
    expect(transaction.status).toBe('SUCCESS');
    const result: { idClaims?: unknown; error?: string; message?: string } = await page.evaluate(
      `authClient.token.getWithoutPrompt({ sessionToken: ${JSON.stringify(transaction.sessionToken)}, timeout: 10000 })
        .then((r) => ({ idClaims: r.tokens.idToken && r.tokens.idToken.claims }), (e) => ({ error: e.name, message: e.message, errorCode: e.errorCode }))`,
    );
    expect(result.error, `${result.error}: ${result.message}`).toBeUndefined();
    expect(result.idClaims).toMatchObject({ sub: userId, iss: issuer, aud: spaApp.clientId });

    // Later, without a session token, the Lanyard session that one started renews the tokens silently.
    const renewed: { idClaims?: unknown; error?: string; message?: string } = await page.evaluate(
      `authClient.token.getWithoutPrompt({ timeout: 10000 })
        .then((r) => ({ idClaims: r.tokens.idToken && r.tokens.idToken.claims }), (e) => ({ error: e.name, message: e.message, errorCode: e.errorCode }))`,
    );
    expect(renewed.error, `${renewed.error}: ${renewed.message}`).toBeUndefined();
    expect(renewed.idClaims).toMatchObject({ sub: userId, aud: spaApp.clientId });
  });
});
