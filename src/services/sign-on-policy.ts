/**
 * What the org's policies ask of a sign-in, read from the store: the sign-on decision (blocklists,
 * the global session policy, the app's sign-on policy) and the password policy that governs a
 * user's new passwords. The rules themselves live in `domain/sign-on-evaluation.ts`.
 */
import type { Org, PasswordPolicy } from '../domain/org.ts';
import { decideSignOn, choosePasswordPolicy, type PolicyWithRules, type SignOnDecision } from '../domain/sign-on-evaluation.ts';
import { passwordSettingsSchema, toCheckerPolicy } from '../domain/password-policy-settings.ts';
import type { OrgPolicy } from '../domain/policy.ts';
import type { ServiceDeps } from './deps.ts';
import type { OrgStore } from './ports.ts';
import type { PolicyService } from './policies.ts';

export type { SignOnDecision };

export function createSignOnPolicy(deps: ServiceDeps, policies: Pick<PolicyService, 'ensureDefaults'>) {
  const { store } = deps;

  async function withRules(scoped: OrgStore, list: readonly OrgPolicy[]): Promise<PolicyWithRules[]> {
    const rules = await scoped.policies.listRules();
    return list.map((policy) => ({ policy, rules: rules.filter((r) => r.policyId === policy.id) }));
  }

  /**
   * Decides a sign-in of a user from an address, to the org or (with `appId`) to an app. The org's
   * sign-on policy always applies; an app's own ACTIVE sign-on policy, or else the default one, too.
   */
  async function evaluate(org: Org, input: { userId: string; ip: string; appId?: string }): Promise<SignOnDecision> {
    await policies.ensureDefaults(org.id);
    const scoped = store.forOrg(org.id);
    const [zones, groups, signOn] = await Promise.all([
      scoped.networkZones.list(), scoped.groups.groupsOfUser(input.userId), scoped.policies.list('OKTA_SIGN_ON'),
    ]);
    let appPolicy: PolicyWithRules | undefined;
    if (input.appId !== undefined) {
      const own = await scoped.policies.policyOfApp(input.appId);
      const accessPolicies = await scoped.policies.list('ACCESS_POLICY');
      const chosen = accessPolicies.find((p) => p.id === own && p.status === 'ACTIVE') ?? accessPolicies.find((p) => p.system);
      if (chosen) appPolicy = (await withRules(scoped, [chosen]))[0];
    }
    const facts = { userId: input.userId, groupIds: groups.map((g) => g.id), ip: input.ip, zones };
    return decideSignOn(await withRules(scoped, signOn), appPolicy, facts);
  }

  /** The password policy of users in these groups: the first ACTIVE group policy by priority, else the org's. */
  async function passwordPolicyForGroups(orgId: string, groupIds: readonly string[]): Promise<PasswordPolicy> {
    await policies.ensureDefaults(orgId);
    const chosen = choosePasswordPolicy(await store.forOrg(orgId).policies.list('PASSWORD'), groupIds);
    if (chosen && !chosen.system) {
      const parsed = passwordSettingsSchema.safeParse((chosen.settings as { password?: unknown } | null)?.password ?? {});
      if (parsed.success) return toCheckerPolicy(parsed.data);
    }
    const org = await store.orgs.findById(orgId);
    return org!.settings.passwordPolicy;
  }

  /** The password policy that governs the user's new passwords. */
  async function passwordPolicyFor(orgId: string, userId: string): Promise<PasswordPolicy> {
    const groups = await store.forOrg(orgId).groups.groupsOfUser(userId);
    return passwordPolicyForGroups(orgId, groups.map((g) => g.id));
  }

  return { evaluate, passwordPolicyFor, passwordPolicyForGroups };
}

export type SignOnPolicyService = ReturnType<typeof createSignOnPolicy>;
