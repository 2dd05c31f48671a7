/**
 * Provisioning throughput under faults: 10,000 users, members of one group, pushed to a SCIM
 * server (the suite's scimmy server) that answers 5% of requests with 429 (Retry-After 1 s) and 1%
 * with 500 — from the assignment of the group to the app until every user is in the app and the
 * queue is empty. The count of users present exactly once must be 10,000. The baseline, in the
 * same run: a bare SCIM client creating the same number of users on a fault-free server, with the
 * same concurrency and the same two requests per user (lookup, then create), and nothing else.
 *
 * Run alone: `node bench/run.ts scim-provisioning`.
 */
import { performance } from 'node:perf_hooks';
import { startScimServer } from '../test/helpers/scim-server.ts';
import { lookupUserPath, userBody } from '../src/protocols/scim/client.ts';
import { compatibilitySchema } from '../src/domain/provisioning.ts';
import { systemCaller } from '../src/services/bootstrap.ts';
import { apiCall, log, newAdminToken, startServer, tempDir, type BenchRow } from './lib.ts';

export const name = 'scim-provisioning';

const concurrency = 16;

export async function run(options: { users?: number } = {}): Promise<BenchRow[]> {
  const users = options.users ?? 10_000;
  const dir = tempDir('lanyard-bench-scim-');
  const target = await startScimServer({ faults: { rate429: 0.05, retryAfterSeconds: 1, rate500: 0.01 } });
  const plain = await startScimServer();
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    log(`${name}: starting Lanyard on ${dir.path}`);
    server = await startServer(dir.path, newAdminToken(), undefined, { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_PROVISIONING_RETRY_MS: '100' });
    const lanyard = server.lanyard;
    const org = (await lanyard.store.orgs.findDefault())!;
    const caller = systemCaller(org);
    const group = await lanyard.services.groups.create(caller, { name: 'Bench provisioning' });
    log(`${name}: creating ${users} users`);
    for (let i = 0; i < users; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, users - i) }, (_, j) => {
        const login = `bench${String(i + j).padStart(5, '0')}@bench.example`;
        return lanyard.services.users.create(caller, { profile: { login, email: login, firstName: 'Bench', lastName: `User${i + j}` }, groupIds: [group.id] }, { activate: true });
      }));
    }
    const app = await apiCall(server, 'POST', '/api/v1/apps', { label: 'Bench SCIM app', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://bench.example' } } });
    await apiCall(server, 'POST', `/api/v1/apps/${app.id}/connections/default?activate=true`, { baseUrl: target.url, profile: { authScheme: 'TOKEN', token: target.token } }, 201);
    await apiCall(server, 'PUT', `/api/v1/apps/${app.id}/features/USER_PROVISIONING`, { create: { lifecycleCreate: { status: 'ENABLED' } } });
    const settings = await apiCall(server, 'GET', `/api/v1/apps/${app.id}/provisioning`);
    await apiCall(server, 'PUT', `/api/v1/apps/${app.id}/provisioning`, { ...settings, concurrency, requestsPerSecond: 1000 });

    log(`${name}: assigning the group (${users} pushes queued)`);
    const started = performance.now();
    await apiCall(server, 'PUT', `/api/v1/apps/${app.id}/groups/${group.id}`, {});
    const queued = performance.now();
    while (await lanyard.store.provisioningQueue.countOpen() > 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (performance.now() - started > 30 * 60_000) throw new Error('provisioning did not finish in 30 minutes');
    }
    const seconds = (performance.now() - started) / 1000;
    const names = [...target.directory.users.values()].map((u) => String(u.userName));
    const once = names.length === new Set(names).size ? names.length : [...new Set(names)].filter((n) => names.filter((m) => m === n).length === 1).length;
    const dead = (await apiCall(server, 'GET', `/api/v1/apps/${app.id}/provisioning/tasks?status=DEAD&limit=1000`)).length;
    const injected = target.requests.filter((r) => r.status === 429 || r.status === 500).length;
    log(`${name}: ${names.length} users in the app after ${seconds.toFixed(1)} s (${once} exactly once, ${dead} dead, ${injected} faults injected)`);

    // The baseline: the same two requests per user, straight at a fault-free server, 16 at a time.
    log(`${name}: baseline, a bare SCIM client`);
    const compatibility = compatibilitySchema.parse({});
    const headers = { authorization: `Bearer ${plain.token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' };
    let next = 0;
    const baselineStart = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < users) {
        const i = next++;
        const login = `bench${String(i).padStart(5, '0')}@bench.example`;
        await (await fetch(`${plain.url}${lookupUserPath(login)}`, { headers })).text();
        const body = userBody({ userName: login, 'name.givenName': 'Bench', 'name.familyName': `User${i}`, 'emails.work': login } as never, true, compatibility);
        const created = await fetch(`${plain.url}/Users`, { method: 'POST', headers, body: JSON.stringify(body) });
        if (created.status !== 201) throw new Error(`baseline create answered ${created.status}`);
        await created.text();
      }
    }));
    const baselineSeconds = (performance.now() - baselineStart) / 1000;
    log(`${name}: baseline ${users} users in ${baselineSeconds.toFixed(1)} s`);

    return [
      {
        benchmark: name, figure: `users provisioned per second, 5% 429 (Retry-After 1 s) and 1% 500 injected (${concurrency} at once)`,
        value: users / seconds, unit: '/s', baseline: users / baselineSeconds, baselineLabel: 'bare SCIM client, no faults',
        note: `From the group's assignment to an empty queue: ${users.toLocaleString('en-US')} users in ${seconds.toFixed(1)} s, `
          + `${((queued - started) / 1000).toFixed(1)} s of it queueing the pushes in the assignment's transaction; ${injected} faults answered by the server. `
          + 'For each user Lanyard makes the requests Okta does: a lookup by userName, then the create.',
      },
      { benchmark: name, figure: 'users in the app exactly once', value: once, unit: `of ${users.toLocaleString('en-US')}` },
      { benchmark: name, figure: 'tasks in the dead letters', value: dead, unit: 'tasks' },
    ];
  } finally {
    await server?.close();
    await target.close();
    await plain.close();
    dir.remove();
  }
}
