/**
 * Two Lanyard nodes on one store share the provisioning queue: 200 users pushed while both
 * workers run, and every push ran exactly once — one lookup and one create per user, never two —
 * because a task is claimed by one node's lease only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { eventually } from '../../helpers/eventually.ts';
import { startScimServer, type ScimServer } from '../../helpers/scim-server.ts';

let a: TestLanyard;
let b: TestLanyard;
let scim: ScimServer;
const env = { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_PROVISIONING_RETRY_MS: '20' };

beforeAll(async () => {
  scim = await startScimServer({ faults: { latencyMs: 2 } });
  a = await startLanyard({ env });
  b = await startLanyard({ env, dataDir: a.dataDir, ...(a.databaseUrl ? { databaseUrl: a.databaseUrl } : {}) });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await scim?.close();
});

describe('two nodes', () => {
  it('push every user exactly once between them', { timeout: 120_000 }, async () => {
    const call = api(a);
    await call('/api/v1/org/settings', { method: 'PUT', json: { rateLimits: { 'api.users.collection': 100_000 } } });
    const app = (await call('/api/v1/apps', { method: 'POST', json: { label: 'Shared', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://shared.example.com' } } } })).json.id;
    await call(`/api/v1/apps/${app}/connections/default?activate=true`, { method: 'POST', json: { baseUrl: scim.url, profile: { authScheme: 'TOKEN', token: scim.token } } });
    await call(`/api/v1/apps/${app}/features/USER_PROVISIONING`, { method: 'PUT', json: { create: { lifecycleCreate: { status: 'ENABLED' } } } });
    const settings = (await call(`/api/v1/apps/${app}/provisioning`)).json;
    await call(`/api/v1/apps/${app}/provisioning`, { method: 'PUT', json: { ...settings, concurrency: 8, requestsPerSecond: 1000 } });
    const group = (await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Shared group' } } })).json.id;
    for (let i = 0; i < 200; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => {
        const login = `node${i + j}@example.com`;
        return call('/api/v1/users?activate=true', { method: 'POST', json: { profile: { login, email: login, firstName: 'Node', lastName: `U${i + j}` }, groupIds: [group] } });
      }));
    }
    await call(`/api/v1/apps/${app}/groups/${group}`, { method: 'PUT', json: {} });
    await eventually(() => scim.directory.users.size, (n) => n === 200, 90_000);
    await eventually(() => a.lanyard.store.provisioningQueue.countOpen(), (n) => n === 0, 30_000);

    const posts = scim.requests.filter((r) => r.method === 'POST' && r.path === '/scim/v2/Users');
    const lookups = scim.requests.filter((r) => r.method === 'GET' && r.path === '/scim/v2/Users');
    expect(posts).toHaveLength(200);
    expect(lookups).toHaveLength(200);
    expect(new Set(posts.map((r) => r.body.userName)).size).toBe(200);
    // Every task finished once, by one of two workers with their own leases.
    const records = await a.lanyard.store.forOrg((await a.lanyard.store.orgs.findDefault())!.id).provisioning.listTasks(app, 'DONE', 1000);
    expect(records).toHaveLength(200);
    expect(a.lanyard.services.provisioningEngine.owner).not.toBe(b.lanyard.services.provisioningEngine.owner);
  });
});
