/**
 * Shared pieces of the OpenID Connect security suites: a signed-in person, client key pairs made
 * with jose, raw requests to the token endpoint (what an attacker sends), and readers for the
 * answers (OAuth errors from openid-client, the redirect back to the app, error pages).
 */
import * as client from 'openid-client';
import { exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type { Org } from '../../../src/domain/org.ts';
import type { TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient, csrfOf, type Navigation } from '../../helpers/browserless.ts';
import { redirectUri } from '../../helpers/oidc.ts';

export const person = { username: 'sec.user@example.com', password: 'Quiet-Lantern-Seven-7' };

/** The org a test Lanyard created on first start. */
export async function firstOrg(t: TestLanyard): Promise<Org> {
  const orgs = await t.lanyard.store.orgs.list();
  return orgs.find((o) => o.name === 'default') ?? orgs[0]!;
}

/** A client's RS256 key pair: the private key for openid-client and jose, the public key as a JWK and as PEM. */
export async function clientKeyPair(kid: string): Promise<{ privateKey: CryptoKey; publicJwk: JWK; publicPem: string }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, publicJwk: { ...await exportJWK(publicKey), kid, alg: 'RS256', use: 'sig' }, publicPem: await exportSPKI(publicKey) };
}

/** A fresh PKCE pair and the request parameters that go with it. */
export async function pkce(): Promise<{ verifier: string; params: Record<string, string> }> {
  const verifier = client.randomPKCECodeVerifier();
  return { verifier, params: { code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' } };
}

/** Authorization request parameters with PKCE; `checks` go to `authorizationCodeGrant`. */
export async function codeRequest(extra: Record<string, string> = {}) {
  const { verifier, params } = await pkce();
  const state = client.randomState();
  const nonce = client.randomNonce();
  return {
    params: { redirect_uri: redirectUri, scope: 'openid profile email', state, nonce, ...params, ...extra },
    checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce },
  };
}

/** Opens `url`, signs in if Lanyard asks, and returns where the browser stopped. */
export async function visit(browser: BrowserlessClient, url: URL | string, credentials?: { username: string; password: string }): Promise<Navigation> {
  let nav = await browser.get(url.toString());
  if (credentials && nav.final.status === 200 && /name="password"/.test(nav.final.body)) {
    nav = await browser.submit(nav.final, { csrf: csrfOf(nav.final.body), username: credentials.username, password: credentials.password });
  }
  return nav;
}

/** The redirect back to the app at the end of a navigation, or undefined when the browser stopped on a Lanyard page. */
export function redirectBack(browser: BrowserlessClient, nav: Navigation): URL | undefined {
  const location = nav.final.location;
  if (!location || new URL(location).origin === browser.origin) return undefined;
  return new URL(location);
}

/** The redirect back to the app; fails with what the browser saw instead. */
export function backToApp(browser: BrowserlessClient, nav: Navigation): URL {
  const url = redirectBack(browser, nav);
  if (!url) throw new Error(`expected a redirect back to the app, got ${nav.final.status} at ${nav.final.url}: ${nav.final.body.slice(0, 400)}`);
  return url;
}

/** Signs in through an authorization URL and returns the app's callback URL. */
export async function authorize(browser: BrowserlessClient, url: URL | string, credentials?: { username: string; password: string }): Promise<URL> {
  return backToApp(browser, await visit(browser, url, credentials));
}

export interface OAuthFailure {
  readonly error: string | undefined;
  readonly description: string | undefined;
  readonly status: number | undefined;
}

/** The OAuth error an openid-client call fails with (from the body, or from a WWW-Authenticate challenge). */
export function oauthFailure(error: unknown): OAuthFailure {
  const e = error as {
    error?: string; error_description?: string; status?: number;
    cause?: { error?: string; error_description?: string } | { parameters?: { error?: string; error_description?: string } }[];
    response?: Response;
  };
  if (Array.isArray(e.cause)) {
    return { error: e.cause[0]?.parameters?.error, description: e.cause[0]?.parameters?.error_description, status: e.response?.status ?? e.status };
  }
  return {
    error: e.error ?? (e.cause as { error?: string } | undefined)?.error,
    description: e.error_description ?? (e.cause as { error_description?: string } | undefined)?.error_description,
    status: e.status ?? e.response?.status,
  };
}

/** Runs `work`, which must fail with an OAuth error, and returns that error. */
export async function failure(work: () => Promise<unknown>): Promise<OAuthFailure> {
  try {
    await work();
  } catch (error) {
    const found = oauthFailure(error);
    if (found.error) return found;
    throw error;
  }
  throw new Error('expected the request to fail');
}

/** A raw form POST (what an attacker sends by hand); the JSON answer and status. */
export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: response.status, json, headers: response.headers };
}

/** `Authorization: Basic` for a client id and secret, form-encoded as RFC 6749 §2.3.1 asks. */
export function basic(clientId: string, secret: string): Record<string, string> {
  const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
  return { authorization: `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}` };
}

/** An unsigned JWT (`alg: none`). */
export function unsignedJwt(payload: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

export const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export { redirectUri };
