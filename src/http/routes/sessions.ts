/** `/api/v1/sessions/{id}`: an administrator reads or ends a sign-in session. */
import { z } from 'zod';
import { notFound } from '../../kernel/errors.ts';
import type { Services } from '../../services/index.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { sessionJson } from '../representations/session.ts';

const params = z.object({ sessionId: z.string().min(1).max(100) });

export function sessionRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/sessions/:sessionId', operationId: 'getSession', tag: 'Session',
      summary: 'A sign-in session.', params,
      response: { status: 200, description: 'The session' },
      errors: ['resource.not_found'],
      handle: async ({ params: p, caller, ctx }) => {
        const active = await services.sessions.byId(caller.org, p.sessionId);
        if (!active) throw notFound('Session', p.sessionId);
        return { body: sessionJson(active, caller.org.id, ctx.state.orgUrl!) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/sessions/:sessionId', operationId: 'revokeSession', tag: 'Session',
      summary: 'End a sign-in session.', params,
      response: { status: 204, description: 'Ended' },
      errors: ['resource.not_found'],
      handle: async ({ params: p, caller }) => {
        const active = await services.sessions.byId(caller.org, p.sessionId);
        if (!active) throw notFound('Session', p.sessionId);
        await services.sessions.end(caller, active);
        return {};
      },
    }),
  ];
}
