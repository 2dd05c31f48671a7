/**
 * `GET /api/v1/apps?filter=user.id eq "…"` lists the apps a user has, directly or through a group,
 * and `group.id eq "…"` the apps given to a group — as Okta's Apps API does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
});

afterAll(async () => {
  await t?.close();
});

const bookmark = async (label: string) => {
  const created = await call('/api/v1/apps', { method: 'POST', json: { name: 'bookmark', label, signOnMode: 'BOOKMARK', settings: { app: { url: 'https://example.test/' } } } });
  expect(created.status).toBe(200);
  return created.json.id as string;
};
const user = async (login: string) => (await call('/api/v1/users?activate=false', { method: 'POST', json: { profile: { login, email: login, firstName: 'Test', lastName: 'Person' } } })).json.id as string;
const labels = async (filter: string) => {
  const listed = await call(`/api/v1/apps?filter=${encodeURIComponent(filter)}`);
  expect(listed.status).toBe(200);
  return (listed.json as { label: string }[]).map((a) => a.label).sort();
};

describe('apps by assignment', () => {
  it('lists the apps of a user (direct and through groups) and of a group, and nobody else\'s', async () => {
    const [direct, viaGroup, unrelated] = [await bookmark('Direct'), await bookmark('Via group'), await bookmark('Unrelated')];
    const [alice, bob] = [await user('alice@example.com'), await user('bob@example.com')];
    const group = (await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Readers' } } })).json.id as string;
    expect((await call(`/api/v1/groups/${group}/users/${alice}`, { method: 'PUT' })).status).toBe(204);
    expect((await call(`/api/v1/apps/${direct}/users`, { method: 'POST', json: { id: alice } })).status).toBe(200);
    expect((await call(`/api/v1/apps/${viaGroup}/groups/${group}`, { method: 'PUT', json: {} })).status).toBe(200);
    expect((await call(`/api/v1/apps/${unrelated}/users`, { method: 'POST', json: { id: bob } })).status).toBe(200);

    expect(await labels(`user.id eq "${alice}"`)).toEqual(['Direct', 'Via group']);
    expect(await labels(`user.id eq "${bob}"`)).toEqual(['Unrelated']);
    expect(await labels(`group.id eq "${group}"`)).toEqual(['Via group']);
    expect(await labels('user.id eq "00unobody"')).toEqual([]);
    expect(await labels(`user.id eq "${alice}" and status eq "ACTIVE"`)).toEqual(['Direct', 'Via group']);
  });

  it('refuses other comparisons on user.id with Okta\'s error', async () => {
    const refused = await call(`/api/v1/apps?filter=${encodeURIComponent('user.id sw "00u"')}`);
    expect(refused.status).toBe(400);
    expect(refused.json.errorCode).toBe('E0000031');
  });
});
