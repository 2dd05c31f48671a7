/** The integration network's integrations and versions (shared by every org), and per-org instance links. */
import type { Kysely, Selectable } from 'kysely';
import type { AppIntegrationsTable, Database, IntegrationsTable, IntegrationVersionsTable } from '../schema.ts';
import type {
  AppIntegrationRecord, AppIntegrationRepository, IntegrationRecord, IntegrationRepository, IntegrationVersionRecord, IntegrationVersionStatus,
} from '../../services/ports.ts';
import { mapErrors } from '../errors.ts';

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
const parsed = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function toIntegration(row: Selectable<IntegrationsTable>): IntegrationRecord {
  return { id: row.id, key: row.key, ownerOrgId: row.owner_org_id, testAppId: row.test_app_id, created: row.created, lastUpdated: row.last_updated };
}

function toVersion(row: Selectable<IntegrationVersionsTable>): IntegrationVersionRecord {
  return {
    integrationId: row.integration_id, version: row.version, manifest: JSON.parse(row.manifest),
    status: row.status as IntegrationVersionStatus, tier: row.tier as IntegrationVersionRecord['tier'],
    submission: parsed(row.submission), review: parsed(row.review), created: row.created, lastUpdated: row.last_updated,
    submitted: row.submitted, published: row.published, monitor: parsed(row.monitor),
  };
}

/** Versions compare by their numbers, not as text: 1.10.0 comes after 1.9.0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export function createIntegrationRepository(db: Kysely<Database>): IntegrationRepository {
  const versions = () => db.selectFrom('integration_versions').selectAll();
  return {
    insert: (i) => mapErrors(async () => {
      await db.insertInto('integrations').values({
        id: i.id, key: i.key, owner_org_id: i.ownerOrgId, test_app_id: i.testAppId, created: i.created, last_updated: i.lastUpdated,
      }).execute();
    }),
    setTestApp: async (id, testAppId, lastUpdated) => {
      await db.updateTable('integrations').set({ test_app_id: testAppId, last_updated: lastUpdated }).where('id', '=', id).execute();
    },
    findById: async (id) => {
      const row = await db.selectFrom('integrations').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toIntegration(row) : undefined;
    },
    findByKey: async (key) => {
      const row = await db.selectFrom('integrations').selectAll().where('key', '=', key).executeTakeFirst();
      return row ? toIntegration(row) : undefined;
    },
    listByOwner: async (orgId) =>
      (await db.selectFrom('integrations').selectAll().where('owner_org_id', '=', orgId).orderBy('key').execute()).map(toIntegration),
    insertVersion: (v) => mapErrors(async () => {
      await db.insertInto('integration_versions').values({
        integration_id: v.integrationId, version: v.version, manifest: JSON.stringify(v.manifest), status: v.status, tier: v.tier,
        submission: json(v.submission), review: json(v.review), created: v.created, last_updated: v.lastUpdated,
        submitted: v.submitted, published: v.published, monitor: json(v.monitor), monitor_claimed: null,
      }).execute();
    }),
    updateVersion: async (integrationId, version, changes) => {
      await db.updateTable('integration_versions').set({
        ...(changes.manifest !== undefined ? { manifest: JSON.stringify(changes.manifest) } : {}),
        ...(changes.status !== undefined ? { status: changes.status } : {}),
        ...(changes.tier !== undefined ? { tier: changes.tier } : {}),
        ...(changes.submission !== undefined ? { submission: json(changes.submission) } : {}),
        ...(changes.review !== undefined ? { review: json(changes.review) } : {}),
        ...(changes.submitted !== undefined ? { submitted: changes.submitted } : {}),
        ...(changes.published !== undefined ? { published: changes.published } : {}),
        last_updated: changes.lastUpdated,
      }).where('integration_id', '=', integrationId).where('version', '=', version).execute();
    },
    findVersion: async (integrationId, version) => {
      const row = await versions().where('integration_id', '=', integrationId).where('version', '=', version).executeTakeFirst();
      return row ? toVersion(row) : undefined;
    },
    listVersions: async (integrationId) =>
      (await versions().where('integration_id', '=', integrationId).execute()).map(toVersion).sort((a, b) => compareVersions(a.version, b.version)),
    claimMonitor: async (integrationId, version, notAfter, now) => {
      const result = await db.updateTable('integration_versions').set({ monitor_claimed: now })
        .where('integration_id', '=', integrationId).where('version', '=', version)
        .where((eb) => eb.or([eb('monitor_claimed', 'is', null), eb('monitor_claimed', '<', notAfter)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    setMonitor: async (integrationId, version, monitor) => {
      await db.updateTable('integration_versions').set({ monitor: json(monitor) })
        .where('integration_id', '=', integrationId).where('version', '=', version).execute();
    },
    orgsUsing: async (key) =>
      (await db.selectFrom('app_integrations').select('org_id').distinct().where('integration_key', '=', key).orderBy('org_id').execute()).map((r) => r.org_id),
    listByStatus: async (status) => {
      const rows = await db.selectFrom('integration_versions')
        .innerJoin('integrations', 'integrations.id', 'integration_versions.integration_id')
        .selectAll('integration_versions')
        .select(['integrations.key', 'integrations.owner_org_id', 'integrations.test_app_id', 'integrations.created as i_created', 'integrations.last_updated as i_last_updated'])
        .where('integration_versions.status', '=', status)
        .orderBy('integration_versions.submitted').orderBy('integration_versions.integration_id').orderBy('integration_versions.version')
        .execute();
      return rows.map((row) => ({
        integration: toIntegration({
          id: row.integration_id, key: row.key, owner_org_id: row.owner_org_id, test_app_id: row.test_app_id,
          created: row.i_created, last_updated: row.i_last_updated,
        }),
        version: toVersion(row),
      }));
    },
  };
}

function toLink(row: Selectable<AppIntegrationsTable>): AppIntegrationRecord {
  return {
    appId: row.app_id, integrationKey: row.integration_key, version: row.version,
    signOnMode: row.sign_on_mode as AppIntegrationRecord['signOnMode'], variables: JSON.parse(row.variables) as Record<string, string>,
    rendered: JSON.parse(row.rendered) as Record<string, unknown>, created: row.created, lastUpdated: row.last_updated,
  };
}

export function createAppIntegrationRepository(db: Kysely<Database>, orgId: string): AppIntegrationRepository {
  return {
    upsert: (link) => mapErrors(async () => {
      const values = {
        integration_key: link.integrationKey, version: link.version, sign_on_mode: link.signOnMode,
        variables: JSON.stringify(link.variables), rendered: JSON.stringify(link.rendered), last_updated: link.lastUpdated,
      };
      await db.insertInto('app_integrations').values({ org_id: orgId, app_id: link.appId, created: link.created, ...values })
        .onConflict((oc) => oc.columns(['org_id', 'app_id']).doUpdateSet(values)).execute();
    }),
    find: async (appId) => {
      const row = await db.selectFrom('app_integrations').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId).executeTakeFirst();
      return row ? toLink(row) : undefined;
    },
    listByKey: async (key) =>
      (await db.selectFrom('app_integrations').selectAll().where('org_id', '=', orgId).where('integration_key', '=', key).orderBy('created').execute()).map(toLink),
  };
}
