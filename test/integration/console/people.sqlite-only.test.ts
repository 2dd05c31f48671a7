/**
 * The people and group pages of the admin console, driven as an administrator would — by labels,
 * roles and buttons — with every change checked through the public API, so the console is shown
 * to have really changed the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { api } from '../../helpers/lanyard.ts';
import { consoleScreenshot, expectAccessible, openConsole, startConsole, type ConsoleHarness } from '../../helpers/console.ts';

let h: ConsoleHarness;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  h = await startConsole();
  call = api(h.lanyard);
});

afterAll(async () => {
  await h?.close();
});

async function makeUser(login: string, firstName: string, password = 'Quiet-Lantern-Seven-7') {
  const created = await call('/api/v1/users?activate=true', {
    method: 'POST', json: { profile: { login, email: login, firstName, lastName: 'Tester' }, credentials: { password: { value: password } } },
  });
  expect(created.status).toBe(200);
  return created.json as { id: string; status: string };
}

async function confirm(page: Page, button: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.getByRole('button', { name: 'Yes' }).click();
}

describe('people pages', () => {
  it('adds a person, who is then found through the API, and lists them by search and status', async () => {
    const { page } = await h.newPage();
    await openConsole(page, '/users');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('People');
    await page.getByRole('link', { name: 'Add person' }).click();
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Last name').fill('Hopper');
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Password').fill('Cobol-Compiler-1959');
    await consoleScreenshot(page, 'users-new');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.getByRole('heading', { level: 1, name: 'Grace Hopper' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'was created' }).textContent()).toContain('grace@example.com was created (active)');

    const found = await call('/api/v1/users?q=grace');
    expect(found.json).toHaveLength(1);
    expect(found.json[0]).toMatchObject({ status: 'ACTIVE', profile: { login: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' } });

    // A person staged for later, then the list searched and filtered.
    await page.goto('/admin/users/new');
    await page.getByLabel('First name').fill('Alan');
    await page.getByLabel('Last name').fill('Turing');
    await page.getByLabel('Email').fill('alan@example.com');
    await page.getByLabel('Activate now').uncheck();
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.getByRole('heading', { level: 1, name: 'Alan Turing' }).waitFor();
    expect((await call('/api/v1/users/alan@example.com')).json.status).toBe('STAGED');

    await page.goto('/admin/users');
    const table = page.getByRole('table', { name: 'People' });
    await table.waitFor();
    expect(await table.getByRole('link', { name: 'Grace Hopper' }).count()).toBe(1);
    expect(await table.getByRole('link', { name: 'Alan Turing' }).count()).toBe(1);
    await page.getByLabel('Status').selectOption('STAGED');
    const filtered = page.getByRole('table', { name: 'People matching the search' });
    await filtered.getByRole('link', { name: 'Alan Turing' }).waitFor();
    expect(await filtered.getByRole('link', { name: 'Grace Hopper' }).count()).toBe(0);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Search by name or email').fill('nobody-by-this-name');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No one matches this search.').waitFor();
    await page.getByLabel('Search by name or email').fill('gra');
    await page.getByRole('button', { name: 'Search' }).click();
    await filtered.getByRole('link', { name: 'Grace Hopper' }).waitFor();
    await consoleScreenshot(page, 'users');
    await expectAccessible(page);
  });

  it('shows the API\'s validation causes for a bad email', async () => {
    const { page } = await h.newPage();
    await openConsole(page, '/users/new');
    await page.getByLabel('First name').fill('Bad');
    await page.getByLabel('Last name').fill('Address');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Add person' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.textContent();
    expect(text).toContain('Could not add this person');
    expect(text).toMatch(/email/i);
    expect(await alert.getByRole('listitem').count()).toBeGreaterThan(0);
    await consoleScreenshot(page, 'users-new-invalid');
    await expectAccessible(page);
    expect((await call('/api/v1/users?q=bad')).json).toHaveLength(0);
  });

  it('edits a profile, then deactivates and deletes the person', async () => {
    const user = await makeUser('edsger@example.com', 'Edsger');
    const { page } = await h.newPage();
    await openConsole(page, `/users/${user.id}`);
    await page.getByRole('heading', { level: 1, name: 'Edsger Tester' }).waitFor();
    await page.getByLabel('Last name').fill('Dijkstra');
    await page.getByLabel('Title').fill('Professor');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('status').filter({ hasText: 'Profile saved.' }).waitFor();
    await page.getByRole('heading', { level: 1, name: 'Edsger Dijkstra' }).waitFor();
    expect((await call(`/api/v1/users/${user.id}`)).json.profile).toMatchObject({ lastName: 'Dijkstra', title: 'Professor' });
    await consoleScreenshot(page, 'user-profile');
    await expectAccessible(page);

    await confirm(page, 'Deactivate');
    await page.getByRole('status').filter({ hasText: 'edsger@example.com was deactivated.' }).waitFor();
    expect((await call(`/api/v1/users/${user.id}`)).json.status).toBe('DEPROVISIONED');
    await confirm(page, 'Delete');
    await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'edsger@example.com was deleted.' }).waitFor();
    expect((await call(`/api/v1/users/${user.id}`)).status).toBe(404);
  });

  it('unlocks a person locked out by bad passwords', async () => {
    const user = await makeUser('locked@example.com', 'Lockie');
    expect((await call('/api/v1/org/settings', { method: 'PUT', json: { lockout: { maxAttempts: 2, autoUnlockMinutes: null } } })).status).toBe(200);
    for (const password of ['wrong-1', 'wrong-2']) {
      const response = await fetch(`${h.lanyard.url}/api/v1/authn`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'locked@example.com', password }),
      });
      expect(response.status).toBe(401);
    }
    expect((await call(`/api/v1/users/${user.id}`)).json.status).toBe('LOCKED_OUT');
    const { page } = await h.newPage();
    await openConsole(page, `/users/${user.id}`);
    await page.getByRole('heading', { level: 1, name: 'Lockie Tester' }).waitFor();
    // Only what a locked-out status allows is offered.
    expect(await page.getByRole('button', { name: 'Suspend', exact: true }).count()).toBe(0);
    await consoleScreenshot(page, 'user-locked');
    await expectAccessible(page);
    await confirm(page, 'Unlock');
    await page.getByRole('status').filter({ hasText: 'locked@example.com was unlocked.' }).waitFor();
    expect((await call(`/api/v1/users/${user.id}`)).json.status).toBe('ACTIVE');
    await page.getByRole('button', { name: 'Suspend', exact: true }).waitFor();
  });

  it('shows a person\'s groups, apps, factors and admin roles, and adds them to a group', async () => {
    const user = await makeUser('tabs@example.com', 'Tabitha');
    const group = await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Engineering', description: 'Builders' } } });
    const { page } = await h.newPage();
    await openConsole(page, `/users/${user.id}/groups`);
    await page.getByRole('heading', { level: 2, name: 'Groups' }).waitFor();
    await page.getByRole('searchbox', { name: 'Find a group' }).fill('Eng');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Add to Engineering' }).click();
    await page.getByRole('status').filter({ hasText: 'Added to Engineering.' }).waitFor();
    const members = await call(`/api/v1/groups/${group.json.id}/users`);
    expect(members.json.map((u: { id: string }) => u.id)).toContain(user.id);
    await page.getByRole('table', { name: 'Groups of tabs@example.com' }).getByRole('link', { name: 'Engineering' }).waitFor();
    await consoleScreenshot(page, 'user-groups');
    await expectAccessible(page);

    for (const [tab, heading, shot] of [['Apps', 'Apps', 'user-apps'], ['Factors', 'Factors', 'user-factors'], ['Admin roles', 'Admin roles', 'user-roles']] as const) {
      await page.getByRole('navigation', { name: 'About this person' }).getByRole('link', { name: tab }).click();
      await page.getByRole('heading', { level: 2, name: heading }).waitFor();
      await page.getByRole('link', { name: tab, exact: true }).and(page.locator('[aria-current="page"]')).waitFor();
      await page.locator('.loading').waitFor({ state: 'detached' });
      await consoleScreenshot(page, shot);
      await expectAccessible(page);
    }
    await page.getByRole('button', { name: 'Assign role' }).click();
    await page.getByRole('status').filter({ hasText: 'Organization Administrator assigned.' }).waitFor();
    expect((await call(`/api/v1/users/${user.id}/roles`)).json.map((r: { type: string }) => r.type)).toContain('ORG_ADMIN');
  });
});

describe('group pages', () => {
  it('creates a group, edits it, adds a member and an owner, and removes the member', async () => {
    const member = await makeUser('ada@example.com', 'Ada');
    const { page } = await h.newPage();
    await openConsole(page, '/groups');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Groups');
    await page.getByRole('textbox', { name: 'Group name', exact: true }).fill('Analysts');
    await page.getByLabel('Description').fill('Engines of analysis');
    await consoleScreenshot(page, 'groups');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { level: 1, name: 'Analysts' }).waitFor();
    const listed = await call('/api/v1/groups?q=Analysts');
    expect(listed.json).toHaveLength(1);
    const groupId = listed.json[0].id as string;
    expect(listed.json[0].profile).toMatchObject({ name: 'Analysts', description: 'Engines of analysis' });

    await page.getByLabel('Description').fill('Analytical engines');
    await page.getByRole('button', { name: 'Save group' }).click();
    await page.getByRole('status').filter({ hasText: 'Group saved.' }).waitFor();
    expect((await call(`/api/v1/groups/${groupId}`)).json.profile.description).toBe('Analytical engines');

    await page.getByRole('searchbox', { name: 'Find a person to add' }).fill('ada');
    await page.getByRole('search', { name: 'Find a person to add' }).getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Add Ada Tester' }).click();
    await page.getByRole('status').filter({ hasText: 'Ada Tester was added to the group.' }).waitFor();
    expect((await call(`/api/v1/groups/${groupId}/users`)).json.map((u: { id: string }) => u.id)).toEqual([member.id]);

    await page.getByRole('searchbox', { name: 'Find a person to make owner' }).fill('ada');
    await page.getByRole('search', { name: 'Find a person to make owner' }).getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Make owner: Ada Tester' }).click();
    await page.getByRole('status').filter({ hasText: 'Ada Tester is now an owner.' }).waitFor();
    expect((await call(`/api/v1/groups/${groupId}/owners`)).json.map((o: { id: string }) => o.id)).toEqual([member.id]);
    await page.getByRole('table', { name: 'Members of Analysts' }).getByRole('link', { name: 'Ada Tester' }).waitFor();
    await consoleScreenshot(page, 'group');
    await expectAccessible(page);

    await confirm(page, 'Remove Ada Tester');
    await page.getByRole('status').filter({ hasText: 'Ada Tester was removed from the group.' }).waitFor();
    expect((await call(`/api/v1/groups/${groupId}/users`)).json).toEqual([]);
  });
});
