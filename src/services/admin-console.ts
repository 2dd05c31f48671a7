/**
 * The admin console is an ordinary OpenID Connect app of each org ("Lanyard Admin Console", as
 * Okta lists its own), a public browser client with PKCE that asks the org authorization server
 * for management scopes and then calls `/api/v1` with the access token, like any other client of
 * the public API. Only administrators may sign in to it; the API still checks their roles.
 */
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { managementScopes } from '../domain/api-scopes.ts';
import { orgAuthorizationServerId } from '../domain/authorization-server.ts';
import type { Org } from '../domain/org.ts';
import type { User } from '../domain/user.ts';
import { AppError } from '../kernel/errors.ts';
import type { Caller } from './caller.ts';
import { noClient, systemActor } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import type { createAppService } from './apps.ts';
import type { createSigningKeyService } from './signing-keys.ts';

/** The console's client id in every org. */
export const adminConsoleClientId = 'lanyard-admin-console';

export interface BearerPrincipal {
  readonly user: User;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  readonly clientId: string;
}

export function createAdminConsole(deps: ServiceDeps, apps: ReturnType<typeof createAppService>,
  signingKeys: ReturnType<typeof createSigningKeyService>) {
  const { store, clock } = deps;

  /** The org's console app, made on first use (also for orgs that existed before the console). */
  async function ensure(org: Org, orgUrl: string): Promise<void> {
    if (await store.forOrg(org.id).apps.findByClientId(adminConsoleClientId)) return;
    const caller: Caller = { org, actor: systemActor, client: noClient, requestId: 'admin-console', requestUri: null };
    try {
      await apps.create(caller, {
        name: 'oidc_client', label: 'Lanyard Admin Console', signOnMode: 'OPENID_CONNECT',
        credentials: { oauthClient: { client_id: adminConsoleClientId, token_endpoint_auth_method: 'none' } },
        settings: {
          oauthClient: {
            application_type: 'browser', consent_method: 'TRUSTED', response_types: ['code'], grant_types: ['authorization_code'],
            redirect_uris: [`${orgUrl}/admin/callback`], post_logout_redirect_uris: [`${orgUrl}/admin/`],
          },
        },
        visibility: { autoSubmitToolbar: false, hide: { iOS: true, web: true } },
      }, { activate: true });
    } catch (error) {
      // Two first requests at once: the other made it.
      if (!(await store.forOrg(org.id).apps.findByClientId(adminConsoleClientId))) throw error;
    }
  }

  /**
   * The administrator behind an access token of the org authorization server (`Authorization:
   * Bearer`): signed by one of its keys, for this org's URL, not expired and not revoked.
   */
  async function authenticate(org: Org, orgUrl: string, token: string): Promise<BearerPrincipal> {
    const keys = await signingKeys.list(org.id, { type: 'as', id: orgAuthorizationServerId });
    const jwks = createLocalJWKSet(signingKeys.publicJwks(keys) as { keys: JWK[] });
    let payload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer: orgUrl, audience: orgUrl, currentDate: clock.now() }));
    } catch {
      throw new AppError('auth.invalid_token', { debug: 'bearer token is not a valid access token of this org' });
    }
    const scoped = store.forOrg(org.id);
    const record = typeof payload.jti === 'string' ? await scoped.oidcPayloads.find(orgAuthorizationServerId, 'AccessToken', payload.jti) : undefined;
    if (!record || typeof payload.uid !== 'string' || typeof payload.cid !== 'string') {
      throw new AppError('auth.invalid_token', { debug: 'bearer token was revoked or names no user' });
    }
    const user = await scoped.users.findById(payload.uid);
    const roles = user ? await scoped.users.roles(user.id) : [];
    if (!user || (user.status !== 'ACTIVE' && user.status !== 'PASSWORD_EXPIRED') || roles.length === 0) {
      throw new AppError('auth.invalid_token', { debug: 'bearer token owner is not an active administrator' });
    }
    const scopes = (Array.isArray(payload.scp) ? payload.scp.map(String) : []).filter((s) => managementScopes.includes(s));
    return { user, roles, scopes, clientId: payload.cid };
  }

  /** Whether a user may sign in to the console: administrators only. */
  async function mayUse(org: Org, userId: string): Promise<boolean> {
    return (await store.forOrg(org.id).users.roles(userId)).length > 0;
  }

  return { ensure, authenticate, mayUse };
}
