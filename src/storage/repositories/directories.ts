/** One org's directories: settings, entry links, import runs, agents, enrolment tokens and agent jobs. */
import type { Kysely, Selectable } from 'kysely';
import type {
  Database, DirectoriesTable, DirectoryAgentsTable, DirectoryImportsTable, DirectoryJobsTable, DirectoryLinksTable,
} from '../schema.ts';
import type {
  DirectoryAgentRecord, DirectoryImportRecord, DirectoryJobRecord, DirectoryLinkRecord, DirectoryRecord, DirectoryRepository, DirectorySubject,
} from '../../services/ports.ts';
import { mapErrors } from '../errors.ts';

const toDirectory = (r: Selectable<DirectoriesTable>): DirectoryRecord => ({
  id: r.id, name: r.name, settings: JSON.parse(r.settings), bindPassword: r.bind_password, created: r.created, lastUpdated: r.last_updated,
});

const toLink = (r: Selectable<DirectoryLinksTable>): DirectoryLinkRecord => ({
  subjectType: r.subject_type as DirectorySubject, subjectId: r.subject_id, directoryId: r.directory_id, externalId: r.external_id,
  dn: r.dn, mark: r.mark, seenImport: r.seen_import, lastUpdated: r.last_updated,
});

const toImport = (r: Selectable<DirectoryImportsTable>): DirectoryImportRecord => ({
  id: r.id, directoryId: r.directory_id, kind: r.kind as DirectoryImportRecord['kind'], status: r.status as DirectoryImportRecord['status'],
  since: r.since, mark: r.mark, progress: JSON.parse(r.progress), error: r.error, created: r.created, lastUpdated: r.last_updated,
});

const toAgent = (r: Selectable<DirectoryAgentsTable>): DirectoryAgentRecord => ({
  id: r.id, directoryId: r.directory_id, name: r.name, secretHash: r.secret_hash, created: r.created, lastSeen: r.last_seen,
});

const toJob = (r: Selectable<DirectoryJobsTable>): DirectoryJobRecord => ({
  id: r.id, directoryId: r.directory_id, kind: r.kind as DirectoryJobRecord['kind'], payload: r.payload, status: r.status as DirectoryJobRecord['status'],
  agentId: r.agent_id, leaseUntil: r.lease_until, result: r.result, created: r.created, lastUpdated: r.last_updated,
});

/** How two spellings of one DN compare (kept in step with `directory/entries.ts`). */
const dnKey = (dn: string) => dn.split(',').map((rdn) => rdn.split('=').map((p) => p.trim()).join('=')).join(',').toLowerCase();

export function createDirectoryRepository(db: Kysely<Database>, orgId: string): DirectoryRepository {
  const directoryRow = (d: DirectoryRecord) => ({
    name: d.name, name_key: d.name.toLowerCase(), settings: JSON.stringify(d.settings), bind_password: d.bindPassword, last_updated: d.lastUpdated,
  });
  const links = () => db.selectFrom('directory_links').selectAll().where('org_id', '=', orgId);
  return {
    insert: (d) => mapErrors(async () => {
      await db.insertInto('directories').values({ org_id: orgId, id: d.id, created: d.created, ...directoryRow(d) }).execute();
    }),
    update: (d) => mapErrors(async () => {
      await db.updateTable('directories').set(directoryRow(d)).where('org_id', '=', orgId).where('id', '=', d.id).execute();
    }),
    findById: async (id) => {
      const row = await db.selectFrom('directories').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row ? toDirectory(row) : undefined;
    },
    list: async () => (await db.selectFrom('directories').selectAll().where('org_id', '=', orgId).orderBy('created').orderBy('id').execute()).map(toDirectory),
    delete: async (id) => {
      await db.updateTable('users').set({ provider_type: 'OKTA', provider_name: null, directory_id: null })
        .where('org_id', '=', orgId).where('directory_id', '=', id).execute();
      for (const table of ['directory_links', 'directory_imports', 'directory_agents', 'directory_agent_tokens', 'directory_jobs'] as const) {
        await db.deleteFrom(table).where('org_id', '=', orgId).where('directory_id', '=', id).execute();
      }
      const result = await db.deleteFrom('directories').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    findLink: async (subjectType, subjectId) => {
      const row = await links().where('subject_type', '=', subjectType).where('subject_id', '=', subjectId).executeTakeFirst();
      return row ? toLink(row) : undefined;
    },
    findLinkByExternalId: async (directoryId, subjectType, externalId) => {
      const row = await links().where('directory_id', '=', directoryId).where('subject_type', '=', subjectType).where('external_id', '=', externalId).executeTakeFirst();
      return row ? toLink(row) : undefined;
    },
    findLinksByDn: async (directoryId, subjectType, key) =>
      (await links().where('directory_id', '=', directoryId).where('subject_type', '=', subjectType).where('dn_key', '=', key).execute()).map(toLink),
    saveLink: (l) => mapErrors(async () => {
      const values = {
        directory_id: l.directoryId, external_id: l.externalId, dn: l.dn, dn_key: dnKey(l.dn), mark: l.mark, seen_import: l.seenImport, last_updated: l.lastUpdated,
      };
      await db.insertInto('directory_links').values({ org_id: orgId, subject_type: l.subjectType, subject_id: l.subjectId, ...values })
        .onConflict((oc) => oc.columns(['org_id', 'subject_type', 'subject_id']).doUpdateSet(values)).execute();
    }),
    deleteLink: async (subjectType, subjectId) => {
      await db.deleteFrom('directory_links').where('org_id', '=', orgId).where('subject_type', '=', subjectType).where('subject_id', '=', subjectId).execute();
    },
    listLinks: async (directoryId, subjectType) =>
      (await links().where('directory_id', '=', directoryId).where('subject_type', '=', subjectType).orderBy('subject_id').execute()).map(toLink),
    saveImport: async (r) => {
      const values = {
        status: r.status, since: r.since, mark: r.mark, progress: JSON.stringify(r.progress), error: r.error, last_updated: r.lastUpdated,
      };
      await db.insertInto('directory_imports').values({ org_id: orgId, id: r.id, directory_id: r.directoryId, kind: r.kind, created: r.created, ...values })
        .onConflict((oc) => oc.columns(['org_id', 'id']).doUpdateSet(values)).execute();
    },
    findImport: async (id) => {
      const row = await db.selectFrom('directory_imports').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row ? toImport(row) : undefined;
    },
    listImports: async (directoryId, limit) => (await db.selectFrom('directory_imports').selectAll()
      .where('org_id', '=', orgId).where('directory_id', '=', directoryId).orderBy('created', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(toImport),
    insertAgent: async (a) => {
      await db.insertInto('directory_agents').values({
        org_id: orgId, id: a.id, directory_id: a.directoryId, name: a.name, secret_hash: a.secretHash, created: a.created, last_seen: a.lastSeen,
      }).execute();
    },
    findAgent: async (id) => {
      const row = await db.selectFrom('directory_agents').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row ? toAgent(row) : undefined;
    },
    listAgents: async (directoryId) => (await db.selectFrom('directory_agents').selectAll()
      .where('org_id', '=', orgId).where('directory_id', '=', directoryId).orderBy('created').orderBy('id').execute()).map(toAgent),
    touchAgent: async (id, at) => {
      await db.updateTable('directory_agents').set({ last_seen: at }).where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    deleteAgent: async (directoryId, id) => {
      const result = await db.deleteFrom('directory_agents').where('org_id', '=', orgId).where('directory_id', '=', directoryId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    insertAgentToken: async (t) => {
      await db.insertInto('directory_agent_tokens').values({
        org_id: orgId, token_hash: t.tokenHash, directory_id: t.directoryId, created: t.created, expires_at: t.expiresAt,
      }).execute();
    },
    consumeAgentToken: async (tokenHash, now) => {
      const row = await db.selectFrom('directory_agent_tokens').selectAll().where('org_id', '=', orgId).where('token_hash', '=', tokenHash).executeTakeFirst();
      if (!row) return undefined;
      // The delete is the claim: of two enrolments with one token, one deletes the row.
      const result = await db.deleteFrom('directory_agent_tokens').where('org_id', '=', orgId).where('token_hash', '=', tokenHash).executeTakeFirst();
      if (Number(result.numDeletedRows) !== 1 || row.expires_at <= now) return undefined;
      return row.directory_id;
    },
    insertJob: async (j) => {
      await db.insertInto('directory_jobs').values({
        org_id: orgId, id: j.id, directory_id: j.directoryId, kind: j.kind, payload: j.payload, status: j.status, agent_id: j.agentId,
        lease_until: j.leaseUntil, result: j.result, created: j.created, last_updated: j.lastUpdated,
      }).execute();
    },
    findJob: async (id) => {
      const row = await db.selectFrom('directory_jobs').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row ? toJob(row) : undefined;
    },
    claimJob: async (directoryId, agentId, now, leaseUntil) => {
      const open = (await db.selectFrom('directory_jobs').selectAll()
        .where('org_id', '=', orgId).where('directory_id', '=', directoryId)
        .where((eb) => eb.or([eb('status', '=', 'PENDING'), eb.and([eb('status', '=', 'CLAIMED'), eb('lease_until', '<', now)])]))
        .orderBy('created').orderBy('id').limit(5).execute()).map(toJob);
      for (const job of open) {
        const until = leaseUntil(job);
        const result = await db.updateTable('directory_jobs').set({ status: 'CLAIMED', agent_id: agentId, lease_until: until, last_updated: now })
          .where('org_id', '=', orgId).where('id', '=', job.id).where('status', '=', job.status)
          .where((eb) => job.leaseUntil === null ? eb('lease_until', 'is', null) : eb('lease_until', '=', job.leaseUntil))
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) return { ...job, status: 'CLAIMED', agentId, leaseUntil: until, lastUpdated: now };
      }
      return undefined;
    },
    renewJob: async (id, agentId, leaseUntil, now) => {
      const result = await db.updateTable('directory_jobs').set({ lease_until: leaseUntil, last_updated: now })
        .where('org_id', '=', orgId).where('id', '=', id).where('agent_id', '=', agentId).where('status', '=', 'CLAIMED').executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    answerJob: async (id, agentId, result, now) => {
      const updated = await db.updateTable('directory_jobs').set({ status: 'ANSWERED', result, last_updated: now })
        .where('org_id', '=', orgId).where('id', '=', id).where('agent_id', '=', agentId).where('status', '=', 'CLAIMED').executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },
    deleteJob: async (id) => {
      await db.deleteFrom('directory_jobs').where('org_id', '=', orgId).where('id', '=', id).execute();
    },
  };
}
