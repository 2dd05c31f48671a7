/**
 * The Koa application: middleware in order, then the routers.
 *
 * observe (request id, access log, metrics) → security headers → errors → [health, metrics, assets]
 * → tenant (Host → org) → rate limits (`/api/v1`) → API routes (SSWS) and sign-in pages.
 */
import Koa from 'koa';
import Router from '@koa/router';
import { readFileSync } from 'node:fs';
import { AppError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Clock } from '../kernel/clock.ts';
import { buildEvent } from '../services/system-log.ts';
import type { Services } from '../services/index.ts';
import type { Caller } from '../services/caller.ts';
import { systemActor } from '../services/caller.ts';
import type { CounterStore, Store } from '../services/ports.ts';
import { registerApiRoutes, type ApiRoute } from './api-route.ts';
import { apiAuthenticator } from './api-auth.ts';
import { cookiePolicyFor } from './cookies.ts';
import { errorMiddleware } from './errors.ts';
import { createMetrics, observe } from './observability.ts';
import { buildOpenApi } from './openapi.ts';
import { pageLinks } from './paging.ts';
import { rateLimitMiddleware } from './rate-limit.ts';
import { securityHeaders } from './security-headers.ts';
import { clientOf, orgOf, type LanyardContext, type LanyardState } from './state.ts';
import { tenantMiddleware } from './tenant.ts';
import { userRoutes } from './routes/users.ts';
import { groupRoutes } from './routes/groups.ts';
import { registerDashboardPages } from './routes/dashboard-pages.ts';
import { groupOwnerRoutes } from './routes/group-owners.ts';
import { accessRequestRoutes } from './routes/access-requests.ts';
import { apiTokenRoutes } from './routes/api-tokens.ts';
import { logRoutes } from './routes/logs.ts';
import { orgRoutes } from './routes/org.ts';
import { registerSignInPages } from './routes/signin-pages.ts';
import { appRoutes } from './routes/apps.ts';
import { appKeyRoutes } from './routes/app-keys.ts';
import { clientMetadataErrors, oauthClientRoutes } from './routes/oauth-clients.ts';
import { authorizationServerRoutes } from './routes/authorization-servers.ts';
import { trustedOriginRoutes } from './routes/trusted-origins.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { userGrantRoutes } from './routes/user-grants.ts';
import { registerAuthnRoutes, trustedOriginCors } from './routes/authn.ts';
import { registerSwaFill } from './routes/swa-fill.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { createBrowserSessions } from './browser-session.ts';
import { createEngineRegistry } from './oidc/engines.ts';
import { createOidcPages } from './oidc/pages.ts';
import { registerInteractions } from './oidc/interactions.ts';
import { oidcMiddleware } from './oidc/routes.ts';
import { registerFederationRoutes } from './federation/routes.ts';
import { appSamlRoutes } from './routes/app-saml.ts';
import { registerAppLaunch } from './routes/app-launch.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { vendorIntegrationRoutes } from './routes/vendor-integrations.ts';
import { networkReviewRoutes } from './routes/network-review.ts';
import { userRoleRoutes } from './routes/user-roles.ts';
import { appProvisioningRoutes } from './routes/app-provisioning.ts';
import { registerScimServer } from './scim/routes.ts';
import { userImportRoutes } from './routes/user-import.ts';
import { userFactorRoutes } from './routes/user-factors.ts';
import { policyRoutes } from './routes/policies.ts';
import { networkZoneRoutes } from './routes/network-zones.ts';
import { registerCatalogAssets } from './routes/catalog-assets.ts';
import { registerAdminConsole } from './routes/admin-console.ts';
import { renderSwaCheckPrompt } from '../web/swa/prompt.ts';
import { createSwaPages } from './routes/swa-pages.ts';
import { createMfaPages } from './routes/mfa-pages.ts';
import { directoryRoutes } from './routes/directories.ts';
import { registerDirectoryAgentRoutes } from './routes/directory-agents.ts';

export interface HttpDeps {
  readonly services: Services;
  readonly deps: ServiceDeps;
  readonly masterKey: Buffer;
  readonly store: Store;
  readonly counters: CounterStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly baseUrl: URL;
  readonly version: string;
  /** Trust X-Forwarded-* from a proxy in front (for client IPs and https detection). */
  readonly trustProxy?: boolean;
  /** Let the OpenID Connect engine call loopback and private-network addresses. */
  readonly allowPrivateNetwork?: boolean;
}

const stylesheet = readFileSync(new URL('../web/signin/signin.css', import.meta.url));
const webauthnScript = readFileSync(new URL('../web/signin/webauthn.js', import.meta.url));
const swaSubmitScript = readFileSync(new URL('../web/swa/swa-submit.js', import.meta.url));

export function allApiRoutes(services: Services): ApiRoute[] {
  return [
    ...userImportRoutes(services),
    ...userFactorRoutes(services),
    ...userRoutes(services),
    ...groupRoutes(services),
    ...groupOwnerRoutes(services),
    ...accessRequestRoutes(services),
    ...apiTokenRoutes(services),
    ...logRoutes(services),
    ...orgRoutes(services),
    ...appSamlRoutes(services),
    ...catalogRoutes(services),
    ...vendorIntegrationRoutes(services),
    ...networkReviewRoutes(services),
    ...userRoleRoutes(services),
    ...appProvisioningRoutes(services),
    ...appRoutes(services),
    ...appKeyRoutes(services),
    ...oauthClientRoutes(services),
    ...authorizationServerRoutes(services),
    ...trustedOriginRoutes(services),
    ...sessionRoutes(services),
    ...userGrantRoutes(services),
    ...policyRoutes(services),
    ...networkZoneRoutes(services),
    ...directoryRoutes(services),
  ];
}

export function createHttpApp(deps: HttpDeps): { app: Koa<LanyardState>; routes: ApiRoute[]; metrics: ReturnType<typeof createMetrics> } {
  const { services, logger, baseUrl } = deps;
  // Behind a proxy, the client is the address the proxy itself appended: the last one, not the
  // first (which the client may have written).
  const app = new Koa<LanyardState>({ proxy: deps.trustProxy ?? false, maxIpsCount: 1 });
  // Errors are rendered by errorMiddleware; Koa's own printer would write stack traces to stderr.
  app.silent = true;
  const metrics = createMetrics();
  const routes = allApiRoutes(services);
  const openApi = buildOpenApi(routes, `${baseUrl.origin}`, deps.version);

  app.use(observe(logger, metrics));
  app.use(securityHeaders(baseUrl.protocol === 'https:'));
  app.use(errorMiddleware(logger));

  const open = new Router<LanyardState>();
  open.get('live', '/health/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  open.get('ready', '/health/ready', async (ctx) => {
    const ready = await deps.store.ping();
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ok' : 'unavailable', checks: { database: ready ? 'ok' : 'unreachable' } };
  });
  open.get('metrics', '/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  open.get('stylesheet', '/assets/signin.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = stylesheet;
  });
  open.get('webauthn-script', '/assets/webauthn.js', (ctx) => {
    ctx.type = 'text/javascript';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = webauthnScript;
  });
  open.get('swa-submit-script', '/assets/swa-submit.js', (ctx) => {
    ctx.type = 'text/javascript';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = swaSubmitScript;
  });
  open.get('openapi', '/api/v1/openapi.json', (ctx) => {
    ctx.body = openApi;
  });
  app.use(open.routes());

  app.use(tenantMiddleware(services.orgs, baseUrl));
  app.use(trustedOriginCors(services));
  const anonymousCaller = (ctx: LanyardContext): Caller => ({
    org: orgOf(ctx), actor: systemActor, client: clientOf(ctx), requestId: ctx.state.requestId,
    // The route pattern, not the path: page paths carry one-time link tokens.
    requestUri: (ctx as { _matchedRoute?: string })._matchedRoute ?? null,
  });
  app.use(rateLimitMiddleware(deps.counters, logger, async (ctx, bucket, limit) => {
    await deps.store.forOrg(orgOf(ctx).id).logs.append(buildEvent(deps.clock, anonymousCaller(ctx), 'system.org.rate_limit.violation', {
      outcome: 'DENY', severity: 'WARN', debugData: { bucket, limit: String(limit) },
    }));
  }, () => deps.clock.now().getTime()));

  // What no router answered is a 404. This runs after the routers' allowedMethods (which act on the
  // way back out, and only on an unanswered request): a known path asked with another method (the
  // routers say 405, or 501 for a method they do not know) is a 405 with the Allow header RFC 9110
  // requires of one.
  app.use(async (ctx, next) => {
    await next();
    // A protocol engine that answered on the raw response has set `respond` to false.
    if (ctx.body != null || ctx.respond === false) return;
    const allow = ctx.response.get('Allow');
    if ((ctx.status === 405 || ctx.status === 501) && allow) {
      throw new AppError('request.method_not_allowed', { headers: { Allow: allow } });
    }
    if (ctx.status === 404 || ctx.status === 405 || ctx.status === 501) throw new AppError('request.path_not_found');
  });
  const wrongMethod = { throw: false };

  const cookiePolicy = cookiePolicyFor(baseUrl);
  const browser = createBrowserSessions(services, cookiePolicy, anonymousCaller);
  const engines = createEngineRegistry({
    deps: deps.deps, services, masterKey: deps.masterKey, cookiePolicy, allowPrivateNetwork: deps.allowPrivateNetwork ?? false,
    pages: (org) => createOidcPages(() => org.displayName),
  });
  app.use(oidcMiddleware(services, engines, browser, anonymousCaller));

  // Browser-facing authentication endpoints come first: `/api/v1/sessions/me` is not an admin route.
  const authn = new Router<LanyardState>();
  registerAuthnRoutes(authn, services, browser, cookiePolicy, anonymousCaller);
  app.use(authn.routes());

  // Dynamic Client Registration (`/oauth2/v1/clients`) answers refused metadata in RFC 7591's shape.
  app.use(clientMetadataErrors());
  const scim = new Router<LanyardState>();
  registerScimServer(scim, services);
  app.use(scim.routes());
  app.use(scim.allowedMethods(wrongMethod));

  // Directory agents authenticate with their own secret, not an API token.
  const agents = new Router<LanyardState>();
  registerDirectoryAgentRoutes(agents, services, anonymousCaller);
  app.use(agents.routes());

  const api = new Router<LanyardState>();
  registerApiRoutes(api, routes, apiAuthenticator(services), pageLinks);
  app.use(api.routes());
  app.use(api.allowedMethods(wrongMethod));

  const pages = new Router<LanyardState>();
  const mfaPages = createMfaPages(services, browser, anonymousCaller);
  registerSignInPages(pages, services, cookiePolicy, anonymousCaller, browser, mfaPages);
  mfaPages.register(pages);
  registerInteractions(pages, services, engines, browser, anonymousCaller, mfaPages);
  registerFederationRoutes(pages, services, browser, cookiePolicy, anonymousCaller);
  const swaPages = createSwaPages(services, browser, anonymousCaller);
  swaPages.register(pages);
  // The home page asks whether the last sign-in with vaulted credentials worked.
  registerDashboardPages(pages, services, cookiePolicy, anonymousCaller, browser, [async (ctx, active) => {
    const check = await services.swa.pendingCheck(orgOf(ctx), active.user.id);
    return check ? [renderSwaCheckPrompt(check, active.session.csrfToken)] : [];
  }]);
  registerAppLaunch(pages, services, browser, swaPages);
  registerSwaFill(pages, services, browser, anonymousCaller);
  registerCatalogAssets(pages, services);
  registerAdminConsole(pages, services);
  app.use(pages.routes());
  app.use(pages.allowedMethods(wrongMethod));
  return { app, routes, metrics };
}
