/** The policies of one org, their rules, and the app sign-on policy of each app. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { PolicyRepository, Timestamped } from '../../services/ports.ts';
import type { OrgPolicy, OrgPolicyRule } from '../../domain/policy.ts';
import { mapErrors } from '../errors.ts';

function fromRow<T>(row: { document: string; created: string; last_updated: string }): Timestamped<T> {
  return { ...(JSON.parse(row.document) as T), created: row.created, lastUpdated: row.last_updated };
}

export function createPolicyRepository(db: Kysely<Database>, orgId: string): PolicyRepository {
  const policies = () => db.selectFrom('policies').selectAll().where('org_id', '=', orgId);
  const rules = () => db.selectFrom('policy_rules').selectAll().where('org_id', '=', orgId);
  return {
    insert: (policy, now, defaultKey) => mapErrors(async () => {
      await db.insertInto('policies').values({
        org_id: orgId, id: policy.id, default_key: defaultKey ?? null, type: policy.type, priority: policy.priority,
        document: JSON.stringify(policy), created: now, last_updated: now,
      }).execute();
    }),
    update: async (policy, now) => {
      await db.updateTable('policies').set({ priority: policy.priority, document: JSON.stringify(policy), last_updated: now })
        .where('org_id', '=', orgId).where('id', '=', policy.id).execute();
    },
    findById: async (id) => {
      const row = await policies().where('id', '=', id).executeTakeFirst();
      return row ? fromRow<OrgPolicy>(row) : undefined;
    },
    list: async (type) => {
      let query = policies();
      if (type) query = query.where('type', '=', type);
      return (await query.orderBy('type').orderBy('priority').orderBy('id').execute()).map((r) => fromRow<OrgPolicy>(r));
    },
    delete: async (id) => {
      await db.deleteFrom('policy_rules').where('org_id', '=', orgId).where('policy_id', '=', id).execute();
      const result = await db.deleteFrom('policies').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    insertRule: (rule, now) => mapErrors(async () => {
      await db.insertInto('policy_rules').values({
        org_id: orgId, id: rule.id, policy_id: rule.policyId, priority: rule.priority, document: JSON.stringify(rule), created: now, last_updated: now,
      }).execute();
    }),
    updateRule: async (rule, now) => {
      await db.updateTable('policy_rules').set({ priority: rule.priority, document: JSON.stringify(rule), last_updated: now })
        .where('org_id', '=', orgId).where('policy_id', '=', rule.policyId).where('id', '=', rule.id).execute();
    },
    findRule: async (policyId, id) => {
      const row = await rules().where('policy_id', '=', policyId).where('id', '=', id).executeTakeFirst();
      return row ? fromRow<OrgPolicyRule>(row) : undefined;
    },
    listRules: async (policyId) => {
      let query = rules();
      if (policyId !== undefined) query = query.where('policy_id', '=', policyId);
      return (await query.orderBy('policy_id').orderBy('priority').orderBy('id').execute()).map((r) => fromRow<OrgPolicyRule>(r));
    },
    deleteRule: async (policyId, id) => {
      const result = await db.deleteFrom('policy_rules').where('org_id', '=', orgId).where('policy_id', '=', policyId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    assignApp: async (appId, policyId, now) => {
      await db.deleteFrom('app_access_policies').where('org_id', '=', orgId).where('app_id', '=', appId).execute();
      await db.insertInto('app_access_policies').values({ org_id: orgId, app_id: appId, policy_id: policyId, created: now }).execute();
    },
    policyOfApp: async (appId) => (await db.selectFrom('app_access_policies').select('policy_id')
      .where('org_id', '=', orgId).where('app_id', '=', appId).executeTakeFirst())?.policy_id,
    policiesOfApps: async (appIds) => {
      if (appIds.length === 0) return new Map();
      const rows = await db.selectFrom('app_access_policies').select(['app_id', 'policy_id'])
        .where('org_id', '=', orgId).where('app_id', 'in', [...appIds]).execute();
      return new Map(rows.map((r) => [r.app_id, r.policy_id]));
    },
    appsOfPolicy: async (policyId) => (await db.selectFrom('app_access_policies').select('app_id')
      .where('org_id', '=', orgId).where('policy_id', '=', policyId).orderBy('app_id').execute()).map((r) => r.app_id),
  };
}
