/**
 * Self-service app requests: an admin makes an app requestable with an approver, a user asks on
 * `/catalog`, a group owner decides on their dashboard (or an admin through the API), and an
 * approval assigns the user through the app service, so the SCIM app gets the account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEmail, adminPassword, api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { BrowserlessClient, csrfOf, textOf } from '../helpers/browserless.ts';
import { createUser } from '../helpers/oidc.ts';
import { eventually } from '../helpers/eventually.ts';
import { startScimServer, type ScimServer } from '../helpers/scim-server.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let scim: ScimServer;
let payrollId: string;
let wikiId: string;
let approversId: string;
let wikiUsersId: string;
let ritaId: string;
let oliviaId: string;
const password = 'Quiet-Lantern-Seven-7';
const rita = 'rita.requester@example.com';
const olivia = 'olivia.owner@example.com';
const nora = 'nora.nobody@example.com';

async function signedIn(login: string, pass = password): Promise<BrowserlessClient> {
  const browser = new BrowserlessClient(t.url);
  const page = await browser.get('/login');
  const nav = await browser.submit(page.final, { csrf: csrfOf(page.final.body), username: login, password: pass });
  expect(nav.final.url).toBe(`${t.url}/`);
  return browser;
}

async function requestOnCatalog(browser: BrowserlessClient, appId: string, reason: string) {
  const catalog = await browser.get('/catalog');
  return browser.submit(catalog.final, { reason }, { action: `/catalog/${appId}/request` });
}

const pendingOf = async (appId: string) => (await call('/api/v1/access-requests?status=PENDING')).json.filter((r: any) => r.appId === appId);

beforeAll(async () => {
  scim = await startScimServer();
  t = await startLanyard({ env: { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_PROVISIONING_RETRY_MS: '20' } });
  call = api(t);
  ritaId = await createUser(t, rita, password, { firstName: 'Rita', lastName: 'Requester' });
  oliviaId = await createUser(t, olivia, password, { firstName: 'Olivia', lastName: 'Owner' });
  await createUser(t, nora, password, { firstName: 'Nora', lastName: 'Nobody' });
  payrollId = (await call('/api/v1/apps', { method: 'POST', json: { label: 'Payroll', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://payroll.example.test/' } } } })).json.id;
  expect((await call(`/api/v1/apps/${payrollId}/connections/default?activate=true`, { method: 'POST', json: { baseUrl: scim.url, profile: { authScheme: 'TOKEN', token: scim.token } } })).status).toBe(201);
  await call(`/api/v1/apps/${payrollId}/features/USER_PROVISIONING`, { method: 'PUT', json: { create: { lifecycleCreate: { status: 'ENABLED' } } } });
  wikiId = (await call('/api/v1/apps', { method: 'POST', json: { label: 'Wiki', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://wiki.example.test/' } } } })).json.id;
  approversId = (await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Payroll approvers' } } })).json.id;
  wikiUsersId = (await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Wiki users' } } })).json.id;
  expect((await call(`/api/v1/apps/${wikiId}/groups/${wikiUsersId}`, { method: 'PUT', json: {} })).status).toBe(200);
});
afterAll(async () => {
  await t?.close();
  await scim?.close();
});

describe('group owners (Okta\'s /groups/{id}/owners)', () => {
  it('adds, lists and removes USER owners; other types and unknown users are clear errors', async () => {
    const added = await call(`/api/v1/groups/${approversId}/owners`, { method: 'POST', json: { id: oliviaId, type: 'USER' } });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ id: oliviaId, type: 'USER', displayName: 'Olivia Owner', resolved: true });
    expect((await call(`/api/v1/groups/${approversId}/owners`)).json.map((o: any) => o.id)).toEqual([oliviaId]);
    const group = await call(`/api/v1/groups/${approversId}/owners`, { method: 'POST', json: { id: wikiUsersId, type: 'GROUP' } });
    expect(group.status).toBe(400);
    expect(group.json.errorCauses[0].errorSummary).toContain('USER');
    expect((await call(`/api/v1/groups/${approversId}/owners`, { method: 'POST', json: { id: '00uNoSuchUser000000', type: 'USER' } })).status).toBe(404);
    expect((await call(`/api/v1/groups/${approversId}/owners/${ritaId}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('access request settings', () => {
  it('are off by default; bad settings are refused with their causes', async () => {
    expect((await call(`/api/v1/apps/${payrollId}/access-request-settings`)).json).toEqual({
      requestable: false, approver: { type: 'ADMIN' }, onApproval: { type: 'ASSIGN_USER' },
    });
    const bad = await call(`/api/v1/apps/${payrollId}/access-request-settings`, { method: 'PUT', json: { requestable: true, approver: { type: 'OWNER' }, onApproval: { type: 'ASSIGN_USER' } } });
    expect(bad.status).toBe(400);
    expect(bad.json.errorCode).toBe('E0000001');
    const unknownGroup = await call(`/api/v1/apps/${payrollId}/access-request-settings`, {
      method: 'PUT', json: { requestable: true, approver: { type: 'GROUP_OWNERS', groupId: '00gNoSuchGroup00000' }, onApproval: { type: 'ASSIGN_USER' } },
    });
    expect(unknownGroup.status).toBe(400);
    expect(unknownGroup.json.errorCauses[0].errorSummary).toContain('approver.groupId');
  });

  it('a user cannot ask for an app that is not requestable', async () => {
    const browser = await signedIn(rita);
    const refused = await browser.request(`/catalog/${payrollId}/request`, { form: { csrf: csrfOf((await browser.get('/catalog')).final.body), reason: 'x' } });
    expect(refused.status).toBe(400);
    expect(textOf(refused.body)).toContain('This app cannot be requested.');
  });
});

describe('request → group owner approves → assigned and provisioned', () => {
  it('runs end to end, and a second decision is a 409', async () => {
    expect((await call(`/api/v1/apps/${payrollId}/access-request-settings`, {
      method: 'PUT', json: { requestable: true, approver: { type: 'GROUP_OWNERS', groupId: approversId }, onApproval: { type: 'ASSIGN_USER' } },
    })).status).toBe(200);

    const ritaBrowser = await signedIn(rita);
    expect(textOf((await ritaBrowser.get('/')).final.body)).toContain('No apps yet');
    const asked = await requestOnCatalog(ritaBrowser, payrollId, 'I run the monthly <payroll> report');
    expect(asked.final.url).toBe(`${t.url}/catalog?done=requested`);
    expect(textOf(asked.final.body)).toContain('Request pending since');
    const again = await ritaBrowser.request(`/catalog/${payrollId}/request`, { form: { csrf: csrfOf(asked.final.body), reason: '' } });
    expect(again.status).toBe(409);

    const [pending] = await pendingOf(payrollId);
    expect(pending).toMatchObject({ status: 'PENDING', userId: ritaId, reason: 'I run the monthly <payroll> report' });

    // Someone who owns no group sees nothing to approve and cannot decide.
    const noraBrowser = await signedIn(nora);
    const noraHome = await noraBrowser.get('/');
    expect(noraHome.final.body).not.toContain('Requests to approve');
    const forbidden = await noraBrowser.request(`/account/access-requests/${pending.id}/decide`, { form: { csrf: csrfOf(noraHome.final.body), decision: 'approve' } });
    expect(forbidden.status).toBe(403);
    expect((await pendingOf(payrollId)).length).toBe(1);

    const oliviaBrowser = await signedIn(olivia);
    const home = await oliviaBrowser.get('/');
    expect(textOf(home.final.body)).toContain('Requests to approve');
    expect(home.final.body).toContain('&#60;payroll&#62;');
    const approved = await oliviaBrowser.submit(home.final, { decision: 'approve' }, { action: `/account/access-requests/${pending.id}/decide` });
    expect(textOf(approved.final.body)).toContain('The request is approved.');

    expect((await call(`/api/v1/apps/${payrollId}/users/${ritaId}`)).status).toBe(200);
    const link = await eventually(async () => (await call(`/api/v1/apps/${payrollId}/provisioning/users`)).json.find((l: any) => l.subjectId === ritaId),
      (l) => l?.status === 'PROVISIONED');
    expect(scim.directory.users.get(link.externalId)?.userName).toBe(rita);

    const second = await call(`/api/v1/access-requests/${pending.id}/approve`, { method: 'POST' });
    expect(second.status).toBe(409);
    expect(second.json.errorCauses[0].errorSummary).toContain('already approved');

    const logs = (await call('/api/v1/logs?filter=eventType eq "app.access_request.approver.approve"')).json;
    expect(logs[0].actor.alternateId).toBe(olivia);
    expect(logs[0].target.map((x: any) => x.id)).toEqual(expect.arrayContaining([ritaId, payrollId]));
    expect(textOf((await ritaBrowser.get('/')).final.body)).toContain('Payroll');
  });
});

describe('deny, and approver rules', () => {
  it('an admin denies through the API; the requester sees it and may ask again; nobody decides their own request', async () => {
    expect((await call(`/api/v1/apps/${wikiId}/access-request-settings`, {
      method: 'PUT', json: { requestable: true, approver: { type: 'ADMIN' }, onApproval: { type: 'ADD_TO_GROUP', groupId: wikiUsersId } },
    })).status).toBe(200);
    const ritaBrowser = await signedIn(rita);
    await requestOnCatalog(ritaBrowser, wikiId, '');
    const [pending] = await pendingOf(wikiId);

    // A group owner is no approver of an app whose settings say ADMIN.
    const oliviaBrowser = await signedIn(olivia);
    const oliviaHome = await oliviaBrowser.get('/');
    expect(oliviaHome.final.body).not.toContain(`/account/access-requests/${pending.id}/decide`);
    const notApprover = await oliviaBrowser.request(`/account/access-requests/${pending.id}/decide`, { form: { csrf: csrfOf(oliviaHome.final.body), decision: 'approve' } });
    expect(notApprover.status).toBe(403);
    expect(textOf(notApprover.body)).toContain('You do not have permission');

    const denied = await call(`/api/v1/access-requests/${pending.id}/deny`, { method: 'POST' });
    expect(denied.status).toBe(200);
    expect(denied.json.status).toBe('DENIED');
    expect((await call(`/api/v1/access-requests/${pending.id}/approve`, { method: 'POST' })).status).toBe(409);
    expect((await call(`/api/v1/groups/${wikiUsersId}/users`)).json).toEqual([]);
    expect(textOf((await ritaBrowser.get('/catalog')).final.body)).toContain('Your last request was denied');

    // The admin asks for the Wiki themself: their own token cannot approve it.
    const admin = await signedIn(adminEmail, adminPassword);
    await requestOnCatalog(admin, wikiId, 'for testing');
    const [own] = await pendingOf(wikiId);
    const refused = await call(`/api/v1/access-requests/${own.id}/approve`, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(refused.json.errorCode).toBe('E0000006');

    // Rita asks again and an admin approves: approval adds her to the group that has the app.
    await requestOnCatalog(ritaBrowser, wikiId, 'second try');
    const retry = (await pendingOf(wikiId)).find((r: any) => r.userId === ritaId);
    expect((await call(`/api/v1/access-requests/${retry.id}/approve`, { method: 'POST' })).status).toBe(200);
    expect((await call(`/api/v1/groups/${wikiUsersId}/users`)).json.map((u: any) => u.id)).toEqual([ritaId]);
    expect((await call('/api/v1/access-requests/arqNoSuchRequest0000/approve', { method: 'POST' })).status).toBe(404);
  });

  it('an approval that cannot give the access leaves the request pending', async () => {
    const handbookId = (await call('/api/v1/apps', { method: 'POST', json: { label: 'Handbook', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://handbook.example.test/' } } } })).json.id;
    const readersId = (await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Handbook readers' } } })).json.id;
    expect((await call(`/api/v1/apps/${handbookId}/access-request-settings`, {
      method: 'PUT', json: { requestable: true, approver: { type: 'ADMIN' }, onApproval: { type: 'ADD_TO_GROUP', groupId: readersId } },
    })).status).toBe(200);
    await requestOnCatalog(await signedIn(nora), handbookId, 'onboarding');
    const [pending] = await pendingOf(handbookId);
    // The group approval would add Nora to is gone before anyone decides.
    expect((await call(`/api/v1/groups/${readersId}`, { method: 'DELETE' })).status).toBe(204);
    const approve = await call(`/api/v1/access-requests/${pending.id}/approve`, { method: 'POST' });
    expect(approve.status).toBe(404);
    expect((await call(`/api/v1/access-requests/${pending.id}`)).json.status).toBe('PENDING');
  });
});
