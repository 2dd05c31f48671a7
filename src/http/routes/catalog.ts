/**
 * `/api/v1/catalog` (Lanyard additions): the integration network's published integrations,
 * searched and read by any org's admins; adding one to the org; and, under `/api/v1/apps/{id}`,
 * the instance's integration, its setup instructions and moving it to a newer version.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { catalogMode } from '../../services/catalog.ts';
import { manifestJsonSchema, manifestSignOnModes, tiers } from '../../catalog/manifest.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { parseLimit } from '../paging.ts';
import { appJson } from '../representations/app.ts';
import { appIntegrationJson, catalogEntryJson } from '../representations/integration.ts';
import type { LanyardContext } from '../state.ts';

const integrationParams = z.object({ integrationId: z.string().min(1).max(64) });
const appParams = z.object({ appId: z.string().min(1).max(200) });
const entrySchema = z.object({ id: z.string(), name: z.string(), version: z.string(), signOnModes: z.array(z.string()) }).loose();
const appSchema = z.object({ id: z.string(), label: z.string(), signOnMode: z.string() }).loose();
const changeSchema = z.object({ fromVersion: z.string(), toVersion: z.string(), changes: z.array(z.object({ path: z.string() }).loose()) }).loose();

const modeParam = z.string().max(40).optional().superRefine((value, ctx) => {
  if (value !== undefined && !catalogMode(value)) ctx.addIssue({ code: 'custom', message: `must be one of ${manifestSignOnModes.join(', ')}` });
});

export function catalogRoutes(services: Services): ApiRoute[] {
  const url = (ctx: LanyardContext) => ctx.state.orgUrl!;
  return [
    defineRoute({
      method: 'get', path: '/api/v1/catalog/integrations', operationId: 'listCatalogIntegrations', tag: 'Catalog', lanyard: true,
      summary: 'Published integrations, by name: `q` (name, vendor, description), `category`, `signOnMode` (oidc, saml, wsfed, swa or Okta\'s names), '
        + '`provisioning` (`true`, `false` or an operation such as `groupPush`), `tier`; paged by `limit` and `after`.',
      query: z.object({
        q: z.string().max(200).optional(), category: z.string().max(100).optional(), signOnMode: modeParam,
        provisioning: z.enum(['true', 'false', 'create', 'update', 'deactivate', 'reactivate', 'groupPush', 'importUsers', 'passwordSync']).optional(),
        tier: z.enum(tiers).optional(), limit: z.string().optional(), after: z.string().max(400).optional(),
      }),
      response: { status: 200, description: 'A page of integrations', schema: z.array(entrySchema), paged: true },
      errors: ['request.validation_failed'],
      handle: async ({ query, ctx }) => {
        const page = await services.catalog.search({
          q: query.q, category: query.category, signOnMode: query.signOnMode ? catalogMode(query.signOnMode) : undefined,
          provisioning: query.provisioning, tier: query.tier, limit: parseLimit(query.limit, 50, 200), after: query.after,
        });
        return { body: page.items.map((entry) => catalogEntryJson(entry, url(ctx))), next: page.next };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/catalog/integrations/:integrationId', operationId: 'getCatalogIntegration', tag: 'Catalog', lanyard: true,
      summary: 'A published integration with its templates, tenant variables, setup instructions and support contact; `version` picks an older published version.',
      params: integrationParams, query: z.object({ version: z.string().max(20).optional() }),
      response: { status: 200, description: 'The integration', schema: entrySchema },
      errors: ['resource.not_found'],
      handle: async ({ params, query, ctx }) => ({ body: catalogEntryJson(await services.catalog.get(params.integrationId, query.version), url(ctx), true) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/catalog/manifest-schema', operationId: 'getIntegrationManifestSchema', tag: 'Catalog', lanyard: true,
      summary: 'The integration manifest\'s JSON Schema.',
      response: { status: 200, description: 'JSON Schema (draft 2020-12)' },
      handle: async () => ({ body: manifestJsonSchema() }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/catalog/integrations/:integrationId/instances', operationId: 'addCatalogIntegration', tag: 'Catalog', lanyard: true,
      summary: 'Add a published integration to this org: `{signOnMode?, label?, version?, variables, activate?}` creates an ordinary app from its manifest.',
      params: integrationParams, body: z.record(z.string(), z.unknown()), bodyRequired: true,
      response: { status: 200, description: 'The new app', schema: appSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        const app = await services.integrationInstances.add(caller, params.integrationId, body);
        if (app.signOnMode !== 'OPENID_CONNECT') return { body: appJson(app, url(ctx)) };
        const secrets = (await services.apps.secretsOf(caller, app.id)).filter((s) => s.record.status === 'ACTIVE');
        return { body: appJson(app, url(ctx), secrets[secrets.length - 1]?.secret) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/integration', operationId: 'getApplicationIntegration', tag: 'Catalog', lanyard: true,
      summary: 'The integration and version an app was added from, its tenant variables, its setup instructions with this app\'s values, and whether a newer version is published.',
      params: appParams,
      response: { status: 200, description: 'The app\'s integration' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, caller, ctx }) => ({ body: appIntegrationJson(url(ctx), await services.integrationInstances.describe(caller, params.appId)) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/integration/preview', operationId: 'previewApplicationIntegrationUpgrade', tag: 'Catalog', lanyard: true,
      summary: 'What moving the app to a published `version` (the newest by default) and new `variables` would change; nothing is written.',
      params: appParams, body: z.record(z.string(), z.unknown()),
      response: { status: 200, description: 'The changes', schema: changeSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller }) => ({ body: await services.integrationInstances.preview(caller, params.appId, body ?? {}) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/integration/upgrade', operationId: 'upgradeApplicationIntegration', tag: 'Catalog', lanyard: true,
      summary: 'Move the app to a published `version` (the newest by default) and new `variables`: only the settings the manifest changes are changed.',
      params: appParams, body: z.record(z.string(), z.unknown()),
      response: { status: 200, description: 'The changes made and the app', schema: changeSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        const result = await services.integrationInstances.upgrade(caller, params.appId, body ?? {});
        return { body: { fromVersion: result.fromVersion, toVersion: result.toVersion, changes: result.changes, app: appJson(result.app, url(ctx)) } };
      },
    }),
  ];
}
