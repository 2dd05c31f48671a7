/**
 * Apps and their assignments, OAuth client secrets, authorization servers with their scopes,
 * claims, policies and rules, signing keys, per-org data keys, and the protocol state the OpenID
 * Connect engine persists (codes, grants, sessions, refresh tokens, …).
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const keyText = dialectOf(db) === 'postgres' ? sql`text collate "C"` : sql`text`;
  const base = (name: string) => db.schema.createTable(name)
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'));

  await base('org_data_keys')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('wrapped_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_data_keys_pk', ['org_id', 'id'])
    .execute();

  await base('apps')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('label_key', keyText, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sign_on_mode', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text')
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('credentials', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('accessibility', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('apps_pk', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('apps_label_key').on('apps').columns(['org_id', 'label_key']).execute();
  await db.schema.createIndex('apps_client_id').unique().on('apps').columns(['org_id', 'client_id']).execute();

  await base('app_client_secrets')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('app_client_secrets_pk', ['org_id', 'id'])
    .addForeignKeyConstraint('app_client_secrets_app', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('app_client_secrets_app').on('app_client_secrets').columns(['org_id', 'app_id']).execute();

  await base('app_user_assignments')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('app_user_assignments_pk', ['org_id', 'app_id', 'user_id'])
    .addForeignKeyConstraint('app_user_assignments_app', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .addForeignKeyConstraint('app_user_assignments_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('app_user_assignments_user').on('app_user_assignments').columns(['org_id', 'user_id']).execute();

  await base('app_group_assignments')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('app_group_assignments_pk', ['org_id', 'app_id', 'group_id'])
    .addForeignKeyConstraint('app_group_assignments_app', ['org_id', 'app_id'], 'apps', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .addForeignKeyConstraint('app_group_assignments_group', ['org_id', 'group_id'], 'groups', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('app_group_assignments_group').on('app_group_assignments').columns(['org_id', 'group_id']).execute();

  await base('authorization_servers')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('audiences', 'text', (c) => c.notNull())
    .addColumn('issuer_mode', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('signing', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('authorization_servers_pk', ['org_id', 'id'])
    .execute();

  const asChild = (name: string) => base(name)
    .addColumn('as_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull());

  await asChild('as_scopes')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('as_scopes_pk', ['org_id', 'as_id', 'id'])
    .addForeignKeyConstraint('as_scopes_as', ['org_id', 'as_id'], 'authorization_servers', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('as_scopes_name').unique().on('as_scopes').columns(['org_id', 'as_id', 'name']).execute();

  await asChild('as_claims')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('claim_type', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('as_claims_pk', ['org_id', 'as_id', 'id'])
    .addForeignKeyConstraint('as_claims_as', ['org_id', 'as_id'], 'authorization_servers', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('as_claims_name').unique().on('as_claims').columns(['org_id', 'as_id', 'claim_type', 'name']).execute();

  await asChild('as_policies')
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('as_policies_pk', ['org_id', 'as_id', 'id'])
    .addForeignKeyConstraint('as_policies_as', ['org_id', 'as_id'], 'authorization_servers', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();

  await asChild('as_policy_rules')
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('as_policy_rules_pk', ['org_id', 'as_id', 'id'])
    .addForeignKeyConstraint('as_policy_rules_policy', ['org_id', 'as_id', 'policy_id'], 'as_policies', ['org_id', 'as_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('as_policy_rules_policy').on('as_policy_rules').columns(['org_id', 'as_id', 'policy_id']).execute();

  await base('signing_keys')
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('owner_type', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('private_ciphertext', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('certificate', 'text')
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('activated', 'text')
    .addColumn('retired', 'text')
    .addColumn('delete_after', 'text')
    .addPrimaryKeyConstraint('signing_keys_pk', ['org_id', 'kid'])
    .execute();
  await db.schema.createIndex('signing_keys_owner').on('signing_keys').columns(['org_id', 'owner_type', 'owner_id']).execute();

  await base('oidc_payloads')
    .addColumn('as_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', keyText, (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    .addColumn('account_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('consumed_at', 'text')
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['org_id', 'as_id', 'model', 'id'])
    .execute();
  await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').columns(['org_id', 'as_id', 'grant_id']).execute();
  await db.schema.createIndex('oidc_payloads_user_code').on('oidc_payloads').columns(['org_id', 'as_id', 'model', 'user_code']).execute();
  await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').columns(['org_id', 'as_id', 'model', 'uid']).execute();
  await db.schema.createIndex('oidc_payloads_account').on('oidc_payloads').columns(['org_id', 'account_id', 'model']).execute();
  await db.schema.createIndex('oidc_payloads_expiry').on('oidc_payloads').columns(['expires_at']).execute();
}
