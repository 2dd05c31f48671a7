/**
 * Imports of a directory's users and groups. A run reads its entries page by page — over a direct
 * connection, or from an agent that posts the pages it read — and each page is applied here, the
 * same way for both: users and groups are created and updated through their services (so the
 * system log and provisioning follow), and group membership follows the directory's.
 *
 * A full run reads everything and, at its end, deactivates the users it did not see (when the
 * directory says so) and deletes the groups it did not see. An incremental run reads the entries
 * changed since the highest change mark of the last successful run.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> RUNNING: start (on demand or on schedule)
 *   RUNNING --> RUNNING: a page of users, then of groups, applied
 *   RUNNING --> SUCCEEDED: every search read (a full run then handles vanished entries)
 *   RUNNING --> FAILED: the directory or the agent failed
 * ```
 */
import { z } from 'zod';
import { isAppError, notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { laterMark, mapGroup, mapUser, normalizeDn, searchesFor, type DirectoryEntry, type DirectorySearch } from '../directory/entries.ts';
import { providerType } from '../directory/settings.ts';
import { readPages, withServiceBind } from '../directory/ldap.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import type { DirectoryImportRecord, DirectoryRecord } from './ports.ts';
import type { UserService } from './users.ts';
import type { GroupService } from './groups.ts';
import type { LifecycleService } from './user-lifecycle.ts';
import { directoryTarget, requireDirectory, settingsOf, type DirectoryService } from './directories.ts';
import { buildEvent, userTarget } from './system-log.ts';
import { queueUserPush } from './provisioning-outbox.ts';
import { parseOrThrow } from './validation.ts';

export interface ImportProgress {
  phase: 'users' | 'groups' | null;
  users: { read: number; created: number; updated: number; unchanged: number; deactivated: number; reactivated: number; failed: number };
  groups: { read: number; created: number; updated: number; unchanged: number; deleted: number; failed: number };
  memberships: { added: number; removed: number };
  /** The first entries that could not be applied, with why. */
  errors: { dn: string; cause: string }[];
}

/** The record of the run a page is applied to: its mark rises as entries are read. */
type Running = { -readonly [K in keyof DirectoryImportRecord]: DirectoryImportRecord[K] };

const emptyProgress = (): ImportProgress => ({
  phase: 'users',
  users: { read: 0, created: 0, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0, failed: 0 },
  groups: { read: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 },
  memberships: { added: 0, removed: 0 },
  errors: [],
});

export const startImportSchema = z.strictObject({ kind: z.enum(['FULL', 'INCREMENTAL']).optional() });

/** An import left RUNNING this long without progress is taken for dead (its node stopped). */
const staleMs = 10 * 60_000;

/** Sends an import to the directory's agents (set by `directory-agents.ts`). */
export type AgentImportQueue = (orgId: string, directory: DirectoryRecord, record: DirectoryImportRecord, searches: DirectorySearch[]) => Promise<void>;

export function createDirectoryImport(deps: ServiceDeps, directories: DirectoryService, users: UserService, groups: GroupService, lifecycle: LifecycleService) {
  const { store, clock, logger } = deps;
  const running = new Set<Promise<void>>();
  let agentQueue: AgentImportQueue | undefined;

  function note(progress: ImportProgress, dn: string, cause: string): void {
    if (progress.errors.length < 50) progress.errors.push({ dn, cause: cause.slice(0, 300) });
  }

  const causeOf = (error: unknown) => isAppError(error) ? [error.message, ...error.causes].join(' — ') : (error as Error).message;

  async function applyUser(caller: Caller, directory: DirectoryRecord, record: Running, progress: ImportProgress, entry: DirectoryEntry): Promise<void> {
    const settings = settingsOf(directory);
    const org = store.forOrg(caller.org.id);
    const mapped = mapUser(settings, entry);
    progress.users.read++;
    if (!mapped.ok) {
      progress.users.failed++;
      return note(progress, mapped.dn, mapped.cause);
    }
    record.mark = laterMark(record.mark, mapped.mark);
    const now = clock.now().toISOString();
    const link = await org.directories.findLinkByExternalId(directory.id, 'user', mapped.externalId);
    const existing = link ? await org.users.findById(link.subjectId) : undefined;
    const save = (userId: string) => org.directories.saveLink({
      subjectType: 'user', subjectId: userId, directoryId: directory.id, externalId: mapped.externalId, dn: entry.dn, mark: mapped.mark ?? null,
      seenImport: record.id, lastUpdated: now,
    });
    try {
      if (!existing) {
        const user = await users.create(caller, { profile: mapped.profile }, {
          activate: !mapped.disabled, source: { directoryId: directory.id, provider: { type: providerType(settings.preset), name: directory.name } },
        });
        await save(user.id);
        progress.users.created++;
        return;
      }
      const before = existing.profile as Record<string, unknown>;
      const patch: Record<string, unknown> = {};
      for (const name of Object.keys(settings.attributes)) {
        const value = mapped.profile[name] ?? null;
        if ((before[name] ?? null) !== value) patch[name] = value;
      }
      const changed = Object.keys(patch).length > 0;
      if (changed) await users.update(caller, existing.id, { profile: patch }, 'partial', { fromDirectory: true });
      if (mapped.disabled && existing.status !== 'DEPROVISIONED') {
        await lifecycle.run(caller, existing.id, 'deactivate');
        progress.users.deactivated++;
      } else if (!mapped.disabled && (existing.status === 'DEPROVISIONED' || existing.status === 'STAGED')) {
        await reactivate(caller, existing.id);
        progress.users.reactivated++;
      }
      if (changed) progress.users.updated++;
      else progress.users.unchanged++;
      await save(existing.id);
    } catch (error) {
      if (!isAppError(error)) throw error;
      progress.users.failed++;
      note(progress, entry.dn, causeOf(error));
    }
  }

  /** A directory's user is active without a password: the directory checks it. */
  async function reactivate(caller: Caller, userId: string): Promise<void> {
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      const user = (await scoped.users.findById(userId))!;
      const now = clock.now().toISOString();
      await scoped.users.update(userId, { status: 'ACTIVE', statusChanged: now, lastUpdated: now, ...(user.activated ? {} : { activated: now }) });
      await scoped.logs.append(buildEvent(clock, caller, 'user.lifecycle.activate', { targets: [userTarget(user)] }));
      await queueUserPush(scoped, clock, [userId]);
    });
  }

  async function applyGroup(caller: Caller, directory: DirectoryRecord, record: Running, progress: ImportProgress, entry: DirectoryEntry): Promise<void> {
    const settings = settingsOf(directory);
    const org = store.forOrg(caller.org.id);
    const mapped = mapGroup(settings, entry);
    progress.groups.read++;
    if (!mapped.ok) {
      progress.groups.failed++;
      return note(progress, mapped.dn, mapped.cause);
    }
    record.mark = laterMark(record.mark, mapped.mark);
    try {
      const link = await org.directories.findLinkByExternalId(directory.id, 'group', mapped.externalId);
      let group = link ? await org.groups.findById(link.subjectId) : undefined;
      const profile = { name: mapped.name, description: mapped.description };
      if (!group) {
        group = await groups.fromDirectory.create(caller, profile);
        progress.groups.created++;
      } else if (group.name !== mapped.name || group.description !== mapped.description) {
        group = await groups.fromDirectory.replace(caller, group.id, profile);
        progress.groups.updated++;
      } else {
        progress.groups.unchanged++;
      }
      await org.directories.saveLink({
        subjectType: 'group', subjectId: group.id, directoryId: directory.id, externalId: mapped.externalId, dn: entry.dn,
        mark: mapped.mark ?? null, seenImport: record.id, lastUpdated: clock.now().toISOString(),
      });
      const wanted = new Set<string>();
      for (const dn of mapped.memberDns) {
        for (const member of await org.directories.findLinksByDn(directory.id, 'user', normalizeDn(dn))) wanted.add(member.subjectId);
      }
      const current = new Set<string>();
      let after: string | undefined;
      do {
        const page = await org.groups.listMembers(group.id, 1000, after);
        for (const user of page.items) current.add(user.id);
        after = page.next;
      } while (after);
      for (const userId of wanted) {
        if (current.has(userId)) continue;
        await groups.fromDirectory.setMember(caller, group.id, userId, true);
        progress.memberships.added++;
      }
      for (const userId of current) {
        if (wanted.has(userId)) continue;
        await groups.fromDirectory.setMember(caller, group.id, userId, false);
        progress.memberships.removed++;
      }
    } catch (error) {
      if (!isAppError(error)) throw error;
      progress.groups.failed++;
      note(progress, entry.dn, causeOf(error));
    }
  }

  async function loadRunning(orgId: string, directoryId: string, importId: string): Promise<{ directory: DirectoryRecord; record: DirectoryImportRecord }> {
    const org = store.forOrg(orgId);
    const directory = await requireDirectory(org, directoryId);
    const record = await org.directories.findImport(importId);
    if (!record || record.directoryId !== directoryId) throw notFound('DirectoryImport', importId);
    if (record.status !== 'RUNNING') throw validationError([`status: the import is ${record.status.toLowerCase()}`], 'status');
    return { directory, record };
  }

  /** Applies one page of entries read for a running import. */
  async function applyPage(caller: Caller, directoryId: string, importId: string, phase: 'users' | 'groups', entries: readonly DirectoryEntry[]): Promise<void> {
    const { directory, record: loaded } = await loadRunning(caller.org.id, directoryId, importId);
    const record: Running = { ...loaded };
    const progress = record.progress as ImportProgress;
    progress.phase = phase;
    for (const entry of entries) {
      if (phase === 'users') await applyUser(caller, directory, record, progress, entry);
      else await applyGroup(caller, directory, record, progress, entry);
    }
    await store.forOrg(caller.org.id).directories.saveImport({ ...record, progress, lastUpdated: clock.now().toISOString() });
  }

  /** Ends a run: a failure is recorded; a full run's success handles the entries it did not see. */
  async function finish(caller: Caller, directoryId: string, importId: string, failure: string | null): Promise<DirectoryImportRecord> {
    const { directory, record } = await loadRunning(caller.org.id, directoryId, importId);
    const org = store.forOrg(caller.org.id);
    const progress = record.progress as ImportProgress;
    progress.phase = null;
    if (failure === null && record.kind === 'FULL') {
      for (const link of await org.directories.listLinks(directory.id, 'user')) {
        if (link.seenImport === record.id) continue;
        const user = await org.users.findById(link.subjectId);
        if (!user || user.status === 'DEPROVISIONED' || !settingsOf(directory).deactivateMissing) continue;
        await lifecycle.run(caller, user.id, 'deactivate');
        progress.users.deactivated++;
      }
      for (const link of await org.directories.listLinks(directory.id, 'group')) {
        if (link.seenImport === record.id) continue;
        if (await org.groups.findById(link.subjectId)) await groups.fromDirectory.remove(caller, link.subjectId);
        await org.directories.deleteLink('group', link.subjectId);
        progress.groups.deleted++;
      }
    }
    const done: DirectoryImportRecord = {
      ...record, progress, status: failure === null ? 'SUCCEEDED' : 'FAILED', error: failure?.slice(0, 500) ?? null, lastUpdated: clock.now().toISOString(),
    };
    await org.directories.saveImport(done);
    await org.logs.append(buildEvent(clock, caller, 'system.directory.import.finish', {
      outcome: failure === null ? 'SUCCESS' : 'FAILURE', targets: [directoryTarget(directory)],
      ...(failure ? { reason: failure.slice(0, 200) } : {}),
      debugData: { importId: record.id, kind: record.kind },
    }));
    if (failure) logger.warn({ org: caller.org.id, directory: directory.id, import: record.id, err: failure }, 'directory import failed');
    return done;
  }

  /** Reads the directory over a direct connection and applies each page. */
  async function runDirect(caller: Caller, directory: DirectoryRecord, record: DirectoryImportRecord, searches: DirectorySearch[]): Promise<void> {
    let failure: string | null = null;
    try {
      const connection = await directories.connectionOf(caller.org.id, directory);
      await withServiceBind(connection, async (client) => {
        for (const search of searches) {
          for await (const page of readPages(client, connection, search)) await applyPage(caller, directory.id, record.id, search.phase, page);
        }
      });
    } catch (error) {
      failure = causeOf(error);
    }
    await finish(caller, directory.id, record.id, failure).catch((error: Error) => {
      logger.warn({ org: caller.org.id, directory: directory.id, err: error.message }, 'directory import could not be finished');
    });
  }

  /** Starts a run: FULL when asked or when no run succeeded yet, else INCREMENTAL. */
  async function start(caller: Caller, directoryId: string, raw: unknown): Promise<DirectoryImportRecord> {
    const { kind: asked } = parseOrThrow(startImportSchema, raw ?? {});
    const org = store.forOrg(caller.org.id);
    const directory = await requireDirectory(org, directoryId);
    const recent = await org.directories.listImports(directoryId, 20);
    const now = clock.now();
    const busy = recent.find((r) => r.status === 'RUNNING' && Date.parse(r.lastUpdated) > now.getTime() - staleMs);
    if (busy) throw validationError([`kind: import ${busy.id} is still running; wait for it to finish`], 'kind');
    const last = recent.find((r) => r.status === 'SUCCEEDED');
    const since = asked !== 'FULL' && last ? (last.mark ?? last.since) : null;
    const kind = since === null ? 'FULL' : 'INCREMENTAL';
    const record: DirectoryImportRecord = {
      id: newId('directoryImport'), directoryId, kind, status: 'RUNNING', since, mark: since, progress: emptyProgress(), error: null,
      created: now.toISOString(), lastUpdated: now.toISOString(),
    };
    await org.directories.saveImport(record);
    await org.logs.append(buildEvent(clock, caller, 'system.directory.import.start', {
      targets: [directoryTarget(directory)], debugData: { importId: record.id, kind },
    }));
    const settings = settingsOf(directory);
    const searches = searchesFor(settings, since);
    if (settings.mode === 'AGENT') {
      if (!agentQueue) throw new Error('no agent queue wired');
      await agentQueue(caller.org.id, directory, record, searches);
    } else {
      const work = runDirect(caller, directory, record, searches).finally(() => running.delete(work));
      running.add(work);
    }
    return record;
  }

  async function get(caller: Caller, directoryId: string, importId: string): Promise<DirectoryImportRecord> {
    const org = store.forOrg(caller.org.id);
    await requireDirectory(org, directoryId);
    const record = await org.directories.findImport(importId);
    if (!record || record.directoryId !== directoryId) throw notFound('DirectoryImport', importId);
    return record;
  }

  async function list(caller: Caller, directoryId: string): Promise<DirectoryImportRecord[]> {
    const org = store.forOrg(caller.org.id);
    await requireDirectory(org, directoryId);
    return org.directories.listImports(directoryId, 50);
  }

  return {
    start, get, list, applyPage, finish,
    /** Waits for direct imports running in the background (for shutdown and tests). */
    idle: async () => {
      await Promise.all(running);
    },
    useAgentQueue: (queue: AgentImportQueue) => {
      agentQueue = queue;
    },
  };
}

export type DirectoryImport = ReturnType<typeof createDirectoryImport>;
