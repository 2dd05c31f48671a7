/**
 * Okta's own Node SDK, unchanged, manages users through Lanyard: create in every starting status,
 * each lifecycle operation, update, delete, and list/search/filter with paging through Link headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, collect, oktaClient, oktaError, type OktaClient } from '../helpers/okta.ts';
import { startLanyard, type TestLanyard } from '../helpers/lanyard.ts';

let t: TestLanyard;
let client: OktaClient;

const password = 'Tr0ub4dor&3-horse';

function profile(n: string, extra: Record<string, unknown> = {}) {
  return { firstName: `First${n}`, lastName: `Last${n}`, email: `user${n}@example.com`, login: `user${n}@example.com`, ...extra };
}


beforeAll(async () => {
  t = await startLanyard();
  client = adminClient(t);
});
afterAll(async () => t?.close());

describe('users through @okta/okta-sdk-nodejs', () => {
  it('creates users ACTIVE with a password, PROVISIONED without, STAGED when not activated', async () => {
    const active = await client.userApi.createUser({ body: { profile: profile('1'), credentials: { password: { value: password } } } });
    expect(active.status).toBe('ACTIVE');
    expect(active.id).toMatch(/^00u[0-9A-Za-z]{17}$/);
    expect(active.profile?.login).toBe('user1@example.com');
    expect(active.activated).toBeInstanceOf(Date);
    expect(active.passwordChanged).toBeInstanceOf(Date);
    expect(JSON.stringify(active)).not.toContain(password);

    const provisioned = await client.userApi.createUser({ body: { profile: profile('2') } });
    expect(provisioned.status).toBe('PROVISIONED');

    const staged = await client.userApi.createUser({ body: { profile: profile('3') }, activate: false });
    expect(staged.status).toBe('STAGED');
    expect(staged.activated).toBeNull();
  });

  it('keeps custom profile attributes', async () => {
    const user = await client.userApi.createUser({
      body: { profile: profile('c', { department: 'Research', costCenter: 'R-7', favouriteColour: 'teal', badgeNumber: 42 }) },
      activate: false,
    });
    const fetched = await client.userApi.getUser({ userId: user.id! });
    expect(fetched.profile).toMatchObject({ department: 'Research', costCenter: 'R-7', favouriteColour: 'teal', badgeNumber: 42 });
  });

  it('runs the lifecycle: activate, suspend, unsuspend, deactivate, reactivate by activate, delete', async () => {
    const created = await client.userApi.createUser({ body: { profile: profile('4'), credentials: { password: { value: password } } }, activate: false });
    expect(created.status).toBe('STAGED');
    await client.userApi.activateUser({ userId: created.id!, sendEmail: false });
    expect((await client.userApi.getUser({ userId: created.id! })).status).toBe('ACTIVE');

    await client.userApi.suspendUser({ userId: created.id! });
    expect((await client.userApi.getUser({ userId: created.id! })).status).toBe('SUSPENDED');
    await client.userApi.unsuspendUser({ userId: created.id! });
    expect((await client.userApi.getUser({ userId: created.id! })).status).toBe('ACTIVE');

    await client.userApi.deactivateUser({ userId: created.id! });
    expect((await client.userApi.getUser({ userId: created.id! })).status).toBe('DEPROVISIONED');

    await client.userApi.deleteUser({ userId: created.id! });
    const gone = await oktaError(client.userApi.getUser({ userId: created.id! }));
    expect(gone.status).toBe(404);
    expect(gone.errorCode).toBe('E0000007');
    expect(gone.errorSummary).toBe(`Not found: Resource not found: ${created.id} (User)`);
  });

  it('activating a PROVISIONED user without email returns an activation link', async () => {
    const user = await client.userApi.createUser({ body: { profile: profile('5') }, activate: false });
    const token = await client.userApi.activateUser({ userId: user.id!, sendEmail: false });
    expect(token.activationToken).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(token.activationUrl).toBe(`${t.url}/welcome/${token.activationToken}`);
    expect((await client.userApi.getUser({ userId: user.id! })).status).toBe('PROVISIONED');
  });

  it('refuses transitions Okta refuses, with Okta\'s codes', async () => {
    const user = await client.userApi.createUser({ body: { profile: profile('6'), credentials: { password: { value: password } } } });
    const again = await oktaError(client.userApi.activateUser({ userId: user.id!, sendEmail: false }));
    expect(again.status).toBe(403);
    expect(again.errorCode).toBe('E0000016');

    const unsuspend = await oktaError(client.userApi.unsuspendUser({ userId: user.id! }));
    expect(unsuspend.status).toBe(400);
    expect(unsuspend.errorCode).toBe('E0000001');
    expect(unsuspend.errorCauses[0]?.errorSummary).toBe('Cannot unsuspend a user that is not suspended');

    const unlock = await oktaError(client.userApi.unlockUser({ userId: user.id! }));
    expect(unlock.status).toBe(403);
    expect(unlock.errorCode).toBe('E0000032');

    await client.userApi.suspendUser({ userId: user.id! });
    const suspendAgain = await oktaError(client.userApi.suspendUser({ userId: user.id! }));
    expect(suspendAgain.errorCode).toBe('E0000001');
    expect(suspendAgain.errorCauses[0]?.errorSummary).toBe('Cannot suspend a user that is not active');
  });

  it('first DELETE deactivates, second DELETE removes', async () => {
    const user = await client.userApi.createUser({ body: { profile: profile('7') } });
    await client.userApi.deleteUser({ userId: user.id! });
    expect((await client.userApi.getUser({ userId: user.id! })).status).toBe('DEPROVISIONED');
    await client.userApi.deleteUser({ userId: user.id! });
    expect((await oktaError(client.userApi.getUser({ userId: user.id! }))).errorCode).toBe('E0000007');
  });

  it('updates partially with POST and replaces with PUT', async () => {
    const user = await client.userApi.createUser({ body: { profile: profile('8', { title: 'Engineer', city: 'Oslo' }) }, activate: false });
    const partial = await client.userApi.updateUser({ userId: user.id!, user: { profile: { title: 'Staff Engineer' } as never } });
    expect(partial.profile).toMatchObject({ title: 'Staff Engineer', city: 'Oslo', login: 'user8@example.com' });

    const replaced = await client.userApi.replaceUser({ userId: user.id!, user: { profile: profile('8', { title: 'Principal' }) } });
    expect(replaced.profile?.title).toBe('Principal');
    expect(replaced.profile?.city).toBeUndefined();
  });

  it('gets a user by login as well as by id', async () => {
    const user = await client.userApi.createUser({ body: { profile: profile('9') }, activate: false });
    const byLogin = await client.userApi.getUser({ userId: 'USER9@example.com' });
    expect(byLogin.id).toBe(user.id);
  });

  it('rejects a duplicate login with E0000001 and the cause Okta gives', async () => {
    await client.userApi.createUser({ body: { profile: profile('dup') }, activate: false });
    const duplicate = await oktaError(client.userApi.createUser({ body: { profile: profile('dup', { login: 'USERdup@example.com' }) }, activate: false }));
    expect(duplicate.status).toBe(400);
    expect(duplicate.errorCode).toBe('E0000001');
    expect(duplicate.errorSummary).toBe('Api validation failed: login');
    expect(duplicate.errorCauses).toEqual([{ errorSummary: 'login: An object with this field already exists in the current organization' }]);
  });

  it('lists with paging across Link headers, and searches and filters', async () => {
    for (let i = 0; i < 7; i++) {
      await client.userApi.createUser({ body: { profile: profile(`p${i}`, { department: i % 2 ? 'Sales' : 'Legal' }) }, activate: i % 3 !== 0 });
    }
    const seen: string[] = [];
    for await (const user of await client.userApi.listUsers({ limit: 2, search: 'profile.login sw "userp"' })) seen.push(user!.profile!.login!);
    expect(seen.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `userp${i}@example.com`));

    const sales: string[] = [];
    for await (const user of await client.userApi.listUsers({ search: 'profile.department eq "sales" and profile.login sw "userp"' })) sales.push(user!.profile!.login!);
    expect(sales.sort()).toEqual(['userp1@example.com', 'userp3@example.com', 'userp5@example.com']);

    const staged: string[] = [];
    for await (const user of await client.userApi.listUsers({ filter: 'status eq "STAGED" and profile.lastName eq "Lastp3"' })) staged.push(user!.id!);
    expect(staged).toHaveLength(1);

    const byQ: string[] = [];
    for await (const user of await client.userApi.listUsers({ q: 'Firstp' })) byQ.push(user!.profile!.login!);
    expect(byQ).toHaveLength(7);
  });

  it('sorts search results by sortBy and sortOrder across pages', async () => {
    for (const [n, last] of [['s1', 'Mendez'], ['s2', 'adams'], ['s3', 'Zhou'], ['s4', 'Baker'], ['s5', 'Mendez']]) {
      await client.userApi.createUser({ body: { profile: profile(n!, { lastName: last }) }, activate: false });
    }
    const ascending: string[] = [];
    for await (const user of await client.userApi.listUsers({ search: 'profile.login sw "users"', sortBy: 'profile.lastName', sortOrder: 'asc', limit: 2 })) {
      ascending.push(user!.profile!.lastName!);
    }
    expect(ascending).toEqual(['adams', 'Baker', 'Mendez', 'Mendez', 'Zhou']);
    const descending: string[] = [];
    for await (const user of await client.userApi.listUsers({ search: 'profile.login sw "users"', sortBy: 'profile.lastName', sortOrder: 'desc', limit: 2 })) {
      descending.push(user!.profile!.login!);
    }
    expect(descending).toHaveLength(5);
    expect(descending[0]).toBe('users3@example.com');
    expect(descending.slice(1, 3).sort()).toEqual(['users1@example.com', 'users5@example.com']);
    expect(descending.slice(3)).toEqual(['users4@example.com', 'users2@example.com']);
    const tampered = await fetch(`${t.url}/api/v1/users?search=${encodeURIComponent('profile.login sw "users"')}&sortBy=profile.lastName&after=s.bm9wZQ`, {
      headers: { authorization: `SSWS ${t.token}` },
    });
    expect(tampered.status).toBe(400);
    expect((await tampered.json() as { errorCode: string }).errorCode).toBe('E0000029');
  });

  it('leaves DEPROVISIONED users out of a plain list but finds them by status', async () => {
    const user = await client.userApi.createUser({ body: { profile: profile('gone') } });
    await client.userApi.deactivateUser({ userId: user.id! });
    const all: string[] = [];
    for await (const u of await client.userApi.listUsers({})) all.push(u!.id!);
    expect(all).not.toContain(user.id);
    const deprovisioned: string[] = [];
    for await (const u of await client.userApi.listUsers({ filter: 'status eq "DEPROVISIONED"' })) deprovisioned.push(u!.id!);
    expect(deprovisioned).toContain(user.id);
  });
});
