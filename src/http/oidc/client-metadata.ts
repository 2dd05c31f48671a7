/**
 * An OIDC app as the protocol engine's client metadata (RFC 7591 names), with Lanyard's extras for
 * what the engine has no field for (PKCE policy, refresh rotation and grace period, consent).
 */
import type { ClientMetadata } from 'oidc-provider';
import type { ResolvedClient } from '../../services/apps.ts';

/** Okta's response_types list (each type on its own) as the engine's combinations. */
function responseTypeCombinations(types: readonly string[]): string[] {
  const code = types.includes('code');
  const idToken = types.includes('id_token');
  const token = types.includes('token');
  const out: string[] = [];
  if (code) out.push('code');
  if (idToken) out.push('id_token');
  if (idToken && token) out.push('id_token token');
  if (code && idToken) out.push('code id_token');
  if (code && token) out.push('code token');
  if (code && idToken && token) out.push('code id_token token');
  return out.length ? out : ['none'];
}

/** Grant types the engine implements (Okta's `password` grant is not among them). */
const engineGrants = new Set([
  'authorization_code', 'implicit', 'refresh_token', 'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code', 'urn:openid:params:grant-type:ciba',
  'urn:ietf:params:oauth:grant-type:token-exchange',
]);

export function toClientMetadata({ app, client, clientId, secrets }: ResolvedClient): ClientMetadata {
  const web = client.application_type !== 'native';
  const metadata: ClientMetadata = {
    client_id: clientId,
    client_name: app.label,
    application_type: web ? 'web' : 'native',
    redirect_uris: [...client.redirect_uris],
    post_logout_redirect_uris: [...client.post_logout_redirect_uris],
    // A client without a grant that signs a user in (a service app) has no authorization requests.
    response_types: (client.grant_types.includes('authorization_code') || client.grant_types.includes('implicit')
      ? responseTypeCombinations(client.response_types) : []) as ClientMetadata['response_types'],
    grant_types: client.grant_types.filter((g) => engineGrants.has(g)),
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    lanyard_pkce_required: client.pkce_required,
    lanyard_refresh_rotation: client.refresh_token?.rotation_type ?? 'ROTATE',
    lanyard_refresh_leeway: client.refresh_token?.leeway ?? 30,
    lanyard_consent_method: client.consent_method,
    lanyard_application_type: client.application_type,
    ...(client.frontchannel_logout_uri ? { lanyard_frontchannel_logout_uri: client.frontchannel_logout_uri } : {}),
  };
  if (secrets[0]) metadata.client_secret = secrets[0];
  if (secrets.length > 1) metadata.lanyard_other_secrets = secrets.slice(1);
  if (client.logo_uri) metadata.logo_uri = client.logo_uri;
  if (client.client_uri) metadata.client_uri = client.client_uri;
  if (client.initiate_login_uri) metadata.initiate_login_uri = client.initiate_login_uri;
  if (client.jwks) metadata.jwks = client.jwks as never;
  if (client.jwks_uri) metadata.jwks_uri = client.jwks_uri;
  if (client.backchannel_logout_uri) {
    metadata.backchannel_logout_uri = client.backchannel_logout_uri;
    metadata.backchannel_logout_session_required = client.backchannel_logout_session_required ?? false;
  }
  if (client.request_object_signing_alg) metadata.request_object_signing_alg = client.request_object_signing_alg as ClientMetadata['request_object_signing_alg'];
  if (client.id_token_signed_response_alg) metadata.id_token_signed_response_alg = client.id_token_signed_response_alg as ClientMetadata['id_token_signed_response_alg'];
  if (client.authorization_signed_response_alg) metadata.authorization_signed_response_alg = client.authorization_signed_response_alg as ClientMetadata['authorization_signed_response_alg'];
  if (client.require_pushed_authorization_requests) metadata.require_pushed_authorization_requests = true;
  if (client.dpop_bound_access_tokens) metadata.dpop_bound_access_tokens = true;
  if (client.grant_types.includes('urn:openid:params:grant-type:ciba')) metadata.backchannel_token_delivery_mode = 'poll';
  return metadata;
}
