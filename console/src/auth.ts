/**
 * Signing in to the console: authorization code + PKCE against the org authorization server, as
 * any browser app of the org would. The access token carries the management scopes and lives in
 * this tab's session storage only; an expired or refused token sends the admin through sign-in
 * again (the Lanyard session usually makes that a silent redirect).
 */
export const clientId = 'lanyard-admin-console';
const redirectUri = () => `${window.location.origin}/admin/callback`;
const tokenKey = 'lanyard.console.token';
const pendingKey = 'lanyard.console.pending';

export interface Tokens {
  readonly accessToken: string;
  readonly idToken: string;
  readonly expiresAt: number;
  readonly scopes: readonly string[];
}

export interface Identity {
  readonly userId: string;
  readonly name: string;
  readonly login: string;
}

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function challengeOf(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** The management scopes the org authorization server offers (okta.*, lanyard.*). */
async function managementScopes(): Promise<string[]> {
  const response = await fetch('/.well-known/openid-configuration');
  const discovery = await response.json() as { scopes_supported?: string[] };
  return (discovery.scopes_supported ?? []).filter((s) => /^(okta|lanyard)\./.test(s));
}

export function currentTokens(): Tokens | undefined {
  const raw = sessionStorage.getItem(tokenKey);
  if (!raw) return undefined;
  const tokens = JSON.parse(raw) as Tokens;
  return tokens.expiresAt > Date.now() + 10_000 ? tokens : undefined;
}

export function identityOf(tokens: Tokens): Identity {
  const payload = JSON.parse(atob(tokens.idToken.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  const login = String(payload.preferred_username ?? payload.email ?? payload.sub ?? '');
  return { userId: String(payload.sub ?? ''), name: String(payload.name ?? login), login };
}

/** Leaves for the authorization endpoint; comes back to `returnTo` once signed in. */
export async function signIn(returnTo: string = window.location.pathname + window.location.search): Promise<never> {
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(pendingKey, JSON.stringify({ verifier, state, returnTo }));
  const params = new URLSearchParams({
    client_id: clientId, response_type: 'code', redirect_uri: redirectUri(), state,
    scope: ['openid', 'profile', 'email', ...await managementScopes()].join(' '),
    code_challenge: await challengeOf(verifier), code_challenge_method: 'S256',
  });
  window.location.assign(`/oauth2/v1/authorize?${params}`);
  return new Promise<never>(() => undefined);
}

/** Finishes sign-in at `/admin/callback`; returns where to go next, or throws the server's reason. */
export async function completeSignIn(search: string): Promise<string> {
  const params = new URLSearchParams(search);
  const pending = JSON.parse(sessionStorage.getItem(pendingKey) ?? 'null') as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(pendingKey);
  if (params.get('error')) throw new Error(params.get('error_description') ?? params.get('error')!);
  if (!pending || params.get('state') !== pending.state || !params.get('code')) throw new Error('This sign-in was not started here. Try again.');
  const response = await fetch('/oauth2/v1/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: redirectUri(), client_id: clientId, code_verifier: pending.verifier,
    }),
  });
  const body = await response.json() as { access_token?: string; id_token?: string; expires_in?: number; scope?: string; error_description?: string; error?: string };
  if (!response.ok || !body.access_token || !body.id_token) throw new Error(body.error_description ?? body.error ?? 'The token request failed.');
  const tokens: Tokens = {
    accessToken: body.access_token, idToken: body.id_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
    scopes: (body.scope ?? '').split(' ').filter(Boolean),
  };
  sessionStorage.setItem(tokenKey, JSON.stringify(tokens));
  return pending.returnTo.startsWith('/admin') && !pending.returnTo.startsWith('/admin/callback') ? pending.returnTo : '/admin/';
}

/** Ends the console's tokens and the Lanyard session. */
export function signOut(tokens: Tokens): void {
  sessionStorage.removeItem(tokenKey);
  const params = new URLSearchParams({ id_token_hint: tokens.idToken, post_logout_redirect_uri: `${window.location.origin}/admin/` });
  window.location.assign(`/oauth2/v1/logout?${params}`);
}
