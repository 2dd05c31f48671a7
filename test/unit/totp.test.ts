/**
 * Lanyard's TOTP against RFC 6238's own test vectors and against an independent implementation
 * from the npm registry (`otpauth`): the same secret gives the same codes, drift of one step is
 * accepted and no more, and a code is never accepted twice.
 */
import { describe, expect, it } from 'vitest';
import * as OTPAuth from 'otpauth';
import { base32Decode, base32Encode, hotp, newTotpSecret, otpauthUri, stepAt, verifyTotp } from '../../src/protocols/otp/totp.ts';

describe('TOTP', () => {
  it('matches RFC 6238\'s SHA-1 test vectors (last six digits)', () => {
    const secret = Buffer.from('12345678901234567890');
    const vectors: [number, string][] = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037']];
    for (const [seconds, code] of vectors) expect(hotp(secret, Math.floor(seconds / 30), 8)).toBe(code);
  });

  it('agrees with otpauth on codes and URIs for a new secret', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Encode(base32Decode(secret))).toBe(secret);
    const independent = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    const now = new Date();
    const code = independent.generate({ timestamp: now.getTime() });
    expect(verifyTotp(secret, code, now, null)).toBe(stepAt(now));
    const parsed = OTPAuth.URI.parse(otpauthUri('Lanyard (acme)', 'ada@example.com', secret)) as OTPAuth.TOTP;
    expect(parsed.secret.base32).toBe(secret);
    expect(parsed.issuer).toBe('Lanyard (acme)');
    expect(parsed.label).toBe('ada@example.com');
  });

  it('accepts one step of drift either way, not two, and never the same code twice', () => {
    const secret = newTotpSecret();
    const independent = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
    const now = new Date('2026-11-23T12:00:15Z');
    const at = (offsetSteps: number) => independent.generate({ timestamp: now.getTime() + offsetSteps * 30_000 });
    expect(verifyTotp(secret, at(-1), now, null)).toBe(stepAt(now) - 1);
    expect(verifyTotp(secret, at(1), now, null)).toBe(stepAt(now) + 1);
    expect(verifyTotp(secret, at(-2), now, null)).toBeUndefined();
    expect(verifyTotp(secret, at(2), now, null)).toBeUndefined();
    const step = verifyTotp(secret, at(0), now, null)!;
    expect(verifyTotp(secret, at(0), now, step)).toBeUndefined();
    expect(verifyTotp(secret, at(-1), now, step)).toBeUndefined();
    expect(verifyTotp(secret, '12345', now, null)).toBeUndefined();
    expect(verifyTotp(secret, 'abcdef', now, null)).toBeUndefined();
  });
});
