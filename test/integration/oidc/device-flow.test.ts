/**
 * The device authorization grant (RFC 8628) with openid-client on the org server and `default`:
 * the device asks for a code and polls; the user opens `verification_uri_complete` in a browser,
 * signs in and confirms; the poll returns the tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient, findForms, textOf, type Navigation } from '../../helpers/browserless.ts';
import { createOidcApp, createUser, discover, type TestApp } from '../../helpers/oidc.ts';
import { failsWith, isSignInForm, servers, signInToLanyard, submitSignIn } from './support.ts';

let t: TestLanyard;
let userId: string;
let tv: TestApp;
const person = { username: 'device.user@example.com', password: 'Quiet-Lantern-Seven-7' };
const deviceGrant = 'urn:ietf:params:oauth:grant-type:device_code';

beforeAll(async () => {
  t = await startLanyard();
  userId = await createUser(t, person.username, person.password);
  tv = await createOidcApp(t, {
    label: 'Living Room TV', assign: [userId], credentials: { token_endpoint_auth_method: 'none' },
    settings: { application_type: 'native', grant_types: ['authorization_code', deviceGrant, 'refresh_token'] },
  });
});
afterAll(async () => t?.close());

/** Submits the engine's device form on a page (its fields live outside the form element). */
function submitDeviceForm(browser: BrowserlessClient, nav: Navigation, fields: Record<string, string>): Promise<Navigation> {
  return browser.submit(nav.final, fields);
}

/** Polls quickly (the server sets no minimum), so the test does not wait the default 5 s. */
function poll(config: client.Configuration, response: client.DeviceAuthorizationResponse) {
  return client.pollDeviceAuthorizationGrant(config, { ...response, interval: 0.2 });
}

describe.each(servers)('device authorization on the $name server', (server) => {
  it('the user signs in and confirms in a browser; the device\'s poll returns Okta-shaped tokens', async () => {
    const config = await discover(server.issuer(t), tv, client.None());
    expect(config.serverMetadata().device_authorization_endpoint).toBe(`${server.issuer(t)}${server.name === 'org' ? '/oauth2' : ''}/v1/device/authorize`);
    const response = await client.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access' });
    expect(response.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(response.verification_uri).toBe(`${server.issuer(t)}${server.name === 'org' ? '/oauth2' : ''}/v1/device/verify`);
    expect(response.verification_uri_complete).toBe(`${response.verification_uri}?user_code=${encodeURIComponent(response.user_code)}`);
    expect(response.expires_in).toBeGreaterThan(0);
    const polling = poll(config, response);

    const browser = new BrowserlessClient(t.url);
    // The link carries the code: the page posts it on, and the user is asked to confirm.
    const opened = await browser.get(response.verification_uri_complete!);
    const confirmPage = await submitDeviceForm(browser, opened, {});
    expect(textOf(confirmPage.final.body)).toContain(response.user_code);
    expect(textOf(confirmPage.final.body)).toContain('Living Room TV');
    const confirmed = await submitDeviceForm(browser, confirmPage, { confirm: 'yes' });
    expect(isSignInForm(confirmed.final.body)).toBe(true);
    const done = await submitSignIn(browser, confirmed, person);
    expect(done.final.status).toBe(200);
    expect(textOf(done.final.body)).toContain('Device connected');

    const tokens = await polling.catch((e) => { throw new Error(`poll: ${JSON.stringify(e.cause ?? e)}`); });
    expect(tokens.claims()).toMatchObject({ sub: userId, aud: tv.clientId, iss: server.issuer(t), amr: ['pwd'] });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ uid: userId, cid: tv.clientId, sub: person.username, aud: server.audience(t) });
    expect(decodeJwt(tokens.access_token).scp).toEqual(['openid', 'profile', 'offline_access']);
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!).catch((e) => { throw new Error(`refresh: ${JSON.stringify(e.cause ?? e)}`); });
    expect(decodeJwt(refreshed.access_token).uid).toBe(userId);
  });

  it('a user already signed in to Lanyard only confirms', async () => {
    const config = await discover(server.issuer(t), tv, client.None());
    const response = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    const polling = poll(config, response);
    const browser = new BrowserlessClient(t.url);
    await signInToLanyard(browser, person);
    // Typed by hand this time: the input page, then the confirmation.
    const input = await browser.get(response.verification_uri);
    expect(findForms(input.final.body).some((f) => f.action.endsWith('/device/verify'))).toBe(true);
    const confirmPage = await submitDeviceForm(browser, input, { user_code: response.user_code.toLowerCase().replace('-', '') });
    const done = await submitDeviceForm(browser, confirmPage, { confirm: 'yes' });
    expect(textOf(done.final.body)).toContain('Device connected');
    expect((await polling).claims()!.sub).toBe(userId);
  });

  it('Cancel answers access_denied to the device', async () => {
    const config = await discover(server.issuer(t), tv, client.None());
    const response = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    const polling = failsWith(() => poll(config, response));
    const browser = new BrowserlessClient(t.url);
    const confirmPage = await submitDeviceForm(browser, await browser.get(response.verification_uri_complete!), {});
    const cancelled = await submitDeviceForm(browser, confirmPage, { abort: 'yes' });
    expect(textOf(cancelled.final.body)).toContain('Sign-in was cancelled. The device was not connected.');
    expect(await polling).toBe('access_denied');
  });

  it('a wrong code is refused on the page', async () => {
    const browser = new BrowserlessClient(t.url);
    const verify = `${server.issuer(t)}${server.name === 'org' ? '/oauth2' : ''}/v1/device/verify`;
    const input = await browser.get(verify);
    const answer = await submitDeviceForm(browser, input, { user_code: 'BCDF-GHJK' });
    expect(textOf(answer.final.body)).toContain('That code is not valid or has expired.');
  });
});
