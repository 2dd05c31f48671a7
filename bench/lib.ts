/**
 * Shared pieces of the benchmarks: starting a real Lanyard on a data directory, the browser sign-in
 * flow (GET /login for the CSRF cookie and field, then POST /login), timing helpers and the
 * Markdown table. Benchmarks are never tests: nothing here asserts on timings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.ts';
import { createLanyard, type Lanyard } from '../src/app/lanyard.ts';
import type { Argon2Cost } from '../src/signin/passwords.ts';
import { randomBase62 } from '../src/kernel/ids.ts';
import { freePort } from '../test/helpers/ports.ts';

/** One line of the results table. `value` and `baseline` are measured in the same run. */
export interface BenchRow {
  readonly benchmark: string;
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  /** The baseline measured in the same run; undefined when the figure has none. */
  readonly baseline?: number | undefined;
  readonly baselineLabel?: string | undefined;
  /** value / baseline unless given. */
  readonly ratio?: number | undefined;
  readonly note?: string | undefined;
}

export const adminEmail = 'admin@bench.example';
export const adminPassword = 'Correct-Horse-Battery-9';

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface BenchServer {
  readonly url: string;
  readonly token: string;
  readonly lanyard: Lanyard;
  close(): Promise<void>;
}

/**
 * Starts Lanyard on `dataDir` (bootstrapping it when empty), listening on a free loopback port.
 * The argon2 cost is OWASP's unless a cost is given.
 */
export async function startServer(dataDir: string, token: string, argon2Cost?: Argon2Cost, env: Readonly<Record<string, string>> = {}): Promise<BenchServer> {
  const port = await freePort();
  const config = loadConfig({
    ...env,
    PORT: String(port),
    LANYARD_HOST: '127.0.0.1',
    LANYARD_BASE_URL: `http://127.0.0.1:${port}`,
    LANYARD_DATA_DIR: dataDir,
    LANYARD_ADMIN_EMAIL: adminEmail,
    LANYARD_ADMIN_PASSWORD: adminPassword,
    LANYARD_ADMIN_TOKEN: token,
    LANYARD_LOG_LEVEL: 'error',
  });
  const lanyard = await createLanyard({ config, ...(argon2Cost ? { argon2Cost } : {}) });
  await lanyard.listen(port, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, token, lanyard, close: () => lanyard.close() };
}

export function newAdminToken(): string {
  return randomBase62(40);
}

/** An admin API call; throws on an unexpected status. */
export async function apiCall(server: Pick<BenchServer, 'url' | 'token'>, method: string, path: string, json?: unknown,
  expected = 200): Promise<any> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `SSWS ${server.token}`,
      accept: 'application/json',
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Lifts the per-minute API rate limit of the user GET bucket so lookups are not throttled. */
export async function liftUserGetRateLimit(server: BenchServer): Promise<void> {
  await apiCall(server, 'PUT', '/api/v1/org/settings', { rateLimits: { 'api.users.get': 1_000_000 } });
}

/** GET /login as a fresh browser: the CSRF cookie and the same token from the form's hidden field. */
export async function fetchSignInForm(url: string): Promise<string> {
  const response = await fetch(`${url}/login`);
  const html = await response.text();
  if (response.status !== 200) throw new Error(`GET /login: ${response.status}`);
  const cookie = /(?:^|,\s*)lanyard_csrf=([A-Za-z0-9_-]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  const field = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!cookie || cookie !== field) throw new Error('GET /login: no CSRF cookie, or it differs from the form field');
  return cookie;
}

/** POST /login with the CSRF cookie and field; throws unless the sign-in succeeds (302 + session cookie). */
export async function postSignIn(url: string, csrf: string, username: string, password: string): Promise<void> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `lanyard_csrf=${csrf}` },
    body: new URLSearchParams({ csrf, username, password }).toString(),
  });
  await response.arrayBuffer();
  if (response.status !== 302 || !/lanyard_sid=[A-Za-z0-9_-]+/.test(response.headers.get('set-cookie') ?? '')) {
    throw new Error(`POST /login for ${username}: ${response.status}, expected 302 with a session cookie`);
  }
}

export interface RateResult {
  readonly count: number;
  readonly seconds: number;
  readonly latencies: number[];
  /** CPU time of the whole process (all threads: server, client, argon2 pool), in ms. */
  readonly cpuMs: number;
}

/** Runs `workers` concurrent loops of `task` until `seconds` have passed. */
export async function rate(workers: number, seconds: number, task: () => Promise<void>): Promise<RateResult> {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      await task();
      latencies.push(performance.now() - t);
    }
  }));
  const used = process.cpuUsage(cpu);
  return { count: latencies.length, seconds: (performance.now() - start) / 1000, latencies, cpuMs: (used.user + used.system) / 1000 };
}

/** Rounds of {@link rate} summed, with the rate over all of them. */
export type Combined = RateResult & { readonly perSecond: number };

/** Sums rounds of {@link rate}. */
export function combine(results: readonly RateResult[]): Combined {
  const count = results.reduce((n, r) => n + r.count, 0);
  const seconds = results.reduce((n, r) => n + r.seconds, 0);
  return {
    count, seconds, perSecond: count / seconds,
    latencies: results.flatMap((r) => r.latencies),
    cpuMs: results.reduce((n, r) => n + r.cpuMs, 0),
  };
}

/** One side of a comparison: a task run by `workers` concurrent loops for `share` of each round (1 = a full round). */
export interface Side {
  readonly label: string;
  readonly workers: number;
  readonly task: () => Promise<void>;
  readonly share?: number;
}

/**
 * Measures every side in alternating rounds of `seconds / rounds` each, so that drift and noise on
 * a shared machine hit every side alike; logs each round and returns the combined result per side.
 */
export async function alternatingRounds(benchmark: string, seconds: number, rounds: number, sides: readonly Side[]): Promise<Combined[]> {
  const results: RateResult[][] = sides.map(() => []);
  for (let round = 1; round <= rounds; round++) {
    for (const [i, side] of sides.entries()) results[i]!.push(await rate(side.workers, (seconds / rounds) * (side.share ?? 1), side.task));
    log(`${benchmark}: round ${round}/${rounds}: ${sides.map((side, i) => {
      const last = results[i]!.at(-1)!;
      return `${side.label} ${(last.count / last.seconds).toFixed(0)}/s`;
    }).join(', ')}`);
  }
  return results.map(combine);
}

/** Nearest-rank percentile of `values` (milliseconds), 0 < p <= 100. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function formatValue(n: number | undefined, unit: string, label?: string): string {
  if (n === undefined) return '—';
  const text = `${formatNumber(n)} ${unit}`.trim();
  return label ? `${text} (${label})` : text;
}

export function ratioOf(row: BenchRow): number | undefined {
  if (row.ratio !== undefined) return row.ratio;
  return row.baseline === undefined || row.baseline === 0 ? undefined : row.value / row.baseline;
}

/** The Markdown table (benchmark, figure, value, baseline, ratio) and the notes under it. */
export function markdownTable(rows: readonly BenchRow[]): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['| benchmark | figure | value | baseline | ratio |', '| --- | --- | ---: | ---: | ---: |'];
  const notes: string[] = [];
  for (const row of rows) {
    let figure = row.figure;
    if (row.note) {
      notes.push(row.note);
      figure += ` [${notes.length}]`;
    }
    const ratio = ratioOf(row);
    lines.push(`| ${escape(row.benchmark)} | ${escape(figure)} | ${escape(formatValue(row.value, row.unit))} | `
      + `${escape(formatValue(row.baseline, row.unit, row.baselineLabel))} | ${ratio === undefined ? '—' : ratio.toFixed(3)} |`);
  }
  if (notes.length > 0) {
    lines.push('');
    notes.forEach((note, i) => lines.push(`${i + 1}. ${note}`));
  }
  return lines.join('\n');
}
