/**
 * The master key (key-encryption key): from LANYARD_MASTER_KEY, or generated once into the data
 * directory with owner-only permissions. Several nodes must share one: set LANYARD_MASTER_KEY.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMasterKey } from '../config/schema.ts';

export interface MasterKey {
  readonly key: Buffer;
  /** True when this start generated it. */
  readonly generated: boolean;
  readonly path: string | undefined;
}

export function loadMasterKey(configured: Buffer | undefined, dataDir: string): MasterKey {
  if (configured) return { key: configured, generated: false, path: undefined };
  const path = join(dataDir, 'master.key');
  if (existsSync(path)) {
    const key = decodeMasterKey(readFileSync(path, 'utf8').trim());
    if (!key) throw new Error(`${path} does not hold a 32-byte key in hex; restore it from backup or remove it only if nothing was encrypted yet`);
    return { key, generated: false, path };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return { key, generated: true, path };
}
