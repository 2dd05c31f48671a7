/**
 * Authorization servers on the wire, as Okta's API shows them: the server with its signing
 * settings and links, its keys (public JWKs with their status), scopes, claims, policies and rules.
 */
import type { AuthorizationServer, Claim, Policy, Rule, Scope } from '../../domain/authorization-server.ts';
import type { SigningKeyRecord } from '../../services/ports.ts';
import type { Stamped } from '../../services/authorization-servers.ts';

type Link = { href: string; hints: { allow: string[] } };
const link = (href: string, ...allow: string[]): Link => ({ href, hints: { allow } });

const serverBase = (orgUrl: string, asId: string) => `${orgUrl}/api/v1/authorizationServers/${asId}`;

/** The issuer of a custom authorization server (Okta's `ORG_URL` issuer mode). */
export function issuerOf(orgUrl: string, asId: string): string {
  return `${orgUrl}/oauth2/${asId}`;
}

export function authorizationServerJson(server: AuthorizationServer, keys: readonly SigningKeyRecord[], orgUrl: string): Record<string, unknown> {
  const self = serverBase(orgUrl, server.id);
  const issuer = issuerOf(orgUrl, server.id);
  const active = keys.find((k) => k.status === 'ACTIVE');
  const lastRotated = active ? active.activated ?? active.created : null;
  const signing: Record<string, unknown> = { rotationMode: server.signing.rotationMode };
  if (lastRotated) signing.lastRotated = lastRotated;
  if (lastRotated && server.signing.rotationMode === 'AUTO') {
    signing.nextRotation = new Date(Date.parse(lastRotated) + server.signing.rotationIntervalDays * 86_400_000).toISOString();
  }
  if (active) signing.kid = active.kid;
  signing.use = 'sig';
  return {
    id: server.id,
    name: server.name,
    description: server.description,
    audiences: [...server.audiences],
    issuer,
    issuerMode: server.issuerMode,
    status: server.status,
    created: server.created,
    lastUpdated: server.lastUpdated,
    credentials: { signing },
    _links: {
      scopes: link(`${self}/scopes`, 'GET'),
      claims: link(`${self}/claims`, 'GET'),
      policies: link(`${self}/policies`, 'GET'),
      self: link(self, 'GET', 'DELETE', 'PUT'),
      metadata: [
        { name: 'oauth-authorization-server', ...link(`${issuer}/.well-known/oauth-authorization-server`, 'GET') },
        { name: 'openid-configuration', ...link(`${issuer}/.well-known/openid-configuration`, 'GET') },
      ],
      rotateKey: link(`${self}/credentials/lifecycle/keyRotate`, 'POST'),
      ...(server.status === 'ACTIVE'
        ? { deactivate: link(`${self}/lifecycle/deactivate`, 'POST') }
        : { activate: link(`${self}/lifecycle/activate`, 'POST') }),
    },
  };
}

/** A signing key: its public JWK, its status, and a link to itself. */
export function authorizationServerKeyJson(asId: string, key: SigningKeyRecord, orgUrl: string): Record<string, unknown> {
  return {
    status: key.status,
    ...key.publicJwk,
    _links: { self: link(`${serverBase(orgUrl, asId)}/credentials/keys/${key.kid}`, 'GET') },
  };
}

export function scopeJson(asId: string, scope: Scope, orgUrl: string): Record<string, unknown> {
  return {
    id: scope.id,
    name: scope.name,
    displayName: scope.displayName ?? null,
    description: scope.description ?? null,
    system: scope.system,
    default: scope.default,
    optional: scope.optional,
    consent: scope.consent,
    metadataPublish: scope.metadataPublish,
    _links: { self: link(`${serverBase(orgUrl, asId)}/scopes/${scope.id}`, 'GET', 'PUT', 'DELETE') },
  };
}

export function claimJson(asId: string, claim: Claim, orgUrl: string): Record<string, unknown> {
  return {
    id: claim.id,
    name: claim.name,
    status: claim.status,
    claimType: claim.claimType,
    valueType: claim.valueType,
    value: claim.value,
    ...(claim.group_filter_type !== undefined ? { group_filter_type: claim.group_filter_type } : {}),
    alwaysIncludeInToken: claim.alwaysIncludeInToken,
    conditions: { scopes: [...claim.conditions.scopes] },
    system: claim.system,
    _links: { self: link(`${serverBase(orgUrl, asId)}/claims/${claim.id}`, 'GET', 'PUT', 'DELETE') },
  };
}

export function policyJson(asId: string, policy: Stamped<Policy>, orgUrl: string): Record<string, unknown> {
  const self = `${serverBase(orgUrl, asId)}/policies/${policy.id}`;
  return {
    type: policy.type,
    id: policy.id,
    status: policy.status,
    name: policy.name,
    description: policy.description,
    priority: policy.priority,
    system: policy.system,
    conditions: { clients: { include: [...policy.conditions.clients.include] } },
    created: policy.created,
    lastUpdated: policy.lastUpdated,
    _links: {
      self: link(self, 'GET', 'PUT', 'DELETE'),
      ...(policy.status === 'ACTIVE'
        ? { deactivate: link(`${self}/lifecycle/deactivate`, 'POST') }
        : { activate: link(`${self}/lifecycle/activate`, 'POST') }),
      rules: link(`${self}/rules`, 'GET'),
    },
  };
}

export function ruleJson(asId: string, rule: Stamped<Rule>, orgUrl: string): Record<string, unknown> {
  const self = `${serverBase(orgUrl, asId)}/policies/${rule.policyId}/rules/${rule.id}`;
  const people = rule.conditions.people;
  return {
    type: rule.type,
    id: rule.id,
    status: rule.status,
    name: rule.name,
    priority: rule.priority,
    created: rule.created,
    lastUpdated: rule.lastUpdated,
    system: rule.system,
    conditions: {
      people: {
        users: { include: [...people.users?.include ?? []], exclude: [...people.users?.exclude ?? []] },
        groups: { include: [...people.groups?.include ?? []], exclude: [...people.groups?.exclude ?? []] },
      },
      grantTypes: { include: [...rule.conditions.grantTypes.include] },
      scopes: { include: [...rule.conditions.scopes.include] },
    },
    actions: {
      token: {
        accessTokenLifetimeMinutes: rule.actions.token.accessTokenLifetimeMinutes,
        refreshTokenLifetimeMinutes: rule.actions.token.refreshTokenLifetimeMinutes,
        refreshTokenWindowMinutes: rule.actions.token.refreshTokenWindowMinutes,
        inlineHook: null,
      },
    },
    _links: {
      self: link(self, 'GET', 'PUT', 'DELETE'),
      ...(rule.status === 'ACTIVE'
        ? { deactivate: link(`${self}/lifecycle/deactivate`, 'POST') }
        : { activate: link(`${self}/lifecycle/activate`, 'POST') }),
    },
  };
}
