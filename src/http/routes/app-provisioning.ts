/**
 * Provisioning of an app. Okta's shapes: the default connection
 * (`/api/v1/apps/{id}/connections/default`) and the USER_PROVISIONING feature
 * (`/api/v1/apps/{id}/features`). Lanyard's additions under `/api/v1/apps/{id}/provisioning`:
 * mappings and compatibility, test connection, push everyone now, the task queue with its dead
 * letters, each user's link and status, and the record of every request made to the app.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { taskStatusParam } from '../../services/provisioning.ts';
import type { ProvisioningTaskRecord } from '../../services/ports.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { parseLimit } from '../paging.ts';
import type { LanyardContext } from '../state.ts';

const appParams = z.object({ appId: z.string().min(1).max(200) });
const taskParams = z.object({ appId: z.string().min(1).max(200), taskId: z.string().min(1).max(200) });
const document = z.record(z.string(), z.unknown());
const booleanParam = z.enum(['true', 'false']).optional().transform((v) => v === 'true');

function taskJson(task: ProvisioningTaskRecord) {
  const { payload: _, leaseOwner: __, ...shown } = task;
  return shown;
}

export function appProvisioningRoutes(services: Services): ApiRoute[] {
  const p = services.provisioning;
  const url = (ctx: LanyardContext) => ctx.state.orgUrl!;
  const feature = async (caller: Parameters<typeof p.getCapabilities>[0], appId: string, ctx: LanyardContext) => {
    const connection = await p.getConnection(caller, appId);
    return {
      name: 'USER_PROVISIONING', status: connection.status, description: 'User provisioning settings from Lanyard to the app',
      capabilities: await p.getCapabilities(caller, appId),
      _links: { self: { href: `${url(ctx)}/api/v1/apps/${appId}/features/USER_PROVISIONING` } },
    };
  };
  return [
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/connections/default', operationId: 'getDefaultProvisioningConnectionForApplication', tag: 'ApplicationConnections',
      summary: 'The app\'s provisioning connection (credentials are never returned).',
      params: appParams,
      response: { status: 200, description: 'The connection' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => ({ body: await p.getConnection(caller, params.appId) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/connections/default', operationId: 'updateDefaultProvisioningConnectionForApplication', tag: 'ApplicationConnections',
      summary: 'Set the connection: `{baseUrl, profile: {authScheme: TOKEN, token} | {authScheme: BASIC, username, password} | {authScheme: OAUTH2, tokenUrl, clientId, clientSecret, scope?}}`; `activate=true` enables it.',
      params: appParams, query: z.object({ activate: booleanParam }), body: document, bodyRequired: true,
      response: { status: 201, description: 'The connection' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, query, body, caller }) => ({ status: 201, body: await p.setConnection(caller, params.appId, body, query.activate) }),
    }),
    ...(['activate', 'deactivate'] as const).map((operation) => defineRoute({
      method: 'post', path: `/api/v1/apps/:appId/connections/default/lifecycle/${operation}`,
      operationId: `${operation}DefaultProvisioningConnectionForApplication`, tag: 'ApplicationConnections',
      summary: `${operation === 'activate' ? 'Enable' : 'Disable'} provisioning to the app.`,
      params: appParams,
      response: { status: 204, description: 'Done' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, caller }) => {
        await p.setStatus(caller, params.appId, operation === 'activate' ? 'ENABLED' : 'DISABLED');
        return { status: 204 };
      },
    })),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/features', operationId: 'listFeaturesForApplication', tag: 'ApplicationFeatures',
      summary: 'The app\'s features: USER_PROVISIONING once it has a connection.',
      params: appParams,
      response: { status: 200, description: 'The features' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => {
        const connection = await p.getConnection(caller, params.appId);
        return { body: connection.authScheme === 'UNKNOWN' ? [] : [await feature(caller, params.appId, ctx)] };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/features/USER_PROVISIONING', operationId: 'getFeatureForApplication', tag: 'ApplicationFeatures',
      summary: 'The USER_PROVISIONING feature and its capabilities.',
      params: appParams,
      response: { status: 200, description: 'The feature' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, caller, ctx }) => ({ body: await feature(caller, params.appId, ctx) }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/apps/:appId/features/USER_PROVISIONING', operationId: 'updateFeatureForApplication', tag: 'ApplicationFeatures',
      summary: 'Set the capabilities: `{create: {lifecycleCreate}, update: {profile, lifecycleDeactivate, password}}`, each `{status: ENABLED|DISABLED}`.',
      params: appParams, body: document, bodyRequired: true,
      response: { status: 200, description: 'The feature' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        await p.setCapabilities(caller, params.appId, body);
        return { body: await feature(caller, params.appId, ctx) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/provisioning', operationId: 'getProvisioningSettings', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'Mappings, compatibility profile, import and group push, concurrency and rate.',
      params: appParams,
      response: { status: 200, description: 'The settings' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, caller }) => ({ body: await p.getSettings(caller, params.appId) }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/apps/:appId/provisioning', operationId: 'replaceProvisioningSettings', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'Replace the settings; each mapping\'s expression is checked.',
      params: appParams, body: document, bodyRequired: true,
      response: { status: 200, description: 'The settings' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller }) => ({ body: await p.setSettings(caller, params.appId, body) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/provisioning/test', operationId: 'testProvisioningConnection', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'Test the connection: `GET /ServiceProviderConfig` and `GET /Users?count=1`.',
      params: appParams,
      response: { status: 200, description: 'What each request answered' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, caller }) => ({ body: await p.testConnection(caller, params.appId) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/provisioning/sync', operationId: 'syncProvisioning', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'Queue a push for every user assigned to the app (or with an account in it).',
      params: appParams,
      response: { status: 202, description: 'How many users were queued' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, caller }) => {
        const queued = await p.syncAll(caller, params.appId);
        services.provisioningEngine.poke();
        return { status: 202, body: { queued } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/provisioning/tasks', operationId: 'listProvisioningTasks', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'Provisioning tasks, newest first; `status=DEAD` lists the dead letters.',
      params: appParams, query: z.object({ status: taskStatusParam, limit: z.string().optional() }),
      response: { status: 200, description: 'The tasks' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, query, caller }) => ({ body: (await p.tasks(caller, params.appId, query.status, parseLimit(query.limit, 100, 1000))).map(taskJson) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/provisioning/tasks/:taskId/retry', operationId: 'retryProvisioningTask', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'Put a dead task back in the queue.',
      params: taskParams,
      response: { status: 200, description: 'The task' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, caller }) => {
        const task = await p.retryTask(caller, params.appId, params.taskId);
        services.provisioningEngine.poke();
        return { body: taskJson(task) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/provisioning/users', operationId: 'listProvisionedUsers', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'Each user\'s account in the app: its id there, status and last error.',
      params: appParams,
      response: { status: 200, description: 'The links' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => ({ body: await p.links(caller, params.appId) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/provisioning/groups', operationId: 'listPushedGroups', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'The groups pushed to the app: their id there and status.',
      params: appParams,
      response: { status: 200, description: 'The pushed groups' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => ({ body: await p.pushedGroups(caller, params.appId) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/provisioning/groups', operationId: 'pushGroup', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'Push a group (`{groupId}`): created in the app (or found by name and linked), then kept in step — members, name, deletion.',
      params: appParams, body: z.object({ groupId: z.string().min(1).max(200) }), bodyRequired: true,
      response: { status: 200, description: 'The pushed group' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller }) => {
        const link = await p.pushGroup(caller, params.appId, body.groupId);
        services.provisioningEngine.poke();
        return { body: link };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/apps/:appId/provisioning/groups/:groupId', operationId: 'unlinkPushedGroup', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'Stop pushing a group; `deleteInApp=true` deletes the app\'s group too, otherwise it is left there.',
      params: z.object({ appId: z.string().min(1).max(200), groupId: z.string().min(1).max(200) }), query: z.object({ deleteInApp: booleanParam }),
      response: { status: 204, description: 'Unlinked' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, query, caller }) => {
        await p.unlinkGroup(caller, params.appId, params.groupId, query.deleteInApp);
        services.provisioningEngine.poke();
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/provisioning/imports', operationId: 'startProvisioningImport', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'Import the app\'s accounts: `{match: login|email|attribute, attribute?, createUnmatched?}`. Reads in the background; nothing changes until it is confirmed.',
      params: appParams, body: document,
      response: { status: 202, description: 'The import, reading' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller }) => ({ status: 202, body: await services.provisioningImport.start(caller, params.appId, body ?? {}) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/provisioning/imports', operationId: 'listProvisioningImports', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'The app\'s imports, newest first.',
      params: appParams,
      response: { status: 200, description: 'The imports' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, caller }) => ({ body: await services.provisioningImport.list(caller, params.appId) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/provisioning/imports/:importId', operationId: 'getProvisioningImport', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'One import: its progress while it reads, then each account with its proposed match and action.',
      params: z.object({ appId: z.string().min(1).max(200), importId: z.string().min(1).max(200) }),
      response: { status: 200, description: 'The import' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => ({ body: await services.provisioningImport.get(caller, params.appId, params.importId) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/provisioning/imports/:importId/confirm', operationId: 'confirmProvisioningImport', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'Apply an import: `{decisions: [{externalId, action: link|create|ignore, userId?}]}` overrides proposals; links and new users are assigned to the app.',
      params: z.object({ appId: z.string().min(1).max(200), importId: z.string().min(1).max(200) }), body: document,
      response: { status: 200, description: 'The import, applied' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller }) => ({ body: await services.provisioningImport.confirm(caller, params.appId, params.importId, body ?? {}) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/provisioning/requests', operationId: 'listProvisioningRequests', tag: 'ApplicationProvisioning', lanyard: true,
      summary: 'Every request made to the app and its answer, newest first, secrets removed; `before` pages back.',
      params: appParams, query: z.object({ limit: z.string().optional(), before: z.string().max(64).optional() }),
      response: { status: 200, description: 'The requests' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, query, caller }) => ({ body: await p.requests(caller, params.appId, parseLimit(query.limit, 100, 1000), query.before) }),
    }),
  ];
}
