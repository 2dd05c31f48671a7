/** Users' MFA factors, in one org. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, UserFactorsTable } from '../schema.ts';
import type { FactorRecord, FactorRepository } from '../../services/ports.ts';
import { mapErrors } from '../errors.ts';

function toFactor(row: Selectable<UserFactorsTable>): FactorRecord {
  return {
    id: row.id, userId: row.user_id, factorType: row.factor_type, provider: row.provider, status: row.status as FactorRecord['status'],
    secret: row.secret, lastStep: row.last_step === null ? null : Number(row.last_step), created: row.created, lastUpdated: row.last_updated,
    ...(row.credential_id ? {
      credential: {
        credentialId: row.credential_id, publicKey: row.public_key ?? '', signCount: Number(row.sign_count ?? 0),
        transports: row.transports ? JSON.parse(row.transports) as string[] : [], aaguid: row.aaguid ?? '', authenticatorName: row.authenticator_name ?? '',
      },
    } : {}),
  };
}

export function createFactorRepository(db: Kysely<Database>, orgId: string): FactorRepository {
  const scoped = () => db.selectFrom('user_factors').selectAll().where('org_id', '=', orgId);
  return {
    insert: (f) => mapErrors(async () => {
      await db.insertInto('user_factors').values({
        org_id: orgId, id: f.id, user_id: f.userId, factor_type: f.factorType, provider: f.provider, status: f.status, secret: f.secret,
        last_step: f.lastStep, created: f.created, last_updated: f.lastUpdated,
      }).execute();
    }),
    listForUser: async (userId) => (await scoped().where('user_id', '=', userId).orderBy('created').orderBy('id').execute()).map(toFactor),
    find: async (userId, id) => {
      const row = await scoped().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return row ? toFactor(row) : undefined;
    },
    update: async (id, changes) => {
      await db.updateTable('user_factors').set({
        ...(changes.status ? { status: changes.status } : {}), ...(changes.lastUpdated ? { last_updated: changes.lastUpdated } : {}),
      }).where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    useStep: async (id, step, lastUpdated) => {
      const result = await db.updateTable('user_factors').set({ last_step: step, last_updated: lastUpdated })
        .where('org_id', '=', orgId).where('id', '=', id)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)])).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    saveCredential: (id, c, lastUpdated) => mapErrors(async () => {
      await db.updateTable('user_factors').set({
        status: 'ACTIVE', credential_id: c.credentialId, public_key: c.publicKey, sign_count: c.signCount,
        transports: JSON.stringify(c.transports), aaguid: c.aaguid, authenticator_name: c.authenticatorName, last_updated: lastUpdated,
      }).where('org_id', '=', orgId).where('id', '=', id).execute();
    }),
    useSignCount: async (id, from, to, lastUpdated) => {
      const result = await db.updateTable('user_factors').set({ sign_count: to, last_updated: lastUpdated })
        .where('org_id', '=', orgId).where('id', '=', id).where('sign_count', '=', from).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    replaceBackupCodes: async (factorId, hashes, created) => {
      await db.deleteFrom('user_factor_backup_codes').where('org_id', '=', orgId).where('factor_id', '=', factorId).execute();
      if (hashes.length > 0) {
        await db.insertInto('user_factor_backup_codes')
          .values(hashes.map((code_hash) => ({ org_id: orgId, factor_id: factorId, code_hash, used_at: null, created }))).execute();
      }
    },
    useBackupCode: async (factorId, hash, at) => {
      const result = await db.updateTable('user_factor_backup_codes').set({ used_at: at })
        .where('org_id', '=', orgId).where('factor_id', '=', factorId).where('code_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    countBackupCodes: async (factorId) => {
      const row = await db.selectFrom('user_factor_backup_codes').select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('org_id', '=', orgId).where('factor_id', '=', factorId).where('used_at', 'is', null).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    delete: async (userId, id) => {
      const result = await db.deleteFrom('user_factors').where('org_id', '=', orgId).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    deleteForUser: async (userId) => {
      const result = await db.deleteFrom('user_factors').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
