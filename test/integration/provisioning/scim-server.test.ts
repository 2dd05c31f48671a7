/**
 * Lanyard's inbound SCIM 2.0 server at `/scim/v2`, driven as an HR system drives it. Requests are
 * built and every answer is checked with `scimmy`'s own message and schema classes (a SCIM
 * library from the npm registry): a resource that does not match the core schema, a list that is
 * not a ListResponse, a PatchOp the library would not build, all fail here. Then the negative
 * cases: bad filters, bad PATCH paths, a wrong token. And what the HR system changes flows on to
 * apps through provisioning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SCIMMY from 'scimmy';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { startScimServer, type ScimServer } from '../../helpers/scim-server.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let downstream: ScimServer;

const userSchema = 'urn:ietf:params:scim:schemas:core:2.0:User';
const groupSchema = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** One request to /scim/v2, with the org's API token as a bearer token. */
async function scim(method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${t.url}/scim/v2${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token ?? t.token}`, accept: 'application/scim+json',
      ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), json: text ? JSON.parse(text) : undefined, location: response.headers.get('location') };
}

/** The answer must be a User by the core schema, as scimmy reads it. */
function asUser(json: unknown) {
  return new SCIMMY.Schemas.User(json as Record<string, unknown>, 'in');
}

function patch(...operations: Record<string, unknown>[]) {
  return JSON.parse(JSON.stringify(new SCIMMY.Messages.PatchOp({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations as never })));
}

beforeAll(async () => {
  downstream = await startScimServer();
  t = await startLanyard({ env: { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_PROVISIONING_RETRY_MS: '20' } });
  call = api(t);
});
afterAll(async () => {
  await t?.close();
  await downstream?.close();
});

describe('discovery', () => {
  it('describes itself: ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.type).toMatch(/^application\/scim\+json/);
    expect(config.json).toMatchObject({ patch: { supported: true }, filter: { supported: true }, bulk: { supported: false } });
    const types = new SCIMMY.Messages.ListResponse((await scim('GET', '/ResourceTypes')).json);
    expect(types.Resources.map((r: any) => r.id)).toEqual(['User', 'Group']);
    const schemas = (await scim('GET', '/Schemas')).json;
    expect(schemas.Resources.map((s: any) => s.id)).toEqual([userSchema, groupSchema]);
    expect((await scim('GET', `/Schemas/${userSchema}`)).json.attributes.map((a: any) => a.name)).toContain('userName');
  });
});

describe('users', () => {
  let id: string;

  it('creates a user from a SCIM User, 201 with Location, and conforms to the core schema', async () => {
    const created = await scim('POST', '/Users', {
      schemas: [userSchema, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'], userName: 'barbara@example.com', externalId: 'hr-1001',
      name: { givenName: 'Barbara', familyName: 'Jensen' }, emails: [{ value: 'barbara@example.com', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }], title: 'Engineer', active: true,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '1001', department: 'R&D' },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    id = created.json.id;
    expect(created.location).toBe(`${t.url}/scim/v2/Users/${id}`);
    const user = asUser(created.json);
    expect(user).toMatchObject({ userName: 'barbara@example.com', externalId: 'hr-1001', active: true, title: 'Engineer' });
    expect(created.json['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toEqual({ employeeNumber: '1001', department: 'R&D' });
    // The same person through the management API: provisioned, to set a password when they first sign in.
    expect((await call(`/api/v1/users/${id}`)).json).toMatchObject({
      status: 'PROVISIONED', profile: { login: 'barbara@example.com', firstName: 'Barbara', lastName: 'Jensen', mobilePhone: '+1 555 0100', department: 'R&D', externalId: 'hr-1001' },
    });
  });

  it('answers a duplicate userName with 409 uniqueness', async () => {
    const again = await scim('POST', '/Users', { schemas: [userSchema], userName: 'barbara@example.com', name: { givenName: 'B', familyName: 'J' }, emails: [{ value: 'barbara@example.com', type: 'work' }] });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', scimType: 'uniqueness' });
  });

  it('finds users by filter and pages through them with startIndex and count', async () => {
    for (const n of [1, 2, 3]) {
      await scim('POST', '/Users', { schemas: [userSchema], userName: `pager${n}@example.com`, name: { givenName: `P${n}`, familyName: 'Pager' }, emails: [{ value: `pager${n}@example.com`, type: 'work' }] });
    }
    const found = new SCIMMY.Messages.ListResponse((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "barbara@example.com"')}`)).json);
    expect(found.totalResults).toBe(1);
    expect(found.Resources[0].id).toBe(id);
    const byEmail = (await scim('GET', `/Users?filter=${encodeURIComponent('emails[type eq "work" and value co "pager"]')}`)).json;
    expect(byEmail.totalResults).toBe(3);
    const pages = [];
    for (const startIndex of [1, 2, 3, 4]) {
      pages.push((await scim('GET', `/Users?filter=${encodeURIComponent('userName sw "pager" and name.familyName eq "Pager"')}&startIndex=${startIndex}&count=1`)).json);
    }
    expect(pages[1]).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(pages.flatMap((p) => p.Resources.map((r: any) => r.userName)).sort()).toEqual(['pager1@example.com', 'pager2@example.com', 'pager3@example.com']);
    expect(pages[3]).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    const none = (await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "nobody"')}`)).json;
    expect(none).toMatchObject({ totalResults: 0, Resources: [] });
    const active = (await scim('GET', `/Users?filter=${encodeURIComponent('active eq true and userName sw "pager"')}`)).json;
    expect(active.totalResults).toBe(3);
  });

  it('updates with PATCH as scimmy builds it, and with PUT', async () => {
    const patched = await scim('PATCH', `/Users/${id}`, patch(
      { op: 'replace', path: 'name.givenName', value: 'Babs' },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'babs@example.com' },
      { op: 'add', value: { nickName: 'BJ' } },
      { op: 'replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Platform' },
    ));
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    expect(asUser(patched.json)).toMatchObject({ name: { givenName: 'Babs' }, nickName: 'BJ', emails: [{ value: 'babs@example.com' }] });
    expect(patched.json['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].department).toBe('Platform');
    const put = await scim('PUT', `/Users/${id}`, {
      schemas: [userSchema], userName: 'barbara@example.com', name: { givenName: 'Barbara', familyName: 'Jensen-Smith' }, emails: [{ value: 'barbara@example.com', type: 'work' }], active: true,
    });
    expect(put.status).toBe(200);
    expect(asUser(put.json)).toMatchObject({ name: { familyName: 'Jensen-Smith' } });
    expect(put.json.nickName).toBeUndefined();
  });

  it('deactivates with active:false, reactivates with active:true, and deletes', async () => {
    const off = await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', value: { active: false } }));
    expect(off.json.active).toBe(false);
    expect((await call(`/api/v1/users/${id}`)).json.status).toBe('DEPROVISIONED');
    const on = await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'active', value: true }));
    expect(on.json.active).toBe(true);
    expect((await call(`/api/v1/users/${id}`)).json.status).toBe('PROVISIONED');
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await scim('GET', `/Users/${id}`)).status).toBe(404);
  });
});

describe('groups', () => {
  it('creates a group with members, changes its members and name by PATCH, and deletes it', async () => {
    const ann = (await scim('POST', '/Users', { schemas: [userSchema], userName: 'ann.g@example.com', name: { givenName: 'Ann', familyName: 'G' }, emails: [{ value: 'ann.g@example.com', type: 'work' }] })).json.id;
    const ben = (await scim('POST', '/Users', { schemas: [userSchema], userName: 'ben.g@example.com', name: { givenName: 'Ben', familyName: 'G' }, emails: [{ value: 'ben.g@example.com', type: 'work' }] })).json.id;
    const created = await scim('POST', '/Groups', { schemas: [groupSchema], displayName: 'Research', members: [{ value: ann }] });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const group = new SCIMMY.Schemas.Group(created.json, 'in');
    expect(group.members!.map((m: any) => m.value)).toEqual([ann]);
    const gid = created.json.id;
    const changed = await scim('PATCH', `/Groups/${gid}`, patch(
      { op: 'add', path: 'members', value: [{ value: ben }] },
      { op: 'remove', path: `members[value eq "${ann}"]` },
      { op: 'replace', path: 'displayName', value: 'Research & Development' },
    ));
    expect(changed.status, JSON.stringify(changed.json)).toBe(200);
    expect(changed.json).toMatchObject({ displayName: 'Research & Development', members: [{ value: ben, display: 'ben.g@example.com' }] });
    expect((await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Research & Development"')}`)).json.totalResults).toBe(1);
    expect((await scim('POST', '/Groups', { schemas: [groupSchema], displayName: 'Research & Development' })).status).toBe(409);
    expect((await scim('DELETE', `/Groups/${gid}`)).status).toBe(204);
    expect((await scim('GET', `/Groups/${gid}`)).status).toBe(404);
  });
});

describe('refusals, in SCIM\'s error shape', () => {
  it('refuses a missing or wrong token with 401', async () => {
    const wrong = await scim('GET', '/Users', undefined, 'not-a-token');
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    const none = await fetch(`${t.url}/scim/v2/Users`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses bad filters with invalidFilter', async () => {
    for (const filter of ['userName eq', 'userName xx "a"', 'password eq "x"', 'groups[value eq "x"]', 'active eq "yes"']) {
      const response = await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(response.status, filter).toBe(400);
      expect(response.json.scimType, filter).toBe('invalidFilter');
    }
  });

  it('refuses bad PATCH bodies and paths, changing nothing', async () => {
    const id = (await scim('POST', '/Users', { schemas: [userSchema], userName: 'patchy@example.com', name: { givenName: 'Pat', familyName: 'Chy' }, emails: [{ value: 'patchy@example.com', type: 'work' }] })).json.id;
    const cases: [unknown, string][] = [
      [{ Operations: [{ op: 'replace', path: 'title', value: 'x' }] }, 'invalidSyntax'],
      [patch({ op: 'replace', path: 'name[[bad', value: 'x' }), 'invalidPath'],
      [patch({ op: 'replace', path: 'id', value: 'other' }), 'mutability'],
      [{ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'remove' }] }, 'noTarget'],
      [{ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'explode', path: 'title', value: 1 }] }, 'invalidSyntax'],
      [patch({ op: 'replace', path: 'active', value: 'yes' }), 'invalidValue'],
    ];
    for (const [body, scimType] of cases) {
      const response = await scim('PATCH', `/Users/${id}`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.json.scimType, JSON.stringify(body)).toBe(scimType);
    }
    expect(asUser((await scim('GET', `/Users/${id}`)).json)).toMatchObject({ userName: 'patchy@example.com', active: true });
    expect((await scim('GET', '/Users/00uDoesNotExist00000')).status).toBe(404);
    expect((await scim('POST', '/Users', { schemas: [userSchema], userName: 'x' })).status).toBe(400);
  });
});

describe('from the HR system on to the apps', () => {
  it('pushes a user the HR system creates and deactivates to an app the user is assigned to', async () => {
    const app = (await call('/api/v1/apps', { method: 'POST', json: { label: 'Downstream', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://down.example.com' } } } })).json.id;
    await call(`/api/v1/apps/${app}/connections/default?activate=true`, { method: 'POST', json: { baseUrl: downstream.url, profile: { authScheme: 'TOKEN', token: downstream.token } } });
    await call(`/api/v1/apps/${app}/features/USER_PROVISIONING`, { method: 'PUT', json: { create: { lifecycleCreate: { status: 'ENABLED' } }, update: { lifecycleDeactivate: { status: 'ENABLED' } } } });
    const group = (await scim('POST', '/Groups', { schemas: [groupSchema], displayName: 'Staff' })).json.id;
    expect((await call(`/api/v1/apps/${app}/groups/${group}`, { method: 'PUT', json: {} })).status).toBe(200);
    const hire = (await scim('POST', '/Users', { schemas: [userSchema], userName: 'new.hire@example.com', name: { givenName: 'New', familyName: 'Hire' }, emails: [{ value: 'new.hire@example.com', type: 'work' }] })).json.id;
    await scim('PATCH', `/Groups/${group}`, patch({ op: 'add', path: 'members', value: [{ value: hire }] }));
    const arrived = async () => [...downstream.directory.users.values()].find((u) => u.userName === 'new.hire@example.com');
    const deadline = Date.now() + 20_000;
    while (!(await arrived()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await arrived()).toMatchObject({ active: true });
    await scim('PATCH', `/Users/${hire}`, patch({ op: 'replace', value: { active: false } }));
    while ((await arrived())?.active !== false && Date.now() < deadline + 20_000) await new Promise((r) => setTimeout(r, 50));
    expect((await arrived())!.active).toBe(false);
  });
});
