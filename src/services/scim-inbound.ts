/**
 * The inbound SCIM 2.0 server's use cases: an HR system (or any SCIM client) creates, reads,
 * searches, updates and deactivates Lanyard's users and groups. Everything goes through the same
 * services as the management API — policy, lifecycle, the system log, and the provisioning outbox,
 * so what the HR system changes flows on to apps.
 */
import type { Filter } from '../protocols/scim/filter.ts';
import {
  activeStatuses, applyPatch, groupResource, profileFromResource, readPatch, ScimProtocolError, translateUserFilter, userResource,
} from '../protocols/scim/resources.ts';
import { isAppError } from '../kernel/errors.ts';
import { orgUrl } from '../domain/org-url.ts';
import type { User } from '../domain/user.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { duplicateLoginCause, type UserService } from './users.ts';
import type { LifecycleService } from './user-lifecycle.ts';
import type { GroupService } from './groups.ts';

type Json = Record<string, any>;

export interface ScimPage {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly resources: Json[];
}

/** Lanyard's refusals as SCIM errors: a taken login is `uniqueness`, bad input `invalidValue`. */
export function scimErrorOf(error: unknown): ScimProtocolError | undefined {
  if (error instanceof ScimProtocolError) return error;
  if (!isAppError(error)) return undefined;
  const causes = error.causes.join('; ');
  if (error.code === 'resource.not_found') return new ScimProtocolError(404, undefined, 'Resource not found');
  if (error.code === 'request.validation_failed' && error.causes.includes(duplicateLoginCause)) return new ScimProtocolError(409, 'uniqueness', causes);
  if (error.code === 'request.validation_failed' || error.code === 'user.password_policy') return new ScimProtocolError(400, 'invalidValue', causes || error.message);
  if (error.code === 'user.operation_not_allowed' || error.code === 'resource.read_only' || error.code === 'user.invalid_status'
    || error.code === 'user.already_active') return new ScimProtocolError(400, 'mutability', causes || error.message);
  return undefined;
}

export function createScimInbound(deps: ServiceDeps, users: UserService, lifecycle: LifecycleService, groups: GroupService) {
  const { store } = deps;
  const base = (caller: Caller) => `${orgUrl(caller.org, deps.baseUrl)}/scim/v2`;
  const asResource = (caller: Caller, user: User) => userResource(user, `${base(caller)}/Users/${user.id}`);

  async function findUser(caller: Caller, id: string): Promise<User> {
    const user = await store.forOrg(caller.org.id).users.findById(id);
    if (!user) throw new ScimProtocolError(404, undefined, `User ${id.slice(0, 64)} not found`);
    return user;
  }

  /** Offset paging over the directory's cursor paging: pages are read until the window is filled. */
  async function listUsers(caller: Caller, query: { filter?: Filter | undefined; startIndex: number; count: number }): Promise<ScimPage> {
    const filter = query.filter ? translateUserFilter(query.filter) : undefined;
    const org = store.forOrg(caller.org.id);
    const window: User[] = [];
    let seen = 0;
    let after: string | undefined;
    do {
      const page = await org.users.list({ ...(filter ? { filter } : {}), limit: 200, ...(after ? { after } : {}), includeDeprovisioned: true });
      for (const user of page.items) {
        seen += 1;
        if (seen >= query.startIndex && window.length < query.count) window.push(user);
      }
      after = page.next;
    } while (after);
    return { totalResults: seen, startIndex: query.startIndex, resources: window.map((u) => asResource(caller, u)) };
  }

  async function getUser(caller: Caller, id: string): Promise<Json> {
    return asResource(caller, await findUser(caller, id));
  }

  /** Moves the user to `active` through the lifecycle, as the management API would. */
  async function setActive(caller: Caller, user: User, active: boolean | undefined): Promise<void> {
    if (active === undefined || active === activeStatuses(user.status)) return;
    if (!active) {
      await lifecycle.run(caller, user.id, 'deactivate');
    } else if (user.status === 'SUSPENDED') {
      await lifecycle.run(caller, user.id, 'unsuspend');
    } else {
      await lifecycle.run(caller, user.id, 'activate', { sendEmail: false });
    }
  }

  async function createUser(caller: Caller, body: Json): Promise<Json> {
    const profile = profileFromResource(body);
    if (typeof body.active !== 'undefined' && typeof body.active !== 'boolean') throw new ScimProtocolError(400, 'invalidValue', 'active must be true or false');
    if (profile.displayName === undefined && body.name?.formatted) profile.displayName = body.name.formatted;
    const password = typeof body.password === 'string' ? body.password : undefined;
    const user = await users.create(caller, { profile, ...(password ? { credentials: { password: { value: password } } } : {}) }, { activate: body.active !== false });
    return asResource(caller, user);
  }

  /** PUT: the resource as sent becomes the user (attributes left out are cleared). */
  async function replaceUser(caller: Caller, id: string, body: Json): Promise<Json> {
    const user = await findUser(caller, id);
    if (body.id !== undefined && body.id !== id) throw new ScimProtocolError(400, 'mutability', 'id cannot be changed');
    if (typeof body.active !== 'undefined' && typeof body.active !== 'boolean') throw new ScimProtocolError(400, 'invalidValue', 'active must be true or false');
    await setActive(caller, user, body.active === false ? false : undefined);
    const current = await findUser(caller, id);
    if (current.status !== 'DEPROVISIONED') await users.update(caller, id, { profile: profileFromResource(body) }, 'replace');
    await setActive(caller, await findUser(caller, id), body.active === true ? true : undefined);
    return getUser(caller, id);
  }

  async function patchUser(caller: Caller, id: string, body: unknown): Promise<Json> {
    const operations = readPatch(body);
    const user = await findUser(caller, id);
    const before = asResource(caller, user);
    const after = applyPatch(before, operations);
    if (typeof after.active !== 'boolean') throw new ScimProtocolError(400, 'invalidValue', 'active must be true or false');
    const profile = profileFromResource(after);
    const changed = JSON.stringify(profileFromResource(before)) !== JSON.stringify(profile);
    if (after.active === false) await setActive(caller, user, false);
    if (changed) {
      const current = await findUser(caller, id);
      if (current.status === 'DEPROVISIONED') throw new ScimProtocolError(400, 'mutability', 'a deactivated user\'s profile cannot change; set active to true first');
      await users.update(caller, id, { profile }, 'replace');
    }
    if (after.active === true) await setActive(caller, await findUser(caller, id), true);
    return getUser(caller, id);
  }

  /** DELETE: the user is deactivated and deleted, as Okta's DELETE does in two calls. */
  async function deleteUser(caller: Caller, id: string): Promise<void> {
    await findUser(caller, id);
    if ((await users.remove(caller, id)) === 'deactivated') await users.remove(caller, id);
  }

  // -------------------------------------------------------------------------------------------
  // Groups

  async function membersOf(caller: Caller, groupId: string): Promise<{ value: string; display: string }[]> {
    const members: { value: string; display: string }[] = [];
    let after: string | undefined;
    do {
      const page = await store.forOrg(caller.org.id).groups.listMembers(groupId, 1000, after);
      members.push(...page.items.map((u) => ({ value: u.id, display: u.profile.login })));
      after = page.next;
    } while (after);
    return members;
  }

  async function groupJson(caller: Caller, groupId: string): Promise<Json> {
    const group = await store.forOrg(caller.org.id).groups.findById(groupId);
    if (!group) throw new ScimProtocolError(404, undefined, `Group ${groupId.slice(0, 64)} not found`);
    return groupResource(group, await membersOf(caller, groupId), `${base(caller)}/Groups/${group.id}`, (userId) => `${base(caller)}/Users/${userId}`);
  }

  async function listGroups(caller: Caller, query: { filter?: Filter | undefined; startIndex: number; count: number }): Promise<ScimPage> {
    const filter = query.filter ? translateGroupFilter(query.filter) : undefined;
    const org = store.forOrg(caller.org.id);
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await org.groups.list({ ...(filter ? { filter } : {}), limit: 200, ...(after ? { after } : {}) });
      ids.push(...page.items.filter((g) => g.type === 'OKTA_GROUP').map((g) => g.id));
      after = page.next;
    } while (after);
    const window = ids.slice(query.startIndex - 1, query.startIndex - 1 + query.count);
    return { totalResults: ids.length, startIndex: query.startIndex, resources: await Promise.all(window.map((id) => groupJson(caller, id))) };
  }

  /** Makes the group's members exactly `wanted` (ids of users of this org). */
  async function setMembers(caller: Caller, groupId: string, wanted: readonly string[]): Promise<void> {
    const have = new Set((await membersOf(caller, groupId)).map((m) => m.value));
    const want = new Set(wanted);
    for (const id of want) {
      if (have.has(id)) continue;
      if (!(await store.forOrg(caller.org.id).users.findById(id))) throw new ScimProtocolError(400, 'invalidValue', `member ${id.slice(0, 64)} is not a user here`);
      await groups.addMember(caller, groupId, id);
    }
    for (const id of have) if (!want.has(id)) await groups.removeMember(caller, groupId, id);
  }

  function memberIds(body: Json): string[] {
    if (body.members === undefined) return [];
    if (!Array.isArray(body.members)) throw new ScimProtocolError(400, 'invalidValue', 'members must be an array');
    return body.members.map((m: Json, i: number) => {
      if (typeof m?.value !== 'string') throw new ScimProtocolError(400, 'invalidValue', `members[${i}].value must be a user id`);
      return m.value;
    });
  }

  async function createGroup(caller: Caller, body: Json): Promise<Json> {
    if (typeof body?.displayName !== 'string') throw new ScimProtocolError(400, 'invalidValue', 'displayName is required');
    const members = memberIds(body);
    if ((await store.forOrg(caller.org.id).groups.findByName(body.displayName))) throw new ScimProtocolError(409, 'uniqueness', `a group named ${body.displayName} exists`);
    const group = await groups.create(caller, { name: body.displayName });
    await setMembers(caller, group.id, members);
    return groupJson(caller, group.id);
  }

  async function replaceGroup(caller: Caller, id: string, body: Json): Promise<Json> {
    const current = await groupJson(caller, id);
    if (typeof body?.displayName !== 'string') throw new ScimProtocolError(400, 'invalidValue', 'displayName is required');
    if (body.displayName !== current.displayName) await groups.replace(caller, id, { name: body.displayName });
    await setMembers(caller, id, memberIds(body));
    return groupJson(caller, id);
  }

  async function patchGroup(caller: Caller, id: string, body: unknown): Promise<Json> {
    const operations = readPatch(body);
    const current = await groupJson(caller, id);
    const next = applyPatch(current, operations);
    if (typeof next.displayName !== 'string' || next.displayName.length === 0) throw new ScimProtocolError(400, 'invalidValue', 'displayName is required');
    if (next.displayName !== current.displayName) await groups.replace(caller, id, { name: next.displayName });
    await setMembers(caller, id, memberIds(next));
    return groupJson(caller, id);
  }

  async function deleteGroup(caller: Caller, id: string): Promise<void> {
    await groupJson(caller, id);
    await groups.remove(caller, id);
  }

  return { listUsers, getUser, createUser, replaceUser, patchUser, deleteUser, listGroups, createGroup, replaceGroup, patchGroup, deleteGroup, getGroup: groupJson };
}

/** Group filters: `displayName` and `id`. */
function translateGroupFilter(filter: Filter): Filter {
  switch (filter.op) {
    case 'and':
    case 'or':
      return { op: filter.op, left: translateGroupFilter(filter.left), right: translateGroupFilter(filter.right) };
    case 'not':
      return { op: 'not', filter: translateGroupFilter(filter.filter) };
    case 'valuePath':
      throw new ScimProtocolError(400, 'invalidFilter', `${filter.path}[…] cannot be filtered on`);
    default: {
      const path = filter.path.toLowerCase();
      if (path === 'displayname') return { ...filter, path: 'profile.name' } as Filter;
      if (path === 'id') return { ...filter, path: 'id' } as Filter;
      throw new ScimProtocolError(400, 'invalidFilter', `${filter.path} cannot be filtered on`);
    }
  }
}

export type ScimInbound = ReturnType<typeof createScimInbound>;
