/** Trusted origins of one org. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, TrustedOriginsTable } from '../schema.ts';
import type { TrustedOriginRecord, TrustedOriginRepository } from '../../services/ports.ts';
import { mapErrors } from '../errors.ts';

function toOrigin(row: Selectable<TrustedOriginsTable>): TrustedOriginRecord {
  return {
    id: row.id, name: row.name, origin: row.origin, scopes: JSON.parse(row.scopes) as TrustedOriginRecord['scopes'],
    status: row.status as TrustedOriginRecord['status'], created: row.created, createdBy: row.created_by,
    lastUpdated: row.last_updated, lastUpdatedBy: row.last_updated_by,
  };
}

export function createTrustedOriginRepository(db: Kysely<Database>, orgId: string): TrustedOriginRepository {
  const scoped = () => db.selectFrom('trusted_origins').selectAll().where('org_id', '=', orgId);
  const values = (o: TrustedOriginRecord) => ({
    name: o.name, origin: o.origin, scopes: JSON.stringify(o.scopes), status: o.status,
    last_updated: o.lastUpdated, last_updated_by: o.lastUpdatedBy,
  });
  return {
    insert: (o) => mapErrors(async () => {
      await db.insertInto('trusted_origins').values({ org_id: orgId, id: o.id, created: o.created, created_by: o.createdBy, ...values(o) }).execute();
    }),
    update: (o) => mapErrors(async () => {
      await db.updateTable('trusted_origins').set(values(o)).where('org_id', '=', orgId).where('id', '=', o.id).execute();
    }),
    findById: async (id) => {
      const row = await scoped().where('id', '=', id).executeTakeFirst();
      return row ? toOrigin(row) : undefined;
    },
    findByOrigin: async (origin) => {
      const row = await scoped().where('origin', '=', origin).executeTakeFirst();
      return row ? toOrigin(row) : undefined;
    },
    list: async () => (await scoped().orderBy('created').orderBy('id').execute()).map(toOrigin),
    delete: async (id) => {
      const result = await db.deleteFrom('trusted_origins').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
