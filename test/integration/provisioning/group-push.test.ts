/**
 * Group push over SCIM 2.0 against the scimmy server: a pushed group is created with the members
 * that have accounts (in PATCHes of at most the app's limit), an existing group of the same name
 * is linked instead, and membership changes, renames and unlinking follow — each asserted as the
 * exact requests Okta's provisioning client sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { eventually } from '../../helpers/eventually.ts';
import { startScimServer, type ScimServer } from '../../helpers/scim-server.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let scim: ScimServer;
let appId: string;
let groupId: string;
const people: Record<string, string> = {};
const patchOp = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

async function settle(): Promise<void> {
  await eventually(async () => (await t.lanyard.store.provisioningQueue.countOpen()), (n) => n === 0);
}

const scimIdOf = (login: string) => [...scim.directory.users.values()].find((u) => u.userName === login)!.id as string;
const groupNamed = (name: string) => [...scim.directory.groups.values()].find((g) => g.displayName === name);
const memberIds = (name: string) => ((groupNamed(name)?.members ?? []) as { value: string }[]).map((m) => m.value).sort();

async function person(login: string): Promise<string> {
  const made = await call('/api/v1/users?activate=true', { method: 'POST', json: { profile: { login, email: login, firstName: login.split('@')[0], lastName: 'Push' } } });
  people[login] = made.json.id;
  return made.json.id;
}

beforeAll(async () => {
  scim = await startScimServer();
  t = await startLanyard({ env: { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_PROVISIONING_RETRY_MS: '20' } });
  call = api(t);
  appId = (await call('/api/v1/apps', { method: 'POST', json: { label: 'Group App', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://groups.example.com' } } } })).json.id;
  await call(`/api/v1/apps/${appId}/connections/default?activate=true`, { method: 'POST', json: { baseUrl: scim.url, profile: { authScheme: 'TOKEN', token: scim.token } } });
  await call(`/api/v1/apps/${appId}/features/USER_PROVISIONING`, {
    method: 'PUT', json: { create: { lifecycleCreate: { status: 'ENABLED' } }, update: { lifecycleDeactivate: { status: 'ENABLED' }, profile: { status: 'ENABLED' } } },
  });
  const settings = (await call(`/api/v1/apps/${appId}/provisioning`)).json;
  await call(`/api/v1/apps/${appId}/provisioning`, { method: 'PUT', json: { ...settings, groupPush: true, compatibility: { ...settings.compatibility, maxGroupMembersPerPatch: 2 } } });
  groupId = (await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Engineering' } } })).json.id;
  for (const login of ['ann@example.com', 'bob@example.com', 'cyd@example.com']) {
    await call(`/api/v1/groups/${groupId}/users/${await person(login)}`, { method: 'PUT' });
  }
  expect((await call(`/api/v1/apps/${appId}/groups/${groupId}`, { method: 'PUT', json: {} })).status).toBe(200);
  await eventually(() => scim.directory.users.size, (n) => n === 3);
  await settle();
});
afterAll(async () => {
  await t?.close();
  await scim?.close();
});

describe('group push', () => {
  it('is refused for a group that does not exist', async () => {
    expect((await call(`/api/v1/apps/${appId}/provisioning/groups`, { method: 'POST', json: { groupId: '00gNoSuchGroup000000' } })).status).toBe(404);
  });

  it('creates the group with its members, at most the app\'s limit per request', async () => {
    const mark = scim.requests.length;
    const pushed = await call(`/api/v1/apps/${appId}/provisioning/groups`, { method: 'POST', json: { groupId } });
    expect(pushed.status).toBe(200);
    await eventually(() => memberIds('Engineering').length, (n) => n === 3);
    await settle();
    const requests = scim.requests.slice(mark);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /scim/v2/Groups', 'POST /scim/v2/Groups', `PATCH /scim/v2/Groups/${groupNamed('Engineering')!.id}`]);
    expect(requests[0]!.query.filter).toBe('displayName eq "Engineering"');
    expect(requests[1]!.body.displayName).toBe('Engineering');
    expect(requests[1]!.body.members).toHaveLength(2);
    expect(requests[2]!.body).toEqual({ schemas: [patchOp], Operations: [{ op: 'add', path: 'members', value: [expect.objectContaining({ value: expect.any(String), display: expect.any(String) })] }] });
    expect(memberIds('Engineering')).toEqual(['ann@example.com', 'bob@example.com', 'cyd@example.com'].map(scimIdOf).sort());
    expect((await call(`/api/v1/apps/${appId}/provisioning/groups`)).json).toEqual([expect.objectContaining({ subjectId: groupId, status: 'PUSHED', externalName: 'Engineering' })]);
  });

  it('adds a new member once their account exists, and removes one who leaves', async () => {
    const dee = await person('dee@example.com');
    await call(`/api/v1/groups/${groupId}/users/${dee}`, { method: 'PUT' });
    await eventually(() => memberIds('Engineering').length, (n) => n === 4);
    await settle();
    const engineering = groupNamed('Engineering')!.id;
    const mark = scim.requests.length;
    await call(`/api/v1/groups/${groupId}/users/${people['bob@example.com']}`, { method: 'DELETE' });
    await eventually(() => memberIds('Engineering').length, (n) => n === 3);
    await settle();
    const removal = scim.requests.slice(mark).find((r) => r.method === 'PATCH' && r.path === `/scim/v2/Groups/${engineering}`);
    expect(removal!.body).toEqual({ schemas: [patchOp], Operations: [{ op: 'remove', path: `members[value eq "${scimIdOf('bob@example.com')}"]` }] });
    // Bob is no longer assigned through the group: his account is deactivated too.
    expect(scim.directory.users.get(scimIdOf('bob@example.com'))!.active).toBe(false);
  });

  it('renames the group in the app when it is renamed here', async () => {
    const id = groupNamed('Engineering')!.id;
    const mark = scim.requests.length;
    await call(`/api/v1/groups/${groupId}`, { method: 'PUT', json: { profile: { name: 'Platform Engineering' } } });
    await eventually(() => scim.directory.groups.get(id)?.displayName, (n) => n === 'Platform Engineering');
    await settle();
    const rename = scim.requests.slice(mark).find((r) => r.method === 'PATCH');
    expect(rename!.body).toEqual({ schemas: [patchOp], Operations: [{ op: 'replace', value: { id, displayName: 'Platform Engineering' } }] });
  });

  it('links a group of the same name that already exists in the app, instead of creating another', async () => {
    scim.directory.groups.set('g-existing', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: 'g-existing', displayName: 'Design', members: [] });
    const design = (await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Design' } } })).json.id;
    await call(`/api/v1/groups/${design}/users/${people['ann@example.com']}`, { method: 'PUT' });
    await call(`/api/v1/apps/${appId}/provisioning/groups`, { method: 'POST', json: { groupId: design } });
    await eventually(() => memberIds('Design'), (m) => m.length === 1);
    await settle();
    expect([...scim.directory.groups.values()].filter((g) => g.displayName === 'Design')).toHaveLength(1);
    expect(memberIds('Design')).toEqual([scimIdOf('ann@example.com')]);
  });

  it('deletes the app\'s group when unlinked with deleteInApp, and leaves it otherwise', async () => {
    const design = (await call('/api/v1/apps/' + appId + '/provisioning/groups')).json.find((g: any) => g.externalName === 'Design').subjectId;
    expect((await call(`/api/v1/apps/${appId}/provisioning/groups/${design}`, { method: 'DELETE' })).status).toBe(204);
    await settle();
    expect(groupNamed('Design')).toBeDefined();
    const id = groupNamed('Platform Engineering')!.id;
    const mark = scim.requests.length;
    expect((await call(`/api/v1/apps/${appId}/provisioning/groups/${groupId}?deleteInApp=true`, { method: 'DELETE' })).status).toBe(204);
    await eventually(() => scim.directory.groups.has(id), (has) => !has);
    expect(scim.requests.slice(mark).map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /scim/v2/Groups/${id}`]);
    expect((await call(`/api/v1/apps/${appId}/provisioning/groups`)).json).toEqual([]);
    expect((await call(`/api/v1/apps/${appId}/provisioning/groups/${groupId}`, { method: 'DELETE' })).status).toBe(404);
  });
});
