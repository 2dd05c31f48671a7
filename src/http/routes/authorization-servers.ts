/**
 * `/api/v1/authorizationServers`: Okta's Authorization Servers API — custom servers and their
 * signing keys, scopes, claims, access policies and policy rules. `default` is an id like any other.
 */
import { z } from 'zod';
import { AppError, notFound, validationError } from '../../kernel/errors.ts';
import type { Services } from '../../services/index.ts';
import type { Caller } from '../../services/caller.ts';
import type { AuthorizationServer } from '../../domain/authorization-server.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { afterParam, parseLimit } from '../paging.ts';
import {
  authorizationServerJson, authorizationServerKeyJson, claimJson, policyJson, ruleJson, scopeJson,
} from '../representations/authorization-server.ts';
import type { LanyardContext } from '../state.ts';

const id = z.string().min(1).max(200);
const asParams = z.object({ authServerId: id });
const keyParams = z.object({ authServerId: id, keyId: id });
const scopeParams = z.object({ authServerId: id, scopeId: id });
const claimParams = z.object({ authServerId: id, claimId: id });
const policyParams = z.object({ authServerId: id, policyId: id });
const ruleParams = z.object({ authServerId: id, policyId: id, ruleId: id });
const document = z.record(z.string(), z.unknown());

const serverSchema = z.object({ id: z.string(), name: z.string(), issuer: z.string(), status: z.string() }).loose().describe('AuthorizationServer');
const keySchema = z.object({ kid: z.string(), status: z.enum(['ACTIVE', 'NEXT', 'EXPIRED']), kty: z.string() }).loose().describe('AuthorizationServerJsonWebKey');
const scopeSchema = z.object({ id: z.string(), name: z.string(), system: z.boolean() }).loose().describe('OAuth2Scope');
const claimSchema = z.object({ id: z.string(), name: z.string(), claimType: z.string(), valueType: z.string() }).loose().describe('OAuth2Claim');
const policySchema = z.object({ id: z.string(), name: z.string(), type: z.string(), status: z.string() }).loose().describe('AuthorizationServerPolicy');
const ruleSchema = z.object({ id: z.string(), name: z.string(), type: z.string(), status: z.string() }).loose().describe('AuthorizationServerPolicyRule');

const lifecycle = ['activate', 'deactivate'] as const;
const statusOf = (operation: typeof lifecycle[number]) => (operation === 'activate' ? 'ACTIVE' : 'INACTIVE');
const capitalised = (operation: typeof lifecycle[number]) => (operation === 'activate' ? 'Activate' : 'Deactivate');

export function authorizationServerRoutes(services: Services): ApiRoute[] {
  const servers = services.authorizationServers;
  const url = (ctx: LanyardContext) => ctx.state.orgUrl!;

  async function serverJson(caller: Caller, server: AuthorizationServer, ctx: LanyardContext) {
    return authorizationServerJson(server, await servers.keysOf(caller, server.id), url(ctx));
  }

  async function keysJson(caller: Caller, asId: string, ctx: LanyardContext) {
    return (await servers.keysOf(caller, asId)).map((k) => authorizationServerKeyJson(asId, k, url(ctx)));
  }

  return [
    // The servers.
    defineRoute({
      method: 'get', path: '/api/v1/authorizationServers', operationId: 'listAuthorizationServers', tag: 'AuthorizationServer',
      summary: 'List the org\'s authorization servers: `q` matches the start of the name or an audience; paged by `limit` (at most 200) and `after`.',
      query: z.object({ q: z.string().max(200).optional(), limit: z.string().optional(), after: afterParam }),
      response: { status: 200, description: 'A page of authorization servers', schema: z.array(serverSchema), paged: true },
      errors: ['request.validation_failed', 'request.invalid_paging'],
      handle: async ({ query, caller, ctx }) => {
        const page = await servers.listPage(caller, { q: query.q, limit: parseLimit(query.limit, 200, 200), after: query.after });
        const body = [];
        for (const server of page.items) body.push(await serverJson(caller, server, ctx));
        return { body, next: page.next };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/authorizationServers', operationId: 'createAuthorizationServer', tag: 'AuthorizationServer',
      summary: 'Create an ACTIVE authorization server (`name`, `description`, one audience) with Okta\'s system scopes and fresh signing keys.',
      body: document, bodyRequired: true,
      response: { status: 201, description: 'The new authorization server', schema: serverSchema },
      errors: ['request.validation_failed'],
      handle: async ({ body, caller, ctx }) => ({ body: await serverJson(caller, await servers.create(caller, body), ctx) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/authorizationServers/:authServerId', operationId: 'getAuthorizationServer', tag: 'AuthorizationServer',
      summary: 'Get an authorization server.',
      params: asParams,
      response: { status: 200, description: 'The authorization server', schema: serverSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: await serverJson(caller, await servers.get(caller, params.authServerId), ctx) }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/authorizationServers/:authServerId', operationId: 'replaceAuthorizationServer', tag: 'AuthorizationServer',
      summary: 'Replace an authorization server\'s name, description, audiences and signing rotation mode.',
      params: asParams, body: document, bodyRequired: true,
      response: { status: 200, description: 'The authorization server', schema: serverSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => ({ body: await serverJson(caller, await servers.update(caller, params.authServerId, body), ctx) }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/authorizationServers/:authServerId', operationId: 'deleteAuthorizationServer', tag: 'AuthorizationServer',
      summary: 'Delete an INACTIVE authorization server with its scopes, claims, policies and keys (`default` cannot be deleted).',
      params: asParams,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found', 'request.validation_failed', 'resource.read_only'],
      handle: async ({ params, caller }) => {
        await servers.remove(caller, params.authServerId);
        return {};
      },
    }),
    ...lifecycle.map((operation) => defineRoute({
      method: 'post', path: `/api/v1/authorizationServers/:authServerId/lifecycle/${operation}`, operationId: `${operation}AuthorizationServer`,
      tag: 'AuthorizationServer', summary: `${capitalised(operation)} an authorization server.`,
      params: asParams,
      response: { status: 204, description: 'Done' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await servers.setStatus(caller, params.authServerId, statusOf(operation));
        return {};
      },
    })),

    // Signing keys.
    defineRoute({
      method: 'get', path: '/api/v1/authorizationServers/:authServerId/credentials/keys', operationId: 'listAuthorizationServerKeys', tag: 'AuthorizationServerKeys',
      summary: 'The server\'s signing keys (public JWKs): ACTIVE, NEXT and recently EXPIRED.',
      params: asParams,
      response: { status: 200, description: 'Signing keys', schema: z.array(keySchema) },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: await keysJson(caller, params.authServerId, ctx) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/authorizationServers/:authServerId/credentials/keys/:keyId', operationId: 'getAuthorizationServerKey', tag: 'AuthorizationServerKeys',
      summary: 'One signing key by its kid.',
      params: keyParams,
      response: { status: 200, description: 'The key', schema: keySchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => {
        const key = (await servers.keysOf(caller, params.authServerId)).find((k) => k.kid === params.keyId);
        if (!key) throw notFound('AuthorizationServerKey', params.keyId);
        return { body: authorizationServerKeyJson(params.authServerId, key, url(ctx)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/authorizationServers/:authServerId/credentials/lifecycle/keyRotate', operationId: 'rotateAuthorizationServerKeys',
      tag: 'AuthorizationServerKeys',
      summary: 'Rotate the signing keys (body `{"use":"sig"}`): ACTIVE becomes EXPIRED, NEXT becomes ACTIVE, and a new NEXT is generated.',
      params: asParams, body: z.unknown(),
      response: { status: 200, description: 'The keys after rotation', schema: z.array(keySchema) },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        const use = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as { use?: unknown }).use : undefined;
        if (use !== 'sig') throw validationError(['Invalid value specified for key \'use\' parameter.'], 'rotateKeys');
        await servers.rotateKeys(caller, params.authServerId);
        return { body: await keysJson(caller, params.authServerId, ctx) };
      },
    }),

    // Scopes.
    defineRoute({
      method: 'get', path: '/api/v1/authorizationServers/:authServerId/scopes', operationId: 'listOAuth2Scopes', tag: 'AuthorizationServerScopes',
      summary: 'The server\'s scopes by name: `q` matches the start of the name; paged by `limit` (at most 200) and `after`.',
      params: asParams,
      query: z.object({ q: z.string().max(300).optional(), filter: z.string().optional(), limit: z.string().optional(), after: afterParam }),
      response: { status: 200, description: 'Scopes', schema: z.array(scopeSchema), paged: true },
      errors: ['resource.not_found', 'request.invalid_search', 'request.invalid_paging'],
      handle: async ({ params, query, caller, ctx }) => {
        if (query.filter !== undefined) {
          throw new AppError('request.invalid_search', { causes: ['filter is not supported on scopes; use q.'] });
        }
        const page = await servers.listScopes(caller, params.authServerId, { q: query.q, limit: parseLimit(query.limit, 200, 200), after: query.after });
        return { body: page.items.map((s) => scopeJson(params.authServerId, s, url(ctx))), next: page.next };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/authorizationServers/:authServerId/scopes', operationId: 'createOAuth2Scope', tag: 'AuthorizationServerScopes',
      summary: 'Create a scope; its name is unique in the server.',
      params: asParams, body: document, bodyRequired: true,
      response: { status: 201, description: 'The new scope', schema: scopeSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => ({ body: scopeJson(params.authServerId, await servers.saveScope(caller, params.authServerId, body), url(ctx)) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/authorizationServers/:authServerId/scopes/:scopeId', operationId: 'getOAuth2Scope', tag: 'AuthorizationServerScopes',
      summary: 'Get a scope.',
      params: scopeParams,
      response: { status: 200, description: 'The scope', schema: scopeSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: scopeJson(params.authServerId, await servers.getScope(caller, params.authServerId, params.scopeId), url(ctx)) }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/authorizationServers/:authServerId/scopes/:scopeId', operationId: 'replaceOAuth2Scope', tag: 'AuthorizationServerScopes',
      summary: 'Replace a scope (a system scope keeps its name).',
      params: scopeParams, body: document, bodyRequired: true,
      response: { status: 200, description: 'The scope', schema: scopeSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => ({
        body: scopeJson(params.authServerId, await servers.saveScope(caller, params.authServerId, body, params.scopeId), url(ctx)),
      }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/authorizationServers/:authServerId/scopes/:scopeId', operationId: 'deleteOAuth2Scope', tag: 'AuthorizationServerScopes',
      summary: 'Delete a custom scope (system scopes cannot be deleted).',
      params: scopeParams,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found', 'resource.read_only'],
      handle: async ({ params, caller }) => {
        await servers.removeScope(caller, params.authServerId, params.scopeId);
        return {};
      },
    }),

    // Claims.
    defineRoute({
      method: 'get', path: '/api/v1/authorizationServers/:authServerId/claims', operationId: 'listOAuth2Claims', tag: 'AuthorizationServerClaims',
      summary: 'The server\'s custom token claims.',
      params: asParams,
      response: { status: 200, description: 'Claims', schema: z.array(claimSchema) },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: (await servers.listClaims(caller, params.authServerId)).map((c) => claimJson(params.authServerId, c, url(ctx))) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/authorizationServers/:authServerId/claims', operationId: 'createOAuth2Claim', tag: 'AuthorizationServerClaims',
      summary: 'Create a claim: an expression (checked when saved) or a groups filter (`group_filter_type`); reserved token claim names are refused.',
      params: asParams, body: document, bodyRequired: true,
      response: { status: 201, description: 'The new claim', schema: claimSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => ({ body: claimJson(params.authServerId, await servers.saveClaim(caller, params.authServerId, body), url(ctx)) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/authorizationServers/:authServerId/claims/:claimId', operationId: 'getOAuth2Claim', tag: 'AuthorizationServerClaims',
      summary: 'Get a claim.',
      params: claimParams,
      response: { status: 200, description: 'The claim', schema: claimSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: claimJson(params.authServerId, await servers.getClaim(caller, params.authServerId, params.claimId), url(ctx)) }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/authorizationServers/:authServerId/claims/:claimId', operationId: 'replaceOAuth2Claim', tag: 'AuthorizationServerClaims',
      summary: 'Replace a claim.',
      params: claimParams, body: document, bodyRequired: true,
      response: { status: 200, description: 'The claim', schema: claimSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => ({
        body: claimJson(params.authServerId, await servers.saveClaim(caller, params.authServerId, body, params.claimId), url(ctx)),
      }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/authorizationServers/:authServerId/claims/:claimId', operationId: 'deleteOAuth2Claim', tag: 'AuthorizationServerClaims',
      summary: 'Delete a claim.',
      params: claimParams,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await servers.removeClaim(caller, params.authServerId, params.claimId);
        return {};
      },
    }),

    // Access policies.
    defineRoute({
      method: 'get', path: '/api/v1/authorizationServers/:authServerId/policies', operationId: 'listAuthorizationServerPolicies', tag: 'AuthorizationServerPolicies',
      summary: 'The server\'s access policies by priority.',
      params: asParams,
      response: { status: 200, description: 'Policies', schema: z.array(policySchema) },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({
        body: (await servers.listPolicies(caller, params.authServerId)).map((p) => policyJson(params.authServerId, p, url(ctx))),
      }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/authorizationServers/:authServerId/policies', operationId: 'createAuthorizationServerPolicy', tag: 'AuthorizationServerPolicies',
      summary: 'Create an access policy for some clients (`conditions.clients.include`, or `ALL_CLIENTS`).',
      params: asParams, body: document, bodyRequired: true,
      response: { status: 201, description: 'The new policy', schema: policySchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        const policy = await servers.savePolicy(caller, params.authServerId, body);
        return { body: policyJson(params.authServerId, await servers.getPolicy(caller, params.authServerId, policy.id), url(ctx)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/authorizationServers/:authServerId/policies/:policyId', operationId: 'getAuthorizationServerPolicy', tag: 'AuthorizationServerPolicies',
      summary: 'Get an access policy.',
      params: policyParams,
      response: { status: 200, description: 'The policy', schema: policySchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({
        body: policyJson(params.authServerId, await servers.getPolicy(caller, params.authServerId, params.policyId), url(ctx)),
      }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/authorizationServers/:authServerId/policies/:policyId', operationId: 'replaceAuthorizationServerPolicy', tag: 'AuthorizationServerPolicies',
      summary: 'Replace an access policy.',
      params: policyParams, body: document, bodyRequired: true,
      response: { status: 200, description: 'The policy', schema: policySchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        await servers.savePolicy(caller, params.authServerId, body, params.policyId);
        return { body: policyJson(params.authServerId, await servers.getPolicy(caller, params.authServerId, params.policyId), url(ctx)) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/authorizationServers/:authServerId/policies/:policyId', operationId: 'deleteAuthorizationServerPolicy', tag: 'AuthorizationServerPolicies',
      summary: 'Delete an access policy with its rules.',
      params: policyParams,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await servers.removePolicy(caller, params.authServerId, params.policyId);
        return {};
      },
    }),
    ...lifecycle.map((operation) => defineRoute({
      method: 'post', path: `/api/v1/authorizationServers/:authServerId/policies/:policyId/lifecycle/${operation}`,
      operationId: `${operation}AuthorizationServerPolicy`, tag: 'AuthorizationServerPolicies', summary: `${capitalised(operation)} an access policy.`,
      params: policyParams,
      response: { status: 204, description: 'Done' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await servers.setPolicyStatus(caller, params.authServerId, params.policyId, statusOf(operation));
        return {};
      },
    })),

    // Policy rules.
    defineRoute({
      method: 'get', path: '/api/v1/authorizationServers/:authServerId/policies/:policyId/rules', operationId: 'listAuthorizationServerPolicyRules',
      tag: 'AuthorizationServerRules', summary: 'The rules of an access policy by priority.',
      params: policyParams,
      response: { status: 200, description: 'Rules', schema: z.array(ruleSchema) },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({
        body: (await servers.listRules(caller, params.authServerId, params.policyId)).map((r) => ruleJson(params.authServerId, r, url(ctx))),
      }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/authorizationServers/:authServerId/policies/:policyId/rules', operationId: 'createAuthorizationServerPolicyRule',
      tag: 'AuthorizationServerRules',
      summary: 'Create a rule: who (people), which grant types and scopes, and token lifetimes (access 5–1440 minutes; refresh 0 = unlimited, or at least the access lifetime).',
      params: policyParams, body: document, bodyRequired: true,
      response: { status: 201, description: 'The new rule', schema: ruleSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        const rule = await servers.saveRule(caller, params.authServerId, params.policyId, body);
        return { body: ruleJson(params.authServerId, await servers.getRule(caller, params.authServerId, params.policyId, rule.id), url(ctx)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/authorizationServers/:authServerId/policies/:policyId/rules/:ruleId', operationId: 'getAuthorizationServerPolicyRule',
      tag: 'AuthorizationServerRules', summary: 'Get a rule.',
      params: ruleParams,
      response: { status: 200, description: 'The rule', schema: ruleSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({
        body: ruleJson(params.authServerId, await servers.getRule(caller, params.authServerId, params.policyId, params.ruleId), url(ctx)),
      }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/authorizationServers/:authServerId/policies/:policyId/rules/:ruleId', operationId: 'replaceAuthorizationServerPolicyRule',
      tag: 'AuthorizationServerRules', summary: 'Replace a rule.',
      params: ruleParams, body: document, bodyRequired: true,
      response: { status: 200, description: 'The rule', schema: ruleSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body, caller, ctx }) => {
        await servers.saveRule(caller, params.authServerId, params.policyId, body, params.ruleId);
        return { body: ruleJson(params.authServerId, await servers.getRule(caller, params.authServerId, params.policyId, params.ruleId), url(ctx)) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/authorizationServers/:authServerId/policies/:policyId/rules/:ruleId', operationId: 'deleteAuthorizationServerPolicyRule',
      tag: 'AuthorizationServerRules', summary: 'Delete a rule.',
      params: ruleParams,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found', 'resource.read_only'],
      handle: async ({ params, caller }) => {
        await servers.removeRule(caller, params.authServerId, params.policyId, params.ruleId);
        return {};
      },
    }),
    ...lifecycle.map((operation) => defineRoute({
      method: 'post', path: `/api/v1/authorizationServers/:authServerId/policies/:policyId/rules/:ruleId/lifecycle/${operation}`,
      operationId: `${operation}AuthorizationServerPolicyRule`, tag: 'AuthorizationServerRules', summary: `${capitalised(operation)} a rule.`,
      params: ruleParams,
      response: { status: 204, description: 'Done' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await servers.setRuleStatus(caller, params.authServerId, params.policyId, params.ruleId, statusOf(operation));
        return {};
      },
    })),
  ];
}
