/**
 * `/api/v1/apps/{appId}/credentials/keys`: Okta's Application SSO Credential Keys — the X.509
 * signing certificates of an app (list, get, generate, clone to another app of the org).
 */
import { z } from 'zod';
import { AppError, validationError } from '../../kernel/errors.ts';
import type { Services } from '../../services/index.ts';
import type { SigningKeyRecord } from '../../services/ports.ts';
import { maxValidityYears, minValidityYears } from '../../services/app-keys.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';

const appParams = z.object({ appId: z.string().min(1).max(200) });
const keyParams = z.object({ appId: z.string().min(1).max(200), keyId: z.string().min(1).max(200) });
const keySchema = z.object({
  kty: z.string(), kid: z.string(), use: z.string(), e: z.string(), n: z.string(),
  x5c: z.array(z.string()), 'x5t#S256': z.string(), expiresAt: z.string(), created: z.string(), lastUpdated: z.string(),
}).loose();

/** Okta's JSON Web Key of an app key credential. */
function keyJson(key: SigningKeyRecord): Record<string, unknown> {
  const jwk = key.publicJwk;
  return {
    created: jwk.created, lastUpdated: jwk.lastUpdated, expiresAt: jwk.expiresAt, x5c: jwk.x5c,
    e: jwk.e, n: jwk.n, kid: key.kid, kty: jwk.kty, use: jwk.use, 'x5t#S256': jwk['x5t#S256'],
  };
}

/** `validityYears`: a whole number of years from 2 to 10, as Okta takes it. */
function parseValidityYears(raw: string | undefined): number {
  if (raw === undefined || raw === '') throw validationError(['validityYears: The query parameter validityYears is required.'], 'generateKey');
  const years = /^[0-9]{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(years) || years < minValidityYears || years > maxValidityYears) {
    throw new AppError('request.validation_failed', {
      detail: 'generateKey', causes: [`Validity years out of range. It should be ${minValidityYears} - ${maxValidityYears} years`],
    });
  }
  return years;
}

export function appKeyRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/credentials/keys', operationId: 'listApplicationKeys', tag: 'ApplicationSSOCredentialKey',
      summary: 'The app\'s key credentials (X.509 signing certificates), oldest first.', params: appParams,
      response: { status: 200, description: 'Key credentials', schema: z.array(keySchema) },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await services.apps.get(caller, params.appId);
        return { body: (await services.appKeys.list(caller.org.id, params.appId)).map(keyJson) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/credentials/keys/generate', operationId: 'generateApplicationKey', tag: 'ApplicationSSOCredentialKey',
      summary: 'Generate a new RSA-2048 key and self-signed certificate valid for `validityYears` (2 to 10). '
        + 'The app signs with it once its `credentials.signing.kid` names it.',
      params: appParams,
      query: z.object({ validityYears: z.string().max(20).optional().meta({ description: 'Years the certificate is valid: an integer from 2 to 10.' }) }),
      response: { status: 201, description: 'The new key credential', schema: keySchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, query, caller, ctx }) => {
        await services.apps.get(caller, params.appId);
        const years = parseValidityYears(query.validityYears);
        const key = await services.appKeys.generate(caller.org.id, params.appId, years);
        return {
          body: keyJson(key),
          headers: { Location: `${ctx.state.orgUrl!}/api/v1/apps/${params.appId}/credentials/keys/${key.kid}` },
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/apps/:appId/credentials/keys/:keyId', operationId: 'getApplicationKey', tag: 'ApplicationSSOCredentialKey',
      summary: 'One key credential of the app, by kid.', params: keyParams,
      response: { status: 200, description: 'The key credential', schema: keySchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await services.apps.get(caller, params.appId);
        return { body: keyJson(await services.appKeys.get(caller.org.id, params.appId, params.keyId)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/apps/:appId/credentials/keys/:keyId/clone', operationId: 'cloneApplicationKey', tag: 'ApplicationSSOCredentialKey',
      summary: 'Copy a key credential, with its kid, to another app of the org (`targetAid`), which can then sign with the same certificate.',
      params: keyParams,
      query: z.object({ targetAid: z.string().max(200).optional().meta({ description: 'Id of the target app (required).' }) }),
      response: { status: 201, description: 'The key credential as the target app now has it', schema: keySchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, query, caller }) => {
        await services.apps.get(caller, params.appId);
        if (!query.targetAid) throw validationError(['targetAid: The query parameter targetAid is required.'], 'cloneKey');
        return { body: keyJson(await services.appKeys.clone(caller.org.id, params.appId, params.keyId, query.targetAid)) };
      },
    }),
  ];
}
