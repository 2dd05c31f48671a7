/** Small cryptographic helpers shared by every part: constant-time comparison and token hashing. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Compares two secrets in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  // Hashing first gives equal lengths, so the comparison leaks neither content nor length.
  return timingSafeEqual(left, right) && a.length === b.length;
}

/**
 * Hash for high-entropy secrets (API tokens, session ids): SHA-256 is enough because the input
 * is 160+ random bits, so there is nothing to brute-force. Passwords use argon2id instead.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A random secret as URL-safe text. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
