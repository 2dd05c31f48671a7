/** Group owners of one org: users who own a group (and so approve requests that name it). */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { GroupOwnerRepository } from '../../services/ports.ts';
import { mapErrors } from '../errors.ts';

export function createGroupOwnerRepository(db: Kysely<Database>, orgId: string): GroupOwnerRepository {
  return {
    add: (owner) => mapErrors(async () => {
      const result = await db.insertInto('group_owners')
        .values({ org_id: orgId, group_id: owner.groupId, owner_id: owner.ownerId, created: owner.created })
        .onConflict((oc) => oc.columns(['org_id', 'group_id', 'owner_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    }),
    remove: async (groupId, ownerId) => {
      const result = await db.deleteFrom('group_owners').where('org_id', '=', orgId).where('group_id', '=', groupId)
        .where('owner_id', '=', ownerId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    listForGroup: async (groupId) =>
      (await db.selectFrom('group_owners').selectAll().where('org_id', '=', orgId).where('group_id', '=', groupId).orderBy('created').orderBy('owner_id').execute())
        .map((r) => ({ groupId: r.group_id, ownerId: r.owner_id, created: r.created })),
    groupsOwnedBy: async (userId) =>
      (await db.selectFrom('group_owners').select('group_id').where('org_id', '=', orgId).where('owner_id', '=', userId).execute())
        .map((r) => r.group_id),
  };
}
