/**
 * Durability of provisioning, the hard way: a real Lanyard process (`node src/main.ts serve` on
 * its embedded store) pushes 1,000 users to a SCIM server and is killed with SIGKILL in the middle
 * of the run — requests in flight, tasks claimed. Started again on the same data, it finishes the
 * work: every user is in the app exactly once, nothing is lost and nothing is duplicated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../helpers/ports.ts';
import { startScimServer, type ScimServer } from '../../helpers/scim-server.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const nodeBin = join(root, 'node_modules', '.bin', 'node');
const token = 'CrashTestAdminToken0123456789abcdefABCDEF';
const users = 1000;
let scim: ScimServer;
let dataDir: string;
let port: number;
let child: ChildProcess | undefined;

function startLanyardProcess(): ChildProcess {
  const process_ = spawn(nodeBin, ['src/main.ts', 'serve'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dataDir, PORT: String(port), LANYARD_DATA_DIR: dataDir, LANYARD_ADMIN_TOKEN: token,
      LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_PROVISIONING_LEASE_SECONDS: '2', LANYARD_PROVISIONING_RETRY_MS: '20', LANYARD_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  process_.stderr!.resume();
  return process_;
}

async function call(path: string, init: { method?: string; json?: unknown } = {}) {
  const response = await fetch(`http://localhost:${port}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { authorization: `SSWS ${token}`, accept: 'application/json', ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const ready = () => waitFor(async () => (await fetch(`http://localhost:${port}/health/ready`)).status === 200, 30_000, 'Lanyard to be ready');
const inApp = () => [...scim.directory.users.values()].filter((u) => String(u.userName).startsWith('crash'));

beforeAll(async () => {
  scim = await startScimServer({ faults: { latencyMs: 3 } });
  dataDir = mkdtempSync(join(tmpdir(), 'lanyard-crash-'));
  port = await freePort();
  child = startLanyardProcess();
  await ready();
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await scim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a provisioning run killed with SIGKILL', () => {
  it('resumes on restart with every user in the app exactly once', { timeout: 240_000 }, async () => {
    // Creating a thousand users takes more than Okta's per-minute limits allow; this org raises them.
    expect((await call('/api/v1/org/settings', { method: 'PUT', json: { rateLimits: { 'api.users.collection': 100_000, 'api.other': 100_000 } } })).status).toBe(200);
    const app = await call('/api/v1/apps', { json: { label: 'Crash App', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://crash.example.com' } } } });
    const appId = app.json.id;
    expect((await call(`/api/v1/apps/${appId}/connections/default?activate=true`, {
      json: { baseUrl: scim.url, profile: { authScheme: 'TOKEN', token: scim.token } },
    })).status).toBe(201);
    await call(`/api/v1/apps/${appId}/features/USER_PROVISIONING`, { method: 'PUT', json: { create: { lifecycleCreate: { status: 'ENABLED' } } } });
    const settings = (await call(`/api/v1/apps/${appId}/provisioning`)).json;
    expect((await call(`/api/v1/apps/${appId}/provisioning`, { method: 'PUT', json: { ...settings, concurrency: 8, requestsPerSecond: 1000 } })).status).toBe(200);
    const group = await call('/api/v1/groups', { json: { profile: { name: 'Everyone in the crash' } } });
    for (let batch = 0; batch < users; batch += 25) {
      const made = await Promise.all(Array.from({ length: 25 }, (_, j) => {
        const login = `crash${String(batch + j).padStart(4, '0')}@example.com`;
        return call('/api/v1/users?activate=true', { json: { profile: { login, email: login, firstName: 'Crash', lastName: `Test${batch + j}` }, groupIds: [group.json.id] } });
      }));
      expect(made.map((m) => m.status)).toEqual(made.map(() => 200));
    }
    // One assignment queues a push for all 1,000 members.
    expect((await call(`/api/v1/apps/${appId}/groups/${group.json.id}`, { method: 'PUT', json: {} })).status).toBe(200);

    await waitFor(async () => inApp().length >= 250, 120_000, 'a quarter of the users to be provisioned');
    child!.kill('SIGKILL');
    await new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    const before = inApp().length;
    expect(before).toBeLessThan(users);

    child = startLanyardProcess();
    await ready();
    await waitFor(async () => inApp().length >= users, 180_000, 'every user to be provisioned after the restart');
    await waitFor(async () => (await call(`/api/v1/apps/${appId}/provisioning/tasks?status=PENDING`)).json.length === 0
      && (await call(`/api/v1/apps/${appId}/provisioning/tasks?status=RUNNING`)).json.length === 0, 60_000, 'the queue to empty');

    const names = inApp().map((u) => u.userName);
    expect(names).toHaveLength(users);
    expect(new Set(names).size).toBe(users);
    expect((await call(`/api/v1/apps/${appId}/provisioning/tasks?status=DEAD`)).json).toEqual([]);
    const links = (await call(`/api/v1/apps/${appId}/provisioning/users`)).json;
    expect(links.filter((l: any) => l.status === 'PROVISIONED')).toHaveLength(users);
  });
});
