/**
 * Operations: health checks, Prometheus metrics, request ids, the OpenAPI document, tenancy by
 * Host, Okta's 404/405 answers, and graceful shutdown of a real listening server.
 */
import { request as httpRequest, Agent } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { allApiRoutes } from '../../src/http/server.ts';
import { api, adminEmail, startLanyard, storeKind, type TestLanyard } from '../helpers/lanyard.ts';
import { waitFor } from '../helpers/ports.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let adminId: string;

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
  const me = await call('/api/v1/users/me');
  expect(me.status).toBe(200);
  adminId = me.json.id;
});
afterAll(async () => t?.close());

/** A request with any Host header (fetch does not let a caller choose Host). */
function rawRequest(options: { port: number; path: string; host: string; method?: string; headers?: Record<string, string> }) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1', port: options.port, path: options.path, method: options.method ?? 'GET',
      headers: { host: options.host, accept: 'application/json', ...options.headers }, agent: false,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Parses Prometheus text into samples with their labels. */
function samples(metricsText: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(match, `unparseable metrics line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match![1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    out.push({ labels, value: Number(match![2]) });
  }
  return out;
}

async function requestCount(method: string, route: string, status: string): Promise<number> {
  const response = await fetch(`${t.url}/metrics`);
  const found = samples(await response.text(), 'lanyard_http_requests_total')
    .find((s) => s.labels.method === method && s.labels.route === route && s.labels.status === status);
  return found?.value ?? 0;
}

describe('health', () => {
  it('/health/live answers 200 while the process runs', async () => {
    const response = await fetch(`${t.url}/health/live`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/health/ready answers 200 with the database check ok', async () => {
    const response = await fetch(`${t.url}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
  });

  it('/health/ready answers 503 while the database cannot be reached (and /health/live stays 200)', async () => {
    const node = await startLanyard();
    const ready = async () => {
      const response = await fetch(`${node.url}/health/ready`);
      return { status: response.status, json: await response.json() };
    };
    try {
      expect((await ready()).status).toBe(200);
      if (storeKind() === 'postgres') {
        // A real outage of this node's database: no connections allowed, existing ones ended.
        const database = new URL(node.databaseUrl!).pathname.slice(1);
        const admin = new pg.Client({ connectionString: inject('postgresUrl') });
        await admin.connect();
        try {
          await admin.query(`alter database ${database} allow_connections false`);
          await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [database]);
          await waitFor(async () => (await ready()).status === 503, 10_000, 'readiness to report the outage');
          expect(await ready()).toEqual({ status: 503, json: { status: 'unavailable', checks: { database: 'unreachable' } } });
          expect((await fetch(`${node.url}/health/live`)).status).toBe(200);
          await admin.query(`alter database ${database} allow_connections true`);
          // It recovers by itself once the database is back.
          await waitFor(async () => (await ready()).status === 200, 10_000, 'readiness to recover');
          expect((await ready()).json).toEqual({ status: 'ok', checks: { database: 'ok' } });
        } finally {
          await admin.query(`alter database ${database} allow_connections true`).catch(() => {});
          await admin.end();
        }
      } else {
        // The embedded store has no server to lose; a store that is no longer open is the outage.
        await node.lanyard.store.close();
        expect(await ready()).toEqual({ status: 503, json: { status: 'unavailable', checks: { database: 'unreachable' } } });
        expect((await fetch(`${node.url}/health/live`)).status).toBe(200);
      }
    } finally {
      await node.close();
    }
  });

  it('health checks need no token and no known Host (a load balancer probes by IP)', async () => {
    const live = await rawRequest({ port: t.port, path: '/health/live', host: `10.0.0.7:${t.port}` });
    expect(live.status).toBe(200);
    const ready = await rawRequest({ port: t.port, path: '/health/ready', host: `10.0.0.7:${t.port}` });
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text).checks.database).toBe('ok');
  });
});

describe('metrics', () => {
  it('counts requests by route pattern, never by raw id or login', async () => {
    const created = await call('/api/v1/users?activate=false', {
      method: 'POST', json: { profile: { login: 'metrics.person@example.com', email: 'metrics.person@example.com', firstName: 'Metrics', lastName: 'Person' } },
    });
    expect(created.status).toBe(200);
    const userId: string = created.json.id;
    const before200 = await requestCount('GET', '/api/v1/users/:userId', '200');
    const before404 = await requestCount('GET', '/api/v1/users/:userId', '404');

    expect((await call(`/api/v1/users/${userId}`)).status).toBe(200);
    expect((await call(`/api/v1/users/${adminId}`)).status).toBe(200);
    expect((await call('/api/v1/users/metrics.person@example.com')).status).toBe(200);
    const missing = await call('/api/v1/users/00uNoSuchUser000000x');
    expect(missing.status).toBe(404);
    expect((await call(`/api/v1/nothing-here/${userId}`)).status).toBe(404);

    const response = await fetch(`${t.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('# TYPE lanyard_http_requests_total counter');
    expect(text).toContain('# TYPE lanyard_http_request_duration_seconds histogram');
    // Default process metrics are exported under the same prefix.
    expect(text).toMatch(/^lanyard_process_cpu_seconds_total /m);

    const requests = samples(text, 'lanyard_http_requests_total');
    const get200 = requests.find((s) => s.labels.method === 'GET' && s.labels.route === '/api/v1/users/:userId' && s.labels.status === '200');
    expect(get200?.value).toBe(before200 + 3);
    const get404 = requests.find((s) => s.labels.method === 'GET' && s.labels.route === '/api/v1/users/:userId' && s.labels.status === '404');
    expect(get404?.value).toBe(before404 + 1);
    expect(requests.some((s) => s.labels.route === 'unmatched' && s.labels.status === '404')).toBe(true);

    // Every route label is a registered pattern (or "unmatched"); no id, login or token reaches a label.
    const patterns = new Set([
      ...allApiRoutes(t.lanyard.services).map((r) => r.path),
      '/health/live', '/health/ready', '/metrics', '/api/v1/openapi.json', '/assets/signin.css', 'unmatched',
    ]);
    const labels = [...requests, ...samples(text, 'lanyard_http_request_duration_seconds_count')].map((s) => s.labels.route!);
    expect(labels.length).toBeGreaterThan(0);
    for (const label of labels) expect(patterns, `route label ${label}`).toContain(label);
    for (const raw of [userId, adminId, 'metrics.person', '00uNoSuchUser', 'nothing-here', t.token]) expect(text).not.toContain(raw);
  });
});

describe('request ids', () => {
  it('every response carries a distinct X-Okta-Request-Id, whatever its status or kind', async () => {
    const responses = await Promise.all([
      fetch(`${t.url}/health/live`),
      fetch(`${t.url}/health/ready`),
      fetch(`${t.url}/metrics`),
      fetch(`${t.url}/api/v1/openapi.json`),
      fetch(`${t.url}/assets/signin.css`),
      fetch(`${t.url}/login`),
      fetch(`${t.url}/`, { redirect: 'manual' }),
      fetch(`${t.url}/api/v1/users`, { headers: { authorization: `SSWS ${t.token}` } }),
      fetch(`${t.url}/api/v1/users`, { headers: { authorization: 'SSWS not-a-token' } }),
      fetch(`${t.url}/api/v1/users`, { method: 'DELETE', headers: { authorization: `SSWS ${t.token}` } }),
      fetch(`${t.url}/api/v1/no-such-thing`),
      fetch(`${t.url}/no-such-page`),
    ]);
    const statuses = responses.map((r) => r.status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 302, 200, 401, 405, 404, 404]);
    const ids = responses.map((r) => r.headers.get('x-okta-request-id'));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(new Set(ids).size).toBe(ids.length);
    await Promise.all(responses.map((r) => r.arrayBuffer()));

    const unknownHost = await rawRequest({ port: t.port, path: '/api/v1/users', host: 'nowhere.example' });
    expect(unknownHost.headers['x-okta-request-id']).toMatch(/^[A-Za-z0-9]{24}$/);
  });
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every registered API route with its method, and nothing else', async () => {
    const response = await fetch(`${t.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = await response.json() as { openapi: string; info: { version: string }; servers: { url: string }[]; paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>> };
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(doc.servers).toEqual([{ url: t.url }]);

    const routes = allApiRoutes(t.lanyard.services);
    expect(routes.length).toBeGreaterThan(20);
    const expected = routes.map((r) => `${r.method.toUpperCase()} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`).sort();
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    expect(documented).toEqual(expected);
    // Each method+path once, each with the operationId the router registered it under.
    expect(new Set(expected).size).toBe(expected.length);
    for (const route of routes) {
      const operation = doc.paths[route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]![route.method]!;
      expect(operation.operationId).toBe(route.operationId);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining([String(route.response.status), '401', '429']));
    }
    const operationIds = routes.map((r) => r.operationId);
    expect(new Set(operationIds).size).toBe(operationIds.length);
    for (const path of Object.keys(doc.paths)) expect(path).not.toContain(':');
  });
});

describe('tenancy and Okta\'s error answers', () => {
  it('a Host no org answers on gets a 404 in Okta\'s shape that names the first org\'s URL', async () => {
    for (const host of ['unknown.example.org', `nosuchorg.localhost:${t.port}`, `127.0.0.1:${t.port}`]) {
      const response = await rawRequest({ port: t.port, path: '/api/v1/users', host, headers: { authorization: `SSWS ${t.token}` } });
      expect(response.status, host).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(response.text);
      expect(body).toEqual({
        errorCode: 'E0000008',
        errorSummary: 'The requested path was not found',
        errorLink: 'E0000008',
        errorId: expect.stringMatching(/^oae[A-Za-z0-9]{22}$/),
        errorCauses: [{ errorSummary: `No org answers at ${host}. The first org is at ${t.url}.` }],
      });
      // Not the first org's data, and no rate-limit accounting for a host that is no org.
      expect(response.text).not.toContain(adminEmail);
      expect(response.headers['x-rate-limit-limit']).toBeUndefined();
    }
  });

  it('a sign-in page on an unknown Host is a readable 404 that also names the first org\'s URL, escaped', async () => {
    const response = await rawRequest({ port: t.port, path: '/login', host: 'elsewhere.example', headers: { accept: 'text/html' } });
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain(`The first org is at ${t.url}.`);
    expect(response.text).toContain('elsewhere.example');

    const hostile = await rawRequest({ port: t.port, path: '/login', host: '<script>x</script>.example', headers: { accept: 'text/html' } });
    expect(hostile.status).toBe(404);
    expect(hostile.text).not.toContain('<script>x</script>');
    expect(hostile.text).toContain('&#60;script&#62;x&#60;/script&#62;.example');
  });

  it('an unknown path under /api/v1 is a 404 E0000008, with or without a token', async () => {
    for (const headers of [{ authorization: `SSWS ${t.token}` }, {}] as Record<string, string>[]) {
      const response = await fetch(`${t.url}/api/v1/widgets/123`, { headers: { accept: 'application/json', ...headers } });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ errorCode: 'E0000008', errorSummary: 'The requested path was not found', errorCauses: [] });
    }
    const nested = await call(`/api/v1/users/${adminId}/no-such-sub-resource`);
    expect(nested.status).toBe(404);
    expect(nested.json.errorCode).toBe('E0000008');
  });

  it('a wrong method on an existing path is a 405 E0000022, not a 404', async () => {
    const cases: [string, string, string[]][] = [
      ['DELETE', '/api/v1/users', ['GET', 'HEAD', 'POST']],
      ['PATCH', `/api/v1/users/${adminId}`, ['DELETE', 'GET', 'HEAD', 'POST', 'PUT']],
      ['PUT', '/api/v1/logs', ['GET', 'HEAD']],
      ['DELETE', '/api/v1/org', ['GET', 'HEAD', 'POST']],
      ['PROPFIND', '/api/v1/users', ['GET', 'HEAD', 'POST']],
    ];
    for (const [method, path, allowed] of cases) {
      const response = await call(path, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.json, `${method} ${path}`).toMatchObject({
        errorCode: 'E0000022', errorSummary: 'The endpoint does not support the provided HTTP method', errorCauses: [],
      });
      // RFC 9110: a 405 says which methods the resource does support.
      expect(response.headers.get('allow')?.split(/,\s*/).sort(), `${method} ${path}`).toEqual(allowed);
    }
    // A method no route knows, on a path no route knows, is still just a 404.
    const unknown = await call('/api/v1/widgets', { method: 'PROPFIND' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.errorCode).toBe('E0000008');
    // The resource is untouched by the refused DELETE.
    expect((await call('/api/v1/users')).status).toBe(200);
    // Pages answer a wrong method with a readable 405 as well.
    const page = await fetch(`${t.url}/login`, { method: 'PUT' });
    expect(page.status).toBe(405);
    expect(page.headers.get('allow')?.split(/,\s*/).sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    await page.arrayBuffer();
  });
});

describe('graceful shutdown', () => {
  /** Sends one request over a raw socket in two parts; resolves with the whole response text. */
  function collect(socket: Socket): Promise<string> {
    return new Promise((resolve, reject) => {
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => { text += chunk; });
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
    });
  }

  it('lets a request in flight finish, drops idle keep-alive connections, refuses new ones and frees the port', async () => {
    const node = await startLanyard();
    let closed = false;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // An idle keep-alive connection: one finished request, socket parked in the agent.
      // (Wrapped in an object: resolving with a bare promise would wait for it.)
      const idle = await new Promise<{ closed: Promise<void> }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: node.port, path: '/health/live', agent, headers: { host: `localhost:${node.port}` } }, (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.headers.connection).toBe('keep-alive');
          const socket = res.socket;
          res.resume();
          const closed = new Promise<void>((done) => socket.once('close', () => done()));
          res.on('end', () => resolve({ closed }));
        });
        req.on('error', reject);
        req.end();
      });

      // A slow request in flight: headers sent, half of the body still to come.
      const body = JSON.stringify({ profile: { login: 'slow.upload@example.com', email: 'slow.upload@example.com', firstName: 'Slow', lastName: 'Upload' } });
      const slow = connect({ host: '127.0.0.1', port: node.port });
      await new Promise<void>((resolve, reject) => { slow.once('connect', () => resolve()); slow.once('error', reject); });
      const response = collect(slow);
      slow.write([
        'POST /api/v1/users?activate=false HTTP/1.1',
        `Host: localhost:${node.port}`,
        `Authorization: SSWS ${node.token}`,
        'Content-Type: application/json',
        'Accept: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        '', '',
      ].join('\r\n') + body.slice(0, 20));
      await new Promise((r) => setTimeout(r, 300));

      const started = Date.now();
      const closing = node.close().then(() => { closed = true; });
      await idle.closed;
      await new Promise((r) => setTimeout(r, 300));
      expect(closed, 'close() must wait for the request in flight').toBe(false);

      // The listening socket is gone: new connections are refused.
      const refused = await new Promise<string>((resolve) => {
        const probe = connect({ host: '127.0.0.1', port: node.port });
        probe.once('connect', () => { probe.destroy(); resolve('connected'); });
        probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');

      slow.write(body.slice(20));
      const text = await response;
      expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(text.toLowerCase()).toContain('connection: close');
      const json = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
      expect(json).toMatchObject({ status: 'STAGED', profile: { login: 'slow.upload@example.com' } });

      await closing;
      // Well before the 5 s cut-off that would have cut the request short.
      expect(Date.now() - started).toBeLessThan(4000);

      // The port is free again.
      const server = createServer();
      await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(node.port, '127.0.0.1', () => resolve()); });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    } finally {
      agent.destroy();
      if (!closed) await node.close().catch(() => {});
    }
  });
});
