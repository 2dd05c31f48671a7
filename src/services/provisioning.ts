/**
 * Provisioning settings of an app, in Okta's shapes where Okta has them — the default
 * connection (`/connections/default`) and the USER_PROVISIONING feature's capabilities — and
 * Lanyard's own for the rest (mappings, compatibility profile, group push, import, limits).
 * Credentials are sealed by the vault and never returned. "Test connection" reads the app's
 * `/ServiceProviderConfig` and one page of `/Users`. Also: queued tasks, dead letters and their
 * retry, links per user, and the record of every request made to the app.
 */
import { z } from 'zod';
import { notFound, validationError } from '../kernel/errors.ts';
import {
  capabilitiesSchema, compatibilitySchema, connectionProfileSchema, connectionRequestSchema, provisioningSettingsSchema,
  type Capabilities, type ConnectionProfile, type ProvisioningSettings,
} from '../domain/provisioning.ts';
import type { Manifest } from '../catalog/manifest.ts';
import type { Vault } from '../vault/envelope.ts';
import { parseExpression, ExpressionSyntaxError } from '../protocols/expressions/index.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import type { AppProvisioningRecord, ProvisioningTaskStatus } from './ports.ts';
import type { ScimConnections, ScimTarget } from './scim-connection.ts';
import { ScimCallError } from './scim-connection.ts';
import { buildEvent } from './system-log.ts';
import { issuesToCauses, parseOrThrow } from './validation.ts';
import { appTarget } from './apps.ts';
import { queueGroupPush, queueUserPush } from './provisioning-outbox.ts';

const credentialsContext = (appId: string) => `provisioning-credentials:${appId}`;

export interface ProvisioningState {
  readonly record: AppProvisioningRecord;
  readonly capabilities: Capabilities;
  readonly settings: ProvisioningSettings;
}

export function createProvisioningService(deps: ServiceDeps, vault: Vault, scim: ScimConnections) {
  const { store, clock } = deps;

  async function requireApp(caller: Caller, appId: string) {
    const app = await store.forOrg(caller.org.id).apps.findById(appId);
    if (!app) throw notFound('AppInstance', appId);
    return app;
  }

  function stateOf(record: AppProvisioningRecord): ProvisioningState {
    return { record, capabilities: capabilitiesSchema.parse(record.capabilities), settings: provisioningSettingsSchema.parse(record.settings) };
  }

  async function find(orgId: string, appId: string): Promise<ProvisioningState | undefined> {
    const record = await store.forOrg(orgId).provisioning.findSettings(appId);
    return record ? stateOf(record) : undefined;
  }

  async function requireState(caller: Caller, appId: string): Promise<ProvisioningState> {
    await requireApp(caller, appId);
    const state = await find(caller.org.id, appId);
    if (!state) throw validationError(['appId: this app has no provisioning connection yet (POST …/connections/default)'], 'appId');
    return state;
  }

  /** Where and how to reach the app's SCIM server, credentials unsealed for the call. */
  async function target(orgId: string, state: ProvisioningState): Promise<ScimTarget> {
    const profile = connectionProfileSchema.parse(JSON.parse(await vault.openText(orgId, state.record.credentials, credentialsContext(state.record.appId))));
    return { orgId, appId: state.record.appId, baseUrl: state.record.baseUrl, profile, requestsPerSecond: state.settings.requestsPerSecond };
  }

  /** The defaults an app added from the catalog takes from its manifest's provisioning. */
  async function manifestDefaults(caller: Caller, appId: string): Promise<Partial<ProvisioningSettings>> {
    const link = await store.forOrg(caller.org.id).appIntegrations.find(appId);
    if (!link) return {};
    const integration = await store.integrations.findByKey(link.integrationKey);
    const version = integration ? await store.integrations.findVersion(integration.id, link.version) : undefined;
    const scim = (version?.manifest as Manifest | undefined)?.provisioning?.scim;
    if (!scim) return {};
    return {
      compatibility: compatibilitySchema.parse({ ...scim.compatibility }),
      groupPush: scim.operations.groupPush, importUsers: scim.operations.importUsers,
    };
  }

  function connectionJson(state: ProvisioningState | undefined) {
    if (!state) return { authScheme: 'UNKNOWN', status: 'DISABLED' };
    return { authScheme: state.record.authScheme, baseUrl: state.record.baseUrl, status: state.record.status };
  }

  async function log(caller: Caller, appId: string, eventType: 'application.provisioning.connection.update' | 'application.provisioning.settings.update') {
    const app = await requireApp(caller, appId);
    await store.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, eventType, { targets: [appTarget(app)] }));
  }

  async function getConnection(caller: Caller, appId: string) {
    await requireApp(caller, appId);
    return connectionJson(await find(caller.org.id, appId));
  }

  /** Sets the connection (`{baseUrl, profile}`); `activate` makes it ENABLED. */
  async function setConnection(caller: Caller, appId: string, raw: unknown, activate: boolean) {
    await requireApp(caller, appId);
    const input = parseOrThrow(connectionRequestSchema, raw);
    const existing = await find(caller.org.id, appId);
    const now = clock.now().toISOString();
    const sealed = await vault.seal(caller.org.id, JSON.stringify(input.profile satisfies ConnectionProfile), credentialsContext(appId));
    const settings = existing?.settings ?? provisioningSettingsSchema.parse(await manifestDefaults(caller, appId));
    await store.forOrg(caller.org.id).provisioning.saveSettings({
      appId, baseUrl: input.baseUrl, authScheme: input.profile.authScheme, credentials: sealed,
      status: activate ? 'ENABLED' : existing?.record.status ?? 'DISABLED',
      capabilities: existing?.capabilities ?? capabilitiesSchema.parse({}), settings,
      created: existing?.record.created ?? now, lastUpdated: now,
    });
    scim.forget(appId);
    await log(caller, appId, 'application.provisioning.connection.update');
    return connectionJson(await find(caller.org.id, appId));
  }

  async function setStatus(caller: Caller, appId: string, status: 'ENABLED' | 'DISABLED') {
    const state = await requireState(caller, appId);
    await store.forOrg(caller.org.id).provisioning.saveSettings({ ...state.record, status, lastUpdated: clock.now().toISOString() });
    await log(caller, appId, 'application.provisioning.connection.update');
  }

  async function getCapabilities(caller: Caller, appId: string): Promise<Capabilities> {
    const state = await requireState(caller, appId);
    return state.capabilities;
  }

  async function setCapabilities(caller: Caller, appId: string, raw: unknown): Promise<Capabilities> {
    const state = await requireState(caller, appId);
    const capabilities = parseOrThrow(capabilitiesSchema, raw);
    await store.forOrg(caller.org.id).provisioning.saveSettings({ ...state.record, capabilities, lastUpdated: clock.now().toISOString() });
    await log(caller, appId, 'application.provisioning.settings.update');
    return capabilities;
  }

  async function getSettings(caller: Caller, appId: string): Promise<ProvisioningSettings> {
    return (await requireState(caller, appId)).settings;
  }

  async function setSettings(caller: Caller, appId: string, raw: unknown): Promise<ProvisioningSettings> {
    const state = await requireState(caller, appId);
    const result = provisioningSettingsSchema.safeParse(raw);
    if (!result.success) throw validationError(issuesToCauses(result.error));
    const causes: string[] = [];
    result.data.mappings.forEach((mapping, i) => {
      try {
        parseExpression(mapping.expression);
      } catch (error) {
        if (!(error instanceof ExpressionSyntaxError)) throw error;
        causes.push(`mappings.${i}.expression: ${error.message}`);
      }
    });
    if (!result.data.mappings.some((m) => m.target === 'userName')) causes.push('mappings: a mapping for userName is required');
    if (causes.length > 0) throw validationError(causes);
    await store.forOrg(caller.org.id).provisioning.saveSettings({ ...state.record, settings: result.data, lastUpdated: clock.now().toISOString() });
    await log(caller, appId, 'application.provisioning.settings.update');
    return result.data;
  }

  /** Okta's "Test API credentials": the service provider's configuration and one page of users. */
  async function testConnection(caller: Caller, appId: string) {
    const state = await requireState(caller, appId);
    const to = await target(caller.org.id, state);
    const org = store.forOrg(caller.org.id);
    const checks: { request: string; status: number; ok: boolean; detail: string }[] = [];
    for (const path of ['/ServiceProviderConfig', '/Users?count=1']) {
      try {
        const answer = await scim.call(org, to, null, 'GET', path);
        checks.push({ request: `GET ${path}`, status: answer.status, ok: true, detail: 'answered' });
      } catch (error) {
        if (!(error instanceof ScimCallError)) throw error;
        checks.push({ request: `GET ${path}`, status: error.status, ok: false, detail: error.message });
      }
    }
    return { ok: checks.every((c) => c.ok), checks };
  }

  /** Queues a push for every user assigned to the app (after turning provisioning on, say). */
  async function syncAll(caller: Caller, appId: string): Promise<number> {
    await requireState(caller, appId);
    const org = store.forOrg(caller.org.id);
    const users = new Set<string>();
    let after: string | undefined;
    do {
      const page = await org.apps.listUserAssignments(appId, 1000, after);
      for (const a of page.items) users.add(a.userId);
      after = page.next;
    } while (after);
    for (const group of await org.apps.listGroupAssignments(appId)) {
      let cursor: string | undefined;
      do {
        const page = await org.groups.listMembers(group.groupId, 1000, cursor);
        for (const u of page.items) users.add(u.id);
        cursor = page.next;
      } while (cursor);
    }
    for (const id of await org.provisioning.listLinks(appId, 'user')) users.add(id.subjectId);
    const ids = [...users];
    for (let i = 0; i < ids.length; i += 500) await store.transaction((tx) => queueUserPush(tx.forOrg(caller.org.id), clock, ids.slice(i, i + 500)));
    return ids.length;
  }

  /** Pushes a Lanyard group to the app: it is created there (or found and linked) and kept in step. */
  async function pushGroup(caller: Caller, appId: string, groupId: string) {
    const state = await requireState(caller, appId);
    if (!state.settings.groupPush) throw validationError(['groupPush: group push is turned off for this app (PUT …/provisioning with groupPush: true)'], 'groupPush');
    const group = await store.forOrg(caller.org.id).groups.findById(groupId);
    if (!group) throw notFound('UserGroup', groupId);
    const now = clock.now().toISOString();
    await store.transaction(async (tx) => {
      const org = tx.forOrg(caller.org.id);
      const existing = await org.provisioning.findLink(appId, 'group', groupId);
      await org.provisioning.saveLink({
        appId, subjectType: 'group', subjectId: groupId, externalId: existing?.status === 'DELETED' ? null : existing?.externalId ?? null,
        externalName: group.name, status: 'PUSHED', lastError: null, lastSynced: existing?.lastSynced ?? null, lastUpdated: now,
      });
      await queueGroupPush(org, clock, groupId);
    });
    return (await store.forOrg(caller.org.id).provisioning.findLink(appId, 'group', groupId))!;
  }

  /** Stops pushing a group; with `deleteInApp` the app's group is deleted too. */
  async function unlinkGroup(caller: Caller, appId: string, groupId: string, deleteInApp: boolean) {
    await requireState(caller, appId);
    const link = await store.forOrg(caller.org.id).provisioning.findLink(appId, 'group', groupId);
    if (!link || link.status === 'UNLINKED' || link.status === 'DELETED') throw notFound('PushedGroup', groupId);
    await store.transaction(async (tx) => {
      const org = tx.forOrg(caller.org.id);
      await org.provisioning.saveLink({ ...link, status: deleteInApp ? 'DELETING' : 'UNLINKED', lastUpdated: clock.now().toISOString() });
      if (deleteInApp) await queueGroupPush(org, clock, groupId);
    });
  }

  async function pushedGroups(caller: Caller, appId: string) {
    await requireApp(caller, appId);
    return (await store.forOrg(caller.org.id).provisioning.listLinks(appId, 'group')).filter((l) => l.status !== 'UNLINKED' && l.status !== 'DELETED');
  }

  async function tasks(caller: Caller, appId: string, status: ProvisioningTaskStatus | undefined, limit: number) {
    await requireApp(caller, appId);
    return store.forOrg(caller.org.id).provisioning.listTasks(appId, status, limit);
  }

  async function retryTask(caller: Caller, appId: string, taskId: string) {
    await requireApp(caller, appId);
    const org = store.forOrg(caller.org.id).provisioning;
    const task = await org.findTask(taskId);
    if (!task || task.appId !== appId) throw notFound('ProvisioningTask', taskId);
    if (!(await org.retryTask(taskId, clock.now().toISOString()))) {
      throw validationError([`taskId: only a dead task is retried; this one is ${task.status.toLowerCase()}`], 'taskId');
    }
    return (await org.findTask(taskId))!;
  }

  async function links(caller: Caller, appId: string) {
    await requireApp(caller, appId);
    return store.forOrg(caller.org.id).provisioning.listLinks(appId, 'user');
  }

  async function requests(caller: Caller, appId: string, limit: number, before?: string) {
    await requireApp(caller, appId);
    return store.forOrg(caller.org.id).provisioning.listRequests(appId, limit, before);
  }

  return {
    find, target, getConnection, setConnection, setStatus, getCapabilities, setCapabilities, getSettings, setSettings,
    testConnection, syncAll, tasks, retryTask, links, requests, pushGroup, unlinkGroup, pushedGroups,
  };
}

export type ProvisioningService = ReturnType<typeof createProvisioningService>;
export const taskStatusParam = z.enum(['PENDING', 'RUNNING', 'DONE', 'DEAD']).optional();
