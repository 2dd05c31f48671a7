/** `/api/v1/trustedOrigins`: origins allowed to call the org from browsers (CORS) or be redirected to. */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import type { TrustedOriginRecord } from '../../services/ports.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';

const params = z.object({ trustedOriginId: z.string().min(1).max(200) });
const originSchema = z.object({ id: z.string(), origin: z.string(), scopes: z.array(z.object({ type: z.string() })) }).loose();

function originJson(o: TrustedOriginRecord, orgUrl: string): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/trustedOrigins/${o.id}`;
  return {
    id: o.id, name: o.name, origin: o.origin, scopes: o.scopes.map((type) => ({ type })), status: o.status,
    created: o.created, createdBy: o.createdBy, lastUpdated: o.lastUpdated, lastUpdatedBy: o.lastUpdatedBy,
    _links: {
      self: { href: self, hints: { allow: ['GET', 'PUT', 'DELETE'] } },
      [o.status === 'ACTIVE' ? 'deactivate' : 'activate']: { href: `${self}/lifecycle/${o.status === 'ACTIVE' ? 'deactivate' : 'activate'}`, hints: { allow: ['POST'] } },
    },
  };
}

export function trustedOriginRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/trustedOrigins', operationId: 'listTrustedOrigins', tag: 'TrustedOrigin',
      summary: 'The org\'s trusted origins.',
      response: { status: 200, description: 'Trusted origins', schema: z.array(originSchema) },
      handle: async ({ caller, ctx }) => ({ body: (await services.trustedOrigins.list(caller)).map((o) => originJson(o, ctx.state.orgUrl!)) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/trustedOrigins', operationId: 'createTrustedOrigin', tag: 'TrustedOrigin',
      summary: 'Trust an origin for CORS, REDIRECT or both.',
      body: z.record(z.string(), z.unknown()), bodyRequired: true,
      response: { status: 200, description: 'The trusted origin', schema: originSchema },
      errors: ['request.validation_failed'],
      handle: async ({ body, caller, ctx }) => ({ body: originJson(await services.trustedOrigins.save(caller, body), ctx.state.orgUrl!) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/trustedOrigins/:trustedOriginId', operationId: 'getTrustedOrigin', tag: 'TrustedOrigin',
      summary: 'One trusted origin.', params,
      response: { status: 200, description: 'The trusted origin', schema: originSchema },
      errors: ['resource.not_found'],
      handle: async ({ params: p, caller, ctx }) => ({ body: originJson(await services.trustedOrigins.get(caller, p.trustedOriginId), ctx.state.orgUrl!) }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/trustedOrigins/:trustedOriginId', operationId: 'replaceTrustedOrigin', tag: 'TrustedOrigin',
      summary: 'Replace a trusted origin.', params, body: z.record(z.string(), z.unknown()), bodyRequired: true,
      response: { status: 200, description: 'The trusted origin', schema: originSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params: p, body, caller, ctx }) => ({ body: originJson(await services.trustedOrigins.save(caller, body, p.trustedOriginId), ctx.state.orgUrl!) }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/trustedOrigins/:trustedOriginId', operationId: 'deleteTrustedOrigin', tag: 'TrustedOrigin',
      summary: 'Stop trusting an origin.', params,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found'],
      handle: async ({ params: p, caller }) => {
        await services.trustedOrigins.remove(caller, p.trustedOriginId);
        return {};
      },
    }),
    ...(['activate', 'deactivate'] as const).map((operation) => defineRoute({
      method: 'post', path: `/api/v1/trustedOrigins/:trustedOriginId/lifecycle/${operation}`, operationId: `${operation}TrustedOrigin`, tag: 'TrustedOrigin',
      summary: `${operation === 'activate' ? 'Activate' : 'Deactivate'} a trusted origin.`, params,
      response: { status: 200, description: 'The trusted origin', schema: originSchema },
      errors: ['resource.not_found'],
      handle: async ({ params: p, caller, ctx }) => ({
        body: originJson(await services.trustedOrigins.setStatus(caller, p.trustedOriginId, operation === 'activate' ? 'ACTIVE' : 'INACTIVE'), ctx.state.orgUrl!),
      }),
    })),
  ];
}
