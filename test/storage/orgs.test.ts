/**
 * The org repository: the one table that is not org-owned. Lookups by id, name, domain and the
 * default flag; unique names and domains; settings updates touch only the org they name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/services/ports.ts';
import { defaultOrgSettings } from '../../src/domain/org.ts';
import { at, makeOrg, openTestStore, T0, type TestStore } from './store-fixture.ts';

let t: TestStore;

beforeAll(async () => {
  t = await openTestStore();
});
afterAll(async () => t?.cleanup());

describe('orgs', () => {
  it('inserts an org and finds it by id, name and custom domain with every field intact', async () => {
    const settings = { ...defaultOrgSettings(), rateLimits: { 'api.users.get': 50 } };
    const org = makeOrg('initech', { customDomain: 'login.initech.test', settings });
    await t.store.orgs.insert(org);
    expect(await t.store.orgs.findById(org.id)).toEqual(org);
    expect(await t.store.orgs.findByName('initech')).toEqual(org);
    expect(await t.store.orgs.findByDomain('login.initech.test')).toEqual(org);
  });

  it('misses unknown ids, names and domains', async () => {
    expect(await t.store.orgs.findById('00o_missing_00000000')).toBeUndefined();
    expect(await t.store.orgs.findByName('nobody')).toBeUndefined();
    expect(await t.store.orgs.findByDomain('nowhere.test')).toBeUndefined();
  });

  it('finds the default org and lists orgs in creation order', async () => {
    const before = await t.store.orgs.list();
    const main = makeOrg('main', { isDefault: true, created: at(-60) });
    const late = makeOrg('late', { created: at(60) });
    await t.store.orgs.insert(late);
    await t.store.orgs.insert(main);
    expect((await t.store.orgs.findDefault())?.id).toBe(main.id);
    const listed = await t.store.orgs.list();
    expect(listed).toHaveLength(before.length + 2);
    expect(listed[0]!.id).toBe(main.id);
    expect(listed[listed.length - 1]!.id).toBe(late.id);
    const created = listed.map((o) => o.created);
    expect(created).toEqual([...created].sort());
  });

  it('rejects a duplicate name or custom domain with UniqueViolation, but allows many orgs without a domain', async () => {
    await t.store.orgs.insert(makeOrg('dup', { customDomain: 'dup.test' }));
    const byName = await t.store.orgs.insert(makeOrg('dup')).catch((e: unknown) => e);
    expect(byName).toBeInstanceOf(UniqueViolation);
    expect((byName as UniqueViolation).field).toBe('name');
    const byDomain = await t.store.orgs.insert(makeOrg('dup2', { customDomain: 'dup.test' })).catch((e: unknown) => e);
    expect(byDomain).toBeInstanceOf(UniqueViolation);
    expect((byDomain as UniqueViolation).field).toBe('customDomain');
    await t.store.orgs.insert(makeOrg('nodomain1'));
    await t.store.orgs.insert(makeOrg('nodomain2'));
    expect(await t.store.orgs.findByName('nodomain2')).toBeDefined();
  });

  it('rejects a duplicate id with UniqueViolation on id', async () => {
    const org = makeOrg('twin1');
    await t.store.orgs.insert(org);
    const error = await t.store.orgs.insert({ ...org, name: 'twin2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueViolation);
    expect((error as UniqueViolation).field).toBe('id');
    expect(await t.store.orgs.findByName('twin2')).toBeUndefined();
  });

  it('updates the settings of one org only', async () => {
    const one = makeOrg('settings-one');
    const two = makeOrg('settings-two');
    await t.store.orgs.insert(one);
    await t.store.orgs.insert(two);
    const changed = { ...defaultOrgSettings(), lockout: { maxAttempts: 3, autoUnlockMinutes: 15, showLockoutFailures: false } };
    await t.store.orgs.updateSettings(one.id, changed, at(5));
    const after = await t.store.orgs.findById(one.id);
    expect(after?.settings.lockout).toEqual({ maxAttempts: 3, autoUnlockMinutes: 15, showLockoutFailures: false });
    expect(after?.lastUpdated).toBe(at(5));
    expect(after?.created).toBe(T0);
    expect(await t.store.orgs.findById(two.id)).toEqual(two);
  });

  it('answers ping while open', async () => {
    expect(await t.store.ping()).toBe(true);
  });
});

describe('a closed store', () => {
  it('answers ping with false instead of throwing', async () => {
    const closed = await openTestStore();
    await closed.store.close();
    expect(await closed.store.ping()).toBe(false);
    await closed.cleanup();
  });
});
