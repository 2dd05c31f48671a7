/**
 * `store.transaction` on both dialects: all writes land or none do, errors pass through unchanged,
 * unique violations inside roll back what came before, and nested calls join the outer one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/services/ports.ts';
import {
  countRows, makeGroup, makeLogEvent, makeUser, openTestStore, seedTwoOrgs, T0, type TestStore, type TwoOrgs,
} from './store-fixture.ts';

let t: TestStore;
let o: TwoOrgs;

beforeAll(async () => {
  t = await openTestStore();
  o = await seedTwoOrgs(t.store);
});
afterAll(async () => t?.cleanup());

class Boom extends Error {}

describe('store.transaction', () => {
  it('commits every write and returns the work\'s value', async () => {
    const user = makeUser(o.orgA.id);
    const group = makeGroup(o.orgA.id, `Committed ${user.id}`);
    const result = await t.store.transaction(async (tx) => {
      const scoped = tx.forOrg(o.orgA.id);
      await scoped.users.insert(user);
      await scoped.groups.insert(group);
      await scoped.groups.addMember(group.id, user.id, T0);
      // Reads inside see the transaction's own writes.
      expect((await scoped.users.findById(user.id))?.id).toBe(user.id);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await o.a.users.findById(user.id)).toEqual(user);
    expect((await o.a.groups.listMembers(group.id, 10)).items.map((m) => m.id)).toEqual([user.id]);
  });

  it('leaves no rows behind when the work throws, and rethrows the same error', async () => {
    const user = makeUser(o.orgA.id);
    const boom = new Boom('abort');
    const error = await t.store.transaction(async (tx) => {
      await tx.forOrg(o.orgA.id).users.insert(user);
      throw boom;
    }).then(() => undefined, (e: unknown) => e);
    expect(error).toBe(boom);
    expect(await o.a.users.findById(user.id)).toBeUndefined();
    expect(await o.a.users.findByLogin(user.profile.login)).toBeUndefined();
  });

  it('rolls back writes in several orgs and tables together', async () => {
    const before = {
      users: await countRows(t.db, 'users'), groups: await countRows(t.db, 'groups'),
      members: await countRows(t.db, 'group_members'), logs: await countRows(t.db, 'log_events'), roles: await countRows(t.db, 'user_roles'),
    };
    const userA = makeUser(o.orgA.id);
    const userB = makeUser(o.orgB.id);
    await expect(t.store.transaction(async (tx) => {
      const a = tx.forOrg(o.orgA.id);
      const b = tx.forOrg(o.orgB.id);
      await a.users.insert(userA);
      await b.users.insert(userB);
      await a.users.addRole(userA.id, 'SUPER_ADMIN', T0);
      await b.groups.addMember(o.engineeringB.id, userB.id, T0);
      await a.users.update(o.bobA.id, { status: 'SUSPENDED' });
      await a.logs.append(makeLogEvent(T0));
      throw new Boom('late failure');
    })).rejects.toBeInstanceOf(Boom);
    expect({
      users: await countRows(t.db, 'users'), groups: await countRows(t.db, 'groups'),
      members: await countRows(t.db, 'group_members'), logs: await countRows(t.db, 'log_events'), roles: await countRows(t.db, 'user_roles'),
    }).toEqual(before);
    expect((await o.a.users.findById(o.bobA.id))?.status).toBe('ACTIVE');
  });

  it('maps a unique violation inside to UniqueViolation and rolls back what came before it', async () => {
    const user = makeUser(o.orgA.id);
    const error = await t.store.transaction(async (tx) => {
      const a = tx.forOrg(o.orgA.id);
      await a.users.insert(user);
      await a.users.insert(makeUser(o.orgA.id, { login: 'ALICE@example.com' }));
    }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueViolation);
    expect((error as UniqueViolation).field).toBe('login');
    expect(await o.a.users.findById(user.id)).toBeUndefined();
    // The store still works after the failed transaction.
    expect(await t.store.ping()).toBe(true);
    expect((await o.a.users.findByLogin('alice@example.com'))?.id).toBe(o.aliceA.id);
  });

  it('runs nested transactions as part of the outer one: committed together', async () => {
    const outer = makeUser(o.orgA.id);
    const inner = makeUser(o.orgA.id);
    const value = await t.store.transaction(async (tx) => {
      await tx.forOrg(o.orgA.id).users.insert(outer);
      const nested = await tx.transaction(async (tx2) => {
        await tx2.forOrg(o.orgA.id).users.insert(inner);
        return (await tx2.forOrg(o.orgA.id).users.findById(outer.id))?.id;
      });
      expect(nested).toBe(outer.id);
      return nested;
    });
    expect(value).toBe(outer.id);
    expect(await o.a.users.findById(outer.id)).toEqual(outer);
    expect(await o.a.users.findById(inner.id)).toEqual(inner);
  });

  it('runs nested transactions as part of the outer one: rolled back together', async () => {
    const outer = makeUser(o.orgA.id);
    const inner = makeUser(o.orgA.id);
    await expect(t.store.transaction(async (tx) => {
      await tx.forOrg(o.orgA.id).users.insert(outer);
      await tx.transaction(async (tx2) => {
        await tx2.forOrg(o.orgA.id).users.insert(inner);
      });
      throw new Boom('after the nested one');
    })).rejects.toBeInstanceOf(Boom);
    expect(await o.a.users.findById(outer.id)).toBeUndefined();
    expect(await o.a.users.findById(inner.id)).toBeUndefined();

    await expect(t.store.transaction(async (tx) => {
      await tx.forOrg(o.orgA.id).users.insert(outer);
      await tx.transaction(async (tx2) => {
        await tx2.forOrg(o.orgA.id).users.insert(inner);
        throw new Boom('inside the nested one');
      });
    })).rejects.toBeInstanceOf(Boom);
    expect(await o.a.users.findById(outer.id)).toBeUndefined();
    expect(await o.a.users.findById(inner.id)).toBeUndefined();
  });

  it('keeps org scoping inside a transaction', async () => {
    await t.store.transaction(async (tx) => {
      const b = tx.forOrg(o.orgB.id);
      expect(await b.users.findById(o.aliceA.id)).toBeUndefined();
      await b.users.delete(o.bobA.id);
      await b.users.update(o.aliceA.id, { status: 'SUSPENDED' });
      expect((await b.users.list({ limit: 100, includeDeprovisioned: true })).items.every((u) => u.orgId === o.orgB.id)).toBe(true);
    });
    expect(await o.a.users.findById(o.bobA.id)).toBeDefined();
    expect((await o.a.users.findById(o.aliceA.id))?.status).toBe('ACTIVE');
  });

  it('runs transactions one after another without leaking state', async () => {
    const users = Array.from({ length: 4 }, () => makeUser(o.orgA.id));
    for (const [i, user] of users.entries()) {
      await t.store.transaction(async (tx) => {
        await tx.forOrg(o.orgA.id).users.insert(user);
        if (i % 2 === 1) throw new Boom('odd');
      }).catch((e: unknown) => {
        if (!(e instanceof Boom)) throw e;
      });
    }
    expect(await Promise.all(users.map(async (u) => (await o.a.users.findById(u.id)) !== undefined))).toEqual([true, false, true, false]);
  });
});
