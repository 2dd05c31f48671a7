/**
 * The provisioning outbox: a change to a user (profile, status, assignments, groups) queues a
 * `push` task for every app with provisioning that the user is assigned to or already has an
 * account in — written in the same transaction as the change, so a change is never lost to a
 * crash and never pushed before it is committed. A push makes the app match Lanyard as it is when
 * the task runs, so a task that repeats a pending one is not queued.
 */
import { newId } from '../kernel/ids.ts';
import type { Clock } from '../kernel/clock.ts';
import type { OrgStore } from './ports.ts';

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
