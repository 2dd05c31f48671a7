/**
 * Groups, memberships, API tokens and the system log through Okta's own Node SDK, unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, collect, oktaClient, oktaError, type OktaClient } from '../helpers/okta.ts';
import { adminEmail, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';

let t: TestLanyard;
let client: OktaClient;



beforeAll(async () => {
  t = await startLanyard();
  client = adminClient(t);
});
afterAll(async () => t?.close());

describe('groups through @okta/okta-sdk-nodejs', () => {
  it('creates, reads, renames and deletes a group', async () => {
    const group = await client.groupApi.createGroup({ group: { profile: { name: 'Engineering', description: 'Builders' } } });
    expect(group.id).toMatch(/^00g[0-9A-Za-z]{17}$/);
    expect(group.type).toBe('OKTA_GROUP');
    expect(group.profile?.name).toBe('Engineering');
    expect(group.objectClass).toEqual(['okta:user_group']);

    const renamed = await client.groupApi.replaceGroup({ groupId: group.id!, group: { profile: { name: 'Platform Engineering' } } });
    expect(renamed.profile?.name).toBe('Platform Engineering');
    expect(renamed.profile?.description).toBeNull();

    await client.groupApi.deleteGroup({ groupId: group.id! });
    const gone = await oktaError(client.groupApi.getGroup({ groupId: group.id! }));
    expect(gone.status).toBe(404);
    expect(gone.errorCode).toBe('E0000007');
    expect(gone.errorSummary).toBe(`Not found: Resource not found: ${group.id} (UserGroup)`);
  });

  it('refuses a second group with the same name, whatever its case', async () => {
    await client.groupApi.createGroup({ group: { profile: { name: 'Finance' } } });
    const duplicate = await oktaError(client.groupApi.createGroup({ group: { profile: { name: 'FINANCE' } } }));
    expect(duplicate.status).toBe(400);
    expect(duplicate.errorCode).toBe('E0000001');
    expect(duplicate.errorCauses[0]?.errorSummary).toBe('name: An object with this field already exists in the current organization');
  });

  it('adds and removes members, and lists both sides of the membership', async () => {
    const group = await client.groupApi.createGroup({ group: { profile: { name: 'Support' } } });
    const users = [];
    for (const n of [1, 2, 3]) {
      users.push(await client.userApi.createUser({
        body: { profile: { login: `member${n}@example.com`, email: `member${n}@example.com`, firstName: 'M', lastName: `${n}` } },
        activate: false,
      }));
    }
    for (const user of users) await client.groupApi.assignUserToGroup({ groupId: group.id!, userId: user.id! });
    // Adding an existing member changes nothing and is not an error.
    await client.groupApi.assignUserToGroup({ groupId: group.id!, userId: users[0]!.id! });

    const members = await collect(await client.groupApi.listGroupUsers({ groupId: group.id!, limit: 2 }));
    expect(members.map((m) => m.id).sort()).toEqual(users.map((u) => u.id).sort());

    const groupsOfFirst = await collect(await client.userApi.listUserGroups({ userId: users[0]!.id! }));
    expect(groupsOfFirst.map((g) => g.profile?.name).sort()).toEqual(['Everyone', 'Support']);

    await client.groupApi.unassignUserFromGroup({ groupId: group.id!, userId: users[1]!.id! });
    const after = await collect(await client.groupApi.listGroupUsers({ groupId: group.id! }));
    expect(after.map((m) => m.id).sort()).toEqual([users[0]!.id, users[2]!.id].sort());

    const refreshed = await client.groupApi.getGroup({ groupId: group.id! });
    expect(refreshed.lastMembershipUpdated!.getTime()).toBeGreaterThanOrEqual(group.lastMembershipUpdated!.getTime());
  });

  it('puts every user in the built-in Everyone group, which cannot be changed', async () => {
    const everyone = (await collect(await client.groupApi.listGroups({ q: 'Every' })))[0]!;
    expect(everyone.type).toBe('BUILT_IN');
    const user = await client.userApi.createUser({
      body: { profile: { login: 'newbie@example.com', email: 'newbie@example.com', firstName: 'New', lastName: 'Bie' } }, activate: false,
    });
    const members = await collect(await client.groupApi.listGroupUsers({ groupId: everyone.id! }));
    expect(members.map((m) => m.id)).toContain(user.id);
    const refused = await oktaError(client.groupApi.deleteGroup({ groupId: everyone.id! }));
    expect(refused.status).toBe(403);
  });

  it('creates a user straight into groups with groupIds', async () => {
    const a = await client.groupApi.createGroup({ group: { profile: { name: 'Alpha' } } });
    const b = await client.groupApi.createGroup({ group: { profile: { name: 'Beta' } } });
    const user = await client.userApi.createUser({
      body: { profile: { login: 'twogroups@example.com', email: 'twogroups@example.com', firstName: 'Two', lastName: 'Groups' }, groupIds: [a.id!, b.id!] },
    });
    const groups = await collect(await client.userApi.listUserGroups({ userId: user.id! }));
    expect(groups.map((g) => g.profile?.name).sort()).toEqual(['Alpha', 'Beta', 'Everyone']);
  });

  it('lists groups by q, search and filter with paging', async () => {
    for (const name of ['Team North', 'Team South', 'Team East', 'Team West', 'Other']) {
      await client.groupApi.createGroup({ group: { profile: { name } } });
    }
    const teams = await collect(await client.groupApi.listGroups({ search: 'profile.name sw "team"', limit: 2 }));
    expect(teams.map((g) => g.profile?.name).sort()).toEqual(['Team East', 'Team North', 'Team South', 'Team West']);
    const builtIn = await collect(await client.groupApi.listGroups({ filter: 'type eq "BUILT_IN"' }));
    expect(builtIn.map((g) => g.profile?.name)).toEqual(['Everyone']);
  });
});

describe('API tokens and the system log through the SDK', () => {
  it('lists the bootstrap token without its secret', async () => {
    const tokens = await collect(await client.apiTokenApi.listApiTokens());
    expect(tokens.length).toBeGreaterThanOrEqual(1);
    expect(tokens[0]!.name).toBe('bootstrap');
    expect(JSON.stringify(tokens)).not.toContain(t.token);
  });

  it('records changes as Okta LogEvents that listLogEvents returns', async () => {
    const group = await client.groupApi.createGroup({ group: { profile: { name: 'Logged' } } });
    const events = await collect(await client.systemLogApi.listLogEvents({
      filter: `eventType eq "group.lifecycle.create" and target.id eq "${group.id}"`, until: new Date(Date.now() + 60_000).toISOString(),
    }));
    expect(events).toHaveLength(1);
    expect(events[0]!.actor?.alternateId).toBe(adminEmail);
    expect(events[0]!.outcome?.result).toBe('SUCCESS');
    expect(events[0]!.target?.[0]?.displayName).toBe('Logged');
    expect(events[0]!.published).toBeInstanceOf(Date);
  });

  it('revokes a token, after which it is refused', async () => {
    const created = await fetch(`${t.url}/api/v1/api-tokens`, {
      method: 'POST',
      headers: { authorization: `SSWS ${t.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'short-lived' }),
    }).then((r) => r.json() as Promise<{ id: string; token: string }>);
    const second = oktaClient(t.url, created.token);
    expect((await second.userApi.getUser({ userId: adminEmail })).profile?.login).toBe(adminEmail);
    await client.apiTokenApi.revokeApiToken({ apiTokenId: created.id });
    const refused = await oktaError(second.userApi.getUser({ userId: adminEmail }));
    expect(refused.status).toBe(401);
    expect(refused.errorCode).toBe('E0000011');
  });
});
