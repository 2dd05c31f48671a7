/**
 * An OIDC app as Okta's Dynamic Client Registration API shows it (`/oauth2/v1/clients`): the RFC 7591
 * client metadata of the same record `/api/v1/apps` shows as an app. The secret appears only in the
 * answers to create, replace and newSecret, as Okta shows it.
 */
import { usesClientSecret, type App, type TokenEndpointAuthMethod } from '../../domain/app.ts';

/** The client id of an OIDC app (the app id unless the Apps API chose another). */
export function clientIdOf(app: App): string | undefined {
  if (app.signOnMode !== 'OPENID_CONNECT') return undefined;
  return (app.credentials.oauthClient as { client_id?: string } | undefined)?.client_id;
}

export function oauthClientJson(app: App, secret?: string): Record<string, unknown> {
  const settings = (app.settings.oauthClient ?? {}) as Record<string, unknown>;
  const credentials = (app.credentials.oauthClient ?? {}) as Record<string, unknown>;
  const method = (credentials.token_endpoint_auth_method ?? 'client_secret_basic') as TokenEndpointAuthMethod;
  const optional = (name: string) => (settings[name] === undefined || settings[name] === null ? {} : { [name]: settings[name] });
  const postLogout = (settings.post_logout_redirect_uris ?? []) as string[];
  return {
    client_id: clientIdOf(app) ?? app.id,
    ...(secret ? { client_secret: secret } : {}),
    client_id_issued_at: Math.floor(Date.parse(app.created) / 1000),
    // Okta shows the expiry (0: never) only for clients that hold a secret.
    ...(usesClientSecret(method) ? { client_secret_expires_at: 0 } : {}),
    client_name: app.label,
    client_uri: settings.client_uri ?? null,
    logo_uri: settings.logo_uri ?? null,
    application_type: settings.application_type ?? 'web',
    redirect_uris: settings.redirect_uris ?? [],
    ...(postLogout.length > 0 ? { post_logout_redirect_uris: postLogout } : {}),
    response_types: settings.response_types ?? [],
    grant_types: settings.grant_types ?? [],
    token_endpoint_auth_method: method,
    ...optional('initiate_login_uri'),
    ...optional('tos_uri'),
    ...optional('policy_uri'),
    ...optional('jwks'),
    ...optional('jwks_uri'),
    ...optional('request_object_signing_alg'),
  };
}
