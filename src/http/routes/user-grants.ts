/** A user's OAuth consents and tokens: `/api/v1/users/{userId}/grants` and `/clients/…`. */
import { z } from 'zod';
import { notFound } from '../../kernel/errors.ts';
import type { Services } from '../../services/index.ts';
import type { ScopeGrant } from '../../services/grants.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import type { LanyardContext } from '../state.ts';

const userParams = z.object({ userId: z.string().min(1).max(200) });
const clientParams = z.object({ userId: z.string().min(1).max(200), clientId: z.string().min(1).max(200) });
const grantParams = z.object({ userId: z.string().min(1).max(200), grantId: z.string().min(1).max(200) });

function grantJson(grant: ScopeGrant, ctx: LanyardContext): Record<string, unknown> {
  const base = ctx.state.orgUrl!;
  const issuer = grant.asId === 'org' ? base : `${base}/oauth2/${grant.asId}`;
  return {
    id: grant.id, status: 'ACTIVE', created: grant.created, lastUpdated: grant.created, issuer,
    clientId: grant.clientId, userId: grant.userId, scopeId: grant.scope, source: 'END_USER',
    _embedded: { scope: { id: grant.scope, name: grant.scope } },
    _links: {
      self: { href: `${base}/api/v1/users/${grant.userId}/grants/${grant.id}`, hints: { allow: ['GET', 'DELETE'] } },
      client: { href: `${base}/oauth2/v1/clients/${grant.clientId}`, title: grant.clientId },
      user: { href: `${base}/api/v1/users/${grant.userId}` },
    },
  };
}

export function userGrantRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/users/:userId/grants', operationId: 'listUserGrants', tag: 'UserGrant',
      summary: 'The user\'s consents, one per scope and client.', params: userParams,
      query: z.object({ scopeId: z.string().optional(), expand: z.string().optional(), limit: z.string().optional(), after: z.string().optional() }),
      response: { status: 200, description: 'Grants' }, errors: ['resource.not_found'],
      handle: async ({ params, query, caller, ctx }) => ({
        body: (await services.grants.list(caller, params.userId)).filter((g) => !query.scopeId || g.scope === query.scopeId).map((g) => grantJson(g, ctx)),
      }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/users/:userId/grants/:grantId', operationId: 'getUserGrant', tag: 'UserGrant',
      summary: 'One consent.', params: grantParams,
      response: { status: 200, description: 'The grant' }, errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => {
        const grant = (await services.grants.list(caller, params.userId)).find((g) => g.id === params.grantId);
        if (!grant) throw notFound('OAuth2ScopeConsentGrant', params.grantId);
        return { body: grantJson(grant, ctx) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/users/:userId/grants', operationId: 'revokeUserGrants', tag: 'UserGrant',
      summary: 'Revoke every consent of the user, with the tokens issued under them.', params: userParams,
      response: { status: 204, description: 'Revoked' }, errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await services.grants.revokeAll(caller, params.userId);
        return {};
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/users/:userId/grants/:grantId', operationId: 'revokeUserGrant', tag: 'UserGrant',
      summary: 'Revoke one consent (one scope of one client).', params: grantParams,
      response: { status: 204, description: 'Revoked' }, errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await services.grants.revokeOne(caller, params.userId, params.grantId);
        return {};
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/users/:userId/clients', operationId: 'listUserClients', tag: 'UserOAuth',
      summary: 'The clients the user has granted access to.', params: userParams,
      response: { status: 200, description: 'Clients' }, errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({
        body: (await services.grants.clients(caller, params.userId)).map(({ clientId, app }) => ({
          client_id: clientId, client_name: app.label,
          client_uri: (app.settings.oauthClient as { client_uri?: string } | undefined)?.client_uri ?? null,
          logo_uri: (app.settings.oauthClient as { logo_uri?: string } | undefined)?.logo_uri ?? null,
          _links: {
            grants: { href: `${ctx.state.orgUrl}/api/v1/users/${params.userId}/clients/${clientId}/grants`, hints: { allow: ['GET', 'DELETE'] } },
            tokens: { href: `${ctx.state.orgUrl}/api/v1/users/${params.userId}/clients/${clientId}/tokens`, hints: { allow: ['GET', 'DELETE'] } },
          },
        })),
      }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/users/:userId/clients/:clientId/grants', operationId: 'listGrantsForUserAndClient', tag: 'UserOAuth',
      summary: 'The user\'s consents to one client.', params: clientParams,
      response: { status: 200, description: 'Grants' }, errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: (await services.grants.list(caller, params.userId, params.clientId)).map((g) => grantJson(g, ctx)) }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/users/:userId/clients/:clientId/grants', operationId: 'revokeGrantsForUserAndClient', tag: 'UserOAuth',
      summary: 'Revoke the user\'s consents to one client, with its tokens.', params: clientParams,
      response: { status: 204, description: 'Revoked' }, errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await services.grants.revokeAll(caller, params.userId, params.clientId);
        return {};
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/users/:userId/clients/:clientId/tokens', operationId: 'revokeTokensForUserAndClient', tag: 'UserOAuth',
      summary: 'Revoke the user\'s refresh tokens for one client.', params: clientParams,
      response: { status: 204, description: 'Revoked' }, errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await services.grants.revokeRefreshTokens(caller, params.userId, params.clientId);
        return {};
      },
    }),
  ];
}
