/**
 * Bad input of every kind gets the 4xx Okta would give, in Okta's error shape, and writes nothing:
 * no user, no group, no log event appears because of a refused request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let orgId: string;

const good = { login: 'good@example.com', email: 'good@example.com', firstName: 'Good', lastName: 'Input' };

function expectOktaError(res: { status: number; json: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.json).toMatchObject({ errorCode: code, errorLink: code });
  expect(typeof res.json.errorSummary).toBe('string');
  expect(res.json.errorId).toMatch(/^oae[0-9A-Za-z]{22}$/);
  expect(Array.isArray(res.json.errorCauses)).toBe(true);
  expect(JSON.stringify(res.json)).not.toMatch(/\bat .+\.ts:\d+/);
}

async function counts() {
  const org = t.lanyard.store.forOrg(orgId);
  const groups = await org.groups.list({ limit: 10_000 });
  const logs = await org.logs.query({ since: '2000-01-01T00:00:00.000Z', limit: 100_000, order: 'ASCENDING' });
  const deprovisioned = await org.users.list({ limit: 10_000, includeDeprovisioned: true });
  return { users: await org.users.count(), groups: groups.items.length, logs: logs.items.length, all: deprovisioned.items.length };
}

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
  orgId = (await t.lanyard.services.orgs.findDefault())!.id;
});
afterAll(async () => t?.close());

describe('refused writes change nothing', () => {
  it('answers each malformed or invalid write with the right error and leaves the store as it was', async () => {
    const existingGroup = (await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Existing' } } })).json;
    await call('/api/v1/users?activate=false', { method: 'POST', json: { profile: { ...good, login: 'taken@example.com', email: 'taken@example.com' } } });
    const before = await counts();
    const post = (path: string, init: RequestInit & { json?: unknown }) => call(path, { method: 'POST', ...init });

    expectOktaError(await post('/api/v1/users', { body: '{"profile":', headers: { 'content-type': 'application/json' } }), 400, 'E0000003');
    expectOktaError(await post('/api/v1/users', { json: [good] }), 400, 'E0000003');
    expectOktaError(await post('/api/v1/users', { json: 'just a string' }), 400, 'E0000003');
    expectOktaError(await post('/api/v1/users', { body: JSON.stringify({ profile: good }), headers: { 'content-type': 'text/plain' } }), 415, 'E0000012');
    expectOktaError(await post('/api/v1/users', {}), 400, 'E0000003');

    const wrongType = await post('/api/v1/users', { json: { profile: { ...good, login: 42 } } });
    expectOktaError(wrongType, 400, 'E0000001');
    expect(wrongType.json.errorCauses.map((c: any) => c.errorSummary).join()).toMatch(/^login: /);

    const notEmail = await post('/api/v1/users', { json: { profile: { ...good, login: 'not-an-email' } } });
    expectOktaError(notEmail, 400, 'E0000001');
    expect(notEmail.json.errorCauses).toContainEqual({ errorSummary: 'login: Username must be in the form of an email address' });

    const missing = await post('/api/v1/users', { json: { profile: { login: 'x@example.com', email: 'x@example.com' } } });
    expectOktaError(missing, 400, 'E0000001');
    const causes = missing.json.errorCauses.map((c: any) => c.errorSummary.split(':')[0]);
    expect(causes).toEqual(expect.arrayContaining(['firstName', 'lastName']));

    expectOktaError(await post('/api/v1/users', { json: { profile: { ...good, 'bad name!': 'x' } } }), 400, 'E0000001');
    expectOktaError(await post('/api/v1/users', { json: { profile: { ...good, nested: { deep: true } } } }), 400, 'E0000001');
    expectOktaError(await post('/api/v1/users', { json: { profile: good, credentials: { password: { value: { sneaky: 1 } } } } }), 400, 'E0000001');

    const weak = await post('/api/v1/users', { json: { profile: good, credentials: { password: { value: 'password' } } } });
    expectOktaError(weak, 400, 'E0000001');
    expect(weak.json.errorCauses[0].errorSummary).toMatch(/^password: Password requirements were not met/);
    expect(JSON.stringify(weak.json)).not.toContain('"password"');

    const duplicate = await post('/api/v1/users', { json: { profile: { ...good, login: 'TAKEN@example.com' } } });
    expectOktaError(duplicate, 400, 'E0000001');

    const tooMany = await post('/api/v1/users', { json: { profile: good, groupIds: Array.from({ length: 21 }, (_, i) => `00g${String(i).padStart(17, '0')}`) } });
    expectOktaError(tooMany, 400, 'E0000093');

    // One good group and one unknown: the whole create is refused, the user does not exist.
    const halfGood = await post('/api/v1/users', { json: { profile: good, groupIds: [existingGroup.id, '00gDoesNotExist00000'] } });
    expectOktaError(halfGood, 404, 'E0000007');

    const huge = await post('/api/v1/users', { json: { profile: { ...good, description: 'x'.repeat(2 * 1024 * 1024) } } });
    expect(huge.status).toBe(413);
    expect(huge.json.errorCode).toBe('E0000001');

    expectOktaError(await post('/api/v1/groups', { json: { profile: { name: '' } } }), 400, 'E0000001');
    expectOktaError(await post('/api/v1/groups', { json: { profile: { name: 'EXISTING' } } }), 400, 'E0000001');
    expectOktaError(await post('/api/v1/groups', { json: { profile: { name: 7 } } }), 400, 'E0000001');
    expectOktaError(await call(`/api/v1/groups/${existingGroup.id}`, { method: 'PUT' }), 400, 'E0000003');

    expectOktaError(await post('/api/v1/api-tokens', { json: { name: '' } }), 400, 'E0000001');
    expectOktaError(await call('/api/v1/org/settings', { method: 'PUT', json: { lockout: { maxAttempts: -1 } } }), 400, 'E0000001');
    expectOktaError(await call('/api/v1/org/settings', { method: 'PUT', json: { unknownSection: {} } }), 400, 'E0000001');

    expect(await counts()).toEqual(before);
  });

  it('answers unknown ids with E0000007 and changes nothing', async () => {
    const before = await counts();
    const unknownUser = '00uUnknownUser000000';
    const unknownGroup = '00gUnknownGroup00000';
    for (const [method, path] of [
      ['GET', `/api/v1/users/${unknownUser}`],
      ['POST', `/api/v1/users/${unknownUser}/lifecycle/suspend`],
      ['DELETE', `/api/v1/users/${unknownUser}`],
      ['GET', `/api/v1/users/nobody@example.com`],
      ['GET', `/api/v1/groups/${unknownGroup}`],
      ['DELETE', `/api/v1/groups/${unknownGroup}`],
      ['PUT', `/api/v1/groups/${unknownGroup}/users/${unknownUser}`],
      ['GET', `/api/v1/api-tokens/00TUnknownToken00000`],
    ] as const) {
      const res = await call(path, { method });
      expectOktaError(res, 404, 'E0000007');
    }
    const post = await call(`/api/v1/users/${unknownUser}`, { method: 'POST', json: { profile: { title: 'x' } } });
    expectOktaError(post, 404, 'E0000007');
    expectOktaError(await call(`/api/v1/users/${unknownUser}/lifecycle/explode`, { method: 'POST' }), 404, 'E0000008');
    expectOktaError(await call('/api/v1/users/a%00b'), 400, 'E0000001');
    expectOktaError(await call(`/api/v1/users/${'x'.repeat(300)}`), 404, 'E0000008');
    expect(await counts()).toEqual(before);
  });
});

describe('filters, search and q are parsed, never spliced into SQL', () => {
  const list = (query: string) => call(`/api/v1/users?${query}`);

  it('rejects malformed expressions with E0000031', async () => {
    for (const expression of [
      'status eq', 'status eq "ACTIVE" or 1=1', 'status equals "ACTIVE"', '(status eq "ACTIVE"', 'status eq "ACTIVE")',
      'status eq \'ACTIVE\'', 'profile.login eq "a" ;', 'lastUpdated gt "yesterday"', 'nosuch eq "x"', 'profile.bad-name eq "x"',
    ]) {
      expectOktaError(await list(`search=${encodeURIComponent(expression)}`), 400, 'E0000031');
    }
    expectOktaError(await list(`filter=${encodeURIComponent('profile.department eq "x"')}`), 400, 'E0000031');
    expectOktaError(await list(`filter=${encodeURIComponent('status sw "A"')}`), 400, 'E0000031');
    expectOktaError(await list(`filter=${encodeURIComponent('status eq "ACTIVE"')}&search=${encodeURIComponent('status eq "ACTIVE"')}`), 400, 'E0000031');
  });

  it('treats injection attempts inside values as plain text', async () => {
    for (const value of [`x' OR '1'='1`, `x" or "1"="1`, `'; drop table users; --`, `%`, `_`, `\\`]) {
      const search = await list(`search=${encodeURIComponent(`profile.login eq ${JSON.stringify(value)}`)}`);
      expect(search.status).toBe(200);
      expect(search.json).toEqual([]);
      const q = await list(`q=${encodeURIComponent(value)}`);
      expect(q.status).toBe(200);
      expect(q.json).toEqual([]);
    }
    // NUL cannot be stored by every database; it is refused up front, in queries and bodies alike.
    expectOktaError(await list(`q=${encodeURIComponent('a\u0000b')}`), 400, 'E0000001');
    expectOktaError(await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'nul\u0000name' } } }), 400, 'E0000001');
    const still = await list('limit=1');
    expect(still.status).toBe(200);
    expect(still.json).toHaveLength(1);
    const logs = await call(`/api/v1/logs?q=${encodeURIComponent(`'; drop table log_events; --`)}`);
    expect(logs.status).toBe(200);
  });

  it('validates paging and other query parameters', async () => {
    expectOktaError(await list('limit=abc'), 400, 'E0000001');
    expectOktaError(await list('limit=-1'), 400, 'E0000001');
    expectOktaError(await list('limit=0'), 400, 'E0000001');
    expect((await list('limit=100000')).status).toBe(200);
    expectOktaError(await list('q=a&q=b'), 400, 'E0000002');
    expectOktaError(await call('/api/v1/logs?since=not-a-date'), 400, 'E0000001');
    expectOktaError(await call('/api/v1/logs?limit=5000'), 400, 'E0000001');
    expectOktaError(await call('/api/v1/logs?sortOrder=sideways'), 400, 'E0000001');
    expectOktaError(await call(`/api/v1/logs?filter=${encodeURIComponent('eventType eqq "x"')}`), 400, 'E0000031');
  });
});

describe('authentication of API calls', () => {
  it('refuses missing, malformed and unknown tokens with E0000011', async () => {
    expectOktaError(await call('/api/v1/users', { headers: { authorization: '' } }), 401, 'E0000011');
    expectOktaError(await call('/api/v1/users', { headers: { authorization: `Bearer ${t.token}` } }), 401, 'E0000011');
    expectOktaError(await call('/api/v1/users', { headers: { authorization: 'SSWS 00notARealToken' } }), 401, 'E0000011');
    expectOktaError(await call('/api/v1/users', { headers: { authorization: `SSWS ${'x'.repeat(5000)}` } }), 401, 'E0000011');
  });
});

describe('browser endpoints of the sign-in protocols', () => {
  it('answers junk app ids and continuation ids (NUL bytes, overlong, wrong shape) with 4xx pages, never a 500', async () => {
    const paths = [
      '/app/%00/sso/saml/metadata', '/app/x/%00/sso/saml', '/app/x/%00/slo/saml', '/app/x/%00/sso/saml/continue/abc',
      `/app/x/${'a'.repeat(300)}/sso/saml`, '/app/x/0oaAAAAAAAAAAAAAAAAA/sso/saml/continue/%00%00', '/app/%00/sso/wsfed/metadata',
      '/app/x/%00/sso/wsfed/passive?wa=wsignin1.0&wtrealm=x', '/home/x/%00', `/home/x/${'b'.repeat(300)}`,
    ];
    for (const path of paths) {
      const response = await fetch(`${t.url}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.status, path).toBeLessThan(500);
      expect(await response.text(), path).not.toMatch(/\bat .+\.ts:\d+/);
    }
  });
});
