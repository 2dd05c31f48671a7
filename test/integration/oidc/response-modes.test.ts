/**
 * Response modes: `query` for the code flow (its default), `fragment` for implicit and hybrid (their
 * default), and `form_post` for both, on the org server and `default`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { authorizeInBrowser, createOidcApp, createUser, discover, redirectUri, type TestApp } from '../../helpers/oidc.ts';
import { baseParams, formPost, pkce, responseParams, servers, signInToLanyard } from './support.ts';

let t: TestLanyard;
let userId: string;
let app: TestApp;
const person = { username: 'modes.user@example.com', password: 'Quiet-Lantern-Seven-7' };

beforeAll(async () => {
  t = await startLanyard();
  userId = await createUser(t, person.username, person.password);
  app = await createOidcApp(t, {
    label: 'Modes', assign: [userId],
    settings: { grant_types: ['authorization_code', 'implicit'], response_types: ['code', 'id_token', 'token'] },
  });
});
afterAll(async () => t?.close());

async function signedInBrowser(): Promise<BrowserlessClient> {
  const browser = new BrowserlessClient(t.url);
  await signInToLanyard(browser, person);
  return browser;
}

describe.each(servers)('response modes on the $name server', (server) => {
  it.each([undefined, 'query'])('code flow with response_mode=%s answers in the query', async (mode) => {
    const config = await discover(server.issuer(t), app);
    const { verifier, params: challenge } = await pkce();
    const params = baseParams({ ...challenge, ...(mode ? { response_mode: mode } : {}) });
    const callback = await authorizeInBrowser(await signedInBrowser(), client.buildAuthorizationUrl(config, params));
    expect(callback.hash).toBe('');
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe(params.state);
    expect(callback.searchParams.get('iss')).toBe(server.issuer(t));
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: params.state!, expectedNonce: params.nonce! });
    expect(tokens.claims()!.sub).toBe(userId);
  });

  it('code flow with response_mode=fragment answers in the fragment', async () => {
    const config = await discover(server.issuer(t), app);
    const { params: challenge } = await pkce();
    const params = baseParams({ ...challenge, response_mode: 'fragment' });
    const callback = await authorizeInBrowser(await signedInBrowser(), client.buildAuthorizationUrl(config, params));
    expect(callback.search).toBe('');
    expect(responseParams(callback).get('code')).toBeTruthy();
  });

  it('code flow with response_mode=form_post answers with a self-posting form that openid-client accepts', async () => {
    const config = await discover(server.issuer(t), app);
    const { verifier, params: challenge } = await pkce();
    const params = baseParams({ ...challenge, response_mode: 'form_post' });
    const nav = await (await signedInBrowser()).get(client.buildAuthorizationUrl(config, params).href);
    expect(nav.final.status).toBe(200);
    expect(nav.final.headers.get('content-type')).toMatch(/text\/html/);
    const posted = formPost(nav.final.body);
    expect(posted.action).toBe(redirectUri);
    expect(posted.fields).toMatchObject({ state: params.state });
    expect(posted.fields.code).toBeTruthy();
    // The app receives a POST to its redirect URI with those fields.
    const request = new Request(posted.action, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(posted.fields),
    });
    const tokens = await client.authorizationCodeGrant(config, request, { pkceCodeVerifier: verifier, expectedState: params.state!, expectedNonce: params.nonce! });
    expect(tokens.claims()).toMatchObject({ sub: userId, nonce: params.nonce });
  });

  it('implicit with response_mode=form_post posts the ID token', async () => {
    const config = await discover(server.issuer(t), app);
    client.useIdTokenResponseType(config);
    const params = baseParams({ response_mode: 'form_post' });
    const nav = await (await signedInBrowser()).get(client.buildAuthorizationUrl(config, params).href);
    const posted = formPost(nav.final.body);
    expect(posted.action).toBe(redirectUri);
    const url = new URL(redirectUri);
    url.hash = new URLSearchParams(posted.fields).toString();
    const claims = await client.implicitAuthentication(config, url, params.nonce!, { expectedState: params.state! });
    expect(claims).toMatchObject({ sub: userId, aud: app.clientId });
  });

  it('hybrid answers in the fragment by default and in a form with form_post', async () => {
    const config = await discover(server.issuer(t), app);
    const browser = await signedInBrowser();
    const { params: challenge } = await pkce();
    const fragment = await authorizeInBrowser(browser, client.buildAuthorizationUrl(config, baseParams({ response_type: 'code id_token', ...challenge })));
    expect(fragment.search).toBe('');
    expect(responseParams(fragment).get('id_token')).toBeTruthy();
    const nav = await browser.get(client.buildAuthorizationUrl(config, baseParams({ response_type: 'code id_token token', response_mode: 'form_post', ...challenge })).href);
    const posted = formPost(nav.final.body);
    expect(posted.fields.code && posted.fields.id_token && posted.fields.access_token).toBeTruthy();
  });

  it('refuses response_mode=query for a response that carries tokens', async () => {
    const config = await discover(server.issuer(t), app);
    const params = baseParams({ response_type: 'id_token', response_mode: 'query' });
    const callback = await authorizeInBrowser(await signedInBrowser(), client.buildAuthorizationUrl(config, params));
    // Tokens never travel in a query string: the error comes back in the fragment.
    const out = responseParams(callback);
    expect(out.get('error')).toBe('invalid_request');
    expect(out.get('id_token')).toBeNull();
    expect(callback.searchParams.get('id_token')).toBeNull();
  });
});
