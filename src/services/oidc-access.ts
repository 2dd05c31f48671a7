/**
 * Who may get which tokens and what they say: app assignment, the access policies of custom
 * authorization servers, token lifetimes, and the claims of ID tokens, access tokens and userinfo
 * (standard claims, Okta's own, and custom claims computed by expressions or group filters).
 */
import {
  defaultAuthorizationServerId, evaluatePolicies, orgAuthorizationServerId, policyDeniedDescription,
  type AuthorizationServer, type Claim, type Policy, type Rule, type Scope,
} from '../domain/authorization-server.ts';
import { isManagementScope, managementScopes } from '../domain/api-scopes.ts';
import { claimsByStandardScope, standardClaims } from '../domain/oidc-claims.ts';
import type { User } from '../domain/user.ts';
import type { App } from '../domain/app.ts';
import type { Org } from '../domain/org.ts';
import { evaluate, filterGroups, parseExpression } from '../protocols/expressions/index.ts';
import type { ServiceDeps } from './deps.ts';
import { buildExpressionContext } from './expression-context.ts';
import type { OrgStore } from './ports.ts';
import { adminConsoleClientId } from './admin-console.ts';

const tokenExchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange';

export const notAssignedDescription = 'User is not assigned to the client application.';
export const notAnAdministratorDescription = 'Only administrators may sign in to the admin console.';
export const managementScopeDescription = 'Management API scopes (okta.*, lanyard.*) are granted to the Lanyard Admin Console only.';
export const inactiveUserDescription = 'The user is not active.';

/** Everything about a server the engine and the policy need, loaded together. */
export interface ServerConfig {
  readonly id: string;
  /** Undefined for the org authorization server, which has no record. */
  readonly server: AuthorizationServer | undefined;
  readonly scopes: readonly Scope[];
  readonly claims: readonly Claim[];
  readonly policies: readonly Policy[];
  readonly rules: readonly Rule[];
}

export interface TokenFacts {
  readonly clientId: string;
  readonly grantType: string;
  readonly accountId: string | undefined;
  readonly scopes: readonly string[];
}

export interface Lifetimes {
  readonly accessToken: number;
  readonly refreshToken: number;
  readonly refreshTokenWindow: number;
}

/** The org authorization server's fixed lifetimes (Okta: 1 hour, refresh 90 days). */
const orgServerLifetimes: Lifetimes = { accessToken: 3600, refreshToken: 90 * 86400, refreshTokenWindow: 90 * 86400 };

/** Scopes the org authorization server offers. */
export const orgServerScopes = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access', 'groups', ...managementScopes];

const isCustom = (asId: string) => asId !== orgAuthorizationServerId;

function active<T extends { status?: string }>(items: readonly T[]): T[] {
  return items.filter((i) => i.status === undefined || i.status === 'ACTIVE');
}

/** How long a server's configuration is reused before it is read again (changes on this node end it at once). */
const configReuseMs = 5000;

export function createOidcAccess(deps: ServiceDeps) {
  const { store } = deps;
  // Every token request needs the server's policies and claims; they change rarely, so they are
  // read at most once per interval. Another node's change is seen within that interval, as the
  // engines see it; a change made here is announced and drops the org's entries.
  const configs = new Map<string, { config: ServerConfig | undefined; readAt: number }>();
  deps.changes.listen((orgId) => {
    for (const key of configs.keys()) if (key.startsWith(`${orgId}|`)) configs.delete(key);
  });

  /** A server's configuration; `fresh` reads it from the store whatever the cache holds. */
  async function serverConfig(orgId: string, asId: string, options: { fresh?: boolean } = {}): Promise<ServerConfig | undefined> {
    const key = `${orgId}|${asId}`;
    const cached = configs.get(key);
    if (!options.fresh && cached && Date.now() - cached.readAt < configReuseMs) return cached.config;
    const config = await readServerConfig(orgId, asId);
    if (configs.size >= 1000) configs.delete(configs.keys().next().value!);
    configs.set(key, { config, readAt: Date.now() });
    return config;
  }

  async function readServerConfig(orgId: string, asId: string): Promise<ServerConfig | undefined> {
    if (!isCustom(asId)) return { id: asId, server: undefined, scopes: [], claims: [], policies: [], rules: [] };
    const repo = store.forOrg(orgId).authorizationServers;
    const server = await repo.findById(asId);
    if (!server) return undefined;
    const [scopes, claims, policies, rules] = await Promise.all([
      repo.scopes.list(asId), repo.claims.list(asId), repo.policies.list(asId), repo.rules.list(asId),
    ]);
    return { id: asId, server, scopes, claims, policies, rules };
  }

  /** Scope names a server offers. */
  function scopeNames(config: ServerConfig): string[] {
    return isCustom(config.id) ? config.scopes.map((s) => s.name) : orgServerScopes;
  }

  /** Which claims each scope releases on this server: standard ones plus its identity claims. */
  function claimsByScope(config: ServerConfig): Record<string, string[]> {
    const out: Record<string, string[]> = Object.fromEntries(Object.entries(claimsByStandardScope).map(([k, v]) => [k, [...v]]));
    if (!isCustom(config.id)) {
      out.groups = ['groups'];
      return out;
    }
    for (const claim of active(config.claims).filter((c) => c.claimType === 'IDENTITY')) {
      const scopes = claim.conditions.scopes.length ? claim.conditions.scopes : ['openid'];
      for (const scope of scopes) (out[scope] ??= []).push(claim.name);
    }
    return out;
  }

  async function assignedApp(scoped: OrgStore, clientId: string): Promise<App | undefined> {
    return scoped.apps.findByClientId(clientId);
  }

  /** Whether a user may sign in to a client through a server now; a string is Okta's reason not. */
  async function accessCheck(org: Org, asId: string, accountId: string, clientId: string, grantType: string, scopes: readonly string[]): Promise<true | string> {
    const scoped = store.forOrg(org.id);
    const user = await scoped.users.findById(accountId);
    if (!user || (user.status !== 'ACTIVE' && user.status !== 'PASSWORD_EXPIRED')) return inactiveUserDescription;
    const app = await assignedApp(scoped, clientId);
    // The admin console is for administrators, whoever it is assigned to; management scopes are
    // for the console alone.
    if (app && clientId === adminConsoleClientId) {
      return (await scoped.users.roles(user.id)).length > 0 ? true : notAnAdministratorDescription;
    }
    if (scopes.some(isManagementScope)) return managementScopeDescription;
    if (!app || !(await scoped.apps.isAssigned(app.id, user.id))) return notAssignedDescription;
    if (!isCustom(asId)) return true;
    const config = await serverConfig(org.id, asId);
    if (!config?.server || config.server.status !== 'ACTIVE') return policyDeniedDescription;
    const groupIds = (await scoped.groups.groupsOfUser(user.id)).map((g) => g.id);
    const decision = evaluatePolicies(config.policies, config.rules, { clientId, grantType, user: { id: user.id, groupIds }, requestedScopes: scopes });
    return decision.ok ? true : policyDeniedDescription;
  }

  /** The verdict at the token endpoint: lifetimes to use, or why no token is issued. */
  async function authorizeToken(org: Org, asId: string, facts: TokenFacts): Promise<Lifetimes | string> {
    const scoped = store.forOrg(org.id);
    let groupIds: string[] = [];
    if (facts.accountId) {
      if (facts.grantType === tokenExchangeGrant) {
        // The API exchanging a user's token acts for that user; it is the user, not the API, who is assigned to the calling app.
        const user = await scoped.users.findById(facts.accountId);
        if (!user || user.status !== 'ACTIVE') return inactiveUserDescription;
      } else {
        const verdict = await accessCheck(org, orgAuthorizationServerId, facts.accountId, facts.clientId, facts.grantType, facts.scopes);
        if (verdict !== true) return verdict;
      }
      groupIds = (await scoped.groups.groupsOfUser(facts.accountId)).map((g) => g.id);
    }
    if (!isCustom(asId)) {
      return facts.grantType === 'client_credentials'
        ? 'Client credentials requests to the org authorization server are not supported; use a custom authorization server such as default.'
        : orgServerLifetimes;
    }
    const config = await serverConfig(org.id, asId);
    if (!config?.server || config.server.status !== 'ACTIVE') return policyDeniedDescription;
    const decision = evaluatePolicies(config.policies, config.rules, {
      clientId: facts.clientId, grantType: facts.grantType, requestedScopes: facts.scopes,
      ...(facts.accountId ? { user: { id: facts.accountId, groupIds } } : {}),
    });
    if (!decision.ok) return policyDeniedDescription;
    const { token } = decision.rule.actions;
    return {
      accessToken: token.accessTokenLifetimeMinutes * 60,
      refreshToken: token.refreshTokenLifetimeMinutes * 60,
      refreshTokenWindow: token.refreshTokenWindowMinutes * 60,
    };
  }

  /** The expression context of a user for a client: Okta's `user`, `appuser`, `app`, `org`, groups. */
  async function expressionContext(org: Org, user: User, clientId: string | undefined) {
    const app = clientId ? await assignedApp(store.forOrg(org.id), clientId) : undefined;
    return buildExpressionContext(deps, org, user, app ? { app, clientId } : undefined);
  }

  /** Values of the custom claims of one type that apply to the granted scopes. */
  async function customClaims(org: Org, config: ServerConfig, type: Claim['claimType'], user: User | undefined, clientId: string,
    scopes: ReadonlySet<string>): Promise<Record<string, unknown>> {
    const applicable = active(config.claims).filter((c) => c.claimType === type
      && (type === 'IDENTITY' || c.conditions.scopes.length === 0 || c.conditions.scopes.some((s) => scopes.has(s))));
    if (applicable.length === 0 || !user) return {};
    const context = await expressionContext(org, user, clientId);
    const out: Record<string, unknown> = {};
    for (const claim of applicable) {
      try {
        const value = claim.valueType === 'GROUPS'
          ? filterGroups(context.groups, claim.group_filter_type!, claim.value)
          : evaluate(parseExpression(claim.value), context);
        if (value !== null && value !== undefined) out[claim.name] = value;
      } catch (error) {
        // A claim that cannot be computed for this user is left out, and the admin learns why from the log.
        deps.logger.warn({ org: org.id, claim: claim.id, err: (error as Error).message }, 'custom claim could not be computed');
      }
    }
    return out;
  }

  /** Claims for the ID token or userinfo: standard, groups on the org server, custom identity claims. */
  async function accountClaims(org: Org, asId: string, user: User, clientId: string | undefined, scopes: ReadonlySet<string>): Promise<Record<string, unknown>> {
    const claims = standardClaims(user, org.id);
    if (!isCustom(asId)) {
      if (scopes.has('groups')) {
        const groups = await store.forOrg(org.id).groups.groupsOfUser(user.id);
        claims.groups = groups.slice(0, 100).map((g) => g.name);
      }
      return claims;
    }
    const config = await serverConfig(org.id, asId);
    if (!config) return claims;
    return { ...claims, ...await customClaims(org, config, 'IDENTITY', user, clientId ?? '', scopes) };
  }

  /** Okta's access-token claims: ver, cid, uid, scp, auth_time and the custom resource claims. */
  async function accessTokenClaims(org: Org, asId: string, token: { accountId?: string; clientId: string; scopes: readonly string[]; authTime?: number }): Promise<Record<string, unknown>> {
    const base: Record<string, unknown> = {
      ver: 1, cid: token.clientId, ...(token.accountId ? { uid: token.accountId } : {}), scp: [...token.scopes],
      ...(token.authTime ? { auth_time: token.authTime } : {}),
    };
    if (!isCustom(asId)) return base;
    const config = await serverConfig(org.id, asId);
    if (!config) return base;
    const user = token.accountId ? await store.forOrg(org.id).users.findById(token.accountId) : undefined;
    return { ...base, ...await customClaims(org, config, 'RESOURCE', user, token.clientId, new Set(token.scopes)) };
  }

  /**
   * The scopes a user must approve before a client gets them, as lines for the consent page; empty
   * when no consent is needed. Okta asks only when a scope allows consent (REQUIRED or FLEXIBLE),
   * and then only when the client's consent method is REQUIRED or the request says `prompt=consent`
   * (a TRUSTED client without `prompt=consent` is never asked).
   */
  async function consentLines(orgId: string, asId: string, consentMethod: string, scopes: readonly string[], consentPrompted: boolean) {
    const config = await serverConfig(orgId, asId);
    const documents = new Map((config?.scopes ?? []).map((s) => [s.name, s]));
    const consentOf = (name: string) => documents.get(name)?.consent ?? 'IMPLICIT';
    const needed = scopes.some((name) => consentOf(name) !== 'IMPLICIT') && (consentPrompted || consentMethod === 'REQUIRED');
    if (!needed) return [];
    return scopes.filter((s) => s !== 'openid').map((name) => ({
      name: documents.get(name)?.displayName ?? name,
      description: documents.get(name)?.description ?? `Access to ${name}`,
    }));
  }

  /** Back-channel (CIBA) requests waiting for this user's answer, on every server of the org. */
  async function pendingBackchannelRequests(orgId: string, userId: string) {
    const scoped = store.forOrg(orgId);
    const now = deps.clock.now().toISOString();
    const pending = (await scoped.oidcPayloads.listForAccount(userId, 'BackchannelAuthenticationRequest'))
      .filter((r) => (!r.record.expiresAt || r.record.expiresAt > now) && !r.record.payload.grantId && !r.record.payload.error);
    const out = [];
    for (const { asId, id, record } of pending) {
      const app = record.clientId ? await scoped.apps.findByClientId(record.clientId) : undefined;
      const params = (record.payload.params ?? {}) as Record<string, unknown>;
      out.push({
        asId, id, clientName: app?.label ?? record.clientId ?? 'An app', scope: String(record.payload.scope ?? ''),
        bindingMessage: typeof params.binding_message === 'string' ? params.binding_message : undefined,
      });
    }
    return out;
  }

  return {
    serverConfig, scopeNames, claimsByScope, accessCheck, authorizeToken, accountClaims, accessTokenClaims, expressionContext, consentLines,
    pendingBackchannelRequests,
  };
}

export type OidcAccess = ReturnType<typeof createOidcAccess>;

export { defaultAuthorizationServerId, orgAuthorizationServerId };
