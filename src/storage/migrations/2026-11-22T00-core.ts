/**
 * The core schema: orgs, users, groups, memberships, API tokens, sessions, the system log.
 * Key columns (`*_key`) hold the normalised, case-folded form used for lookups and prefix search;
 * on PostgreSQL they use the "C" collation so prefix ranges and byte order agree with SQLite.
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const keyText = dialectOf(db) === 'postgres' ? sql`text collate "C"` : sql`text`;

  await db.schema.createTable('orgs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('custom_domain', 'text', (c) => c.unique())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('users')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('transitioning_to_status', 'text')
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('login_key', keyText, (c) => c.notNull())
    .addColumn('email_key', keyText, (c) => c.notNull())
    .addColumn('first_name_key', keyText, (c) => c.notNull())
    .addColumn('last_name_key', keyText, (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('type_id', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('password_changed', 'text')
    .addColumn('recovery_question', 'text')
    .addColumn('provider_type', 'text', (c) => c.notNull())
    .addColumn('failed_sign_ins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('activated', 'text')
    .addColumn('status_changed', 'text')
    .addColumn('last_login', 'text')
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('users_login_key').unique().on('users').columns(['org_id', 'login_key']).execute();
  await db.schema.createIndex('users_email_key').on('users').columns(['org_id', 'email_key']).execute();
  await db.schema.createIndex('users_first_name_key').on('users').columns(['org_id', 'first_name_key']).execute();
  await db.schema.createIndex('users_last_name_key').on('users').columns(['org_id', 'last_name_key']).execute();
  await db.schema.createIndex('users_status').on('users').columns(['org_id', 'status', 'id']).execute();
  await db.schema.createIndex('users_last_updated').on('users').columns(['org_id', 'last_updated']).execute();

  await db.schema.createTable('password_history')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addForeignKeyConstraint('password_history_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('password_history_user').on('password_history').columns(['org_id', 'user_id', 'created']).execute();

  await db.schema.createTable('user_roles')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_roles_pk', ['org_id', 'user_id', 'role'])
    .addForeignKeyConstraint('user_roles_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();

  await db.schema.createTable('user_tokens')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_tokens_pk', ['org_id', 'token_hash'])
    .addForeignKeyConstraint('user_tokens_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('user_tokens_user').on('user_tokens').columns(['org_id', 'user_id', 'purpose']).execute();

  await db.schema.createTable('groups')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', keyText, (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addColumn('last_membership_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('groups_pk', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('groups_name_key').unique().on('groups').columns(['org_id', 'name_key']).execute();

  await db.schema.createTable('group_members')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['org_id', 'group_id', 'user_id'])
    .addForeignKeyConstraint('group_members_group', ['org_id', 'group_id'], 'groups', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .addForeignKeyConstraint('group_members_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('group_members_user').on('group_members').columns(['org_id', 'user_id']).execute();

  await db.schema.createTable('api_tokens')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_name', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('api_tokens_pk', ['org_id', 'id'])
    .addForeignKeyConstraint('api_tokens_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('api_tokens_hash').unique().on('api_tokens').columns(['org_id', 'token_hash']).execute();

  await db.schema.createTable('sessions')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('idle_expires_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sessions_pk', ['org_id', 'id'])
    .addForeignKeyConstraint('sessions_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('sessions_hash').unique().on('sessions').columns(['org_id', 'token_hash']).execute();
  await db.schema.createIndex('sessions_user').on('sessions').columns(['org_id', 'user_id']).execute();
  await db.schema.createIndex('sessions_expiry').on('sessions').columns(['expires_at']).execute();

  await db.schema.createTable('log_events')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('uuid', keyText, (c) => c.notNull())
    .addColumn('published', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('outcome_result', 'text', (c) => c.notNull())
    .addColumn('display_message', 'text', (c) => c.notNull())
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('log_events_pk', ['org_id', 'uuid'])
    .execute();
  await db.schema.createIndex('log_events_published').on('log_events').columns(['org_id', 'published']).execute();
  await db.schema.createIndex('log_events_type').on('log_events').columns(['org_id', 'event_type', 'uuid']).execute();

  await db.schema.createTable('log_event_targets')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('uuid', keyText, (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addForeignKeyConstraint('log_event_targets_event', ['org_id', 'uuid'], 'log_events', ['org_id', 'uuid'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('log_event_targets_target').on('log_event_targets').columns(['org_id', 'target_id', 'uuid']).execute();
  await db.schema.createIndex('log_event_targets_event').on('log_event_targets').columns(['org_id', 'uuid']).execute();
}
