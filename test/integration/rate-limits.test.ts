/**
 * Okta's API rate limits: per org, per endpoint bucket, per minute, with X-Rate-Limit-* headers
 * and 429 E0000047. Org settings override a bucket's limit. With REDIS_URL, every node counts
 * against one shared limit (a real redis-server); without it, each node counts alone.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.ts';
import type { Clock } from '../../src/kernel/clock.ts';
import { createOrgWithAdmin } from '../helpers/orgs.ts';
import { adminEmail, api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { freePort, waitFor } from '../helpers/ports.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';

const masterKey = 'a'.repeat(64);

/**
 * Real time shifted forward on demand (never back), shared by the nodes of a test: windows are
 * whole UTC minutes, so a test starts one at will instead of sleeping towards a boundary.
 */
function steppedClock() {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    /** Moves to `ms` (epoch), which must not be in the clock's past. */
    jumpTo(ms: number) {
      const next = ms - Date.now();
      expect(next).toBeGreaterThanOrEqual(offset);
      offset = next;
    },
    /** Moves to one second into the next minute, leaving 59 s of one window. */
    startWindow() {
      this.jumpTo((Math.floor((Date.now() + offset) / 60_000) + 1) * 60_000 + 1000);
    },
  };
}

type Response = Awaited<ReturnType<ReturnType<typeof api>>>;

function rateHeaders(response: Response) {
  return {
    limit: response.headers.get('x-rate-limit-limit'),
    remaining: response.headers.get('x-rate-limit-remaining'),
    reset: response.headers.get('x-rate-limit-reset'),
  };
}

async function setLimits(node: TestLanyard, rateLimits: Record<string, number>): Promise<void> {
  const response = await api(node)('/api/v1/org/settings', { method: 'PUT', json: { rateLimits } });
  expect(response.status).toBe(200);
  expect(response.json.rateLimits).toEqual(rateLimits);
}

/** The first admin's id, read through the users collection so that the `api.users.get` bucket stays untouched. */
async function adminIdOf(node: Pick<TestLanyard, 'url' | 'token'>): Promise<string> {
  const list = await api(node)('/api/v1/users');
  expect(list.status).toBe(200);
  const admin = (list.json as { id: string; profile: { login: string } }[]).find((u) => u.profile.login === adminEmail);
  expect(admin).toBeDefined();
  return admin!.id;
}

/** A second node on the first node's store: same SQLite file or same PostgreSQL database, same master key. */
function secondNode(first: TestLanyard, clock: Clock, env: Record<string, string> = {}): Promise<TestLanyard> {
  return startLanyard({
    clock,
    ...(first.databaseUrl ? { databaseUrl: first.databaseUrl } : { dataDir: first.dataDir }),
    env: { LANYARD_ADMIN_TOKEN: first.token, LANYARD_MASTER_KEY: masterKey, ...env },
  });
}

describe('on every /api/v1 response', () => {
  let t: TestLanyard;
  let adminId: string;
  const clock = steppedClock();
  beforeAll(async () => {
    // The clock runs in real time until the countdown test steps it.
    t = await startLanyard({ clock });
    adminId = await adminIdOf(t);
  });
  afterAll(async () => t?.close());

  it('X-Rate-Limit-Limit, -Remaining and -Reset (UTC epoch seconds ending the current minute), per bucket', async () => {
    const call = api(t);
    const cases: { path: string; method?: string; json?: unknown; token?: string; status: number; limit: number }[] = [
      { path: '/api/v1/users', status: 200, limit: 600 },
      { path: '/api/v1/users?activate=false', method: 'POST', json: { profile: { login: 'rl1@example.com', email: 'rl1@example.com', firstName: 'R', lastName: 'L' } }, status: 200, limit: 600 },
      { path: '/api/v1/users', method: 'POST', json: { profile: { login: 'not-an-email' } }, status: 400, limit: 600 },
      { path: `/api/v1/users/${adminId}`, status: 200, limit: 2000 },
      { path: '/api/v1/users/me', status: 200, limit: 2000 },
      { path: `/api/v1/users/${adminId}`, method: 'POST', json: { profile: { nickName: 'boss' } }, status: 200, limit: 600 },
      { path: `/api/v1/users/${adminId}/groups`, status: 200, limit: 600 },
      { path: '/api/v1/groups', status: 200, limit: 500 },
      { path: '/api/v1/groups/00gNoSuchGroup000000', status: 404, limit: 1000 },
      { path: '/api/v1/logs', status: 200, limit: 120 },
      { path: '/api/v1/org', status: 200, limit: 1200 },
      { path: '/api/v1/org/settings', status: 200, limit: 1200 },
      { path: '/api/v1/api-tokens', status: 200, limit: 1200 },
      { path: '/api/v1/users', token: 'not-a-valid-token', status: 401, limit: 600 },
      { path: '/api/v1/no-such-endpoint', status: 404, limit: 1200 },
      { path: '/api/v1/logs', method: 'DELETE', status: 405, limit: 120 },
    ];
    for (const c of cases) {
      const before = Date.now();
      const response = await call(c.path, {
        ...(c.method ? { method: c.method } : {}),
        ...(c.json ? { json: c.json } : {}),
        ...(c.token ? { headers: { authorization: `SSWS ${c.token}` } } : {}),
      });
      const after = Date.now();
      const what = `${c.method ?? 'GET'} ${c.path}`;
      expect(response.status, what).toBe(c.status);
      const h = rateHeaders(response);
      expect(h.limit, what).toBe(String(c.limit));
      expect(h.remaining, what).toMatch(/^\d+$/);
      expect(Number(h.remaining), what).toBeLessThan(c.limit);
      expect(h.reset, what).toMatch(/^\d{10}$/);
      const reset = Number(h.reset);
      expect(reset % 60, what).toBe(0);
      expect(reset, what).toBeGreaterThan(Math.floor(before / 1000));
      expect(reset, what).toBeLessThanOrEqual(Math.floor(after / 1000) + 60);
    }
  });

  it('Remaining counts down by one per request within a bucket; other buckets keep their own count', async () => {
    const call = api(t);
    clock.startWindow();
    const first = rateHeaders(await call('/api/v1/groups'));
    const second = rateHeaders(await call('/api/v1/groups'));
    const other = rateHeaders(await call('/api/v1/org'));
    const third = rateHeaders(await call('/api/v1/groups'));
    expect(Number(second.remaining)).toBe(Number(first.remaining) - 1);
    expect(Number(third.remaining)).toBe(Number(first.remaining) - 2);
    expect(second.reset).toBe(first.reset);
    expect(other.limit).toBe('1200');
  });

  it('answers outside /api/v1 carry no rate-limit headers', async () => {
    for (const path of ['/health/live', '/health/ready', '/metrics', '/login']) {
      const response = await fetch(`${t.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('x-rate-limit-limit'), path).toBeNull();
      await response.arrayBuffer();
    }
  });
});

describe('an org\'s override of a bucket', () => {
  let t: TestLanyard;
  afterAll(async () => t?.close());

  it('over the lowered limit: 429 E0000047 with Remaining 0; other buckets and other orgs are unaffected', async () => {
    const clock = steppedClock();
    t = await startLanyard({ clock });
    const call = api(t);
    const adminId = await adminIdOf(t);
    // A second org on a custom domain, reached at http://127.0.0.1:PORT (fetch cannot set Host).
    const acme = { ...await createOrgWithAdmin(t, 'acme', '127.0.0.1'), url: `http://127.0.0.1:${t.port}` };
    await setLimits(t, { 'api.users.get': 5 });
    expect((await call('/api/v1/org/settings')).json.rateLimits).toEqual({ 'api.users.get': 5 });

    clock.startWindow();
    const results: Response[] = [];
    for (let i = 0; i < 8; i++) results.push(await call(`/api/v1/users/${adminId}`));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const ok = results.slice(0, 5);
    const refused = results.slice(5);
    expect(ok.map((r) => rateHeaders(r).remaining)).toEqual(['4', '3', '2', '1', '0']);
    const reset = rateHeaders(ok[0]!).reset;
    for (const r of ok) expect(rateHeaders(r).limit).toBe('5');
    for (const r of refused) {
      expect(r.json).toEqual({
        errorCode: 'E0000047',
        errorSummary: 'API call exceeded rate limit due to too many requests.',
        errorLink: 'E0000047',
        errorId: expect.stringMatching(/^oae[A-Za-z0-9]{22}$/),
        errorCauses: [],
      });
      expect(rateHeaders(r)).toEqual({ limit: '5', remaining: '0', reset });
      expect(r.headers.get('x-okta-request-id')).toMatch(/^[A-Za-z0-9]{24}$/);
    }

    // The bucket is the endpoint, not the id: another user, a login or a missing id are refused too.
    for (const path of ['/api/v1/users/me', '/api/v1/users/admin@example.com', '/api/v1/users/00uNoSuchUser0000000']) {
      const r = await call(path);
      expect(r.status, path).toBe(429);
      expect(r.json.errorCode, path).toBe('E0000047');
    }

    // Other buckets of the same org still answer, with their own limits.
    const list = await call('/api/v1/users');
    expect(list.status).toBe(200);
    expect(rateHeaders(list).limit).toBe('600');
    const update = await call(`/api/v1/users/${adminId}`, { method: 'POST', json: { profile: { nickName: 'still-here' } } });
    expect(update.status).toBe(200);
    expect(rateHeaders(update).limit).toBe('600');
    const groups = await call('/api/v1/groups');
    expect(groups.status).toBe(200);
    expect(rateHeaders(groups).limit).toBe('500');

    // Another org counts alone and keeps the default limit of the bucket.
    const other = api(acme);
    for (let i = 0; i < 7; i++) {
      const r = await other(`/api/v1/users/${acme.adminId}`);
      expect(r.status).toBe(200);
      expect(r.json.profile.login).toBe('admin@acme.example.com');
      expect(rateHeaders(r)).toEqual({ limit: '2000', remaining: String(1999 - i), reset });
    }

    // Raising the limit again lets the same window's requests through at once.
    await setLimits(t, { 'api.users.get': 50 });
    const again = await call(`/api/v1/users/${adminId}`);
    expect(again.status).toBe(200);
    expect(rateHeaders(again).limit).toBe('50');

    // At X-Rate-Limit-Reset a new window starts with the whole limit again.
    await setLimits(t, { 'api.users.get': 5 });
    clock.jumpTo(Number(reset) * 1000);
    const next = await call(`/api/v1/users/${adminId}`);
    expect(next.status).toBe(200);
    expect(rateHeaders(next)).toEqual({ limit: '5', remaining: '4', reset: String(Number(reset) + 60) });
  });

  it('refuses overrides that are not positive whole numbers or not a bucket, keeping the ones in force', async () => {
    const call = api(t);
    await setLimits(t, { 'api.users.get': 50 });
    for (const bad of [0, -1, 2.5, 'ten']) {
      const response = await call('/api/v1/org/settings', { method: 'PUT', json: { rateLimits: { 'api.users.get': bad } } });
      expect(response.status, String(bad)).toBe(400);
      expect(response.json.errorCode).toBe('E0000001');
    }
    // A bucket that does not exist (a typo) is refused rather than stored to never apply.
    const typo = await call('/api/v1/org/settings', { method: 'PUT', json: { rateLimits: { 'api.user.get': 5 } } });
    expect(typo.status).toBe(400);
    expect(typo.json.errorCode).toBe('E0000001');
    expect(typo.json.errorCauses).toEqual([{ errorSummary: expect.stringMatching(/^rateLimits\.api\.user\.get: not a rate-limit bucket; the buckets are api\.users\.collection, api\.users\.get, /) }]);
    expect((await call('/api/v1/org/settings')).json.rateLimits).toEqual({ 'api.users.get': 50 });
  });
});

describe('several nodes on one store', () => {
  let redis: RedisServer | undefined;
  const nodes: TestLanyard[] = [];
  afterAll(async () => {
    // Later nodes share the first node's data directory, so they stop first.
    for (const node of nodes.reverse()) await node.close();
    await redis?.stop();
  });

  it('with REDIS_URL, requests to node A and node B add up against one limit, which lifts at X-Rate-Limit-Reset', async () => {
    redis = await startRedis();
    const clock = steppedClock();
    const a = await startLanyard({ clock, env: { REDIS_URL: redis.url, LANYARD_MASTER_KEY: masterKey } });
    nodes.push(a);
    const adminId = await adminIdOf(a);
    await setLimits(a, { 'api.users.get': 6 });
    const b = await secondNode(a, clock, { REDIS_URL: redis.url });
    nodes.push(b);
    expect(b.lanyard.bootstrap.created).toBe(false);
    const orgId = (await api(a)('/api/v1/org')).json.id as string;

    clock.startWindow();
    const get = (node: TestLanyard) => api(node)(`/api/v1/users/${adminId}`);
    const seq: string[] = [];
    const responses: Response[] = [];
    for (const [name, node] of [['A', a], ['A', a], ['B', b], ['A', a], ['B', b], ['B', b], ['A', a], ['B', b], ['A', a]] as const) {
      const r = await get(node);
      responses.push(r);
      seq.push(`${name} ${r.status}:${rateHeaders(r).remaining}`);
    }
    // Six allowed in all, counted down across both nodes; then both refuse.
    expect(seq).toEqual(['A 200:5', 'A 200:4', 'B 200:3', 'A 200:2', 'B 200:1', 'B 200:0', 'A 429:0', 'B 429:0', 'A 429:0']);
    const reset = Number(rateHeaders(responses[0]!).reset);
    for (const r of responses) expect(Number(rateHeaders(r).reset)).toBe(reset);
    expect(responses[7]!.json.errorCode).toBe('E0000047');

    // The count lives in Redis under the org, bucket and window, and expires with the window.
    const key = `rl:${orgId}:api.users.get:${reset / 60 - 1}`;
    expect(await redis.command('GET', key)).toBe('9');
    const ttl = await redis.command('PTTL', key) as number;
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);

    // In the next window both nodes answer again, still counting together.
    clock.jumpTo(reset * 1000);
    const nextA = await get(a);
    const nextB = await get(b);
    expect(nextA.status).toBe(200);
    expect(nextB.status).toBe(200);
    expect(rateHeaders(nextA)).toEqual({ limit: '6', remaining: '5', reset: String(reset + 60) });
    expect(rateHeaders(nextB)).toEqual({ limit: '6', remaining: '4', reset: String(reset + 60) });
  });

  it('without REDIS_URL each node counts alone: n nodes allow n times the limit (single-node counters)', async () => {
    const clock = steppedClock();
    const a = await startLanyard({ clock, env: { LANYARD_MASTER_KEY: masterKey } });
    nodes.push(a);
    const adminId = await adminIdOf(a);
    await setLimits(a, { 'api.users.get': 3 });
    const b = await secondNode(a, clock);
    nodes.push(b);

    clock.startWindow();
    const statuses = async (node: TestLanyard) => {
      const out: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await api(node)(`/api/v1/users/${adminId}`);
        out.push(`${r.status}:${rateHeaders(r).remaining}`);
      }
      return out;
    };
    const onA = await statuses(a);
    const onB = await statuses(b);
    expect(onA).toEqual(['200:2', '200:1', '200:0', '429:0', '429:0']);
    // Node B never saw A's requests: its own count starts at zero.
    expect(onB).toEqual(['200:2', '200:1', '200:0', '429:0', '429:0']);
  });

  it('while Redis is away, requests pass at once without limits (fail open, one warning); counting starts and resumes when it is there', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done(); } });
    // Redis is not running yet when the node starts.
    const node = await startLanyard({ env: { REDIS_URL: `redis://127.0.0.1:${port}` }, logger: createLogger('warn', sink) });
    nodes.push(node);
    const call = api(node);
    const passesUncounted = async () => {
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const r = await call('/api/v1/groups');
        expect(r.status).toBe(200);
        expect(rateHeaders(r)).toEqual({ limit: null, remaining: null, reset: null });
        // No waiting on reconnection attempts: an outage must not slow every API call down.
        expect(Date.now() - started).toBeLessThan(1000);
      }
    };
    const counting = () => waitFor(async () => rateHeaders(await call('/api/v1/groups')).limit === '500', 15_000, 'requests to be counted in Redis');

    await passesUncounted();
    let server = await startRedis({ port });
    try {
      await counting();
      await server.stop();
      await passesUncounted();
      server = await startRedis({ port });
      await counting();
      expect(Number(await server.command('DBSIZE'))).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
    // One warning for the whole outage, not one per request.
    const warnings = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'rate-limit counters unavailable; requests are not being limited');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].level).toBe(40);
  }, 60_000);
});
