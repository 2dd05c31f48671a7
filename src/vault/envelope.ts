/**
 * Envelope encryption. Each org has data keys (AES-256) wrapped by the master key; secrets are
 * sealed with the org's active data key under AES-256-GCM, with the org and the secret's purpose
 * bound as associated data, so a ciphertext copied to another org, record or purpose fails to open.
 *
 * Sealed text: `v1.{dataKeyId}.{iv}.{ciphertext}.{tag}` (base64url parts).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { randomBase62 } from '../kernel/ids.ts';

export interface DataKeyRecord {
  readonly id: string;
  readonly orgId: string;
  readonly wrappedKey: string;
  readonly status: 'ACTIVE' | 'RETIRED';
  readonly created: string;
}

/** The storage the vault needs: the data keys of an org. */
export interface DataKeyStore {
  active(orgId: string): Promise<DataKeyRecord | undefined>;
  find(orgId: string, id: string): Promise<DataKeyRecord | undefined>;
  insert(key: DataKeyRecord): Promise<void>;
}

/** Every data key of every org, for re-wrapping them under a new master key. */
export interface DataKeyRewrapStore {
  all(): Promise<DataKeyRecord[]>;
  setWrapped(orgId: string, id: string, wrappedKey: string): Promise<void>;
}

/** A sealed value failed to open: wrong org, record or purpose, or it was tampered with. */
export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

function gcmSeal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.');
}

function gcmOpen(key: Buffer, sealed: string, aad: string): Buffer {
  const [iv, ciphertext, tag] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !ciphertext || !tag || iv.length !== 12 || tag.length !== 16) throw new SealError('malformed sealed value');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new SealError('sealed value does not open with this key and context');
  }
}

const wrapContext = (orgId: string, id: string) => `lanyard-data-key|${orgId}|${id}`;

/**
 * A data key wrapped by `oldMaster`, wrapped again by `newMaster` (same key, org and id, so every
 * value sealed with it still opens). Throws {@link SealError} when `oldMaster` does not open it.
 */
export function rewrapDataKey(record: DataKeyRecord, oldMaster: Buffer, newMaster: Buffer): string {
  if (oldMaster.length !== 32 || newMaster.length !== 32) throw new Error('master keys must be 32 bytes');
  const key = gcmOpen(oldMaster, record.wrappedKey, wrapContext(record.orgId, record.id));
  const wrapped = gcmSeal(newMaster, key, wrapContext(record.orgId, record.id));
  // Proves the new wrapping before anything is written.
  if (!gcmOpen(newMaster, wrapped, wrapContext(record.orgId, record.id)).equals(key)) throw new SealError('re-wrapped key does not open');
  return wrapped;
}

export interface Vault {
  /** Seals `plaintext` for `orgId`; `context` names what it is (e.g. `client-secret:0oa…`). */
  seal(orgId: string, plaintext: string | Buffer, context: string): Promise<string>;
  /** Opens a sealed value; throws {@link SealError} if the org or context differ or it was altered. */
  open(orgId: string, sealed: string, context: string): Promise<Buffer>;
  openText(orgId: string, sealed: string, context: string): Promise<string>;
}

export function createVault(masterKey: Buffer, keys: DataKeyStore, now: () => Date = () => new Date()): Vault {
  if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
  // Unwrapped data keys, by org and id: each entry belongs to exactly one org.
  const unwrapped = new Map<string, Buffer>();

  async function unwrap(record: DataKeyRecord): Promise<Buffer> {
    const cacheKey = `${record.orgId}|${record.id}`;
    let key = unwrapped.get(cacheKey);
    if (!key) {
      key = gcmOpen(masterKey, record.wrappedKey, wrapContext(record.orgId, record.id));
      if (unwrapped.size > 10_000) unwrapped.clear();
      unwrapped.set(cacheKey, key);
    }
    return key;
  }

  async function activeKey(orgId: string): Promise<{ id: string; key: Buffer }> {
    let record = await keys.active(orgId);
    if (!record) {
      const id = randomBase62(12);
      const key = randomBytes(32);
      record = { id, orgId, wrappedKey: gcmSeal(masterKey, key, wrapContext(orgId, id)), status: 'ACTIVE', created: now().toISOString() };
      try {
        await keys.insert(record);
      } catch {
        // Another request created the org's first data key at the same moment: use that one.
        record = await keys.active(orgId);
        if (!record) throw new Error('could not create a data key');
      }
    }
    return { id: record.id, key: await unwrap(record) };
  }

  const aadOf = (orgId: string, context: string) => `lanyard|${orgId}|${context}`;

  const vault: Vault = {
    seal: async (orgId, plaintext, context) => {
      const { id, key } = await activeKey(orgId);
      const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      return `v1.${id}.${gcmSeal(key, bytes, aadOf(orgId, context))}`;
    },
    open: async (orgId, sealed, context) => {
      const match = /^v1\.([A-Za-z0-9]+)\.(.+)$/.exec(sealed);
      if (!match) throw new SealError('unknown sealed format');
      // A cached key was found in this org's store before (the cache is keyed by org).
      const key = unwrapped.get(`${orgId}|${match[1]!}`) ?? await (async () => {
        const record = await keys.find(orgId, match[1]!);
        if (!record) throw new SealError('the data key of this value is not in this org');
        return unwrap(record);
      })();
      return gcmOpen(key, match[2]!, aadOf(orgId, context));
    },
    openText: async (orgId, sealed, context) => (await vault.open(orgId, sealed, context)).toString('utf8'),
  };
  return vault;
}
