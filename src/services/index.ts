/** The use cases behind the API and the pages, built over one set of dependencies. */
import type { ServiceDeps } from './deps.ts';
import { createOrgService } from './orgs.ts';
import { createUserService } from './users.ts';
import { createCredentialService } from './user-credentials.ts';
import { createLifecycleService } from './user-lifecycle.ts';
import { createGroupService } from './groups.ts';
import { createApiTokenService } from './api-tokens.ts';
import { createSystemLogQuery } from './system-log-query.ts';
import { createSignIn } from '../signin/sign-in.ts';
import { createSignInThrottle } from '../signin/throttle.ts';
import { createSessions } from '../signin/sessions.ts';
import { createSigningKeyService } from './signing-keys.ts';
import { createAppKeyService } from './app-keys.ts';
import { createAuthorizationServerService } from './authorization-servers.ts';
import { createAppService } from './apps.ts';
import { createOidcAccess } from './oidc-access.ts';
import { createAuthnService } from './authn.ts';
import { createTrustedOriginService } from './trusted-origins.ts';
import { createGrantService } from './grants.ts';
import { createVault } from '../vault/envelope.ts';
import { createProtocolState } from './protocol-state.ts';
import { createSamlSso } from './saml-sso.ts';
import { createSamlSlo } from './saml-slo.ts';
import { createWsFedSso } from './wsfed-sso.ts';
import { createCatalog } from './catalog.ts';
import { createIntegrationInstances } from './integration-instances.ts';
import { createVendorIntegrations } from './vendor-integrations.ts';
import { createNetworkReview } from './network-review.ts';
import { createAdminRoles } from './admin-roles.ts';
import { createNetworkMonitor } from './network-monitor.ts';
import { createScimConnections } from './scim-connection.ts';
import { createProvisioningService } from './provisioning.ts';
import { createProvisioningEngine } from './provisioning-engine.ts';
import { createScimInbound } from './scim-inbound.ts';
import { createUserImport } from './user-import.ts';
import { createProvisioningImport } from './provisioning-import.ts';
import { createFactorService } from './factors.ts';
import { createMfaSignOn } from '../signin/mfa.ts';
import { createNetworkZoneService } from './network-zones.ts';
import { createPolicyService } from './policies.ts';
import { createSignOnPolicy } from './sign-on-policy.ts';
import { shippedCatalog } from '../catalog/shipped.ts';
import { createDirectoryService } from './directories.ts';
import { createDirectoryImport } from './directory-import.ts';
import { createDirectoryAgents } from './directory-agents.ts';
import { createDirectoryAuth } from './directory-auth.ts';
import { createAdminConsole } from './admin-console.ts';
import { createSwaFill } from './swa-fill.ts';
import { createSwaService } from './swa.ts';
import { createGroupOwners } from './group-owners.ts';
import { createAccessRequests } from './access-requests.ts';
import { createDashboard } from './dashboard.ts';

export function createServices(deps: ServiceDeps) {
  // Built over this store, so that inside a transaction the vault's data keys are read through it too.
  const vault = createVault(deps.masterKey, deps.store.dataKeys, () => deps.clock.now());
  const signingKeys = createSigningKeyService(deps, vault);
  const authorizationServers = createAuthorizationServerService(deps, signingKeys);
  const throttle = createSignInThrottle(deps);
  const networkZones = createNetworkZoneService(deps);
  // The org service gives new orgs their defaults; the policy service edits org settings through it.
  const orgs = createOrgService(deps, async (org) => {
    await authorizationServers.ensureOrgServers(org.id);
    await policies.ensureDefaults(org.id);
  });
  const policies = createPolicyService(deps, networkZones, orgs.updateSettings);
  const signOnPolicy = createSignOnPolicy(deps, policies);
  const credentials = createCredentialService(deps, vault, signOnPolicy);
  const lifecycle = createLifecycleService(deps, credentials);
  const users = createUserService(deps, lifecycle, vault, signOnPolicy);
  const groups = createGroupService(deps);
  const directories = createDirectoryService(deps, vault);
  const directoryImport = createDirectoryImport(deps, directories, users, groups, lifecycle);
  const directoryAgents = createDirectoryAgents(deps, vault, directories, directoryImport, deps.directoryAgents);
  const signIn = createSignIn(deps, throttle, createDirectoryAuth(deps, directories, directoryAgents));
  const appKeys = createAppKeyService(deps, vault);
  const sessions = createSessions(deps);
  const protocolState = createProtocolState(deps);
  const factors = createFactorService(deps, vault, protocolState);
  const mfa = createMfaSignOn(deps, signOnPolicy, factors, throttle);
  const samlSso = createSamlSso(deps, appKeys, protocolState, mfa);
  const apps = createAppService(deps, vault, appKeys);
  const catalog = createCatalog(deps, shippedCatalog());
  const integrationInstances = createIntegrationInstances(deps, catalog, apps);
  const vendorIntegrations = createVendorIntegrations(deps, catalog, integrationInstances);
  const scimConnections = createScimConnections(deps.outbound);
  const provisioning = createProvisioningService(deps, vault, scimConnections);
  const swa = createSwaService(deps, vault, apps, signIn);
  return {
    throttle,
    protocolState,
    orgs,
    networkZones,
    policies,
    signOnPolicy,
    signingKeys,
    authorizationServers,
    apps,
    catalog,
    integrationInstances,
    vendorIntegrations,
    networkReview: createNetworkReview(deps, vault, vendorIntegrations),
    adminRoles: createAdminRoles(deps),
    adminConsole: createAdminConsole(deps, apps, signingKeys),
    networkMonitor: createNetworkMonitor(deps, vault),
    provisioning,
    provisioningEngine: createProvisioningEngine(deps, provisioning, scimConnections, vault, deps.provisioning),
    appKeys,
    samlSso,
    samlSlo: createSamlSlo(deps, samlSso, appKeys, protocolState, sessions),
    wsfedSso: createWsFedSso(deps, appKeys, protocolState, mfa),
    oidcAccess: createOidcAccess(deps),
    users,
    credentials,
    lifecycle,
    groups,
    scimInbound: createScimInbound(deps, users, lifecycle, groups),
    userImport: createUserImport(deps, users, groups),
    factors,
    mfa,
    provisioningImport: createProvisioningImport(deps, provisioning, scimConnections, users, apps),
    tokens: createApiTokenService(deps),
    logs: { query: createSystemLogQuery(deps) },
    signIn,
    authn: createAuthnService(deps, signIn, mfa, factors),
    trustedOrigins: createTrustedOriginService(deps),
    grants: createGrantService(deps),
    sessions,
    directories,
    directoryImport,
    directoryAgents,
    swa,
    swaFill: createSwaFill(deps, protocolState, swa.credentialsForLaunch),
    groupOwners: createGroupOwners(deps),
    accessRequests: createAccessRequests(deps, apps, groups),
    dashboard: createDashboard(deps, apps, users, sessions),
  };
}

export type Services = ReturnType<typeof createServices>;
