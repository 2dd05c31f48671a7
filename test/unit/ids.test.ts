/** Okta-shaped random ids and time-ordered UUIDv7s. */
import { describe, expect, it } from 'vitest';
import { idPrefix, looksLikeId, newId, randomBase62, uuidV7, type IdKind } from '../../src/kernel/ids.ts';

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

describe('newId', () => {
  it('uses Okta\'s type prefixes, and its own for what Okta has none of', () => {
    expect(idPrefix).toEqual({
      org: '00o', user: '00u', group: '00g', apiToken: '00T', session: '102', app: '0oa', authorizationServer: 'aus', integration: 'int', provisioningTask: 'ptk', provisioningImport: 'imp', totpFactor: 'uft', policy: '00p', policyRule: '0pr', networkZone: 'nzo',
      directory: 'dir', directoryImport: 'dim', directoryAgent: 'agt', directoryJob: 'djb', webauthnFactor: 'fwf', swaLaunch: 'swl',
    });
  });

  it.each(Object.keys(idPrefix) as IdKind[])('%s: 3-character prefix + 17 base-62 characters = 20', (kind) => {
    for (let i = 0; i < 200; i++) {
      const id = newId(kind);
      expect(id).toHaveLength(20);
      expect(id).toMatch(new RegExp(`^${idPrefix[kind]}[0-9A-Za-z]{17}$`));
      expect(looksLikeId(id)).toBe(true);
    }
  });

  it('does not repeat in 100,000 ids, and uses all 62 characters evenly', () => {
    const ids = new Set<string>();
    const counts = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      const id = newId('user');
      ids.add(id);
      for (const c of id.slice(3)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(ids.size).toBe(100_000);
    expect([...counts.keys()].sort()).toEqual([...alphabet].sort());
    // 1.7M characters: about 27,419 each, standard deviation about 164. A modulo bias (the first
    // eight characters 25% likelier) or a missing rejection step would be far outside ±5%.
    const expected = (100_000 * 17) / 62;
    for (const [c, count] of counts) {
      expect(Math.abs(count - expected) / expected, c).toBeLessThan(0.05);
    }
  });
});

describe('randomBase62 and looksLikeId', () => {
  it('returns exactly the length asked for', () => {
    for (const length of [0, 1, 17, 20, 100, 1000]) {
      const text = randomBase62(length);
      expect(text).toHaveLength(length);
      expect(text).toMatch(/^[0-9A-Za-z]*$/);
    }
  });

  it('accepts only 20 ASCII letters and digits', () => {
    expect(looksLikeId('00u1a2B3c4D5e6F7g8H9')).toBe(true);
    for (const junk of ['', '00u1a2B3c4D5e6F7g8H', '00u1a2B3c4D5e6F7g8H9x', '00u1a2B3c4D5e6F7g8H-', '00u1a2B3c4D5e6F7g8Hé', ' 00u1a2B3c4D5e6F7g8H', '00u1a2B3c4D5e6F7g8H9\n']) {
      expect(looksLikeId(junk), JSON.stringify(junk)).toBe(false);
    }
  });
});

describe('uuidV7', () => {
  const format = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const timestamp = (uuid: string) => parseInt(uuid.replaceAll('-', '').slice(0, 12), 16);
  const counter = (uuid: string) => parseInt(uuid.replaceAll('-', '').slice(13, 16), 16);
  // The generator remembers the last millisecond it used (ids never go backwards), so each test
  // takes times later than any used before.
  let clock = Date.now() + 3_600_000;
  const later = (gap = 60_000) => (clock += gap);

  it('has the RFC 9562 layout: version 7, variant 10xx, the millisecond in the first 48 bits', () => {
    const now = later();
    const uuid = uuidV7(now);
    expect(uuid).toMatch(format);
    expect(timestamp(uuid)).toBe(now);
    expect(counter(uuid)).toBe(0);
    const variants = new Set(Array.from({ length: 400 }, () => uuidV7(later(1))[19]));
    expect([...variants].sort()).toEqual(['8', '9', 'a', 'b']);
  });

  it('keeps 10,000 ids made in the same millisecond strictly increasing', () => {
    const now = later();
    const ids = Array.from({ length: 10_000 }, () => uuidV7(now));
    for (const id of ids) expect(id).toMatch(format);
    for (let i = 1; i < ids.length; i++) {
      expect(ids[i]! > ids[i - 1]!, `${ids[i - 1]} < ${ids[i]}`).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
    // The 12-bit counter numbers them; when it runs out the id borrows the next millisecond.
    expect(ids.slice(0, 4096).every((id, i) => timestamp(id) === now && counter(id) === i)).toBe(true);
    expect(timestamp(ids[4096]!)).toBe(now + 1);
    expect(counter(ids[4096]!)).toBe(0);
    expect(timestamp(ids[9999]!)).toBe(now + 2);
  });

  it('orders ids by millisecond, and sorting them as text restores creation order', () => {
    const start = later();
    const ids = Array.from({ length: 2000 }, (_, i) => uuidV7(start + Math.floor(i / 3) * 7));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    const shuffled = ids.filter((_, i) => i % 2 === 1).reverse().concat(ids.filter((_, i) => i % 2 === 0));
    expect(shuffled.sort()).toEqual(ids);
    expect(uuidV7(later(1)) > ids[ids.length - 1]!).toBe(true);
  });

  it('never goes backwards when the clock does', () => {
    const now = later();
    const first = uuidV7(now);
    const afterStepBack = uuidV7(now - 5_000);
    expect(afterStepBack > first).toBe(true);
    expect(timestamp(afterStepBack)).toBe(now);
  });

  it('uses the current time by default (or the last millisecond used, if that is later)', () => {
    const before = Date.now();
    const uuid = uuidV7();
    expect(timestamp(uuid)).toBeGreaterThanOrEqual(before);
    expect(uuid).toMatch(format);
  });
});
