/** `/api/v1/groups/{groupId}/owners`: Okta's group owners API (owners of type USER). */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import type { GroupOwner } from '../../services/group-owners.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';

const groupParams = z.object({ groupId: z.string().min(1).max(200) });
const ownerParams = z.object({ groupId: z.string().min(1).max(200), ownerId: z.string().min(1).max(200) });
const ownerSchema = z.object({
  id: z.string(), type: z.literal('USER'), displayName: z.string(), originType: z.string(), resolved: z.boolean(), lastUpdated: z.string(),
}).loose();

/** Okta's GroupOwner: the owner's id and name, where the ownership comes from, and when it was set. */
function ownerJson({ record, user }: GroupOwner): Record<string, unknown> {
  const name = [user.profile.firstName, user.profile.lastName].filter(Boolean).join(' ');
  return {
    id: user.id, type: 'USER', displayName: name || user.profile.login, originId: null, originType: 'OKTA_DIRECTORY',
    resolved: true, lastUpdated: record.created,
  };
}

export function groupOwnerRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/groups/:groupId/owners', operationId: 'listGroupOwners', tag: 'GroupOwner',
      summary: 'The owners of a group.',
      params: groupParams,
      response: { status: 200, description: 'The owners', schema: z.array(ownerSchema) },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => ({ body: (await services.groupOwners.list(caller, params.groupId)).map(ownerJson) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/groups/:groupId/owners', operationId: 'assignGroupOwner', tag: 'GroupOwner',
      summary: 'Make a user an owner of a group (no change if they already are one).',
      params: groupParams, body: z.object({ id: z.string().min(1).max(200), type: z.string().max(20) }), bodyRequired: true,
      response: { status: 201, description: 'The owner', schema: ownerSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller }) => ({ status: 201, body: ownerJson(await services.groupOwners.assign(caller, params.groupId, body)) }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/groups/:groupId/owners/:ownerId', operationId: 'deleteGroupOwner', tag: 'GroupOwner',
      summary: 'Remove an owner from a group.',
      params: ownerParams,
      response: { status: 204, description: 'Removed' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await services.groupOwners.remove(caller, params.groupId, params.ownerId);
        return {};
      },
    }),
  ];
}
