/** The SWA credential vault's rows in one org: app users' credentials, shared accounts, pending launches. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, SwaLaunchesTable } from '../schema.ts';
import type { SwaCredentialRepository, SwaLaunchRecord } from '../../services/ports.ts';

function toLaunch(row: Selectable<SwaLaunchesTable>): SwaLaunchRecord {
  return { id: row.id, appId: row.app_id, userId: row.user_id, created: row.created };
}

export function createSwaCredentialRepository(db: Kysely<Database>, orgId: string): SwaCredentialRepository {
  return {
    find: async (appId, userId) => {
      const row = await db.selectFrom('swa_credentials').selectAll()
        .where('org_id', '=', orgId).where('app_id', '=', appId).where('user_id', '=', userId).executeTakeFirst();
      return row ? { appId: row.app_id, userId: row.user_id, userName: row.user_name, password: row.password, lastUpdated: row.last_updated } : undefined;
    },
    save: async (r) => {
      const values = { user_name: r.userName, password: r.password, last_updated: r.lastUpdated };
      await db.insertInto('swa_credentials').values({ org_id: orgId, app_id: r.appId, user_id: r.userId, ...values })
        .onConflict((oc) => oc.columns(['org_id', 'app_id', 'user_id']).doUpdateSet(values)).execute();
    },
    findShared: async (appId) => {
      const row = await db.selectFrom('swa_shared_credentials').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId).executeTakeFirst();
      return row ? { appId: row.app_id, userName: row.user_name, password: row.password, lastUpdated: row.last_updated } : undefined;
    },
    saveShared: async (r) => {
      const values = { user_name: r.userName, password: r.password, last_updated: r.lastUpdated };
      await db.insertInto('swa_shared_credentials').values({ org_id: orgId, app_id: r.appId, ...values })
        .onConflict((oc) => oc.columns(['org_id', 'app_id']).doUpdateSet(values)).execute();
    },
    insertLaunch: async (l) => {
      await db.insertInto('swa_launches').values({ org_id: orgId, id: l.id, app_id: l.appId, user_id: l.userId, created: l.created }).execute();
    },
    findLaunch: async (id) => {
      const row = await db.selectFrom('swa_launches').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row ? toLaunch(row) : undefined;
    },
    latestLaunch: async (userId, since) => {
      const row = await db.selectFrom('swa_launches').selectAll().where('org_id', '=', orgId).where('user_id', '=', userId)
        .where('created', '>=', since).orderBy('created', 'desc').orderBy('id', 'desc').executeTakeFirst();
      return row ? toLaunch(row) : undefined;
    },
    deleteLaunches: async (userId, appId) => {
      let query = db.deleteFrom('swa_launches').where('org_id', '=', orgId).where('user_id', '=', userId);
      if (appId !== undefined) query = query.where('app_id', '=', appId);
      await query.execute();
    },
  };
}
