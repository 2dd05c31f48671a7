/** App access settings and requests of one org. */
import type { Kysely, Selectable } from 'kysely';
import type { AppAccessRequestsTable, AppAccessSettingsTable, Database } from '../schema.ts';
import type { AccessRequestRepository } from '../../services/ports.ts';
import type { AccessRequest, AccessRequestStatus, AppAccessSettings } from '../../domain/access-request.ts';
import { mapErrors } from '../errors.ts';

function toSettings(row: Selectable<AppAccessSettingsTable>): AppAccessSettings {
  return {
    requestable: row.requestable === 1,
    approver: row.approver_type === 'GROUP_OWNERS' ? { type: 'GROUP_OWNERS', groupId: row.approver_group_id ?? '' } : { type: 'ADMIN' },
    onApproval: row.grant_type === 'ADD_TO_GROUP' ? { type: 'ADD_TO_GROUP', groupId: row.grant_group_id ?? '' } : { type: 'ASSIGN_USER' },
  };
}

function toRequest(row: Selectable<AppAccessRequestsTable>): AccessRequest {
  return {
    id: row.id, orgId: row.org_id, appId: row.app_id, userId: row.user_id, reason: row.reason,
    status: row.status as AccessRequestStatus, created: row.created, decided: row.decided, decidedBy: row.decided_by,
  };
}

export function createAccessRequestRepository(db: Kysely<Database>, orgId: string): AccessRequestRepository {
  return {
    settingsOf: async (appId) => {
      const row = await db.selectFrom('app_access_settings').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId).executeTakeFirst();
      return row ? toSettings(row) : undefined;
    },
    putSettings: (appId, settings, lastUpdated) => mapErrors(async () => {
      const values = {
        requestable: settings.requestable ? 1 : 0,
        approver_type: settings.approver.type,
        approver_group_id: settings.approver.type === 'GROUP_OWNERS' ? settings.approver.groupId : null,
        grant_type: settings.onApproval.type,
        grant_group_id: settings.onApproval.type === 'ADD_TO_GROUP' ? settings.onApproval.groupId : null,
        last_updated: lastUpdated,
      };
      await db.insertInto('app_access_settings').values({ org_id: orgId, app_id: appId, ...values })
        .onConflict((oc) => oc.columns(['org_id', 'app_id']).doUpdateSet(values)).execute();
    }),
    requestable: async () =>
      (await db.selectFrom('app_access_settings').selectAll().where('org_id', '=', orgId).where('requestable', '=', 1).execute())
        .map((row) => ({ appId: row.app_id, settings: toSettings(row) })),
    insert: (request) => mapErrors(async () => {
      await db.insertInto('app_access_requests').values({
        org_id: orgId, id: request.id, app_id: request.appId, user_id: request.userId, reason: request.reason,
        status: request.status, created: request.created, decided: request.decided, decided_by: request.decidedBy,
      }).execute();
    }),
    findById: async (id) => {
      const row = await db.selectFrom('app_access_requests').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row ? toRequest(row) : undefined;
    },
    list: async ({ status, userId, appIds, limit }) => {
      let query = db.selectFrom('app_access_requests').selectAll().where('org_id', '=', orgId);
      if (status) query = query.where('status', '=', status);
      if (userId) query = query.where('user_id', '=', userId);
      if (appIds) {
        if (appIds.length === 0) return [];
        query = query.where('app_id', 'in', appIds);
      }
      return (await query.orderBy('created').orderBy('id').limit(limit).execute()).map(toRequest);
    },
    decide: async (id, status, decided, decidedBy) => {
      // Only a PENDING request changes: a second decision finds nothing to update.
      const result = await db.updateTable('app_access_requests').set({ status, decided, decided_by: decidedBy })
        .where('org_id', '=', orgId).where('id', '=', id).where('status', '=', 'PENDING').executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
