/**
 * Importing an app's existing accounts: Lanyard pages through the app's `/Users` and `/Groups`
 * (`startIndex` and `count`, as Okta does), matches each account to a Lanyard user by the rule
 * the admin chose (login, email, or an attribute), and proposes: link a match, create a user for
 * an account with none, or leave it. Progress is visible while it reads. Nothing changes until
 * the admin confirms (possibly overriding proposals); then matches are linked and assigned, new
 * users created. An import can also run on a schedule, linking exact matches on its own.
 */
import { z } from 'zod';
import { notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { listPath, type ScimJson } from '../protocols/scim/client.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import type { OrgStore, ProvisioningImportRecord } from './ports.ts';
import type { ProvisioningService } from './provisioning.ts';
import type { ScimConnections } from './scim-connection.ts';
import type { UserService } from './users.ts';
import type { createAppService } from './apps.ts';
import { parseOrThrow } from './validation.ts';

export const importOptionsSchema = z.object({
  /** How an account finds its Lanyard user: by login (the account's userName), by email, or by an attribute. */
  match: z.enum(['login', 'email', 'attribute']).default('login'),
  /** For `attribute`: the Lanyard profile attribute, compared with the account's `externalId`. */
  attribute: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/).optional(),
  /** Propose creating a Lanyard user for an account that matches none. */
  createUnmatched: z.boolean().default(false),
}).refine((o) => o.match !== 'attribute' || o.attribute !== undefined, { message: 'attribute is required when match is attribute', path: ['attribute'] });
export type ImportOptions = z.output<typeof importOptionsSchema>;

const decisionsSchema = z.strictObject({
  /** Overrides of the proposals, by the account's id in the app. */
  decisions: z.array(z.strictObject({
    externalId: z.string().min(1).max(200),
    action: z.enum(['link', 'create', 'ignore']),
    userId: z.string().min(1).max(200).optional(),
  })).max(100_000).default([]),
});

export interface ImportedAccount {
  readonly externalId: string;
  readonly userName: string;
  readonly email: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly active: boolean;
  readonly match: { readonly userId: string; readonly login: string } | null;
  readonly proposed: 'link' | 'create' | 'ignore' | 'linked';
  applied?: string;
}

export interface ImportedGroup {
  readonly externalId: string;
  readonly displayName: string;
  readonly match: { readonly groupId: string } | null;
  readonly proposed: 'link' | 'ignore' | 'linked';
  applied?: string;
}

interface Results {
  users: ImportedAccount[];
  groups: ImportedGroup[];
}

const pageSize = 100;

export function createProvisioningImport(deps: ServiceDeps, provisioning: ProvisioningService, scim: ScimConnections, users: UserService,
  apps: ReturnType<typeof createAppService>) {
  const { store, clock, logger } = deps;

  async function matchUser(org: OrgStore, options: ImportOptions, account: ScimJson): Promise<{ userId: string; login: string } | null> {
    const userName = String(account.userName ?? '');
    if (options.match === 'login') {
      const user = await org.users.findByLogin(userName);
      return user ? { userId: user.id, login: user.profile.login } : null;
    }
    const value = options.match === 'email'
      ? ((account.emails as ScimJson[] | undefined)?.find((e) => e.primary) ?? (account.emails as ScimJson[] | undefined)?.[0])?.value
      : account.externalId;
    if (typeof value !== 'string' || !value) return null;
    const path = options.match === 'email' ? 'profile.email' : `profile.${options.attribute}`;
    const found = await org.users.list({ filter: { op: 'eq', path, value }, limit: 2, includeDeprovisioned: false });
    // An ambiguous match is no match: the admin decides.
    return found.items.length === 1 ? { userId: found.items[0]!.id, login: found.items[0]!.profile.login } : null;
  }

  /** Reads the app's accounts page by page, saving progress, then proposes what to do with each. */
  async function read(orgId: string, record: ProvisioningImportRecord): Promise<void> {
    const org = store.forOrg(orgId);
    const save = (changes: Partial<ProvisioningImportRecord>) => org.provisioning.saveImport({ ...record, ...changes, lastUpdated: clock.now().toISOString() });
    try {
      const state = await provisioning.find(orgId, record.appId);
      if (!state) throw new Error('the app has no provisioning connection');
      const target = await provisioning.target(orgId, state);
      const options = importOptionsSchema.parse(record.options);
      const results: Results = { users: [], groups: [] };
      const linkedUsers = new Map((await org.provisioning.listLinks(record.appId, 'user')).filter((l) => l.externalId).map((l) => [l.externalId!, l]));
      /** The app's count of accounts (SCIM's `totalResults`), so progress can show a share. */
      let usersTotal: number | null = null;
      for (const resource of ['Users', 'Groups'] as const) {
        let startIndex = 1;
        for (;;) {
          const page = await scim.call(org, target, null, 'GET', listPath(resource, startIndex, pageSize), undefined, resource === 'Groups' ? [404, 501] : []);
          if (page.status !== 200) break;
          const items = (page.json?.Resources ?? []) as ScimJson[];
          for (const item of items) {
            if (resource === 'Users') {
              const externalId = String(item.id);
              const match = linkedUsers.has(externalId) ? null : await matchUser(org, options, item);
              const email = ((item.emails as ScimJson[] | undefined)?.find((e) => e.primary) ?? (item.emails as ScimJson[] | undefined)?.[0])?.value ?? null;
              results.users.push({
                externalId, userName: String(item.userName ?? ''), email, givenName: item.name?.givenName ?? null, familyName: item.name?.familyName ?? null,
                active: item.active !== false, match,
                proposed: linkedUsers.has(externalId) ? 'linked' : match ? 'link' : options.createUnmatched ? 'create' : 'ignore',
              });
            } else {
              const externalId = String(item.id);
              const existing = await org.provisioning.findLinkByExternalId(record.appId, 'group', externalId);
              const group = existing ? undefined : await org.groups.findByName(String(item.displayName ?? ''));
              results.groups.push({
                externalId, displayName: String(item.displayName ?? ''), match: group ? { groupId: group.id } : null,
                proposed: existing ? 'linked' : group ? 'link' : 'ignore',
              });
            }
          }
          const total = Number(page.json?.totalResults ?? 0);
          if (resource === 'Users') usersTotal = total;
          await save({ progress: { users: results.users.length, groups: results.groups.length, reading: resource, usersTotal } });
          startIndex += items.length;
          if (items.length === 0 || startIndex > total) break;
        }
      }
      await save({ status: 'READY', results, progress: { users: results.users.length, groups: results.groups.length, reading: null, usersTotal } });
    } catch (error) {
      logger.warn({ org: orgId, app: record.appId, err: (error as Error).message }, 'import failed');
      await save({ status: 'FAILED', error: (error as Error).message.slice(0, 500) });
    }
  }

  const running = new Set<Promise<void>>();

  /** Starts an import; it reads in the background, and `get` shows its progress. */
  async function start(caller: Caller, appId: string, raw: unknown): Promise<ProvisioningImportRecord> {
    const options = parseOrThrow(importOptionsSchema, raw ?? {});
    const settings = await provisioning.getSettings(caller, appId);
    if (!settings.importUsers) throw validationError(['importUsers: importing is turned off for this app (PUT …/provisioning with importUsers: true)'], 'importUsers');
    const now = clock.now().toISOString();
    const record: ProvisioningImportRecord = {
      id: newId('provisioningImport'), appId, status: 'RUNNING', options, progress: { users: 0, groups: 0, reading: 'Users' },
      results: null, error: null, created: now, lastUpdated: now,
    };
    await store.forOrg(caller.org.id).provisioning.saveImport(record);
    const work = read(caller.org.id, record).finally(() => running.delete(work));
    running.add(work);
    return record;
  }

  async function get(caller: Caller, appId: string, importId: string): Promise<ProvisioningImportRecord> {
    const record = await store.forOrg(caller.org.id).provisioning.findImport(importId);
    if (!record || record.appId !== appId) throw notFound('ProvisioningImport', importId);
    return record;
  }

  /** Applies the proposals (with the admin's overrides): link and assign, create and assign, or leave. */
  async function confirm(caller: Caller, appId: string, importId: string, raw: unknown): Promise<ProvisioningImportRecord> {
    const { decisions } = parseOrThrow(decisionsSchema, raw ?? {});
    const record = await get(caller, appId, importId);
    if (record.status !== 'READY') throw validationError([`status: the import is ${record.status.toLowerCase()}; only a READY import is confirmed`], 'status');
    const results = record.results as Results;
    const byId = new Map(decisions.map((d) => [d.externalId, d]));
    for (const decision of decisions) {
      if (!results.users.some((u) => u.externalId === decision.externalId)) throw validationError([`decisions: ${decision.externalId} is not an account of this import`], 'decisions');
    }
    const org = store.forOrg(caller.org.id);
    const now = () => clock.now().toISOString();
    for (const account of results.users) {
      const decision = byId.get(account.externalId);
      const action = decision?.action ?? (account.proposed === 'linked' ? 'ignore' : account.proposed);
      try {
        if (action === 'link') {
          const userId = decision?.userId ?? account.match?.userId;
          if (!userId) throw validationError(['userId: a link needs a Lanyard user']);
          await org.provisioning.saveLink({
            appId, subjectType: 'user', subjectId: userId, externalId: account.externalId, externalName: account.userName,
            status: account.active ? 'PROVISIONED' : 'DEACTIVATED', lastError: null, lastSynced: now(), lastUpdated: now(),
          });
          await apps.assignUser(caller, appId, userId);
          account.applied = 'linked';
        } else if (action === 'create') {
          const user = await users.create(caller, {
            profile: { login: account.userName, email: account.email ?? account.userName, firstName: account.givenName ?? account.userName, lastName: account.familyName ?? '-' },
          }, { activate: true });
          await org.provisioning.saveLink({
            appId, subjectType: 'user', subjectId: user.id, externalId: account.externalId, externalName: account.userName,
            status: 'PROVISIONED', lastError: null, lastSynced: now(), lastUpdated: now(),
          });
          await apps.assignUser(caller, appId, user.id);
          account.applied = 'created';
        } else {
          account.applied = 'left';
        }
      } catch (error) {
        account.applied = `failed: ${(error as Error).message.slice(0, 200)}`;
      }
    }
    for (const group of results.groups) {
      if (group.proposed !== 'link' || !group.match) continue;
      await org.provisioning.saveLink({
        appId, subjectType: 'group', subjectId: group.match.groupId, externalId: group.externalId, externalName: group.displayName,
        status: 'PUSHED', lastError: null, lastSynced: now(), lastUpdated: now(),
      });
      group.applied = 'linked';
    }
    const applied = { ...record, status: 'APPLIED' as const, results, lastUpdated: now() };
    await org.provisioning.saveImport(applied);
    return applied;
  }

  /**
   * The scheduled import of one app, run by the job: reads, then links the accounts that match
   * (none is created, none left unmatched is touched). Skipped while one is already running.
   */
  async function runScheduled(caller: Caller, appId: string, match: 'login' | 'email'): Promise<ProvisioningImportRecord | undefined> {
    const org = store.forOrg(caller.org.id);
    if ((await org.provisioning.listImports(appId, 1)).some((r) => r.status === 'RUNNING')) return undefined;
    const now = clock.now().toISOString();
    const record: ProvisioningImportRecord = {
      id: newId('provisioningImport'), appId, status: 'RUNNING', options: { match, createUnmatched: false, scheduled: true },
      progress: { users: 0, groups: 0, reading: 'Users' }, results: null, error: null, created: now, lastUpdated: now,
    };
    await org.provisioning.saveImport(record);
    await read(caller.org.id, record);
    const finished = await org.provisioning.findImport(record.id);
    if (finished?.status !== 'READY') return finished;
    return confirm(caller, appId, record.id, {});
  }

  async function list(caller: Caller, appId: string) {
    await provisioning.getSettings(caller, appId);
    return store.forOrg(caller.org.id).provisioning.listImports(appId, 50);
  }

  /** Waits for imports reading in the background (for shutdown and tests). */
  async function idle(): Promise<void> {
    await Promise.all(running);
  }

  return { start, get, confirm, list, idle, runScheduled };
}

export type ProvisioningImport = ReturnType<typeof createProvisioningImport>;
