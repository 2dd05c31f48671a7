/** An app on the wire, as Okta shows one (client secrets only where Okta shows them). */
import type { App } from '../../domain/app.ts';

/** `accessPolicyId`: the app sign-on policy the app uses (Okta links it as `_links.accessPolicy`). */
export function appJson(app: App, orgUrl: string, secret?: string, accessPolicyId?: string): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/apps/${app.id}`;
  const credentials: Record<string, unknown> = {
    userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
    ...app.credentials,
  };
  if (secret && app.credentials.oauthClient) {
    credentials.oauthClient = { ...(app.credentials.oauthClient as Record<string, unknown>), client_secret: secret };
  }
  return {
    id: app.id,
    name: app.name,
    label: app.label,
    status: app.status,
    lastUpdated: app.lastUpdated,
    created: app.created,
    accessibility: app.accessibility,
    visibility: app.visibility,
    features: [],
    signOnMode: app.signOnMode,
    credentials,
    settings: {
      notifications: { vpn: { network: { connection: 'DISABLED' }, message: null, helpUrl: null } },
      manualProvisioning: false,
      implicitAssignment: false,
      notes: { admin: null, enduser: null },
      ...app.settings,
    },
    _links: {
      appLinks: [{ name: `${app.name}_link`, href: `${orgUrl}/home/${app.name}/${app.id}`, type: 'text/html' }],
      // Where service providers read the app's IdP metadata (Okta links the API's copy).
      ...(app.signOnMode === 'SAML_2_0' ? { metadata: { href: `${self}/sso/saml/metadata`, type: 'application/xml' } } : {}),
      ...(accessPolicyId ? { accessPolicy: { href: `${orgUrl}/api/v1/policies/${accessPolicyId}` } } : {}),
      groups: { href: `${self}/groups` },
      users: { href: `${self}/users` },
      ...(app.status === 'ACTIVE' ? { deactivate: { href: `${self}/lifecycle/deactivate` } } : { activate: { href: `${self}/lifecycle/activate` } }),
      self: { href: self },
    },
  };
}

export function appUserJson(assignment: { appId: string; userId: string; profile: Record<string, unknown>; created: string; lastUpdated: string },
  login: string, orgUrl: string, scope: 'USER' | 'GROUP' = 'USER'): Record<string, unknown> {
  return {
    id: assignment.userId,
    externalId: null,
    created: assignment.created,
    lastUpdated: assignment.lastUpdated,
    scope,
    status: 'ACTIVE',
    statusChanged: assignment.created,
    passwordChanged: null,
    syncState: 'DISABLED',
    lastSync: null,
    credentials: { userName: login },
    profile: assignment.profile,
    _links: {
      app: { href: `${orgUrl}/api/v1/apps/${assignment.appId}` },
      user: { href: `${orgUrl}/api/v1/users/${assignment.userId}` },
    },
  };
}

export function appGroupJson(assignment: { appId: string; groupId: string; priority: number; profile: Record<string, unknown>; lastUpdated: string },
  orgUrl: string): Record<string, unknown> {
  return {
    id: assignment.groupId,
    lastUpdated: assignment.lastUpdated,
    priority: assignment.priority,
    profile: assignment.profile,
    _links: {
      app: { href: `${orgUrl}/api/v1/apps/${assignment.appId}` },
      group: { href: `${orgUrl}/api/v1/groups/${assignment.groupId}` },
    },
  };
}

export function clientSecretJson(record: { id: string; appId: string; status: string; secretHash: string; created: string; lastUpdated: string },
  secret: string, orgUrl: string): Record<string, unknown> {
  const base = `${orgUrl}/api/v1/apps/${record.appId}/credentials/secrets/${record.id}`;
  return {
    id: record.id,
    status: record.status,
    client_secret: secret,
    secret_hash: record.secretHash,
    created: record.created,
    lastUpdated: record.lastUpdated,
    _links: record.status === 'ACTIVE'
      ? { deactivate: { href: `${base}/lifecycle/deactivate`, hints: { allow: ['POST'] } } }
      : { activate: { href: `${base}/lifecycle/activate`, hints: { allow: ['POST'] } }, delete: { href: base, hints: { allow: ['DELETE'] } } },
  };
}
