/**
 * Request ids, access logs and Prometheus metrics. The access log names the route, not the query
 * string: queries may carry personal data, and nothing secret may reach a log.
 */
import type { Next } from 'koa';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { randomBase62 } from '../kernel/ids.ts';
import type { Logger } from '../kernel/logger.ts';
import type { LanyardContext } from './state.ts';

export interface HttpMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route'>;
}

/** One registry per app, so several apps in one process (tests) do not share counters. */
export function createMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lanyard_' });
  return {
    registry,
    requests: new Counter({ name: 'lanyard_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    duration: new Histogram({
      name: 'lanyard_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
    }),
  };
}

export function observe(logger: Logger, metrics: HttpMetrics) {
  return async (ctx: LanyardContext, next: Next): Promise<void> => {
    const started = process.hrtime.bigint();
    ctx.state.requestId = randomBase62(24);
    ctx.set('X-Okta-Request-Id', ctx.state.requestId);
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The matched pattern, never the raw path: paths carry ids and tokens, and would explode the label set.
      const route = ctx.state.routeName ?? (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      metrics.requests.inc({ method: ctx.method, route, status: String(ctx.status) });
      metrics.duration.observe({ method: ctx.method, route }, seconds);
      logger.info({
        requestId: ctx.state.requestId, method: ctx.method, route, status: ctx.status,
        ms: Math.round(seconds * 1000), org: ctx.state.org?.id,
      }, 'request');
    }
  };
}
