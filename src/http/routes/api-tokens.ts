/** `/api/v1/api-tokens`: list and revoke as Okta does; creating one is Lanyard's addition. */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { apiTokenJson } from '../representations/api-token.ts';

const tokenParams = z.object({ apiTokenId: z.string().min(1).max(200) });
const tokenSchema = z.object({ id: z.string(), name: z.string(), userId: z.string() }).loose();

export function apiTokenRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/api-tokens', operationId: 'listApiTokens', tag: 'ApiToken',
      summary: 'The org\'s API tokens (never their secrets).',
      response: { status: 200, description: 'Tokens', schema: z.array(tokenSchema) },
      handle: async ({ caller, ctx }) => ({ body: (await services.tokens.list(caller)).map((t) => apiTokenJson(t, ctx.state.orgUrl!)) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/api-tokens', operationId: 'createApiToken', tag: 'ApiToken', lanyard: true,
      summary: 'Create a token for an administrator (the caller by default). The secret is in `token`, shown this once.',
      body: z.object({ name: z.string().min(1).max(255), userId: z.string().max(200).optional() }), bodyRequired: true,
      response: { status: 201, description: 'The token with its secret', schema: tokenSchema.extend({ token: z.string() }) },
      errors: ['request.validation_failed'],
      handle: async ({ body, caller, ctx }) => {
        const { record, token } = await services.tokens.create(caller, { name: body.name, userId: body.userId ?? caller.actor.id });
        return { body: { ...apiTokenJson(record, ctx.state.orgUrl!), token } };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/api-tokens/current', operationId: 'revokeCurrentApiToken', tag: 'ApiToken',
      summary: 'Revoke the token this request is made with.',
      response: { status: 204, description: 'Revoked' },
      handle: async ({ caller }) => {
        await services.tokens.revoke(caller, caller.tokenId!);
        return {};
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/api-tokens/:apiTokenId', operationId: 'getApiToken', tag: 'ApiToken',
      summary: 'One API token.',
      params: tokenParams,
      response: { status: 200, description: 'The token', schema: tokenSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: apiTokenJson(await services.tokens.get(caller, params.apiTokenId), ctx.state.orgUrl!) }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/api-tokens/:apiTokenId', operationId: 'revokeApiToken', tag: 'ApiToken',
      summary: 'Revoke an API token.',
      params: tokenParams,
      response: { status: 204, description: 'Revoked' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await services.tokens.revoke(caller, params.apiTokenId);
        return {};
      },
    }),
  ];
}
