/**
 * `/api/v1/integrations` (Lanyard additions): the App Integration Wizard and the vendor's own
 * integrations — drafts, versions, manifest files — as any org sees its own. Another org's
 * integrations answer "not found".
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { appJson } from '../representations/app.ts';
import { integrationVersionJson, vendorIntegrationJson } from '../representations/integration.ts';
import type { LanyardContext } from '../state.ts';

const keyParams = z.object({ integrationId: z.string().min(1).max(64) });
const versionParams = z.object({ integrationId: z.string().min(1).max(64), version: z.string().min(1).max(20) });
const document = z.record(z.string(), z.unknown());
const integrationSchema = z.object({ id: z.string(), versions: z.array(z.object({ version: z.string(), status: z.string() }).loose()) }).loose();
const versionSchema = z.object({ version: z.string(), status: z.string() }).loose();

export function vendorIntegrationRoutes(services: Services): ApiRoute[] {
  const url = (ctx: LanyardContext) => ctx.state.orgUrl!;
  const vendor = services.vendorIntegrations;
  return [
    defineRoute({
      method: 'post', path: '/api/v1/integrations', operationId: 'createIntegration', tag: 'IntegrationWizard', lanyard: true,
      summary: 'The App Integration Wizard: `{manifest, testVariables?, testSignOnMode?}` creates an integration, its first draft version '
        + '(format, version 1.0.0 and a logo are filled in when left out) and a private test instance in this org.',
      body: document, bodyRequired: true,
      response: { status: 201, description: 'The integration, with its test app', schema: integrationSchema },
      errors: ['request.validation_failed'],
      handle: async ({ body, caller, ctx }) => {
        const made = await vendor.create(caller, body);
        return { status: 201, body: { ...vendorIntegrationJson(url(ctx), made.integration, made.versions), _embedded: { testApp: appJson(made.testApp, url(ctx)) } } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/integrations/import', operationId: 'importIntegrationManifest', tag: 'IntegrationWizard', lanyard: true,
      summary: 'Import a manifest file: a new integration with a test instance, or a new version of one of this org\'s integrations.',
      body: document, bodyRequired: true,
      response: { status: 200, description: 'What was imported', schema: z.object({ id: z.string(), version: z.string(), created: z.boolean() }) },
      errors: ['request.validation_failed'],
      handle: async ({ body, caller }) => {
        const result = await vendor.importManifest(caller, body);
        return { body: { id: result.key, version: result.version, created: result.created } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/integrations', operationId: 'listIntegrations', tag: 'IntegrationWizard', lanyard: true,
      summary: 'This org\'s integrations and their versions.',
      response: { status: 200, description: 'The integrations', schema: z.array(integrationSchema) },
      handle: async ({ caller, ctx }) => ({ body: (await vendor.list(caller)).map((v) => vendorIntegrationJson(url(ctx), v.integration, v.versions)) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/integrations/:integrationId', operationId: 'getIntegration', tag: 'IntegrationWizard', lanyard: true,
      summary: 'One of this org\'s integrations.',
      params: keyParams,
      response: { status: 200, description: 'The integration', schema: integrationSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => {
        const view = await vendor.get(caller, params.integrationId);
        return { body: vendorIntegrationJson(url(ctx), view.integration, view.versions) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/integrations/:integrationId/versions', operationId: 'createIntegrationVersion', tag: 'IntegrationWizard', lanyard: true,
      summary: 'Start a new draft version from a manifest whose version is above every existing one; the test instance moves to it.',
      params: keyParams, body: document, bodyRequired: true,
      response: { status: 201, description: 'The new version', schema: versionSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) =>
        ({ status: 201, body: integrationVersionJson(url(ctx), params.integrationId, await vendor.createVersion(caller, params.integrationId, body)) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/integrations/:integrationId/versions/:version', operationId: 'getIntegrationVersion', tag: 'IntegrationWizard', lanyard: true,
      summary: 'A version: its manifest, status, check report and review.',
      params: versionParams,
      response: { status: 200, description: 'The version', schema: versionSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) =>
        ({ body: integrationVersionJson(url(ctx), params.integrationId, (await vendor.getVersion(caller, params.integrationId, params.version)).version) }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/integrations/:integrationId/versions/:version', operationId: 'replaceIntegrationVersion', tag: 'IntegrationWizard', lanyard: true,
      summary: 'Replace a draft (or rejected) version\'s manifest; the test instance follows. Submitted and published versions never change.',
      params: versionParams, body: document, bodyRequired: true,
      response: { status: 200, description: 'The version', schema: versionSchema },
      errors: ['resource.not_found', 'request.validation_failed', 'network.version_locked'],
      handle: async ({ params, body, caller, ctx }) =>
        ({ body: integrationVersionJson(url(ctx), params.integrationId, await vendor.updateVersion(caller, params.integrationId, params.version, body)) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/integrations/:integrationId/versions/:version/manifest', operationId: 'exportIntegrationManifest', tag: 'IntegrationWizard', lanyard: true,
      summary: 'The version\'s manifest as a file, logo included, to keep in source control or import elsewhere.',
      params: versionParams,
      response: { status: 200, description: 'The manifest file' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => ({
        body: `${JSON.stringify(await vendor.exportManifest(caller, params.integrationId, params.version), null, 2)}\n`,
        contentType: 'application/json',
        headers: { 'Content-Disposition': `attachment; filename="${params.integrationId}-${params.version}.json"` },
      }),
    }),
  ];
}
