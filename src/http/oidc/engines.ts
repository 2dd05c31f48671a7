/**
 * The OpenID Connect engines of all orgs: one per (org, authorization server), built on first use,
 * kept in a bounded pool, and rebuilt when the server's keys, scopes or claims change (checked at
 * most every few seconds, so every node follows a change made on another).
 */
import { acrOf, acrValuesWantMfa } from '../../domain/assurance.ts';
import { userActor } from '../../services/caller.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, createHmac } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import type { Org } from '../../domain/org.ts';
import { orgUrl } from '../../domain/org-url.ts';
import { orgAuthorizationServerId } from '../../domain/authorization-server.ts';
import { oauthClientSettingsSchema } from '../../domain/app.ts';
import { createOidcEngine, type OidcEngine, type OidcPorts } from '../../protocols/oidc/internals.ts';
import type { Services } from '../../services/index.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import type { SigningKeyRecord } from '../../services/ports.ts';
import { sessionCookie, type CookiePolicy } from '../cookies.ts';
import { toClientMetadata } from './client-metadata.ts';
import type { OidcPages } from './pages.ts';

interface PoolEntry {
  readonly engine: OidcEngine;
  readonly fingerprint: string;
  checkedAt: number;
}

const poolLimit = 200;
const recheckMs = 5000;

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface EngineRegistryDeps {
  readonly deps: ServiceDeps;
  readonly services: Services;
  readonly masterKey: Buffer;
  readonly cookiePolicy: CookiePolicy;
  readonly pages: (org: Org) => OidcPages;
  /** Let engines call loopback and private-network addresses (back-channel logout, client key sets). */
  readonly allowPrivateNetwork?: boolean;
}

/**
 * Reads made more than once while one request is served (the client, the user, the session) are
 * made once: each engine request runs inside {@link EngineRegistry.serve}, which gives it a fresh
 * memo that ends with the request, so nothing is reused across requests.
 */
const requestMemo = new AsyncLocalStorage<Map<string, Promise<unknown>>>();

function once<T>(key: string, load: () => Promise<T>): Promise<T> {
  const memo = requestMemo.getStore();
  if (!memo) return load();
  let pending = memo.get(key) as Promise<T> | undefined;
  if (!pending) {
    pending = load();
    memo.set(key, pending);
  }
  return pending;
}

export function createEngineRegistry({ deps, services, masterKey, cookiePolicy, pages: pagesFor, allowPrivateNetwork = false }: EngineRegistryDeps) {
  const pool = new Map<string, PoolEntry>();
  const { store, clock } = deps;
  // A change made on this node is seen by the next request rather than after the re-check interval.
  deps.changes.listen((orgId) => {
    for (const [key, entry] of pool) if (key.startsWith(`${orgId}|`)) entry.checkedAt = 0;
  });

  async function fingerprintOf(org: Org, asId: string, keys: readonly SigningKeyRecord[]): Promise<string | undefined> {
    const config = await services.oidcAccess.serverConfig(org.id, asId, { fresh: true });
    if (!config) return undefined;
    const material = JSON.stringify([org.lastUpdated, org.customDomain, config.server?.lastUpdated, config.server?.status,
      config.scopes.map((s) => [s.name, s.metadataPublish]), config.claims.map((c) => [c.name, c.claimType, c.conditions, c.status]),
      // A retired key leaves the engine when its delete-after time passes, as it leaves the published JWKS.
      keys.map((k) => [k.kid, k.status, k.deleteAfter, k.deleteAfter !== null && Date.parse(k.deleteAfter) <= clock.now().getTime()])]);
    return createHash('sha256').update(material).digest('base64url');
  }

  async function build(org: Org, asId: string, keys: readonly SigningKeyRecord[]): Promise<OidcEngine> {
    const config = (await services.oidcAccess.serverConfig(org.id, asId))!;
    const base = orgUrl(org, deps.baseUrl);
    const custom = asId !== orgAuthorizationServerId;
    const issuer = custom ? `${base}/oauth2/${asId}` : base;
    const publicJwks = services.signingKeys.publicJwks(keys);
    const localJwks = createLocalJWKSet(publicJwks as { keys: JWK[] });
    const scoped = () => store.forOrg(org.id);
    // The org as it is now (its settings feed claims and policies), read at most once a second.
    let latest = { org, readAt: 0 };
    const current = async (): Promise<Org> => {
      if (Date.now() - latest.readAt >= 1000) latest = { org: (await store.orgs.findById(org.id)) ?? org, readAt: Date.now() };
      return latest.org;
    };
    const pages = pagesFor(org);
    const cookieKey = createHmac('sha256', masterKey).update(`lanyard-oidc-cookies|${org.id}|${asId}`).digest('base64url');

    const resolveClient = (clientId: string) => once(`client:${clientId}`, () => services.apps.resolveClient(org.id, clientId));
    const findUser = (accountId: string) => once(`user:${accountId}`, () => scoped().users.findById(accountId));

    const ports: OidcPorts = {
      adapter: {
        payloads: scoped().oidcPayloads,
        now: () => clock.now(),
        verifyAccessTokenJwt: async (token) => {
          try {
            const { payload } = await jwtVerify(token, localJwks, { issuer, currentDate: clock.now() });
            return typeof payload.jti === 'string' ? payload.jti : undefined;
          } catch {
            return undefined;
          }
        },
        refreshLeewaySeconds: async (clientId) => {
          const app = await scoped().apps.findByClientId(clientId);
          const settings = oauthClientSettingsSchema.safeParse(app?.settings.oauthClient ?? {});
          return settings.success ? settings.data.refresh_token?.leeway ?? 30 : 0;
        },
      },
      findClient: async (clientId) => {
        const resolved = await resolveClient(clientId);
        return resolved ? toClientMetadata(resolved) : undefined;
      },
      findAccount: async (accountId, clientId) => {
        const user = await findUser(accountId);
        if (!user) return undefined;
        return {
          accountId,
          claims: async (_use, scopes) => services.oidcAccess.accountClaims(await current(), asId, user, clientId, scopes),
        };
      },
      accessTokenClaims: async (token) => services.oidcAccess.accessTokenClaims(await current(), asId, token),
      accessTokenSubject: async (accountId) => (await findUser(accountId))?.profile.login ?? accountId,
      recordAccessToken: async (jti, payload, grantId, accountId, clientId, expiresAt) => {
        // Stored under the engine's model for it (a client credentials token is found as `ClientCredentials`).
        const model = payload.kind === 'ClientCredentials' ? 'ClientCredentials' : 'AccessToken';
        await scoped().oidcPayloads.upsert(asId, model, jti, {
          payload, grantId, userCode: null, uid: null, accountId, clientId, expiresAt: expiresAt.toISOString(), consumedAt: null,
        });
      },
      authorizeToken: async (facts) => services.oidcAccess.authorizeToken(await current(), asId, facts),
      currentAccount: async (ctx) => {
        const cookie = cookieValue(ctx.get('cookie'), sessionCookie);
        const active = await once(`session:${cookie}`, async () => services.sessions.resolve(await current(), cookie));
        if (!active) return undefined;
        return { accountId: active.user.id, authTime: Math.floor(Date.parse(active.session.created) / 1000), amr: active.session.amr, acr: acrOf(active.session.amr) };
      },
      signOnSatisfied: async (ctx, clientId) => {
        const cookie = cookieValue(ctx.get('cookie'), sessionCookie);
        const active = await once(`session:${cookie}`, async () => services.sessions.resolve(await current(), cookie));
        if (!active) return true;
        const org = await current();
        const app = (await resolveClient(clientId))?.app;
        const caller = { org, actor: userActor(active.user), client: { ipAddress: ctx.ip || null, userAgent: null }, requestId: ctx.get('x-request-id') || 'oidc', requestUri: null };
        // A denial is logged by the interaction this sends the browser to, not here as well.
        const gate = await services.mfa.gate(caller, active, app?.id, { requireMfa: acrValuesWantMfa(ctx.oidc.params?.acr_values), logDenial: false });
        return gate.kind === 'pass';
      },
      accessCheck: async (ctx, accountId, clientId, scopes) => {
        const responseType = String(ctx.oidc.params?.response_type ?? 'code');
        const grantType = responseType.split(' ').includes('code') ? 'authorization_code' : 'implicit';
        return services.oidcAccess.accessCheck(await current(), asId, accountId, clientId, grantType, scopes);
      },
      rememberedGrantId: async (accountId, clientId) => {
        const now = clock.now().toISOString();
        const grants = (await scoped().oidcPayloads.listForAccount(accountId, 'Grant'))
          .filter((g) => g.asId === asId && g.record.clientId === clientId && (!g.record.expiresAt || g.record.expiresAt > now));
        return grants[grants.length - 1]?.id;
      },
      autoGrantScopes: async (clientId, scopes, prompts) => {
        const client = await resolveClient(clientId);
        if (!client) return undefined;
        const lines = await services.oidcAccess.consentLines(org.id, asId, client.client.consent_method, scopes, prompts.includes('consent'));
        return lines.length === 0 ? [...scopes] : undefined;
      },
      renderError: (ctx, out) => pages.error(ctx, out),
      logoutPage: (ctx, form, frontchannel) => pages.logout(ctx, form, frontchannel),
      postLogoutPage: (ctx) => pages.postLogout(ctx),
      deviceInputPage: (ctx, form, userCode, error) => pages.deviceInput(ctx, form, userCode, error),
      deviceConfirmPage: (ctx, form, clientName, userCode) => pages.deviceConfirm(ctx, form, clientName, userCode),
      deviceSuccessPage: (ctx, clientName) => pages.deviceSuccess(ctx, clientName),
      accountForLoginHint: async (hint) => (await scoped().users.findByLogin(hint))?.id ?? (await scoped().users.findById(hint))?.id,
      notifyBackchannelRequest: async () => {
        // The request waits in the store until the user approves it on their Lanyard page.
      },
      reportError: (error, where) => deps.logger.error({ org: org.id, as: asId, where, err: error.message, stack: error.stack }, 'OpenID Connect engine failure'),
      verifySubjectToken: async (token) => {
        try {
          const { payload } = await jwtVerify(token, localJwks, { issuer, currentDate: clock.now() });
          const record = typeof payload.jti === 'string' ? await scoped().oidcPayloads.find(asId, 'AccessToken', payload.jti) : undefined;
          if (!record || typeof payload.uid !== 'string' || typeof payload.cid !== 'string') return undefined;
          return {
            accountId: payload.uid, clientId: payload.cid,
            scopes: Array.isArray(payload.scp) ? payload.scp.map(String) : [],
            ...(typeof payload.auth_time === 'number' ? { authTime: payload.auth_time } : {}),
          };
        } catch {
          return undefined;
        }
      },
    };

    const engine = createOidcEngine({
      asId,
      issuer,
      mountPath: custom ? `/oauth2/${asId}` : '',
      routePrefix: custom ? '/v1' : '/oauth2/v1',
      audience: custom ? config.server!.audiences[0]! : base,
      jwks: await services.signingKeys.privateJwks(org.id, keys),
      scopes: services.oidcAccess.scopeNames(config),
      ...(custom ? { publishedScopes: config.scopes.filter((s) => s.metadataPublish === 'ALL_CLIENTS').map((s) => s.name) } : {}),
      claimsByScope: services.oidcAccess.claimsByScope(config),
      cookieKeys: [cookieKey],
      cookies: { secure: cookiePolicy.secure, sameSite: cookiePolicy.sameSite === 'None' ? 'none' : 'lax' },
      allowPrivateNetwork,
      interactionUrl: (uid) => `/interaction/${asId}/${uid}`,
      registrationEndpoint: `${base}/oauth2/v1/clients`,
      ttl: {
        authorizationCode: 300, idToken: 3600, session: org.settings.session.maxLifetimeMinutes * 60, interaction: 3600,
        grant: 365 * 86400, deviceCode: 600, backchannelRequest: 600,
      },
    }, ports);
    return engine;
  }

  /** The engine of an org's server, or undefined when the server does not exist or is inactive. */
  async function get(org: Org, asId: string): Promise<OidcEngine | undefined> {
    const key = `${org.id}|${asId}`;
    const cached = pool.get(key);
    const now = Date.now();
    if (cached && now - cached.checkedAt < recheckMs) return cached.engine;
    const keys = await store.forOrg(org.id).signingKeys.listForOwner('as', asId);
    if (keys.length === 0) {
      if (asId !== orgAuthorizationServerId && !(await store.forOrg(org.id).authorizationServers.findById(asId))) return undefined;
      await services.authorizationServers.ensureOrgServers(org.id);
    }
    const current = keys.length ? keys : await store.forOrg(org.id).signingKeys.listForOwner('as', asId);
    const fingerprint = await fingerprintOf(org, asId, current);
    if (!fingerprint) return undefined;
    if (cached && cached.fingerprint === fingerprint) {
      cached.checkedAt = now;
      return cached.engine;
    }
    const engine = await build(org, asId, current);
    pool.delete(key);
    if (pool.size >= poolLimit) pool.delete(pool.keys().next().value!);
    pool.set(key, { engine, fingerprint, checkedAt: now });
    return engine;
  }

  /** Serves one request with a fresh per-request memo (see {@link once}). */
  function serve<T>(work: () => Promise<T>): Promise<T> {
    return requestMemo.run(new Map(), work);
  }

  return { get, serve };
}

export type EngineRegistry = ReturnType<typeof createEngineRegistry>;
