/**
 * Sign-in sessions on both dialects: lookup by hash, touch, delete, per-user listing and
 * deletion, expiry sweeps across orgs — and that org B can neither see nor end org A's sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/services/ports.ts';
import { at, countRows, makeSession, makeUser, openTestStore, seedTwoOrgs, type TestStore, type TwoOrgs } from './store-fixture.ts';

let t: TestStore;
let o: TwoOrgs;

beforeAll(async () => {
  t = await openTestStore();
  o = await seedTwoOrgs(t.store);
});
afterAll(async () => t?.cleanup());

describe('sessions', () => {
  it('round-trips a session, amr included, and finds it by hash', async () => {
    const session = makeSession(o.orgA.id, o.aliceA.id, { amr: ['pwd', 'mfa'] });
    await o.a.sessions.insert(session);
    expect(await o.a.sessions.findByHash(session.tokenHash)).toEqual(session);
    expect(await o.a.sessions.findByHash('unknown')).toBeUndefined();
  });

  it('touch moves lastSeen and the idle expiry only', async () => {
    const session = makeSession(o.orgA.id, o.aliceA.id);
    await o.a.sessions.insert(session);
    await o.a.sessions.touch(session.id, at(30), at(150));
    expect(await o.a.sessions.findByHash(session.tokenHash)).toEqual({ ...session, lastSeen: at(30), idleExpiresAt: at(150) });
  });

  it('delete removes one session', async () => {
    const session = makeSession(o.orgA.id, o.aliceA.id);
    const kept = makeSession(o.orgA.id, o.aliceA.id);
    await o.a.sessions.insert(session);
    await o.a.sessions.insert(kept);
    await o.a.sessions.delete(session.id);
    expect(await o.a.sessions.findByHash(session.tokenHash)).toBeUndefined();
    expect(await o.a.sessions.findByHash(kept.tokenHash)).toEqual(kept);
  });

  it('lists a user\'s sessions by creation time and deletes them all, returning how many', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    const late = makeSession(o.orgA.id, user.id, { created: at(10) });
    const early = makeSession(o.orgA.id, user.id, { created: at(1) });
    const othersSession = makeSession(o.orgA.id, o.bobA.id);
    await o.a.sessions.insert(late);
    await o.a.sessions.insert(early);
    await o.a.sessions.insert(othersSession);
    expect(await o.a.sessions.listForUser(user.id)).toEqual([early, late]);
    expect(await o.a.sessions.deleteForUser(user.id)).toBe(2);
    expect(await o.a.sessions.listForUser(user.id)).toEqual([]);
    expect(await o.a.sessions.deleteForUser(user.id)).toBe(0);
    expect(await o.a.sessions.findByHash(othersSession.tokenHash)).toEqual(othersSession);
  });

  it('rejects a duplicate hash in one org as UniqueViolation on session, but allows it in another org', async () => {
    const session = makeSession(o.orgA.id, o.aliceA.id);
    await o.a.sessions.insert(session);
    const error = await o.a.sessions.insert(makeSession(o.orgA.id, o.bobA.id, { tokenHash: session.tokenHash })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueViolation);
    expect((error as UniqueViolation).field).toBe('session');
    const inB = makeSession(o.orgB.id, o.aliceB.id, { tokenHash: session.tokenHash });
    await o.b.sessions.insert(inB);
    expect((await o.a.sessions.findByHash(session.tokenHash))?.userId).toBe(o.aliceA.id);
    expect((await o.b.sessions.findByHash(session.tokenHash))?.userId).toBe(o.aliceB.id);
  });

  it('rejects a duplicate id in one org as UniqueViolation on id', async () => {
    const session = makeSession(o.orgA.id, o.aliceA.id);
    await o.a.sessions.insert(session);
    const error = await o.a.sessions.insert({ ...session, tokenHash: `${session.tokenHash}-2` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueViolation);
    expect((error as UniqueViolation).field).toBe('id');
  });
});

describe('sessions across orgs', () => {
  it('org B cannot find, touch or delete org A\'s session', async () => {
    const session = makeSession(o.orgA.id, o.aliceA.id);
    await o.a.sessions.insert(session);
    expect(await o.b.sessions.findByHash(session.tokenHash)).toBeUndefined();
    await o.b.sessions.touch(session.id, at(500), at(600));
    await o.b.sessions.delete(session.id);
    expect(await o.a.sessions.findByHash(session.tokenHash)).toEqual(session);
  });

  it('org B can neither list nor delete org A\'s user\'s sessions', async () => {
    const session = makeSession(o.orgA.id, o.bobA.id);
    await o.a.sessions.insert(session);
    const before = await countRows(t.db, 'sessions', o.orgA.id);
    expect(await o.b.sessions.listForUser(o.bobA.id)).toEqual([]);
    expect(await o.b.sessions.deleteForUser(o.bobA.id)).toBe(0);
    expect(await countRows(t.db, 'sessions', o.orgA.id)).toBe(before);
    expect(await o.a.sessions.findByHash(session.tokenHash)).toEqual(session);
  });

  it('org B cannot open a session for org A\'s user', async () => {
    const before = await countRows(t.db, 'sessions');
    await expect(o.b.sessions.insert(makeSession(o.orgB.id, o.bobA.id))).rejects.toThrow();
    expect(await countRows(t.db, 'sessions')).toBe(before);
  });
});

describe('deleteExpiredSessions', () => {
  it('removes sessions past their absolute or idle expiry in every org, and only those', async () => {
    const now = at(1000);
    await t.db.deleteFrom('sessions').execute();
    const alive = [
      makeSession(o.orgA.id, o.aliceA.id, { idleExpiresAt: at(1001), expiresAt: at(2000) }),
      makeSession(o.orgB.id, o.aliceB.id, { idleExpiresAt: at(1500), expiresAt: at(1500) }),
      // Expiring exactly now is not yet past.
      makeSession(o.orgA.id, o.bobA.id, { idleExpiresAt: now, expiresAt: now }),
    ];
    const dead = [
      makeSession(o.orgA.id, o.aliceA.id, { idleExpiresAt: at(999), expiresAt: at(2000) }),
      makeSession(o.orgA.id, o.bobA.id, { idleExpiresAt: at(2000), expiresAt: at(999) }),
      makeSession(o.orgB.id, o.aliceB.id, { idleExpiresAt: at(10), expiresAt: at(20) }),
    ];
    for (const s of [...alive, ...dead]) await t.store.forOrg(s.orgId).sessions.insert(s);
    expect(await t.store.deleteExpiredSessions(now)).toBe(3);
    for (const s of alive) expect(await t.store.forOrg(s.orgId).sessions.findByHash(s.tokenHash)).toEqual(s);
    for (const s of dead) expect(await t.store.forOrg(s.orgId).sessions.findByHash(s.tokenHash)).toBeUndefined();
    expect(await t.store.deleteExpiredSessions(now)).toBe(0);
    expect(await countRows(t.db, 'sessions')).toBe(3);
  });
});
