/**
 * Password hashing with argon2id at the cost OWASP recommends (19 MiB of memory, two passes,
 * one lane), and the common-password list used by the password policy.
 */
import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

export interface Argon2Cost {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP Password Storage Cheat Sheet: argon2id, m=19456 KiB, t=2, p=1. */
export const owaspArgon2Cost: Argon2Cost = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /**
   * Spends the time of one verification without a real hash, so a sign-in for an unknown login
   * takes as long as one for a known login.
   */
  verifyNothing(password: string): Promise<void>;
}

export function createPasswordHasher(cost: Argon2Cost = owaspArgon2Cost): PasswordHasher {
  // 2 is Algorithm.Argon2id; the library exports it as a const enum, which erasable TypeScript cannot read.
  const options = { algorithm: 2, ...cost };
  let dummy: Promise<string> | undefined;
  const self: PasswordHasher = {
    hash: (password) => hash(password, options),
    verify: async (passwordHash, password) => {
      try {
        return await verify(passwordHash, password);
      } catch {
        // A malformed stored hash is a failed verification, not a crash.
        return false;
      }
    },
    verifyNothing: async (password) => {
      dummy ??= hash('lanyard-timing-equaliser', options);
      await self.verify(await dummy, password);
    },
  };
  return self;
}

let common: Set<string> | undefined;

/** True for a password on the list of the ~50,000 most common passwords (case-insensitive). */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}
