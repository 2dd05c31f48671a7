/**
 * Directory people flow on to apps: a directory group assigned to an app with SCIM provisioning
 * (a real SCIM server, scimmy) brings the group's imported members into the app; a change made in
 * the directory (OpenLDAP slapd) reaches the app with the next import; a person who leaves the
 * directory is deactivated in the app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attribute, Change } from 'ldapts';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { groupsDn, peopleDn, serviceDn, servicePassword, startSlapd, type Slapd } from '../../helpers/slapd.ts';
import { eventually } from '../../helpers/eventually.ts';
import { startScimServer, type ScimServer } from '../../helpers/scim-server.ts';

let t: TestLanyard;
let ldap: Slapd;
let scim: ScimServer;
let call: ReturnType<typeof api>;
let directoryId: string;
let appId: string;

async function ok(path: string, init?: Parameters<ReturnType<typeof api>>[1]) {
  const response = await call(path, init);
  if (response.status >= 300) throw new Error(`${init?.method ?? 'GET'} ${path}: ${response.status} ${response.text}`);
  return response.json;
}

async function runImport(kind: 'FULL' | 'INCREMENTAL' = 'FULL') {
  const started = await ok(`/api/v1/directories/${directoryId}/imports`, { method: 'POST', json: { kind } });
  const done = await eventually(() => call(`/api/v1/directories/${directoryId}/imports/${started.id}`), (r) => r.json.status !== 'RUNNING');
  expect(done.json.status, JSON.stringify(done.json)).toBe('SUCCEEDED');
}

/** The app's SCIM users by userName, once provisioning has nothing left to do. */
async function appUsers(): Promise<Map<string, any>> {
  await eventually(async () => (await ok(`/api/v1/apps/${appId}/provisioning/tasks?status=PENDING`)).length
    + (await ok(`/api/v1/apps/${appId}/provisioning/tasks?status=RUNNING`)).length, (n) => n === 0);
  const listed = await fetch(`${scim.url}/Users?count=100`, { headers: { authorization: `Bearer ${scim.token}` } });
  const body = await listed.json() as { Resources: any[] };
  return new Map(body.Resources.map((u) => [u.userName, u]));
}

beforeAll(async () => {
  ldap = await startSlapd({
    users: ['ana', 'ben', 'cy'].map((uid) => ({ uid, givenName: uid.toUpperCase(), sn: 'Dir', mail: `${uid}@example.org`, password: `Dir-Secret-${uid}-9` })),
    groups: [{ cn: 'wiki-users', members: ['ana', 'ben'] }],
  });
  scim = await startScimServer();
  t = await startLanyard({ env: { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_PROVISIONING_RETRY_MS: '20' } });
  call = api(t);
  directoryId = (await ok('/api/v1/directories', {
    method: 'POST',
    json: { name: 'Corp LDAP', preset: 'OPENLDAP', url: ldap.url, bindDn: serviceDn, bindPassword: servicePassword, userBaseDn: peopleDn, groupBaseDn: groupsDn, loginSuffix: 'example.org' },
  })).id;
  appId = (await ok('/api/v1/apps', { method: 'POST', json: { label: 'Wiki', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://wiki.example.com' } } } })).id;
  await ok(`/api/v1/apps/${appId}/connections/default?activate=true`, { method: 'POST', json: { baseUrl: scim.url, profile: { authScheme: 'TOKEN', token: scim.token } } });
  await ok(`/api/v1/apps/${appId}/features/USER_PROVISIONING`, {
    method: 'PUT',
    json: { create: { lifecycleCreate: { status: 'ENABLED' } }, update: { profile: { status: 'ENABLED' }, lifecycleDeactivate: { status: 'ENABLED' } } },
  });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await scim?.close();
  await ldap?.close();
});

describe('directory people in an app with provisioning', () => {
  it('the members of an imported directory group assigned to the app get accounts in it', async () => {
    await runImport();
    const group = (await ok('/api/v1/groups?q=wiki-users'))[0];
    expect(group.type).toBe('APP_GROUP');
    await ok(`/api/v1/apps/${appId}/groups/${group.id}`, { method: 'PUT', json: {} });
    const users = await appUsers();
    expect([...users.keys()].sort()).toEqual(['ana@example.org', 'ben@example.org']);
    expect(users.get('ana@example.org')).toMatchObject({ active: true, name: { givenName: 'ANA', familyName: 'Dir' } });
  });

  it('a change in the directory reaches the app with the next import', async () => {
    await ldap.asRoot((c) => c.modify(ldap.userDn('ben'), new Change({ operation: 'replace', modification: new Attribute({ type: 'givenName', values: ['Benedict'] }) })));
    await runImport('INCREMENTAL');
    expect((await appUsers()).get('ben@example.org').name.givenName).toBe('Benedict');
  });

  it('someone added to the directory group gets an account; someone gone from the directory is deactivated in the app', async () => {
    await ldap.asRoot((c) => c.modify(ldap.groupDn('wiki-users'), new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [ldap.userDn('cy')] }) })));
    await ldap.asRoot((c) => c.del(ldap.userDn('ana')));
    await runImport('FULL');
    const users = await appUsers();
    expect(users.get('cy@example.org')).toMatchObject({ active: true });
    expect(users.get('ana@example.org')).toMatchObject({ active: false });
  });
});
