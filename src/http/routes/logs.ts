/** `/api/v1/logs`: the system log, queried as Okta's is. */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';

export function logRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/logs', operationId: 'listLogEvents', tag: 'SystemLog',
      summary: 'Log events between `since` (default: 7 days before `until`) and `until`, by `filter` and `q` keywords; polling without `until` always has a next link.',
      query: z.object({
        since: z.string().optional(), until: z.string().optional(), after: z.string().max(100).optional(), filter: z.string().optional(),
        q: z.string().optional(), limit: z.string().optional(), sortOrder: z.string().optional(),
      }),
      response: { status: 200, description: 'Log events', schema: z.array(z.object({ uuid: z.string(), eventType: z.string() }).loose()), paged: true },
      errors: ['request.validation_failed', 'request.invalid_search'],
      handle: async ({ query, caller }) => {
        const result = await services.logs.query(caller, query);
        return { body: result.items, next: result.next };
      },
    }),
  ];
}
