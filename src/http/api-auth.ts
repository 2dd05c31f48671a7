/** `Authorization: SSWS {token}` for `/api/v1`: the token's administrator becomes the caller. */
import { AppError } from '../kernel/errors.ts';
import type { Services } from '../services/index.ts';
import type { Caller } from '../services/caller.ts';
import { userActor } from '../services/caller.ts';
import { clientOf, orgOf, type LanyardContext } from './state.ts';

export function sswsAuthenticator(services: Services) {
  return async (ctx: LanyardContext): Promise<Caller> => {
    const header = ctx.get('authorization');
    const match = /^SSWS\s+(\S{1,256})\s*$/i.exec(header);
    if (!match) throw new AppError('auth.invalid_token', { debug: header ? 'malformed Authorization header' : 'no Authorization header' });
    const org = orgOf(ctx);
    const principal = await services.tokens.authenticate(org, match[1]!);
    ctx.state.principal = principal;
    const caller: Caller = {
      org,
      actor: userActor(principal.user),
      client: clientOf(ctx),
      requestId: ctx.state.requestId,
      requestUri: ctx.path,
      tokenId: principal.token.id,
      roles: principal.roles,
    };
    ctx.state.caller = caller;
    return caller;
  };
}
