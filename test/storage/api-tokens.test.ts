/**
 * API tokens on both dialects: insert, lookups by hash and id, list, idle-expiry touch, delete,
 * unique hashes — and that org B can neither find, list, touch nor revoke org A's tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/services/ports.ts';
import { at, countRows, makeApiToken, makeUser, openTestStore, seedTwoOrgs, type TestStore, type TwoOrgs } from './store-fixture.ts';

let t: TestStore;
let o: TwoOrgs;

beforeAll(async () => {
  t = await openTestStore();
  o = await seedTwoOrgs(t.store);
});
afterAll(async () => t?.cleanup());

describe('apiTokens', () => {
  it('round-trips a token and finds it by hash and by id', async () => {
    const token = makeApiToken(o.orgA.id, o.aliceA.id, { name: 'ci', clientName: 'Jenkins' });
    await o.a.apiTokens.insert(token);
    expect(await o.a.apiTokens.findByHash(token.tokenHash)).toEqual(token);
    expect(await o.a.apiTokens.findById(token.id)).toEqual(token);
    expect(await o.a.apiTokens.findByHash('unknown')).toBeUndefined();
    expect(await o.a.apiTokens.findById('00Tunknown0000000000')).toBeUndefined();
  });

  it('lists an org\'s tokens by creation time', async () => {
    const user = makeUser(o.orgA.id);
    await o.a.users.insert(user);
    const late = makeApiToken(o.orgA.id, user.id, { created: at(20) });
    const early = makeApiToken(o.orgA.id, user.id, { created: at(-20) });
    await o.a.apiTokens.insert(late);
    await o.a.apiTokens.insert(early);
    const listed = await o.a.apiTokens.list();
    expect(listed.every((k) => k.orgId === o.orgA.id)).toBe(true);
    expect(listed[0]).toEqual(early);
    expect(listed[listed.length - 1]).toEqual(late);
  });

  it('touch slides lastUpdated and expiresAt only', async () => {
    const token = makeApiToken(o.orgA.id, o.bobA.id);
    await o.a.apiTokens.insert(token);
    await o.a.apiTokens.touch(token.id, at(60), at(60 + 30 * 24 * 60));
    expect(await o.a.apiTokens.findById(token.id)).toEqual({ ...token, lastUpdated: at(60), expiresAt: at(60 + 30 * 24 * 60) });
  });

  it('delete reports whether a token was removed', async () => {
    const token = makeApiToken(o.orgA.id, o.bobA.id);
    await o.a.apiTokens.insert(token);
    expect(await o.a.apiTokens.delete(token.id)).toBe(true);
    expect(await o.a.apiTokens.delete(token.id)).toBe(false);
    expect(await o.a.apiTokens.findByHash(token.tokenHash)).toBeUndefined();
  });

  it('rejects a duplicate hash in one org as UniqueViolation on token, but allows it in another org', async () => {
    const token = makeApiToken(o.orgA.id, o.aliceA.id);
    await o.a.apiTokens.insert(token);
    const error = await o.a.apiTokens.insert(makeApiToken(o.orgA.id, o.aliceA.id, { tokenHash: token.tokenHash })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueViolation);
    expect((error as UniqueViolation).field).toBe('token');
    const inB = makeApiToken(o.orgB.id, o.aliceB.id, { tokenHash: token.tokenHash });
    await o.b.apiTokens.insert(inB);
    expect((await o.a.apiTokens.findByHash(token.tokenHash))?.id).toBe(token.id);
    expect((await o.b.apiTokens.findByHash(token.tokenHash))?.id).toBe(inB.id);
  });

  it('rejects a duplicate id in one org as UniqueViolation on id', async () => {
    const token = makeApiToken(o.orgA.id, o.aliceA.id);
    await o.a.apiTokens.insert(token);
    const error = await o.a.apiTokens.insert({ ...token, tokenHash: `${token.tokenHash}-2` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueViolation);
    expect((error as UniqueViolation).field).toBe('id');
  });
});

describe('apiTokens across orgs', () => {
  it('org B finds org A\'s token neither by hash nor by id, nor in its list', async () => {
    const token = makeApiToken(o.orgA.id, o.aliceA.id);
    await o.a.apiTokens.insert(token);
    expect(await o.b.apiTokens.findByHash(token.tokenHash)).toBeUndefined();
    expect(await o.b.apiTokens.findById(token.id)).toBeUndefined();
    const listed = await o.b.apiTokens.list();
    expect(listed.map((k) => k.id)).not.toContain(token.id);
    expect(listed.every((k) => k.orgId === o.orgB.id)).toBe(true);
  });

  it('org B can neither touch nor revoke org A\'s token', async () => {
    const token = makeApiToken(o.orgA.id, o.aliceA.id);
    await o.a.apiTokens.insert(token);
    await o.b.apiTokens.touch(token.id, at(999), at(99_999));
    expect(await o.b.apiTokens.delete(token.id)).toBe(false);
    expect(await o.a.apiTokens.findById(token.id)).toEqual(token);
  });

  it('org B cannot create a token owned by org A\'s user', async () => {
    const before = await countRows(t.db, 'api_tokens');
    await expect(o.b.apiTokens.insert(makeApiToken(o.orgB.id, o.bobA.id))).rejects.toThrow();
    expect(await countRows(t.db, 'api_tokens')).toBe(before);
  });

  it('keeps tokens that share an id apart', async () => {
    const inA = makeApiToken(o.orgA.id, o.aliceA.id);
    const inB = makeApiToken(o.orgB.id, o.aliceB.id, { id: inA.id, tokenHash: `${inA.tokenHash}-b` });
    await o.a.apiTokens.insert(inA);
    await o.b.apiTokens.insert(inB);
    await o.b.apiTokens.touch(inA.id, at(5), at(10));
    expect(await o.b.apiTokens.delete(inA.id)).toBe(true);
    expect(await o.b.apiTokens.findById(inA.id)).toBeUndefined();
    expect(await o.a.apiTokens.findById(inA.id)).toEqual(inA);
  });
});
