/**
 * The side of `/api/v1` that directory agents call: enrolment with a one-time token, then, with
 * `Authorization: Agent {agentId}:{secret}`, a long poll for work and the answers to it. Agents
 * only ever connect out to Lanyard.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import type { Caller } from '../../services/caller.ts';
import { defineRoute, registerApiRoutes, type ApiRoute } from '../api-route.ts';
import { pageLinks } from '../paging.ts';
import { orgOf, type LanyardContext, type LanyardState } from '../state.ts';

const workQuery = z.object({ wait: z.coerce.number().int().min(0).max(25).default(25) });
const jobParams = z.object({ jobId: z.string().min(1).max(200) });

export function registerDirectoryAgentRoutes(router: Router<LanyardState>, services: Services, anonymousCaller: (ctx: LanyardContext) => Caller): void {
  const agents = services.directoryAgents;
  const enroll: ApiRoute[] = [defineRoute({
    method: 'post', path: '/api/v1/directory-agents/enroll', operationId: 'enrollDirectoryAgent', tag: 'DirectoryAgent', lanyard: true,
    summary: 'Trade a one-time enrolment token for the agent\'s id and secret.',
    body: z.record(z.string(), z.unknown()), bodyRequired: true,
    response: { status: 201, description: 'The agent id and its secret (shown once)' },
    errors: ['directory.invalid_enrollment_token', 'request.validation_failed'],
    handle: async ({ caller, body }) => ({ status: 201, body: await agents.enroll(caller, body) }),
  })];
  const work: ApiRoute[] = [
    defineRoute({
      method: 'get', path: '/api/v1/directory-agents/work', operationId: 'pollDirectoryWork', tag: 'DirectoryAgent', lanyard: true,
      summary: 'Long poll: the next job for the agent\'s directory, or 204 when none came within `wait` seconds.',
      query: workQuery,
      response: { status: 200, description: 'A job' },
      errors: ['directory.invalid_agent_credentials'],
      handle: async ({ caller, query, ctx }) => {
        const agent = (await agents.find(caller.org.id, caller.actor.id))!;
        const gone = new AbortController();
        ctx.res.once('close', () => {
          if (!ctx.res.writableEnded) gone.abort();
        });
        const job = await agents.nextWork(orgOf(ctx), agent, query.wait, gone.signal);
        return job ? { body: job } : { status: 204 };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/directory-agents/work/:jobId', operationId: 'answerDirectoryWork', tag: 'DirectoryAgent', lanyard: true,
      summary: 'Answer a job: a page of entries, done or failed for an import; the outcome of a bind; a test\'s report.',
      params: jobParams, body: z.record(z.string(), z.unknown()), bodyRequired: true,
      response: { status: 204, description: 'Accepted' },
      errors: ['directory.invalid_agent_credentials', 'resource.not_found', 'request.validation_failed'],
      handle: async ({ caller, params, body }) => {
        const agent = (await agents.find(caller.org.id, caller.actor.id))!;
        await agents.report(caller, agent, params.jobId, body);
        return {};
      },
    }),
  ];
  registerApiRoutes(router, enroll, async (ctx) => anonymousCaller(ctx), pageLinks);
  registerApiRoutes(router, work, async (ctx) => {
    const agent = await agents.authenticate(orgOf(ctx), ctx.get('authorization'));
    return { ...anonymousCaller(ctx), actor: { id: agent.id, type: 'DirectoryAgent', alternateId: agent.name, displayName: agent.name } };
  }, pageLinks);
}
