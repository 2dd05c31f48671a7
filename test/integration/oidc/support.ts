/**
 * Shared pieces of the OpenID Connect end-to-end suites: the two servers every positive flow runs
 * on, authorization-server configuration through the services (system caller), and readers for
 * what comes back to an app (query, fragment, form_post page).
 */
import * as client from 'openid-client';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { createHash } from 'node:crypto';
import type { Org } from '../../../src/domain/org.ts';
import { api, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient, csrfOf, findForms, type Navigation } from '../../helpers/browserless.ts';
import { redirectUri } from '../../helpers/oidc.ts';

export interface ServerCase {
  readonly name: 'org' | 'default';
  issuer(t: TestLanyard): string;
  audience(t: TestLanyard): string;
}

/** The org authorization server and the `default` custom server: every positive flow runs on both. */
export const servers: readonly ServerCase[] = [
  { name: 'org', issuer: (t) => t.url, audience: (t) => t.url },
  { name: 'default', issuer: (t) => `${t.url}/oauth2/default`, audience: () => 'api://default' },
];

/** The org a test Lanyard created on first start. */
export async function firstOrg(t: TestLanyard): Promise<Org> {
  const orgs = await t.lanyard.store.orgs.list();
  return orgs.find((o) => o.name === 'default') ?? orgs[0]!;
}

/** Adds a scope to a custom server (`default` unless named) through Okta's management API. */
export async function addScope(t: TestLanyard, scope: {
  name: string; consent?: 'IMPLICIT' | 'REQUIRED' | 'FLEXIBLE'; metadataPublish?: 'ALL_CLIENTS' | 'NO_CLIENTS';
}, asId = 'default'): Promise<void> {
  const created = await api(t)(`/api/v1/authorizationServers/${asId}/scopes`, { method: 'POST', json: scope });
  if (created.status !== 201 && created.status !== 200) throw new Error(`scope not created: ${created.status} ${created.text}`);
}

/** The URL parameters an app receives: the fragment when there is one, else the query. */
export function responseParams(url: URL): URLSearchParams {
  return url.hash.length > 1 ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

/** The page of a `form_post` response: its target and fields. */
export function formPost(html: string): { action: string; fields: Record<string, string> } {
  const form = findForms(html).find((f) => f.method === 'post');
  if (!form) throw new Error(`not a form_post page: ${html.slice(0, 300)}`);
  return { action: form.action, fields: form.fields };
}

/** Whether a page is Lanyard's sign-in form. */
export function isSignInForm(html: string): boolean {
  return /name="password"/.test(html);
}

/** Whether a page is Lanyard's consent page. */
export function isConsentPage(html: string): boolean {
  return /name="decision"/.test(html);
}

/** Signs in on a page showing the sign-in form. */
export function submitSignIn(browser: BrowserlessClient, nav: Navigation, person: { username: string; password: string }): Promise<Navigation> {
  return browser.submit(nav.final, { csrf: csrfOf(nav.final.body), username: person.username, password: person.password });
}

/** The final redirect back to the app (which is not followed), or an error explaining where the browser stopped. */
export function backToApp(browser: BrowserlessClient, nav: Navigation): URL {
  const location = nav.final.location;
  if (!location || new URL(location).origin === browser.origin) {
    throw new Error(`expected a redirect back to the app, got ${nav.final.status} at ${nav.final.url}: ${nav.final.body.slice(0, 400)}`);
  }
  return new URL(location);
}

/** A Lanyard session in `browser` through the plain sign-in page. */
export async function signInToLanyard(browser: BrowserlessClient, person: { username: string; password: string }): Promise<void> {
  const page = await browser.get('/login');
  const done = await browser.submit(page.final, { csrf: csrfOf(page.final.body), username: person.username, password: person.password });
  if (done.final.status !== 200 || !browser.cookie('lanyard_sid')) {
    throw new Error(`sign-in failed: ${done.final.status} ${done.final.body.slice(0, 200)}`);
  }
}

/** A fresh PKCE pair and the request parameters that go with it. */
export async function pkce(): Promise<{ verifier: string; params: Record<string, string> }> {
  const verifier = client.randomPKCECodeVerifier();
  return { verifier, params: { code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' } };
}

/** Authorization URL parameters every test uses. */
export function baseParams(extra: Record<string, string> = {}): Record<string, string> {
  return { redirect_uri: redirectUri, scope: 'openid profile email', state: client.randomState(), nonce: client.randomNonce(), ...extra };
}

/** Verifies a JWT this server signed against its published key set. */
export async function verifyWithServerKeys(config: client.Configuration, jwt: string, options: { audience?: string } = {}): Promise<JWTPayload> {
  const metadata = config.serverMetadata();
  const keys = await (await fetch(metadata.jwks_uri!)).json() as { keys: never[] };
  const { payload } = await jwtVerify(jwt, createLocalJWKSet(keys), { issuer: metadata.issuer, ...options });
  return payload;
}

/** OpenID Connect's `at_hash` / `c_hash` of a value for an RS256 ID token. */
export function leftHalfHash(value: string): string {
  return createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');
}

/** An openid-client error's OAuth `error` code (its `cause` carries the response body). */
export function oauthError(error: unknown): string | undefined {
  const e = error as { error?: string; cause?: { error?: string } | { parameters?: { error?: string } }[] };
  // A 401 answered with a WWW-Authenticate challenge carries the code in the challenge's parameters.
  if (Array.isArray(e.cause)) return e.cause[0]?.parameters?.error;
  return e.error ?? e.cause?.error;
}

/** Runs `work` and returns the OAuth error code it fails with; fails the test when it succeeds. */
export async function failsWith(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    const code = oauthError(error);
    if (code) return code;
    throw error;
  }
  throw new Error('expected the request to fail');
}
