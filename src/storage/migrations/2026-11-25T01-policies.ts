/**
 * Org policies (sign-on, password, app sign-on) and their rules, network zones, and which app
 * sign-on policy each app uses. Policies, rules and zones are stored as their JSON document beside
 * the columns they are found and ordered by. `default_key` marks the defaults every org has: one
 * per kind, so two nodes creating them at once cannot make two (NULLs never collide).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const base = (name: string) => db.schema.createTable(name)
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'));

  await base('network_zones')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('default_key', 'text')
    .addColumn('usage', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('network_zones_pk', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('network_zones_default').unique().on('network_zones').columns(['org_id', 'default_key']).execute();

  await base('policies')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('default_key', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('policies_pk', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('policies_default').unique().on('policies').columns(['org_id', 'default_key']).execute();
  await db.schema.createIndex('policies_type').on('policies').columns(['org_id', 'type', 'priority']).execute();

  await base('policy_rules')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('policy_rules_pk', ['org_id', 'id'])
    .addForeignKeyConstraint('policy_rules_policy', ['org_id', 'policy_id'], 'policies', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('policy_rules_policy').on('policy_rules').columns(['org_id', 'policy_id', 'priority']).execute();

  await base('app_access_policies')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('app_access_policies_pk', ['org_id', 'app_id'])
    .addForeignKeyConstraint('app_access_policies_app', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .addForeignKeyConstraint('app_access_policies_policy', ['org_id', 'policy_id'], 'policies', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('app_access_policies_policy').on('app_access_policies').columns(['org_id', 'policy_id']).execute();
}
