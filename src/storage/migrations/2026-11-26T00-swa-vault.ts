/**
 * The SWA credential vault: each app user's user name and sealed password, the shared account of
 * an app whose users all sign in as one, and the launches awaiting a "did it work?" answer.
 * Passwords are sealed by the vault (the org, app and user are its associated data).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('swa_credentials')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text')
    .addColumn('password', 'text')
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('swa_credentials_pk', ['org_id', 'app_id', 'user_id'])
    .addForeignKeyConstraint('swa_credentials_app', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .addForeignKeyConstraint('swa_credentials_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createTable('swa_shared_credentials')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('password', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('swa_shared_credentials_pk', ['org_id', 'app_id'])
    .addForeignKeyConstraint('swa_shared_credentials_app', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createTable('swa_launches')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('swa_launches_pk', ['org_id', 'id'])
    .addForeignKeyConstraint('swa_launches_app', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .addForeignKeyConstraint('swa_launches_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('swa_launches_user').on('swa_launches').columns(['org_id', 'user_id', 'created']).execute();
}
