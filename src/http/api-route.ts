/**
 * One definition per `/api/v1` endpoint: its zod guards, its documentation and its handler. The
 * same definitions register the Koa routes and write the OpenAPI document, so the two cannot drift.
 * A handler decodes nothing itself: it gets validated params, query and body and a caller.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AppError, type ErrorCode, validationError } from '../kernel/errors.ts';
import type { Caller } from '../services/caller.ts';
import { issuesToCauses } from '../services/validation.ts';
import { readJson, rejectNul } from './body.ts';
import type { LanyardContext, LanyardState } from './state.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

export interface ApiResult {
  readonly status?: number;
  readonly body?: unknown;
  /** For paged lists: the cursor of the next page (adds `Link: …; rel="next"`). */
  readonly next?: string | undefined;
  /** Query parameters to keep in paging links (defaults to the request's). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The body's media type when it is not JSON (the body is then sent as it is). */
  readonly contentType?: string;
}

export interface HandlerInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly caller: Caller;
  readonly ctx: LanyardContext;
}

export interface ApiRoute<P = any, Q = any, B = any> {
  readonly method: HttpMethod;
  /** Koa path, e.g. `/api/v1/users/:userId`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** Marks Lanyard's additions to Okta's API in the document. */
  readonly lanyard?: boolean;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  readonly bodyRequired?: boolean;
  readonly response: { readonly status: number; readonly description: string; readonly schema?: z.ZodType; readonly paged?: boolean };
  readonly errors?: readonly ErrorCode[];
  handle(input: HandlerInput<P, Q, B>): Promise<ApiResult>;
}

/** Keeps a route's types while collecting it into a list. */
export function defineRoute<P, Q, B>(route: ApiRoute<P, Q, B>): ApiRoute<P, Q, B> {
  return route;
}

/** Query parameters as single strings: a repeated parameter is a client error, not an array. */
function singleQuery(ctx: LanyardContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.query)) {
    if (Array.isArray(value)) throw new AppError('request.invalid_argument', { detail: `${key} is given more than once` });
    if (value !== undefined) out[key] = value;
  }
  rejectNul(out, 'query');
  return out;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: 'query' | 'body' | 'path'): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // A path segment the route does not accept names no resource: that is a missing path, not bad input.
  if (where === 'path') throw new AppError('request.path_not_found', { causes: issuesToCauses(result.error) });
  throw validationError(issuesToCauses(result.error), where === 'body' ? undefined : where);
}

/** Registers the routes on a router; `authenticate` builds the caller of each request. */
export function registerApiRoutes(router: Router<LanyardState>, routes: readonly ApiRoute[],
  authenticate: (ctx: LanyardContext, route: ApiRoute) => Promise<Caller>, links: (ctx: LanyardContext, next: string | undefined) => string[]): void {
  for (const route of routes) {
    router[route.method](route.operationId, route.path, async (ctx: LanyardContext) => {
      ctx.state.routeName = route.path;
      const caller = await authenticate(ctx, route);
      const rawParams = (ctx as unknown as { params: Record<string, string> }).params;
      rejectNul(rawParams, 'path');
      const params = parse(route.params, rawParams, 'path');
      const query = parse(route.query, singleQuery(ctx), 'query');
      const raw = route.body || route.method !== 'get' ? await readJson(ctx) : undefined;
      if (route.bodyRequired && raw === undefined) {
        throw new AppError('request.malformed_body', { causes: ['A JSON body is required.'] });
      }
      const body = route.body && raw !== undefined ? parse(route.body, raw, 'body') : undefined;
      const result = await route.handle({ params, query, body, caller, ctx });
      ctx.status = result.status ?? route.response.status;
      for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
      if (route.response.paged) ctx.append('Link', links(ctx, result.next));
      if (result.body !== undefined) {
        ctx.type = result.contentType ?? 'application/json';
        ctx.body = result.body;
      }
    });
  }
}
