/**
 * Signing out from an app (RP-initiated logout) on the org server and `default`: the browser's
 * Lanyard session ends with the engine's, a silent sign-in fails afterwards, and apps that
 * registered a back-channel logout URI receive a logout token (verified against the server's keys).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient, findForms, textOf, type Navigation } from '../../helpers/browserless.ts';
import { codeFlow, createOidcApp, createUser, discover, type TestApp } from '../../helpers/oidc.ts';
import { backToApp, baseParams, pkce, servers } from './support.ts';

let t: TestLanyard;
let userId: string;
let app: TestApp;
let receiver: Server;
let receiverUrl: string;
const received: { path: string; contentType: string; body: URLSearchParams }[] = [];
const person = { username: 'logout.user@example.com', password: 'Quiet-Lantern-Seven-7' };
const signedOut = 'https://app.example.test/signed-out';
const backchannelEvent = 'http://schemas.openid.net/event/backchannel-logout';

beforeAll(async () => {
  // The app's back-channel endpoint: records what it receives.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;

  // The app listens on loopback, which Lanyard calls only when allowed to.
  t = await startLanyard({ env: { LANYARD_ALLOW_PRIVATE_NETWORK: 'true' } });
  userId = await createUser(t, person.username, person.password);
  app = await createOidcApp(t, { label: 'Signs out', assign: [userId] });
});
afterAll(async () => {
  await t?.close();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
});
afterEach(() => {
  received.length = 0;
});

/** Follows the sign-out page as a browser does (its script presses the button of the engine's form). */
async function confirmSignOut(browser: BrowserlessClient, page: Navigation): Promise<Navigation> {
  expect(page.final.status).toBe(200);
  const form = findForms(page.final.body).find((f) => f.action.endsWith('/logout/confirm'));
  expect(form).toBeDefined();
  return browser.submit(page.final, { logout: 'yes' }, { action: form!.action });
}

describe.each(servers)('RP-initiated logout on the $name server', (server) => {
  it('ends the engine\'s and the Lanyard session and returns to post_logout_redirect_uri with the state', async () => {
    const config = await discover(server.issuer(t), app);
    expect(config.serverMetadata().end_session_endpoint).toBe(`${server.issuer(t)}${server.name === 'org' ? '/oauth2' : ''}/v1/logout`);
    const browser = new BrowserlessClient(t.url);
    const tokens = await codeFlow(config, browser, person, 'openid');
    expect((await browser.get('/')).final.status).toBe(200);

    const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: signedOut, state: 'bye-1' });
    const done = await confirmSignOut(browser, await browser.get(url.href));
    const back = backToApp(browser, done);
    expect(`${back.origin}${back.pathname}`).toBe(signedOut);
    expect(back.searchParams.get('state')).toBe('bye-1');

    // The Lanyard session is over too.
    const home = await browser.get('/');
    expect(home.hops[0]!.status).toBe(302);
    expect(new URL(home.hops[0]!.location!).pathname).toBe('/login');

    // And a silent sign-in now fails.
    const { params } = await pkce();
    const silent = await browser.get(client.buildAuthorizationUrl(config, baseParams({ ...params, prompt: 'none' })).href);
    expect(backToApp(browser, silent).searchParams.get('error')).toBe('login_required');
  });

  it('without a post_logout_redirect_uri ends on Lanyard\'s signed-out page', async () => {
    const config = await discover(server.issuer(t), app);
    const browser = new BrowserlessClient(t.url);
    const tokens = await codeFlow(config, browser, person, 'openid');
    const done = await confirmSignOut(browser, await browser.get(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }).href));
    expect(done.final.status).toBe(200);
    expect(textOf(done.final.body)).toContain('You have signed out');
    expect((await browser.get('/')).hops[0]!.status).toBe(302);
  });

  it('refuses a post_logout_redirect_uri the app did not register', async () => {
    const config = await discover(server.issuer(t), app);
    const browser = new BrowserlessClient(t.url);
    const tokens = await codeFlow(config, browser, person, 'openid');
    const page = await browser.get(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://app.example.test/elsewhere' }).href);
    expect(page.final.status).toBe(400);
    expect(page.final.location).toBeUndefined();
    // Nothing was signed out.
    expect((await browser.get('/')).final.status).toBe(200);
  });

  it('sends a back-channel logout token to each app of the session that asked for one', async () => {
    const withBackchannel = await createOidcApp(t, {
      label: `Back-channel ${server.name}`, assign: [userId],
      settings: { backchannel_logout_uri: `${receiverUrl}/backchannel/${server.name}`, backchannel_logout_session_required: true },
    });
    const config = await discover(server.issuer(t), withBackchannel);
    const browser = new BrowserlessClient(t.url);
    const tokens = await codeFlow(config, browser, person, 'openid');
    const sid = tokens.claims()!.sid as string | undefined;
    expect(typeof sid).toBe('string');
    // A second app in the same session, without a back-channel URI, signs in silently.
    await codeFlow(await discover(server.issuer(t), app), browser, undefined, 'openid');

    await confirmSignOut(browser, await browser.get(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: signedOut }).href));
    expect(received).toHaveLength(1);
    const [delivery] = received;
    expect(delivery!.path).toBe(`/backchannel/${server.name}`);
    expect(delivery!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    const logoutToken = delivery!.body.get('logout_token')!;
    const keys = await (await fetch(config.serverMetadata().jwks_uri!)).json() as { keys: never[] };
    const { payload, protectedHeader } = await jwtVerify(logoutToken, createLocalJWKSet(keys), { issuer: server.issuer(t), audience: withBackchannel.clientId });
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload.events).toEqual({ [backchannelEvent]: {} });
    expect(payload.sub).toBe(userId);
    expect(payload.sid).toBe(sid);
    expect(payload.nonce).toBeUndefined();
    expect(typeof payload.jti).toBe('string');
  });
});

describe('back-channel logout to a loopback address', () => {
  it('is not sent unless LANYARD_ALLOW_PRIVATE_NETWORK allows it, and the sign-out still completes', async () => {
    const guarded = await startLanyard();
    try {
      const user = await createUser(guarded, person.username, person.password);
      const withBackchannel = await createOidcApp(guarded, {
        assign: [user], settings: { backchannel_logout_uri: `${receiverUrl}/backchannel/guarded` },
      });
      const config = await discover(guarded.url, withBackchannel);
      const browser = new BrowserlessClient(guarded.url);
      const tokens = await codeFlow(config, browser, person, 'openid');
      const done = await confirmSignOut(browser, await browser.get(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: signedOut }).href));
      expect(backToApp(browser, done).pathname).toBe('/signed-out');
      expect(received).toHaveLength(0);
    } finally {
      await guarded.close();
    }
  });
});
