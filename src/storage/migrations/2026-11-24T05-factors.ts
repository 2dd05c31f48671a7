/** MFA factors of users: type, provider, status, the sealed secret and, for TOTP, the last step used (no code twice). */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('user_factors')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('factor_type', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('last_step', 'integer')
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_factors_pk', ['org_id', 'id'])
    .addForeignKeyConstraint('user_factors_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('user_factors_user_type').unique().on('user_factors').columns(['org_id', 'user_id', 'factor_type', 'provider']).execute();
}
