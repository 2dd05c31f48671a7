/**
 * Directory integrations of an org: create, read, replace and delete their settings (the bind
 * password sealed by the vault, never shown), and test a connection — directly, or through an
 * agent when the directory is in mode AGENT.
 */
import { z } from 'zod';
import { notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { directoryInputSchema, resolveSettings, settingsProblems, type DirectoryInput, type DirectorySettings } from '../directory/settings.ts';
import { searchesFor } from '../directory/entries.ts';
import { testConnection, type DirectoryConnection, type TestReport } from '../directory/ldap.ts';
import type { Vault } from '../vault/envelope.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { UniqueViolation, type DirectoryRecord, type OrgStore } from './ports.ts';
import { buildEvent } from './system-log.ts';
import { parseOrThrow } from './validation.ts';

/** The settings as stored: resolved, plus what an update needs to start from. */
export interface StoredSettings extends DirectorySettings {
  /** What the admin sent (without the password), so that a PUT may leave fields to the preset. */
  readonly input: Omit<DirectoryInput, 'name' | 'bindPassword'>;
}

const passwordContext = (directoryId: string) => `directory-bind:${directoryId}`;

/** A PUT may leave the bind password out: the stored one stays. */
const replaceSchema = directoryInputSchema.extend({ bindPassword: directoryInputSchema.shape.bindPassword.optional() });

export const directoryTarget = (d: Pick<DirectoryRecord, 'id' | 'name'>) => ({ id: d.id, type: 'Directory', alternateId: d.name, displayName: d.name });

export async function requireDirectory(org: OrgStore, id: string): Promise<DirectoryRecord> {
  const directory = await org.directories.findById(id);
  if (!directory) throw notFound('Directory', id);
  return directory;
}

export function settingsOf(directory: DirectoryRecord): StoredSettings {
  return directory.settings as StoredSettings;
}

function validated<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const input = parseOrThrow(schema, raw ?? {}) as DirectoryInput;
  const problems = settingsProblems(input);
  if (problems.length > 0) throw validationError(problems);
  return input as z.output<T>;
}

function stored(input: Omit<DirectoryInput, 'bindPassword'> & { bindPassword?: string | undefined }): StoredSettings {
  const { name: _name, bindPassword: _password, ...rest } = input;
  return { ...resolveSettings(rest), input: rest };
}

/** Hands a test to an agent and waits for its report (set by `directory-agents.ts`). */
export type AgentTester = (orgId: string, directory: DirectoryRecord) => Promise<TestReport>;

export function createDirectoryService(deps: ServiceDeps, vault: Vault) {
  const { store, clock } = deps;
  let agentTester: AgentTester | undefined;

  function uniqueName<T>(work: () => Promise<T>): Promise<T> {
    return work().catch((error: unknown) => {
      if (error instanceof UniqueViolation && error.field === 'name') {
        throw validationError(['name: A directory with this name already exists in the current organization'], 'name');
      }
      throw error;
    });
  }

  async function create(caller: Caller, raw: unknown): Promise<DirectoryRecord> {
    const input = validated(directoryInputSchema, raw);
    const id = newId('directory');
    const now = clock.now().toISOString();
    const directory: DirectoryRecord = {
      id, name: input.name, settings: stored(input), created: now, lastUpdated: now,
      // Sealed before the transaction: sealing may write the org's first data key.
      bindPassword: await vault.seal(caller.org.id, input.bindPassword, passwordContext(id)),
    };
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      await uniqueName(() => scoped.directories.insert(directory));
      await scoped.logs.append(buildEvent(clock, caller, 'system.directory.create', { targets: [directoryTarget(directory)] }));
    });
    return directory;
  }

  async function replace(caller: Caller, id: string, raw: unknown): Promise<DirectoryRecord> {
    const existing = await requireDirectory(store.forOrg(caller.org.id), id);
    const input = validated(replaceSchema, raw);
    const directory: DirectoryRecord = {
      ...existing, name: input.name, settings: stored(input), lastUpdated: clock.now().toISOString(),
      bindPassword: input.bindPassword === undefined ? existing.bindPassword : await vault.seal(caller.org.id, input.bindPassword, passwordContext(id)),
    };
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      await uniqueName(() => scoped.directories.update(directory));
      await scoped.logs.append(buildEvent(clock, caller, 'system.directory.update', { targets: [directoryTarget(directory)] }));
    });
    return directory;
  }

  async function remove(caller: Caller, id: string): Promise<void> {
    const existing = await requireDirectory(store.forOrg(caller.org.id), id);
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      await scoped.directories.delete(id);
      await scoped.logs.append(buildEvent(clock, caller, 'system.directory.delete', { targets: [directoryTarget(existing)] }));
    });
  }

  /** The connection with the bind password opened: only for a bind or a job about to travel to an agent. */
  async function connectionOf(orgId: string, directory: DirectoryRecord): Promise<DirectoryConnection> {
    const settings = settingsOf(directory);
    return {
      url: settings.url, startTls: settings.startTls, bindDn: settings.bindDn,
      bindPassword: await vault.openText(orgId, directory.bindPassword, passwordContext(directory.id)),
    };
  }

  async function test(caller: Caller, id: string): Promise<TestReport> {
    const directory = await requireDirectory(store.forOrg(caller.org.id), id);
    const settings = settingsOf(directory);
    if (settings.mode === 'AGENT') {
      if (!agentTester) throw new Error('no agent tester wired');
      return agentTester(caller.org.id, directory);
    }
    return testConnection(await connectionOf(caller.org.id, directory), searchesFor(settings, null));
  }

  return {
    create, replace, remove, test, connectionOf,
    get: (caller: Caller, id: string) => requireDirectory(store.forOrg(caller.org.id), id),
    list: (caller: Caller) => store.forOrg(caller.org.id).directories.list(),
    useAgentTester: (tester: AgentTester) => {
      agentTester = tester;
    },
  };
}

export type DirectoryService = ReturnType<typeof createDirectoryService>;
