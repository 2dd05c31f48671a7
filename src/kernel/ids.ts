/**
 * Identifiers in Okta's shape: 20 characters, a three-character type prefix followed by random
 * base-62 characters (e.g. `00u1a2B3c4D5e6F7g8H9`). Random, so they reveal neither count nor order.
 */
import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Type prefixes, as Okta uses them where it has one. */
export const idPrefix = {
  org: '00o',
  user: '00u',
  group: '00g',
  apiToken: '00T',
  session: '102',
  app: '0oa',
  authorizationServer: 'aus',
  /** Lanyard's own: an integration of the network. */
  integration: 'int',
  /** Lanyard's own: a provisioning task. */
  provisioningTask: 'ptk',
  /** Lanyard's own: an import of an app's accounts. */
  provisioningImport: 'imp',
  /** A software TOTP factor, as Okta numbers them. */
  totpFactor: 'uft',
  /** An org policy (sign-on, password, app sign-on), as Okta numbers them. */
  policy: '00p',
  /** A rule of an org policy. */
  policyRule: '0pr',
  /** A network zone. */
  networkZone: 'nzo',
  /** Lanyard's own: an LDAP or Active Directory integration. */
  directory: 'dir',
  /** Lanyard's own: one import run of a directory. */
  directoryImport: 'dim',
  /** Lanyard's own: an agent that reads a directory for Lanyard. */
  directoryAgent: 'agt',
  /** Lanyard's own: a job waiting for a directory agent. */
  directoryJob: 'djb',
  /** A WebAuthn factor (security key or passkey), as Okta numbers them. */
  webauthnFactor: 'fwf',
  /** Lanyard's own: a form launch of an SWA app awaiting its "did it work?" answer. */
  swaLaunch: 'swl',
} as const;

export type IdKind = keyof typeof idPrefix;

/** Random base-62 text of the given length, without modulo bias. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 62 * 4: bytes at or above it would bias the first characters.
      if (byte < 248 && out.length < length) out += alphabet[byte % 62];
    }
  }
  return out;
}

export function newId(kind: IdKind): string {
  return idPrefix[kind] + randomBase62(17);
}

/** True for text that could be an id we issued (used to reject junk before touching the store). */
export function looksLikeId(value: string): boolean {
  return /^[0-9A-Za-z]{20}$/.test(value);
}

let lastUuidMs = 0;
let uuidSequence = 0;

/**
 * A UUID version 7 (RFC 9562): time-ordered, with a 12-bit counter that keeps ids made in the
 * same millisecond by this process in creation order. Log events use it as their order and cursor.
 */
export function uuidV7(now: number = Date.now()): string {
  let ms = Math.max(now, lastUuidMs);
  if (ms === lastUuidMs) {
    uuidSequence++;
    if (uuidSequence > 0xfff) {
      ms++;
      uuidSequence = 0;
    }
  } else {
    uuidSequence = 0;
  }
  lastUuidMs = ms;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (uuidSequence >> 8);
  bytes[7] = uuidSequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The smallest UUIDv7 of a millisecond: a cursor that every event at or after it sorts above. */
export function uuidV7Floor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}
