/**
 * Starts a real Lanyard in the test process: its own store (a temp SQLite file, or a fresh
 * database on the run's PostgreSQL when the `postgres` project runs), listening on a free
 * loopback port. The caller stops it with `close()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { createLanyard, type Lanyard } from '../../src/app/lanyard.ts';
import type { Clock } from '../../src/kernel/clock.ts';
import type { Logger } from '../../src/kernel/logger.ts';
import { randomBase62 } from '../../src/kernel/ids.ts';
import { freePort } from './ports.ts';
import { createDatabase } from './postgres.ts';

/** A cheap argon2id cost for tests that hash many passwords; production uses OWASP's (tested separately). */
export const testArgon2Cost = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export const adminEmail = 'admin@example.com';
export const adminPassword = 'Correct-Horse-Battery-9';

export interface TestLanyard {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly lanyard: Lanyard;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  close(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

export function storeKind(): StoreKind {
  return process.env.LANYARD_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
}

export interface StartOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Reuse a database (to start a second node on the same store). */
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly argon2Cost?: { memoryCost: number; timeCost: number; parallelism: number };
}

export async function startLanyard(options: StartOptions = {}): Promise<TestLanyard> {
  const port = await freePort();
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lanyard-test-'));
  const databaseUrl = options.databaseUrl ?? (storeKind() === 'postgres' ? await createDatabase(inject('postgresUrl')) : undefined);
  const token = randomBase62(40);
  const config = loadConfig({
    PORT: String(port),
    LANYARD_HOST: '127.0.0.1',
    LANYARD_BASE_URL: `http://localhost:${port}`,
    LANYARD_DATA_DIR: dataDir,
    LANYARD_ADMIN_EMAIL: adminEmail,
    LANYARD_ADMIN_PASSWORD: adminPassword,
    LANYARD_ADMIN_TOKEN: token,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    // Tests sign the same people in many times a minute from one address; the throttle's own tests
    // (and any test that sets these) use limits of their own.
    LANYARD_THROTTLE_ACCOUNT_PER_MINUTE: '100000',
    LANYARD_THROTTLE_FACTOR_PER_MINUTE: '100000',
    LANYARD_THROTTLE_IP_PER_MINUTE: '100000',
    ...options.env,
  });
  const lanyard = await createLanyard({
    config,
    argon2Cost: options.argon2Cost ?? testArgon2Cost,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await lanyard.listen(port, '127.0.0.1');
  return {
    url: `http://localhost:${port}`,
    port,
    token: config.admin.token!,
    lanyard,
    dataDir,
    databaseUrl,
    close: async () => {
      await lanyard.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `fetch` against a test Lanyard with the admin token. */
export function api(t: Pick<TestLanyard, 'url' | 'token'>) {
  return async (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `SSWS ${t.token}`);
    headers.set('accept', 'application/json');
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const response = await fetch(`${t.url}${path}`, { ...init, headers, body });
    const text = await response.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  };
}
