/** `/api/v1/zones`: Okta's Network Zones API for IP zones — list (filtered by usage or id), create, get, replace, delete, activate, deactivate. */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import type { Timestamped } from '../../services/ports.ts';
import type { NetworkZone } from '../../domain/network-zone.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import type { LanyardContext } from '../state.ts';

const zoneParams = z.object({ zoneId: z.string().min(1).max(200) });
const body = z.record(z.string(), z.unknown());
const zoneSchema = z.object({ id: z.string(), type: z.string(), name: z.string(), usage: z.string(), status: z.string() }).loose();

export function zoneJson(orgUrl: string, zone: Timestamped<NetworkZone>): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/zones/${zone.id}`;
  const lifecycle = zone.status === 'ACTIVE' ? 'deactivate' : 'activate';
  return {
    type: zone.type, id: zone.id, name: zone.name, status: zone.status, usage: zone.usage, system: zone.system,
    created: zone.created, lastUpdated: zone.lastUpdated, gateways: zone.gateways, proxies: zone.proxies,
    _links: {
      self: { href: self, hints: { allow: ['GET', 'PUT', 'DELETE'] } },
      [lifecycle]: { href: `${self}/lifecycle/${lifecycle}`, hints: { allow: ['POST'] } },
    },
  };
}

export function networkZoneRoutes(services: Services): ApiRoute[] {
  const zones = services.networkZones;
  const url = (ctx: LanyardContext) => ctx.state.orgUrl!;
  return [
    defineRoute({
      method: 'get', path: '/api/v1/zones', operationId: 'listNetworkZones', tag: 'NetworkZone',
      summary: 'List the org\'s network zones; `filter` takes `usage eq "POLICY"`, `usage eq "BLOCKLIST"` or `id eq "…"`, joined by `or`.',
      query: z.object({ filter: z.string().max(2000).optional(), limit: z.string().optional(), after: z.string().optional() }),
      response: { status: 200, description: 'The zones', schema: z.array(zoneSchema) },
      errors: ['request.invalid_search'],
      handle: async ({ query, caller, ctx }) => {
        await services.policies.ensureDefaults(caller.org.id);
        return { body: (await zones.list(caller, query.filter)).map((zone) => zoneJson(url(ctx), zone)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/zones', operationId: 'createNetworkZone', tag: 'NetworkZone',
      summary: 'Create an IP zone: `{type: "IP", name, usage: POLICY|BLOCKLIST, gateways, proxies}`, each address `{type: CIDR|RANGE, value}`.',
      body, bodyRequired: true,
      response: { status: 200, description: 'The new zone', schema: zoneSchema },
      errors: ['request.validation_failed'],
      handle: async ({ body: input, caller, ctx }) => ({ body: zoneJson(url(ctx), await zones.create(caller, input)) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/zones/:zoneId', operationId: 'getNetworkZone', tag: 'NetworkZone',
      summary: 'One zone.',
      params: zoneParams,
      response: { status: 200, description: 'The zone', schema: zoneSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => {
        await services.policies.ensureDefaults(caller.org.id);
        return { body: zoneJson(url(ctx), await zones.get(caller, params.zoneId)) };
      },
    }),
    defineRoute({
      method: 'put', path: '/api/v1/zones/:zoneId', operationId: 'replaceNetworkZone', tag: 'NetworkZone',
      summary: 'Replace a zone\'s name, usage and addresses (system zones keep their name and usage).',
      params: zoneParams, body, bodyRequired: true,
      response: { status: 200, description: 'The zone', schema: zoneSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body: input, caller, ctx }) => ({ body: zoneJson(url(ctx), await zones.replace(caller, params.zoneId, input)) }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/zones/:zoneId', operationId: 'deleteNetworkZone', tag: 'NetworkZone',
      summary: 'Delete a zone that no policy rule names; system zones cannot be deleted.',
      params: zoneParams,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found', 'resource.read_only', 'resource.in_use'],
      handle: async ({ params, caller }) => {
        await zones.remove(caller, params.zoneId);
        return { status: 204 };
      },
    }),
    ...(['activate', 'deactivate'] as const).map((operation) => defineRoute({
      method: 'post', path: `/api/v1/zones/:zoneId/lifecycle/${operation}`, operationId: `${operation}NetworkZone`, tag: 'NetworkZone',
      summary: `${operation === 'activate' ? 'Activate' : 'Deactivate'} a zone (an INACTIVE zone matches nothing).`,
      params: zoneParams,
      response: { status: 200, description: 'The zone', schema: zoneSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({
        body: zoneJson(url(ctx), await zones.setStatus(caller, params.zoneId, operation === 'activate' ? 'ACTIVE' : 'INACTIVE')),
      }),
    })),
  ];
}
