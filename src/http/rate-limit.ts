/**
 * Okta's API rate limits: per org and endpoint bucket, per minute. Every `/api/v1` response carries
 * `X-Rate-Limit-Limit`, `-Remaining` and `-Reset` (UTC epoch seconds); over the limit, a 429 with
 * `E0000047`. If the shared counter store is unreachable, requests pass (and the failure is logged).
 */
import type { Next } from 'koa';
import { AppError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import { bucketOf, limitOf } from '../domain/rate-limits.ts';
import type { CounterStore } from '../services/ports.ts';
import type { LanyardContext } from './state.ts';

const windowMs = 60_000;

/** Called once per org, bucket and window, on the first request over the limit. */
export type ViolationHandler = (ctx: LanyardContext, bucket: string, limit: number) => Promise<void>;

export function rateLimitMiddleware(counters: CounterStore, logger: Logger, onViolation: ViolationHandler, now: () => number = Date.now) {
  let warned = 0;
  return async (ctx: LanyardContext, next: Next): Promise<void> => {
    const org = ctx.state.org;
    const bucket = org ? bucketOf(ctx.method, ctx.path) : undefined;
    if (!org || !bucket) return next();
    const limit = limitOf(bucket, org.settings.rateLimits);
    const t = now();
    const window = Math.floor(t / windowMs);
    let count: number;
    try {
      count = await counters.hit(`rl:${org.id}:${bucket}:${window}`, windowMs);
    } catch (error) {
      if (t - warned > 60_000) {
        warned = t;
        logger.warn({ err: (error as Error).message }, 'rate-limit counters unavailable; requests are not being limited');
      }
      return next();
    }
    const headers = {
      'X-Rate-Limit-Limit': String(limit),
      'X-Rate-Limit-Remaining': String(Math.max(0, limit - count)),
      'X-Rate-Limit-Reset': String((window + 1) * (windowMs / 1000)),
    };
    if (count > limit) {
      if (count === limit + 1) await onViolation(ctx, bucket, limit).catch(() => {});
      throw new AppError('rate.limited', { headers, debug: `bucket ${bucket} over ${limit}/min` });
    }
    ctx.set(headers);
    await next();
  };
}
