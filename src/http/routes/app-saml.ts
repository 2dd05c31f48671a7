/**
 * The SAML side of `/api/v1/apps`: the app's IdP metadata as Okta's API serves it, and (Lanyard
 * additions) creating or updating a SAML app from the service provider's metadata.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { appJson } from '../representations/app.ts';

const appParams = z.object({ appId: z.string().min(1).max(200) });
const appSchema = z.object({ id: z.string(), label: z.string(), signOnMode: z.string() }).loose();
const metadataXml = z.string().min(1, 'is required').max(256 * 1024, 'is larger than 256 KiB');

export function appSamlRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/sso/saml/metadata', operationId: 'previewSAMLmetadataForApplication', tag: 'ApplicationSSO',
      summary: 'The SAML app\'s IdP metadata (XML), signed with its current key or with `kid`.',
      params: appParams, query: z.object({ kid: z.string().min(1).max(200).optional() }),
      response: { status: 200, description: 'SAML metadata', schema: z.string() },
      errors: ['resource.not_found'],
      handle: async ({ params, query, caller }) => ({
        contentType: 'application/xml',
        body: await services.samlSso.metadata(caller.org, params.appId, { kid: query.kid, includeInactive: true }),
      }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/import/saml', operationId: 'importSamlApplication', tag: 'Application', lanyard: true,
      summary: 'Create an active SAML 2.0 app from the service provider\'s metadata (`{label, metadata}`).',
      body: z.object({ label: z.string().trim().min(1).max(100), metadata: metadataXml }), bodyRequired: true,
      response: { status: 200, description: 'The new app', schema: appSchema },
      errors: ['request.validation_failed'],
      handle: async ({ body, caller, ctx }) => ({ body: appJson(await services.apps.importSpMetadata(caller, body.metadata, { label: body.label }), ctx.state.orgUrl!) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/sso/saml/import', operationId: 'importSamlMetadataIntoApplication', tag: 'Application', lanyard: true,
      summary: 'Update a SAML 2.0 app\'s sign-on settings from the service provider\'s metadata (`{metadata}`); other settings are kept.',
      params: appParams, body: z.object({ metadata: metadataXml }), bodyRequired: true,
      response: { status: 200, description: 'The app', schema: appSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => ({ body: appJson(await services.apps.importSpMetadata(caller, body.metadata, { appId: params.appId }), ctx.state.orgUrl!) }),
    }),
  ];
}
