/**
 * Lanyard's self-service app requests: which apps people may ask for (`/apps/{appId}/access-request-settings`)
 * and the requests an administrator lists and decides (`/access-requests`). People ask, and group
 * owners decide, on the dashboard's pages.
 */
import { z } from 'zod';
import { AppError } from '../../kernel/errors.ts';
import type { Services } from '../../services/index.ts';
import { isAdminRole } from '../../services/access-requests.ts';
import { accessRequestStatuses, appAccessSettingsSchema, type AccessRequest } from '../../domain/access-request.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { parseLimit } from '../paging.ts';
import type { LanyardContext } from '../state.ts';

const appParams = z.object({ appId: z.string().min(1).max(200) });
const requestParams = z.object({ requestId: z.string().min(1).max(200) });
const requestSchema = z.object({ id: z.string(), status: z.enum(accessRequestStatuses), appId: z.string(), userId: z.string() }).loose();

function requestJson(request: AccessRequest, orgUrl: string): Record<string, unknown> {
  return {
    id: request.id, status: request.status, appId: request.appId, userId: request.userId, reason: request.reason,
    created: request.created, decided: request.decided, decidedBy: request.decidedBy,
    _links: {
      self: { href: `${orgUrl}/api/v1/access-requests/${request.id}` },
      app: { href: `${orgUrl}/api/v1/apps/${request.appId}` },
      user: { href: `${orgUrl}/api/v1/users/${request.userId}` },
    },
  };
}

/** The token's administrator, as the one who decides. */
function deciderOf(ctx: LanyardContext) {
  const principal = ctx.state.principal;
  if (!principal) throw new AppError('auth.invalid_token');
  return { user: principal.user, isAdmin: isAdminRole(principal.roles) };
}

export function accessRequestRoutes(services: Services): ApiRoute[] {
  const decide = (action: 'approve' | 'deny', status: 'APPROVED' | 'DENIED') => defineRoute({
    method: 'post', path: `/api/v1/access-requests/:requestId/${action}`, operationId: `${action}AccessRequest`, tag: 'AccessRequest', lanyard: true,
    summary: action === 'approve'
      ? 'Approve a pending request: the requester is assigned to the app, or added to the group, as the app\'s settings say.'
      : 'Deny a pending request.',
    params: requestParams,
    response: { status: 200, description: 'The decided request', schema: requestSchema },
    errors: ['resource.not_found', 'access_request.already_decided', 'access_request.own_request', 'access_request.not_approver'],
    handle: async ({ params, caller, ctx }) =>
      ({ body: requestJson(await services.accessRequests.decide(caller, deciderOf(ctx), params.requestId, status), ctx.state.orgUrl!) }),
  });
  return [
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/access-request-settings', operationId: 'getAppAccessRequestSettings', tag: 'AccessRequest', lanyard: true,
      summary: 'Whether people may ask for the app, who decides, and what approval does.',
      params: appParams,
      response: { status: 200, description: 'The settings', schema: appAccessSettingsSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => ({ body: await services.accessRequests.settingsOf(caller, params.appId) }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/apps/:appId/access-request-settings', operationId: 'replaceAppAccessRequestSettings', tag: 'AccessRequest', lanyard: true,
      summary: 'Make an app requestable (or not): `approver` is `ADMIN` or the `GROUP_OWNERS` of a group; `onApproval` is `ASSIGN_USER` or `ADD_TO_GROUP`.',
      params: appParams, body: z.unknown(), bodyRequired: true,
      response: { status: 200, description: 'The settings', schema: appAccessSettingsSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller }) => ({ body: await services.accessRequests.putSettings(caller, params.appId, body) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/access-requests', operationId: 'listAccessRequests', tag: 'AccessRequest', lanyard: true,
      summary: 'App access requests, oldest first; `status` is PENDING, APPROVED or DENIED.',
      query: z.object({ status: z.enum(accessRequestStatuses).optional(), limit: z.string().optional() }),
      response: { status: 200, description: 'The requests', schema: z.array(requestSchema) },
      errors: ['request.validation_failed'],
      handle: async ({ query, caller, ctx }) =>
        ({ body: (await services.accessRequests.list(caller, query.status, parseLimit(query.limit, 200, 1000))).map((r) => requestJson(r, ctx.state.orgUrl!)) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/access-requests/:requestId', operationId: 'getAccessRequest', tag: 'AccessRequest', lanyard: true,
      summary: 'One app access request.',
      params: requestParams,
      response: { status: 200, description: 'The request', schema: requestSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: requestJson(await services.accessRequests.get(caller, params.requestId), ctx.state.orgUrl!) }),
    }),
    decide('approve', 'APPROVED'),
    decide('deny', 'DENIED'),
  ];
}
