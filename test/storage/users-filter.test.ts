/**
 * SCIM filters compiled to SQL over users, on both dialects: every operator, logic and
 * precedence, case-insensitivity of key columns and JSON custom attributes, typed custom
 * attributes, timestamps, hostile values kept as plain data, and rejected attributes.
 * Org B holds copies of org A's users, so any filter that leaked across orgs would show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidFilter, type OrgStore } from '../../src/services/ports.ts';
import { parseFilter, type Filter } from '../../src/protocols/scim/filter.ts';
import type { UserWithSecrets } from '../../src/domain/user.ts';
import { at, countRows, makeOrg, makeUser, openTestStore, type TestStore } from './store-fixture.ts';

let t: TestStore;
let a: OrgStore;
let b: OrgStore;
const u: Record<string, UserWithSecrets> = {};
const bUsers: Record<string, UserWithSecrets> = {};

const hostile = "'; drop table users; --";

beforeAll(async () => {
  t = await openTestStore();
  const orgA = makeOrg('filter-a');
  const orgB = makeOrg('filter-b');
  await t.store.orgs.insert(orgA);
  await t.store.orgs.insert(orgB);
  a = t.store.forOrg(orgA.id);
  b = t.store.forOrg(orgB.id);
  const specs: [string, Parameters<typeof makeUser>[1], Parameters<typeof makeUser>[2]][] = [
    ['alice', { login: 'Alice.Smith@Example.com', email: 'alice@example.com', firstName: 'Alice', lastName: 'Smith', department: 'Engineering', level: 5, remote: true },
      { lastUpdated: at(10) }],
    ['bob', { login: 'bob.jones@example.org', email: 'BOB@EXAMPLE.ORG', firstName: 'Bob', lastName: 'Jones', department: 'Sales', level: 2, remote: false },
      { lastUpdated: at(20), lastLogin: at(5) }],
    ['carol', { login: 'carol@example.com', email: 'carol@example.com', firstName: 'Carol', lastName: "O'Brien", department: 'engineering', level: 10 },
      { lastUpdated: at(30), status: 'SUSPENDED' }],
    ['dan', { login: 'discount@example.com', email: 'dan@example.net', firstName: '100%_off\\', lastName: 'back\\slash"quote', department: hostile, level: 7.5 },
      { lastUpdated: at(40) }],
    ['eve', { login: 'eve@example.net', email: 'eve@example.net', firstName: 'Éve', lastName: 'Ünal🚀', nickName: 'Rocket🚀', school: 'ÉCOLE', level: '7' },
      { lastUpdated: at(50) }],
    ['frank', { login: 'frank@example.com', email: 'frank@example.com', firstName: 'Frank', lastName: 'Smith', department: 'Engineering', level: 5, remote: true },
      { lastUpdated: at(60), status: 'DEPROVISIONED' }],
  ];
  for (const [key, profile, overrides] of specs) {
    u[key] = makeUser(orgA.id, profile, overrides);
    await a.users.insert(u[key]);
  }
  for (const [key, profile, overrides] of specs) {
    bUsers[key] = makeUser(orgB.id, profile, overrides);
    await b.users.insert(bUsers[key]);
  }
});
afterAll(async () => t?.cleanup());

/** Keys of org A's users matching the filter, in id (= insertion) order; checks none is from another org. */
async function matching(filter: string | Filter, repo: OrgStore = a): Promise<string[]> {
  const parsed = typeof filter === 'string' ? parseFilter(filter) : filter;
  const page = await repo.users.list({ filter: parsed, limit: 100, includeDeprovisioned: false });
  expect(page.items.every((x) => x.orgId === repo.orgId)).toBe(true);
  const own = repo === a ? u : bUsers;
  return page.items.map((x) => Object.keys(own).find((k) => own[k]!.id === x.id) ?? `foreign:${x.id}`);
}

function str(value: string): string {
  return JSON.stringify(value);
}

describe('users.list filter: comparison operators', () => {
  it('eq on login, email, first and last name ignores case', async () => {
    expect(await matching('profile.login eq "alice.smith@example.com"')).toEqual(['alice']);
    expect(await matching('profile.login eq "ALICE.SMITH@EXAMPLE.COM"')).toEqual(['alice']);
    expect(await matching('profile.email eq "bob@example.org"')).toEqual(['bob']);
    expect(await matching('profile.firstName eq "ALICE"')).toEqual(['alice']);
    expect(await matching('profile.lastName eq "JONES"')).toEqual(['bob']);
  });

  it('eq ignores case beyond ASCII on the key columns', async () => {
    expect(await matching('profile.firstName eq "éVE"')).toEqual(['eve']);
    expect(await matching('profile.lastName eq "üNAL🚀"')).toEqual(['eve']);
  });

  it('ne includes users whose attribute is missing', async () => {
    expect(await matching('profile.lastName ne "smith"')).toEqual(['bob', 'carol', 'dan', 'eve']);
    expect(await matching('profile.department ne "ENGINEERING"')).toEqual(['bob', 'dan', 'eve']);
  });

  it('sw, ew and co match prefixes, suffixes and substrings, ignoring case', async () => {
    expect(await matching('profile.lastName sw "SM"')).toEqual(['alice']);
    expect(await matching('profile.login sw "bob."')).toEqual(['bob']);
    expect(await matching('profile.login ew "@EXAMPLE.com"')).toEqual(['alice', 'carol', 'dan']);
    expect(await matching('profile.email co "example.ORG"')).toEqual(['bob']);
    expect(await matching('profile.department sw "eng"')).toEqual(['alice', 'carol']);
    expect(await matching('profile.department ew "RING"')).toEqual(['alice', 'carol']);
    expect(await matching('profile.department co "ginee"')).toEqual(['alice', 'carol']);
  });

  it('ew counts characters, not UTF-16 units, for characters outside the BMP', async () => {
    expect(await matching('profile.lastName ew "l🚀"')).toEqual(['eve']);
    expect(await matching('profile.nickName ew "🚀"')).toEqual(['eve']);
    expect(await matching('profile.nickName ew "T🚀"')).toEqual(['eve']);
  });

  it('an empty sw, ew or co value matches every user that has the attribute', async () => {
    for (const op of ['sw', 'ew', 'co']) {
      expect(await matching(`profile.lastName ${op} ""`), op).toEqual(['alice', 'bob', 'carol', 'dan', 'eve']);
      expect(await matching(`profile.department ${op} ""`), op).toEqual(['alice', 'bob', 'carol', 'dan']);
    }
  });

  it('gt, ge, lt, le compare strings of the key columns', async () => {
    expect(await matching('profile.firstName gt "carol"')).toEqual(['eve']);
    expect(await matching('profile.firstName ge "carol"')).toEqual(['carol', 'eve']);
    expect(await matching('profile.firstName lt "bob"')).toEqual(['alice', 'dan']);
    expect(await matching('profile.firstName le "bob"')).toEqual(['alice', 'bob', 'dan']);
  });

  it('pr matches present attributes, and eq null absent ones', async () => {
    expect(await matching('profile.department pr')).toEqual(['alice', 'bob', 'carol', 'dan']);
    expect(await matching('profile.remote pr')).toEqual(['alice', 'bob']);
    expect(await matching('lastLogin pr')).toEqual(['bob']);
    expect(await matching('lastLogin eq null')).toEqual(['alice', 'carol', 'dan', 'eve']);
    expect(await matching('profile.nickName ne null')).toEqual(['eve']);
  });

  it('compares id, status and type.id exactly', async () => {
    expect(await matching(`id eq "${u.bob!.id}"`)).toEqual(['bob']);
    expect(await matching('status eq "SUSPENDED"')).toEqual(['carol']);
    expect(await matching('status eq "suspended"')).toEqual([]);
    expect(await matching('type.id eq "oty00000000000000001"')).toHaveLength(5);
  });
});

describe('users.list filter: custom attributes', () => {
  it('compares string custom attributes case-insensitively', async () => {
    expect(await matching('profile.department eq "engineering"')).toEqual(['alice', 'carol']);
    expect(await matching('profile.department eq "SALES"')).toEqual(['bob']);
  });

  it('compares non-ASCII custom attribute values case-insensitively on both dialects', async () => {
    expect(await matching('profile.school eq "école"')).toEqual(['eve']);
    expect(await matching('profile.school sw "éc"')).toEqual(['eve']);
  });

  it('compares number attributes as numbers', async () => {
    expect(await matching('profile.level gt 4')).toEqual(['alice', 'carol', 'dan']);
    expect(await matching('profile.level ge 5')).toEqual(['alice', 'carol', 'dan']);
    expect(await matching('profile.level lt 5')).toEqual(['bob']);
    expect(await matching('profile.level le 5')).toEqual(['alice', 'bob']);
    expect(await matching('profile.level eq 10')).toEqual(['carol']);
    expect(await matching('profile.level eq 7.5')).toEqual(['dan']);
    expect(await matching('profile.level ne 5')).toEqual(['bob', 'carol', 'dan']);
    // 10 > 9 as numbers, though "10" < "9" as text.
    expect(await matching('profile.level gt 9')).toEqual(['carol']);
  });

  it('does not match a number against a string that looks like one, or the other way round', async () => {
    expect(await matching('profile.level eq 7')).toEqual([]);
    expect(await matching('profile.level eq "7"')).toEqual(['eve']);
  });

  it('compares boolean attributes as booleans', async () => {
    expect(await matching('profile.remote eq true')).toEqual(['alice']);
    expect(await matching('profile.remote eq false')).toEqual(['bob']);
    expect(await matching('profile.remote ne true')).toEqual(['bob', 'carol', 'dan', 'eve']);
    expect(await matching('profile.department eq true')).toEqual([]);
  });
});

describe('users.list filter: timestamps', () => {
  it('compares lastUpdated with gt, ge, lt, le and eq', async () => {
    expect(await matching(`lastUpdated gt "${at(20)}"`)).toEqual(['carol', 'dan', 'eve']);
    expect(await matching(`lastUpdated ge "${at(20)}"`)).toEqual(['bob', 'carol', 'dan', 'eve']);
    expect(await matching(`lastUpdated lt "${at(20)}"`)).toEqual(['alice']);
    expect(await matching(`lastUpdated eq "${at(10)}"`)).toEqual(['alice']);
  });

  it('normalises timestamps written without milliseconds or with an offset', async () => {
    expect(await matching('lastUpdated le "2026-01-01T00:20:00Z"')).toEqual(['alice', 'bob']);
    expect(await matching('lastUpdated gt "2026-01-01T01:35:00+01:00"')).toEqual(['dan', 'eve']);
    expect(await matching('lastLogin eq "2026-01-01T00:05:00Z"')).toEqual(['bob']);
  });
});

describe('users.list filter: logic', () => {
  it('combines with and, or, not and grouping, and binds and tighter than or', async () => {
    expect(await matching('profile.department eq "engineering" and profile.level gt 6')).toEqual(['carol']);
    expect(await matching('profile.firstName eq "alice" or profile.firstName eq "bob"')).toEqual(['alice', 'bob']);
    expect(await matching('not (profile.firstName eq "alice" or profile.level lt 5)')).toEqual(['carol', 'dan', 'eve']);
    expect(await matching('profile.firstName eq "bob" or profile.firstName eq "alice" and profile.level gt 100')).toEqual(['bob']);
    expect(await matching('(profile.firstName eq "bob" or profile.firstName eq "alice") and profile.level gt 3')).toEqual(['alice']);
  });

  it('not of a comparison on a missing attribute includes the users that lack it', async () => {
    expect(await matching('not (profile.department pr)')).toEqual(['eve']);
    expect(await matching('not (profile.remote eq true)')).toEqual(['bob', 'carol', 'dan', 'eve']);
  });

  it('pages through a filtered list', async () => {
    const filter = parseFilter('profile.level pr');
    const first = await a.users.list({ filter, limit: 2, includeDeprovisioned: false });
    expect(first.items.map((x) => x.id)).toEqual([u.alice!.id, u.bob!.id]);
    expect(first.next).toBe(u.bob!.id);
    const second = await a.users.list({ filter, limit: 2, after: first.next, includeDeprovisioned: false });
    expect(second.items.map((x) => x.id)).toEqual([u.carol!.id, u.dan!.id]);
    const third = await a.users.list({ filter, limit: 2, after: second.next, includeDeprovisioned: false });
    expect(third.items.map((x) => x.id)).toEqual([u.eve!.id]);
    expect(third.next).toBeUndefined();
  });
});

describe('users.list filter: hostile values are plain data', () => {
  it('matches quotes, %, _ and backslashes literally', async () => {
    expect(await matching(`profile.lastName eq ${str("o'brien")}`)).toEqual(['carol']);
    expect(await matching(`profile.firstName eq ${str('100%_off\\')}`)).toEqual(['dan']);
    expect(await matching(`profile.lastName eq ${str('BACK\\slash"quote')}`)).toEqual(['dan']);
    expect(await matching('profile.firstName co "%"')).toEqual(['dan']);
    expect(await matching('profile.firstName co "_"')).toEqual(['dan']);
    expect(await matching('profile.firstName sw "100%"')).toEqual(['dan']);
    expect(await matching('profile.firstName sw "%"')).toEqual([]);
    expect(await matching(`profile.firstName ew ${str('\\')}`)).toEqual(['dan']);
    expect(await matching(`profile.lastName co ${str('\\')}`)).toEqual(['dan']);
    expect(await matching(`profile.lastName co ${str('"')}`)).toEqual(['dan']);
    expect(await matching(`profile.lastName co ${str("'")}`)).toEqual(['carol']);
  });

  it('treats SQL in a value as text: no error, no match beyond the literal, the table stays', async () => {
    expect(await matching(`profile.department eq ${str(hostile)}`)).toEqual(['dan']);
    expect(await matching(`profile.login eq ${str(hostile)}`)).toEqual([]);
    expect(await matching(`profile.login co ${str(hostile)}`)).toEqual([]);
    expect(await matching(`profile.firstName eq ${str("x' or '1'='1")}`)).toEqual([]);
    expect(await matching(`profile.department ne ${str("x' or 1=1 --")}`)).toEqual(['alice', 'bob', 'carol', 'dan', 'eve']);
    expect(await matching(`lastLogin eq null or profile.nickName eq ${str('"); delete from users; --')}`)).toEqual(['alice', 'carol', 'dan', 'eve']);
    expect(await countRows(t.db, 'users')).toBe(12);
    expect(await a.users.count()).toBe(6);
  });

  it('keeps org B to its own users for the same filters', async () => {
    expect(await matching('profile.department eq "engineering"', b)).toEqual(['alice', 'carol']);
    expect(await matching(`profile.department eq ${str(hostile)}`, b)).toEqual(['dan']);
    expect(await matching(`id eq "${u.alice!.id}"`, b)).toEqual([]);
    expect(await matching(`id eq "${u.alice!.id}"`)).toEqual(['alice']);
  });
});

describe('users.list filter: invalid filters', () => {
  const invalid = async (filter: string | Filter) => {
    const parsed = typeof filter === 'string' ? parseFilter(filter) : filter;
    const error = await a.users.list({ filter: parsed, limit: 10, includeDeprovisioned: false }).then(() => undefined, (e: unknown) => e);
    expect(error, String(typeof filter === 'string' ? filter : JSON.stringify(filter))).toBeInstanceOf(InvalidFilter);
  };

  it('rejects unknown attributes with InvalidFilter', async () => {
    await invalid('nosuch eq "x"');
    await invalid('credentials.password eq "x"');
    await invalid('profile.login.extra eq "x"');
    await invalid('profile.a$b eq "x"');
    await invalid('passwordHash pr');
  });

  it('rejects attribute names that would reach the SQL, even when a parser let them through', async () => {
    await invalid({ op: 'eq', path: "profile.x') or ('1'='1", value: 'x' });
    await invalid({ op: 'eq', path: 'profile.x"; drop table users; --', value: 'x' });
    await invalid({ op: 'pr', path: 'users.password_hash' });
    await invalid({ op: 'eq', path: `profile.${'a'.repeat(65)}`, value: 'x' });
    expect(await countRows(t.db, 'users')).toBe(12);
  });

  it('rejects value paths and comparisons of the wrong type', async () => {
    await invalid('emails[value eq "x"]');
    await invalid('status eq 5');
    await invalid('profile.login eq true');
    await invalid('lastUpdated gt "yesterday"');
    await invalid('lastUpdated co "2026"');
    await invalid('lastUpdated gt 5');
    await invalid('profile.remote gt true');
    await invalid('profile.level co 5');
    await invalid('profile.login gt null');
  });
});
