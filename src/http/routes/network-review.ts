/**
 * Submission (`…/versions/{version}/submit`, the vendor's) and review (`/api/v1/network/reviews`,
 * for NETWORK_REVIEWER users of the deployment's first org): the queue, comments, rejection and
 * approval, which publishes the version to every org's catalog. Lanyard additions.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { integrationVersionJson, reviewJson } from '../representations/integration.ts';
import type { LanyardContext } from '../state.ts';
import { reviewListStatuses } from '../../services/network-review.ts';

const versionParams = z.object({ integrationId: z.string().min(1).max(64), version: z.string().min(1).max(20) });
const document = z.record(z.string(), z.unknown());
const versionSchema = z.object({ version: z.string(), status: z.string() }).loose();

export function networkReviewRoutes(services: Services): ApiRoute[] {
  const url = (ctx: LanyardContext) => ctx.state.orgUrl!;
  const review = services.networkReview;
  const decision = (action: 'comments' | 'reject' | 'approve', summary: string, run: typeof review.comment) => defineRoute({
    method: 'post', path: `/api/v1/network/reviews/:integrationId/versions/:version/${action}`, operationId: `${action === 'comments' ? 'comment' : action}IntegrationVersion`,
    tag: 'IntegrationReview', lanyard: true, summary,
    params: versionParams, body: document,
    response: { status: 200, description: 'The version after the decision', schema: versionSchema },
    errors: ['resource.not_found', 'request.validation_failed', 'network.not_reviewer', 'network.own_submission', 'network.version_locked'],
    handle: async ({ params, body, caller, ctx }) => {
      const updated = await run(caller, params.integrationId, params.version, body ?? {});
      const integration = (await services.networkReview.get(caller, params.integrationId, params.version)).integration;
      return { body: reviewJson(url(ctx), integration, updated, false) };
    },
  });
  return [
    defineRoute({
      method: 'post', path: '/api/v1/integrations/:integrationId/versions/:version/submit', operationId: 'submitIntegrationVersion', tag: 'IntegrationWizard', lanyard: true,
      summary: 'Submit a draft for review with `{testAccounts, tier?, notes?}`: the automated checks run, and a version that passes them joins the review queue. '
        + 'The report is kept on the version either way.',
      params: versionParams, body: document,
      response: { status: 200, description: 'The submitted version and its check report', schema: versionSchema },
      errors: ['resource.not_found', 'request.validation_failed', 'network.version_locked'],
      handle: async ({ params, body, caller, ctx }) => {
        const { version } = await review.submit(caller, params.integrationId, params.version, body ?? {});
        return { body: integrationVersionJson(url(ctx), params.integrationId, version) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/network/reviews', operationId: 'listIntegrationReviews', tag: 'IntegrationReview', lanyard: true,
      summary: 'The review queue: submitted versions, oldest first; `?status=PUBLISHED` or `REJECTED` lists the decided ones instead.',
      query: z.object({ status: z.enum(reviewListStatuses).optional().meta({ description: 'SUBMITTED (the default), PUBLISHED or REJECTED.' }) }),
      response: { status: 200, description: 'The queue', schema: z.array(versionSchema) },
      errors: ['network.not_reviewer', 'request.validation_failed'],
      handle: async ({ query, caller, ctx }) =>
        ({ body: (await review.queue(caller, query.status)).map((q) => reviewJson(url(ctx), q.integration, q.version, false)) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/network/reviews/:integrationId/versions/:version', operationId: 'getIntegrationReview', tag: 'IntegrationReview', lanyard: true,
      summary: 'A submitted (or decided) version with its manifest, check report, test accounts and review.',
      params: versionParams,
      response: { status: 200, description: 'The version', schema: versionSchema },
      errors: ['resource.not_found', 'network.not_reviewer'],
      handle: async ({ params, caller, ctx }) => {
        const { integration, version } = await review.get(caller, params.integrationId, params.version);
        return { body: reviewJson(url(ctx), integration, version, true) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/network/monitor/run', operationId: 'runIntegrationMonitor', tag: 'IntegrationReview', lanyard: true,
      summary: 'Re-run the checks of every published verified integration now (they also run every six hours on their own).',
      response: { status: 200, description: 'What each run found', schema: z.array(z.object({ id: z.string(), version: z.string(), status: z.string() })) },
      errors: ['network.not_reviewer'],
      handle: async ({ caller }) => {
        review.requireReviewer(caller);
        return { body: (await services.networkMonitor.runDue({ force: true })).map((r) => ({ id: r.key, version: r.version, status: r.status })) };
      },
    }),
    decision('comments', 'Comment on a version (`{text}`); the vendor sees it.', review.comment),
    decision('reject', 'Reject a submitted version (`{reason}`); the vendor may change it and submit again.', review.reject),
    decision('approve', 'Approve and publish a submitted version (`{tier, verifiedSignOff?, comment?}`); verified needs its requirements met and the reviewer\'s sign-off.', review.approve),
  ];
}
