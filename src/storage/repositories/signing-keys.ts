/** Signing keys of one org's authorization servers and apps; private halves only sealed. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, SigningKeysTable } from '../schema.ts';
import type { SigningKeyRecord, SigningKeyRepository } from '../../services/ports.ts';

function toKey(row: Selectable<SigningKeysTable>): SigningKeyRecord {
  return {
    kid: row.kid,
    ownerType: row.owner_type as SigningKeyRecord['ownerType'],
    ownerId: row.owner_id,
    alg: row.alg,
    status: row.status as SigningKeyRecord['status'],
    privateCiphertext: row.private_ciphertext,
    publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
    certificate: row.certificate,
    created: row.created,
    activated: row.activated,
    retired: row.retired,
    deleteAfter: row.delete_after,
  };
}

export function createSigningKeyRepository(db: Kysely<Database>, orgId: string): SigningKeyRepository {
  return {
    insert: async (key) => {
      await db.insertInto('signing_keys').values({
        org_id: orgId, kid: key.kid, owner_type: key.ownerType, owner_id: key.ownerId, alg: key.alg, status: key.status,
        private_ciphertext: key.privateCiphertext, public_jwk: JSON.stringify(key.publicJwk), certificate: key.certificate,
        created: key.created, activated: key.activated, retired: key.retired, delete_after: key.deleteAfter,
      }).execute();
    },
    listForOwner: async (ownerType, ownerId) => (await db.selectFrom('signing_keys').selectAll().where('org_id', '=', orgId)
      .where('owner_type', '=', ownerType).where('owner_id', '=', ownerId).orderBy('created').orderBy('kid').execute()).map(toKey),
    update: async (kid, changes) => {
      await db.updateTable('signing_keys').set({
        ...(changes.status !== undefined ? { status: changes.status } : {}),
        ...(changes.activated !== undefined ? { activated: changes.activated } : {}),
        ...(changes.retired !== undefined ? { retired: changes.retired } : {}),
        ...(changes.deleteAfter !== undefined ? { delete_after: changes.deleteAfter } : {}),
      }).where('org_id', '=', orgId).where('kid', '=', kid).execute();
    },
    delete: async (kid) => {
      await db.deleteFrom('signing_keys').where('org_id', '=', orgId).where('kid', '=', kid).execute();
    },
  };
}
