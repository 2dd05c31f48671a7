/** Each user's own order of app tiles on the dashboard. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { AppOrderRepository } from '../../services/ports.ts';
import { mapErrors } from '../errors.ts';

export function createAppOrderRepository(db: Kysely<Database>, orgId: string): AppOrderRepository {
  return {
    orderOf: async (userId) =>
      (await db.selectFrom('dashboard_app_order').select('app_id').where('org_id', '=', orgId).where('user_id', '=', userId)
        .orderBy('position').execute()).map((r) => r.app_id),
    replace: (userId, appIds) => mapErrors(async () => {
      await db.deleteFrom('dashboard_app_order').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
      if (appIds.length === 0) return;
      await db.insertInto('dashboard_app_order')
        .values(appIds.map((appId, position) => ({ org_id: orgId, user_id: userId, app_id: appId, position })))
        .execute();
    }),
  };
}
