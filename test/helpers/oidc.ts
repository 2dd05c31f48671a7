/**
 * Helpers for OpenID Connect tests: an OIDC app made through the management API, and a browser
 * sign-in that follows Lanyard's redirects until the one back to the app (which is not requested:
 * redirect URIs use the reserved `.test` domain, so nothing leaves this machine).
 */
import * as client from 'openid-client';
import { api, type TestLanyard } from './lanyard.ts';
import { BrowserlessClient, csrfOf, textOf } from './browserless.ts';

export const redirectUri = 'https://app.example.test/callback';

export interface TestApp {
  readonly id: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
}

/** Creates an OIDC app; `settings` and `credentials` merge into Okta's `oauthClient` objects. */
export async function createOidcApp(t: Pick<TestLanyard, 'url' | 'token'>, options: {
  label?: string; settings?: Record<string, unknown>; credentials?: Record<string, unknown>; assign?: string[];
} = {}): Promise<TestApp> {
  const call = api(t);
  const created = await call('/api/v1/apps', {
    method: 'POST',
    json: {
      name: 'oidc_client', label: options.label ?? 'Test App', signOnMode: 'OPENID_CONNECT',
      credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic', ...options.credentials } },
      settings: {
        oauthClient: {
          redirect_uris: [redirectUri], post_logout_redirect_uris: ['https://app.example.test/signed-out'],
          grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], application_type: 'web',
          ...options.settings,
        },
      },
    },
  });
  if (created.status !== 200) throw new Error(`app not created: ${created.status} ${created.text}`);
  for (const userId of options.assign ?? []) {
    const assigned = await call(`/api/v1/apps/${created.json.id}/users`, { method: 'POST', json: { id: userId } });
    if (assigned.status !== 200) throw new Error(`not assigned: ${assigned.text}`);
  }
  return {
    id: created.json.id,
    clientId: created.json.credentials.oauthClient.client_id,
    clientSecret: created.json.credentials.oauthClient.client_secret,
  };
}

/** A user with a password, through the API; returns its id. */
export async function createUser(t: Pick<TestLanyard, 'url' | 'token'>, login: string, password = 'Quiet-Lantern-Seven-7',
  extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api(t)('/api/v1/users', {
    method: 'POST',
    json: { profile: { login, email: login, firstName: 'Test', lastName: 'Person', ...extra }, credentials: { password: { value: password } } },
  });
  if (res.status !== 200) throw new Error(`user not created: ${res.text}`);
  return res.json.id;
}

/** openid-client configuration from the server's discovery document (plain http allowed for loopback). */
export async function discover(issuer: string, app: Pick<TestApp, 'clientId' | 'clientSecret'>, auth?: client.ClientAuth): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), app.clientId, app.clientSecret, auth, { execute: [client.allowInsecureRequests] });
}

/**
 * Opens an authorization URL in `browser`, signs in on Lanyard's form if it is shown, and returns
 * the URL Lanyard finally redirects to (the app's callback, with the code or the error).
 */
export async function authorizeInBrowser(browser: BrowserlessClient, url: URL | string, credentials?: { username: string; password: string }): Promise<URL> {
  let nav = await browser.get(url.toString());
  if (nav.final.status === 200 && /name="password"/.test(nav.final.body) && credentials) {
    nav = await browser.submit(nav.final, { csrf: csrfOf(nav.final.body), username: credentials.username, password: credentials.password });
  }
  const location = nav.final.location;
  if (!location || new URL(location).origin === browser.origin) {
    throw new Error(`expected a redirect back to the app, got ${nav.final.status} at ${nav.final.url}: ${textOf(nav.final.body).slice(0, 300)}`);
  }
  return new URL(location);
}

/** A code flow with PKCE for `issuer`, returning the token set. */
export async function codeFlow(config: client.Configuration, browser: BrowserlessClient,
  credentials: { username: string; password: string } | undefined, scope = 'openid profile email offline_access',
  extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  const callback = await authorizeInBrowser(browser, url, credentials);
  return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
}
