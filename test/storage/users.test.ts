/**
 * The user repository on both dialects: CRUD, unique logins, paging, `q` search, the
 * DEPROVISIONED rule, counters, password history and roles — and for every method, that org B's
 * repository neither sees nor changes org A's users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation, type OrgStore } from '../../src/services/ports.ts';
import type { UserWithSecrets } from '../../src/domain/user.ts';
import { parseFilter } from '../../src/protocols/scim/filter.ts';
import {
  at, countRows, makeGroup, makeOrg, makeSession, makeApiToken, makeUser, nextId, openTestStore, seedTwoOrgs, T0,
  type TestStore, type TwoOrgs,
} from './store-fixture.ts';
import { uniqueError } from './store-fixture.ts';

let t: TestStore;
let o: TwoOrgs;

beforeAll(async () => {
  t = await openTestStore();
  o = await seedTwoOrgs(t.store);
});
afterAll(async () => t?.cleanup());

/** A new org with its own repositories, for tests that need a known set of users. */
async function freshOrg(name: string): Promise<OrgStore> {
  const org = makeOrg(name);
  await t.store.orgs.insert(org);
  return t.store.forOrg(org.id);
}

describe('users: insert and find', () => {
  it('round-trips every field, including secrets and the recovery question', async () => {
    const user = makeUser(o.orgA.id, { login: 'Round.Trip@Example.com', email: 'rt@example.com', firstName: 'Round', lastName: 'Trip', department: 'R&D', badge: 7, remote: true }, {
      status: 'RECOVERY', transitioningToStatus: 'ACTIVE', recoveryQuestion: 'Favourite colour?', recoveryAnswerHash: 'answer-hash',
      lastLogin: at(3), failedSignIns: 2,
    });
    await o.a.users.insert(user);
    expect(await o.a.users.findById(user.id)).toEqual(user);
  });

  it('stores the org of the repository, not the one on the object', async () => {
    const user = makeUser(o.orgB.id);
    await o.a.users.insert(user);
    expect((await o.a.users.findById(user.id))?.orgId).toBe(o.orgA.id);
    expect(await o.b.users.findById(user.id)).toBeUndefined();
  });

  it('finds users by login case-insensitively, each org its own', async () => {
    expect((await o.a.users.findByLogin('ALICE@Example.COM'))?.id).toBe(o.aliceA.id);
    expect((await o.b.users.findByLogin('alice@example.com'))?.id).toBe(o.aliceB.id);
    expect(o.aliceA.id).not.toBe(o.aliceB.id);
  });

  it('never finds org A\'s user through org B, by id or by login', async () => {
    expect(await o.b.users.findById(o.aliceA.id)).toBeUndefined();
    expect(await o.b.users.findById(o.bobA.id)).toBeUndefined();
    expect(await o.b.users.findByLogin('bob@example.com')).toBeUndefined();
    expect(await o.a.users.findById(o.aliceB.id)).toBeUndefined();
  });

  it('misses unknown ids and logins', async () => {
    expect(await o.a.users.findById('00unotthere000000000')).toBeUndefined();
    expect(await o.a.users.findByLogin('nobody@example.com')).toBeUndefined();
  });
});

describe('users: unique logins and ids', () => {
  it('rejects a login that differs only in case within one org, naming the field login', async () => {
    await o.a.users.insert(makeUser(o.orgA.id, { login: 'A@x.com' }));
    const error = await uniqueError(o.a.users.insert(makeUser(o.orgA.id, { login: 'a@x.com' })));
    expect(error.field).toBe('login');
    const listed = await o.a.users.list({ limit: 100, includeDeprovisioned: true, filter: parseFilter('profile.login eq "a@x.com"') });
    expect(listed.items).toHaveLength(1);
  });

  it('allows the same login in two different orgs', async () => {
    const inA = makeUser(o.orgA.id, { login: 'Shared@x.com' });
    const inB = makeUser(o.orgB.id, { login: 'shared@X.com' });
    await o.a.users.insert(inA);
    await o.b.users.insert(inB);
    expect((await o.a.users.findByLogin('shared@x.com'))?.id).toBe(inA.id);
    expect((await o.b.users.findByLogin('shared@x.com'))?.id).toBe(inB.id);
  });

  it('rejects a duplicate id in one org with field id', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    const error = await uniqueError(o.a.users.insert({ ...user, profile: { ...user.profile, login: 'other-id-twin@example.com' } }));
    expect(error.field).toBe('id');
  });

  it('rejects an update that moves a login onto another user\'s (case-insensitively) and leaves the row as it was', async () => {
    const user = makeUser(o.orgA.id, { login: 'mover@example.com' });
    await o.a.users.insert(user);
    const error = await uniqueError(o.a.users.update(user.id, { profile: { ...user.profile, login: 'BOB@example.com' } }));
    expect(error.field).toBe('login');
    expect(await o.a.users.findById(user.id)).toEqual(user);
  });

  it('allows an update to a login that only another org uses', async () => {
    const user = makeUser(o.orgB.id, { login: 'b-only@example.com' });
    await o.b.users.insert(user);
    await o.b.users.update(user.id, { profile: { ...user.profile, login: 'bob@example.com' } });
    expect((await o.b.users.findByLogin('bob@example.com'))?.id).toBe(user.id);
    expect((await o.a.users.findByLogin('bob@example.com'))?.id).toBe(o.bobA.id);
  });
});

describe('users: the same id in two orgs', () => {
  it('keeps the two users apart in find, update, delete and counters', async () => {
    const id = nextId('00u');
    const inA = makeUser(o.orgA.id, { login: 'twin-a@example.com' }, { id });
    const inB = makeUser(o.orgB.id, { login: 'twin-b@example.com' }, { id });
    await o.a.users.insert(inA);
    await o.b.users.insert(inB);
    expect((await o.a.users.findById(id))?.profile.login).toBe('twin-a@example.com');
    expect((await o.b.users.findById(id))?.profile.login).toBe('twin-b@example.com');

    await o.b.users.update(id, { status: 'SUSPENDED', lastUpdated: at(1) });
    expect(await o.a.users.findById(id)).toEqual(inA);
    expect((await o.b.users.findById(id))?.status).toBe('SUSPENDED');

    expect(await o.b.users.recordFailedSignIn(id)).toBe(1);
    expect((await o.a.users.findById(id))?.failedSignIns).toBe(0);

    await o.b.users.delete(id);
    expect(await o.b.users.findById(id)).toBeUndefined();
    expect(await o.a.users.findById(id)).toEqual(inA);
  });
});

describe('users: update', () => {
  it('changes only the given fields and keeps lookups in step with a new profile', async () => {
    const user = makeUser(o.orgA.id, { login: 'changer@example.com', firstName: 'Chang', lastName: 'Er' });
    await o.a.users.insert(user);
    await o.a.users.update(user.id, {
      status: 'LOCKED_OUT', transitioningToStatus: null, statusChanged: at(10), lastUpdated: at(10),
      profile: { ...user.profile, login: 'Renamed@example.com', firstName: 'Renamed' },
      passwordHash: null, passwordChanged: null, recoveryQuestion: 'Pet?', recoveryAnswerHash: 'pet-hash', lastLogin: at(9),
      failedSignIns: 4, activated: null,
    });
    const after = await o.a.users.findById(user.id);
    expect(after).toEqual({
      ...user,
      status: 'LOCKED_OUT', statusChanged: at(10), lastUpdated: at(10),
      profile: { ...user.profile, login: 'Renamed@example.com', firstName: 'Renamed' },
      passwordHash: null, hasPassword: false, passwordChanged: null, recoveryQuestion: 'Pet?', recoveryAnswerHash: 'pet-hash',
      lastLogin: at(9), failedSignIns: 4, activated: null,
    });
    expect(await o.a.users.findByLogin('changer@example.com')).toBeUndefined();
    expect((await o.a.users.findByLogin('renamed@EXAMPLE.com'))?.id).toBe(user.id);
    const byName = await o.a.users.list({ q: 'renamed', limit: 10, includeDeprovisioned: true });
    expect(byName.items.map((u) => u.id)).toEqual([user.id]);
  });

  it('does nothing for an empty change set and clears the recovery question with null', async () => {
    const user = makeUser(o.orgA.id, {}, { recoveryQuestion: 'Q?', recoveryAnswerHash: 'A' });
    await o.a.users.insert(user);
    await o.a.users.update(user.id, {});
    expect(await o.a.users.findById(user.id)).toEqual(user);
    await o.a.users.update(user.id, { recoveryQuestion: null });
    const after = await o.a.users.findById(user.id);
    expect(after?.recoveryQuestion).toBeNull();
    expect(after?.recoveryAnswerHash).toBeNull();
  });

  it('through org B leaves org A\'s user untouched', async () => {
    const before = await o.a.users.findById(o.bobA.id);
    await o.b.users.update(o.bobA.id, {
      status: 'DEPROVISIONED', profile: { ...o.bobA.profile, firstName: 'Hacked' }, passwordHash: 'x', failedSignIns: 99, lastUpdated: at(99),
    });
    expect(await o.a.users.findById(o.bobA.id)).toEqual(before);
    expect(await o.b.users.findById(o.bobA.id)).toBeUndefined();
  });
});

describe('users: delete', () => {
  it('deletes the user with their tokens, sessions, memberships, roles and password history', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    const group = makeGroup(o.orgA.id, `Doomed ${user.id}`);
    await o.a.groups.insert(group);
    await o.a.groups.addMember(group.id, user.id, T0);
    await o.a.users.addRole(user.id, 'SUPER_ADMIN', T0);
    await o.a.users.addPasswordHistory(user.id, 'old-hash', T0);
    await o.a.userTokens.insert({ tokenHash: `activation-${user.id}`, userId: user.id, purpose: 'activation', created: T0, expiresAt: at(60) });
    await o.a.sessions.insert(makeSession(o.orgA.id, user.id));
    await o.a.apiTokens.insert(makeApiToken(o.orgA.id, user.id));

    await o.a.users.delete(user.id);
    expect(await o.a.users.findById(user.id)).toBeUndefined();
    expect(await o.a.groups.listMembers(group.id, 10)).toEqual({ items: [] });
    expect(await o.a.users.roles(user.id)).toEqual([]);
    expect(await o.a.users.passwordHistory(user.id, 5)).toEqual([]);
    expect(await o.a.userTokens.peek(`activation-${user.id}`, 'activation', T0)).toBeUndefined();
    expect(await o.a.sessions.listForUser(user.id)).toEqual([]);
    expect((await o.a.apiTokens.list()).filter((k) => k.userId === user.id)).toEqual([]);
    expect(await o.a.groups.findById(group.id)).toBeDefined();
  });

  it('through org B deletes nothing of org A, not even dependent rows', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    await o.a.users.addRole(user.id, 'SUPER_ADMIN', T0);
    await o.a.sessions.insert(makeSession(o.orgA.id, user.id));
    const before = {
      users: await countRows(t.db, 'users', o.orgA.id),
      sessions: await countRows(t.db, 'sessions', o.orgA.id),
      roles: await countRows(t.db, 'user_roles', o.orgA.id),
      members: await countRows(t.db, 'group_members', o.orgA.id),
    };
    await o.b.users.delete(user.id);
    await o.b.users.delete(o.aliceA.id);
    expect(await o.a.users.findById(user.id)).toEqual(user);
    expect(await o.a.users.findById(o.aliceA.id)).toBeDefined();
    expect(await o.a.users.roles(user.id)).toEqual(['SUPER_ADMIN']);
    expect({
      users: await countRows(t.db, 'users', o.orgA.id),
      sessions: await countRows(t.db, 'sessions', o.orgA.id),
      roles: await countRows(t.db, 'user_roles', o.orgA.id),
      members: await countRows(t.db, 'group_members', o.orgA.id),
    }).toEqual(before);
  });
});

describe('users: failed sign-ins', () => {
  it('counts one up per call and returns the new count', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    expect(await o.a.users.recordFailedSignIn(user.id)).toBe(1);
    expect(await o.a.users.recordFailedSignIn(user.id)).toBe(2);
    expect((await o.a.users.findById(user.id))?.failedSignIns).toBe(2);
    await o.a.users.update(user.id, { failedSignIns: 0 });
    expect(await o.a.users.recordFailedSignIn(user.id)).toBe(1);
  });

  it('counts concurrent failures atomically: every caller sees a different count', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    const counts = await Promise.all(Array.from({ length: 12 }, () => o.a.users.recordFailedSignIn(user.id)));
    expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect((await o.a.users.findById(user.id))?.failedSignIns).toBe(12);
  });

  it('through org B neither counts org A\'s user nor reports a count', async () => {
    const user = makeUser(o.orgA.id, {}, { failedSignIns: 3 });
    await o.a.users.insert(user);
    expect(await o.b.users.recordFailedSignIn(user.id)).toBe(0);
    expect((await o.a.users.findById(user.id))?.failedSignIns).toBe(3);
  });
});

describe('users: count', () => {
  it('counts the users of one org only, DEPROVISIONED included', async () => {
    const c = await freshOrg('count-c');
    const d = await freshOrg('count-d');
    await c.users.insert(makeUser(c.orgId));
    await c.users.insert(makeUser(c.orgId, {}, { status: 'DEPROVISIONED' }));
    await d.users.insert(makeUser(d.orgId));
    expect(await c.users.count()).toBe(2);
    expect(await d.users.count()).toBe(1);
    expect(await t.store.forOrg('00onosuchorg00000000').users.count()).toBe(0);
  });
});

describe('users: password history', () => {
  it('returns the newest hashes first, at most `count`, and none for count 0', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    await o.a.users.addPasswordHistory(user.id, 'h1', at(1));
    await o.a.users.addPasswordHistory(user.id, 'h3', at(3));
    await o.a.users.addPasswordHistory(user.id, 'h2', at(2));
    expect(await o.a.users.passwordHistory(user.id, 2)).toEqual(['h3', 'h2']);
    expect(await o.a.users.passwordHistory(user.id, 10)).toEqual(['h3', 'h2', 'h1']);
    expect(await o.a.users.passwordHistory(user.id, 0)).toEqual([]);
  });

  it('is invisible to org B, and org B cannot add to it', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    await o.a.users.addPasswordHistory(user.id, 'mine', at(1));
    expect(await o.b.users.passwordHistory(user.id, 10)).toEqual([]);
    await expect(o.b.users.addPasswordHistory(user.id, 'planted', at(2))).rejects.toThrow();
    expect(await o.a.users.passwordHistory(user.id, 10)).toEqual(['mine']);
  });
});

describe('users: roles', () => {
  it('adds roles once, however often they are added', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    expect(await o.a.users.roles(user.id)).toEqual([]);
    await o.a.users.addRole(user.id, 'SUPER_ADMIN', T0);
    await o.a.users.addRole(user.id, 'SUPER_ADMIN', at(1));
    await o.a.users.addRole(user.id, 'READ_ONLY_ADMIN', at(1));
    expect([...await o.a.users.roles(user.id)].sort()).toEqual(['READ_ONLY_ADMIN', 'SUPER_ADMIN']);
  });

  it('adds a role once when the same role is added concurrently', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    await Promise.all(Array.from({ length: 5 }, () => o.a.users.addRole(user.id, 'SUPER_ADMIN', T0)));
    expect(await o.a.users.roles(user.id)).toEqual(['SUPER_ADMIN']);
  });

  it('are invisible to org B, and org B cannot grant one to org A\'s user', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    await o.a.users.addRole(user.id, 'READ_ONLY_ADMIN', T0);
    expect(await o.b.users.roles(user.id)).toEqual([]);
    await expect(o.b.users.addRole(user.id, 'SUPER_ADMIN', T0)).rejects.toThrow();
    expect(await o.a.users.roles(user.id)).toEqual(['READ_ONLY_ADMIN']);
    expect(await o.b.users.roles(user.id)).toEqual([]);
  });
});

describe('users: list and paging', () => {
  let c: OrgStore;
  let d: OrgStore;
  let inC: UserWithSecrets[];

  beforeAll(async () => {
    c = await freshOrg('list-c');
    d = await freshOrg('list-d');
    inC = [];
    for (let i = 0; i < 5; i++) {
      const user = makeUser(c.orgId, { login: `pager${i}@example.com` });
      inC.push(user);
      await c.users.insert(user);
      // The same logins in org D: they must never show up in C's pages.
      await d.users.insert(makeUser(d.orgId, { login: `pager${i}@example.com` }));
    }
  });

  it('lists users in id order, with secrets-free fields intact', async () => {
    const page = await c.users.list({ limit: 100, includeDeprovisioned: false });
    expect(page.items.map((u) => u.id)).toEqual(inC.map((u) => u.id));
    expect(page.items[0]).toMatchObject({ orgId: c.orgId, profile: inC[0]!.profile, status: 'ACTIVE' });
    expect(page.next).toBeUndefined();
  });

  it('pages with limit and after; `next` appears only when more follow', async () => {
    const first = await c.users.list({ limit: 2, includeDeprovisioned: false });
    expect(first.items.map((u) => u.id)).toEqual([inC[0]!.id, inC[1]!.id]);
    expect(first.next).toBe(inC[1]!.id);
    const second = await c.users.list({ limit: 2, after: first.next, includeDeprovisioned: false });
    expect(second.items.map((u) => u.id)).toEqual([inC[2]!.id, inC[3]!.id]);
    expect(second.next).toBe(inC[3]!.id);
    const third = await c.users.list({ limit: 2, after: second.next, includeDeprovisioned: false });
    expect(third.items.map((u) => u.id)).toEqual([inC[4]!.id]);
    expect(third.next).toBeUndefined();
  });

  it('gives no `next` when the last page is exactly full', async () => {
    const page = await c.users.list({ limit: 5, includeDeprovisioned: false });
    expect(page.items).toHaveLength(5);
    expect(page.next).toBeUndefined();
    const tail = await c.users.list({ limit: 2, after: inC[2]!.id, includeDeprovisioned: false });
    expect(tail.items.map((u) => u.id)).toEqual([inC[3]!.id, inC[4]!.id]);
    expect(tail.next).toBeUndefined();
  });

  it('never includes another org\'s users, even through an `after` cursor from that org', async () => {
    const all = await d.users.list({ limit: 100, includeDeprovisioned: true });
    expect(all.items).toHaveLength(5);
    expect(all.items.every((u) => u.orgId === d.orgId)).toBe(true);
    const fromOtherCursor = await d.users.list({ limit: 100, after: inC[0]!.id, includeDeprovisioned: true });
    expect(fromOtherCursor.items.every((u) => u.orgId === d.orgId)).toBe(true);
    const aIds = new Set((await o.a.users.list({ limit: 1000, includeDeprovisioned: true })).items.map((u) => u.id));
    const bPage = await o.b.users.list({ limit: 1000, includeDeprovisioned: true });
    expect(bPage.items.length).toBeGreaterThan(0);
    expect(bPage.items.filter((u) => aIds.has(u.id) && u.orgId !== o.orgB.id)).toEqual([]);
    expect(bPage.items.every((u) => u.orgId === o.orgB.id)).toBe(true);
  });
});

describe('users: DEPROVISIONED users in lists', () => {
  let e: OrgStore;
  let active: UserWithSecrets;
  let gone: UserWithSecrets;

  beforeAll(async () => {
    e = await freshOrg('deprov-e');
    active = makeUser(e.orgId, { firstName: 'Dora' });
    gone = makeUser(e.orgId, { firstName: 'Dorian' }, { status: 'DEPROVISIONED' });
    await e.users.insert(active);
    await e.users.insert(gone);
  });

  const ids = (page: { items: readonly { id: string }[] }) => page.items.map((u) => u.id);

  it('leaves them out by default, also from `q` and filtered lists', async () => {
    expect(ids(await e.users.list({ limit: 10, includeDeprovisioned: false }))).toEqual([active.id]);
    expect(ids(await e.users.list({ q: 'dor', limit: 10, includeDeprovisioned: false }))).toEqual([active.id]);
    expect(ids(await e.users.list({ filter: parseFilter('profile.firstName sw "Dor"'), limit: 10, includeDeprovisioned: false }))).toEqual([active.id]);
  });

  it('includes them when asked', async () => {
    expect(ids(await e.users.list({ limit: 10, includeDeprovisioned: true }))).toEqual([active.id, gone.id]);
  });

  it('includes them when the filter names status anywhere', async () => {
    expect(ids(await e.users.list({ filter: parseFilter('status eq "DEPROVISIONED"'), limit: 10, includeDeprovisioned: false }))).toEqual([gone.id]);
    expect(ids(await e.users.list({ filter: parseFilter('profile.firstName sw "Dor" and not (status eq "ACTIVE")'), limit: 10, includeDeprovisioned: false })))
      .toEqual([gone.id]);
    expect(ids(await e.users.list({ filter: parseFilter('status eq "ACTIVE" or status eq "DEPROVISIONED"'), limit: 10, includeDeprovisioned: false })))
      .toEqual([active.id, gone.id]);
  });
});

describe('users: q prefix search', () => {
  let f: OrgStore;
  let g: OrgStore;
  let zed: UserWithSecrets;
  let yara: UserWithSecrets;
  let percent: UserWithSecrets;

  beforeAll(async () => {
    f = await freshOrg('search-f');
    g = await freshOrg('search-g');
    zed = makeUser(f.orgId, { login: 'zlogin@corp.test', email: 'zmail@mail.test', firstName: 'Zedekiah', lastName: 'Quist' });
    yara = makeUser(f.orgId, { login: 'yara@corp.test', email: 'y.mail@mail.test', firstName: 'Yara', lastName: 'Zeller' });
    percent = makeUser(f.orgId, { login: '100%_sure@corp.test', email: 'pct@mail.test', firstName: 'Per_cent', lastName: 'Sign' });
    await f.users.insert(zed);
    await f.users.insert(yara);
    await f.users.insert(percent);
    await g.users.insert(makeUser(g.orgId, { login: 'zlogin@corp.test', firstName: 'Zedekiah', lastName: 'Quist' }));
  });

  const search = async (repo: OrgStore, q: string) =>
    (await repo.users.list({ q, limit: 10, includeDeprovisioned: false })).items.map((u) => u.id);

  it('matches a prefix of the first name, last name, email or login, ignoring case', async () => {
    expect(await search(f, 'zedek')).toEqual([zed.id]);
    expect(await search(f, 'QUI')).toEqual([zed.id]);
    expect(await search(f, 'zmail')).toEqual([zed.id]);
    expect(await search(f, 'zlog')).toEqual([zed.id]);
    expect(await search(f, 'Ze')).toEqual([zed.id, yara.id]);
  });

  it('matches prefixes only, not the middle of a value', async () => {
    expect(await search(f, 'dekiah')).toEqual([]);
    expect(await search(f, 'corp.test')).toEqual([]);
  });

  it('treats % and _ as plain characters', async () => {
    expect(await search(f, '100%')).toEqual([percent.id]);
    expect(await search(f, '%')).toEqual([]);
    expect(await search(f, '_')).toEqual([]);
    expect(await search(f, 'per_')).toEqual([percent.id]);
    expect(await search(f, "z'; drop table users; --")).toEqual([]);
    expect(await f.users.count()).toBe(3);
  });

  it('never returns another org\'s users', async () => {
    const inG = await g.users.list({ q: 'zed', limit: 10, includeDeprovisioned: true });
    expect(inG.items).toHaveLength(1);
    expect(inG.items[0]!.orgId).toBe(g.orgId);
    expect(inG.items[0]!.id).not.toBe(zed.id);
  });
});
