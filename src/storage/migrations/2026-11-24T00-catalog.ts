/**
 * The integration network: integrations (one per catalog key, owned by a vendor org) and their
 * versions (the manifest, where it is in review, and what review and the checks said), shared by
 * every org; and, per org, which integration and version each app instance was made from.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('owner_org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('test_app_id', 'text')
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('integrations_key').unique().on('integrations').column('key').execute();
  await db.schema.createIndex('integrations_owner').on('integrations').column('owner_org_id').execute();

  await db.schema.createTable('integration_versions')
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id').onDelete('cascade'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('tier', 'text')
    .addColumn('submission', 'text')
    .addColumn('review', 'text')
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addColumn('submitted', 'text')
    .addColumn('published', 'text')
    .addPrimaryKeyConstraint('integration_versions_pk', ['integration_id', 'version'])
    .execute();
  await db.schema.createIndex('integration_versions_status').on('integration_versions').columns(['status', 'integration_id']).execute();

  await db.schema.createTable('app_integrations')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('integration_key', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('sign_on_mode', 'text', (c) => c.notNull())
    .addColumn('variables', 'text', (c) => c.notNull())
    .addColumn('rendered', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('app_integrations_pk', ['org_id', 'app_id'])
    .addForeignKeyConstraint('app_integrations_app', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('app_integrations_key').on('app_integrations').columns(['integration_key', 'org_id']).execute();
}
