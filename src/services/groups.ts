/** Groups and memberships, with Okta's rules: names unique per org, built-in groups read-only. */
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { groupProfileSchema, type Group } from '../domain/group.ts';
import type { Filter } from '../protocols/scim/filter.ts';
import { UniqueViolation, type OrgStore, type Page, type Store } from './ports.ts';
import type { ServiceDeps } from './deps.ts';
import type { Caller } from './caller.ts';
import { buildEvent, groupTarget, userTarget } from './system-log.ts';
import { parseOrThrow } from './validation.ts';
import { requireUser } from './user-lookup.ts';
import { queueGroupMembersPush, queueGroupPush, queueUserPush } from './provisioning-outbox.ts';

const duplicateNameCause = 'name: An object with this field already exists in the current organization';

export async function requireGroup(org: OrgStore, id: string): Promise<Group> {
  const group = await org.groups.findById(id);
  if (!group) throw notFound('UserGroup', id);
  return group;
}

function requireEditable(group: Group): void {
  if (group.type !== 'OKTA_GROUP') {
    throw new AppError('resource.read_only', { causes: [`${group.type} groups cannot be changed through this API.`] });
  }
}

function withUniqueName<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof UniqueViolation && error.field === 'name') throw validationError([duplicateNameCause], 'name');
    throw error;
  });
}

export function createGroupService(deps: ServiceDeps) {
  const { store, clock } = deps;

  /** `APP_GROUP`: a group a directory owns, read-only through the API. */
  async function create(caller: Caller, profileInput: unknown, type: Group['type'] = 'OKTA_GROUP'): Promise<Group> {
    const profile = parseOrThrow(groupProfileSchema, profileInput ?? {}, 'profile');
    const now = clock.now().toISOString();
    const group: Group = {
      id: newId('group'),
      orgId: caller.org.id,
      type,
      name: profile.name,
      description: profile.description ?? null,
      profile: { ...profile, description: profile.description ?? null },
      created: now,
      lastUpdated: now,
      lastMembershipUpdated: now,
    };
    return store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      await withUniqueName(() => scoped.groups.insert(group));
      await scoped.logs.append(buildEvent(clock, caller, 'group.lifecycle.create', { targets: [groupTarget(group)] }));
      return group;
    });
  }

  async function get(caller: Caller, id: string): Promise<Group> {
    return requireGroup(store.forOrg(caller.org.id), id);
  }

  async function list(caller: Caller, query: { q?: string | undefined; filter?: Filter | undefined; limit: number; after?: string | undefined }): Promise<Page<Group>> {
    return store.forOrg(caller.org.id).groups.list(query);
  }

  /** PUT: the profile is replaced as a whole, as Okta does. */
  async function replace(caller: Caller, id: string, profileInput: unknown, fromDirectory = false): Promise<Group> {
    const profile = parseOrThrow(groupProfileSchema, profileInput ?? {}, 'profile');
    const existing = await requireGroup(store.forOrg(caller.org.id), id);
    if (!fromDirectory) requireEditable(existing);
    const now = clock.now().toISOString();
    return store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      const full = { ...profile, description: profile.description ?? null };
      await withUniqueName(() => scoped.groups.update(id, { name: profile.name, description: full.description, profile: full, lastUpdated: now }));
      await scoped.logs.append(buildEvent(clock, caller, 'group.profile.update', { targets: [groupTarget({ id, name: profile.name })] }));
      await queueGroupPush(scoped, clock, id);
      return (await scoped.groups.findById(id))!;
    });
  }

  async function remove(caller: Caller, id: string, fromDirectory = false): Promise<void> {
    const existing = await requireGroup(store.forOrg(caller.org.id), id);
    if (!fromDirectory) requireEditable(existing);
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      // Queued before the memberships go: the pushes run after the commit, when the group is gone.
      await queueGroupMembersPush(scoped, clock, id);
      await queueGroupPush(scoped, clock, id);
      await scoped.groups.delete(id);
      await scoped.logs.append(buildEvent(clock, caller, 'group.lifecycle.delete', { targets: [groupTarget(existing)] }));
    });
  }

  /** `within` runs in the same transaction (what must stand or fall with the change), even when the membership was already so. */
  async function changeMembership(caller: Caller, groupId: string, idOrLogin: string, add: boolean, fromDirectory = false,
    within?: (tx: Store) => Promise<void>): Promise<void> {
    const org = store.forOrg(caller.org.id);
    const group = await requireGroup(org, groupId);
    if (!fromDirectory) requireEditable(group);
    const user = await requireUser(org, idOrLogin);
    const now = clock.now().toISOString();
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      const changed = add ? await scoped.groups.addMember(group.id, user.id, now) : await scoped.groups.removeMember(group.id, user.id);
      await within?.(tx);
      if (!changed) return;
      await scoped.groups.touchMembership(group.id, now);
      await scoped.logs.append(buildEvent(clock, caller, add ? 'group.user_membership.add' : 'group.user_membership.remove',
        { targets: [userTarget(user), groupTarget(group)] }));
      await queueUserPush(scoped, clock, [user.id]);
      await queueGroupPush(scoped, clock, group.id);
    });
  }

  async function members(caller: Caller, groupId: string, limit: number, after?: string) {
    const org = store.forOrg(caller.org.id);
    await requireGroup(org, groupId);
    return org.groups.listMembers(groupId, limit, after);
  }

  return {
    create: (caller: Caller, profileInput: unknown) => create(caller, profileInput),
    get, list, members,
    replace: (caller: Caller, id: string, profileInput: unknown) => replace(caller, id, profileInput),
    remove: (caller: Caller, id: string) => remove(caller, id),
    addMember: (caller: Caller, groupId: string, userId: string, options: { within?: (tx: Store) => Promise<void> } = {}) =>
      changeMembership(caller, groupId, userId, true, false, options.within),
    removeMember: (caller: Caller, groupId: string, userId: string) => changeMembership(caller, groupId, userId, false),
    /** The directory import's own changes to the groups it owns. */
    fromDirectory: {
      create: (caller: Caller, profile: { name: string; description: string | null }) => create(caller, profile, 'APP_GROUP'),
      replace: (caller: Caller, id: string, profile: { name: string; description: string | null }) => replace(caller, id, profile, true),
      remove: (caller: Caller, id: string) => remove(caller, id, true),
      setMember: (caller: Caller, groupId: string, userId: string, add: boolean) => changeMembership(caller, groupId, userId, add, true),
    },
  };
}

export type GroupService = ReturnType<typeof createGroupService>;
