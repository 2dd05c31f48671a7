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
import { InvalidCursor, UniqueViolation, type AsDocumentRepository, type OrgStore, type Page, type SigningKeyRecord } from './ports.ts';
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

/** A policy or rule with the moments its record was written. */
export type Stamped<T> = T & { readonly created: string; readonly lastUpdated: string };

/** Okta's `q` on servers: a case-insensitive prefix of the name or of an audience. */
function matchesQuery(server: AuthorizationServer, q: string): boolean {
  const needle = q.toLowerCase();
  return [server.name, ...server.audiences].some((v) => v.toLowerCase().startsWith(needle));
}

const encodeCursor = (server: AuthorizationServer) => Buffer.from(JSON.stringify([server.created, server.id])).toString('base64url');

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) return value as [string, string];
  } catch {
    // Not JSON: not a cursor this API issued.
  }
  throw new InvalidCursor();
}

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

/**
 * Okta keeps priorities 1…n without gaps: a policy or rule saved at a priority another holds goes
 * in before it and moves the later ones down; a priority past the end (or none) puts it last.
 * Returns the priority it gets and the others whose priority changed.
 */
export function placeByPriority<T extends { id: string; priority: number }>(others: readonly T[], wanted: number | undefined): { priority: number; moved: T[] } {
  const ordered = [...others].sort((a, b) => a.priority - b.priority);
  const priority = Math.min(Math.max(1, wanted ?? ordered.length + 1), ordered.length + 1);
  const moved: T[] = [];
  ordered.forEach((item, index) => {
    const next = index + 1 < priority ? index + 1 : index + 2;
    if (item.priority !== next) moved.push({ ...item, priority: next });
  });
  return { priority, moved };
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
    if (server.id === defaultAuthorizationServerId) {
      throw new AppError('resource.read_only', { causes: ['The default authorization server cannot be deleted.'] });
    }
    if (server.status === 'ACTIVE') {
      throw validationError(['status: Deactivate the authorization server before deleting it.'], 'status');
    }
    await store.transaction(async (tx) => {
      await tx.forOrg(caller.org.id).authorizationServers.delete(id);
      for (const key of await tx.forOrg(caller.org.id).signingKeys.listForOwner('as', id)) await tx.forOrg(caller.org.id).signingKeys.delete(key.kid);
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
    if (id && !existing) throw notFound('AuthorizationServerPolicy', id);
    const others = (await scoped.authorizationServers.policies.list(asId)).filter((p) => p.id !== id);
    const placed = placeByPriority(others, parsed.priority ?? existing?.priority);
    const policy: Policy = {
      ...parsed, id: existing?.id ?? newId('00p'), type: 'OAUTH_AUTHORIZATION_POLICY', system: existing?.system ?? false, priority: placed.priority,
    };
    const now = clock.now().toISOString();
    const saved = await saveDocument(caller, () => existing
      ? scoped.authorizationServers.policies.update(asId, policy, now)
      : scoped.authorizationServers.policies.insert(asId, policy, now), policy, 'name');
    for (const moved of placed.moved) await scoped.authorizationServers.policies.update(asId, moved, now);
    return saved;
  }

  async function saveRule(caller: Caller, asId: string, policyId: string, input: unknown, id?: string): Promise<Rule> {
    const scoped = store.forOrg(caller.org.id);
    await requireServer(scoped, asId);
    if (!(await scoped.authorizationServers.policies.findById(asId, policyId))) throw notFound('AuthorizationServerPolicy', policyId);
    const parsed = parseOrThrow(ruleSchema, input);
    const { accessTokenLifetimeMinutes: access, refreshTokenLifetimeMinutes: refresh } = parsed.actions.token;
    if (refresh !== 0 && refresh < access) {
      throw validationError(['actions.token.refreshTokenLifetimeMinutes: must be 0 (unlimited) or at least accessTokenLifetimeMinutes'], 'actions.token.refreshTokenLifetimeMinutes');
    }
    const existing = id ? await scoped.authorizationServers.rules.findById(asId, id) : undefined;
    if (id && (!existing || existing.policyId !== policyId)) throw notFound('AuthorizationServerPolicyRule', id);
    const siblings = (await scoped.authorizationServers.rules.list(asId)).filter((r) => r.policyId === policyId && r.id !== id);
    const placed = placeByPriority(siblings, parsed.priority ?? existing?.priority);
    const rule: Rule = {
      ...parsed, id: existing?.id ?? newId('0pr'), policyId, type: 'RESOURCE_ACCESS', system: existing?.system ?? false, priority: placed.priority,
    };
    const now = clock.now().toISOString();
    const saved = await saveDocument(caller, () => existing
      ? scoped.authorizationServers.rules.update(asId, rule, now)
      : scoped.authorizationServers.rules.insert(asId, rule, now), rule, 'name');
    for (const moved of placed.moved) await scoped.authorizationServers.rules.update(asId, moved, now);
    return saved;
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
    await requireServer(scoped, asId);
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

  /** One page of the org's servers in creation order, optionally those whose name or an audience starts with `q`. */
  async function listPage(caller: Caller, query: { q?: string | undefined; limit: number; after?: string | undefined }): Promise<Page<AuthorizationServer>> {
    let servers = await store.forOrg(caller.org.id).authorizationServers.list();
    if (query.q) servers = servers.filter((s) => matchesQuery(s, query.q!));
    if (query.after !== undefined) {
      const [created, id] = decodeCursor(query.after);
      servers = servers.filter((s) => s.created > created || (s.created === created && s.id > id));
    }
    const items = servers.slice(0, query.limit);
    return servers.length > query.limit ? { items, next: encodeCursor(items[items.length - 1]!) } : { items };
  }

  /** The server's published keys: ACTIVE, NEXT, then EXPIRED ones still inside their verification window, newest first. */
  async function keysOf(caller: Caller, asId: string): Promise<SigningKeyRecord[]> {
    const server = await requireServer(store.forOrg(caller.org.id), asId);
    const all = await keys.ensure(caller.org.id, { type: 'as', id: server.id }, server.signing.alg);
    const now = clock.now().toISOString();
    const order = { ACTIVE: 0, NEXT: 1, EXPIRED: 2 } as const;
    return all.filter((k) => k.status !== 'EXPIRED' || !k.deleteAfter || k.deleteAfter > now)
      .sort((a, b) => order[a.status] - order[b.status] || (b.retired ?? b.created).localeCompare(a.retired ?? a.created));
  }

  async function withStamps<T extends { id: string }>(repo: AsDocumentRepository<T>, asId: string, documents: T[]): Promise<Stamped<T>[]> {
    const stamps = await repo.timestamps(asId);
    return documents.map((d) => ({ ...d, ...(stamps.get(d.id) ?? { created: '', lastUpdated: '' }) }));
  }

  async function getScope(caller: Caller, asId: string, id: string): Promise<Scope> {
    const scoped = store.forOrg(caller.org.id);
    await requireServer(scoped, asId);
    const scope = await scoped.authorizationServers.scopes.findById(asId, id);
    if (!scope) throw notFound('OAuth2Scope', id);
    return scope;
  }

  async function getClaim(caller: Caller, asId: string, id: string): Promise<Claim> {
    const scoped = store.forOrg(caller.org.id);
    await requireServer(scoped, asId);
    const claim = await scoped.authorizationServers.claims.findById(asId, id);
    if (!claim) throw notFound('OAuth2Claim', id);
    return claim;
  }

  async function getPolicy(caller: Caller, asId: string, id: string): Promise<Stamped<Policy>> {
    const scoped = store.forOrg(caller.org.id);
    await requireServer(scoped, asId);
    const policy = await scoped.authorizationServers.policies.findById(asId, id);
    if (!policy) throw notFound('AuthorizationServerPolicy', id);
    return (await withStamps(scoped.authorizationServers.policies, asId, [policy]))[0]!;
  }

  async function getRule(caller: Caller, asId: string, policyId: string, id: string): Promise<Stamped<Rule>> {
    const scoped = store.forOrg(caller.org.id);
    await getPolicy(caller, asId, policyId);
    const rule = await scoped.authorizationServers.rules.findById(asId, id);
    if (!rule || rule.policyId !== policyId) throw notFound('AuthorizationServerPolicyRule', id);
    return (await withStamps(scoped.authorizationServers.rules, asId, [rule]))[0]!;
  }

  async function listPolicies(caller: Caller, asId: string): Promise<Stamped<Policy>[]> {
    const scoped = store.forOrg(caller.org.id);
    await requireServer(scoped, asId);
    return withStamps(scoped.authorizationServers.policies, asId, await scoped.authorizationServers.policies.list(asId));
  }

  async function listRules(caller: Caller, asId: string, policyId: string): Promise<Stamped<Rule>[]> {
    const scoped = store.forOrg(caller.org.id);
    await getPolicy(caller, asId, policyId);
    const rules = (await scoped.authorizationServers.rules.list(asId)).filter((r) => r.policyId === policyId);
    return withStamps(scoped.authorizationServers.rules, asId, rules);
  }

  /** Activates or deactivates a policy: only its status changes. */
  async function setPolicyStatus(caller: Caller, asId: string, id: string, status: Policy['status']): Promise<void> {
    const { created: _c, lastUpdated: _u, ...policy } = await getPolicy(caller, asId, id);
    if (policy.status === status) return;
    await saveDocument(caller, () => store.forOrg(caller.org.id).authorizationServers.policies
      .update(asId, { ...policy, status }, clock.now().toISOString()), policy, 'name');
  }

  /** Activates or deactivates a rule: only its status changes. */
  async function setRuleStatus(caller: Caller, asId: string, policyId: string, id: string, status: Rule['status']): Promise<void> {
    const { created: _c, lastUpdated: _u, ...rule } = await getRule(caller, asId, policyId, id);
    if (rule.status === status) return;
    await saveDocument(caller, () => store.forOrg(caller.org.id).authorizationServers.rules
      .update(asId, { ...rule, status }, clock.now().toISOString()), rule, 'name');
  }

  /** One page of a server's scopes by name, optionally those whose name starts with `q` (any case). */
  async function listScopes(caller: Caller, asId: string, query: { q?: string | undefined; limit: number; after?: string | undefined }): Promise<Page<Scope>> {
    const scoped = store.forOrg(caller.org.id);
    await requireServer(scoped, asId);
    let scopes = (await scoped.authorizationServers.scopes.list(asId)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (query.q) scopes = scopes.filter((s) => s.name.toLowerCase().startsWith(query.q!.toLowerCase()));
    if (query.after !== undefined) {
      const after = Buffer.from(query.after, 'base64url').toString('utf8');
      if (!after || Buffer.from(after).toString('base64url') !== query.after) throw new InvalidCursor();
      scopes = scopes.filter((s) => s.name > after);
    }
    const items = scopes.slice(0, query.limit);
    return scopes.length > query.limit ? { items, next: Buffer.from(items[items.length - 1]!.name).toString('base64url') } : { items };
  }

  async function removeRule(caller: Caller, asId: string, policyId: string, id: string): Promise<void> {
    const rule = await getRule(caller, asId, policyId, id);
    if (rule.system) throw new AppError('resource.read_only', { causes: ['System rules cannot be deleted.'] });
    await removeDocument(caller, asId, 'rules', id, 'AuthorizationServerPolicyRule');
  }

  /** Wraps a use case that changes a server so engines built from the old state are dropped at once. */
  function announcing<A extends [Caller, ...unknown[]], R>(change: (...args: A) => Promise<R>) {
    return async (...args: A): Promise<R> => {
      const result = await change(...args);
      deps.changes.announce(args[0].org.id, 'authorization-server');
      return result;
    };
  }

  return {
    listPage, keysOf, getScope, getClaim, getPolicy, getRule, listPolicies, listRules, listScopes,
    listClaims: async (caller: Caller, asId: string) => {
      await requireServer(store.forOrg(caller.org.id), asId);
      return store.forOrg(caller.org.id).authorizationServers.claims.list(asId);
    },
    ensureOrgServers, requireServer,
    get: (caller: Caller, id: string) => requireServer(store.forOrg(caller.org.id), id),
    list: (caller: Caller) => store.forOrg(caller.org.id).authorizationServers.list(),
    create: announcing(create),
    update: announcing(update),
    setStatus: announcing(setStatus),
    remove: announcing(remove),
    rotateKeys: announcing(rotateKeys),
    setPolicyStatus: announcing(setPolicyStatus),
    setRuleStatus: announcing(setRuleStatus),
    saveScope: announcing(saveScope),
    saveClaim: announcing(saveClaim),
    savePolicy: announcing(savePolicy),
    saveRule: announcing(saveRule),
    removeScope: announcing(removeScope),
    removeClaim: announcing((caller: Caller, asId: string, id: string) => removeDocument(caller, asId, 'claims', id, 'OAuth2Claim')),
    removePolicy: announcing((caller: Caller, asId: string, id: string) => removeDocument(caller, asId, 'policies', id, 'AuthorizationServerPolicy')),
    removeRule: announcing(removeRule),
  };
}

export type AuthorizationServerService = ReturnType<typeof createAuthorizationServerService>;
