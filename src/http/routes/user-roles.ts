/**
 * `/api/v1/users/{id}/roles`: Okta's admin role assignments, for the roles Lanyard has —
 * SUPER_ADMIN, ORG_ADMIN and (Lanyard's) NETWORK_REVIEWER, which only users of the deployment's
 * first org may hold. Only a super administrator assigns roles.
 */
import { z } from 'zod';
import { createHash } from 'node:crypto';
import type { Services } from '../../services/index.ts';
import { roleTypes } from '../../services/admin-roles.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';

const labels: Record<string, string> = { SUPER_ADMIN: 'Super Administrator', ORG_ADMIN: 'Organization Administrator', NETWORK_REVIEWER: 'Integration Network Reviewer' };
const userParams = z.object({ userId: z.string().min(1).max(200) });
const roleSchema = z.object({ id: z.string(), type: z.string() }).loose();

function roleJson(userId: string, type: string) {
  return {
    id: `ra${createHash('sha256').update(`${userId}:${type}`).digest('base64url').replace(/[-_]/g, '').slice(0, 18)}`,
    label: labels[type] ?? type, type, status: 'ACTIVE', assignmentType: 'USER',
  };
}

export function userRoleRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/users/:userId/roles', operationId: 'listAssignedRolesForUser', tag: 'RoleAssignment',
      summary: 'The user\'s admin roles.',
      params: userParams,
      response: { status: 200, description: 'The roles', schema: z.array(roleSchema) },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        const { userId, types } = await services.adminRoles.list(caller, params.userId);
        return { body: types.map((type) => roleJson(userId, type)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/users/:userId/roles', operationId: 'assignRoleToUser', tag: 'RoleAssignment',
      summary: 'Assign an admin role (`{type}`): SUPER_ADMIN, ORG_ADMIN, or NETWORK_REVIEWER (users of the first org only).',
      params: userParams, body: z.object({ type: z.enum(roleTypes, { error: `must be one of ${roleTypes.join(', ')}` }) }).loose(), bodyRequired: true,
      response: { status: 201, description: 'The role', schema: roleSchema },
      errors: ['resource.not_found', 'request.validation_failed', 'auth.forbidden'],
      handle: async ({ params, body, caller }) => {
        const userId = await services.adminRoles.assign(caller, params.userId, body.type);
        return { status: 201, body: roleJson(userId, body.type) };
      },
    }),
  ];
}
