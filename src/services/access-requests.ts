/**
 * Self-service app access requests (see `domain/access-request.ts` for the states). A user asks
 * for a requestable app; an approver — an org admin, or an owner of the group the app's settings
 * name — approves or denies. Approval goes through the app and group services, so the system log
 * and provisioning follow as they do for an admin's own assignment.
 */
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { Org } from '../domain/org.ts';
import type { App } from '../domain/app.ts';
import type { User } from '../domain/user.ts';
import {
  appAccessSettingsSchema, maxReasonLength, notRequestable,
  type AccessRequest, type AccessRequestStatus, type AppAccessSettings,
} from '../domain/access-request.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import type { AppService } from './apps.ts';
import { appTarget } from './apps.ts';
import type { GroupService } from './groups.ts';
import { requireGroup } from './groups.ts';
import { adminRoles } from './api-tokens.ts';
import type { OrgStore, Store } from './ports.ts';
import { buildEvent, userTarget } from './system-log.ts';
import { parseOrThrow } from './validation.ts';

/** Someone deciding: the user, and whether they hold an org administrator role. */
export interface Decider {
  readonly user: User;
  readonly isAdmin: boolean;
}

/** An app as the catalog page shows it to one user. */
export interface CatalogEntry {
  readonly app: App;
  /** The user's latest request for the app, if any. */
  readonly latest: AccessRequest | undefined;
}

export const isAdminRole = (roles: readonly string[]) => roles.some((r) => (adminRoles as readonly string[]).includes(r));

export function createAccessRequests(deps: ServiceDeps, apps: AppService, groups: GroupService) {
  const { store, clock } = deps;

  async function requireApp(org: OrgStore, appId: string): Promise<App> {
    const app = await org.apps.findById(appId);
    if (!app) throw notFound('AppInstance', appId);
    return app;
  }

  async function settingsOf(caller: Caller, appId: string): Promise<AppAccessSettings> {
    const org = store.forOrg(caller.org.id);
    await requireApp(org, appId);
    return (await org.accessRequests.settingsOf(appId)) ?? notRequestable;
  }

  async function putSettings(caller: Caller, appId: string, raw: unknown): Promise<AppAccessSettings> {
    const settings = parseOrThrow(appAccessSettingsSchema, raw);
    const org = store.forOrg(caller.org.id);
    const app = await requireApp(org, appId);
    for (const [field, groupId] of [
      ['approver.groupId', settings.approver.type === 'GROUP_OWNERS' ? settings.approver.groupId : undefined],
      ['onApproval.groupId', settings.onApproval.type === 'ADD_TO_GROUP' ? settings.onApproval.groupId : undefined],
    ] as const) {
      if (groupId && !(await org.groups.findById(groupId))) throw validationError([`${field}: No group ${groupId} in this org.`], field);
    }
    if (settings.onApproval.type === 'ADD_TO_GROUP') {
      const group = await requireGroup(org, settings.onApproval.groupId);
      if (group.type !== 'OKTA_GROUP') throw validationError([`onApproval.groupId: ${group.name} is kept by a directory; Lanyard cannot add members to it.`], 'onApproval.groupId');
    }
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      await scoped.accessRequests.putSettings(appId, settings, clock.now().toISOString());
      await scoped.logs.append(buildEvent(clock, caller, 'app.access_request.settings.update', { targets: [appTarget(app)], debugData: { requestable: String(settings.requestable) } }));
    });
    return settings;
  }

  /** Requestable, active apps `user` does not have yet, each with the user's latest request. */
  async function catalogFor(org: Org, user: User): Promise<CatalogEntry[]> {
    const scoped = store.forOrg(org.id);
    const entries: CatalogEntry[] = [];
    const own = await scoped.accessRequests.list({ userId: user.id, limit: 1000 });
    for (const { appId } of await scoped.accessRequests.requestable()) {
      const app = await scoped.apps.findById(appId);
      if (!app || app.status !== 'ACTIVE' || await scoped.apps.isAssigned(appId, user.id)) continue;
      entries.push({ app, latest: own.filter((r) => r.appId === appId).at(-1) });
    }
    return entries.sort((a, b) => a.app.label.localeCompare(b.app.label));
  }

  async function request(caller: Caller, user: User, appId: string, reason: string | undefined): Promise<AccessRequest> {
    const scoped = store.forOrg(caller.org.id);
    const app = await scoped.apps.findById(appId);
    const settings = app ? await scoped.accessRequests.settingsOf(app.id) : undefined;
    if (!app || app.status !== 'ACTIVE' || !settings?.requestable) {
      throw new AppError('access_request.not_requestable', { detail: 'appId', causes: ['appId: This app cannot be requested.'] });
    }
    const text = reason?.trim() ?? '';
    if (text.length > maxReasonLength) throw validationError([`reason: must be at most ${maxReasonLength} characters`], 'reason');
    if (await scoped.apps.isAssigned(app.id, user.id)) {
      throw new AppError('access_request.already_open', { detail: 'appId', causes: ['appId: You have this app already.'] });
    }
    const pending = await scoped.accessRequests.list({ userId: user.id, appIds: [app.id], status: 'PENDING', limit: 1 });
    if (pending.length > 0) throw new AppError('access_request.already_open', { detail: 'appId', causes: ['appId: A request for this app is pending.'] });
    const created: AccessRequest = {
      id: newId('accessRequest'), orgId: caller.org.id, appId: app.id, userId: user.id, reason: text || null,
      status: 'PENDING', created: clock.now().toISOString(), decided: null, decidedBy: null,
    };
    await store.transaction(async (tx) => {
      const t = tx.forOrg(caller.org.id);
      await t.accessRequests.insert(created);
      await t.logs.append(buildEvent(clock, caller, 'app.access_request.request', {
        targets: [userTarget(user), appTarget(app)], debugData: { accessRequestId: created.id },
      }));
    });
    return created;
  }

  async function get(caller: Caller, id: string): Promise<AccessRequest> {
    const found = await store.forOrg(caller.org.id).accessRequests.findById(id);
    if (!found) throw notFound('AccessRequest', id);
    return found;
  }

  function list(caller: Caller, status: AccessRequestStatus | undefined, limit: number): Promise<AccessRequest[]> {
    return store.forOrg(caller.org.id).accessRequests.list({ status, limit });
  }

  /** The app ids whose requests `decider` may decide (undefined: every app, for an admin). */
  async function decidableApps(org: OrgStore, decider: Decider): Promise<string[] | undefined> {
    if (decider.isAdmin) return undefined;
    const owned = new Set(await org.groupOwners.groupsOwnedBy(decider.user.id));
    if (owned.size === 0) return [];
    return (await org.accessRequests.requestable())
      .filter(({ settings }) => settings.approver.type === 'GROUP_OWNERS' && owned.has(settings.approver.groupId))
      .map(({ appId }) => appId);
  }

  /** Pending requests `decider` may decide, their own left out. */
  async function pendingFor(org: Org, decider: Decider): Promise<AccessRequest[]> {
    const scoped = store.forOrg(org.id);
    const appIds = await decidableApps(scoped, decider);
    return (await scoped.accessRequests.list({ status: 'PENDING', appIds, limit: 200 })).filter((r) => r.userId !== decider.user.id);
  }

  /** Approves or denies; approval gives the requester the app as the settings say. */
  async function decide(caller: Caller, decider: Decider, id: string, decision: 'APPROVED' | 'DENIED'): Promise<AccessRequest> {
    const scoped = store.forOrg(caller.org.id);
    const found = await get(caller, id);
    if (found.status !== 'PENDING') throw alreadyDecided(found);
    if (found.userId === decider.user.id) throw new AppError('access_request.own_request');
    const settings = (await scoped.accessRequests.settingsOf(found.appId)) ?? notRequestable;
    const allowed = await decidableApps(scoped, decider);
    if (allowed && !(settings.approver.type === 'GROUP_OWNERS' && allowed.includes(found.appId))) throw new AppError('access_request.not_approver');
    const app = await requireApp(scoped, found.appId);
    const requester = await scoped.users.findById(found.userId);
    if (!requester) throw notFound('User', found.userId);
    const now = clock.now().toISOString();
    // The decision and the access it gives stand or fall together.
    const record = async (tx: Store) => {
      const t = tx.forOrg(caller.org.id);
      // The status moves only from PENDING: of two deciders at once, the second gets the conflict.
      if (!(await t.accessRequests.decide(found.id, decision, now, decider.user.id))) throw alreadyDecided(found);
      await t.logs.append(buildEvent(clock, caller, decision === 'APPROVED' ? 'app.access_request.approver.approve' : 'app.access_request.approver.deny', {
        targets: [userTarget(requester), appTarget(app)], debugData: { accessRequestId: found.id },
      }));
    };
    if (decision === 'DENIED') await store.transaction(record);
    else if (settings.onApproval.type === 'ADD_TO_GROUP') await groups.addMember(caller, settings.onApproval.groupId, requester.id, { within: record });
    else await apps.assignUser(caller, app.id, requester.id, {}, { within: record });
    return { ...found, status: decision, decided: now, decidedBy: decider.user.id };
  }

  return { settingsOf, putSettings, catalogFor, request, get, list, pendingFor, decide };
}

function alreadyDecided(request: AccessRequest): AppError {
  return new AppError('access_request.already_decided', { detail: 'status', causes: [`status: This request was already ${request.status.toLowerCase()}.`] });
}

export type AccessRequestService = ReturnType<typeof createAccessRequests>;
