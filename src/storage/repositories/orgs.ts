/** Orgs are the one table that is not org-owned: it is how an org is found. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, OrgsTable } from '../schema.ts';
import type { OrgRepository } from '../../services/ports.ts';
import { orgSettingsSchema, type Org } from '../../domain/org.ts';
import { mapErrors } from '../errors.ts';

function toOrg(row: Selectable<OrgsTable>): Org {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    customDomain: row.custom_domain,
    isDefault: row.is_default === 1,
    settings: orgSettingsSchema.parse(JSON.parse(row.settings)),
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

export function createOrgRepository(db: Kysely<Database>): OrgRepository {
  const one = async (where: (q: ReturnType<typeof base>) => ReturnType<typeof base>) => {
    const row = await where(base()).executeTakeFirst();
    return row ? toOrg(row) : undefined;
  };
  const base = () => db.selectFrom('orgs').selectAll();
  return {
    insert: (org) => mapErrors(async () => {
      await db.insertInto('orgs').values({
        id: org.id,
        name: org.name,
        display_name: org.displayName,
        custom_domain: org.customDomain,
        is_default: org.isDefault ? 1 : 0,
        settings: JSON.stringify(org.settings),
        created: org.created,
        last_updated: org.lastUpdated,
      }).execute();
    }),
    findById: (id) => one((q) => q.where('id', '=', id)),
    findByName: (name) => one((q) => q.where('name', '=', name)),
    findByDomain: (domain) => one((q) => q.where('custom_domain', '=', domain)),
    findDefault: () => one((q) => q.where('is_default', '=', 1)),
    list: async () => (await base().orderBy('created').orderBy('id').execute()).map(toOrg),
    updateSettings: async (id, settings, lastUpdated) => {
      await db.updateTable('orgs').set({ settings: JSON.stringify(settings), last_updated: lastUpdated })
        .where('id', '=', id).execute();
    },
    updateDisplayName: async (id, displayName, lastUpdated) => {
      await db.updateTable('orgs').set({ display_name: displayName, last_updated: lastUpdated }).where('id', '=', id).execute();
    },
  };
}
