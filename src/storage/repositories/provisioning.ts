/** Provisioning: per-org settings, links, tasks and request records; and the queue shared by every node. */
import type { Kysely, Selectable } from 'kysely';
import type {
  AppProvisioningTable, Database, ProvisioningImportsTable, ProvisioningLinksTable, ProvisioningRequestsTable, ProvisioningTasksTable,
} from '../schema.ts';
import type {
  AppProvisioningRecord, ProvisioningImportRecord, ProvisioningLinkRecord, ProvisioningQueue, ProvisioningRepository, ProvisioningRequestRecord, ProvisioningTaskRecord,
} from '../../services/ports.ts';

function toSettings(row: Selectable<AppProvisioningTable>): AppProvisioningRecord {
  return {
    appId: row.app_id, baseUrl: row.base_url, authScheme: row.auth_scheme, credentials: row.credentials,
    status: row.status as AppProvisioningRecord['status'], capabilities: JSON.parse(row.capabilities), settings: JSON.parse(row.settings),
    created: row.created, lastUpdated: row.last_updated,
  };
}

function toTask(row: Selectable<ProvisioningTasksTable>): ProvisioningTaskRecord {
  return {
    id: row.id, orgId: row.org_id, appId: row.app_id, subjectType: row.subject_type as ProvisioningTaskRecord['subjectType'],
    subjectId: row.subject_id, kind: row.kind, payload: row.payload, status: row.status as ProvisioningTaskRecord['status'],
    attempts: Number(row.attempts), nextAttemptAt: row.next_attempt_at, leaseOwner: row.lease_owner, leaseUntil: row.lease_until,
    lastError: row.last_error, created: row.created, lastUpdated: row.last_updated,
  };
}

function toLink(row: Selectable<ProvisioningLinksTable>): ProvisioningLinkRecord {
  return {
    appId: row.app_id, subjectType: row.subject_type as ProvisioningLinkRecord['subjectType'], subjectId: row.subject_id,
    externalId: row.external_id, externalName: row.external_name, status: row.status, lastError: row.last_error,
    lastSynced: row.last_synced, lastUpdated: row.last_updated,
  };
}

function toRequest(row: Selectable<ProvisioningRequestsTable>): ProvisioningRequestRecord {
  return {
    id: row.id, appId: row.app_id, taskId: row.task_id, at: row.at, method: row.method, path: row.path, requestBody: row.request_body,
    status: Number(row.status), responseBody: row.response_body, durationMs: Number(row.duration_ms),
  };
}

function toImport(row: Selectable<ProvisioningImportsTable>): ProvisioningImportRecord {
  return {
    id: row.id, appId: row.app_id, status: row.status as ProvisioningImportRecord['status'], options: JSON.parse(row.options),
    progress: JSON.parse(row.progress), results: row.results === null ? null : JSON.parse(row.results), error: row.error,
    created: row.created, lastUpdated: row.last_updated,
  };
}

export function createProvisioningRepository(db: Kysely<Database>, orgId: string): ProvisioningRepository {
  return {
    findSettings: async (appId) => {
      const row = await db.selectFrom('app_provisioning').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId).executeTakeFirst();
      return row ? toSettings(row) : undefined;
    },
    saveSettings: async (r) => {
      const values = {
        base_url: r.baseUrl, auth_scheme: r.authScheme, credentials: r.credentials, status: r.status,
        capabilities: JSON.stringify(r.capabilities), settings: JSON.stringify(r.settings), last_updated: r.lastUpdated,
      };
      await db.insertInto('app_provisioning').values({ org_id: orgId, app_id: r.appId, created: r.created, ...values })
        .onConflict((oc) => oc.columns(['org_id', 'app_id']).doUpdateSet(values)).execute();
    },
    listEnabledApps: async () =>
      (await db.selectFrom('app_provisioning').selectAll().where('org_id', '=', orgId).where('status', '=', 'ENABLED').execute()).map(toSettings),
    enqueue: async (t) => {
      await db.insertInto('provisioning_tasks').values({
        id: t.id, org_id: orgId, app_id: t.appId, subject_type: t.subjectType, subject_id: t.subjectId, kind: t.kind, payload: t.payload,
        status: t.status, attempts: t.attempts, next_attempt_at: t.nextAttemptAt, lease_owner: null, lease_until: null, last_error: null,
        created: t.created, last_updated: t.lastUpdated,
      }).execute();
    },
    hasPending: async (appId, subjectId, kind) => {
      const row = await db.selectFrom('provisioning_tasks').select('id').where('org_id', '=', orgId).where('app_id', '=', appId)
        .where('subject_id', '=', subjectId).where('kind', '=', kind).where('status', '=', 'PENDING').where('attempts', '=', 0).executeTakeFirst();
      return row !== undefined;
    },
    listTasks: async (appId, status, limit) => {
      let query = db.selectFrom('provisioning_tasks').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId);
      if (status) query = query.where('status', '=', status);
      return (await query.orderBy('created', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(toTask);
    },
    findTask: async (id) => {
      const row = await db.selectFrom('provisioning_tasks').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row ? toTask(row) : undefined;
    },
    retryTask: async (id, now) => {
      const result = await db.updateTable('provisioning_tasks')
        .set({ status: 'PENDING', attempts: 0, next_attempt_at: now, last_updated: now })
        .where('org_id', '=', orgId).where('id', '=', id).where('status', '=', 'DEAD').executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    findLink: async (appId, subjectType, subjectId) => {
      const row = await db.selectFrom('provisioning_links').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId)
        .where('subject_type', '=', subjectType).where('subject_id', '=', subjectId).executeTakeFirst();
      return row ? toLink(row) : undefined;
    },
    findLinkByExternalId: async (appId, subjectType, externalId) => {
      const row = await db.selectFrom('provisioning_links').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId)
        .where('subject_type', '=', subjectType).where('external_id', '=', externalId).executeTakeFirst();
      return row ? toLink(row) : undefined;
    },
    saveLink: async (l) => {
      const values = {
        external_id: l.externalId, external_name: l.externalName, status: l.status, last_error: l.lastError,
        last_synced: l.lastSynced, last_updated: l.lastUpdated,
      };
      await db.insertInto('provisioning_links').values({ org_id: orgId, app_id: l.appId, subject_type: l.subjectType, subject_id: l.subjectId, ...values })
        .onConflict((oc) => oc.columns(['org_id', 'app_id', 'subject_type', 'subject_id']).doUpdateSet(values)).execute();
    },
    listLinks: async (appId, subjectType) =>
      (await db.selectFrom('provisioning_links').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId)
        .where('subject_type', '=', subjectType).orderBy('subject_id').execute()).map(toLink),
    appsLinkedTo: async (subjectType, subjectId) =>
      (await db.selectFrom('provisioning_links').select('app_id').where('org_id', '=', orgId).where('subject_type', '=', subjectType)
        .where('subject_id', '=', subjectId).execute()).map((r) => r.app_id),
    recordRequest: async (r) => {
      await db.insertInto('provisioning_requests').values({
        id: r.id, org_id: orgId, app_id: r.appId, task_id: r.taskId, at: r.at, method: r.method, path: r.path,
        request_body: r.requestBody, status: r.status, response_body: r.responseBody, duration_ms: r.durationMs,
      }).execute();
    },
    saveImport: async (r) => {
      const values = {
        status: r.status, options: JSON.stringify(r.options), progress: JSON.stringify(r.progress),
        results: r.results === null || r.results === undefined ? null : JSON.stringify(r.results), error: r.error, last_updated: r.lastUpdated,
      };
      await db.insertInto('provisioning_imports').values({ id: r.id, org_id: orgId, app_id: r.appId, created: r.created, ...values })
        .onConflict((oc) => oc.column('id').doUpdateSet(values)).execute();
    },
    findImport: async (id) => {
      const row = await db.selectFrom('provisioning_imports').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row ? toImport(row) : undefined;
    },
    listImports: async (appId, limit) =>
      (await db.selectFrom('provisioning_imports').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId)
        .orderBy('created', 'desc').limit(limit).execute()).map(toImport),
    listRequests: async (appId, limit, before) => {
      let query = db.selectFrom('provisioning_requests').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId);
      if (before) query = query.where('id', '<', before);
      return (await query.orderBy('id', 'desc').limit(limit).execute()).map(toRequest);
    },
  };
}

export function createProvisioningQueue(db: Kysely<Database>): ProvisioningQueue {
  const due = (now: string) => (eb: any) => eb.or([
    eb.and([eb('t.status', '=', 'PENDING'), eb('t.next_attempt_at', '<=', now)]),
    eb.and([eb('t.status', '=', 'RUNNING'), eb('t.lease_until', '<', now)]),
  ]);
  return {
    claim: async (owner, now, leaseUntil, limit, skipApps) => {
      // Per subject and app, tasks run in the order they were made: none while an earlier one is open.
      const noEarlierOpen = ({ not, exists, selectFrom }: any) => not(exists(selectFrom('provisioning_tasks as e').select('e.id')
        .whereRef('e.org_id', '=', 't.org_id').whereRef('e.app_id', '=', 't.app_id').whereRef('e.subject_id', '=', 't.subject_id')
        .where('e.status', 'in', ['PENDING', 'RUNNING'])
        .where((eb: any) => eb.or([eb('e.created', '<', eb.ref('t.created')), eb.and([eb('e.created', '=', eb.ref('t.created')), eb('e.id', '<', eb.ref('t.id'))])]))));
      const base = () => {
        let query = db.selectFrom('provisioning_tasks as t').selectAll('t');
        if (skipApps.length > 0) query = query.where('t.app_id', 'not in', [...skipApps]);
        return query;
      };
      // Two narrow reads, each served by an index in queue order: tasks whose time has come, and
      // tasks whose node let its lease run out (crashed, most likely).
      const expired = await base().where('t.status', '=', 'RUNNING').where('t.lease_until', '<', now).orderBy('t.created').orderBy('t.id').limit(limit).execute();
      const pending = await base().where('t.status', '=', 'PENDING').where('t.next_attempt_at', '<=', now).where(noEarlierOpen)
        .orderBy('t.status').orderBy('t.created').orderBy('t.id').limit(limit * 4).execute();
      const candidates = [...expired, ...pending];
      const claimed: ProvisioningTaskRecord[] = [];
      const subjects = new Set<string>();
      for (const row of candidates) {
        if (claimed.length >= limit) break;
        const subject = `${row.org_id}|${row.app_id}|${row.subject_id}`;
        if (subjects.has(subject)) continue;
        // The claim is the update: only one node's succeeds.
        const result = await db.updateTable('provisioning_tasks as t')
          .set({ status: 'RUNNING', lease_owner: owner, lease_until: leaseUntil, last_updated: now })
          .where('t.id', '=', row.id).where(due(now)).executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) continue;
        subjects.add(subject);
        claimed.push(toTask({ ...row, status: 'RUNNING', lease_owner: owner, lease_until: leaseUntil, last_updated: now }));
      }
      return claimed;
    },
    complete: async (id, owner, now) => {
      const result = await db.updateTable('provisioning_tasks')
        .set({ status: 'DONE', lease_owner: null, lease_until: null, payload: null, last_error: null, last_updated: now })
        .where('id', '=', id).where('lease_owner', '=', owner).where('status', '=', 'RUNNING').executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    reschedule: async (id, owner, changes, now) => {
      const result = await db.updateTable('provisioning_tasks')
        .set({
          status: changes.dead ? 'DEAD' : 'PENDING', attempts: changes.attempts, next_attempt_at: changes.nextAttemptAt,
          last_error: changes.lastError, lease_owner: null, lease_until: null, last_updated: now,
        })
        .where('id', '=', id).where('lease_owner', '=', owner).where('status', '=', 'RUNNING').executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    purge: async (tasksBefore, requestsBefore) => {
      const tasks = await db.deleteFrom('provisioning_tasks').where('status', '=', 'DONE').where('last_updated', '<', tasksBefore).executeTakeFirst();
      const requests = await db.deleteFrom('provisioning_requests').where('at', '<', requestsBefore).executeTakeFirst();
      return Number(tasks.numDeletedRows) + Number(requests.numDeletedRows);
    },
    countOpen: async () => {
      const row = await db.selectFrom('provisioning_tasks').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['PENDING', 'RUNNING']).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
  };
}
