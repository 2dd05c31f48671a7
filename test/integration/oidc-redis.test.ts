/**
 * With REDIS_URL, the OpenID Connect engine's short-lived records (sessions, interactions,
 * authorization codes) live in Redis, shared by every node and expired by Redis: a code issued by
 * node A is redeemed at node B, a replay at A revokes what B issued, and nothing short-lived is
 * written to the store. While Redis is away, sign-ins go on with those records in the store.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.ts';
import { api, startLanyard, storeKind, type TestLanyard } from '../helpers/lanyard.ts';
import { BrowserlessClient } from '../helpers/browserless.ts';
import { authorizeInBrowser, createOidcApp, createUser, redirectUri, type TestApp } from '../helpers/oidc.ts';
import { hostRequest } from '../helpers/host-request.ts';
import { waitFor } from '../helpers/ports.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';

const masterKey = 'b'.repeat(64);
const person = { username: 'redis.user@example.com', password: 'Quiet-Lantern-Seven-7' };
const verifier = 'redis-test-verifier-0123456789-0123456789-0123456789';
const challenge = createHash('sha256').update(verifier).digest('base64url');

let redis: RedisServer;
let a: TestLanyard;
let b: TestLanyard;
let app: TestApp;
let orgId: string;
const logLines: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const sink = new Writable({ write(chunk, _encoding, done) { logLines.push(...String(chunk).split('\n').filter(Boolean)); done(); } });
  a = await startLanyard({ env: { REDIS_URL: redis.url, LANYARD_MASTER_KEY: masterKey }, logger: createLogger('info', sink) });
  // Node B serves the same org at the same base URL, as behind a load balancer.
  b = await startLanyard({
    ...(a.databaseUrl ? { databaseUrl: a.databaseUrl } : { dataDir: a.dataDir }),
    env: { REDIS_URL: redis.url, LANYARD_MASTER_KEY: masterKey, LANYARD_ADMIN_TOKEN: a.token, LANYARD_BASE_URL: a.url },
  });
  const userId = await createUser(a, person.username, person.password);
  app = await createOidcApp(a, { assign: [userId] });
  orgId = (await api(a)('/api/v1/org')).json.id;
}, 60_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
  await redis?.stop();
});

/** Rows of the store's payload table by model, read past Lanyard (node:sqlite or pg). */
async function storedModels(): Promise<Record<string, number>> {
  const query = 'select model, count(*) as n from oidc_payloads group by model';
  let rows: { model: string; n: number | string }[];
  if (storeKind() === 'sqlite') {
    const db = new DatabaseSync(a.lanyard.sqlitePath ?? join(a.dataDir, 'lanyard.db'), { readOnly: true });
    try {
      rows = db.prepare(query).all() as typeof rows;
    } finally {
      db.close();
    }
  } else {
    const db = new pg.Client({ connectionString: a.databaseUrl });
    await db.connect();
    try {
      rows = (await db.query(query)).rows;
    } finally {
      await db.end();
    }
  }
  return Object.fromEntries(rows.map((r) => [r.model, Number(r.n)]));
}

async function redisKeys(pattern: string): Promise<string[]> {
  return (await redis.command('KEYS', pattern)) as string[];
}

/** Signs in on node A and returns the code Lanyard sends back to the app. */
async function codeFromA(browser: BrowserlessClient): Promise<string> {
  const url = new URL(`${a.url}/oauth2/default/v1/authorize`);
  url.search = new URLSearchParams({
    client_id: app.clientId, response_type: 'code', scope: 'openid email', redirect_uri: redirectUri, state: 'st-1', nonce: 'n-1',
    code_challenge: challenge, code_challenge_method: 'S256',
  }).toString();
  const callback = await authorizeInBrowser(browser, url, person);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code: ${callback.href}`);
  return code;
}

const basic = () => `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;
const tokenForm = (code: string) => ({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });

describe('OpenID Connect records in Redis, shared by two nodes', () => {
  it('keeps sessions and codes in Redis with their lifetimes, and lets node B redeem a code node A issued', async () => {
    const code = await codeFromA(new BrowserlessClient(a.url));
    const codes = await redisKeys(`oidc:${orgId}:default:AuthorizationCode:*`);
    expect(codes).toHaveLength(1);
    const ttl = await redis.command('PTTL', codes[0]!) as number;
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300_000);
    expect(await redisKeys(`oidc:${orgId}:default:Session:*`)).not.toHaveLength(0);
    expect(await storedModels()).not.toHaveProperty('AuthorizationCode');

    // Node B answers on its own port for the same host name.
    const host = new URL(a.url).host;
    const redeemed = await hostRequest(b.port, host, '/oauth2/default/v1/token', { form: tokenForm(code), headers: { authorization: basic() } });
    expect(redeemed.status).toBe(200);
    expect(redeemed.json.id_token).toBeTypeOf('string');
    const introspect = (token: string) => hostRequest(b.port, host, '/oauth2/default/v1/introspect',
      { form: { token, token_type_hint: 'access_token' }, headers: { authorization: basic() } });
    expect((await introspect(redeemed.json.access_token)).json.active).toBe(true);

    // A replay at node A is refused and revokes what node B issued for the code.
    const replay = await fetch(`${a.url}/oauth2/default/v1/token`, {
      method: 'POST', headers: { authorization: basic() }, body: new URLSearchParams(tokenForm(code)),
    });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
    expect((await introspect(redeemed.json.access_token)).json.active).toBe(false);

    const stored = await storedModels();
    for (const model of ['AuthorizationCode', 'Session', 'Interaction']) expect(stored).not.toHaveProperty(model);
  });

  it('while Redis is away, sign-ins go on with their records in the store (one warning), and use Redis again when it is back', async () => {
    const port = redis.port;
    await redis.stop();
    const code = await codeFromA(new BrowserlessClient(a.url));
    const redeemed = await fetch(`${a.url}/oauth2/default/v1/token`, {
      method: 'POST', headers: { authorization: basic() }, body: new URLSearchParams(tokenForm(code)),
    });
    expect(redeemed.status).toBe(200);
    expect(await storedModels()).toHaveProperty('AuthorizationCode');
    const warnings = logLines.map((l) => JSON.parse(l)).filter((l) => /^Redis unavailable; OpenID Connect/.test(l.msg));
    expect(warnings).toHaveLength(1);

    redis = await startRedis({ port });
    await waitFor(async () => {
      await codeFromA(new BrowserlessClient(a.url));
      return (await redisKeys(`oidc:${orgId}:default:AuthorizationCode:*`)).length > 0;
    }, 15_000, 'codes to be kept in Redis again');
    expect(logLines.map((l) => JSON.parse(l)).some((l) => /^Redis available again/.test(l.msg))).toBe(true);
  }, 60_000);
});
