/**
 * Apps as Okta models them: one sign-on binding (`signOnMode`) with its settings, a label, a
 * status, and the people and groups assigned to it. This file holds the mode-independent parts
 * and the OpenID Connect client settings, with Okta's defaults and rules.
 */
import { z } from 'zod';

export const signOnModes = [
  'OPENID_CONNECT', 'SAML_2_0', 'WS_FEDERATION', 'AUTO_LOGIN', 'BOOKMARK', 'BROWSER_PLUGIN', 'SECURE_PASSWORD_STORE', 'BASIC_AUTH',
] as const;
export type SignOnMode = (typeof signOnModes)[number];

export interface App {
  readonly id: string;
  readonly orgId: string;
  /** Okta's app name: `oidc_client` for custom OIDC apps, a catalog key for integrations. */
  readonly name: string;
  readonly label: string;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly signOnMode: SignOnMode;
  /** Okta's `settings` object, as stored (mode-specific parts validated by their mode). */
  readonly settings: Record<string, unknown>;
  /** Okta's `credentials` object without secrets. */
  readonly credentials: Record<string, unknown>;
  readonly visibility: Record<string, unknown>;
  readonly accessibility: Record<string, unknown>;
  readonly created: string;
  readonly lastUpdated: string;
}

export const grantTypes = [
  'authorization_code', 'implicit', 'refresh_token', 'password', 'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:openid:params:grant-type:ciba',
] as const;
export type GrantType = (typeof grantTypes)[number];

export const tokenEndpointAuthMethods = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof tokenEndpointAuthMethods)[number];

export const applicationTypes = ['web', 'native', 'browser', 'service'] as const;
export type ApplicationType = (typeof applicationTypes)[number];

const uri = z.string().max(1024).refine((value) => {
  try {
    const url = new URL(value);
    return !url.hash && url.protocol !== 'javascript:' && url.protocol !== 'data:';
  } catch {
    return false;
  }
}, 'must be an absolute URI without a fragment');

const webUri = uri.refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http or https URI');

const jwk = z.object({ kty: z.string() }).loose();

/** `settings.oauthClient` of an OpenID Connect app, as Okta accepts it. */
export const oauthClientSettingsSchema = z.object({
  client_uri: webUri.nullish(),
  logo_uri: webUri.nullish(),
  tos_uri: webUri.nullish(),
  policy_uri: webUri.nullish(),
  redirect_uris: z.array(uri).max(100).default([]),
  post_logout_redirect_uris: z.array(uri).max(100).default([]),
  response_types: z.array(z.enum(['code', 'token', 'id_token'])).min(1).optional(),
  grant_types: z.array(z.enum(grantTypes)).min(1).optional(),
  application_type: z.enum(applicationTypes).default('web'),
  consent_method: z.enum(['REQUIRED', 'TRUSTED']).default('TRUSTED'),
  initiate_login_uri: webUri.nullish(),
  issuer_mode: z.enum(['ORG_URL', 'CUSTOM_URL', 'DYNAMIC']).default('DYNAMIC'),
  wildcard_redirect: z.enum(['DISABLED']).default('DISABLED'),
  jwks: z.object({ keys: z.array(jwk).max(20) }).nullish(),
  jwks_uri: webUri.nullish(),
  refresh_token: z.object({
    rotation_type: z.enum(['ROTATE', 'STATIC']).default('ROTATE'),
    leeway: z.number().int().min(0).max(60).default(30),
  }).optional(),
  frontchannel_logout_uri: webUri.nullish(),
  frontchannel_logout_session_required: z.boolean().optional(),
  backchannel_logout_uri: webUri.nullish(),
  backchannel_logout_session_required: z.boolean().optional(),
  backchannel_token_delivery_mode: z.enum(['poll']).optional(),
  dpop_bound_access_tokens: z.boolean().optional(),
  require_pushed_authorization_requests: z.boolean().optional(),
  request_object_signing_alg: z.string().optional(),
  authorization_signed_response_alg: z.string().optional(),
  id_token_signed_response_alg: z.enum(['RS256', 'ES256']).optional(),
});

export type OAuthClientSettings = z.output<typeof oauthClientSettingsSchema>;

export const oauthClientCredentialsSchema = z.object({
  client_id: z.string().max(100).optional(),
  client_secret: z.string().min(32, 'must be at least 32 characters').max(100).optional(),
  token_endpoint_auth_method: z.enum(tokenEndpointAuthMethods).optional(),
  autoKeyRotation: z.boolean().default(true),
  pkce_required: z.boolean().optional(),
});

export type OAuthClientCredentials = z.output<typeof oauthClientCredentialsSchema>;

/** The fully defaulted client of an OIDC app, as the protocol engine and the API see it. */
export interface OidcClientSettings extends Omit<OAuthClientSettings, 'response_types' | 'grant_types'> {
  readonly response_types: ('code' | 'token' | 'id_token')[];
  readonly grant_types: GrantType[];
  readonly token_endpoint_auth_method: TokenEndpointAuthMethod;
  readonly pkce_required: boolean;
}

/**
 * Okta's defaults by application type, then the rules that make a client coherent. Returns the
 * complete client, or the problems as `field: message` causes.
 */
export function resolveOidcClient(settings: OAuthClientSettings, credentials: OAuthClientCredentials):
  { ok: true; client: OidcClientSettings } | { ok: false; causes: string[] } {
  const type = settings.application_type;
  const grantTypesOf = settings.grant_types ?? (type === 'service' ? ['client_credentials'] : ['authorization_code']);
  const grants = new Set<string>(grantTypesOf);
  const interactive = grants.has('authorization_code') || grants.has('implicit');
  // A client that signs no user in answers no authorization request; Okta records it with ["token"].
  const responseTypes = settings.response_types
    ?? (grants.has('implicit') ? (grants.has('authorization_code') ? ['code', 'id_token', 'token'] : ['id_token', 'token']) : interactive ? ['code'] : ['token']);
  const auth = credentials.token_endpoint_auth_method
    ?? (type === 'browser' || type === 'native' ? 'none' : 'client_secret_basic');
  const causes: string[] = [];

  if (type === 'service' && [...grants].some((g) => g !== 'client_credentials' && g !== 'urn:ietf:params:oauth:grant-type:token-exchange')) {
    causes.push('grant_types: A service app may use only client_credentials (and token exchange).');
  }
  if (type === 'browser' && auth !== 'none') causes.push('token_endpoint_auth_method: A browser (single-page) app is a public client: use none.');
  if (auth === 'none' && grants.has('client_credentials')) causes.push('grant_types: client_credentials needs a confidential client.');
  if (interactive && settings.redirect_uris.length === 0) causes.push('redirect_uris: At least one redirect URI is required for the authorization_code and implicit grants.');
  if (responseTypes.includes('code') && !grants.has('authorization_code')) causes.push('response_types: code needs the authorization_code grant type.');
  const tokenOnly = !interactive && responseTypes.every((t) => t === 'token');
  if ((responseTypes.includes('token') || responseTypes.includes('id_token')) && !grants.has('implicit') && !tokenOnly) {
    causes.push('response_types: token and id_token need the implicit grant type.');
  }
  if (grants.has('refresh_token') && !interactive && !grants.has('urn:ietf:params:oauth:grant-type:device_code') && !grants.has('urn:openid:params:grant-type:ciba')) {
    causes.push('grant_types: refresh_token needs a grant that signs a user in.');
  }
  if (auth === 'private_key_jwt' && !settings.jwks && !settings.jwks_uri) causes.push('jwks: private_key_jwt needs the client\'s public keys (jwks or jwks_uri).');
  for (const redirect of settings.redirect_uris) {
    const url = new URL(redirect);
    const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
    if (type !== 'native' && url.protocol !== 'https:' && !(url.protocol === 'http:')) {
      causes.push(`redirect_uris: ${redirect} must use https (or http for local development) for a ${type} app.`);
    }
    if (type === 'native' && url.protocol === 'http:' && !local) {
      causes.push(`redirect_uris: ${redirect} must be https, a loopback address or a custom scheme for a native app.`);
    }
  }
  if (causes.length > 0) return { ok: false, causes };
  return {
    ok: true,
    client: {
      ...settings,
      response_types: responseTypes as OidcClientSettings['response_types'],
      grant_types: grantTypesOf as GrantType[],
      token_endpoint_auth_method: auth,
      // PKCE is required of public clients always, and of confidential ones when they ask.
      pkce_required: auth === 'none' ? true : credentials.pkce_required ?? false,
    },
  };
}

/** Whether a client authenticates with a secret that Lanyard holds. */
export function usesClientSecret(method: TokenEndpointAuthMethod): boolean {
  return method === 'client_secret_basic' || method === 'client_secret_post' || method === 'client_secret_jwt';
}
