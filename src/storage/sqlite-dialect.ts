/**
 * Kysely over Node's built-in `node:sqlite` (no native build). Kysely's SQLite driver expects the
 * better-sqlite3 interface; this adapter provides it over `DatabaseSync`, with a bounded cache of
 * prepared statements so hot queries are compiled once.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';

type SqlValue = null | number | bigint | string | NodeJS.ArrayBufferView;

const statementCacheSize = 256;

class StatementAdapter implements SqliteStatement {
  readonly reader: boolean;
  readonly #statement: StatementSync;

  constructor(statement: StatementSync) {
    this.#statement = statement;
    this.reader = statement.columns().length > 0;
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#statement.all(...(parameters as SqlValue[]));
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.#statement.run(...(parameters as SqlValue[]));
  }

  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#statement.iterate(...(parameters as SqlValue[])) as IterableIterator<unknown>;
  }
}

class DatabaseAdapter implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, StatementAdapter>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.#cache.get(sql);
    if (cached) {
      // Re-insert to keep the map in least-recently-used order.
      this.#cache.delete(sql);
      this.#cache.set(sql, cached);
      return cached;
    }
    const statement = new StatementAdapter(this.#db.prepare(sql));
    // Transaction control and DDL change per call site; caching them buys nothing.
    if (/^\s*(select|insert|update|delete|with)\b/i.test(sql)) {
      this.#cache.set(sql, statement);
      if (this.#cache.size > statementCacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    }
    return statement;
  }

  close(): void {
    this.#cache.clear();
    this.#db.close();
  }
}

/** Opens (creating if needed) the database file and applies the pragmas Lanyard relies on. */
export function openSqlite(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec('pragma journal_mode = wal');
  db.exec('pragma synchronous = normal');
  db.exec('pragma foreign_keys = on');
  db.exec('pragma busy_timeout = 5000');
  // SQLite's built-in lower() folds ASCII only; filters compare JSON attributes case-insensitively
  // with it, so fold like JavaScript (and PostgreSQL) do.
  db.function('lower', { deterministic: true }, (value) => value === null ? null : String(value).toLowerCase());
  return db;
}

export function createSqliteDialect(db: DatabaseSync): SqliteDialect {
  return new SqliteDialect({ database: new DatabaseAdapter(db) });
}
