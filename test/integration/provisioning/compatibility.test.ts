/**
 * One engine for every vendor's quirks, each against the scimmy server: OAuth 2 client
 * credentials instead of a static token, PATCH operations with paths, deprovisioning by DELETE,
 * lower-cased userNames; and the dead letters — a task the app refuses for good is kept with its
 * error, the user's status says so, and an admin's retry runs it again once the cause is fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { eventually } from '../../helpers/eventually.ts';
import { startScimServer, type ScimServer } from '../../helpers/scim-server.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let scim: ScimServer;
const patchOp = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

async function app(label: string, profile: Record<string, unknown>, compatibility: Record<string, unknown>): Promise<string> {
  const id = (await call('/api/v1/apps', { method: 'POST', json: { label, signOnMode: 'BOOKMARK', settings: { app: { url: 'https://quirks.example.com' } } } })).json.id;
  expect((await call(`/api/v1/apps/${id}/connections/default?activate=true`, { method: 'POST', json: { baseUrl: scim.url, profile } })).status).toBe(201);
  await call(`/api/v1/apps/${id}/features/USER_PROVISIONING`, {
    method: 'PUT', json: { create: { lifecycleCreate: { status: 'ENABLED' } }, update: { profile: { status: 'ENABLED' }, lifecycleDeactivate: { status: 'ENABLED' } } },
  });
  const settings = (await call(`/api/v1/apps/${id}/provisioning`)).json;
  expect((await call(`/api/v1/apps/${id}/provisioning`, { method: 'PUT', json: { ...settings, compatibility: { ...settings.compatibility, ...compatibility } } })).status).toBe(200);
  return id;
}

async function person(login: string): Promise<string> {
  return (await call('/api/v1/users?activate=true', { method: 'POST', json: { profile: { login, email: login, firstName: 'Quirk', lastName: 'Case' } } })).json.id;
}

const linkOf = async (appId: string, userId: string) => (await call(`/api/v1/apps/${appId}/provisioning/users`)).json.find((l: any) => l.subjectId === userId);

beforeAll(async () => {
  scim = await startScimServer();
  t = await startLanyard({ env: { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_PROVISIONING_RETRY_MS: '20' } });
  call = api(t);
});
afterAll(async () => {
  await t?.close();
  await scim?.close();
});

describe('compatibility', () => {
  it('gets a token by OAuth 2 client credentials, PATCHes with paths, lower-cases userNames, deprovisions by DELETE', async () => {
    const tokenUrl = scim.url.replace(/\/scim\/v2$/, '/oauth/token');
    const id = await app('Quirky', { authScheme: 'OAUTH2', tokenUrl, clientId: scim.oauthClient.id, clientSecret: scim.oauthClient.secret },
      { patchNeedsPath: true, deprovision: 'delete', userNameCase: 'lower' });
    const connection = await call(`/api/v1/apps/${id}/connections/default`);
    expect(JSON.stringify(connection.json)).not.toContain(scim.oauthClient.secret);
    const user = await person('Mixed.Case@Example.com');
    await call(`/api/v1/apps/${id}/users`, { method: 'POST', json: { id: user } });
    const link = await eventually(() => linkOf(id, user), (l) => l?.status === 'PROVISIONED');
    expect(scim.directory.users.get(link.externalId)!.userName).toBe('mixed.case@example.com');
    expect(scim.tokensIssued).toBe(1);

    let mark = scim.requests.length;
    await call(`/api/v1/users/${user}`, { method: 'POST', json: { profile: { firstName: 'Quirky' } } });
    await eventually(() => scim.directory.users.get(link.externalId)?.name?.givenName, (n) => n === 'Quirky');
    const update = scim.requests.slice(mark).find((r) => r.method === 'PATCH')!;
    expect(update.body).toEqual({ schemas: [patchOp], Operations: [
      { op: 'replace', path: 'name.givenName', value: 'Quirky' }, { op: 'replace', path: 'displayName', value: 'Quirky Case' },
    ] });

    mark = scim.requests.length;
    await call(`/api/v1/apps/${id}/users/${user}`, { method: 'DELETE' });
    await eventually(() => linkOf(id, user), (l) => l?.status === 'DEACTIVATED');
    expect(scim.requests.slice(mark).map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /scim/v2/Users/${link.externalId}`]);
    expect(scim.directory.users.has(link.externalId)).toBe(false);
    expect(scim.tokensIssued).toBe(1);
  });
});

describe('timeouts', () => {
  it('gives up on a request that never answers, and the retry provisions the user once', { timeout: 60_000 }, async () => {
    const id = await app('Stalling', { authScheme: 'TOKEN', token: scim.token }, {});
    const user = await person('stalled@example.com');
    scim.faults = { stallNext: 1 };
    await call(`/api/v1/apps/${id}/users`, { method: 'POST', json: { id: user } });
    const link = await eventually(() => linkOf(id, user), (l) => l?.status === 'PROVISIONED', 40_000);
    expect(link.status).toBe('PROVISIONED');
    const stalled = scim.requests.filter((r) => r.query.filter === 'userName eq "stalled@example.com"');
    expect(stalled.length).toBe(2);
    expect(stalled[0]!.status).toBe(0);
    expect([...scim.directory.users.values()].filter((u) => u.userName === 'stalled@example.com')).toHaveLength(1);
    const records = (await call(`/api/v1/apps/${id}/provisioning/requests`)).json;
    expect(records.some((r: any) => r.status === 0 && /no answer within 10 s/.test(r.responseBody))).toBe(true);
  });
});

describe('dead letters', () => {
  it('keeps a task the app refuses for good, shows the error, and runs it again on an admin\'s retry', async () => {
    const id = await app('Refusing', { authScheme: 'TOKEN', token: 'wrong-token' }, {});
    const user = await person('refused@example.com');
    await call(`/api/v1/apps/${id}/users`, { method: 'POST', json: { id: user } });
    const dead = await eventually(async () => (await call(`/api/v1/apps/${id}/provisioning/tasks?status=DEAD`)).json, (tasks) => tasks.length === 1);
    expect(dead[0]).toMatchObject({ subjectId: user, kind: 'push', status: 'DEAD', attempts: 1, lastError: expect.stringMatching(/answered 401/) });
    expect(dead[0].payload).toBeUndefined();
    expect(await linkOf(id, user)).toMatchObject({ status: 'ERROR', lastError: expect.stringMatching(/answered 401/) });

    // The admin fixes the token and retries the dead task.
    await call(`/api/v1/apps/${id}/connections/default`, { method: 'POST', json: { baseUrl: scim.url, profile: { authScheme: 'TOKEN', token: scim.token } } });
    const retried = await call(`/api/v1/apps/${id}/provisioning/tasks/${dead[0].id}/retry`, { method: 'POST' });
    expect(retried.json).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(await eventually(() => linkOf(id, user), (l) => l?.status === 'PROVISIONED')).toMatchObject({ status: 'PROVISIONED', lastError: null });
    expect((await call(`/api/v1/apps/${id}/provisioning/tasks/${dead[0].id}/retry`, { method: 'POST' })).status).toBe(400);
    expect((await call(`/api/v1/apps/${id}/provisioning/tasks/ptkNoSuchTask0000000/retry`, { method: 'POST' })).status).toBe(404);
  });
});
