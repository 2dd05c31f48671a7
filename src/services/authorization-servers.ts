/**
 * Authorization servers: the `default` one every org has, others created through the API, with
 * their scopes, claims, access policies and rules, and their signing keys.
 */
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { randomBase62 } from '../kernel/ids.ts';
import {
  claimSchema, defaultAuthorizationServerId, orgAuthorizationServerId, policySchema, reservedClaimNames, ruleSchema, scopeSchema,
  signingSettingsSchema, systemScopes,
  type AuthorizationServer, type Claim, type Policy, type Rule, type Scope,
} from '../domain/authorization-server.ts';
import { everyoneGroupName } from '../domain/group.ts';
import { parseExpression, ExpressionSyntaxError } from '../protocols/expressions/index.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { UniqueViolation, type OrgStore } from './ports.ts';
import { buildEvent } from './system-log.ts';
import { parseOrThrow } from './validation.ts';
import type { SigningKeyService } from './signing-keys.ts';
import { z } from 'zod';

/** Grant types the default rule allows, as Okta's default rule does. */
export const defaultRuleGrantTypes = [
  'authorization_code', 'implicit', 'client_credentials', 'password',
  'urn:ietf:params:oauth:grant-type:device_code', 'urn:openid:params:grant-type:ciba',
  'urn:ietf:params:oauth:grant-type:token-exchange',
];

export const serverInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000).default(''),
  audiences: z.array(z.string().min(1).max(1024)).min(1).max(1),
  issuerMode: z.enum(['ORG_URL', 'CUSTOM_URL', 'DYNAMIC']).default('ORG_URL'),
  credentials: z.object({ signing: signingSettingsSchema.partial().optional() }).optional(),
});

const newId = (prefix: string) => prefix + randomBase62(17);

/** The longest a token signed by a server's key can live: keys stay published this long after retiring. */
export const maxSignedTokenLifetimeSeconds = 24 * 3600;

function asTarget(server: { id: string; name: string }) {
  return { id: server.id, type: 'AuthorizationServer', alternateId: server.id, displayName: server.name };
}

function checkExpression(claim: { valueType: string; value: string }, field: string): void {
  if (claim.valueType !== 'EXPRESSION') return;
  try {
    parseExpression(claim.value);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) throw validationError([`${field}: ${error.message}`], field);
    throw error;
  }
}

export function createAuthorizationServerService(deps: ServiceDeps, keys: SigningKeyService) {
  const { store, clock } = deps;

  async function requireServer(org: OrgStore, id: string): Promise<AuthorizationServer> {
    const server = await org.authorizationServers.findById(id);
    if (!server) throw notFound('AuthorizationServer', id);
    return server;
  }

  /** Writes a new server with Okta's system scopes, and for `default` its default policy and rule. */
  async function insertServer(scoped: OrgStore, server: AuthorizationServer): Promise<void> {
    await scoped.authorizationServers.insert(server);
    for (const s of systemScopes) {
      await scoped.authorizationServers.scopes.insert(server.id, {
        id: newId('scp'), name: s.name, displayName: s.displayName, description: s.description, consent: 'IMPLICIT',
        default: false, metadataPublish: 'ALL_CLIENTS', optional: false, system: true,
      }, server.created);
    }
    if (server.id === defaultAuthorizationServerId) {
      const everyone = await scoped.groups.findByName(everyoneGroupName);
      const policy: Policy = {
        id: newId('00p'), type: 'OAUTH_AUTHORIZATION_POLICY', name: 'Default Policy', description: 'Default policy description',
        status: 'ACTIVE', priority: 1, system: false, conditions: { clients: { include: ['ALL_CLIENTS'] } },
      };
      await scoped.authorizationServers.policies.insert(server.id, policy, server.created);
      const rule: Rule = {
        id: newId('0pr'), policyId: policy.id, type: 'RESOURCE_ACCESS', name: 'Default Policy Rule', status: 'ACTIVE', priority: 1, system: false,
        conditions: {
          people: { groups: { include: everyone ? [everyone.id] : [], exclude: [] } },
          grantTypes: { include: defaultRuleGrantTypes },
          scopes: { include: ['*'] },
        },
        actions: { token: { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
      };
      await scoped.authorizationServers.rules.insert(server.id, rule, server.created);
    }
  }

  /** Creates the org authorization server's keys and the `default` server if the org lacks them. */
  async function ensureOrgServers(orgId: string): Promise<void> {
    const scoped = store.forOrg(orgId);
    if (!(await scoped.authorizationServers.findById(defaultAuthorizationServerId))) {
      const now = clock.now().toISOString();
      try {
        await store.transaction((tx) => insertServer(tx.forOrg(orgId), {
          id: defaultAuthorizationServerId, orgId, name: 'default', description: 'Default Authorization Server',
          audiences: ['api://default'], issuerMode: 'ORG_URL', status: 'ACTIVE', signing: signingSettingsSchema.parse({}),
          created: now, lastUpdated: now,
        }));
      } catch (error) {
        // Another node created it first.
        if (!(error instanceof UniqueViolation)) throw error;
      }
    }
    await keys.ensure(orgId, { type: 'as', id: orgAuthorizationServerId }, 'RS256');
    await keys.ensure(orgId, { type: 'as', id: defaultAuthorizationServerId }, 'RS256');
  }

  async function create(caller: Caller, input: unknown): Promise<AuthorizationServer> {
    const parsed = parseOrThrow(serverInputSchema, input);
    const now = clock.now().toISOString();
    const server: AuthorizationServer = {
      id: newId('aus'), orgId: caller.org.id, name: parsed.name, description: parsed.description, audiences: parsed.audiences,
      issuerMode: parsed.issuerMode, status: 'ACTIVE', signing: signingSettingsSchema.parse(parsed.credentials?.signing ?? {}),
      created: now, lastUpdated: now,
    };
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      await insertServer(scoped, server);
      await scoped.logs.append(buildEvent(clock, caller, 'oauth2.as.created', { targets: [asTarget(server)] }));
    });
    await keys.ensure(caller.org.id, { type: 'as', id: server.id }, server.signing.alg);
    return server;
  }

  async function update(caller: Caller, id: string, input: unknown): Promise<AuthorizationServer> {
    const scoped = store.forOrg(caller.org.id);
    const existing = await requireServer(scoped, id);
    const parsed = parseOrThrow(serverInputSchema, input);
    const server: AuthorizationServer = {
      ...existing, name: parsed.name, description: parsed.description, audiences: parsed.audiences, issuerMode: parsed.issuerMode,
      signing: signingSettingsSchema.parse({ ...existing.signing, ...parsed.credentials?.signing }), lastUpdated: clock.now().toISOString(),
    };
    await store.transaction(async (tx) => {
      await tx.forOrg(caller.org.id).authorizationServers.update(server);
      await tx.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'oauth2.as.updated', { targets: [asTarget(server)] }));
    });
    return server;
  }

  async function setStatus(caller: Caller, id: string, status: AuthorizationServer['status']): Promise<void> {
    const scoped = store.forOrg(caller.org.id);
    const server = await requireServer(scoped, id);
    await store.transaction(async (tx) => {
      await tx.forOrg(caller.org.id).authorizationServers.update({ ...server, status, lastUpdated: clock.now().toISOString() });
      await tx.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, status === 'ACTIVE' ? 'oauth2.as.activated' : 'oauth2.as.deactivated', { targets: [asTarget(server)] }));
    });
  }

  async function remove(caller: Caller, id: string): Promise<void> {
    const scoped = store.forOrg(caller.org.id);
    const server = await requireServer(scoped, id);
    if (server.status === 'ACTIVE') {
      throw validationError(['status: Deactivate the authorization server before deleting it.'], 'status');
    }
    await store.transaction(async (tx) => {
      await tx.forOrg(caller.org.id).authorizationServers.delete(id);
      await tx.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'oauth2.as.deleted', { targets: [asTarget(server)] }));
    });
  }

  async function rotateKeys(caller: Caller, id: string) {
    const scoped = store.forOrg(caller.org.id);
    const server = await requireServer(scoped, id);
    const rotated = await keys.rotate(caller.org.id, { type: 'as', id }, server.signing.alg, maxSignedTokenLifetimeSeconds);
    await scoped.logs.append(buildEvent(clock, caller, 'oauth2.as.key.rollover', { targets: [asTarget(server)] }));
    return rotated;
  }

  // Scopes, claims, policies and rules share one shape of operations.
  async function saveScope(caller: Caller, asId: string, input: unknown, id?: string): Promise<Scope> {
    const scoped = store.forOrg(caller.org.id);
    await requireServer(scoped, asId);
    const parsed = parseOrThrow(scopeSchema, input);
    const existing = id ? await scoped.authorizationServers.scopes.findById(asId, id) : undefined;
    if (id && !existing) throw notFound('OAuth2Scope', id);
    if (existing?.system && parsed.name !== existing.name) throw validationError(['name: A system scope cannot be renamed.'], 'name');
    const scope: Scope = { ...parsed, id: existing?.id ?? newId('scp'), system: existing?.system ?? false };
    return saveDocument(caller, () => existing
      ? scoped.authorizationServers.scopes.update(asId, scope, clock.now().toISOString())
      : scoped.authorizationServers.scopes.insert(asId, scope, clock.now().toISOString()), scope, 'name');
  }

  async function saveClaim(caller: Caller, asId: string, input: unknown, id?: string): Promise<Claim> {
    const scoped = store.forOrg(caller.org.id);
    await requireServer(scoped, asId);
    const parsed = parseOrThrow(claimSchema, input);
    if (reservedClaimNames.has(parsed.name)) throw validationError([`name: ${parsed.name} is a reserved claim name.`], 'name');
    checkExpression(parsed, 'value');
    const existing = id ? await scoped.authorizationServers.claims.findById(asId, id) : undefined;
    if (id && !existing) throw notFound('OAuth2Claim', id);
    const claim: Claim = { ...parsed, id: existing?.id ?? newId('ocl'), system: existing?.system ?? false };
    return saveDocument(caller, () => existing
      ? scoped.authorizationServers.claims.update(asId, claim, clock.now().toISOString())
      : scoped.authorizationServers.claims.insert(asId, claim, clock.now().toISOString()), claim, 'name');
  }

  async function savePolicy(caller: Caller, asId: string, input: unknown, id?: string): Promise<Policy> {
    const scoped = store.forOrg(caller.org.id);
    await requireServer(scoped, asId);
    const parsed = parseOrThrow(policySchema, input);
    const existing = id ? await scoped.authorizationServers.policies.findById(asId, id) : undefined;
    if (id && !existing) throw notFound('OAuth2Policy', id);
    const others = (await scoped.authorizationServers.policies.list(asId)).filter((p) => p.id !== id);
    const policy: Policy = {
      ...parsed, id: existing?.id ?? newId('00p'), type: 'OAUTH_AUTHORIZATION_POLICY', system: existing?.system ?? false,
      priority: parsed.priority ?? existing?.priority ?? others.length + 1,
    };
    return saveDocument(caller, () => existing
      ? scoped.authorizationServers.policies.update(asId, policy, clock.now().toISOString())
      : scoped.authorizationServers.policies.insert(asId, policy, clock.now().toISOString()), policy, 'name');
  }

  async function saveRule(caller: Caller, asId: string, policyId: string, input: unknown, id?: string): Promise<Rule> {
    const scoped = store.forOrg(caller.org.id);
    await requireServer(scoped, asId);
    if (!(await scoped.authorizationServers.policies.findById(asId, policyId))) throw notFound('OAuth2Policy', policyId);
    const parsed = parseOrThrow(ruleSchema, input);
    const existing = id ? await scoped.authorizationServers.rules.findById(asId, id) : undefined;
    if (id && (!existing || existing.policyId !== policyId)) throw notFound('OAuth2PolicyRule', id);
    const siblings = (await scoped.authorizationServers.rules.list(asId)).filter((r) => r.policyId === policyId && r.id !== id);
    const rule: Rule = {
      ...parsed, id: existing?.id ?? newId('0pr'), policyId, type: 'RESOURCE_ACCESS', system: existing?.system ?? false,
      priority: parsed.priority ?? existing?.priority ?? siblings.length + 1,
    };
    return saveDocument(caller, () => existing
      ? scoped.authorizationServers.rules.update(asId, rule, clock.now().toISOString())
      : scoped.authorizationServers.rules.insert(asId, rule, clock.now().toISOString()), rule, 'name');
  }

  async function saveDocument<T extends { id: string; name: string }>(caller: Caller, write: () => Promise<void>, document: T, field: string): Promise<T> {
    try {
      await write();
    } catch (error) {
      if (error instanceof UniqueViolation) throw validationError([`${field}: An object with this field already exists in the current authorization server`], field);
      throw error;
    }
    await store.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'oauth2.as.config.updated', {
      targets: [{ id: document.id, type: 'AuthorizationServerSetting', alternateId: document.id, displayName: document.name }],
    }));
    return document;
  }

  async function removeScope(caller: Caller, asId: string, id: string): Promise<void> {
    const scoped = store.forOrg(caller.org.id);
    const scope = await scoped.authorizationServers.scopes.findById(asId, id);
    if (!scope) throw notFound('OAuth2Scope', id);
    if (scope.system) throw new AppError('resource.read_only', { causes: ['System scopes cannot be deleted.'] });
    await scoped.authorizationServers.scopes.delete(asId, id);
  }

  async function removeDocument(caller: Caller, asId: string, kind: 'claims' | 'policies' | 'rules', id: string, type: string): Promise<void> {
    const scoped = store.forOrg(caller.org.id);
    await requireServer(scoped, asId);
    if (!(await scoped.authorizationServers[kind].delete(asId, id))) throw notFound(type, id);
  }

  return {
    ensureOrgServers, create, update, setStatus, remove, rotateKeys, requireServer,
    get: (caller: Caller, id: string) => requireServer(store.forOrg(caller.org.id), id),
    list: (caller: Caller) => store.forOrg(caller.org.id).authorizationServers.list(),
    saveScope, saveClaim, savePolicy, saveRule, removeScope,
    removeClaim: (caller: Caller, asId: string, id: string) => removeDocument(caller, asId, 'claims', id, 'OAuth2Claim'),
    removePolicy: (caller: Caller, asId: string, id: string) => removeDocument(caller, asId, 'policies', id, 'OAuth2Policy'),
    removeRule: (caller: Caller, asId: string, id: string) => removeDocument(caller, asId, 'rules', id, 'OAuth2PolicyRule'),
  };
}

export type AuthorizationServerService = ReturnType<typeof createAuthorizationServerService>;
