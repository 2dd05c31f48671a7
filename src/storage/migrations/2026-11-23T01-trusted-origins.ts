/** Trusted origins: where browsers may call the org cross-origin (CORS) and be sent back to (REDIRECT). */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('trusted_origins')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addColumn('last_updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('trusted_origins_pk', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('trusted_origins_origin').unique().on('trusted_origins').columns(['org_id', 'origin']).execute();
}
