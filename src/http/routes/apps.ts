/** `/api/v1/apps`: Okta's Applications API — apps, assignments, OAuth client secrets. */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { afterParam, parseLimit, parseSearch } from '../paging.ts';
import { appGroupJson, appJson, appUserJson, clientSecretJson } from '../representations/app.ts';
import type { LanyardContext } from '../state.ts';
import type { Caller } from '../../services/caller.ts';
import type { App } from '../../domain/app.ts';

const appParams = z.object({ appId: z.string().min(1).max(200) });
const appUserParams = z.object({ appId: z.string().min(1).max(200), userId: z.string().min(1).max(200) });
const appGroupParams = z.object({ appId: z.string().min(1).max(200), groupId: z.string().min(1).max(200) });
const secretParams = z.object({ appId: z.string().min(1).max(200), secretId: z.string().min(1).max(200) });
const booleanParam = z.enum(['true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === 'true'));
const appSchema = z.object({ id: z.string(), label: z.string(), signOnMode: z.string() }).loose();
const appBody = z.record(z.string(), z.unknown());

export function appRoutes(services: Services): ApiRoute[] {
  const url = (ctx: LanyardContext) => ctx.state.orgUrl!;

  /** The app as Okta returns it from create and update: with its newest active client secret. */
  async function withSecret(caller: Caller, app: App, ctx: LanyardContext) {
    const accessPolicy = (await services.policies.accessPolicyIdsOf(caller.org.id, [app.id])).get(app.id);
    if (app.signOnMode !== 'OPENID_CONNECT') return appJson(app, url(ctx), undefined, accessPolicy);
    const secrets = (await services.apps.secretsOf(caller, app.id)).filter((s) => s.record.status === 'ACTIVE');
    return appJson(app, url(ctx), secrets[secrets.length - 1]?.secret, accessPolicy);
  }

  return [
    defineRoute({
      method: 'post', path: '/api/v1/apps', operationId: 'createApplication', tag: 'Application',
      summary: 'Create an app; `activate` (default true) makes it ACTIVE. OIDC apps get a client id and, for confidential clients, a secret.',
      query: z.object({ activate: booleanParam }), body: appBody, bodyRequired: true,
      response: { status: 200, description: 'The new app', schema: appSchema },
      errors: ['request.validation_failed'],
      handle: async ({ query, body, caller, ctx }) => {
        const app = await services.apps.create(caller, body, { activate: query.activate ?? true });
        return { body: await withSecret(caller, app, ctx) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps', operationId: 'listApplications', tag: 'Application',
      summary: 'List apps: `q` (label prefix), `filter` (status, name, signOnMode, id, and `user.id eq` or `group.id eq` for the apps assigned to a user or a group); paged by `limit` and `after`.',
      query: z.object({ q: z.string().max(200).optional(), filter: z.string().optional(), limit: z.string().optional(), after: afterParam, expand: z.string().optional() }),
      response: { status: 200, description: 'A page of apps', schema: z.array(appSchema), paged: true },
      errors: ['request.invalid_search'],
      handle: async ({ query, caller, ctx }) => {
        const page = await services.apps.list(caller, {
          q: query.q, filter: parseSearch(query.filter, 'filter'), limit: parseLimit(query.limit, 20, 200), after: query.after,
        });
        const accessPolicies = await services.policies.accessPolicyIdsOf(caller.org.id, page.items.map((a) => a.id));
        return { body: page.items.map((a) => appJson(a, url(ctx), undefined, accessPolicies.get(a.id))), next: page.next };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId', operationId: 'getApplication', tag: 'Application',
      summary: 'Get an app.',
      params: appParams,
      response: { status: 200, description: 'The app', schema: appSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: await withSecret(caller, await services.apps.get(caller, params.appId), ctx) }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/apps/:appId', operationId: 'replaceApplication', tag: 'Application',
      summary: 'Replace an app\'s label and settings (the sign-on mode cannot change).',
      params: appParams, body: appBody, bodyRequired: true,
      response: { status: 200, description: 'The app', schema: appSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => ({ body: await withSecret(caller, await services.apps.replace(caller, params.appId, body), ctx) }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/apps/:appId', operationId: 'deleteApplication', tag: 'Application',
      summary: 'Delete an INACTIVE app.',
      params: appParams,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found', 'app.delete_active'],
      handle: async ({ params, caller }) => {
        await services.apps.remove(caller, params.appId);
        return {};
      },
    }),
    ...(['activate', 'deactivate'] as const).map((operation) => defineRoute({
      method: 'post', path: `/api/v1/apps/:appId/lifecycle/${operation}`, operationId: `${operation}Application`, tag: 'ApplicationLifecycle',
      summary: `${operation === 'activate' ? 'Activate' : 'Deactivate'} an app.`,
      params: appParams,
      response: { status: 200, description: 'An empty object' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await services.apps.setStatus(caller, params.appId, operation === 'activate' ? 'ACTIVE' : 'INACTIVE');
        return { body: {} };
      },
    })),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/users', operationId: 'assignUserToApplication', tag: 'ApplicationUsers',
      summary: 'Assign a user to an app. For an SWA app, `credentials` (`userName`, `password.value`) sets the parts its credentials scheme leaves to administrators; the password is vaulted and never returned.',
      params: appParams,
      body: z.object({ id: z.string().min(1).max(200), scope: z.string().optional(), credentials: z.record(z.string(), z.unknown()).optional(), profile: z.record(z.string(), z.unknown()).optional() }),
      bodyRequired: true,
      response: { status: 200, description: 'The app user' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        const { assignment, userName } = await services.swa.assignWithCredentials(caller, params.appId, body.id, body.profile ?? {}, body.credentials);
        return { body: appUserJson(assignment, userName, url(ctx)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/users/:userId', operationId: 'updateApplicationUser', tag: 'ApplicationUsers',
      summary: 'Update an app user\'s profile and, for an SWA app, the credentials administrators set (assigns the user when needed).',
      params: appUserParams, body: z.object({ profile: z.record(z.string(), z.unknown()).optional(), credentials: z.record(z.string(), z.unknown()).optional() }),
      response: { status: 200, description: 'The app user' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        const { assignment, userName } = await services.swa.assignWithCredentials(caller, params.appId, params.userId, body?.profile ?? {}, body?.credentials);
        return { body: appUserJson(assignment, userName, url(ctx)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/users', operationId: 'listApplicationUsers', tag: 'ApplicationUsers',
      summary: 'Users assigned to an app directly.',
      params: appParams, query: z.object({ limit: z.string().optional(), after: afterParam, q: z.string().optional(), expand: z.string().optional() }),
      response: { status: 200, description: 'App users', paged: true },
      errors: ['resource.not_found'],
      handle: async ({ params, query, caller, ctx }) => {
        const page = await services.apps.listUsers(caller, params.appId, parseLimit(query.limit, 50, 500), query.after);
        const app = await services.apps.get(caller, params.appId);
        const body = [];
        for (const a of page.items) body.push(appUserJson(a, await services.swa.userNameOf(caller.org, app, await services.users.get(caller, a.userId)), url(ctx)));
        return { body, next: page.next };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/users/:userId', operationId: 'getApplicationUser', tag: 'ApplicationUsers',
      summary: 'One app user.',
      params: appUserParams,
      response: { status: 200, description: 'The app user' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => {
        const user = await services.users.get(caller, params.userId);
        const assignment = await services.apps.findUserAssignment(caller, params.appId, user.id);
        const userName = await services.swa.userNameOf(caller.org, await services.apps.get(caller, params.appId), user);
        return { body: appUserJson(assignment, userName, url(ctx)) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/apps/:appId/users/:userId', operationId: 'unassignUserFromApplication', tag: 'ApplicationUsers',
      summary: 'Remove a user\'s direct assignment.',
      params: appUserParams, query: z.object({ sendEmail: booleanParam }),
      response: { status: 204, description: 'Removed' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await services.apps.unassignUser(caller, params.appId, params.userId);
        return {};
      },
    }),
    defineRoute({
      method: 'put', path: '/api/v1/apps/:appId/groups/:groupId', operationId: 'assignGroupToApplication', tag: 'ApplicationGroups',
      summary: 'Assign a group to an app: its members may use the app.',
      params: appGroupParams, body: z.object({ priority: z.number().int().min(0).max(100000).optional(), profile: z.record(z.string(), z.unknown()).optional() }),
      response: { status: 200, description: 'The group assignment' },
      errors: ['resource.not_found'],
      handle: async ({ params, body, caller, ctx }) => {
        const assignment = await services.apps.assignGroup(caller, params.appId, params.groupId, {
          ...(body?.priority !== undefined ? { priority: body.priority } : {}), ...(body?.profile ? { profile: body.profile } : {}),
        });
        return { body: appGroupJson(assignment, url(ctx)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/groups', operationId: 'listApplicationGroupAssignments', tag: 'ApplicationGroups',
      summary: 'Groups assigned to an app.',
      params: appParams, query: z.object({ limit: z.string().optional(), after: afterParam, q: z.string().optional(), expand: z.string().optional() }),
      response: { status: 200, description: 'Group assignments', paged: true },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: (await services.apps.listGroups(caller, params.appId)).map((a) => appGroupJson(a, url(ctx))) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/groups/:groupId', operationId: 'getApplicationGroupAssignment', tag: 'ApplicationGroups',
      summary: 'One group assignment.',
      params: appGroupParams,
      response: { status: 200, description: 'The group assignment' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: appGroupJson(await services.apps.findGroupAssignment(caller, params.appId, params.groupId), url(ctx)) }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/apps/:appId/groups/:groupId', operationId: 'unassignApplicationFromGroup', tag: 'ApplicationGroups',
      summary: 'Remove a group assignment.',
      params: appGroupParams,
      response: { status: 204, description: 'Removed' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await services.apps.unassignGroup(caller, params.appId, params.groupId);
        return {};
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/credentials/secrets', operationId: 'listOAuth2ClientSecrets', tag: 'ApplicationSSOCredentialOAuth2ClientAuth',
      summary: 'The client secrets of an OIDC app.',
      params: appParams,
      response: { status: 200, description: 'Client secrets' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({
        body: (await services.apps.secretsOf(caller, params.appId)).map((s) => clientSecretJson(s.record, s.secret, url(ctx))),
      }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/credentials/secrets', operationId: 'createOAuth2ClientSecret', tag: 'ApplicationSSOCredentialOAuth2ClientAuth',
      summary: 'Add a client secret (at most two): generated, or the one sent.',
      params: appParams, body: z.object({ client_secret: z.string().max(100).optional(), status: z.enum(['ACTIVE', 'INACTIVE']).optional() }),
      response: { status: 201, description: 'The new secret' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        const created = await services.apps.createSecret(caller, params.appId, body?.client_secret);
        if (body?.status === 'INACTIVE') await services.apps.setSecretStatus(caller, params.appId, created.record.id, 'INACTIVE');
        return { body: clientSecretJson({ ...created.record, status: body?.status ?? 'ACTIVE' }, created.secret, url(ctx)) };
      },
    }),
    ...(['activate', 'deactivate'] as const).map((operation) => defineRoute({
      method: 'post', path: `/api/v1/apps/:appId/credentials/secrets/:secretId/lifecycle/${operation}`, operationId: `${operation}OAuth2ClientSecret`,
      tag: 'ApplicationSSOCredentialOAuth2ClientAuth', summary: `${operation === 'activate' ? 'Activate' : 'Deactivate'} a client secret.`,
      params: secretParams,
      response: { status: 200, description: 'The secret' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, caller, ctx }) => {
        await services.apps.setSecretStatus(caller, params.appId, params.secretId, operation === 'activate' ? 'ACTIVE' : 'INACTIVE');
        const secret = (await services.apps.secretsOf(caller, params.appId)).find((s) => s.record.id === params.secretId)!;
        return { body: clientSecretJson(secret.record, secret.secret, url(ctx)) };
      },
    })),
    defineRoute({
      method: 'delete', path: '/api/v1/apps/:appId/credentials/secrets/:secretId', operationId: 'deleteOAuth2ClientSecret', tag: 'ApplicationSSOCredentialOAuth2ClientAuth',
      summary: 'Delete an INACTIVE client secret.',
      params: secretParams,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, caller }) => {
        await services.apps.deleteSecret(caller, params.appId, params.secretId);
        return {};
      },
    }),
  ];
}
