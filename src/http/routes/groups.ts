/** `/api/v1/groups`: Okta's Groups API and group membership. */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { afterParam, parseLimit, parseSearch } from '../paging.ts';
import { groupJson } from '../representations/group.ts';
import { userJson } from '../representations/user.ts';
import { AppError } from '../../kernel/errors.ts';

const groupParams = z.object({ groupId: z.string().min(1).max(200) });
const memberParams = z.object({ groupId: z.string().min(1).max(200), userId: z.string().min(1).max(200) });
const groupBody = z.object({ profile: z.record(z.string(), z.unknown()) });
const groupSchema = z.object({ id: z.string(), type: z.string(), profile: z.object({ name: z.string() }).loose() }).loose();

export function groupRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'post', path: '/api/v1/groups', operationId: 'createGroup', tag: 'Group',
      summary: 'Create an OKTA_GROUP; names are unique in an org.',
      body: groupBody, bodyRequired: true,
      response: { status: 200, description: 'The new group', schema: groupSchema },
      errors: ['request.validation_failed'],
      handle: async ({ body, caller, ctx }) => ({ body: groupJson(await services.groups.create(caller, body.profile), ctx.state.orgUrl!) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/groups', operationId: 'listGroups', tag: 'Group',
      summary: 'List groups: `q` (name prefix), `filter` or `search` (SCIM expressions); paged by `limit` and `after`.',
      query: z.object({
        q: z.string().max(200).optional(), filter: z.string().optional(), search: z.string().optional(),
        limit: z.string().optional(), after: afterParam, expand: z.string().optional(),
      }),
      response: { status: 200, description: 'A page of groups', schema: z.array(groupSchema), paged: true },
      errors: ['request.invalid_search'],
      handle: async ({ query, caller, ctx }) => {
        const filter = parseSearch(query.filter, 'filter');
        const search = parseSearch(query.search, 'search');
        if (filter && search) throw new AppError('request.invalid_search', { causes: ['Send either filter or search, not both.'] });
        const limit = parseLimit(query.limit, query.q ? 10 : 200, 10000);
        const page = await services.groups.list(caller, { q: query.q, filter: filter ?? search, limit, after: query.after });
        return { body: page.items.map((g) => groupJson(g, ctx.state.orgUrl!)), next: page.next };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/groups/:groupId', operationId: 'getGroup', tag: 'Group',
      summary: 'Get a group.',
      params: groupParams,
      response: { status: 200, description: 'The group', schema: groupSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: groupJson(await services.groups.get(caller, params.groupId), ctx.state.orgUrl!) }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/groups/:groupId', operationId: 'replaceGroup', tag: 'Group',
      summary: 'Replace a group\'s profile.',
      params: groupParams, body: groupBody, bodyRequired: true,
      response: { status: 200, description: 'The updated group', schema: groupSchema },
      errors: ['resource.not_found', 'request.validation_failed', 'resource.read_only'],
      handle: async ({ params, body, caller, ctx }) =>
        ({ body: groupJson(await services.groups.replace(caller, params.groupId, body.profile), ctx.state.orgUrl!) }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/groups/:groupId', operationId: 'deleteGroup', tag: 'Group',
      summary: 'Delete a group (its memberships go with it).',
      params: groupParams,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found', 'resource.read_only'],
      handle: async ({ params, caller }) => {
        await services.groups.remove(caller, params.groupId);
        return {};
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/groups/:groupId/users', operationId: 'listGroupUsers', tag: 'Group',
      summary: 'The members of a group; paged by `limit` and `after`.',
      params: groupParams, query: z.object({ limit: z.string().optional(), after: afterParam }),
      response: { status: 200, description: 'A page of users', schema: z.array(z.object({ id: z.string() }).loose()), paged: true },
      errors: ['resource.not_found'],
      handle: async ({ params, query, caller, ctx }) => {
        const page = await services.groups.members(caller, params.groupId, parseLimit(query.limit, 1000, 10000), query.after);
        return { body: page.items.map((u) => userJson(u, ctx.state.orgUrl!, false)), next: page.next };
      },
    }),
    defineRoute({
      method: 'put', path: '/api/v1/groups/:groupId/users/:userId', operationId: 'assignUserToGroup', tag: 'Group',
      summary: 'Add a user to a group (no change if they already are a member).',
      params: memberParams,
      response: { status: 204, description: 'Added' },
      errors: ['resource.not_found', 'resource.read_only'],
      handle: async ({ params, caller }) => {
        await services.groups.addMember(caller, params.groupId, params.userId);
        return {};
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/groups/:groupId/users/:userId', operationId: 'unassignUserFromGroup', tag: 'Group',
      summary: 'Remove a user from a group.',
      params: memberParams,
      response: { status: 204, description: 'Removed' },
      errors: ['resource.not_found', 'resource.read_only'],
      handle: async ({ params, caller }) => {
        await services.groups.removeMember(caller, params.groupId, params.userId);
        return {};
      },
    }),
  ];
}
