/**
 * Who calls `/api/v1`: `Authorization: SSWS {token}` with an API token, or `Authorization: Bearer
 * {access token}` from the org authorization server carrying management scopes (Okta's "OAuth for
 * Okta"; the admin console calls the API this way). Either way the caller is an administrator
 * whose roles the use cases check; a bearer token must also carry a scope for the route.
 */
import { scopesForRoute } from '../domain/api-scopes.ts';
import { AppError } from '../kernel/errors.ts';
import type { Services } from '../services/index.ts';
import type { Caller } from '../services/caller.ts';
import { userActor } from '../services/caller.ts';
import type { ApiRoute } from './api-route.ts';
import { clientOf, orgOf, type LanyardContext } from './state.ts';

export function apiAuthenticator(services: Services) {
  return async (ctx: LanyardContext, route: Pick<ApiRoute, 'tag' | 'method'>): Promise<Caller> => {
    const header = ctx.get('authorization');
    const org = orgOf(ctx);
    const base = {
      org, client: clientOf(ctx), requestId: ctx.state.requestId, requestUri: ctx.path,
    };
    const bearer = /^Bearer\s+(\S{1,8192})\s*$/i.exec(header);
    if (bearer) {
      const principal = await services.adminConsole.authenticate(org, ctx.state.orgUrl!, bearer[1]!);
      const needed = scopesForRoute(route.tag, route.method);
      if (!needed.some((scope) => principal.scopes.includes(scope))) {
        ctx.set('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${needed[0] ?? ''}"`);
        throw new AppError('auth.forbidden', {
          debug: needed.length ? `the access token lacks ${needed.join(' or ')}` : 'this endpoint takes an API token, not an access token',
        });
      }
      const caller: Caller = { ...base, actor: userActor(principal.user), roles: principal.roles };
      ctx.state.caller = caller;
      return caller;
    }
    const match = /^SSWS\s+(\S{1,256})\s*$/i.exec(header);
    if (!match) throw new AppError('auth.invalid_token', { debug: header ? 'malformed Authorization header' : 'no Authorization header' });
    const principal = await services.tokens.authenticate(org, match[1]!);
    ctx.state.principal = principal;
    const caller: Caller = { ...base, actor: userActor(principal.user), tokenId: principal.token.id, roles: principal.roles };
    ctx.state.caller = caller;
    return caller;
  };
}
