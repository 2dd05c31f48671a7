/**
 * The provisioning worker. Every node runs one; they share the task queue in the database and
 * claim tasks by lease, so no task runs on two nodes at once and a task whose node died (even by
 * `kill -9`) runs again when its lease ends. A task is idempotent: a push makes the app's account
 * match Lanyard as it is now — looked up by userName before anything is created, so a user never
 * gets two accounts — and is safe to run again after any interruption.
 *
 * Per app: at most `concurrency` tasks at once, `requestsPerSecond`, a circuit breaker that stops
 * calling an app after five failures in a row for a while, `429` waited out as `Retry-After` says,
 * other failures retried with exponential backoff and jitter, and a task that keeps failing (or
 * fails in a way retrying cannot fix) moved to the dead letters, where an admin can retry it.
 */
import { randomUUID } from 'node:crypto';
import { evaluate, ExpressionEvaluationError, parseExpression } from '../protocols/expressions/index.ts';
import {
  activeBody, addMembersBody, changedAttributes, chunks, groupBody, lookupGroupPath, lookupUserPath, passwordBody, removeMembersBody,
  renameGroupBody, replaceBody, userBody, type GroupMember, type ScimJson,
} from '../protocols/scim/client.ts';
import type { Mapping } from '../domain/provisioning.ts';
import type { User } from '../domain/user.ts';
import { buildExpressionContext } from './expression-context.ts';
import type { ServiceDeps } from './deps.ts';
import type { OrgStore, ProvisioningLinkRecord, ProvisioningTaskRecord } from './ports.ts';
import type { ProvisioningService, ProvisioningState } from './provisioning.ts';
import { ScimCallError, type ScimConnections, type ScimTarget } from './scim-connection.ts';
import { passwordContext, queueGroupPush } from './provisioning-outbox.ts';
import type { Vault } from '../vault/envelope.ts';

export interface EngineOptions {
  /** How long a claimed task is this node's; a crashed node's tasks run again after it. */
  readonly leaseMs?: number;
  /** How often the queue is read when idle. */
  readonly pollMs?: number;
  /** Tasks this node runs at once, across apps. */
  readonly slots?: number;
  /** Attempts before a task goes to the dead letters. */
  readonly maxAttempts?: number;
  /** The first backoff; each retry doubles it (with jitter), up to `maxBackoffMs`. */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly breakerThreshold?: number;
  /** How long the breaker stays open; thirty times the first backoff unless given. */
  readonly breakerOpenMs?: number;
}

const inactiveStatuses = new Set(['DEPROVISIONED', 'STAGED', 'SUSPENDED']);

export function createProvisioningEngine(deps: ServiceDeps, provisioning: ProvisioningService, scim: ScimConnections, vault: Vault, options: EngineOptions = {}) {
  const { store, clock, logger } = deps;
  const owner = `node-${randomUUID()}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 250;
  const slots = options.slots ?? 16;
  const maxAttempts = options.maxAttempts ?? 12;
  const baseBackoffMs = options.baseBackoffMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 5 * 60_000;
  const breakerThreshold = options.breakerThreshold ?? 5;
  // Open for thirty first-retry waits: 30 s at the default.
  const breakerOpenMs = options.breakerOpenMs ?? baseBackoffMs * 30;

  const runningPerApp = new Map<string, number>();
  const breakers = new Map<string, { failures: number; openUntil: number }>();
  const inFlight = new Set<Promise<void>>();
  let stopped = true;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;

  function mappedValues(mappings: readonly Mapping[], context: Parameters<typeof evaluate>[1]): Record<string, string | null> {
    const values: Record<string, string | null> = {};
    for (const mapping of mappings) {
      try {
        const value = evaluate(parseExpression(mapping.expression), context);
        values[mapping.target] = value === null || Array.isArray(value) ? null : String(value);
      } catch (error) {
        if (!(error instanceof ExpressionEvaluationError)) throw error;
        values[mapping.target] = null;
      }
    }
    return values;
  }

  /** Makes the app's account of one user match Lanyard. */
  async function pushUser(task: ProvisioningTaskRecord, state: ProvisioningState, target: ScimTarget): Promise<void> {
    const org = store.forOrg(task.orgId);
    const orgRecord = await store.orgs.findById(task.orgId);
    const app = await org.apps.findById(task.appId);
    if (!orgRecord || !app) return;
    const user: User | undefined = await org.users.findById(task.subjectId);
    const assigned = user !== undefined && await org.apps.isAssigned(app.id, user.id);
    const wanted = assigned && !inactiveStatuses.has(user!.status) && app.status === 'ACTIVE';
    const link = await org.provisioning.findLink(app.id, 'user', task.subjectId);
    const { capabilities, settings } = state;
    const compatibility = settings.compatibility;
    const call = (method: string, path: string, body?: unknown, accept: readonly number[] = []) =>
      scim.call(org, target, task.id, method, path, body, accept);
    const now = () => clock.now().toISOString();
    const saveLink = (changes: Partial<ProvisioningLinkRecord>) => org.provisioning.saveLink({
      appId: app.id, subjectType: 'user', subjectId: task.subjectId, externalId: link?.externalId ?? null, externalName: link?.externalName ?? null,
      status: link?.status ?? 'PROVISIONED', lastError: null, lastSynced: now(), lastUpdated: now(), ...changes,
    });

    if (!wanted) {
      if (!link?.externalId || link.status === 'DEACTIVATED') return;
      if (capabilities.update.lifecycleDeactivate.status !== 'ENABLED') return;
      const at = `/Users/${encodeURIComponent(link.externalId)}`;
      if (compatibility.deprovision === 'delete') await call('DELETE', at, undefined, [404]);
      else await call('PATCH', at, activeBody(false, compatibility), [404]);
      await saveLink({ status: 'DEACTIVATED' });
      return;
    }

    const context = await buildExpressionContext(deps, orgRecord, user!, { app });
    const desired = userBody(mappedValues(settings.mappings, context) as Record<Mapping['target'], string | null>, true, compatibility);
    const userName = String(desired.userName ?? '');
    if (!userName) throw new ScimCallError('permanent', 0, 'the userName mapping gives no value for this user');

    let externalId = link?.externalId ?? null;
    let current: ScimJson | undefined;
    if (externalId) {
      const found = await call('GET', `/Users/${encodeURIComponent(externalId)}`, undefined, [404]);
      if (found.status === 404) externalId = null;
      else current = found.json;
    }
    if (!externalId) {
      // Look before creating: an account that already exists is linked, never duplicated.
      const lookup = await call('GET', lookupUserPath(userName));
      const existing = (lookup.json?.Resources as ScimJson[] | undefined)?.find((r) => String(r.userName).toLowerCase() === userName.toLowerCase());
      if (existing) {
        externalId = String(existing.id);
        current = existing;
      } else {
        if (capabilities.create.lifecycleCreate.status !== 'ENABLED') {
          await saveLink({ externalId: null, status: 'NOT_PROVISIONED', lastError: 'no account in the app, and creating users is turned off' });
          return;
        }
        const created = await call('POST', '/Users', desired, [409]);
        if (created.status === 409) {
          // Created by an earlier attempt whose answer was lost, or by someone else: find and link it.
          const again = await call('GET', lookupUserPath(userName));
          const found = (again.json?.Resources as ScimJson[] | undefined)?.[0];
          if (!found) throw new ScimCallError('permanent', 409, `the app says ${userName} exists but does not find it`);
          externalId = String(found.id);
          current = found;
        } else {
          if (typeof created.json?.id !== 'string' && typeof created.json?.id !== 'number') {
            throw new ScimCallError('permanent', created.status, 'the app created the user but returned no id');
          }
          await saveLink({ externalId: String(created.json!.id), externalName: userName, status: 'PROVISIONED' });
          await queueUsersGroups(org, user!.id);
          return;
        }
      }
    }
    await saveLink({ externalId, externalName: userName, status: 'PROVISIONED' });
    if (link?.externalId !== externalId) await queueUsersGroups(org, user!.id);
    const at = `/Users/${encodeURIComponent(externalId!)}`;
    if (current?.active === false) await call('PATCH', at, activeBody(true, compatibility));
    if (capabilities.update.profile.status === 'ENABLED' && current) {
      const changes = changedAttributes(desired, current);
      if (Object.keys(changes).length > 0) {
        if (compatibility.updateMethod === 'PUT') await call('PUT', at, { ...desired, id: externalId });
        else await call('PATCH', at, replaceBody(changes, compatibility));
      }
    }
  }

  /**
   * Makes a pushed group in the app match Lanyard's: created (or found by name and linked) with
   * the members that have accounts there, renamed, members added and removed in PATCHes of at
   * most the app's limit; deleted there when it is deleted here or unlinked with deletion.
   */
  async function pushGroup(task: ProvisioningTaskRecord, state: ProvisioningState, target: ScimTarget): Promise<void> {
    const org = store.forOrg(task.orgId);
    const link = await org.provisioning.findLink(task.appId, 'group', task.subjectId);
    if (!link || link.status === 'UNLINKED' || link.status === 'DELETED') return;
    const call = (method: string, path: string, body?: unknown, accept: readonly number[] = []) => scim.call(org, target, task.id, method, path, body, accept);
    const now = () => clock.now().toISOString();
    const save = (changes: Partial<ProvisioningLinkRecord>) => org.provisioning.saveLink({ ...link, lastError: null, lastSynced: now(), lastUpdated: now(), ...changes });
    const group = await org.groups.findById(task.subjectId);
    if (!group || link.status === 'DELETING') {
      if (link.externalId) await call('DELETE', `/Groups/${encodeURIComponent(link.externalId)}`, undefined, [404]);
      await save({ status: 'DELETED' });
      return;
    }
    if (!state.settings.groupPush) return;
    const members: GroupMember[] = [];
    let after: string | undefined;
    do {
      const page = await org.groups.listMembers(group.id, 1000, after);
      for (const user of page.items) {
        const account = await org.provisioning.findLink(task.appId, 'user', user.id);
        if (account?.externalId && account.status === 'PROVISIONED') members.push({ value: account.externalId, display: account.externalName ?? user.profile.login });
      }
      after = page.next;
    } while (after);
    const limit = state.settings.compatibility.maxGroupMembersPerPatch;

    let externalId = link.externalId;
    let current: ScimJson | undefined;
    if (externalId) {
      const found = await call('GET', `/Groups/${encodeURIComponent(externalId)}`, undefined, [404]);
      if (found.status === 404) externalId = null;
      else current = found.json;
    }
    if (!externalId) {
      const lookup = await call('GET', lookupGroupPath(group.name));
      const existing = (lookup.json?.Resources as ScimJson[] | undefined)?.find((g) => g.displayName === group.name);
      if (existing) {
        externalId = String(existing.id);
        current = (await call('GET', `/Groups/${encodeURIComponent(externalId)}`)).json;
      } else {
        const [first = [], ...rest] = chunks(members, limit);
        const created = await call('POST', '/Groups', groupBody(group.name, first));
        externalId = String(created.json?.id);
        await save({ externalId, externalName: group.name, status: 'PUSHED' });
        for (const batch of rest) await call('PATCH', `/Groups/${encodeURIComponent(externalId)}`, addMembersBody(batch));
        return;
      }
    }
    await save({ externalId, externalName: group.name, status: 'PUSHED' });
    const at = `/Groups/${encodeURIComponent(externalId!)}`;
    if (current?.displayName !== group.name) await call('PATCH', at, renameGroupBody(externalId!, group.name));
    const have = new Set(((current?.members ?? []) as { value: string }[]).map((m) => String(m.value)));
    const want = new Set(members.map((m) => m.value));
    const toAdd = members.filter((m) => !have.has(m.value));
    const toRemove = [...have].filter((id) => !want.has(id));
    for (const batch of chunks(toAdd, limit)) await call('PATCH', at, addMembersBody(batch));
    for (const batch of chunks(toRemove, limit)) await call('PATCH', at, removeMembersBody(batch));
  }

  /** Sends a new password to the user's account; a user without an account there has nothing to sync. */
  async function syncPassword(task: ProvisioningTaskRecord, state: ProvisioningState, target: ScimTarget): Promise<void> {
    if (!task.payload || state.capabilities.update.password.status !== 'ENABLED') return;
    const org = store.forOrg(task.orgId);
    const link = await org.provisioning.findLink(task.appId, 'user', task.subjectId);
    if (!link?.externalId || link.status !== 'PROVISIONED') return;
    const password = await vault.openText(task.orgId, task.payload, passwordContext(task.subjectId));
    await scim.call(org, target, task.id, 'PATCH', `/Users/${encodeURIComponent(link.externalId)}`, passwordBody(password, state.settings.compatibility));
  }

  /** A user who now has an account: the groups pushed to the app that they belong to take them in. */
  async function queueUsersGroups(org: OrgStore, userId: string): Promise<void> {
    for (const group of await org.groups.groupsOfUser(userId)) await queueGroupPush(org, clock, group.id);
  }

  function backoff(attempts: number): number {
    const base = Math.min(maxBackoffMs, baseBackoffMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(base / 2 + Math.random() * base / 2);
  }

  function noteResult(appId: string, failed: boolean): void {
    const breaker = breakers.get(appId) ?? { failures: 0, openUntil: 0 };
    if (!failed) breakers.delete(appId);
    else {
      breaker.failures += 1;
      if (breaker.failures >= breakerThreshold) breaker.openUntil = Date.now() + breakerOpenMs;
      breakers.set(appId, breaker);
    }
  }

  /** Runs one claimed task with its app's settings as read when it was claimed. */
  async function run(task: ProvisioningTaskRecord, state: ProvisioningState | undefined): Promise<void> {
    const org: OrgStore = store.forOrg(task.orgId);
    try {
      if (state && state.record.status === 'ENABLED') {
        const target = await provisioning.target(task.orgId, state);
        if (task.subjectType === 'group') await pushGroup(task, state, target);
        else if (task.kind === 'push') await pushUser(task, state, target);
        else if (task.kind === 'password') await syncPassword(task, state, target);
      }
      noteResult(task.appId, false);
      await store.provisioningQueue.complete(task.id, owner, clock.now().toISOString());
    } catch (error) {
      const failure = error instanceof ScimCallError ? error : new ScimCallError('retry', 0, (error as Error).message);
      if (failure.kind === 'retry') noteResult(task.appId, true);
      const attempts = task.attempts + 1;
      // A 429 is the app pacing us, not failing: it does not count towards giving up as quickly.
      const dead = failure.kind === 'permanent' || attempts >= (failure.kind === 'rate' ? maxAttempts * 3 : maxAttempts);
      const wait = failure.kind === 'rate' ? failure.retryAfterMs ?? backoff(attempts) : failure.retryAfterMs ?? backoff(attempts);
      const nextAttemptAt = new Date(clock.now().getTime() + wait).toISOString();
      await store.provisioningQueue.reschedule(task.id, owner, { attempts, nextAttemptAt, lastError: failure.message.slice(0, 500), dead },
        clock.now().toISOString());
      if (task.subjectType === 'user') {
        const link = await org.provisioning.findLink(task.appId, 'user', task.subjectId);
        const now = clock.now().toISOString();
        await org.provisioning.saveLink({
          appId: task.appId, subjectType: 'user', subjectId: task.subjectId, externalId: link?.externalId ?? null,
          externalName: link?.externalName ?? null, status: dead ? 'ERROR' : link?.status ?? 'PENDING',
          lastError: failure.message.slice(0, 500), lastSynced: link?.lastSynced ?? null, lastUpdated: now,
        });
      }
      if (dead) logger.warn({ org: task.orgId, app: task.appId, task: task.id, error: failure.message.slice(0, 200) }, 'provisioning task moved to the dead letters');
    }
  }

  /** Claims what this node can run now and starts it; returns how many tasks started. */
  async function tick(): Promise<number> {
    const free = slots - inFlight.size;
    if (free <= 0) return 0;
    const now = Date.now();
    const skip = [...breakers].filter(([, b]) => b.openUntil > now).map(([id]) => id);
    // Each app's settings are read once a tick, for its concurrency and for the tasks it runs.
    const states = new Map<string, ProvisioningState | undefined>();
    const claimed = await store.provisioningQueue.claim(owner, clock.now().toISOString(), new Date(clock.now().getTime() + leaseMs).toISOString(), free, skip);
    let started = 0;
    for (const task of claimed) {
      const key = `${task.orgId}|${task.appId}`;
      if (!states.has(key)) states.set(key, await provisioning.find(task.orgId, task.appId));
      const state = states.get(key);
      const running = runningPerApp.get(task.appId) ?? 0;
      if (running >= (state?.settings.concurrency ?? 4)) {
        // Over the app's concurrency: hand the task back at once.
        await store.provisioningQueue.reschedule(task.id, owner, { attempts: task.attempts, nextAttemptAt: clock.now().toISOString(), lastError: task.lastError, dead: false },
          clock.now().toISOString());
        continue;
      }
      runningPerApp.set(task.appId, running + 1);
      const promise = run(task, state).finally(() => {
        runningPerApp.set(task.appId, (runningPerApp.get(task.appId) ?? 1) - 1);
        inFlight.delete(promise);
        wake?.();
      });
      inFlight.add(promise);
      started += 1;
    }
    return started;
  }

  function start(): void {
    if (!stopped) return;
    stopped = false;
    loop = (async () => {
      while (!stopped) {
        let started = 0;
        try {
          started = await tick();
        } catch (error) {
          logger.warn({ err: (error as Error).message }, 'provisioning worker could not read the queue');
        }
        if (started === 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            timer.unref?.();
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
      }
    })();
  }

  async function stop(): Promise<void> {
    stopped = true;
    wake?.();
    await loop;
    await Promise.all(inFlight);
  }

  /** Runs until the queue has nothing left to do now (for tests and the CLI); resolves with the open count. */
  async function drain(timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await tick();
      if (inFlight.size > 0) {
        await Promise.race(inFlight);
        continue;
      }
      const open = await store.provisioningQueue.countOpen();
      if (open === 0) return 0;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return store.provisioningQueue.countOpen();
  }

  /** Nudges an idle worker (after a change queued tasks). */
  function poke(): void {
    wake?.();
  }

  return { start, stop, drain, poke, tick, owner };
}

export type ProvisioningEngine = ReturnType<typeof createProvisioningEngine>;
