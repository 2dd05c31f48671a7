/**
 * Factors on both dialects, as the 2026-11-25 migration left them: one TOTP factor per type and
 * provider but any number of WebAuthn ones, each credential id once per org; the signature
 * counter and backup codes moved only by compare-and-set, once; backup codes leave with their
 * factor; and org B can neither see nor use nor move org A's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FactorRecord, WebAuthnCredentialRecord } from '../../src/services/ports.ts';
import { at, countRows, nextId, openTestStore, seedTwoOrgs, T0, uniqueError, type TestStore, type TwoOrgs } from './store-fixture.ts';

let t: TestStore;
let o: TwoOrgs;

beforeAll(async () => {
  t = await openTestStore();
  o = await seedTwoOrgs(t.store);
});
afterAll(async () => t?.cleanup());

function factor(userId: string, factorType: string, provider: string): FactorRecord {
  return { id: nextId('fwf'), userId, factorType, provider, status: 'PENDING_ACTIVATION', secret: '', lastStep: null, created: T0, lastUpdated: T0 };
}

const credential = (credentialId: string, signCount = 0): WebAuthnCredentialRecord => ({
  credentialId, publicKey: 'pQECAyYgASFYIA', signCount, transports: ['usb'], aaguid: '01020304-0506-0708-0102-030405060708', authenticatorName: 'Key',
});

describe('factors: WebAuthn credentials', () => {
  it('holds several WebAuthn factors per user, but one TOTP factor per provider', async () => {
    await o.a.factors.insert(factor(o.aliceA.id, 'webauthn', 'FIDO'));
    await o.a.factors.insert(factor(o.aliceA.id, 'webauthn', 'FIDO'));
    await o.a.factors.insert(factor(o.aliceA.id, 'token:software:totp', 'GOOGLE'));
    await uniqueError(o.a.factors.insert(factor(o.aliceA.id, 'token:software:totp', 'GOOGLE')));
    expect((await o.a.factors.listForUser(o.aliceA.id)).map((f) => f.factorType).sort()).toEqual(['token:software:totp', 'webauthn', 'webauthn']);
  });

  it('stores a credential once per org, and activates the factor with it', async () => {
    const [first, second] = (await o.a.factors.listForUser(o.aliceA.id)).filter((f) => f.factorType === 'webauthn');
    await o.a.factors.saveCredential(first!.id, credential('cred-1', 4), at(1));
    const stored = await o.a.factors.find(o.aliceA.id, first!.id);
    expect(stored).toMatchObject({ status: 'ACTIVE', lastUpdated: at(1), credential: credential('cred-1', 4) });
    await uniqueError(o.a.factors.saveCredential(second!.id, credential('cred-1'), at(2)));
    // Org B is another relying party: the same credential id is its own business.
    const inB = factor(o.aliceB.id, 'webauthn', 'FIDO');
    await o.b.factors.insert(inB);
    await o.b.factors.saveCredential(inB.id, credential('cred-1', 9), at(2));
    expect((await o.b.factors.find(o.aliceB.id, inB.id))!.credential!.signCount).toBe(9);
    expect((await o.a.factors.find(o.aliceA.id, first!.id))!.credential!.signCount).toBe(4);
  });

  it('moves the counter only from the value read, once, and only in its own org', async () => {
    const [first] = (await o.a.factors.listForUser(o.aliceA.id)).filter((f) => f.credential);
    expect(await o.b.factors.useSignCount(first!.id, 4, 5, at(3))).toBe(false);
    const results = await Promise.all(Array.from({ length: 4 }, () => o.a.factors.useSignCount(first!.id, 4, 5, at(3))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await o.a.factors.useSignCount(first!.id, 4, 6, at(4))).toBe(false);
    expect((await o.a.factors.find(o.aliceA.id, first!.id))!.credential!.signCount).toBe(5);
  });
});

describe('factors: backup codes', () => {
  it('uses each code once, replaces the set, and keeps org B out', async () => {
    const totp = (await o.a.factors.listForUser(o.aliceA.id)).find((f) => f.factorType === 'token:software:totp')!;
    await o.a.factors.replaceBackupCodes(totp.id, ['h1', 'h2', 'h3'], T0);
    expect(await o.a.factors.countBackupCodes(totp.id)).toBe(3);
    expect(await o.b.factors.countBackupCodes(totp.id)).toBe(0);
    expect(await o.b.factors.useBackupCode(totp.id, 'h1', at(1))).toBe(false);
    const results = await Promise.all(Array.from({ length: 4 }, () => o.a.factors.useBackupCode(totp.id, 'h1', at(1))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await o.a.factors.countBackupCodes(totp.id)).toBe(2);
    await o.a.factors.replaceBackupCodes(totp.id, ['h4', 'h5'], at(2));
    expect(await o.a.factors.useBackupCode(totp.id, 'h2', at(3))).toBe(false);
    expect(await o.a.factors.useBackupCode(totp.id, 'h4', at(3))).toBe(true);
    expect(await o.a.factors.countBackupCodes(totp.id)).toBe(1);
  });

  it('removes the codes with their factor', async () => {
    const totp = (await o.a.factors.listForUser(o.aliceA.id)).find((f) => f.factorType === 'token:software:totp')!;
    expect(await countRows(t.db, 'user_factor_backup_codes', o.orgA.id)).toBe(2);
    expect(await o.b.factors.delete(o.aliceA.id, totp.id)).toBe(false);
    expect(await o.a.factors.delete(o.aliceA.id, totp.id)).toBe(true);
    expect(await countRows(t.db, 'user_factor_backup_codes', o.orgA.id)).toBe(0);
  });
});
