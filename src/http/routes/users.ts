/** `/api/v1/users`: Okta's Users API. Each handler decodes, calls one use case, encodes. */
import { z } from 'zod';
import { AppError, validationError } from '../../kernel/errors.ts';
import type { Filter } from '../../protocols/scim/filter.ts';
import type { LifecycleOperation } from '../../domain/user.ts';
import type { Services } from '../../services/index.ts';
import { credentialsInputSchema } from '../../services/users.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { afterParam, parseLimit, parseSearch } from '../paging.ts';
import { userJson } from '../representations/user.ts';
import { groupJson } from '../representations/group.ts';
import type { LanyardContext } from '../state.ts';

const userIdParams = z.object({ userId: z.string().min(1).max(200) });
const booleanParam = z.enum(['true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === 'true'));

const profileInput = z.record(z.string(), z.unknown());
const createBody = z.object({
  profile: profileInput,
  credentials: credentialsInputSchema.optional(),
  groupIds: z.array(z.string().max(200)).optional(),
  type: z.object({ id: z.string() }).optional(),
});
const updateBody = z.object({ profile: profileInput.optional(), credentials: credentialsInputSchema.optional() });

const userSchema = z.object({ id: z.string(), status: z.string(), profile: z.record(z.string(), z.unknown()) }).loose()
  .describe('User');

/** What Okta's `filter` allows: `eq` on a few attributes, ranges on `lastUpdated`. */
const filterAttributes = new Set(['status', 'lastUpdated', 'id', 'profile.login', 'profile.email', 'profile.firstName', 'profile.lastName']);

function checkFilterSubset(filter: Filter): void {
  switch (filter.op) {
    case 'and': case 'or': checkFilterSubset(filter.left); checkFilterSubset(filter.right); return;
    case 'not': case 'valuePath': case 'pr':
      throw new AppError('request.invalid_search', { causes: [`filter does not support ${filter.op}; use search instead.`] });
    default:
      if (!filterAttributes.has(filter.path)) {
        throw new AppError('request.invalid_search', { causes: [`filter does not support ${filter.path}; use search instead.`] });
      }
      if (filter.op !== 'eq' && filter.path !== 'lastUpdated') {
        throw new AppError('request.invalid_search', { causes: [`filter supports only eq on ${filter.path}; use search instead.`] });
      }
  }
}

/** `/api/v1/users/me` is the caller's own user. */
function resolveId(userId: string, callerUserId: string): string {
  return userId === 'me' ? callerUserId : userId;
}

const lifecycleOperations = ['activate', 'reactivate', 'deactivate', 'suspend', 'unsuspend', 'unlock', 'expire_password', 'reset_password'] as const;

export function userRoutes(services: Services): ApiRoute[] {
  const orgUrl = (ctx: LanyardContext) => ctx.state.orgUrl!;
  return [
    defineRoute({
      method: 'post', path: '/api/v1/users', operationId: 'createUser', tag: 'User',
      summary: 'Create a user; `activate` (default true) makes it ACTIVE with a password, PROVISIONED without one.',
      query: z.object({ activate: booleanParam, provider: booleanParam, nextLogin: z.literal('changePassword').optional() }),
      body: createBody, bodyRequired: true,
      response: { status: 200, description: 'The new user', schema: userSchema },
      errors: ['request.validation_failed', 'request.malformed_body', 'request.too_many_targets'],
      handle: async ({ query, body, caller, ctx }) => {
        const user = await services.users.create(caller, body, { activate: query.activate ?? true, nextLogin: query.nextLogin });
        return { body: userJson(user, orgUrl(ctx)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/users', operationId: 'listUsers', tag: 'User',
      summary: 'List users: `q` (name or email prefix), `filter` (Okta\'s subset), `search` (SCIM expressions, sorted by `sortBy`/`sortOrder`); paged by `limit` and `after`.',
      query: z.object({
        q: z.string().max(200).optional(), filter: z.string().optional(), search: z.string().optional(),
        limit: z.string().optional(), after: afterParam, sortBy: z.string().optional(), sortOrder: z.string().optional(),
      }),
      response: { status: 200, description: 'A page of users', schema: z.array(userSchema), paged: true },
      errors: ['request.invalid_search', 'request.validation_failed'],
      handle: async ({ query, caller, ctx }) => {
        const filter = parseSearch(query.filter, 'filter');
        if (filter) checkFilterSubset(filter);
        const search = parseSearch(query.search, 'search');
        if (filter && search) throw new AppError('request.invalid_search', { causes: ['Send either filter or search, not both.'] });
        const order = (query.sortOrder ?? 'asc').toLowerCase();
        if (order !== 'asc' && order !== 'desc') throw validationError(['sortOrder: must be asc or desc'], 'sortOrder');
        // Okta sorts only search results; without sortBy the order is by id.
        const sort = query.sortBy && search ? { path: query.sortBy, descending: order === 'desc' } : undefined;
        const limit = parseLimit(query.limit, query.q ? 10 : 200, 200);
        const page = await services.users.list(caller, { q: query.q, filter: filter ?? search, limit, after: query.after, sort });
        return { body: page.items.map((u) => userJson(u, orgUrl(ctx), false)), next: page.next };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/users/:userId', operationId: 'getUser', tag: 'User',
      summary: 'Get a user by id or login (`me` is the token\'s own user).',
      params: userIdParams,
      response: { status: 200, description: 'The user', schema: userSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => {
        const user = await services.users.get(caller, resolveId(params.userId, caller.actor.id));
        return { body: userJson(user, orgUrl(ctx)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/users/:userId', operationId: 'updateUser', tag: 'User',
      summary: 'Partial update: the attributes sent change, `null` removes one; credentials sent are set by the administrator.',
      params: userIdParams, body: updateBody, bodyRequired: true,
      response: { status: 200, description: 'The updated user', schema: userSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        const user = await services.users.update(caller, resolveId(params.userId, caller.actor.id), body, 'partial');
        return { body: userJson(user, orgUrl(ctx)) };
      },
    }),
    defineRoute({
      method: 'put', path: '/api/v1/users/:userId', operationId: 'replaceUser', tag: 'User',
      summary: 'Replace the profile as a whole: attributes not sent are removed.',
      params: userIdParams, body: updateBody, bodyRequired: true,
      response: { status: 200, description: 'The updated user', schema: userSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        const user = await services.users.update(caller, resolveId(params.userId, caller.actor.id), body, 'replace');
        return { body: userJson(user, orgUrl(ctx)) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/users/:userId', operationId: 'deleteUser', tag: 'User',
      summary: 'Deactivates a user that is not DEPROVISIONED; deletes one that is.',
      params: userIdParams, query: z.object({ sendEmail: booleanParam }),
      response: { status: 204, description: 'Deactivated or deleted' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await services.users.remove(caller, params.userId);
        return {};
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/users/:userId/groups', operationId: 'listUserGroups', tag: 'User',
      summary: 'The groups a user belongs to.',
      params: userIdParams,
      response: { status: 200, description: 'Groups', schema: z.array(z.object({ id: z.string() }).loose()) },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => {
        const groups = await services.users.groupsOf(caller, resolveId(params.userId, caller.actor.id));
        return { body: groups.map((g) => groupJson(g, orgUrl(ctx))) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/users/:userId/lifecycle/:operation', operationId: 'runUserLifecycle', tag: 'UserLifecycle',
      summary: 'Lifecycle operations: activate, reactivate, deactivate, suspend, unsuspend, unlock, expire_password, reset_password.',
      params: z.object({ userId: z.string().min(1).max(200), operation: z.enum(lifecycleOperations) }),
      query: z.object({ sendEmail: booleanParam, revokeSessions: booleanParam, tempPassword: booleanParam }),
      response: { status: 200, description: 'An empty object, an activation or reset link (sendEmail=false), or the user (expire_password)' },
      errors: ['resource.not_found', 'user.already_active', 'user.invalid_status', 'user.unlock_not_allowed', 'user.operation_not_allowed', 'user.reset_password_failed'],
      handle: async ({ params, query, caller, ctx }) => {
        const result = await services.lifecycle.run(caller, params.userId, params.operation as LifecycleOperation, {
          ...(query.sendEmail !== undefined ? { sendEmail: query.sendEmail } : {}),
          ...(query.revokeSessions !== undefined ? { revokeSessions: query.revokeSessions } : {}),
        });
        switch (result.kind) {
          case 'activation': return { body: { activationUrl: result.activationUrl, activationToken: result.activationToken } };
          case 'reset': return { body: { resetPasswordUrl: result.resetPasswordUrl } };
          case 'user': return { body: userJson(result.user, orgUrl(ctx)) };
          case 'empty': return { body: {} };
        }
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/users/:userId/credentials/change_password', operationId: 'changePassword', tag: 'UserCred',
      summary: 'Change a password, proving the old one.',
      params: userIdParams,
      body: z.object({ oldPassword: z.object({ value: z.string().max(256) }), newPassword: z.object({ value: z.string().max(256) }) }),
      bodyRequired: true,
      response: { status: 200, description: 'The user\'s credentials' },
      errors: ['resource.not_found', 'user.credentials_failed', 'user.password_policy'],
      handle: async ({ params, body, caller }) => {
        const user = await services.credentials.changePassword(caller, resolveId(params.userId, caller.actor.id),
          body.oldPassword.value, body.newPassword.value);
        return {
          body: {
            password: {},
            ...(user.recoveryQuestion ? { recovery_question: { question: user.recoveryQuestion } } : {}),
            provider: { type: 'OKTA', name: 'OKTA' },
          },
        };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/users/:userId/sessions', operationId: 'revokeUserSessions', tag: 'UserSessions',
      summary: 'End every session of a user.',
      params: userIdParams, query: z.object({ oauthTokens: booleanParam, forgetDevices: booleanParam }),
      response: { status: 204, description: 'Sessions ended' },
      errors: ['resource.not_found'],
      handle: async ({ params, query, caller }) => {
        const userId = resolveId(params.userId, caller.actor.id);
        await services.sessions.revokeAll(caller, userId);
        // `oauthTokens=true` also revokes the OAuth consents and every token issued under them.
        if (query.oauthTokens) await services.grants.revokeAll(caller, userId);
        return {};
      },
    }),
  ];
}
