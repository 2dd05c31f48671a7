/**
 * Users from a CSV file: quoted fields, groups by name, new users created and (when asked)
 * existing ones updated, bad rows reported with their line while the others go in, and a file
 * that is not a valid CSV refused before anything is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
  await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Sales' } } });
  await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'EMEA' } } });
});
afterAll(async () => t?.close());

describe('CSV import', () => {
  it('creates users with their groups, and reports the rows it cannot take', async () => {
    const csv = [
      'login,email,firstName,lastName,title,groups,costCenter',
      'dana@example.com,dana@example.com,Dana,Scully,"Agent, Special",Sales;EMEA,CC-1',
      'fox@example.com,fox@example.com,Fox,Mulder,"He said ""trust no one""",Sales,',
      'bad-login,bad@example.com,Bad,Login,,,',
      'walter@example.com,walter@example.com,Walter,Skinner,,Nowhere,',
    ].join('\r\n');
    const result = await call('/api/v1/users/import/csv', { method: 'POST', json: { csv } });
    expect(result.status, JSON.stringify(result.json)).toBe(200);
    expect(result.json.created).toBe(2);
    expect(result.json.failed.map((f: any) => [f.line, f.login])).toEqual([[4, 'bad-login'], [5, 'walter@example.com']]);
    expect(result.json.failed[1].causes.join()).toMatch(/there is no group named Nowhere/);
    const dana = (await call('/api/v1/users/dana@example.com')).json;
    expect(dana.profile).toMatchObject({ title: 'Agent, Special', costCenter: 'CC-1' });
    expect((await call(`/api/v1/users/${dana.id}/groups`)).json.map((g: any) => g.profile.name).sort()).toEqual(['EMEA', 'Everyone', 'Sales']);
    expect((await call('/api/v1/users/fox@example.com')).json.profile.title).toBe('He said "trust no one"');
  });

  it('updates existing users only when asked', async () => {
    const csv = 'login,title\ndana@example.com,Director\n';
    const refused = await call('/api/v1/users/import/csv', { method: 'POST', json: { csv } });
    expect(refused.json).toMatchObject({ created: 0, updated: 0 });
    expect(refused.json.failed[0].causes.join()).toMatch(/already exists/);
    const updated = await call('/api/v1/users/import/csv', { method: 'POST', json: { csv, update: true } });
    expect(updated.json).toMatchObject({ created: 0, updated: 1, failed: [] });
    expect((await call('/api/v1/users/dana@example.com')).json.profile).toMatchObject({ title: 'Director', firstName: 'Dana' });
  });

  it('refuses a file that is not a valid CSV, creating nothing', async () => {
    const before = (await call('/api/v1/users?limit=200')).json.length;
    const cases: [string, RegExp][] = [
      ['email,firstName\na@b.c,A', /needs a login column/],
      ['login,login\na@b.c,b', /appears twice/],
      ['login,email\n"a@b.c,a@b.c', /quoted field is not closed/],
      ['login,email\na@b.c', /1 fields where the header has 2/],
      ['login,bad-column!\na@b.c,x', /cannot be profile attributes/],
    ];
    for (const [csv, cause] of cases) {
      const response = await call('/api/v1/users/import/csv', { method: 'POST', json: { csv } });
      expect(response.status, csv).toBe(400);
      expect(JSON.stringify(response.json.errorCauses), csv).toMatch(cause);
    }
    expect((await call('/api/v1/users?limit=200')).json.length).toBe(before);
  });
});
