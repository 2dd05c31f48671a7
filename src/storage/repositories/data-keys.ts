/** Org data keys for the vault: wrapped by the master key, never stored in the clear. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, OrgDataKeysTable } from '../schema.ts';
import type { DataKeyRecord, DataKeyRewrapStore, DataKeyStore } from '../../vault/envelope.ts';

function toKey(row: Selectable<OrgDataKeysTable>): DataKeyRecord {
  return { id: row.id, orgId: row.org_id, wrappedKey: row.wrapped_key, status: row.status as DataKeyRecord['status'], created: row.created };
}

export function createDataKeyStore(db: Kysely<Database>): DataKeyStore & DataKeyRewrapStore {
  return {
    active: async (orgId) => {
      const row = await db.selectFrom('org_data_keys').selectAll().where('org_id', '=', orgId).where('status', '=', 'ACTIVE')
        .orderBy('created').orderBy('id').executeTakeFirst();
      return row ? toKey(row) : undefined;
    },
    find: async (orgId, id) => {
      const row = await db.selectFrom('org_data_keys').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row ? toKey(row) : undefined;
    },
    all: async () => (await db.selectFrom('org_data_keys').selectAll().orderBy('org_id').orderBy('id').execute()).map(toKey),
    setWrapped: async (orgId, id, wrappedKey) => {
      await db.updateTable('org_data_keys').set({ wrapped_key: wrappedKey }).where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    insert: async (key) => {
      await db.insertInto('org_data_keys').values({
        org_id: key.orgId, id: key.id, wrapped_key: key.wrappedKey, status: key.status, created: key.created,
      }).execute();
    },
  };
}
