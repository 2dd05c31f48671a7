/** The network zones of one org, each stored as its document beside its usage. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, NetworkZonesTable } from '../schema.ts';
import type { NetworkZoneRepository, Timestamped } from '../../services/ports.ts';
import type { NetworkZone } from '../../domain/network-zone.ts';
import { mapErrors } from '../errors.ts';

function toZone(row: Selectable<NetworkZonesTable>): Timestamped<NetworkZone> {
  return { ...(JSON.parse(row.document) as NetworkZone), created: row.created, lastUpdated: row.last_updated };
}

export function createNetworkZoneRepository(db: Kysely<Database>, orgId: string): NetworkZoneRepository {
  const scoped = () => db.selectFrom('network_zones').selectAll().where('org_id', '=', orgId);
  return {
    insert: (zone, now, defaultKey) => mapErrors(async () => {
      await db.insertInto('network_zones').values({
        org_id: orgId, id: zone.id, default_key: defaultKey ?? null, usage: zone.usage, document: JSON.stringify(zone), created: now, last_updated: now,
      }).execute();
    }),
    update: async (zone, now) => {
      await db.updateTable('network_zones').set({ usage: zone.usage, document: JSON.stringify(zone), last_updated: now })
        .where('org_id', '=', orgId).where('id', '=', zone.id).execute();
    },
    findById: async (id) => {
      const row = await scoped().where('id', '=', id).executeTakeFirst();
      return row ? toZone(row) : undefined;
    },
    list: async () => (await scoped().orderBy('created').orderBy('id').execute()).map(toZone),
    delete: async (id) => {
      const result = await db.deleteFrom('network_zones').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
