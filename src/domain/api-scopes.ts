/**
 * OAuth 2.0 scopes for Lanyard's management API, as Okta names them ("OAuth for Okta"): an access
 * token from the org authorization server with `okta.users.read` may read users, one with
 * `okta.users.manage` may also change them. Lanyard's own additions use `lanyard.*` names in the
 * same pattern. Every API tag belongs to exactly one resource; a tag with none cannot be reached
 * with a bearer token at all (API tokens still reach it), so a new route fails closed.
 */

/** Resource name (the middle of `okta.{resource}.read`) by the API tag of a route. */
const resourceByTag: Readonly<Record<string, string>> = {
  User: 'okta.users', UserCred: 'okta.users', UserLifecycle: 'okta.users', UserOAuth: 'okta.users', UserGrant: 'okta.users',
  UserSessions: 'okta.users', UserFactor: 'okta.users', UserImport: 'okta.users',
  RoleAssignment: 'okta.roles',
  Group: 'okta.groups', GroupOwner: 'okta.groups',
  Application: 'okta.apps', ApplicationConnections: 'okta.apps', ApplicationFeatures: 'okta.apps', ApplicationGroups: 'okta.apps',
  ApplicationLifecycle: 'okta.apps', ApplicationPolicies: 'okta.apps', ApplicationProvisioning: 'okta.apps', ApplicationSSO: 'okta.apps',
  ApplicationSSOCredentialKey: 'okta.apps', ApplicationSSOCredentialOAuth2ClientAuth: 'okta.apps', ApplicationUsers: 'okta.apps',
  Catalog: 'okta.apps', AccessRequest: 'okta.apps',
  AuthorizationServer: 'okta.authorizationServers', AuthorizationServerClaims: 'okta.authorizationServers',
  AuthorizationServerKeys: 'okta.authorizationServers', AuthorizationServerPolicies: 'okta.authorizationServers',
  AuthorizationServerRules: 'okta.authorizationServers', AuthorizationServerScopes: 'okta.authorizationServers',
  Client: 'okta.clients',
  ApiToken: 'okta.apiTokens',
  SystemLog: 'okta.logs',
  OrgSetting: 'okta.orgs',
  Policy: 'okta.policies',
  NetworkZone: 'okta.networkZones',
  Session: 'okta.sessions',
  TrustedOrigin: 'okta.trustedOrigins',
  Directory: 'lanyard.directories',
  IntegrationWizard: 'lanyard.integrations',
  IntegrationReview: 'lanyard.reviews',
};

/** Every management scope the org authorization server offers, read before manage. */
export const managementScopes: readonly string[] = [...new Set(Object.values(resourceByTag))]
  .sort()
  .flatMap((resource) => resource === 'okta.logs' ? [`${resource}.read`] : [`${resource}.read`, `${resource}.manage`]);

export const isManagementScope = (scope: string): boolean => managementScopes.includes(scope);

/**
 * The scopes that let a bearer token call a route: reading needs `.read` or `.manage`, anything
 * else needs `.manage`. Empty when the route cannot be called with a bearer token.
 */
export function scopesForRoute(tag: string, method: string): string[] {
  const resource = resourceByTag[tag];
  if (!resource) return [];
  const manage = `${resource}.manage`;
  if (method !== 'get') return resource === 'okta.logs' ? [] : [manage];
  return resource === 'okta.logs' ? [`${resource}.read`] : [`${resource}.read`, manage];
}
