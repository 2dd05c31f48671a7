/**
 * `/oauth2/v1/clients`: Okta's Dynamic Client Registration API (RFC 7591 and RFC 7592 in Okta's
 * shape). A client is an OIDC app seen through its RFC 7591 metadata: every operation goes through
 * the app service, so `/api/v1/apps` and this API show and change one record.
 *
 * Authentication is `Authorization: SSWS {token}` as for `/api/v1`. Okta also accepts an access token
 * with `okta.clients.*` scopes here; Lanyard does not yet.
 *
 * Errors: metadata the app service refuses answers 400 with the OAuth body RFC 7591 defines,
 * `{"error":"invalid_client_metadata","error_description":"client_name: …"}` (see
 * {@link clientMetadataErrors}); authentication failures and unknown clients answer in Okta's
 * management shape (`E0000011`, `E0000007`), as Okta does.
 */
import type { Next } from 'koa';
import { z } from 'zod';
import { grantTypes, tokenEndpointAuthMethods, applicationTypes, usesClientSecret, type App, type TokenEndpointAuthMethod } from '../../domain/app.ts';
import { isAppError, notFound, validationError, type AppError } from '../../kernel/errors.ts';
import type { Filter } from '../../protocols/scim/filter.ts';
import type { AppInput } from '../../services/apps.ts';
import type { Caller } from '../../services/caller.ts';
import type { Services } from '../../services/index.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { afterParam, parseLimit } from '../paging.ts';
import { clientIdOf, oauthClientJson } from '../representations/oauth-client.ts';
import type { LanyardContext } from '../state.ts';

export const clientsPath = '/oauth2/v1/clients';

/** RFC 7591 metadata as Okta accepts it. Metadata Lanyard does not know is ignored, as RFC 7591 §2 asks. */
const uriField = z.string().max(1024).nullish();
const clientMetadataSchema = z.object({
  client_name: z.string().max(1000).nullish(),
  application_type: z.enum(applicationTypes).nullish(),
  redirect_uris: z.array(z.string().max(1024)).max(100).nullish(),
  post_logout_redirect_uris: z.array(z.string().max(1024)).max(100).nullish(),
  response_types: z.array(z.string().max(100)).max(10).nullish(),
  grant_types: z.array(z.enum(grantTypes)).max(10).nullish(),
  token_endpoint_auth_method: z.enum(tokenEndpointAuthMethods).nullish(),
  client_uri: uriField,
  logo_uri: uriField,
  tos_uri: uriField,
  policy_uri: uriField,
  initiate_login_uri: uriField,
  jwks_uri: uriField,
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).max(20) }).nullish(),
  request_object_signing_alg: z.string().max(20).nullish(),
  // Read-only: Okta chooses them. Listed so that a client reading one back and sending it is understood.
  client_id: z.string().max(200).nullish(),
  client_secret: z.string().max(200).nullish(),
  client_id_issued_at: z.number().nullish(),
  client_secret_expires_at: z.number().nullish(),
}).loose();
type ClientMetadata = z.output<typeof clientMetadataSchema>;

const clientSchema = z.object({
  client_id: z.string(),
  client_secret: z.string().optional(),
  client_id_issued_at: z.number(),
  client_secret_expires_at: z.number().optional(),
  client_name: z.string(),
  application_type: z.enum(applicationTypes),
  redirect_uris: z.array(z.string()),
  response_types: z.array(z.string()),
  grant_types: z.array(z.string()),
  token_endpoint_auth_method: z.enum(tokenEndpointAuthMethods),
}).loose();

const clientParams = z.object({ clientId: z.string().min(1).max(200) });

/** The metadata fields this API owns in `settings.oauthClient`; the app's other settings survive a PUT. */
const metadataSettings = [
  'client_uri', 'logo_uri', 'tos_uri', 'policy_uri', 'initiate_login_uri', 'jwks_uri', 'jwks', 'request_object_signing_alg',
  'redirect_uris', 'post_logout_redirect_uris', 'response_types', 'grant_types', 'application_type',
] as const;

const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
const oidcApps: Filter = { op: 'eq', path: 'signOnMode', value: 'OPENID_CONNECT' };
const duplicateName = 'client_name: An object with this field already exists in the current organization';

/** RFC 7591 lets a client list response types as combinations (`"code id_token"`); Okta lists each alone. */
function responseTypesOf(types: readonly string[]): string[] {
  return [...new Set(types.flatMap((t) => t.split(' ').filter(Boolean)))];
}

/** The Apps API request for the metadata; `existing` is the app a PUT replaces. */
function appInputOf(meta: ClientMetadata, existing?: App): AppInput {
  // Okta: clients registered here ask for consent; apps made with /api/v1/apps are trusted.
  const kept: Record<string, unknown> = { ...((existing?.settings.oauthClient ?? { consent_method: 'REQUIRED' }) as Record<string, unknown>) };
  for (const key of metadataSettings) delete kept[key];
  const settings: Record<string, unknown> = { ...kept };
  for (const key of ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri', 'initiate_login_uri', 'jwks_uri', 'jwks', 'request_object_signing_alg'] as const) {
    if (meta[key] !== undefined && meta[key] !== null) settings[key] = meta[key];
  }
  settings.redirect_uris = meta.redirect_uris ?? [];
  settings.post_logout_redirect_uris = meta.post_logout_redirect_uris ?? [];
  // Okta: clients without redirects (client_credentials, password) may send null or [] for these.
  if (meta.response_types?.length) settings.response_types = responseTypesOf(meta.response_types);
  if (meta.grant_types?.length) settings.grant_types = meta.grant_types;
  const existingType = (existing?.settings.oauthClient as { application_type?: string } | undefined)?.application_type;
  settings.application_type = meta.application_type ?? existingType ?? 'web';

  const before = (existing?.credentials.oauthClient ?? {}) as { autoKeyRotation?: boolean; pkce_required?: boolean; token_endpoint_auth_method?: string };
  const credentials: Record<string, unknown> = {};
  if (meta.token_endpoint_auth_method) credentials.token_endpoint_auth_method = meta.token_endpoint_auth_method;
  if (before.autoKeyRotation !== undefined) credentials.autoKeyRotation = before.autoKeyRotation;
  // PKCE is forced on public clients; a confidential client keeps what the Apps API chose for it.
  if (before.pkce_required !== undefined && before.token_endpoint_auth_method !== 'none') credentials.pkce_required = before.pkce_required;
  return {
    name: 'oidc_client', label: meta.client_name ?? '', signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: credentials }, settings: { oauthClient: settings },
  };
}

/** `settings.oauthClient.redirect_uris.0: …` as the metadata field it is about: `redirect_uris: …`. */
export function metadataCause(cause: string): string {
  const at = cause.indexOf(': ');
  if (at < 0) return cause;
  const field = cause.slice(0, at).replace(/^(settings|credentials)\.oauthClient\./, '').replace(/\.\d+(?=\.|$)/g, '');
  return `${field === 'label' ? 'client_name' : field}: ${cause.slice(at + 2)}`;
}

function describeMetadataError(error: AppError): string {
  return error.causes.length > 0 ? error.causes.map(metadataCause).join('; ') : error.message;
}

/**
 * Renders refused metadata of `POST`/`PUT /oauth2/v1/clients…` as RFC 7591's
 * `invalid_client_metadata`; every other failure goes on to Okta's error rendering.
 */
export function clientMetadataErrors() {
  return async (ctx: LanyardContext, next: Next): Promise<void> => {
    const ours = ctx.path === clientsPath || ctx.path.startsWith(`${clientsPath}/`);
    if (!ours || (ctx.method !== 'POST' && ctx.method !== 'PUT')) return next();
    try {
      await next();
    } catch (error) {
      if (!isAppError(error) || error.code !== 'request.validation_failed') throw error;
      ctx.status = 400;
      ctx.type = 'application/json';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { error: 'invalid_client_metadata', error_description: describeMetadataError(error) };
    }
  };
}

export function oauthClientRoutes(services: Services): ApiRoute[] {
  /** The OIDC app whose client id this is (the app id, or the one the Apps API chose). */
  async function clientApp(caller: Caller, clientId: string): Promise<App> {
    const byId = await services.apps.get(caller, clientId).catch((error: unknown) => {
      if (isAppError(error) && error.code === 'resource.not_found') return undefined;
      throw error;
    });
    if (byId && clientIdOf(byId) === clientId) return byId;
    const byClientId = clientId.length <= 100 ? await services.apps.findByClientId(caller, clientId) : undefined;
    if (byClientId?.signOnMode === 'OPENID_CONNECT') return byClientId;
    throw notFound('PublicClientApp', clientId);
  }

  /** The secret a client authenticates with now: the newest active one. */
  async function currentSecret(caller: Caller, app: App): Promise<string | undefined> {
    const method = (app.credentials.oauthClient as { token_endpoint_auth_method?: TokenEndpointAuthMethod } | undefined)?.token_endpoint_auth_method;
    if (!method || !usesClientSecret(method)) return undefined;
    const active = (await services.apps.secretsOf(caller, app.id)).filter((s) => s.record.status === 'ACTIVE');
    return active[active.length - 1]?.secret;
  }

  /** Okta keeps client names unique among clients. */
  async function requireFreeName(caller: Caller, name: string | null | undefined, self?: App): Promise<void> {
    const wanted = name?.trim();
    if (!wanted || (self && self.label.normalize('NFC').toLowerCase() === wanted.normalize('NFC').toLowerCase())) return;
    const page = await services.apps.list(caller, { filter: { op: 'and', left: oidcApps, right: { op: 'eq', path: 'label', value: wanted } }, limit: 2 });
    if (page.items.some((a) => a.id !== self?.id)) throw validationError([duplicateName], 'client_name');
  }

  function refuseReadOnly(meta: ClientMetadata, fields: readonly (keyof ClientMetadata)[]): void {
    const given = fields.filter((f) => meta[f] !== undefined && meta[f] !== null);
    if (given.length > 0) throw validationError(given.map((f) => `${f}: The field is read-only and cannot be set`));
  }

  return [
    defineRoute({
      method: 'get', path: clientsPath, operationId: 'listClients', tag: 'Client',
      summary: 'List the OAuth clients (OIDC apps): `q` (client_name prefix), paged by `limit` (1–200, default 20) and `after`.',
      query: z.object({ q: z.string().max(200).optional(), limit: z.string().optional(), after: afterParam }),
      response: { status: 200, description: 'A page of clients', schema: z.array(clientSchema), paged: true },
      errors: ['request.validation_failed'],
      handle: async ({ query, caller }) => {
        const page = await services.apps.list(caller, { q: query.q, filter: oidcApps, limit: parseLimit(query.limit, 20, 200), after: query.after });
        return { body: page.items.map((app) => oauthClientJson(app)), next: page.next };
      },
    }),
    defineRoute({
      method: 'post', path: clientsPath, operationId: 'createClient', tag: 'Client',
      summary: 'Register a client (an OIDC app); confidential clients get a secret. Refused metadata answers 400 '
        + '`{"error":"invalid_client_metadata","error_description":"field: problem"}`.',
      body: clientMetadataSchema, bodyRequired: true,
      response: { status: 201, description: 'The new client, with its secret if it has one', schema: clientSchema },
      handle: async ({ body, caller }) => {
        refuseReadOnly(body, ['client_id', 'client_secret', 'client_id_issued_at', 'client_secret_expires_at']);
        await requireFreeName(caller, body.client_name);
        const app = await services.apps.create(caller, appInputOf(body), { activate: true });
        return { body: oauthClientJson(app, await currentSecret(caller, app)), headers: noStore };
      },
    }),
    defineRoute({
      method: 'get', path: `${clientsPath}/:clientId`, operationId: 'getClient', tag: 'Client',
      summary: 'Get a client by its client_id.',
      params: clientParams,
      response: { status: 200, description: 'The client', schema: clientSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => ({ body: oauthClientJson(await clientApp(caller, params.clientId)) }),
    }),
    defineRoute({
      method: 'put', path: `${clientsPath}/:clientId`, operationId: 'replaceClient', tag: 'Client',
      summary: 'Replace a client\'s metadata as a whole (application_type cannot change; client_id_issued_at and '
        + 'client_secret_expires_at must not be sent). Refused metadata answers 400 `invalid_client_metadata`.',
      params: clientParams, body: clientMetadataSchema, bodyRequired: true,
      response: { status: 200, description: 'The client, with its secret if it has one', schema: clientSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, body, caller }) => {
        const existing = await clientApp(caller, params.clientId);
        refuseReadOnly(body, ['client_id_issued_at', 'client_secret_expires_at']);
        if (body.client_id && body.client_id !== params.clientId) throw validationError(['client_id: The client_id cannot be changed']);
        const type = (existing.settings.oauthClient as { application_type?: string } | undefined)?.application_type ?? 'web';
        if (body.application_type && body.application_type !== type) {
          throw validationError([`application_type: The application type of a client cannot be changed from ${type}`]);
        }
        await requireFreeName(caller, body.client_name, existing);
        const app = await services.apps.replace(caller, existing.id, appInputOf(body, existing));
        return { body: oauthClientJson(app, await currentSecret(caller, app)), headers: noStore };
      },
    }),
    defineRoute({
      method: 'delete', path: `${clientsPath}/:clientId`, operationId: 'deleteClient', tag: 'Client',
      summary: 'Remove a client: its app is deactivated and deleted, and its tokens stop working.',
      params: clientParams,
      response: { status: 204, description: 'Removed' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        const app = await clientApp(caller, params.clientId);
        // The app service deletes only INACTIVE apps, as Okta's Apps API does.
        if (app.status === 'ACTIVE') await services.apps.setStatus(caller, app.id, 'INACTIVE');
        await services.apps.remove(caller, app.id);
        return {};
      },
    }),
    defineRoute({
      method: 'post', path: `${clientsPath}/:clientId/lifecycle/newSecret`, operationId: 'generateNewClientSecret', tag: 'Client',
      summary: 'Replace the client\'s secret with a new one: the old secret stops working at once. Only for clients '
        + 'that authenticate with a secret; others answer 400 `invalid_client_metadata`.',
      params: clientParams,
      response: { status: 200, description: 'The client with its new secret', schema: clientSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        const app = await clientApp(caller, params.clientId);
        const method = (app.credentials.oauthClient as { token_endpoint_auth_method?: TokenEndpointAuthMethod }).token_endpoint_auth_method ?? 'client_secret_basic';
        if (!usesClientSecret(method)) {
          throw validationError([`token_endpoint_auth_method: A client that authenticates with ${method} has no client secret`]);
        }
        const old = (await services.apps.secretsOf(caller, app.id)).map((s) => s.record).sort((a, b) => a.created.localeCompare(b.created));
        // An app holds at most two secrets: make room, dropping inactive ones first, then the oldest active one.
        const inactive = old.filter((s) => s.status !== 'ACTIVE');
        const active = old.filter((s) => s.status === 'ACTIVE');
        for (const s of inactive) await services.apps.deleteSecret(caller, app.id, s.id);
        while (active.length > 1) {
          const oldest = active.shift()!;
          await services.apps.setSecretStatus(caller, app.id, oldest.id, 'INACTIVE');
          await services.apps.deleteSecret(caller, app.id, oldest.id);
        }
        const created = await services.apps.createSecret(caller, app.id);
        for (const s of active) {
          await services.apps.setSecretStatus(caller, app.id, s.id, 'INACTIVE');
          await services.apps.deleteSecret(caller, app.id, s.id);
        }
        return { body: oauthClientJson(await services.apps.get(caller, app.id), created.secret), headers: noStore };
      },
    }),
  ];
}
