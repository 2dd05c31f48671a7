/**
 * The `lanyard` command line as an operator runs it: `node src/main.ts …` in a child process with
 * only the environment given here. Configuration errors, migrate, serve (first-start banner,
 * signals), org/user/token creation and backups of the embedded store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../helpers/ports.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const nodeBin = join(root, 'node_modules', '.bin', 'node');
const children = new Set<ChildProcess>();
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'lanyard-cli-'));
});
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

let dirs = 0;
/** A data directory that does not exist yet. */
function newDataDir(): string {
  return join(scratch, `data-${++dirs}`);
}

/** Only what is given: nothing from the test runner's environment reaches the CLI but PATH. */
function cliEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, ...env };
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Lines written for people (stderr), without the trailing empty one. */
  readonly lines: string[];
}

function run(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBin, ['src/main.ts', ...args], { cwd: root, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lanyard ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr, lines: stderr.split('\n').filter((l) => l !== '') });
    });
  });
}

interface Served {
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  stderr(): string;
  stdout(): string;
  /** Sends `signal` and resolves with the exit code and signal. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function serve(dataDir: string, env: Record<string, string> = {}): Promise<Served> {
  const port = await freePort();
  const child = spawn(nodeBin, ['src/main.ts', 'serve'], {
    cwd: root, env: cliEnv({ LANYARD_DATA_DIR: dataDir, PORT: String(port), ...env }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => { children.delete(child); resolve({ code, signal }); });
  });
  const url = `http://localhost:${port}`;
  try {
    await waitFor(async () => {
      // An early exit ends the wait at once rather than at the timeout.
      if (child.exitCode !== null) return true;
      return stderr.includes(' is listening on ') && (await fetch(`${url}/health/live`)).status === 200;
    }, 30_000, 'lanyard serve to answer /health/live');
    if (child.exitCode !== null) throw new Error(`lanyard serve exited with ${child.exitCode}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\nstderr: ${stderr}\nstdout: ${stdout.slice(-2000)}`);
  }
  return {
    port, url, child,
    stderr: () => stderr,
    stdout: () => stdout,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}

/** Signs in through the sign-in page as a browser would; true when the password was accepted. */
async function signIn(url: string, username: string, password: string): Promise<boolean> {
  const page = await fetch(`${url}/login`);
  expect(page.status).toBe(200);
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  expect(csrf).toBeDefined();
  const response = await fetch(`${url}/login`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, csrf: csrf! }).toString(),
  });
  await response.arrayBuffer();
  if (response.status === 302) {
    expect(response.headers.getSetCookie().some((c) => c.startsWith('lanyard_sid='))).toBe(true);
    return true;
  }
  expect(response.status).toBe(401);
  return false;
}

async function users(url: string, token: string): Promise<{ status: number; logins: string[] }> {
  const response = await fetch(`${url}/api/v1/users`, { headers: { authorization: `SSWS ${token}`, accept: 'application/json' } });
  const body = await response.json() as { profile: { login: string } }[];
  return { status: response.status, logins: response.status === 200 ? body.map((u) => u.profile.login).sort() : [] };
}

/** The value printed after a label in the CLI's aligned output, e.g. `  API token    00abc…`. */
function printed(lines: readonly string[], label: 'Password' | 'API token' | 'Username'): string {
  const matching = lines.filter((l) => l.startsWith(`  ${label} `));
  expect(matching, `one "${label}" line in ${JSON.stringify(lines)}`).toHaveLength(1);
  return matching[0]!.slice(label.length + 2).trim().split(/\s+/)[0]!;
}

describe('configuration errors', () => {
  const masterKeyProblem = 'must be 32 random bytes as 64 hex characters or 43 base64url characters (generate one with `openssl rand -hex 32`)';
  const urlProblem = 'must be an http:// or https:// URL with no path, query or credentials, e.g. https://id.example.com';
  const portProblem = 'must be a port number from 1 to 65535';
  const cases: { setting: string; value: string; problem: string; secret?: boolean }[] = [
    { setting: 'PORT', value: 'abc', problem: portProblem },
    { setting: 'PORT', value: '70000', problem: portProblem },
    { setting: 'PORT', value: '0', problem: portProblem },
    { setting: 'PORT', value: '80.5', problem: portProblem },
    { setting: 'PORT', value: '0x1F90', problem: portProblem },
    { setting: 'LANYARD_BASE_URL', value: 'ftp://x', problem: urlProblem },
    { setting: 'LANYARD_BASE_URL', value: 'http://x/path', problem: urlProblem },
    { setting: 'LANYARD_BASE_URL', value: 'https://user:pw@id.example.com', problem: urlProblem },
    { setting: 'DATABASE_URL', value: 'mysql://x', problem: 'must be a postgres:// or postgresql:// connection URL' },
    { setting: 'REDIS_URL', value: 'http://x', problem: 'must be a redis:// or rediss:// URL' },
    { setting: 'LANYARD_MASTER_KEY', value: 'short', problem: masterKeyProblem, secret: true },
    { setting: 'LANYARD_MASTER_KEY', value: 'MasterSecret-7f3a9c', problem: masterKeyProblem, secret: true },
    { setting: 'LANYARD_MASTER_KEY', value: `${'ab'.repeat(31)}zz`, problem: masterKeyProblem, secret: true },
    { setting: 'LANYARD_ADMIN_EMAIL', value: 'nope', problem: 'must be an email address' },
    { setting: 'LANYARD_ADMIN_PASSWORD', value: 'short', problem: 'must be at least 12 characters long', secret: true },
    { setting: 'LANYARD_ADMIN_PASSWORD', value: 'PwSecret-91', problem: 'must be at least 12 characters long', secret: true },
    { setting: 'LANYARD_ADMIN_PASSWORD', value: 'LongSecret-'.repeat(30), problem: 'must be at most 256 characters long', secret: true },
    { setting: 'LANYARD_ADMIN_TOKEN', value: 'TokenSecret!with*bad#chars-0123456789', problem: 'must be 32 to 128 characters of letters, digits, "-" and "_"', secret: true },
    { setting: 'LANYARD_ADMIN_TOKEN', value: 'TokenSecret42', problem: 'must be 32 to 128 characters of letters, digits, "-" and "_"', secret: true },
    { setting: 'LANYARD_LOG_LEVEL', value: 'loud', problem: 'must be one of fatal, error, warn, info, debug, trace, silent' },
  ];

  it.each(cases)('$setting=$value stops start-up with exit code 2 and one line naming the setting', async ({ setting, value, problem, secret }) => {
    const dataDir = newDataDir();
    const result = await run(['migrate'], { LANYARD_DATA_DIR: dataDir, [setting]: value });
    expect(result.code).toBe(2);
    expect(result.lines).toEqual([`Configuration error: ${setting} ${problem}`]);
    expect(result.stdout).toBe('');
    if (secret) expect(result.stderr).not.toContain(value);
    // Nothing was created: no data directory, no database, no generated master key.
    expect(existsSync(dataDir)).toBe(false);
  });

  it('serve (the default command) stops the same way, before binding a port or creating anything', async () => {
    const dataDir = newDataDir();
    const port = await freePort();
    const result = await run([], { LANYARD_DATA_DIR: dataDir, PORT: String(port), LANYARD_ADMIN_PASSWORD: 'PwSecret-91' });
    expect(result.code).toBe(2);
    expect(result.lines).toEqual(['Configuration error: LANYARD_ADMIN_PASSWORD must be at least 12 characters long']);
    expect(result.stderr).not.toContain('PwSecret-91');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('several bad settings: still exactly one line', async () => {
    const result = await run(['migrate'], { LANYARD_DATA_DIR: newDataDir(), PORT: 'abc', REDIS_URL: 'http://x', LANYARD_LOG_LEVEL: 'loud' });
    expect(result.code).toBe(2);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(/^Configuration error: (PORT|REDIS_URL|LANYARD_LOG_LEVEL) must /);
  });
});

describe('commands', () => {
  it('--version prints the version; an unknown argument is refused without starting anything', async () => {
    const version = await run(['--version'], { LANYARD_DATA_DIR: newDataDir() });
    expect(version.code).toBe(0);
    expect(version.lines).toEqual([expect.stringMatching(/^\d+\.\d+\.\d+/)]);

    const dataDir = newDataDir();
    const typo = await run(['sevre'], { LANYARD_DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(typo.code).toBe(1);
    expect(typo.lines).toEqual(["error: too many arguments for 'serve'. Expected 0 arguments but got 1."]);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('serve on a port already in use exits 1 with one line saying so', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await run(['serve'], { LANYARD_DATA_DIR: newDataDir(), PORT: String(port), LANYARD_LOG_LEVEL: 'silent' });
      expect(result.code).toBe(1);
      expect(result.lines).toHaveLength(1);
      expect(result.lines[0]).toContain('EADDRINUSE');
      expect(result.lines[0]).toContain(String(port));
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('an operator\'s session on one data directory', () => {
  let dataDir: string;
  let firstPassword: string;
  let firstToken: string;
  let acmeToken: string;
  let janePassword: string;
  let opsToken: string;

  beforeAll(() => {
    dataDir = newDataDir();
  });

  it('migrate creates the store and applies migrations, and creates no org', async () => {
    const first = await run(['migrate'], { LANYARD_DATA_DIR: dataDir });
    expect(first.code).toBe(0);
    expect(first.lines).toEqual(['Database is up to date.']);
    expect(existsSync(join(dataDir, 'lanyard.db'))).toBe(true);
    // The generated master key is readable by its owner only.
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);

    const again = await run(['migrate'], { LANYARD_DATA_DIR: dataDir });
    expect(again.code).toBe(0);
    expect(again.lines).toEqual(['Database is up to date.']);

    const db = new DatabaseSync(join(dataDir, 'lanyard.db'), { readOnly: true });
    try {
      expect(db.prepare('select count(*) as n from orgs').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('serve prints the first-start banner once; the printed password and token work; SIGTERM exits 0', async () => {
    const server = await serve(dataDir);
    const lines = server.stderr().split('\n').filter(Boolean);
    expect(lines[0]).toBe(`Lanyard ${lines[0]!.split(' ')[1]} is listening on 127.0.0.1:${server.port}; the first org is at ${server.url} (admin console: ${server.url}/admin)`);
    expect(lines.filter((l) => l === 'First start: created the first org and its super-admin.')).toHaveLength(1);
    expect(printed(lines, 'Username')).toBe('admin@example.com');
    firstPassword = printed(lines, 'Password');
    firstToken = printed(lines, 'API token');
    expect(firstPassword.length).toBeGreaterThanOrEqual(16);
    expect(firstToken).toMatch(/^00[A-Za-z0-9]{40}$/);

    expect(await users(server.url, firstToken)).toEqual({ status: 200, logins: ['admin@example.com'] });
    expect(await signIn(server.url, 'admin@example.com', firstPassword)).toBe(true);
    expect(await signIn(server.url, 'admin@example.com', `${firstPassword}x`)).toBe(false);

    const exit = await server.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    // Standard output carries JSON logs only, and never the secrets shown once on stderr.
    const logLines = server.stdout().split('\n').filter(Boolean);
    for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow();
    expect(logLines.some((l) => JSON.parse(l).msg === 'shutting down')).toBe(true);
    expect(server.stdout()).not.toContain(firstPassword);
    expect(server.stdout()).not.toContain(firstToken);
    // The port is free again.
    const probe = await fetch(`${server.url}/health/live`).then(() => 'answered', (e: Error) => (e.cause as { code?: string })?.code);
    expect(probe).toBe('ECONNREFUSED');
  });

  it('org create adds an org on its own domain and prints its admin\'s credentials once; org list shows both', async () => {
    const result = await run(['org', 'create', 'acme', '--display-name', 'Acme Corp', '--domain', '127.0.0.1', '--admin-email', 'root@acme.example'],
      { LANYARD_DATA_DIR: dataDir, PORT: '8123' });
    expect(result.code).toBe(0);
    expect(result.lines[0]).toMatch(/^Created org acme \(00o[A-Za-z0-9]{17}\) at http:\/\/127\.0\.0\.1:8123$/);
    expect(printed(result.lines, 'Username')).toBe('root@acme.example');
    printed(result.lines, 'Password');
    acmeToken = printed(result.lines, 'API token');
    expect(acmeToken).toMatch(/^00[A-Za-z0-9]{40}$/);

    const list = await run(['org', 'list'], { LANYARD_DATA_DIR: dataDir, PORT: '8123' });
    expect(list.code).toBe(0);
    expect(list.lines).toHaveLength(2);
    expect(list.lines.some((l) => /^00o\S+ {2}default {2}http:\/\/localhost:8123$/.test(l))).toBe(true);
    expect(list.lines.some((l) => /^00o\S+ {2}acme {2}http:\/\/127\.0\.0\.1:8123$/.test(l))).toBe(true);

    const taken = await run(['org', 'create', 'acme'], { LANYARD_DATA_DIR: dataDir });
    expect(taken.code).toBe(1);
    expect(taken.lines).toHaveLength(1);
    expect(taken.lines[0]).toContain('An object with this field already exists');
    const badName = await run(['org', 'create', 'Not A Label!'], { LANYARD_DATA_DIR: dataDir });
    expect(badName.code).toBe(1);
    expect(badName.lines).toEqual(['Api validation failed: name — name: must be a DNS label: lower-case letters, digits and "-", 1 to 63 characters']);
  });

  it('user create and token create work, for the default org and by --org', async () => {
    const jane = await run(['user', 'create', '--login', 'jane@example.com', '--first-name', 'Jane', '--last-name', 'Doe'], { LANYARD_DATA_DIR: dataDir });
    expect(jane.code).toBe(0);
    expect(jane.lines[0]).toMatch(/^Created user jane@example\.com \(00u[A-Za-z0-9]{17}\)$/);
    janePassword = printed(jane.lines, 'Password');

    // A password given in the environment is used and not printed.
    const given = await run(['user', 'create', '--login', 'ops@acme.example', '--first-name', 'Ops', '--last-name', 'Person', '--org', 'acme', '--admin'],
      { LANYARD_DATA_DIR: dataDir, LANYARD_NEW_USER_PASSWORD: 'Purple-Elephant-Dances-7' });
    expect(given.code).toBe(0);
    expect(given.lines).toEqual([expect.stringMatching(/^Created user ops@acme\.example \(00u[A-Za-z0-9]{17}\)$/)]);
    expect(given.stderr).not.toContain('Purple-Elephant-Dances-7');

    const token = await run(['token', 'create', '--org', 'acme', '--user', 'ops@acme.example', '--name', 'ci'], { LANYARD_DATA_DIR: dataDir });
    expect(token.code).toBe(0);
    expect(token.lines[0]).toMatch(/^Created API token ci \(00T[A-Za-z0-9]{17}\)$/);
    opsToken = printed(token.lines, 'API token');

    const notAdmin = await run(['token', 'create', '--user', 'jane@example.com'], { LANYARD_DATA_DIR: dataDir });
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.lines).toEqual(['Api validation failed: userId — userId: API tokens can only be created for administrators']);
    const noOrg = await run(['user', 'create', '--login', 'x@example.com', '--first-name', 'X', '--last-name', 'Y', '--org', 'nosuch'], { LANYARD_DATA_DIR: dataDir });
    expect(noOrg.code).toBe(1);
    expect(noOrg.lines).toEqual(['Not found: Resource not found: nosuch (Org)']);

    // Checked against the running server in the next test.
    expect(opsToken).toMatch(/^00[A-Za-z0-9]{40}$/);
  });

  it('a second start on the same data directory prints no credentials; both orgs answer with their own tokens', async () => {
    const server = await serve(dataDir);
    try {
      const stderr = server.stderr();
      expect(stderr).toMatch(/is listening on 127\.0\.0\.1:\d+/);
      expect(stderr).not.toContain('First start');
      expect(stderr).not.toContain('Password');
      expect(stderr).not.toContain('API token');
      expect(stderr).not.toContain('master key');
      expect(stderr).not.toContain(firstPassword);
      expect(stderr).not.toContain(firstToken);

      const acmeUrl = `http://127.0.0.1:${server.port}`;
      expect(await users(server.url, firstToken)).toEqual({ status: 200, logins: ['admin@example.com', 'jane@example.com'] });
      expect(await users(acmeUrl, acmeToken)).toEqual({ status: 200, logins: ['ops@acme.example', 'root@acme.example'] });
      expect(await users(acmeUrl, opsToken)).toEqual({ status: 200, logins: ['ops@acme.example', 'root@acme.example'] });
      // A token is good for its own org only.
      expect((await users(acmeUrl, firstToken)).status).toBe(401);
      expect((await users(server.url, acmeToken)).status).toBe(401);
      // The first admin's password is unchanged by the restart; the created user's works.
      expect(await signIn(server.url, 'admin@example.com', firstPassword)).toBe(true);
      expect(await signIn(server.url, 'jane@example.com', janePassword)).toBe(true);
      expect(await signIn(acmeUrl, 'ops@acme.example', 'Purple-Elephant-Dances-7')).toBe(true);

      // A backup taken while the server runs.
      const out = join(scratch, 'backup-live.db');
      const backup = await run(['backup', '--out', out], { LANYARD_DATA_DIR: dataDir });
      expect(backup.code).toBe(0);
      expect(backup.lines).toEqual([`Backup written to ${out}; keep the master key (${join(dataDir, 'master.key')}) with it.`]);
      const db = new DatabaseSync(out, { readOnly: true });
      try {
        expect(db.prepare('pragma integrity_check').get()).toEqual({ integrity_check: 'ok' });
        const logins = db.prepare('select login from users order by login').all().map((r) => (r as { login: string }).login);
        expect(logins).toEqual(['admin@example.com', 'jane@example.com', 'ops@acme.example', 'root@acme.example']);
        expect(db.prepare('select name from orgs order by name').all()).toEqual([{ name: 'acme' }, { name: 'default' }]);
      } finally {
        db.close();
      }
    } finally {
      // SIGINT (Ctrl-C) shuts down as cleanly as SIGTERM.
      expect(await server.stop('SIGINT')).toEqual({ code: 0, signal: null });
    }
  });

  it('backup writes to <data dir>/backups by default and never overwrites a file', async () => {
    const first = await run(['backup'], { LANYARD_DATA_DIR: dataDir });
    expect(first.code).toBe(0);
    const files = readdirSync(join(dataDir, 'backups'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^lanyard-\d{4}-\d{2}-\d{2}T[\d-]+Z\.db$/);
    const file = join(dataDir, 'backups', files[0]!);
    expect(first.lines).toEqual([`Backup written to ${file}; keep the master key (${join(dataDir, 'master.key')}) with it.`]);
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      expect(db.prepare('select count(*) as n from users').get()).toEqual({ n: 4 });
    } finally {
      db.close();
    }

    const out = join(scratch, 'backup-live.db');
    const sizeBefore = statSync(out).size;
    const again = await run(['backup', '--out', out], { LANYARD_DATA_DIR: dataDir });
    expect(again.code).toBe(1);
    expect(again.lines).toEqual([`${out} already exists; choose another --out`]);
    expect(statSync(out).size).toBe(sizeBefore);
  });

  it('backup refuses with a clear message when DATABASE_URL is set, and touches nothing', async () => {
    const out = join(scratch, 'backup-pg.db');
    const result = await run(['backup', '--out', out], { LANYARD_DATA_DIR: dataDir, DATABASE_URL: 'postgres://lanyard@127.0.0.1:1/lanyard' });
    expect(result.code).toBe(1);
    expect(result.lines).toEqual(['backup copies the embedded SQLite store; with DATABASE_URL set, back up PostgreSQL with pg_dump']);
    expect(existsSync(out)).toBe(false);
  });
});
