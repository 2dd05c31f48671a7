/**
 * The end-user dashboard and app access requests: where a session was opened from (shown to its
 * user), each user's order of app tiles, group owners (Okta's `/groups/{id}/owners`), which apps
 * people may ask for and who decides, and the requests themselves.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('ip_address', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('user_agent', 'text').execute();

  await db.schema.createTable('dashboard_app_order')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('dashboard_app_order_pk', ['org_id', 'user_id', 'app_id'])
    .addForeignKeyConstraint('dashboard_app_order_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .addForeignKeyConstraint('dashboard_app_order_app', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();

  await db.schema.createTable('group_owners')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_owners_pk', ['org_id', 'group_id', 'owner_id'])
    .addForeignKeyConstraint('group_owners_group', ['org_id', 'group_id'], 'groups', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .addForeignKeyConstraint('group_owners_user', ['org_id', 'owner_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('group_owners_owner').on('group_owners').columns(['org_id', 'owner_id']).execute();

  await db.schema.createTable('app_access_settings')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('requestable', 'integer', (c) => c.notNull())
    .addColumn('approver_type', 'text', (c) => c.notNull())
    .addColumn('approver_group_id', 'text')
    .addColumn('grant_type', 'text', (c) => c.notNull())
    .addColumn('grant_group_id', 'text')
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('app_access_settings_pk', ['org_id', 'app_id'])
    .addForeignKeyConstraint('app_access_settings_app', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();

  await db.schema.createTable('app_access_requests')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('decided', 'text')
    .addColumn('decided_by', 'text')
    .addPrimaryKeyConstraint('app_access_requests_pk', ['org_id', 'id'])
    .addForeignKeyConstraint('app_access_requests_app', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .addForeignKeyConstraint('app_access_requests_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('app_access_requests_status').on('app_access_requests').columns(['org_id', 'status', 'created']).execute();
  await db.schema.createIndex('app_access_requests_user').on('app_access_requests').columns(['org_id', 'user_id', 'app_id']).execute();
}
