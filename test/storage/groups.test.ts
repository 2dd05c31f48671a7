/**
 * The group repository on both dialects: CRUD, unique names, paging, `q` and filters,
 * memberships — and for every method, that org B can neither see nor change org A's groups or
 * memberships, nor attach users across orgs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation, type OrgStore } from '../../src/services/ports.ts';
import { parseFilter } from '../../src/protocols/scim/filter.ts';
import type { Group } from '../../src/domain/group.ts';
import type { UserWithSecrets } from '../../src/domain/user.ts';
import {
  at, countRows, makeGroup, makeOrg, makeUser, nextId, openTestStore, seedTwoOrgs, T0, type TestStore, type TwoOrgs,
} from './store-fixture.ts';
import { uniqueError } from './store-fixture.ts';

let t: TestStore;
let o: TwoOrgs;

beforeAll(async () => {
  t = await openTestStore();
  o = await seedTwoOrgs(t.store);
});
afterAll(async () => t?.cleanup());

/** The outcome of a call that must not succeed: its value, or 'rejected'. */
async function outcome<T>(work: Promise<T>): Promise<T | 'rejected'> {
  return work.then((v) => v, () => 'rejected' as const);
}

async function freshOrg(name: string): Promise<OrgStore> {
  const org = makeOrg(name);
  await t.store.orgs.insert(org);
  return t.store.forOrg(org.id);
}

describe('groups: insert, find, update', () => {
  it('round-trips every field and finds the group by name ignoring case', async () => {
    const group = makeGroup(o.orgA.id, 'Round Trip', { type: 'APP_GROUP', description: null, profile: { name: 'Round Trip', costCenter: 42, remote: true } });
    await o.a.groups.insert(group);
    expect(await o.a.groups.findById(group.id)).toEqual(group);
    expect(await o.a.groups.findByName('ROUND trip')).toEqual(group);
    expect(await o.a.groups.findByName('Round')).toBeUndefined();
  });

  it('updates name, description, profile and lastUpdated, and finds it by the new name', async () => {
    const group = makeGroup(o.orgA.id, 'Before');
    await o.a.groups.insert(group);
    await o.a.groups.update(group.id, { name: 'After', description: null, profile: { name: 'After', floor: 3 }, lastUpdated: at(5) });
    expect(await o.a.groups.findById(group.id)).toEqual({
      ...group, name: 'After', description: null, profile: { name: 'After', floor: 3 }, lastUpdated: at(5),
    });
    expect(await o.a.groups.findByName('before')).toBeUndefined();
    expect((await o.a.groups.findByName('after'))?.id).toBe(group.id);
  });

  it('touchMembership sets lastMembershipUpdated only', async () => {
    const group = makeGroup(o.orgA.id, 'Touched');
    await o.a.groups.insert(group);
    await o.a.groups.touchMembership(group.id, at(7));
    expect(await o.a.groups.findById(group.id)).toEqual({ ...group, lastMembershipUpdated: at(7) });
  });
});

describe('groups: unique names and ids', () => {
  it('rejects a name that differs only in case within one org, naming the field name', async () => {
    await o.a.groups.insert(makeGroup(o.orgA.id, 'Sales Team'));
    const error = await uniqueError(o.a.groups.insert(makeGroup(o.orgA.id, 'SALES team')));
    expect(error.field).toBe('name');
  });

  it('allows the same name in two orgs', async () => {
    expect(o.engineeringA.name).toBe(o.engineeringB.name);
    expect((await o.a.groups.findByName('engineering'))?.id).toBe(o.engineeringA.id);
    expect((await o.b.groups.findByName('engineering'))?.id).toBe(o.engineeringB.id);
    await o.b.groups.insert(makeGroup(o.orgB.id, 'sales TEAM'));
  });

  it('rejects renaming onto another group\'s name and leaves the group as it was', async () => {
    const group = makeGroup(o.orgA.id, 'Renamer');
    await o.a.groups.insert(group);
    const error = await uniqueError(o.a.groups.update(group.id, { name: 'ENGINEERING', description: null, profile: {}, lastUpdated: at(1) }));
    expect(error.field).toBe('name');
    expect(await o.a.groups.findById(group.id)).toEqual(group);
  });

  it('rejects a duplicate id in one org with field id', async () => {
    const group = makeGroup(o.orgA.id, 'Id Twin');
    await o.a.groups.insert(group);
    const error = await uniqueError(o.a.groups.insert({ ...group, name: 'Id Twin 2' }));
    expect(error.field).toBe('id');
  });
});

describe('groups: memberships', () => {
  let c: OrgStore;
  let group: Group;
  let members: UserWithSecrets[];

  beforeAll(async () => {
    c = await freshOrg('members-c');
    group = makeGroup(c.orgId, 'Members');
    await c.groups.insert(group);
    members = [];
    for (let i = 0; i < 5; i++) {
      const user = makeUser(c.orgId);
      members.push(user);
      await c.users.insert(user);
      expect(await c.groups.addMember(group.id, user.id, T0)).toBe(true);
    }
  });

  it('addMember is false for an existing member and removeMember false for a non-member', async () => {
    const user = makeUser(c.orgId);
    await c.users.insert(user);
    const other = makeGroup(c.orgId, 'Other');
    await c.groups.insert(other);
    expect(await c.groups.addMember(other.id, user.id, T0)).toBe(true);
    expect(await c.groups.addMember(other.id, user.id, at(1))).toBe(false);
    expect(await c.groups.removeMember(other.id, user.id)).toBe(true);
    expect(await c.groups.removeMember(other.id, user.id)).toBe(false);
    expect(await c.groups.listMembers(other.id, 10)).toEqual({ items: [] });
  });

  it('adds a member once when the same member is added concurrently', async () => {
    const user = makeUser(c.orgId);
    await c.users.insert(user);
    const racing = makeGroup(c.orgId, 'Racing');
    await c.groups.insert(racing);
    const results = await Promise.all(Array.from({ length: 5 }, () => c.groups.addMember(racing.id, user.id, T0)));
    expect(results.filter((r) => r)).toHaveLength(1);
    expect((await c.groups.listMembers(racing.id, 10)).items.map((m) => m.id)).toEqual([user.id]);
  });

  it('lists members in id order and pages with limit and after', async () => {
    const all = await c.groups.listMembers(group.id, 10);
    expect(all.items.map((m) => m.id)).toEqual(members.map((m) => m.id));
    expect(all.next).toBeUndefined();
    expect(all.items[0]).toMatchObject({ orgId: c.orgId, profile: members[0]!.profile });
    const first = await c.groups.listMembers(group.id, 2);
    expect(first.items.map((m) => m.id)).toEqual([members[0]!.id, members[1]!.id]);
    expect(first.next).toBe(members[1]!.id);
    const second = await c.groups.listMembers(group.id, 3, first.next);
    expect(second.items.map((m) => m.id)).toEqual(members.slice(2).map((m) => m.id));
    expect(second.next).toBeUndefined();
  });

  it('lists the groups of a user by name', async () => {
    const user = members[0]!;
    const zeta = makeGroup(c.orgId, 'zeta');
    const alpha = makeGroup(c.orgId, 'Alpha');
    await c.groups.insert(zeta);
    await c.groups.insert(alpha);
    await c.groups.addMember(zeta.id, user.id, T0);
    await c.groups.addMember(alpha.id, user.id, T0);
    expect((await c.groups.groupsOfUser(user.id)).map((g) => g.name)).toEqual(['Alpha', 'Members', 'zeta']);
    expect(await c.groups.groupsOfUser(members[4]!.id)).toEqual([await c.groups.findById(group.id)]);
  });

  it('deleting a group removes its memberships but not its users', async () => {
    const doomed = makeGroup(c.orgId, 'Doomed');
    await c.groups.insert(doomed);
    await c.groups.addMember(doomed.id, members[1]!.id, T0);
    await c.groups.delete(doomed.id);
    expect(await c.groups.findById(doomed.id)).toBeUndefined();
    expect(await c.groups.listMembers(doomed.id, 10)).toEqual({ items: [] });
    expect((await c.groups.groupsOfUser(members[1]!.id)).map((g) => g.name)).toEqual(['Members']);
    expect(await c.users.findById(members[1]!.id)).toBeDefined();
  });
});

describe('groups: list', () => {
  let d: OrgStore;
  let e: OrgStore;
  let inD: Group[];

  beforeAll(async () => {
    d = await freshOrg('groups-d');
    e = await freshOrg('groups-e');
    inD = [];
    for (const [name, updated] of [['Admins', 1], ['admin-ops', 2], ['Builders', 3], ['100%_club', 4]] as const) {
      const group = makeGroup(d.orgId, name, { lastUpdated: at(updated) });
      inD.push(group);
      await d.groups.insert(group);
      await e.groups.insert(makeGroup(e.orgId, name, { lastUpdated: at(updated) }));
    }
  });

  const ids = (page: { items: readonly Group[] }) => page.items.map((g) => g.id);

  it('lists in id order and pages; `next` only when more follow', async () => {
    expect(ids(await d.groups.list({ limit: 10 }))).toEqual(inD.map((g) => g.id));
    const first = await d.groups.list({ limit: 3 });
    expect(ids(first)).toEqual(inD.slice(0, 3).map((g) => g.id));
    expect(first.next).toBe(inD[2]!.id);
    const second = await d.groups.list({ limit: 3, after: first.next });
    expect(ids(second)).toEqual([inD[3]!.id]);
    expect(second.next).toBeUndefined();
    const exact = await d.groups.list({ limit: 4 });
    expect(exact.items).toHaveLength(4);
    expect(exact.next).toBeUndefined();
  });

  it('q matches name prefixes ignoring case, with % and _ as plain characters', async () => {
    expect(ids(await d.groups.list({ q: 'ADMIN', limit: 10 }))).toEqual([inD[0]!.id, inD[1]!.id]);
    expect(ids(await d.groups.list({ q: 'build', limit: 10 }))).toEqual([inD[2]!.id]);
    expect(ids(await d.groups.list({ q: 'uilders', limit: 10 }))).toEqual([]);
    expect(ids(await d.groups.list({ q: '100%_', limit: 10 }))).toEqual([inD[3]!.id]);
    expect(ids(await d.groups.list({ q: '%', limit: 10 }))).toEqual([]);
  });

  it('filters on profile.name, type and lastUpdated, with hostile values as plain data', async () => {
    expect(ids(await d.groups.list({ filter: parseFilter('profile.name eq "admins"'), limit: 10 }))).toEqual([inD[0]!.id]);
    expect(ids(await d.groups.list({ filter: parseFilter('profile.name sw "ADMIN" and lastUpdated gt "2026-01-01T00:01:00.000Z"'), limit: 10 })))
      .toEqual([inD[1]!.id]);
    expect(ids(await d.groups.list({ filter: parseFilter('type eq "OKTA_GROUP"'), limit: 10 }))).toHaveLength(4);
    expect(ids(await d.groups.list({ filter: parseFilter('profile.name co "%"'), limit: 10 }))).toEqual([inD[3]!.id]);
    expect(ids(await d.groups.list({ filter: parseFilter(`profile.name eq ${JSON.stringify("x'; drop table groups; --")}`), limit: 10 }))).toEqual([]);
    expect(await countRows(t.db, 'groups', d.orgId)).toBe(4);
  });

  it('never includes another org\'s groups', async () => {
    const inE = await e.groups.list({ limit: 100 });
    expect(inE.items).toHaveLength(4);
    expect(inE.items.every((g) => g.orgId === e.orgId)).toBe(true);
    expect(ids(await e.groups.list({ q: 'admin', limit: 10 })).some((id) => inD.some((g) => g.id === id))).toBe(false);
    expect(await e.groups.list({ filter: parseFilter(`id eq "${inD[0]!.id}"`), limit: 10 })).toEqual({ items: [] });
    const fromB = await o.b.groups.list({ limit: 100 });
    expect(fromB.items.every((g) => g.orgId === o.orgB.id)).toBe(true);
    expect(ids(fromB)).not.toContain(o.engineeringA.id);
  });
});

describe('groups across orgs', () => {
  it('org B cannot find org A\'s group by id or name', async () => {
    const marketing = makeGroup(o.orgA.id, 'Marketing');
    await o.a.groups.insert(marketing);
    expect(await o.b.groups.findById(marketing.id)).toBeUndefined();
    expect(await o.b.groups.findByName('marketing')).toBeUndefined();
    expect(await o.b.groups.findById(o.engineeringA.id)).toBeUndefined();
  });

  it('org B\'s update, touchMembership and delete leave org A\'s group as it was', async () => {
    const group = makeGroup(o.orgA.id, 'Protected');
    await o.a.groups.insert(group);
    await o.a.groups.addMember(group.id, o.aliceA.id, T0);
    await o.b.groups.update(group.id, { name: 'Hijacked', description: 'pwned', profile: { name: 'Hijacked' }, lastUpdated: at(9) });
    await o.b.groups.touchMembership(group.id, at(9));
    await o.b.groups.delete(group.id);
    expect(await o.a.groups.findById(group.id)).toEqual(group);
    expect((await o.a.groups.listMembers(group.id, 10)).items.map((m) => m.id)).toEqual([o.aliceA.id]);
    expect(await o.b.groups.findByName('Hijacked')).toBeUndefined();
  });

  it('addMember through org B does not attach org A\'s user to org A\'s group', async () => {
    const before = await countRows(t.db, 'group_members');
    expect(await outcome(o.b.groups.addMember(o.engineeringA.id, o.bobA.id, T0))).not.toBe(true);
    expect(await countRows(t.db, 'group_members')).toBe(before);
    expect((await o.a.groups.listMembers(o.engineeringA.id, 10)).items.map((m) => m.id)).toEqual([o.aliceA.id]);
    expect(await o.a.groups.groupsOfUser(o.bobA.id)).toEqual([]);
  });

  it('addMember does not attach a user of one org to a group of another', async () => {
    const before = await countRows(t.db, 'group_members');
    // B's user into A's group, through A and through B.
    expect(await outcome(o.a.groups.addMember(o.engineeringA.id, o.aliceB.id, T0))).not.toBe(true);
    expect(await outcome(o.b.groups.addMember(o.engineeringA.id, o.aliceB.id, T0))).not.toBe(true);
    // A's user into B's group, through either org.
    expect(await outcome(o.a.groups.addMember(o.engineeringB.id, o.bobA.id, T0))).not.toBe(true);
    expect(await outcome(o.b.groups.addMember(o.engineeringB.id, o.bobA.id, T0))).not.toBe(true);
    expect(await countRows(t.db, 'group_members')).toBe(before);
    expect((await o.a.groups.listMembers(o.engineeringA.id, 10)).items.map((m) => m.id)).toEqual([o.aliceA.id]);
    expect((await o.b.groups.listMembers(o.engineeringB.id, 10)).items.map((m) => m.id)).toEqual([o.aliceB.id]);
  });

  it('org B cannot remove, list or look up org A\'s memberships', async () => {
    expect(await o.b.groups.removeMember(o.engineeringA.id, o.aliceA.id)).toBe(false);
    expect(await o.b.groups.listMembers(o.engineeringA.id, 10)).toEqual({ items: [] });
    expect(await o.b.groups.groupsOfUser(o.aliceA.id)).toEqual([]);
    expect((await o.a.groups.listMembers(o.engineeringA.id, 10)).items.map((m) => m.id)).toEqual([o.aliceA.id]);
    expect((await o.a.groups.groupsOfUser(o.aliceA.id)).map((g) => g.id)).toContain(o.engineeringA.id);
  });

  it('keeps groups that share an id apart, with their memberships', async () => {
    const id = nextId('00g');
    const inA = makeGroup(o.orgA.id, 'Twin A', { id });
    const inB = makeGroup(o.orgB.id, 'Twin B', { id });
    const userA = makeUser(o.orgA.id);
    const userB = makeUser(o.orgB.id);
    await o.a.users.insert(userA);
    await o.b.users.insert(userB);
    await o.a.groups.insert(inA);
    await o.b.groups.insert(inB);
    await o.a.groups.addMember(id, userA.id, T0);
    await o.b.groups.addMember(id, userB.id, T0);
    expect((await o.a.groups.listMembers(id, 10)).items.map((m) => m.id)).toEqual([userA.id]);
    expect((await o.b.groups.listMembers(id, 10)).items.map((m) => m.id)).toEqual([userB.id]);
    expect(await o.b.groups.groupsOfUser(userA.id)).toEqual([]);
    expect(await o.b.groups.removeMember(id, userA.id)).toBe(false);
    await o.b.groups.delete(id);
    expect(await o.a.groups.findById(id)).toEqual(inA);
    expect((await o.a.groups.listMembers(id, 10)).items.map((m) => m.id)).toEqual([userA.id]);
    expect(await o.b.groups.findById(id)).toBeUndefined();
  });
});
