/**
 * Error rendering at the edge. `/api/v1` answers in Okta's shape; pages answer with readable
 * HTML. An unexpected failure becomes `E0000009` with an errorId that is also in the log — never
 * a stack trace.
 */
import type { Next } from 'koa';
import { AppError, errorRegistry, isAppError } from '../kernel/errors.ts';
import { randomBase62 } from '../kernel/ids.ts';
import type { Logger } from '../kernel/logger.ts';
import type { LanyardContext } from './state.ts';
import { InvalidCursor, InvalidFilter, UniqueViolation } from '../services/ports.ts';
import { renderErrorPage } from '../web/signin/error-page.ts';

export interface OktaErrorBody {
  readonly errorCode: string;
  readonly errorSummary: string;
  readonly errorLink: string;
  readonly errorId: string;
  readonly errorCauses: readonly { readonly errorSummary: string }[];
}

export function oktaErrorBody(error: AppError, errorId: string): OktaErrorBody {
  const spec = errorRegistry[error.code];
  return {
    errorCode: spec.okta,
    errorSummary: error.message,
    errorLink: spec.okta,
    errorId,
    errorCauses: error.causes.map((errorSummary) => ({ errorSummary })),
  };
}

/** Requests answered in Okta's JSON error shape rather than as pages. */
export function wantsJson(ctx: LanyardContext): boolean {
  return ctx.path.startsWith('/api/') || ctx.path === '/api' || ctx.path.startsWith('/health') || ctx.path === '/metrics'
    // The browser extension's endpoint answers the extension, never a page.
    || ctx.path.startsWith('/sso/swa/')
    // Protocol endpoints answer machines in JSON; only the ones a browser is sent to answer in HTML.
    || (ctx.path.startsWith('/oauth2/') && !/\/(authorize|logout|device\/verify)(\/|$)/.test(ctx.path));
}

/** Maps failures Koa itself raises (body parsing, bad URLs) onto registered codes. */
function normalise(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof InvalidFilter) {
    return new AppError('request.invalid_search', { causes: [`Invalid search syntax: ${error.message}.`], cause: error });
  }
  if (error instanceof InvalidCursor) return new AppError('request.invalid_paging', { cause: error });
  if (error instanceof UniqueViolation) {
    return new AppError('resource.conflict', { detail: error.field, causes: [`${error.field}: An object with this field already exists in the current organization`], cause: error });
  }
  const status = (error as { status?: number; expose?: boolean }).status;
  if (status === 413) return new AppError('request.too_large', { detail: 'body', cause: error });
  if (status === 415) return new AppError('request.unsupported_media_type', { cause: error });
  if (status === 400 && (error as { expose?: boolean }).expose) return new AppError('request.malformed_body', { cause: error });
  if (status === 404) return new AppError('request.path_not_found', { cause: error });
  return new AppError('internal.unexpected', { cause: error });
}

export function errorMiddleware(logger: Logger) {
  return async (ctx: LanyardContext, next: Next): Promise<void> => {
    try {
      await next();
    } catch (raw) {
      const error = normalise(raw);
      const errorId = `oae${randomBase62(22)}`;
      // The matched pattern where there is one: paths carry live tokens (`/welcome/{token}`), which no log may hold.
      const path = ctx.state.routeName ?? (ctx as { _matchedRoute?: string })._matchedRoute ?? ctx.path;
      const fields = { errorId, code: error.code, requestId: ctx.state.requestId, method: ctx.method, path, debug: error.debug };
      if (error.status >= 500) {
        logger.error({ ...fields, err: describeCause(raw) }, 'request failed');
      } else {
        logger.info(fields, 'request refused');
      }
      ctx.status = error.status;
      for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
      if (wantsJson(ctx)) {
        ctx.type = 'application/json';
        ctx.body = oktaErrorBody(error, errorId);
      } else {
        ctx.type = 'text/html';
        ctx.body = renderErrorPage({ title: error.status === 404 ? 'Not found' : 'Something went wrong', message: [error.message, ...error.causes].join(' '), errorId });
      }
    }
  };
}

/** What of an unexpected error reaches the log: its class, message and stack, no request data. */
function describeCause(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { type: error.name, message: error.message, stack: error.stack };
  return { value: String(error) };
}
