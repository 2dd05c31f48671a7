/**
 * Importing an app's existing accounts from its SCIM server: paged reads of /Users and /Groups
 * as Okta pages them, matches by login, email or an attribute, proposals shown with progress,
 * nothing changed before confirmation, then links, new users and assignments as confirmed
 * (with the admin's overrides); and the scheduled import that only links exact matches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { startScimServer, type ScimServer } from '../../helpers/scim-server.ts';
import { systemCaller } from '../../../src/services/bootstrap.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let scim: ScimServer;
let appId: string;
const coreUser = 'urn:ietf:params:scim:schemas:core:2.0:User';

function seed(id: string, userName: string, extra: Record<string, unknown> = {}) {
  scim.directory.users.set(id, {
    schemas: [coreUser], id, userName, name: { givenName: 'App', familyName: id }, emails: [{ value: userName, type: 'work', primary: true }], active: true, ...extra,
  });
  scim.directory.userNames.set(userName.toLowerCase(), id);
}

async function until(importId: string, status: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const record = (await call(`/api/v1/apps/${appId}/provisioning/imports/${importId}`)).json;
    if (record.status === status || Date.now() > deadline) return record;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  scim = await startScimServer();
  for (let i = 0; i < 120; i++) seed(`a${i}`, `app.user${i}@example.com`);
  seed('ann-app', 'ann@example.com');
  seed('bob-app', 'robert.app@example.com', { emails: [{ value: 'bob@example.com', type: 'work', primary: true }] });
  seed('cat-app', 'cat.app@example.com', { externalId: 'E-77' });
  scim.directory.groups.set('g-sales', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: 'g-sales', displayName: 'Sales', members: [] });
  t = await startLanyard({ env: { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_PROVISIONING_RETRY_MS: '20' } });
  call = api(t);
  for (const [login, extra] of [['ann@example.com', {}], ['bob@example.com', {}], ['cat@example.com', { employeeNumber: 'E-77' }]] as const) {
    await call('/api/v1/users?activate=true', { method: 'POST', json: { profile: { login, email: login, firstName: login[0]!.toUpperCase(), lastName: 'Here', ...extra } } });
  }
  await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Sales' } } });
  appId = (await call('/api/v1/apps', { method: 'POST', json: { label: 'Import App', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://import.example.com' } } } })).json.id;
  await call(`/api/v1/apps/${appId}/connections/default?activate=true`, { method: 'POST', json: { baseUrl: scim.url, profile: { authScheme: 'TOKEN', token: scim.token } } });
});
afterAll(async () => {
  await t?.close();
  await scim?.close();
});

describe('importing an app\'s accounts', () => {
  it('is refused while import is turned off', async () => {
    const refused = await call(`/api/v1/apps/${appId}/provisioning/imports`, { method: 'POST', json: {} });
    expect(refused.status).toBe(400);
    const settings = (await call(`/api/v1/apps/${appId}/provisioning`)).json;
    expect((await call(`/api/v1/apps/${appId}/provisioning`, { method: 'PUT', json: { ...settings, importUsers: true } })).status).toBe(200);
  });

  it('reads every page, proposes matches by login, and changes nothing yet', async () => {
    const mark = scim.requests.length;
    const started = await call(`/api/v1/apps/${appId}/provisioning/imports`, { method: 'POST', json: { match: 'login', createUnmatched: true } });
    expect(started.status).toBe(202);
    expect(started.json.status).toBe('RUNNING');
    const ready = await until(started.json.id, 'READY');
    expect(ready.status).toBe('READY');
    expect(ready.progress).toMatchObject({ users: 123, groups: 1, usersTotal: 123 });
    expect(scim.requests.slice(mark).map((r) => `${r.method} ${r.path} ${r.query.startIndex}/${r.query.count}`))
      .toEqual(['GET /scim/v2/Users 1/100', 'GET /scim/v2/Users 101/100', 'GET /scim/v2/Groups 1/100']);
    const byId = Object.fromEntries(ready.results.users.map((u: any) => [u.externalId, u]));
    expect(byId['ann-app']).toMatchObject({ proposed: 'link', match: { login: 'ann@example.com' } });
    expect(byId['bob-app'].proposed).toBe('create');
    expect(byId.a7).toMatchObject({ proposed: 'create', userName: 'app.user7@example.com', match: null });
    expect(ready.results.groups).toEqual([expect.objectContaining({ externalId: 'g-sales', proposed: 'link' })]);
    expect((await call(`/api/v1/apps/${appId}/users`)).json).toEqual([]);
  });

  it('matches by email or by an attribute when asked', async () => {
    const byEmail = await until((await call(`/api/v1/apps/${appId}/provisioning/imports`, { method: 'POST', json: { match: 'email' } })).json.id, 'READY');
    expect(byEmail.results.users.find((u: any) => u.externalId === 'bob-app')).toMatchObject({ proposed: 'link', match: { login: 'bob@example.com' } });
    const byAttribute = await until((await call(`/api/v1/apps/${appId}/provisioning/imports`, { method: 'POST', json: { match: 'attribute', attribute: 'employeeNumber' } })).json.id, 'READY');
    expect(byAttribute.results.users.find((u: any) => u.externalId === 'cat-app')).toMatchObject({ proposed: 'link', match: { login: 'cat@example.com' } });
    expect((await call(`/api/v1/apps/${appId}/provisioning/imports`, { method: 'POST', json: { match: 'attribute' } })).status).toBe(400);
  });

  it('applies what is confirmed, with the admin\'s overrides: links, new users, assignments', async () => {
    const imported = (await call(`/api/v1/apps/${appId}/provisioning/imports`)).json.find((r: any) => r.options.match === 'login' && r.status === 'READY');
    const bob = (await call('/api/v1/users/bob@example.com')).json.id;
    const decisions = [
      { externalId: 'bob-app', action: 'link', userId: bob },
      ...Array.from({ length: 120 }, (_, i) => ({ externalId: `a${i}`, action: i < 2 ? 'create' : 'ignore' })),
    ];
    const confirmed = await call(`/api/v1/apps/${appId}/provisioning/imports/${imported.id}/confirm`, { method: 'POST', json: { decisions } });
    expect(confirmed.status, JSON.stringify(confirmed.json).slice(0, 500)).toBe(200);
    expect(confirmed.json.status).toBe('APPLIED');
    const links = (await call(`/api/v1/apps/${appId}/provisioning/users`)).json;
    const linked = Object.fromEntries(links.map((l: any) => [l.externalId, l.status]));
    expect(linked).toMatchObject({ 'ann-app': 'PROVISIONED', 'bob-app': 'PROVISIONED', a0: 'PROVISIONED', a1: 'PROVISIONED' });
    expect(linked.a2).toBeUndefined();
    expect((await call('/api/v1/users/app.user0@example.com')).json.profile).toMatchObject({ email: 'app.user0@example.com', firstName: 'App', lastName: 'a0' });
    expect((await call('/api/v1/users/app.user2@example.com')).status).toBe(404);
    // Ann and Bob linked, a0 and a1 created by decision, cat.app created as proposed (no decision about it).
    const assigned = (await call(`/api/v1/apps/${appId}/users?limit=200`)).json.map((a: any) => a.id).sort();
    expect(assigned).toHaveLength(5);
    expect((await call('/api/v1/users/cat.app@example.com')).status).toBe(200);
    expect((await call(`/api/v1/apps/${appId}/provisioning/groups`)).json).toEqual([expect.objectContaining({ externalId: 'g-sales', status: 'PUSHED' })]);
    // Nothing was created twice in the app by the assignments' pushes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([...scim.directory.users.values()].filter((u) => u.userName === 'ann@example.com')).toHaveLength(1);
    expect((await call(`/api/v1/apps/${appId}/provisioning/imports/${imported.id}/confirm`, { method: 'POST', json: {} })).status).toBe(400);
  });

  it('runs on a schedule, linking only exact matches and creating nobody', async () => {
    seed('dan-app', 'dan@example.com');
    await call('/api/v1/users?activate=true', { method: 'POST', json: { profile: { login: 'dan@example.com', email: 'dan@example.com', firstName: 'Dan', lastName: 'Here' } } });
    const org = (await t.lanyard.store.orgs.findDefault())!;
    const done = await t.lanyard.services.provisioningImport.runScheduled(systemCaller(org), appId, 'login');
    expect(done?.status).toBe('APPLIED');
    const links = (await call(`/api/v1/apps/${appId}/provisioning/users`)).json;
    expect(links.find((l: any) => l.externalId === 'dan-app')).toMatchObject({ status: 'PROVISIONED' });
    expect((await call('/api/v1/users/app.user5@example.com')).status).toBe(404);
  });
});
