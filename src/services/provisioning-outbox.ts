/**
 * The provisioning outbox: a change to a user (profile, status, assignments, groups) queues a
 * `push` task for every app with provisioning that the user is assigned to or already has an
 * account in — written in the same transaction as the change, so a change is never lost to a
 * crash and never pushed before it is committed. A push makes the app match Lanyard as it is when
 * the task runs, so a task that repeats a pending one is not queued.
 */
import { newId } from '../kernel/ids.ts';
import type { Clock } from '../kernel/clock.ts';
import type { OrgStore, Store } from './ports.ts';
import type { Vault } from '../vault/envelope.ts';
import { capabilitiesSchema } from '../domain/provisioning.ts';

/** `org` is the org's store inside the transaction of the change. */
export async function queueUserPush(org: OrgStore, clock: Clock, userIds: readonly string[]): Promise<void> {
  const orgId = org.orgId;
  const apps = await org.provisioning.listEnabledApps();
  if (apps.length === 0) return;
  const now = clock.now().toISOString();
  for (const userId of userIds) {
    const linked = new Set(await org.provisioning.appsLinkedTo('user', userId));
    for (const settings of apps) {
      if (!linked.has(settings.appId) && !(await org.apps.isAssigned(settings.appId, userId))) continue;
      if (await org.provisioning.hasPending(settings.appId, userId, 'push')) continue;
      await org.provisioning.enqueue({
        id: newId('provisioningTask'), orgId, appId: settings.appId, subjectType: 'user', subjectId: userId, kind: 'push', payload: null,
        status: 'PENDING', attempts: 0, nextAttemptAt: now, leaseOwner: null, leaseUntil: null, lastError: null, created: now, lastUpdated: now,
      });
    }
  }
}

/** Every member of a group: a change to the group's assignments or its existence reaches them all. */
export async function queueGroupMembersPush(org: OrgStore, clock: Clock, groupId: string): Promise<void> {
  const members: string[] = [];
  let after: string | undefined;
  do {
    const page = await org.groups.listMembers(groupId, 1000, after);
    members.push(...page.items.map((u) => u.id));
    after = page.next;
  } while (after);
  await queueUserPush(org, clock, members);
}

/** The apps that sync this user's password: provisioning on, password sync on, the user assigned. */
async function passwordSyncApps(org: OrgStore, userId: string): Promise<string[]> {
  const apps: string[] = [];
  for (const settings of await org.provisioning.listEnabledApps()) {
    if (capabilitiesSchema.parse(settings.capabilities).update.password.status !== 'ENABLED') continue;
    if (await org.apps.isAssigned(settings.appId, userId)) apps.push(settings.appId);
  }
  return apps;
}

export const passwordContext = (userId: string) => `provisioning-password:${userId}`;

/**
 * A new password, sealed for the apps that sync it — before the transaction that sets it opens,
 * since sealing may write the org's first data key. Undefined when no app syncs it.
 */
export async function sealPasswordForSync(store: Store, vault: Vault, orgId: string, userId: string, password: string): Promise<string | undefined> {
  if ((await passwordSyncApps(store.forOrg(orgId), userId)).length === 0) return undefined;
  return vault.seal(orgId, password, passwordContext(userId));
}

/** Queues the password's sync to each app that syncs it, in the transaction that sets it. */
export async function queuePasswordSync(org: OrgStore, clock: Clock, userId: string, sealed: string | undefined): Promise<void> {
  if (!sealed) return;
  const now = clock.now().toISOString();
  for (const appId of await passwordSyncApps(org, userId)) {
    await org.provisioning.enqueue({
      id: newId('provisioningTask'), orgId: org.orgId, appId, subjectType: 'user', subjectId: userId, kind: 'password', payload: sealed,
      status: 'PENDING', attempts: 0, nextAttemptAt: now, leaseOwner: null, leaseUntil: null, lastError: null, created: now, lastUpdated: now,
    });
  }
}

/** A pushed group changed (members, name, deleted): each app it is pushed to gets a group push. */
export async function queueGroupPush(org: OrgStore, clock: Clock, groupId: string): Promise<void> {
  const now = clock.now().toISOString();
  for (const appId of await org.provisioning.appsLinkedTo('group', groupId)) {
    const link = await org.provisioning.findLink(appId, 'group', groupId);
    if (!link || link.status === 'UNLINKED' || link.status === 'DELETED') continue;
    if (!(await org.provisioning.findSettings(appId))) continue;
    if (await org.provisioning.hasPending(appId, groupId, 'push')) continue;
    await org.provisioning.enqueue({
      id: newId('provisioningTask'), orgId: org.orgId, appId, subjectType: 'group', subjectId: groupId, kind: 'push', payload: null,
      status: 'PENDING', attempts: 0, nextAttemptAt: now, leaseOwner: null, leaseUntil: null, lastError: null, created: now, lastUpdated: now,
    });
  }
}
