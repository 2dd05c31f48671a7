/**
 * One-time backup codes of a TOTP factor, for when the authenticator app is out of reach: ten
 * codes made when the factor is activated (or on request, voiding the old ones), shown once,
 * each accepted once in place of a passcode. Stored as HMAC-SHA256 under a key derived from the
 * master key, so a copy of the database alone cannot be searched for them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { OrgStore } from './ports.ts';

export const backupCodeCount = 10;

/** Crockford's base32: no I, L, O or U to misread; 32 symbols, so a random byte's low 5 bits pick one without bias. */
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
const codeLength = 10;

/** A code as typed: case, spaces and hyphens do not matter. Undefined for anything that is not a backup code's shape. */
export function normalizeBackupCode(input: string): string | undefined {
  const code = input.toLowerCase().replace(/[\s-]/g, '');
  return code.length === codeLength && [...code].every((c) => alphabet.includes(c)) ? code : undefined;
}

function newCode(): string {
  const code = [...randomBytes(codeLength)].map((b) => alphabet[b & 31]).join('');
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

export function createBackupCodes(masterKey: Buffer) {
  const key = createHmac('sha256', masterKey).update('lanyard-factor-backup-codes').digest();
  const hash = (orgId: string, factorId: string, code: string) =>
    createHmac('sha256', key).update(`${orgId}|${factorId}|${code}`).digest('base64url');

  return {
    /** Makes a fresh set for the factor, voiding any earlier one; returns the codes to show once. */
    async issue(org: OrgStore, factorId: string, now: string): Promise<string[]> {
      const codes = Array.from({ length: backupCodeCount }, newCode);
      await org.factors.replaceBackupCodes(factorId, codes.map((c) => hash(org.orgId, factorId, normalizeBackupCode(c)!)), now);
      return codes;
    },
    /** Uses a code once: how many remain after it, or undefined when it is no unused code of the factor. */
    async use(org: OrgStore, factorId: string, input: string, now: string): Promise<{ remaining: number } | undefined> {
      const code = normalizeBackupCode(input);
      if (!code || !await org.factors.useBackupCode(factorId, hash(org.orgId, factorId, code), now)) return undefined;
      return { remaining: await org.factors.countBackupCodes(factorId) };
    },
  };
}

export type BackupCodes = ReturnType<typeof createBackupCodes>;
