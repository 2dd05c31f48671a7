/**
 * Group owners, as Okta's `/api/v1/groups/{groupId}/owners` keeps them: users who own a group.
 * In Lanyard an owner decides the app access requests whose settings name their group.
 */
import { notFound, validationError } from '../kernel/errors.ts';
import type { User } from '../domain/user.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { requireGroup } from './groups.ts';
import type { GroupOwnerRecord } from './ports.ts';
import { buildEvent, groupTarget, userTarget } from './system-log.ts';
import { requireUser } from './user-lookup.ts';

export interface GroupOwner {
  readonly record: GroupOwnerRecord;
  readonly user: User;
}

export function createGroupOwners(deps: ServiceDeps) {
  const { store, clock } = deps;

  async function list(caller: Caller, groupId: string): Promise<GroupOwner[]> {
    const org = store.forOrg(caller.org.id);
    await requireGroup(org, groupId);
    const owners: GroupOwner[] = [];
    for (const record of await org.groupOwners.listForGroup(groupId)) {
      const user = await org.users.findById(record.ownerId);
      if (user) owners.push({ record, user });
    }
    return owners;
  }

  /** Okta's body: `{ id, type }`; Lanyard's owners are users (`type: USER`). */
  async function assign(caller: Caller, groupId: string, input: { id: string; type: string }): Promise<GroupOwner> {
    if (input.type !== 'USER') throw validationError(['type: Only USER owners are supported.'], 'type');
    const org = store.forOrg(caller.org.id);
    const group = await requireGroup(org, groupId);
    const user = await requireUser(org, input.id);
    const record: GroupOwnerRecord = { groupId: group.id, ownerId: user.id, created: clock.now().toISOString() };
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      if (await scoped.groupOwners.add(record)) {
        await scoped.logs.append(buildEvent(clock, caller, 'group.owner.add', { targets: [userTarget(user), groupTarget(group)] }));
      }
    });
    const stored = (await org.groupOwners.listForGroup(group.id)).find((o) => o.ownerId === user.id) ?? record;
    return { record: stored, user };
  }

  async function remove(caller: Caller, groupId: string, ownerId: string): Promise<void> {
    const org = store.forOrg(caller.org.id);
    const group = await requireGroup(org, groupId);
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      if (!(await scoped.groupOwners.remove(group.id, ownerId))) throw notFound('GroupOwner', ownerId);
      const user = await scoped.users.findById(ownerId);
      await scoped.logs.append(buildEvent(clock, caller, 'group.owner.remove', {
        targets: [...(user ? [userTarget(user)] : []), groupTarget(group)],
      }));
    });
  }

  return { list, assign, remove };
}

export type GroupOwnerService = ReturnType<typeof createGroupOwners>;
