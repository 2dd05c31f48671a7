/**
 * Pushing users to an app over SCIM 2.0, against a real SCIM server (scimmy) that records every
 * request: the connection and capabilities in Okta's shapes, test connection, and the lifecycle —
 * create (after a lookup by userName), link an account that already exists, update, deactivate,
 * reactivate, unassign — each asserted as the exact requests Okta's SCIM client sends. Then the
 * same with injected 429s, 500s and dropped connections: nothing lost, nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { eventually } from '../../helpers/eventually.ts';
import { startScimServer, type RecordedRequest, type ScimServer } from '../../helpers/scim-server.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let scim: ScimServer;
let appId: string;

const coreUser = 'urn:ietf:params:scim:schemas:core:2.0:User';
const patchOp = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A deterministic sequence in [0, 1), so a run with faults can be repeated. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

async function createUser(login: string, firstName: string, lastName: string): Promise<string> {
  const created = await call('/api/v1/users?activate=true', { method: 'POST', json: { profile: { login, email: login, firstName, lastName } } });
  expect(created.status, JSON.stringify(created.json)).toBe(200);
  return created.json.id;
}

async function linkOf(userId: string) {
  return (await call(`/api/v1/apps/${appId}/provisioning/users`)).json.find((l: any) => l.subjectId === userId);
}

/** The requests made after `mark`, as `METHOD path` lines with the decoded filter. */
function since(mark: number): RecordedRequest[] {
  return scim.requests.slice(mark);
}

async function settle(): Promise<void> {
  await eventually(async () => (await call(`/api/v1/apps/${appId}/provisioning/tasks?status=PENDING`)).json.length
    + (await call(`/api/v1/apps/${appId}/provisioning/tasks?status=RUNNING`)).json.length, (n) => n === 0);
}

beforeAll(async () => {
  scim = await startScimServer();
  t = await startLanyard({ env: { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_PROVISIONING_RETRY_MS: '20' } });
  call = api(t);
  const app = await call('/api/v1/apps', { method: 'POST', json: { label: 'Scim Wiki', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://wiki.example.com' } } } });
  appId = app.json.id;
});
afterAll(async () => {
  await t?.close();
  await scim?.close();
});

describe('the provisioning connection', () => {
  it('is set in Okta\'s shape, never shows its token, and tests the app\'s SCIM server', async () => {
    expect((await call(`/api/v1/apps/${appId}/connections/default`)).json).toEqual({ authScheme: 'UNKNOWN', status: 'DISABLED' });
    const set = await call(`/api/v1/apps/${appId}/connections/default?activate=true`, {
      method: 'POST', json: { baseUrl: scim.url, profile: { authScheme: 'TOKEN', token: scim.token } },
    });
    expect(set.status).toBe(201);
    expect(set.json).toEqual({ authScheme: 'TOKEN', baseUrl: scim.url, status: 'ENABLED' });
    expect(set.text).not.toContain(scim.token);
    const mark = scim.requests.length;
    const tested = await call(`/api/v1/apps/${appId}/provisioning/test`, { method: 'POST' });
    expect(tested.json.ok, JSON.stringify(tested.json)).toBe(true);
    expect(since(mark).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /scim/v2/ServiceProviderConfig', 'GET /scim/v2/Users']);
    expect(since(mark)[0]!.authorization).toBe(`Bearer ${scim.token}`);
  });

  it('refuses a bad connection and bad capabilities, clearly', async () => {
    const bad = await call(`/api/v1/apps/${appId}/connections/default`, { method: 'POST', json: { baseUrl: 'ftp://x', profile: { authScheme: 'TOKEN' } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json.errorCauses)).toMatch(/baseUrl/);
    expect(JSON.stringify(bad.json.errorCauses)).toMatch(/token/);
    const capability = await call(`/api/v1/apps/${appId}/features/USER_PROVISIONING`, { method: 'PUT', json: { create: { lifecycleCreate: { status: 'MAYBE' } } } });
    expect(capability.status).toBe(400);
  });

  it('turns on creating, updating and deactivating users', async () => {
    const updated = await call(`/api/v1/apps/${appId}/features/USER_PROVISIONING`, {
      method: 'PUT',
      json: { create: { lifecycleCreate: { status: 'ENABLED' } }, update: { profile: { status: 'ENABLED' }, lifecycleDeactivate: { status: 'ENABLED' } } },
    });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ name: 'USER_PROVISIONING', status: 'ENABLED', capabilities: { create: { lifecycleCreate: { status: 'ENABLED' } } } });
  });
});

describe('the lifecycle of a user, request by request', () => {
  let ada: string;
  let adaScimId: string;

  it('creates the account on assignment, after looking it up by userName', async () => {
    ada = await createUser('ada@example.com', 'Ada', 'Lovelace');
    const mark = scim.requests.length;
    expect((await call(`/api/v1/apps/${appId}/users`, { method: 'POST', json: { id: ada } })).status).toBe(200);
    const link = await eventually(() => linkOf(ada), (l) => l?.status === 'PROVISIONED');
    expect(link).toMatchObject({ status: 'PROVISIONED', externalName: 'ada@example.com', lastError: null });
    adaScimId = link.externalId;
    const requests = since(mark);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /scim/v2/Users', 'POST /scim/v2/Users']);
    expect(requests[0]!.query).toEqual({ filter: 'userName eq "ada@example.com"', startIndex: '1', count: '100' });
    expect(requests[1]!.body).toEqual({
      schemas: [coreUser], userName: 'ada@example.com', name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ primary: true, value: 'ada@example.com', type: 'work' }], displayName: 'Ada Lovelace', active: true,
    });
    expect(scim.directory.users.get(adaScimId)).toMatchObject({ userName: 'ada@example.com', active: true });
  });

  it('links an account that already exists instead of creating a second one, and brings it up to date', async () => {
    scim.directory.users.set('existing-1', {
      schemas: [coreUser], id: 'existing-1', userName: 'grace@example.com', name: { givenName: 'G', familyName: 'Hopper' }, active: true,
      emails: [{ primary: true, value: 'grace@example.com', type: 'work' }], displayName: 'Grace Hopper',
    });
    const grace = await createUser('grace@example.com', 'Grace', 'Hopper');
    const mark = scim.requests.length;
    await call(`/api/v1/apps/${appId}/users`, { method: 'POST', json: { id: grace } });
    const link = await eventually(() => linkOf(grace), (l) => l?.status === 'PROVISIONED');
    expect(link.externalId).toBe('existing-1');
    await settle();
    const requests = since(mark);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /scim/v2/Users', 'PATCH /scim/v2/Users/existing-1']);
    expect(requests[1]!.body).toEqual({ schemas: [patchOp], Operations: [{ op: 'replace', value: { name: { givenName: 'Grace' } } }] });
    expect([...scim.directory.users.values()].filter((u) => u.userName === 'grace@example.com')).toHaveLength(1);
  });

  it('updates the account when the profile changes: GET, then PATCH replace of what changed', async () => {
    const mark = scim.requests.length;
    expect((await call(`/api/v1/users/${ada}`, { method: 'POST', json: { profile: { firstName: 'Augusta' } } })).status).toBe(200);
    await eventually(async () => scim.directory.users.get(adaScimId)?.name?.givenName, (n) => n === 'Augusta');
    await settle();
    const requests = since(mark);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /scim/v2/Users/${adaScimId}`, `PATCH /scim/v2/Users/${adaScimId}`]);
    expect(requests[1]!.body).toEqual({
      schemas: [patchOp], Operations: [{ op: 'replace', value: { name: { givenName: 'Augusta' }, displayName: 'Augusta Lovelace' } }],
    });
  });

  it('deactivates the account when the user is deactivated, and reactivates it', async () => {
    let mark = scim.requests.length;
    expect((await call(`/api/v1/users/${ada}/lifecycle/deactivate`, { method: 'POST' })).status).toBe(200);
    await eventually(() => linkOf(ada), (l) => l?.status === 'DEACTIVATED');
    expect(since(mark).map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /scim/v2/Users/${adaScimId}`]);
    expect(since(mark)[0]!.body).toEqual({ schemas: [patchOp], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(scim.directory.users.get(adaScimId)!.active).toBe(false);

    mark = scim.requests.length;
    expect((await call(`/api/v1/users/${ada}/lifecycle/activate?sendEmail=false`, { method: 'POST' })).status).toBe(200);
    await eventually(async () => scim.directory.users.get(adaScimId)!.active, (a) => a === true);
    await settle();
    const requests = since(mark);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /scim/v2/Users/${adaScimId}`, `PATCH /scim/v2/Users/${adaScimId}`]);
    expect(requests[1]!.body).toEqual({ schemas: [patchOp], Operations: [{ op: 'replace', value: { active: true } }] });
  });

  it('deactivates the account when the user is unassigned, and uses PUT where the app wants it', async () => {
    const put = await call(`/api/v1/apps/${appId}/provisioning`, { method: 'GET' });
    const settings = { ...put.json, compatibility: { ...put.json.compatibility, updateMethod: 'PUT' } };
    expect((await call(`/api/v1/apps/${appId}/provisioning`, { method: 'PUT', json: settings })).status).toBe(200);
    let mark = scim.requests.length;
    await call(`/api/v1/users/${ada}`, { method: 'POST', json: { profile: { lastName: 'King' } } });
    await eventually(async () => scim.directory.users.get(adaScimId)?.name?.familyName, (n) => n === 'King');
    await settle();
    const [, update] = since(mark);
    expect(`${update!.method} ${update!.path}`).toBe(`PUT /scim/v2/Users/${adaScimId}`);
    expect(update!.body).toMatchObject({ schemas: [coreUser], id: adaScimId, userName: 'ada@example.com', name: { givenName: 'Augusta', familyName: 'King' }, active: true });

    mark = scim.requests.length;
    expect((await call(`/api/v1/apps/${appId}/users/${ada}`, { method: 'DELETE' })).status).toBe(204);
    await eventually(() => linkOf(ada), (l) => l?.status === 'DEACTIVATED');
    expect(since(mark).map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body)}`))
      .toEqual([`PATCH /scim/v2/Users/${adaScimId} ${JSON.stringify({ schemas: [patchOp], Operations: [{ op: 'replace', value: { active: false } }] })}`]);
  });

  it('syncs a new password to the account when password sync is on, and records it only as ********', async () => {
    const grace = (await call('/api/v1/users/grace@example.com')).json.id;
    const graceScimId = (await linkOf(grace)).externalId;
    expect((await call(`/api/v1/apps/${appId}/features/USER_PROVISIONING`, {
      method: 'PUT',
      json: { create: { lifecycleCreate: { status: 'ENABLED' } }, update: { profile: { status: 'ENABLED' }, lifecycleDeactivate: { status: 'ENABLED' }, password: { status: 'ENABLED' } } },
    })).status).toBe(200);
    const mark = scim.requests.length;
    const secret = 'Sapphire-Lantern-Harbour-31';
    expect((await call(`/api/v1/users/${grace}`, { method: 'POST', json: { credentials: { password: { value: secret } } } })).status).toBe(200);
    await eventually(async () => scim.directory.users.get(graceScimId)?.password, (p) => p === secret);
    await settle();
    expect(since(mark).map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body)}`))
      .toEqual([`PATCH /scim/v2/Users/${graceScimId} ${JSON.stringify({ schemas: [patchOp], Operations: [{ op: 'replace', value: { password: secret } }] })}`]);
    const records = JSON.stringify((await call(`/api/v1/apps/${appId}/provisioning/requests?limit=5`)).json);
    expect(records).not.toContain(secret);
    expect(records).toContain('********');
  });

  it('keeps a record of every request and answer, without the token', async () => {
    const records = (await call(`/api/v1/apps/${appId}/provisioning/requests?limit=1000`)).json;
    expect(records.length).toBeGreaterThan(8);
    expect(records.find((r: any) => r.method === 'POST' && r.path === '/Users')).toMatchObject({ status: 201, requestBody: expect.stringContaining('ada@example.com') });
    expect(JSON.stringify(records)).not.toContain(scim.token);
  });
});

describe('faults', () => {
  it('lose nothing and duplicate nothing: 25 users through 429s, 500s and dropped connections', async () => {
    scim.faults = { rate429: 0.2, retryAfterSeconds: 0, rate500: 0.1, dropRate: 0.05 };
    const group = await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Faulty' } } });
    const logins: string[] = [];
    for (let i = 0; i < 25; i++) {
      const login = `fault${i}@example.com`;
      logins.push(login);
      const id = await createUser(login, `F${i}`, 'Ault');
      await call(`/api/v1/groups/${group.json.id}/users/${id}`, { method: 'PUT' });
    }
    expect((await call(`/api/v1/apps/${appId}/groups/${group.json.id}`, { method: 'PUT', json: {} })).status).toBe(200);
    const provisioned = await eventually(async () => logins.filter((l) => [...scim.directory.users.values()].some((u) => u.userName === l && u.active)).length,
      (n) => n === 25, 60_000);
    scim.faults = {};
    expect(provisioned).toBe(25);
    await settle();
    for (const login of logins) expect([...scim.directory.users.values()].filter((u) => u.userName === login), login).toHaveLength(1);
    const injected = scim.requests.filter((r) => r.status === 429 || r.status === 500 || r.status === 0).length;
    expect(injected).toBeGreaterThan(5);
    expect((await call(`/api/v1/apps/${appId}/provisioning/tasks?status=DEAD`)).json).toEqual([]);
  });
});
