/**
 * The inbound SCIM 2.0 server (RFC 7644) at `{orgUrl}/scim/v2`: Users, Groups,
 * ServiceProviderConfig, ResourceTypes and Schemas, for an HR system (or any SCIM client) that
 * is the source of truth for the org's people. Authenticated with an API token as a bearer token;
 * answers in `application/scim+json`, and refuses in SCIM's error shape (`scimType`, `detail`).
 */
import type Router from '@koa/router';
import { FilterSyntaxError, parseFilter } from '../../protocols/scim/filter.ts';
import { errorResource, ScimProtocolError } from '../../protocols/scim/resources.ts';
import { scimSchemas } from '../../protocols/scim/client.ts';
import { groupSchemaDocument, resourceTypesDocument, serviceProviderConfig, userSchemaDocument } from '../../protocols/scim/server-schemas.ts';
import { isAppError } from '../../kernel/errors.ts';
import type { Services } from '../../services/index.ts';
import type { Caller } from '../../services/caller.ts';
import { userActor } from '../../services/caller.ts';
import { scimErrorOf } from '../../services/scim-inbound.ts';
import { readJson } from '../body.ts';
import { clientOf, orgOf, type LanyardContext, type LanyardState } from '../state.ts';

type Json = Record<string, any>;

function send(ctx: LanyardContext, status: number, body?: Json): void {
  ctx.status = status;
  if (body !== undefined) {
    ctx.type = 'application/scim+json';
    ctx.body = JSON.stringify(body);
  }
}

function paging(ctx: LanyardContext): { startIndex: number; count: number } {
  const raw = (name: string) => (typeof ctx.query[name] === 'string' ? ctx.query[name] as string : undefined);
  const startIndex = raw('startIndex') === undefined ? 1 : Number(raw('startIndex'));
  const count = raw('count') === undefined ? 100 : Number(raw('count'));
  if (!Number.isInteger(startIndex) || !Number.isInteger(count)) throw new ScimProtocolError(400, 'invalidValue', 'startIndex and count must be whole numbers');
  // RFC 7644 §3.4.2.4: a startIndex below 1 means 1; a negative count means 0.
  return { startIndex: Math.max(1, startIndex), count: Math.min(200, Math.max(0, count)) };
}

function filterOf(ctx: LanyardContext) {
  const text = ctx.query.filter;
  if (text === undefined) return undefined;
  if (typeof text !== 'string' || text.length > 2000) throw new ScimProtocolError(400, 'invalidFilter', 'filter must be given once, in at most 2000 characters');
  try {
    return parseFilter(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw new ScimProtocolError(400, 'invalidFilter', error.message);
    throw error;
  }
}

function listResponse(page: { totalResults: number; startIndex: number; resources: Json[] }): Json {
  return {
    schemas: [scimSchemas.listResponse], totalResults: page.totalResults, startIndex: page.startIndex, itemsPerPage: page.resources.length,
    Resources: page.resources,
  };
}

export function registerScimServer(router: Router<LanyardState>, services: Services): void {
  const scim = services.scimInbound;

  async function authenticate(ctx: LanyardContext): Promise<Caller> {
    const match = /^Bearer\s+(\S{1,256})\s*$/i.exec(ctx.get('authorization'));
    if (!match) throw new ScimProtocolError(401, undefined, 'Send an API token as Authorization: Bearer <token>');
    const org = orgOf(ctx);
    try {
      const principal = await services.tokens.authenticate(org, match[1]!);
      return {
        org, actor: userActor(principal.user), client: clientOf(ctx), requestId: ctx.state.requestId, requestUri: ctx.path,
        tokenId: principal.token.id, roles: principal.roles,
      };
    } catch (error) {
      if (isAppError(error)) throw new ScimProtocolError(401, undefined, 'The token is not valid');
      throw error;
    }
  }

  /** Runs a handler as an authenticated caller; refusals become SCIM errors. */
  const handle = (work: (ctx: LanyardContext, caller: Caller, params: Record<string, string>) => Promise<void>) => async (ctx: LanyardContext) => {
    try {
      const caller = await authenticate(ctx);
      await work(ctx, caller, (ctx as unknown as { params: Record<string, string> }).params ?? {});
    } catch (error) {
      const scimError = scimErrorOf(error)
        ?? (isAppError(error) && error.status < 500 ? new ScimProtocolError(error.status, 'invalidSyntax', error.causes.join('; ') || error.message) : undefined);
      if (!scimError) throw error;
      if (scimError.status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="scim"');
      send(ctx, scimError.status, errorResource(scimError.status, scimError.message, scimError.scimType));
    }
  };
  const body = async (ctx: LanyardContext): Promise<Json> => {
    const parsed = await readJson(ctx);
    if (parsed === undefined) throw new ScimProtocolError(400, 'invalidSyntax', 'a JSON body is required');
    return parsed as Json;
  };
  const id = (params: Record<string, string>) => {
    const value = params.id ?? '';
    if (value.length > 200) throw new ScimProtocolError(404, undefined, 'Resource not found');
    return value;
  };

  router.get('scim-config', '/scim/v2/ServiceProviderConfig', handle(async (ctx) => send(ctx, 200, serviceProviderConfig(`${ctx.state.orgUrl}/scim/v2`))));
  router.get('scim-resource-types', '/scim/v2/ResourceTypes', handle(async (ctx) => send(ctx, 200, resourceTypesDocument(`${ctx.state.orgUrl}/scim/v2`))));
  router.get('scim-schemas', '/scim/v2/Schemas', handle(async (ctx) => send(ctx, 200, {
    schemas: [scimSchemas.listResponse], totalResults: 2, startIndex: 1, itemsPerPage: 2, Resources: [userSchemaDocument(), groupSchemaDocument()],
  })));
  router.get('scim-schema', '/scim/v2/Schemas/:id', handle(async (ctx, _c, params) => {
    const found = [userSchemaDocument(), groupSchemaDocument()].find((s) => s.id === params.id);
    if (!found) throw new ScimProtocolError(404, undefined, 'Schema not found');
    send(ctx, 200, found);
  }));

  router.get('scim-users', '/scim/v2/Users', handle(async (ctx, caller) => send(ctx, 200, listResponse(await scim.listUsers(caller, { filter: filterOf(ctx), ...paging(ctx) })))));
  router.post('scim-users-create', '/scim/v2/Users', handle(async (ctx, caller) => {
    const created = await scim.createUser(caller, await body(ctx));
    ctx.set('Location', created.meta.location);
    send(ctx, 201, created);
  }));
  router.get('scim-user', '/scim/v2/Users/:id', handle(async (ctx, caller, params) => send(ctx, 200, await scim.getUser(caller, id(params)))));
  router.put('scim-user-replace', '/scim/v2/Users/:id', handle(async (ctx, caller, params) => send(ctx, 200, await scim.replaceUser(caller, id(params), await body(ctx)))));
  router.patch('scim-user-patch', '/scim/v2/Users/:id', handle(async (ctx, caller, params) => send(ctx, 200, await scim.patchUser(caller, id(params), await body(ctx)))));
  router.delete('scim-user-delete', '/scim/v2/Users/:id', handle(async (ctx, caller, params) => {
    await scim.deleteUser(caller, id(params));
    send(ctx, 204);
  }));

  router.get('scim-groups', '/scim/v2/Groups', handle(async (ctx, caller) => send(ctx, 200, listResponse(await scim.listGroups(caller, { filter: filterOf(ctx), ...paging(ctx) })))));
  router.post('scim-groups-create', '/scim/v2/Groups', handle(async (ctx, caller) => {
    const created = await scim.createGroup(caller, await body(ctx));
    ctx.set('Location', created.meta.location);
    send(ctx, 201, created);
  }));
  router.get('scim-group', '/scim/v2/Groups/:id', handle(async (ctx, caller, params) => send(ctx, 200, await scim.getGroup(caller, id(params)))));
  router.put('scim-group-replace', '/scim/v2/Groups/:id', handle(async (ctx, caller, params) => send(ctx, 200, await scim.replaceGroup(caller, id(params), await body(ctx)))));
  router.patch('scim-group-patch', '/scim/v2/Groups/:id', handle(async (ctx, caller, params) => send(ctx, 200, await scim.patchGroup(caller, id(params), await body(ctx)))));
  router.delete('scim-group-delete', '/scim/v2/Groups/:id', handle(async (ctx, caller, params) => {
    await scim.deleteGroup(caller, id(params));
    send(ctx, 204);
  }));
}
