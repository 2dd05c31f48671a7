/**
 * Where the OpenID Connect engines answer: the org authorization server at `/oauth2/v1/*` and
 * `/.well-known/*`, custom servers at `/oauth2/{id}/v1/*` and `/oauth2/{id}/.well-known/*`.
 * Lanyard itself serves the key sets (only public keys, in Okta's shape), the OAuth 2.0
 * authorization-server metadata alias, and the end of an RP-initiated sign-out.
 */
import type { Next } from 'koa';
import { AppError, notFound } from '../../kernel/errors.ts';
import { orgAuthorizationServerId } from '../../domain/authorization-server.ts';
import type { Services } from '../../services/index.ts';
import { orgOf, type LanyardContext } from '../state.ts';
import type { EngineRegistry } from './engines.ts';
import { beforeEngineAnswers, withOfflineConsent } from '../../protocols/oidc/internals.ts';
import type { BrowserSessions } from '../browser-session.ts';
import { sessionCookie } from '../cookies.ts';
import type { Caller } from '../../services/caller.ts';
import { userActor } from '../../services/caller.ts';

const customServer = /^\/oauth2\/([A-Za-z0-9_-]{1,64})(\/.*)$/;

/** `[asId, path under the server]` for an OIDC path, or undefined for anything else. */
export function oidcTarget(path: string): [string, string] | undefined {
  if (path.startsWith('/.well-known/')) return [orgAuthorizationServerId, path];
  if (path.startsWith('/oauth2/v1/')) return path.startsWith('/oauth2/v1/clients') ? undefined : [orgAuthorizationServerId, path.slice('/oauth2'.length)];
  const match = customServer.exec(path);
  if (match && match[1] !== 'v1') return [match[1]!, match[2]!];
  return undefined;
}

export function oidcMiddleware(services: Services, engines: EngineRegistry, browser: BrowserSessions, anonymousCaller: (ctx: LanyardContext) => Caller) {
  return async (ctx: LanyardContext, next: Next): Promise<void> => {
    const target = oidcTarget(ctx.path);
    if (!target) return next();
    const [asId, rest] = target;
    const org = orgOf(ctx);
    ctx.state.routeName = asId === orgAuthorizationServerId ? `/oauth2/v1${rest.startsWith('/v1/') ? rest.slice(3) : rest}` : `/oauth2/:asId${rest}`;
    const engine = await engines.get(org, asId);
    if (!engine) throw notFound('AuthorizationServer', asId);

    if (rest === '/v1/keys') {
      if (ctx.method === 'OPTIONS') {
        // A CORS preflight: browser SDKs send headers of their own (X-Okta-User-Agent-Extended).
        ctx.set('Access-Control-Allow-Origin', '*');
        ctx.set('Access-Control-Allow-Methods', 'GET, OPTIONS');
        if (ctx.get('access-control-request-headers')) ctx.set('Access-Control-Allow-Headers', ctx.get('access-control-request-headers'));
        ctx.set('Access-Control-Max-Age', '600');
        ctx.status = 204;
        return;
      }
      // Never creates keys here: a server deleted a moment ago (its engine still cached) must not get new ones.
      const keys = await services.signingKeys.list(org.id, { type: 'as', id: asId });
      if (keys.length === 0) throw notFound('AuthorizationServer', asId);
      ctx.set('Cache-Control', 'max-age=300, must-revalidate');
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.body = services.signingKeys.publicJwks(keys);
      return;
    }
    if (rest === '/.well-known/oauth-authorization-server') {
      ctx.req.url = ctx.req.url!.replace('/.well-known/oauth-authorization-server', '/.well-known/openid-configuration');
    } else if (rest.startsWith('/.well-known/') && rest !== '/.well-known/openid-configuration') {
      throw new AppError('request.path_not_found');
    }

    if (ctx.method === 'GET' && rest === '/v1/authorize') {
      const search = new URLSearchParams(ctx.querystring);
      const sessionToken = search.get('sessionToken');
      if (sessionToken && (search.get('prompt') ?? '').split(' ').includes('none')) {
        // A silent request never reaches the sign-in interaction that redeems a session token
        // (auth-js's getWithoutPrompt sends one): it is redeemed here, and the engine sees the
        // new Lanyard session in this same request.
        const redeemed = await services.authn.redeemSessionToken(org, sessionToken);
        if (redeemed) {
          const started = await browser.start(ctx, redeemed.user, redeemed.amr);
          const others = (ctx.req.headers.cookie ?? '').split(';').map((c) => c.trim()).filter((c) => c && !c.startsWith(`${sessionCookie}=`));
          ctx.req.headers.cookie = [...others, `${sessionCookie}=${started.cookieValue}`].join('; ');
        }
      }
      const rewritten = withOfflineConsent(search);
      if (rewritten) ctx.req.url = `${ctx.path}?${rewritten}`;
    }
    const endsSignOut = ctx.method === 'POST' && rest === '/v1/logout/confirm';
    const active = endsSignOut ? await browser.current(ctx) : undefined;
    // The engine ends its session; the Lanyard session of this browser ends with it, before the answer leaves.
    if (active) {
      beforeEngineAnswers(ctx.req, async (status) => {
        if (status < 400) await services.sessions.end({ ...anonymousCaller(ctx), actor: userActor(active.user) }, active);
      });
    }
    await engines.serve(() => engine.middleware(ctx as never, next));
  };
}
