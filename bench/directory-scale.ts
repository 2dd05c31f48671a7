/**
 * Does the directory slow down as it grows? User lookups (by id and by login) and password
 * sign-in latency on the embedded SQLite store with 1,000 users versus 1,000,000 users.
 *
 * Users are bulk-generated straight into the SQLite file (one reused prepared INSERT, 100,000 rows
 * per transaction), shaped exactly as the user repository writes them; hashing a million passwords
 * at OWASP cost would take hours, so every generated user shares one precomputed argon2id hash.
 * Each size has its own data directory: Lanyard is started on it empty (bootstrapping the org and
 * applying the migrations), stopped, filled, and started again; the two servers then run side by
 * side and are measured in alternating rounds.
 *
 * Run alone: `node bench/run.ts directory-scale` (or `node bench/directory-scale.ts`).
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DatabaseSync } from 'node:sqlite';
import { createPasswordHasher, owaspArgon2Cost } from '../src/signin/passwords.ts';
import { keyOf } from '../src/domain/user-profile.ts';
import { newId } from '../src/kernel/ids.ts';
import { defaultUserTypeId } from '../src/services/users.ts';
import {
  adminEmail, apiCall, fetchSignInForm, liftUserGetRateLimit, log, markdownTable, newAdminToken, percentile, postSignIn,
  startServer, tempDir, type BenchRow, type BenchServer,
} from './lib.ts';

export const name = 'directory-scale';

export interface DirectoryScaleOptions {
  /** Generated users in the small and the large directory. */
  readonly small?: number;
  readonly large?: number;
  /** Timed lookups of each kind (by id, by login) per directory size. */
  readonly lookups?: number;
  /** Timed password sign-ins per directory size. */
  readonly signIns?: number;
}

/** The one password every generated user has (its hash is computed once). */
const sharedPassword = 'Amber-Falcon-Orchard-83';

const firstNames = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Dennis',
  'Radia', 'Tim', 'Hedy', 'John', 'Katherine', 'Linus', 'Shafi', 'Niklaus', 'Sophie', 'Leslie', 'Adele', 'Bjarne',
  'Jean', 'Guido', 'Lynn', 'Robin', 'Anita', 'Vint', 'Karen', 'Whitfield', 'Mary', 'Yukihiro'];
const lastNames = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton',
  'Ritchie', 'Perlman', 'Berners-Lee', 'Lamarr', 'McCarthy', 'Johnson', 'Torvalds', 'Goldwasser', 'Wirth', 'Wilson',
  'Lamport', 'Goldberg', 'Stroustrup', 'Sammet', 'van Rossum', 'Conway', 'Milner', 'Borg', 'Cerf', 'Jones', 'Diffie',
  'Shaw', 'Matsumoto'];

/** Columns of `users` in insert order; see src/storage/repositories/users.ts. */
const columns = ['org_id', 'id', 'status', 'transitioning_to_status', 'login', 'login_key', 'email_key', 'first_name_key',
  'last_name_key', 'profile', 'type_id', 'password_hash', 'password_changed', 'recovery_question', 'provider_type',
  'failed_sign_ins', 'created', 'activated', 'status_changed', 'last_login', 'last_updated'] as const;

/**
 * One row per INSERT, one prepared statement reused, 100,000 rows per transaction. Measured on
 * node:sqlite (SQLite 3.53) with the users table's indexes in place, multi-row INSERTs were slower
 * than this: 500-row statements loaded 1M users at ~19k users/s against ~29k for single-row ones,
 * and a micro-benchmark showed the same only once the table has indexes.
 * Numbered placeholders (`?NNN`) are avoided: node:sqlite binds them in time that grows with their count.
 */
const rowsPerTransaction = 100_000;
const insertSql = `insert into users (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`;

/** What the benchmark needs to address a generated user. */
export interface GeneratedUsers {
  readonly ids: string[];
  readonly logins: string[];
}

/**
 * Appends users number `from` to `to - 1` to the SQLite file of a stopped Lanyard. Returns the
 * users per second achieved.
 */
export function generateUsers(dbPath: string, orgId: string, passwordHash: string, from: number, to: number,
  into: GeneratedUsers): number {
  const db = new DatabaseSync(dbPath);
  try {
    // Bulk load only: a crash mid-load loses a benchmark's scratch file, nothing else.
    db.exec('pragma synchronous = off');
    db.exec('pragma cache_size = -1048576'); // 1 GiB of page cache: the indexes stay in memory while loading
    db.exec('pragma temp_store = memory');
    const base = Date.parse('2025-01-01T00:00:00.000Z');
    const insert = db.prepare(insertSql);
    const started = performance.now();
    let lastReport = started;
    for (let txStart = from; txStart < to; txStart += rowsPerTransaction) {
      const txEnd = Math.min(to, txStart + rowsPerTransaction);
      db.exec('begin');
      try {
        for (let i = txStart; i < txEnd; i++) {
          const firstName = firstNames[i % firstNames.length]!;
          const lastName = lastNames[Math.floor(i / firstNames.length) % lastNames.length]!;
          const login = `${firstName}.${lastName.replace(/[^A-Za-z-]/g, '')}.${i}@bench.example`;
          const id = newId('user');
          // The profile as the API stores it for these four attributes (schema order, nulls removed).
          const profile = JSON.stringify({ login, email: login, firstName, lastName });
          // Every timestamp of a freshly created and activated user is its creation time.
          const at = new Date(base + i).toISOString();
          // In `columns` order: the values the repository's insert binds for an active user with a password.
          insert.run(orgId, id, 'ACTIVE', null, login, keyOf(login), keyOf(login), keyOf(firstName), keyOf(lastName), profile,
            defaultUserTypeId, passwordHash, at, null, 'OKTA', 0, at, at, at, null, at);
          into.ids.push(id);
          into.logins.push(login);
        }
        db.exec('commit');
      } catch (error) {
        db.exec('rollback');
        throw error;
      }
      const now = performance.now();
      if (now - lastReport > 5000 || txEnd === to) {
        lastReport = now;
        const done = txEnd - from;
        log(`${name}:   ${done.toLocaleString('en-US')} / ${(to - from).toLocaleString('en-US')} users, `
          + `${Math.round(done / ((now - started) / 1000)).toLocaleString('en-US')} users/s`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    db.exec('pragma wal_checkpoint(truncate)');
    return (to - from) / seconds;
  } finally {
    db.close();
  }
}

/**
 * Checks that a generated row has the shape of one the repository wrote (the bootstrap admin's):
 * the same NULL columns, and a profile with the same attributes in the same order.
 */
function checkShape(dbPath: string, orgId: string, generatedId: string): void {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const byLogin = db.prepare('select * from users where org_id = ? and login_key = ?');
    const admin = byLogin.get(orgId, keyOf(adminEmail)) as Record<string, unknown> | undefined;
    const generated = db.prepare('select * from users where org_id = ? and id = ?').get(orgId, generatedId) as Record<string, unknown> | undefined;
    if (!admin || !generated) throw new Error('shape check: admin or generated user not found');
    for (const column of Object.keys(admin)) {
      if ((admin[column] === null) !== (generated[column] === null)) {
        const state = (value: unknown) => value === null ? 'NULL' : 'set';
        throw new Error(`shape check: column ${column} is ${state(admin[column])} for the API-created admin, `
          + `${state(generated[column])} for a generated user`);
      }
    }
    const keys = (row: Record<string, unknown>) => Object.keys(JSON.parse(String(row.profile))).join(',');
    if (keys(admin) !== keys(generated)) throw new Error(`shape check: profile ${keys(generated)} differs from ${keys(admin)}`);
    for (const column of ['status', 'type_id', 'provider_type', 'failed_sign_ins'] as const) {
      if (admin[column] !== generated[column]) throw new Error(`shape check: ${column} ${String(generated[column])} != ${String(admin[column])}`);
    }
  } finally {
    db.close();
  }
}

interface Latencies {
  readonly byId: number[];
  readonly byLogin: number[];
  readonly signIn: number[];
}

function pick<T>(items: readonly T[], limit: number): T {
  return items[Math.floor(Math.random() * limit)]!;
}

async function lookup(server: BenchServer, key: string, expectedId: string): Promise<void> {
  const user = await apiCall(server, 'GET', `/api/v1/users/${encodeURIComponent(key)}`);
  if (user?.id !== expectedId) throw new Error(`GET /api/v1/users/${key} answered user ${String(user?.id)}, expected ${expectedId}`);
}

interface Directory {
  readonly size: number;
  readonly dir: ReturnType<typeof tempDir>;
  readonly token: string;
  readonly users: GeneratedUsers;
  readonly latencies: Latencies;
  orgId: string;
  dbPath: string;
  usersPerSecond: number;
  server: BenchServer | undefined;
}

const timed = async (samples: number[] | undefined, task: () => Promise<void>) => {
  const t = performance.now();
  await task();
  samples?.push(performance.now() - t);
};

/**
 * One client, sequential: `lookups` lookups by id, as many by login, and `signIns` sign-ins of
 * random generated users. Samples go to `into` (nothing is kept for a warm-up).
 */
async function exercise(d: Directory, lookups: number, signIns: number, into: Latencies | undefined): Promise<void> {
  const server = d.server!;
  const random = () => Math.floor(Math.random() * d.size);
  for (let i = 0; i < lookups; i++) {
    const n = random();
    await timed(into?.byId, () => lookup(server, d.users.ids[n]!, d.users.ids[n]!));
  }
  for (let i = 0; i < lookups; i++) {
    const n = random();
    await timed(into?.byLogin, () => lookup(server, d.users.logins[n]!, d.users.ids[n]!));
  }
  for (let i = 0; i < signIns; i++) {
    // The form (CSRF cookie and field) is fetched untimed; the POST /login is the sign-in measured.
    const csrf = await fetchSignInForm(server.url);
    const login = pick(d.users.logins, d.size);
    await timed(into?.signIn, () => postSignIn(server.url, csrf, login, sharedPassword));
  }
}

function describe(l: Latencies): string {
  const f = (v: number[]) => `p50 ${percentile(v, 50).toFixed(2)} / p95 ${percentile(v, 95).toFixed(2)} / p99 ${percentile(v, 99).toFixed(2)} ms`;
  return `by id ${f(l.byId)}; by login ${f(l.byLogin)}; sign-in ${f(l.signIn)}`;
}

const count = (n: number) => n.toLocaleString('en-US');

export async function run(options: DirectoryScaleOptions = {}): Promise<BenchRow[]> {
  const lookups = options.lookups ?? 2_000;
  const signIns = options.signIns ?? 200;
  const rounds = 10;
  const directories: Directory[] = [options.small ?? 1_000, options.large ?? 1_000_000].map((size) => ({
    size, dir: tempDir(`lanyard-bench-scale-${size}-`), token: newAdminToken(), users: { ids: [], logins: [] },
    latencies: { byId: [], byLogin: [], signIn: [] }, orgId: '', dbPath: '', usersPerSecond: 0, server: undefined,
  }));
  const [small, large] = directories as [Directory, Directory];
  try {
    log(`${name}: hashing the shared password once (argon2id, OWASP cost)`);
    const passwordHash = await createPasswordHasher(owaspArgon2Cost).hash(sharedPassword);

    for (const d of directories) {
      // First start: bootstraps the org, its admin and token, and applies the migrations.
      log(`${name}: bootstrapping Lanyard on ${d.dir.path}`);
      const server = await startServer(d.dir.path, d.token);
      try {
        if (!server.lanyard.sqlitePath) throw new Error('directory-scale needs the embedded SQLite store');
        d.dbPath = server.lanyard.sqlitePath;
        await liftUserGetRateLimit(server);
        d.orgId = (await apiCall(server, 'GET', '/api/v1/org')).id;
      } finally {
        await server.close();
      }
      log(`${name}: generating ${count(d.size)} users`);
      d.usersPerSecond = generateUsers(d.dbPath, d.orgId, passwordHash, 0, d.size, d.users);
      checkShape(d.dbPath, d.orgId, d.users.ids[0]!);
      log(`${name}: ${count(d.size)} users, database ${(statSync(d.dbPath).size / 2 ** 20).toFixed(0)} MiB; starting Lanyard on it`);
      d.server = await startServer(d.dir.path, d.token);
      const stored = await d.server.lanyard.store.forOrg(d.orgId).users.count();
      if (stored !== d.size + 1) throw new Error(`expected ${d.size + 1} users (generated + admin), found ${stored}`);
    }

    // Both servers run side by side; rounds alternate between them (and which goes first), so JIT
    // warm-up, drift and noise from the rest of the machine fall on both sizes alike.
    log(`${name}: warming up both`);
    for (const d of directories) await exercise(d, Math.ceil(lookups / 4), Math.ceil(signIns / 20), undefined);
    log(`${name}: measuring ${lookups} lookups by id, ${lookups} by login and ${signIns} sign-ins per size, in ${rounds} alternating rounds`);
    for (let round = 0; round < rounds; round++) {
      for (const d of round % 2 === 0 ? [small, large] : [large, small]) {
        await exercise(d, Math.round(lookups / rounds), Math.round(signIns / rounds), d.latencies);
      }
    }
    for (const d of directories) log(`${name}: ${count(d.size)} users: ${describe(d.latencies)}`);

    const smallLabel = `${count(small.size)} users`;
    const largeLabel = `${count(large.size)} users`;
    const dbMiB = statSync(large.dbPath).size / 2 ** 20;
    const rows: BenchRow[] = [];
    const kinds = [
      ['byId', 'GET /api/v1/users/{id}'],
      ['byLogin', 'GET /api/v1/users/{login}'],
      ['signIn', 'POST /login sign-in'],
    ] as const;
    for (const [key, what] of kinds) {
      for (const p of [50, 95, 99]) {
        rows.push({
          benchmark: name,
          figure: `${what} p${p} latency, ${largeLabel} vs ${smallLabel}`,
          value: percentile(large.latencies[key], p), unit: 'ms',
          baseline: percentile(small.latencies[key], p), baselineLabel: smallLabel,
          ...(key === 'byId' && p === 50 ? {
            note: `Embedded SQLite store (the default). Two data directories, ${smallLabel} and ${largeLabel} (+ the bootstrap admin `
              + `each), served side by side by two Lanyard instances in this process and measured in ${rounds} alternating rounds: `
              + `${count(lookups)} lookups of each kind of random existing users and ${signIns} sign-ins (POST /login timed; the form `
              + `GET before it is not) per size, one client, sequential, after a warm-up. The API rate limit of the user GET bucket `
              + `was raised for the run. The ${largeLabel} file is ${dbMiB.toFixed(0)} MiB.`,
          } : {}),
          ...(key === 'signIn' && p === 50 ? {
            note: 'Every generated user shares one precomputed argon2id hash at OWASP cost (hashing a million passwords is not feasible), '
              + 'so each sign-in still runs one full verification. Generated users have no Everyone-group membership, '
              + 'password-history or system-log rows (not needed for lookups or sign-in).',
          } : {}),
        });
      }
    }
    rows.push({
      benchmark: name,
      figure: `bulk generation rate, ${largeLabel} into SQLite`,
      value: large.usersPerSecond, unit: 'users/s',
      note: `Straight into the SQLite file of the stopped server: one reused prepared single-row INSERT (faster here than multi-row `
        + `INSERTs, see generateUsers), ${count(rowsPerTransaction)} rows per transaction, synchronous=off and a 1 GiB `
        + `page cache during the load, all of the table's indexes in place; ${count(large.size)} users took `
        + `${(large.size / large.usersPerSecond).toFixed(0)} s.`,
    });
    return rows;
  } finally {
    for (const d of directories) {
      await d.server?.close();
      d.dir.remove();
    }
  }
}

if (import.meta.main) {
  const rows = await run();
  process.stdout.write(`${markdownTable(rows)}\n`);
}
