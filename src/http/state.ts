/** What the middleware chain puts on a Koa context; Koa types stay inside `http/`. */
import type { ParameterizedContext } from 'koa';
import type { Org } from '../domain/org.ts';
import type { Caller } from '../services/caller.ts';
import type { TokenPrincipal } from '../services/api-tokens.ts';

export interface LanyardState {
  requestId: string;
  /** The org the Host header addresses; set by the tenant middleware. */
  org?: Org;
  /** The public URL of that org. */
  orgUrl?: string;
  /** The API principal, for `/api/v1` requests. */
  principal?: TokenPrincipal;
  caller?: Caller;
  /** How the route was matched, for metrics (e.g. `/api/v1/users/:userId`). */
  routeName?: string;
}

export type LanyardContext = ParameterizedContext<LanyardState>;

/** The org of a request that passed the tenant middleware. */
export function orgOf(ctx: LanyardContext): Org {
  if (!ctx.state.org) throw new Error('tenant middleware did not run');
  return ctx.state.org;
}

export function clientOf(ctx: LanyardContext) {
  const userAgent = ctx.get('user-agent');
  return { ipAddress: ctx.ip || null, userAgent: userAgent ? userAgent.slice(0, 512) : null };
}
