/**
 * WebAuthn factors and TOTP backup codes. A user may hold several WebAuthn credentials, so the
 * one-factor-per-type-and-provider rule now covers every type but `webauthn`; each credential id
 * is registered once per org (the org is the relying party). Backup codes are stored as keyed
 * hashes, one row each, and go with their factor.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('user_factors_user_type').execute();
  await db.schema.createIndex('user_factors_user_type').unique().on('user_factors')
    .columns(['org_id', 'user_id', 'factor_type', 'provider'])
    .where(sql.ref('factor_type'), '<>', sql.lit('webauthn')).execute();
  for (const [column, type] of [
    ['credential_id', 'text'], ['public_key', 'text'], ['sign_count', 'bigint'],
    ['transports', 'text'], ['aaguid', 'text'], ['authenticator_name', 'text'],
  ] as const) {
    await db.schema.alterTable('user_factors').addColumn(column, type).execute();
  }
  await db.schema.createIndex('user_factors_credential').unique().on('user_factors').columns(['org_id', 'credential_id']).execute();

  await db.schema.createTable('user_factor_backup_codes')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('factor_id', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_factor_backup_codes_pk', ['org_id', 'factor_id', 'code_hash'])
    .addForeignKeyConstraint('user_factor_backup_codes_factor', ['org_id', 'factor_id'], 'user_factors', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
}
