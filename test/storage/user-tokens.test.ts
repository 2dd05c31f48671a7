/**
 * One-time user tokens (activation, recovery) on both dialects: peek leaves them, consume works
 * once, expiry and purpose are enforced, and org B can neither see, use nor delete org A's tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserTokenPurpose } from '../../src/services/ports.ts';
import type { UserWithSecrets } from '../../src/domain/user.ts';
import { at, countRows, makeUser, nextId, openTestStore, seedTwoOrgs, T0, type TestStore, type TwoOrgs } from './store-fixture.ts';

let t: TestStore;
let o: TwoOrgs;

beforeAll(async () => {
  t = await openTestStore();
  o = await seedTwoOrgs(t.store);
});
afterAll(async () => t?.cleanup());

/** Inserts a token for `user` in org A that expires at `expiresAt`; returns its hash. */
async function tokenFor(user: UserWithSecrets, purpose: UserTokenPurpose = 'activation', expiresAt = at(60)): Promise<string> {
  const tokenHash = nextId('tok');
  await o.a.userTokens.insert({ tokenHash, userId: user.id, purpose, created: T0, expiresAt });
  return tokenHash;
}

describe('userTokens: peek and consume', () => {
  it('peek returns the user of a valid token and leaves it in place', async () => {
    const hash = await tokenFor(o.aliceA);
    expect(await o.a.userTokens.peek(hash, 'activation', at(1))).toBe(o.aliceA.id);
    expect(await o.a.userTokens.peek(hash, 'activation', at(2))).toBe(o.aliceA.id);
    expect(await o.a.userTokens.consume(hash, 'activation', at(3))).toBe(o.aliceA.id);
  });

  it('consume works once only', async () => {
    const hash = await tokenFor(o.bobA, 'recovery');
    expect(await o.a.userTokens.consume(hash, 'recovery', at(1))).toBe(o.bobA.id);
    expect(await o.a.userTokens.consume(hash, 'recovery', at(1))).toBeUndefined();
    expect(await o.a.userTokens.peek(hash, 'recovery', at(1))).toBeUndefined();
  });

  it('hands a token to exactly one of many concurrent consumers', async () => {
    const hash = await tokenFor(o.bobA, 'recovery');
    const results = await Promise.all(Array.from({ length: 6 }, () => o.a.userTokens.consume(hash, 'recovery', at(1))));
    expect(results.filter((r) => r === o.bobA.id)).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(5);
  });

  it('respects expiry: a token is dead at and after its expiry time', async () => {
    const hash = await tokenFor(o.aliceA, 'recovery', at(10));
    expect(await o.a.userTokens.peek(hash, 'recovery', at(9))).toBe(o.aliceA.id);
    expect(await o.a.userTokens.peek(hash, 'recovery', at(10))).toBeUndefined();
    expect(await o.a.userTokens.consume(hash, 'recovery', at(10))).toBeUndefined();
    expect(await o.a.userTokens.consume(hash, 'recovery', at(11))).toBeUndefined();
    // Before expiry it still works: the failed attempts did not use it up.
    expect(await o.a.userTokens.consume(hash, 'recovery', at(9))).toBe(o.aliceA.id);
  });

  it('respects the purpose: an activation token is no recovery token', async () => {
    const hash = await tokenFor(o.aliceA, 'activation');
    expect(await o.a.userTokens.peek(hash, 'recovery', at(1))).toBeUndefined();
    expect(await o.a.userTokens.consume(hash, 'recovery', at(1))).toBeUndefined();
    expect(await o.a.userTokens.consume(hash, 'activation', at(1))).toBe(o.aliceA.id);
  });

  it('misses unknown hashes', async () => {
    expect(await o.a.userTokens.peek('no-such-hash', 'activation', T0)).toBeUndefined();
    expect(await o.a.userTokens.consume('no-such-hash', 'activation', T0)).toBeUndefined();
  });
});

describe('userTokens: deleteForUser', () => {
  it('deletes every token of the user and no one else\'s', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    const one = await tokenFor(user, 'activation');
    const two = await tokenFor(user, 'recovery');
    const bobs = await tokenFor(o.bobA, 'recovery');
    await o.a.userTokens.deleteForUser(user.id);
    expect(await o.a.userTokens.peek(one, 'activation', T0)).toBeUndefined();
    expect(await o.a.userTokens.peek(two, 'recovery', T0)).toBeUndefined();
    expect(await o.a.userTokens.peek(bobs, 'recovery', T0)).toBe(o.bobA.id);
  });
});

describe('userTokens across orgs', () => {
  it('org B cannot peek at or consume org A\'s token, and trying leaves it valid', async () => {
    const hash = await tokenFor(o.aliceA, 'recovery');
    expect(await o.b.userTokens.peek(hash, 'recovery', at(1))).toBeUndefined();
    expect(await o.b.userTokens.consume(hash, 'recovery', at(1))).toBeUndefined();
    expect(await o.a.userTokens.peek(hash, 'recovery', at(1))).toBe(o.aliceA.id);
  });

  it('org B\'s deleteForUser with org A\'s user id deletes nothing', async () => {
    const hash = await tokenFor(o.aliceA, 'activation');
    const before = await countRows(t.db, 'user_tokens', o.orgA.id);
    await o.b.userTokens.deleteForUser(o.aliceA.id);
    expect(await countRows(t.db, 'user_tokens', o.orgA.id)).toBe(before);
    expect(await o.a.userTokens.peek(hash, 'activation', at(1))).toBe(o.aliceA.id);
  });

  it('org B cannot issue a token for org A\'s user', async () => {
    const hash = nextId('tok');
    await expect(o.b.userTokens.insert({ tokenHash: hash, userId: o.bobA.id, purpose: 'recovery', created: T0, expiresAt: at(60) }))
      .rejects.toThrow();
    expect(await o.b.userTokens.peek(hash, 'recovery', T0)).toBeUndefined();
    expect(await o.a.userTokens.peek(hash, 'recovery', T0)).toBeUndefined();
  });

  it('the same hash in two orgs belongs to each org\'s own user; consuming one leaves the other', async () => {
    const hash = nextId('tok');
    await o.a.userTokens.insert({ tokenHash: hash, userId: o.aliceA.id, purpose: 'activation', created: T0, expiresAt: at(60) });
    await o.b.userTokens.insert({ tokenHash: hash, userId: o.aliceB.id, purpose: 'activation', created: T0, expiresAt: at(60) });
    expect(await o.b.userTokens.consume(hash, 'activation', at(1))).toBe(o.aliceB.id);
    expect(await o.b.userTokens.consume(hash, 'activation', at(1))).toBeUndefined();
    expect(await o.a.userTokens.peek(hash, 'activation', at(1))).toBe(o.aliceA.id);
    expect(await o.a.userTokens.consume(hash, 'activation', at(1))).toBe(o.aliceA.id);
  });
});
