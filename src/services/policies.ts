/**
 * Org policies (`/api/v1/policies`) and their rules, as Okta's Policy API: the global session
 * policy (OKTA_SIGN_ON), password policies (PASSWORD) and app sign-on policies (ACCESS_POLICY),
 * and which app sign-on policy an app uses (`PUT /api/v1/apps/{appId}/policies/{policyId}`).
 *
 * Every org has Okta's defaults: a "Default Policy" of each type with a default rule, all
 * `system`, kept last, never deleted or deactivated. The default PASSWORD policy has no settings
 * of its own: it shows and edits the org's password and lockout settings, the one place they live.
 */
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { everyoneGroupName } from '../domain/group.ts';
import {
  allZones, orderByPriority, policyInputSchema, ruleInputSchema, ruleTypeOf,
  type IncludeExclude, type OrgPolicy, type OrgPolicyRule, type PolicyType, type RuleConditions,
} from '../domain/policy.ts';
import { orgPasswordSettings, orgSettingsFromPassword, passwordPolicySettingsSchema } from '../domain/password-policy-settings.ts';
import type { EventType } from '../domain/log-event.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { UniqueViolation, type OrgStore, type Timestamped } from './ports.ts';
import { buildEvent } from './system-log.ts';
import { parseOrThrow } from './validation.ts';
import type { NetworkZoneService } from './network-zones.ts';

/** Changes the org's settings (the org service's, which keeps its caches right). */
export type UpdateOrgSettings = (caller: Caller, changes: Record<string, unknown>) => Promise<unknown>;

const defaultDescription = 'The default policy applies in all situations if no other policy applies.';

const policyTarget = (p: { id: string; name: string }) => ({ id: p.id, type: 'PolicyEntity', alternateId: p.id, displayName: p.name });
const ruleTarget = (r: { id: string; name: string }) => ({ id: r.id, type: 'PolicyRule', alternateId: r.id, displayName: r.name });
const strip = <T extends object>({ created: _c, lastUpdated: _u, ...rest }: Timestamped<T>) => rest as unknown as T;

export function createPolicyService(deps: ServiceDeps, zones: NetworkZoneService, updateOrgSettings: UpdateOrgSettings) {
  const { store, clock } = deps;
  const ensured = new Set<string>();

  /** Writes the org's default zones, policies and rules when it lacks them; once per org and process. */
  async function ensureDefaults(orgId: string): Promise<void> {
    if (ensured.has(orgId)) return;
    await zones.ensureDefaultZones(orgId);
    const scoped = store.forOrg(orgId);
    const org = await store.orgs.findById(orgId);
    const everyone = await scoped.groups.findByName(everyoneGroupName);
    const existing = await scoped.policies.list();
    const people = { people: { groups: { include: everyone ? [everyone.id] : [], exclude: [] } } };
    const anywhere = { network: { connection: 'ANYWHERE' as const, include: [], exclude: [] } };
    const defaults: { policy: Omit<OrgPolicy, 'id' | 'priority' | 'status' | 'system'>; rule: Omit<OrgPolicyRule, 'id' | 'policyId' | 'priority' | 'status' | 'system'> }[] = [
      {
        policy: { type: 'OKTA_SIGN_ON', name: 'Default Policy', description: defaultDescription, conditions: people, settings: null },
        rule: {
          type: 'SIGN_ON', name: 'Default Rule', conditions: anywhere,
          actions: {
            signon: {
              access: 'ALLOW', requireFactor: false, rememberDeviceByDefault: false,
              session: { maxSessionIdleMinutes: org?.settings.session.idleMinutes ?? 120, maxSessionLifetimeMinutes: org?.settings.session.maxLifetimeMinutes ?? 0, usePersistentCookie: false },
            },
          },
        },
      },
      {
        policy: { type: 'PASSWORD', name: 'Default Policy', description: defaultDescription, conditions: people, settings: null },
        rule: {
          type: 'PASSWORD', name: 'Default Rule', conditions: anywhere,
          actions: { passwordChange: { access: 'ALLOW' }, selfServicePasswordReset: { access: 'ALLOW' }, selfServiceUnlock: { access: 'DENY' } },
        },
      },
      {
        policy: { type: 'ACCESS_POLICY', name: 'Default Policy', description: 'The default app sign-on policy: one factor, for every app without a policy of its own.', conditions: null, settings: null },
        rule: {
          type: 'ACCESS_POLICY', name: 'Catch-all Rule', conditions: {},
          actions: { appSignOn: { access: 'ALLOW', verificationMethod: { type: 'ASSURANCE', factorMode: '1FA', constraints: [] } } },
        },
      },
    ];
    const now = clock.now().toISOString();
    for (const { policy, rule } of defaults) {
      if (existing.some((p) => p.system && p.type === policy.type)) continue;
      const stored: OrgPolicy = { ...policy, id: newId('policy'), status: 'ACTIVE', priority: existing.filter((p) => p.type === policy.type).length + 1, system: true };
      try {
        await store.transaction(async (tx) => {
          await tx.forOrg(orgId).policies.insert(stored, now, policy.type);
          await tx.forOrg(orgId).policies.insertRule({ ...rule, id: newId('policyRule'), policyId: stored.id, priority: 1, status: 'ACTIVE', system: true }, now);
        });
      } catch (error) {
        // Another node wrote the defaults first.
        if (!(error instanceof UniqueViolation)) throw error;
      }
    }
    ensured.add(orgId);
  }

  async function scopedFor(caller: Caller): Promise<OrgStore> {
    await ensureDefaults(caller.org.id);
    return store.forOrg(caller.org.id);
  }

  /** The policy as the API shows it: the default PASSWORD policy with the org's settings. */
  async function present(orgId: string, policy: Timestamped<OrgPolicy>): Promise<Timestamped<OrgPolicy>> {
    if (policy.type !== 'PASSWORD') return policy;
    if (!policy.system) return policy;
    const org = await store.orgs.findById(orgId);
    return { ...policy, settings: { password: orgPasswordSettings(org!.settings), recovery: { factors: {} }, delegation: { options: { skipUnlock: false } } } };
  }

  async function requirePolicy(scoped: OrgStore, id: string): Promise<Timestamped<OrgPolicy>> {
    const policy = await scoped.policies.findById(id);
    if (!policy) throw notFound('Policy', id);
    return policy;
  }

  async function checkPeople(scoped: OrgStore, field: string, people: { users?: IncludeExclude; groups?: IncludeExclude } | undefined): Promise<string[]> {
    const causes: string[] = [];
    for (const kind of ['include', 'exclude'] as const) {
      for (const id of people?.groups?.[kind] ?? []) {
        if (!(await scoped.groups.findById(id))) causes.push(`${field}.groups.${kind}: no group ${id} in this org`);
      }
      for (const id of people?.users?.[kind] ?? []) {
        if (!(await scoped.users.findById(id))) causes.push(`${field}.users.${kind}: no user ${id} in this org`);
      }
    }
    return causes;
  }

  async function checkConditions(scoped: OrgStore, conditions: RuleConditions): Promise<void> {
    const causes = await checkPeople(scoped, 'conditions.people', conditions.people);
    const zoneIds = new Set((await scoped.networkZones.list()).filter((z) => z.usage === 'POLICY').map((z) => z.id));
    for (const kind of ['include', 'exclude'] as const) {
      for (const id of conditions.network?.[kind] ?? []) {
        if (id !== allZones && !zoneIds.has(id)) causes.push(`conditions.network.${kind}: no POLICY zone ${id} in this org`);
      }
    }
    if (causes.length > 0) throw validationError(causes);
  }

  async function log(caller: Caller, type: EventType, target: ReturnType<typeof policyTarget>, scoped: OrgStore): Promise<void> {
    await scoped.logs.append(buildEvent(clock, caller, type, { targets: [target] }));
  }

  /** Writes a policy at its place in its type's order, moving the others. */
  async function place(scoped: OrgStore, policy: OrgPolicy, wanted: number | undefined, isNew: boolean): Promise<void> {
    const others = (await scoped.policies.list(policy.type)).filter((p) => p.id !== policy.id).map(strip<OrgPolicy>);
    const now = clock.now().toISOString();
    for (const item of orderByPriority(others, policy, wanted)) {
      if (item.id === policy.id) {
        if (isNew) await scoped.policies.insert(item, now);
        else await scoped.policies.update(item, now);
      } else if (item.priority !== others.find((o) => o.id === item.id)!.priority) {
        await scoped.policies.update(item, now);
      }
    }
  }

  async function save(caller: Caller, raw: unknown, options: { id?: string; activate?: boolean }): Promise<Timestamped<OrgPolicy>> {
    const scoped = await scopedFor(caller);
    const input = parseOrThrow(policyInputSchema, raw);
    const existing = options.id ? await requirePolicy(scoped, options.id) : undefined;
    if (existing && input.type !== existing.type) throw validationError([`type: a ${existing.type} policy cannot become ${input.type}`], 'type');
    const causes: string[] = [];
    let settings: Record<string, unknown> | null = null;
    if (input.type === 'PASSWORD') {
      const parsed = passwordPolicySettingsSchema.safeParse(input.settings ?? {});
      if (!parsed.success) throw validationError(parsed.error.issues.map((i) => `settings.${i.path.join('.')}: ${i.message}`));
      settings = parsed.data;
    } else if (input.settings && Object.keys(input.settings).length > 0) {
      causes.push(`settings: ${input.type} policies have no settings`);
    }
    const groups = input.conditions?.people?.groups;
    if (input.type === 'ACCESS_POLICY' && input.conditions?.people) causes.push('conditions: ACCESS_POLICY policies have no conditions; put them in rules');
    if (input.type !== 'ACCESS_POLICY' && !existing?.system && !(groups?.include.length)) causes.push('conditions.people.groups.include: name at least one group');
    if (existing?.system && input.name !== existing.name) causes.push(`name: the default policy keeps its name (${existing.name})`);
    causes.push(...await checkPeople(scoped, 'conditions.people', input.conditions?.people));
    if (causes.length > 0) throw validationError(causes);

    const policy: OrgPolicy = existing?.system
      ? { ...strip(existing), description: input.description ?? null }
      : {
        id: existing?.id ?? newId('policy'), type: input.type, name: input.name, description: input.description ?? null,
        status: existing?.status ?? (options.activate === false ? 'INACTIVE' : input.status ?? 'ACTIVE'),
        priority: existing?.priority ?? 0, system: false,
        conditions: input.type === 'ACCESS_POLICY' ? null : { people: { groups: { include: groups?.include ?? [], exclude: groups?.exclude ?? [] } } },
        settings,
      };
    if (existing?.system && policy.type === 'PASSWORD') {
      // The default password policy's settings are the org's own.
      await updateOrgSettings(caller, orgSettingsFromPassword((settings as { password: Parameters<typeof orgSettingsFromPassword>[0] }).password));
    }
    await store.transaction(async (tx) => {
      const txScoped = tx.forOrg(caller.org.id);
      await place(txScoped, policy, existing?.system ? undefined : input.priority ?? existing?.priority, !existing);
      await log(caller, existing ? 'policy.lifecycle.update' : 'policy.lifecycle.create', policyTarget(policy), txScoped);
    });
    return present(caller.org.id, await requirePolicy(store.forOrg(caller.org.id), policy.id));
  }

  async function list(caller: Caller, query: { type: PolicyType; status?: string | undefined; q?: string | undefined }): Promise<Timestamped<OrgPolicy>[]> {
    const scoped = await scopedFor(caller);
    let policies = await scoped.policies.list(query.type);
    if (query.status) policies = policies.filter((p) => p.status === query.status);
    if (query.q) policies = policies.filter((p) => p.name.toLowerCase().startsWith(query.q!.toLowerCase()));
    return Promise.all(policies.map((p) => present(caller.org.id, p)));
  }

  async function get(caller: Caller, id: string): Promise<Timestamped<OrgPolicy>> {
    return present(caller.org.id, await requirePolicy(await scopedFor(caller), id));
  }

  async function setStatus(caller: Caller, id: string, status: OrgPolicy['status']): Promise<void> {
    const scoped = await scopedFor(caller);
    const policy = strip(await requirePolicy(scoped, id));
    if (policy.status === status) return;
    if (policy.system) throw new AppError('resource.read_only', { causes: ['The default policy is always active.'] });
    if (status === 'INACTIVE' && (await scoped.policies.appsOfPolicy(id)).length > 0) {
      throw new AppError('resource.in_use', { detail: 'policy', causes: ['policy: apps use this policy; give them another first'] });
    }
    await store.transaction(async (tx) => {
      await tx.forOrg(caller.org.id).policies.update({ ...policy, status }, clock.now().toISOString());
      await log(caller, status === 'ACTIVE' ? 'policy.lifecycle.activate' : 'policy.lifecycle.deactivate', policyTarget(policy), tx.forOrg(caller.org.id));
    });
  }

  async function remove(caller: Caller, id: string): Promise<void> {
    const scoped = await scopedFor(caller);
    const policy = await requirePolicy(scoped, id);
    if (policy.system) throw new AppError('resource.read_only', { causes: ['The default policy cannot be deleted.'] });
    const apps = await scoped.policies.appsOfPolicy(id);
    if (apps.length > 0) {
      throw new AppError('resource.in_use', { detail: 'policy', causes: apps.map((appId) => `policy: the app ${appId} uses this policy; give it another first`) });
    }
    await store.transaction(async (tx) => {
      const txScoped = tx.forOrg(caller.org.id);
      await txScoped.policies.delete(id);
      // Close the gap the policy leaves.
      const rest = (await txScoped.policies.list(policy.type)).map(strip<OrgPolicy>);
      for (const [index, p] of rest.entries()) if (p.priority !== index + 1) await txScoped.policies.update({ ...p, priority: index + 1 }, clock.now().toISOString());
      await log(caller, 'policy.lifecycle.delete', policyTarget(policy), txScoped);
    });
  }

  // Rules.

  async function requireRule(scoped: OrgStore, policyId: string, id: string): Promise<Timestamped<OrgPolicyRule>> {
    const rule = await scoped.policies.findRule(policyId, id);
    if (!rule) throw notFound('PolicyRule', id);
    return rule;
  }

  async function saveRule(caller: Caller, policyId: string, raw: unknown, options: { id?: string; activate?: boolean }): Promise<Timestamped<OrgPolicyRule>> {
    const scoped = await scopedFor(caller);
    const policy = await requirePolicy(scoped, policyId);
    const existing = options.id ? await requireRule(scoped, policyId, options.id) : undefined;
    const input = parseOrThrow(ruleInputSchema, raw);
    const type = ruleTypeOf[policy.type];
    const causes: string[] = [];
    if (input.type !== undefined && input.type !== type) causes.push(`type: the rules of a ${policy.type} policy are of type ${type}`);
    const actions = input.actions;
    const own = { OKTA_SIGN_ON: ['signon'], PASSWORD: ['passwordChange', 'selfServicePasswordReset', 'selfServiceUnlock'], ACCESS_POLICY: ['appSignOn'] }[policy.type];
    for (const key of ['signon', 'appSignOn', 'passwordChange', 'selfServicePasswordReset', 'selfServiceUnlock'] as const) {
      if (actions[key] !== undefined && !own.includes(key)) causes.push(`actions.${key}: not an action of ${type} rules`);
    }
    if (policy.type === 'OKTA_SIGN_ON' && !actions.signon) causes.push('actions.signon: is required');
    if (policy.type === 'ACCESS_POLICY' && !actions.appSignOn) causes.push('actions.appSignOn: is required');
    const conditions: RuleConditions = {
      ...(input.conditions?.people ? { people: input.conditions.people } : {}),
      ...(input.conditions?.network ? { network: input.conditions.network } : {}),
    };
    if (existing?.system) {
      if (input.name !== existing.name) causes.push(`name: the default rule keeps its name (${existing.name})`);
      if (JSON.stringify(conditions.people ?? {}) !== JSON.stringify(existing.conditions.people ?? {})
        || (conditions.network?.connection ?? 'ANYWHERE') !== (existing.conditions.network?.connection ?? 'ANYWHERE')) {
        causes.push('conditions: the default rule applies to everyone, everywhere; add a rule for narrower conditions');
      }
    }
    if (causes.length > 0) throw validationError(causes);
    await checkConditions(scoped, conditions);
    const ruleActions: OrgPolicyRule['actions'] = policy.type === 'PASSWORD'
      ? {
        passwordChange: actions.passwordChange ?? { access: 'ALLOW' },
        selfServicePasswordReset: actions.selfServicePasswordReset ?? { access: 'ALLOW' },
        selfServiceUnlock: actions.selfServiceUnlock ?? { access: 'DENY' },
      }
      : policy.type === 'OKTA_SIGN_ON' ? { signon: actions.signon! } : { appSignOn: actions.appSignOn! };
    const rule: OrgPolicyRule = {
      id: existing?.id ?? newId('policyRule'), policyId, type, name: existing?.system ? existing.name : input.name,
      status: existing?.status ?? (options.activate === false ? 'INACTIVE' : input.status ?? 'ACTIVE'),
      priority: existing?.priority ?? 0, system: existing?.system ?? false, conditions: existing?.system ? existing.conditions : conditions, actions: ruleActions,
    };
    await store.transaction(async (tx) => {
      const txScoped = tx.forOrg(caller.org.id);
      const others = (await txScoped.policies.listRules(policyId)).filter((r) => r.id !== rule.id).map(strip<OrgPolicyRule>);
      const now = clock.now().toISOString();
      for (const item of orderByPriority(others, rule, rule.system ? undefined : input.priority ?? existing?.priority)) {
        if (item.id === rule.id) {
          if (existing) await txScoped.policies.updateRule(item, now);
          else await txScoped.policies.insertRule(item, now);
        } else if (item.priority !== others.find((o) => o.id === item.id)!.priority) {
          await txScoped.policies.updateRule(item, now);
        }
      }
      await log(caller, existing ? 'policy.rule.update' : 'policy.rule.add', ruleTarget(rule), txScoped);
    });
    return requireRule(store.forOrg(caller.org.id), policyId, rule.id);
  }

  async function listRules(caller: Caller, policyId: string): Promise<Timestamped<OrgPolicyRule>[]> {
    const scoped = await scopedFor(caller);
    await requirePolicy(scoped, policyId);
    return scoped.policies.listRules(policyId);
  }

  async function getRule(caller: Caller, policyId: string, id: string): Promise<Timestamped<OrgPolicyRule>> {
    const scoped = await scopedFor(caller);
    await requirePolicy(scoped, policyId);
    return requireRule(scoped, policyId, id);
  }

  async function setRuleStatus(caller: Caller, policyId: string, id: string, status: OrgPolicyRule['status']): Promise<void> {
    const rule = strip(await getRule(caller, policyId, id));
    if (rule.status === status) return;
    if (rule.system) throw new AppError('resource.read_only', { causes: ['The default rule is always active.'] });
    await store.transaction(async (tx) => {
      await tx.forOrg(caller.org.id).policies.updateRule({ ...rule, status }, clock.now().toISOString());
      await log(caller, status === 'ACTIVE' ? 'policy.rule.activate' : 'policy.rule.deactivate', ruleTarget(rule), tx.forOrg(caller.org.id));
    });
  }

  async function removeRule(caller: Caller, policyId: string, id: string): Promise<void> {
    const rule = await getRule(caller, policyId, id);
    if (rule.system) throw new AppError('resource.read_only', { causes: ['The default rule cannot be deleted.'] });
    await store.transaction(async (tx) => {
      const txScoped = tx.forOrg(caller.org.id);
      await txScoped.policies.deleteRule(policyId, id);
      const rest = (await txScoped.policies.listRules(policyId)).map(strip<OrgPolicyRule>);
      for (const [index, r] of rest.entries()) if (r.priority !== index + 1) await txScoped.policies.updateRule({ ...r, priority: index + 1 }, clock.now().toISOString());
      await log(caller, 'policy.rule.delete', ruleTarget(rule), txScoped);
    });
  }

  // App sign-on policies.

  /** Gives an app an ACTIVE app sign-on policy (Okta's `PUT /api/v1/apps/{appId}/policies/{policyId}`). */
  async function assignApp(caller: Caller, appId: string, policyId: string): Promise<void> {
    const scoped = await scopedFor(caller);
    const app = await scoped.apps.findById(appId);
    if (!app) throw notFound('Application', appId);
    const policy = await requirePolicy(scoped, policyId);
    if (policy.type !== 'ACCESS_POLICY') throw validationError([`policyId: ${policyId} is a ${policy.type} policy; apps take ACCESS_POLICY policies`], 'policyId');
    if (policy.status !== 'ACTIVE') throw validationError([`policyId: ${policyId} is INACTIVE; activate it first`], 'policyId');
    await store.transaction(async (tx) => {
      await tx.forOrg(caller.org.id).policies.assignApp(appId, policyId, clock.now().toISOString());
      await tx.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'application.policy.sign_on.update', {
        targets: [{ id: app.id, type: 'AppInstance', alternateId: app.label, displayName: app.label }, policyTarget(policy)],
      }));
    });
  }

  /** The app sign-on policy of each app: its own, or the org's default. */
  async function accessPolicyIdsOf(orgId: string, appIds: readonly string[]): Promise<Map<string, string>> {
    await ensureDefaults(orgId);
    const scoped = store.forOrg(orgId);
    const own = await scoped.policies.policiesOfApps(appIds);
    const fallback = (await scoped.policies.list('ACCESS_POLICY')).find((p) => p.system)?.id;
    return new Map(appIds.map((id) => [id, own.get(id) ?? fallback ?? '']));
  }

  async function appsOf(caller: Caller, policyId: string): Promise<string[]> {
    const scoped = await scopedFor(caller);
    await requirePolicy(scoped, policyId);
    return scoped.policies.appsOfPolicy(policyId);
  }

  return {
    ensureDefaults, list, get, create: (caller: Caller, raw: unknown, activate?: boolean) => save(caller, raw, { ...(activate === undefined ? {} : { activate }) }),
    replace: (caller: Caller, id: string, raw: unknown) => save(caller, raw, { id }), setStatus, remove,
    listRules, getRule, setRuleStatus, removeRule,
    createRule: (caller: Caller, policyId: string, raw: unknown, activate?: boolean) => saveRule(caller, policyId, raw, { ...(activate === undefined ? {} : { activate }) }),
    replaceRule: (caller: Caller, policyId: string, id: string, raw: unknown) => saveRule(caller, policyId, raw, { id }),
    assignApp, accessPolicyIdsOf, appsOf,
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
