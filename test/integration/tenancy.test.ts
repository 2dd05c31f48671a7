/**
 * Two orgs on one Lanyard: each is reached by its host, and nothing of one — user, group,
 * membership, token, session, log event — is visible or usable from the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { adminClient, collect, oktaClient, oktaError, type OktaClient } from '../helpers/okta.ts';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { createOrgWithAdmin, type TestOrg } from '../helpers/orgs.ts';

let t: TestLanyard;
let b: TestOrg;
let urlB: string;
let clientA: OktaClient;
let clientB: OktaClient;

/** A request with an explicit Host header (fetch does not allow setting one). */
function getWithHost(port: number, host: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}



const person = (login: string) => ({ login, email: login, firstName: 'Same', lastName: 'Person' });

beforeAll(async () => {
  t = await startLanyard();
  b = await createOrgWithAdmin(t, 'acme', '127.0.0.1');
  urlB = `http://127.0.0.1:${t.port}`;
  clientA = adminClient(t);
  clientB = oktaClient(urlB, b.token);
});
afterAll(async () => t?.close());

describe('org isolation', () => {
  it('lets the same login exist in both orgs, each seeing only its own', async () => {
    const inA = await clientA.userApi.createUser({ body: { profile: person('shared@example.com') }, activate: false });
    const inB = await clientB.userApi.createUser({ body: { profile: person('shared@example.com') }, activate: false });
    expect(inA.id).not.toBe(inB.id);
    const listA = (await collect(await clientA.userApi.listUsers({}))).map((u) => u.id);
    const listB = (await collect(await clientB.userApi.listUsers({}))).map((u) => u.id);
    expect(listA).toContain(inA.id);
    expect(listA).not.toContain(inB.id);
    expect(listB).toContain(inB.id);
    expect(listB).not.toContain(inA.id);
    expect((await clientB.userApi.getUser({ userId: 'shared@example.com' })).id).toBe(inB.id);
  });

  it('answers 404 for another org\'s user and group, whatever the operation', async () => {
    const user = await clientA.userApi.createUser({ body: { profile: person('only-a@example.com') }, activate: false });
    const group = await clientA.groupApi.createGroup({ group: { profile: { name: 'Only A' } } });
    expect((await oktaError(clientB.userApi.getUser({ userId: user.id! }))).status).toBe(404);
    expect((await oktaError(clientB.userApi.activateUser({ userId: user.id!, sendEmail: false }))).status).toBe(404);
    expect((await oktaError(clientB.userApi.deleteUser({ userId: user.id! }))).status).toBe(404);
    expect((await oktaError(clientB.groupApi.getGroup({ groupId: group.id! }))).status).toBe(404);
    expect((await oktaError(clientB.groupApi.deleteGroup({ groupId: group.id! }))).status).toBe(404);
    const groupB = await clientB.groupApi.createGroup({ group: { profile: { name: 'Only B' } } });
    expect((await oktaError(clientB.groupApi.assignUserToGroup({ groupId: groupB.id!, userId: user.id! }))).status).toBe(404);
    // Nothing in org A changed.
    expect((await clientA.userApi.getUser({ userId: user.id! })).status).toBe('STAGED');
    expect((await clientA.groupApi.getGroup({ groupId: group.id! })).profile?.name).toBe('Only A');
  });

  it('refuses one org\'s API token at the other org', async () => {
    const crossed = oktaClient(urlB, t.token);
    const refused = await oktaError(crossed.userApi.listUsers({}).then((c) => collect(c)));
    expect(refused.status).toBe(401);
    expect(refused.errorCode).toBe('E0000011');
  });

  it('keeps each org\'s system log to itself', async () => {
    const group = await clientA.groupApi.createGroup({ group: { profile: { name: 'Audited in A' } } });
    const inB = await api({ url: urlB, token: b.token })(`/api/v1/logs?filter=${encodeURIComponent(`target.id eq "${group.id}"`)}&until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(inB.status).toBe(200);
    expect(inB.json).toEqual([]);
    const inA = await api(t)(`/api/v1/logs?filter=${encodeURIComponent(`target.id eq "${group.id}"`)}&until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(inA.json).toHaveLength(1);
  });

  it('does not accept one org\'s session cookie at the other', async () => {
    const pageA = await fetch(`${t.url}/login`);
    const csrf = /lanyard_csrf=([^;]+)/.exec(pageA.headers.get('set-cookie')!)![1]!;
    const signedIn = await fetch(`${t.url}/login`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `lanyard_csrf=${csrf}` },
      body: new URLSearchParams({ csrf, username: 'admin@example.com', password: 'Correct-Horse-Battery-9' }),
    });
    expect(signedIn.status).toBe(302);
    const sid = /lanyard_sid=([^;]+)/.exec(signedIn.headers.getSetCookie().join('\n'))![1]!;
    const homeA = await fetch(`${t.url}/`, { redirect: 'manual', headers: { cookie: `lanyard_sid=${sid}` } });
    expect(homeA.status).toBe(200);
    const homeB = await fetch(`${urlB}/`, { redirect: 'manual', headers: { cookie: `lanyard_sid=${sid}` } });
    expect(homeB.status).toBe(302);
    expect(homeB.headers.get('location')).toBe('/login');
  });
});

describe('resolving orgs by host', () => {
  it('reaches an org at {name}.{base host}', async () => {
    await createOrgWithAdmin(t, 'globex');
    const res = await getWithHost(t.port, `globex.localhost:${t.port}`, '/login');
    expect(res.status).toBe(200);
    expect(res.body).toContain('globex');
  });

  it('shows a page naming the first org when a browser asks a host no org answers on', async () => {
    const res = await getWithHost(t.port, `127.0.0.9:${t.port}`, '/login');
    expect(res.status).toBe(404);
    expect(res.body).toContain('<!doctype html>');
    expect(res.body).toContain(t.url);
  });

  it('answers 404 naming the first org for a host no org answers on', async () => {
    const res = await getWithHost(t.port, `nobody.localhost:${t.port}`, '/api/v1/users', { authorization: `SSWS ${t.token}` });
    expect(res.status).toBe(404);
    const body = JSON.parse(res.body) as { errorCode: string; errorCauses: { errorSummary: string }[] };
    expect(body.errorCode).toBe('E0000008');
    expect(body.errorCauses[0]!.errorSummary).toContain(t.url);
  });
});
