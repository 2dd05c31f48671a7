/** Imports of an app's accounts: each run's match rule, progress, proposed matches and what was applied. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('provisioning_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('progress', 'text', (c) => c.notNull())
    .addColumn('results', 'text')
    .addColumn('error', 'text')
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addForeignKeyConstraint('provisioning_imports_app', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('provisioning_imports_app').on('provisioning_imports').columns(['org_id', 'app_id', 'created']).execute();
}
