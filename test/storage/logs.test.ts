/**
 * The system log on both dialects: since/until windows, both orders with `after` cursors and
 * limits, filters on columns, targets (an EXISTS subquery) and JSON paths, `q` keywords — and that
 * org B's queries never return org A's events, even when the two share an event uuid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidFilter, type LogQuery, type OrgStore } from '../../src/services/ports.ts';
import { parseFilter } from '../../src/protocols/scim/filter.ts';
import type { LogEvent } from '../../src/domain/log-event.ts';
import { at, countRows, makeLogEvent, makeOrg, openTestStore, target, type TestStore } from './store-fixture.ts';

let t: TestStore;
let a: OrgStore;
let b: OrgStore;
const e: Record<string, LogEvent> = {};
const inB: Record<string, LogEvent> = {};

const admin = { id: '00uadmin000000000001', type: 'User', alternateId: 'admin@example.com', displayName: 'Ada Admin' };
const alice = { id: '00ualice000000000001', type: 'User', alternateId: 'Alice@Example.com', displayName: 'Alice Anders' };
const bob = { id: '00ubob00000000000001', type: 'User', alternateId: 'bob@example.com', displayName: 'Bob Brown' };

beforeAll(async () => {
  t = await openTestStore();
  const orgA = makeOrg('logs-a');
  const orgB = makeOrg('logs-b');
  await t.store.orgs.insert(orgA);
  await t.store.orgs.insert(orgB);
  a = t.store.forOrg(orgA.id);
  b = t.store.forOrg(orgB.id);

  e.login = makeLogEvent(at(1), { eventType: 'user.session.start', actor: alice, target: [target(alice.id, 'User', 'alice@example.com', 'Alice Anders')] });
  e.create = makeLogEvent(at(2), {
    eventType: 'user.lifecycle.create', displayMessage: 'Create Okta user', actor: admin,
    target: [target(bob.id, 'User', 'bob@example.com', 'Bob Brown')],
  });
  e.member = makeLogEvent(at(3), {
    eventType: 'group.user_membership.add', displayMessage: 'Add user to group membership', actor: admin,
    target: [target(alice.id, 'User', 'alice@example.com', 'Alice Anders'), target('00gengineering0000001', 'UserGroup', 'Engineering', 'Engineering')],
  });
  e.failed = makeLogEvent(at(4), {
    eventType: 'user.session.start', actor: bob, outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
    client: { userAgent: null, zone: null, device: null, id: null, ipAddress: '10.0.0.5', geographicalContext: null },
    target: [target(bob.id, 'User', 'bob@example.com', 'Bob Brown')],
  });
  e.lock = makeLogEvent(at(5), {
    eventType: 'user.account.lock', displayMessage: 'Max sign in attempts exceeded', severity: 'WARN', actor: bob,
    outcome: { result: 'FAILURE', reason: 'LOCKED_OUT' }, target: [target(bob.id, 'User', 'bob@example.com', 'Bob Brown')],
  });
  e.system = makeLogEvent(at(6), { eventType: 'system.org.create', displayMessage: 'Create org', actor: admin, target: [] });
  for (const event of Object.values(e)) await a.logs.append(event);

  // Org B: its own events, one of them sharing a uuid with org A's, with a target only B has.
  inB.login = makeLogEvent(at(1), { eventType: 'user.session.start', actor: alice, target: [target(alice.id)] });
  inB.twin = makeLogEvent(at(2), { uuid: e.create.uuid, eventType: 'user.account.lock', actor: bob, target: [target('00uonlyinb0000000001')] });
  inB.lock = makeLogEvent(at(5), { eventType: 'user.account.lock', actor: bob, severity: 'WARN', target: [target(bob.id)] });
  for (const event of Object.values(inB)) await b.logs.append(event);
});
afterAll(async () => t?.cleanup());

const base: LogQuery = { since: at(0), limit: 100, order: 'ASCENDING' };

/** Keys of org A's (or B's) events the query returns, in order. */
async function keys(query: Omit<Partial<LogQuery>, 'filter'> & { filter?: LogQuery['filter'] | string }, repo: OrgStore = a): Promise<string[]> {
  const filter = typeof query.filter === 'string' ? parseFilter(query.filter) : query.filter;
  const page = await repo.logs.query({ ...base, ...query, filter });
  const own = repo === a ? e : inB;
  return page.items.map((x) => Object.keys(own).find((k) => own[k]!.uuid === x.uuid && own[k]!.eventType === x.eventType) ?? `foreign:${x.eventType}`);
}

describe('logs.query: windows and order', () => {
  it('returns the events as appended, oldest first', async () => {
    const page = await a.logs.query(base);
    expect(page.items).toEqual(Object.values(e));
    expect(page.next).toBeUndefined();
  });

  it('since is inclusive and until exclusive', async () => {
    expect(await keys({ since: at(2) })).toEqual(['create', 'member', 'failed', 'lock', 'system']);
    expect(await keys({ until: at(4) })).toEqual(['login', 'create', 'member']);
    expect(await keys({ since: at(2), until: at(3) })).toEqual(['create']);
    expect(await keys({ since: at(7) })).toEqual([]);
  });

  it('orders DESCENDING newest first', async () => {
    expect(await keys({ order: 'DESCENDING' })).toEqual(['system', 'lock', 'failed', 'member', 'create', 'login']);
  });

  it('pages ASCENDING with limit and after; `next` only when more follow', async () => {
    const first = await a.logs.query({ ...base, limit: 2 });
    expect(first.items.map((x) => x.uuid)).toEqual([e.login!.uuid, e.create!.uuid]);
    expect(first.next).toBe(e.create!.uuid);
    const second = await a.logs.query({ ...base, limit: 2, after: first.next });
    expect(second.items.map((x) => x.uuid)).toEqual([e.member!.uuid, e.failed!.uuid]);
    const third = await a.logs.query({ ...base, limit: 2, after: second.next });
    expect(third.items.map((x) => x.uuid)).toEqual([e.lock!.uuid, e.system!.uuid]);
    expect(third.next).toBeUndefined();
  });

  it('pages DESCENDING with after', async () => {
    const desc: LogQuery = { ...base, order: 'DESCENDING', limit: 4 };
    const first = await a.logs.query(desc);
    expect(first.items.map((x) => x.uuid)).toEqual([e.system!.uuid, e.lock!.uuid, e.failed!.uuid, e.member!.uuid]);
    expect(first.next).toBe(e.member!.uuid);
    const second = await a.logs.query({ ...desc, after: first.next });
    expect(second.items.map((x) => x.uuid)).toEqual([e.create!.uuid, e.login!.uuid]);
    expect(second.next).toBeUndefined();
  });

  it('combines paging with a window and a filter', async () => {
    const query: LogQuery = { since: at(1), until: at(6), filter: parseFilter('outcome.result eq "FAILURE" or actor.id eq "00uadmin000000000001"'), limit: 2, order: 'ASCENDING' };
    const first = await a.logs.query(query);
    expect(first.items.map((x) => x.uuid)).toEqual([e.create!.uuid, e.member!.uuid]);
    const second = await a.logs.query({ ...query, after: first.next });
    expect(second.items.map((x) => x.uuid)).toEqual([e.failed!.uuid, e.lock!.uuid]);
    expect(second.next).toBeUndefined();
  });
});

describe('logs.query: filters', () => {
  it('filters on column attributes', async () => {
    expect(await keys({ filter: 'eventType eq "user.session.start"' })).toEqual(['login', 'failed']);
    expect(await keys({ filter: 'eventType sw "user.session"' })).toEqual(['login', 'failed']);
    expect(await keys({ filter: 'severity eq "WARN"' })).toEqual(['lock']);
    expect(await keys({ filter: 'outcome.result eq "FAILURE"' })).toEqual(['failed', 'lock']);
    expect(await keys({ filter: `actor.id eq "${bob.id}"` })).toEqual(['failed', 'lock']);
    expect(await keys({ filter: `uuid eq "${e.member!.uuid}"` })).toEqual(['member']);
  });

  it('filters on target.id and target.type through the targets table', async () => {
    expect(await keys({ filter: `target.id eq "${alice.id}"` })).toEqual(['login', 'member']);
    expect(await keys({ filter: `target.id eq "${bob.id}"` })).toEqual(['create', 'failed', 'lock']);
    expect(await keys({ filter: 'target.type eq "UserGroup"' })).toEqual(['member']);
    expect(await keys({ filter: 'target.id pr' })).toEqual(['login', 'create', 'member', 'failed', 'lock']);
    expect(await keys({ filter: 'not (target.id pr)' })).toEqual(['system']);
    expect(await keys({ filter: `target.id eq "${alice.id}" and target.type eq "UserGroup"` })).toEqual(['member']);
  });

  it('filters on JSON paths such as actor.alternateId, ignoring case', async () => {
    expect(await keys({ filter: 'actor.alternateId eq "alice@example.com"' })).toEqual(['login']);
    expect(await keys({ filter: 'actor.alternateId eq "ADMIN@example.com"' })).toEqual(['create', 'member', 'system']);
    expect(await keys({ filter: 'actor.displayName sw "bob"' })).toEqual(['failed', 'lock']);
    expect(await keys({ filter: 'outcome.reason eq "invalid_credentials"' })).toEqual(['failed']);
    expect(await keys({ filter: 'client.ipAddress eq "10.0.0.5"' })).toEqual(['failed']);
    expect(await keys({ filter: 'displayMessage co "group"' })).toEqual(['member']);
  });

  it('treats hostile values as plain data', async () => {
    const before = await countRows(t.db, 'log_events');
    expect(await keys({ filter: `actor.alternateId eq ${JSON.stringify("x'; drop table log_events; --")}` })).toEqual([]);
    expect(await keys({ filter: `target.id eq ${JSON.stringify("') or 1=1 --")}` })).toEqual([]);
    expect(await keys({ filter: 'eventType co "%"' })).toEqual([]);
    expect(await keys({ filter: 'eventType co "_"' })).toEqual(['member']);
    expect(await countRows(t.db, 'log_events')).toBe(before);
  });

  it('rejects unknown attributes and mistyped comparisons with InvalidFilter', async () => {
    for (const filter of ['foo eq "x"', 'actor.password eq "x"', 'target.alternateId eq "x"', 'eventType eq 5', 'target.id eq true']) {
      const error = await a.logs.query({ ...base, filter: parseFilter(filter) }).then(() => undefined, (x: unknown) => x);
      expect(error, filter).toBeInstanceOf(InvalidFilter);
    }
  });
});

describe('logs.query: q keywords', () => {
  it('matches events containing every keyword, ignoring case', async () => {
    expect(await keys({ q: ['bob'] })).toEqual(['create', 'failed', 'lock']);
    expect(await keys({ q: ['BOB', 'lock'] })).toEqual(['lock']);
    expect(await keys({ q: ['bob', 'Engineering'] })).toEqual([]);
    expect(await keys({ q: ['engineering'] })).toEqual(['member']);
    expect(await keys({ q: ['10.0.0.5'] })).toEqual(['failed']);
    expect(await keys({ q: ['invalid_credentials'] })).toEqual(['failed']);
  });

  it('matches keywords as plain text', async () => {
    expect(await keys({ q: ['%'] })).toEqual([]);
    expect(await keys({ q: ['_'] })).toEqual(['member', 'failed', 'lock']);
    expect(await keys({ q: ["'; drop table log_events; --"] })).toEqual([]);
  });

  it('combines with filters and windows', async () => {
    expect(await keys({ q: ['bob'], filter: 'eventType eq "user.session.start"' })).toEqual(['failed']);
    expect(await keys({ q: ['bob'], since: at(5) })).toEqual(['lock']);
  });
});

describe('logs across orgs', () => {
  it('org B sees only its own events, in any order and window', async () => {
    expect(await keys({}, b)).toEqual(['login', 'twin', 'lock']);
    expect(await keys({ order: 'DESCENDING' }, b)).toEqual(['lock', 'twin', 'login']);
    const all = await b.logs.query(base);
    expect(all.items).toEqual([inB.login, inB.twin, inB.lock]);
  });

  it('org B\'s filters and keywords never reach org A\'s events', async () => {
    expect(await keys({ filter: 'eventType eq "user.lifecycle.create"' }, b)).toEqual([]);
    expect(await keys({ filter: 'target.type eq "UserGroup"' }, b)).toEqual([]);
    expect(await keys({ filter: 'actor.alternateId eq "admin@example.com"' }, b)).toEqual([]);
    expect(await keys({ q: ['engineering'] }, b)).toEqual([]);
    expect(await keys({ filter: `uuid eq "${e.member!.uuid}"` }, b)).toEqual([]);
  });

  it('the target subquery stays in its org even when both orgs share an event uuid', async () => {
    // A's "create" event and B's "twin" share a uuid; each org's targets belong to its own event.
    expect(await keys({ filter: 'target.id eq "00uonlyinb0000000001"' })).toEqual([]);
    expect(await keys({ filter: 'target.id eq "00uonlyinb0000000001"' }, b)).toEqual(['twin']);
    expect(await keys({ filter: `target.id eq "${bob.id}"` }, b)).toEqual(['lock']);
    expect(await keys({ filter: `uuid eq "${e.create!.uuid}"` })).toEqual(['create']);
    expect(await keys({ filter: `uuid eq "${e.create!.uuid}"` }, b)).toEqual(['twin']);
  });

  it('an `after` cursor from org A does not open org A\'s events to org B', async () => {
    const page = await b.logs.query({ ...base, after: e.login!.uuid });
    expect(page.items.every((x) => Object.values(inB).some((y) => y.uuid === x.uuid && y.eventType === x.eventType))).toBe(true);
  });
});
