/** A consistent copy of the embedded store, taken while it runs (SQLite's VACUUM INTO). */
import { mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export async function backupSqlite(source: string, out: string | undefined, dataDir: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = resolve(out ?? join(dataDir, 'backups', `lanyard-${stamp}.db`));
  if (existsSync(file)) throw new Error(`${file} already exists; choose another --out`);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(source, { readOnly: true });
  try {
    db.prepare('vacuum into ?').run(file);
  } finally {
    db.close();
  }
  return file;
}
