/**
 * Throttling of sign-in: password attempts per account and per address, on the pages and the
 * authentication API, answered with 429 and `Retry-After`; a throttle says nothing about whether
 * the account exists, and with Redis two nodes count against one limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { createUser } from '../helpers/oidc.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';

const password = 'Quiet-Lantern-Seven-7';
const limits = { LANYARD_TRUST_PROXY: 'true', LANYARD_THROTTLE_ACCOUNT_PER_MINUTE: '3', LANYARD_THROTTLE_IP_PER_MINUTE: '8', LANYARD_THROTTLE_FACTOR_PER_MINUTE: '2' };

let redis: RedisServer;
let a: TestLanyard;
let b: TestLanyard;

beforeAll(async () => {
  redis = await startRedis();
  a = await startLanyard({ env: { ...limits, REDIS_URL: redis.url, LANYARD_MASTER_KEY: 'c'.repeat(64) } });
  b = await startLanyard({
    ...(a.databaseUrl ? { databaseUrl: a.databaseUrl } : { dataDir: a.dataDir }),
    env: { ...limits, REDIS_URL: redis.url, LANYARD_MASTER_KEY: 'c'.repeat(64), LANYARD_ADMIN_TOKEN: a.token, LANYARD_BASE_URL: a.url },
  });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await redis?.stop();
});

async function authn(t: TestLanyard, username: string, secret: string, ip: string) {
  const response = await fetch(`${t.url}/api/v1/authn`, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ username, password: secret }),
  });
  return { status: response.status, json: await response.json() as any, retryAfter: response.headers.get('retry-after') };
}

describe('password attempts', () => {
  it('an account gets three attempts a minute across both nodes, then 429 with Retry-After even with the right password', async () => {
    const login = 'throttle.account@example.com';
    await createUser(a, login, password);
    expect((await authn(a, login, 'wrong-password-1', '10.0.0.1')).status).toBe(401);
    expect((await authn(b, login, 'wrong-password-2', '10.0.0.2')).status).toBe(401);
    expect((await authn(a, login, password, '10.0.0.3')).status).toBe(200);
    const refused = await authn(b, login, password, '10.0.0.4');
    expect(refused.status).toBe(429);
    expect(refused.json.errorCode).toBe('E0000047');
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    // Lockout is not touched by a throttle: the account is still active.
    const user = (await api(a)(`/api/v1/users/${encodeURIComponent(login)}`)).json;
    expect(user.status).toBe('ACTIVE');
  });

  it('an unknown login is throttled exactly like a known one', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await authn(a, 'nobody.here@example.com', 'whatever-it-is', `10.0.1.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('the sign-in page shows the wait and answers 429', async () => {
    const login = 'throttle.page@example.com';
    await createUser(a, login, password);
    const page = await fetch(`${a.url}/login`);
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${a.url}/login`, {
        method: 'POST', redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': `10.0.2.${i}` },
        body: new URLSearchParams({ csrf, username: login, password: 'not-the-password' }),
      });
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last!.text()).toMatch(/Too many attempts\. Wait \d+ seconds? and try again\./);
  });

  it('one address gets eight attempts a minute whatever the accounts, and the refusal is in the system log once', async () => {
    const ip = '10.9.9.9';
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await authn(i % 2 ? a : b, `spray.${i}@example.com`, 'Spring2026!', ip)).status);
    expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(8)).toEqual([429, 429]);
    const logs = (await api(a)('/api/v1/logs?filter=' + encodeURIComponent('eventType eq "system.org.rate_limit.violation"'))).json as any[];
    const byIp = logs.filter((e) => e.debugContext?.debugData?.bucket === 'signin.password.ip');
    expect(byIp).toHaveLength(1);
    expect(byIp[0].outcome.result).toBe('DENY');
  });
});
