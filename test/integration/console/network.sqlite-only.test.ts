/**
 * The integration network in the admin console, as its two people use it: a vendor's admin (an
 * org of its own) runs the App Integration Wizard, readies the private test instance and submits
 * the draft, seeing every automated check; a reviewer of the first org — another admin holding
 * NETWORK_REVIEWER, in another browser — approves one submission and rejects another with a
 * reason the vendor then reads. What the pages did is checked through the API and the catalog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { api } from '../../helpers/lanyard.ts';
import { createOrgWithAdmin } from '../../helpers/orgs.ts';
import { samlManifest } from '../../helpers/manifests.ts';
import { startVendorApp, type VendorApp } from '../../helpers/vendor-apps.ts';
import { consoleScreenshot, expectAccessible, openConsole, startConsole, type ConsoleHarness } from '../../helpers/console.ts';

let h: ConsoleHarness;
let vendorApp: VendorApp;
let vendor: ReturnType<typeof api>;
let admin: ReturnType<typeof api>;
let vendorUrl: string;
let vendorContext: BrowserContext;
const password = 'Correct-Horse-Battery-9';
const tester = { username: 'tester@acme.example.com', password: 'Vendor-Test-Account-Secret-77' };
const reviewerLogin = 'rita@example.com';
const reviewerPassword = 'Quiet-Lantern-Eight-8';

/** What the vendor does in its own app after the wizard: the test account may sign in, the app knows the test IdP. */
async function prepareTestInstance(testAppId: string, tenant: string) {
  expect((await vendor(`/api/v1/apps/${testAppId}/users`, { method: 'POST', json: { id: tester.username } })).status).toBe(200);
  const values = (await vendor(`/api/v1/apps/${testAppId}/integration`)).json.lanyardValues;
  const certificate = await (await fetch(`${vendorUrl}/app/${testAppId}/sso/saml/certificate`)).text();
  vendorApp.addTenant(tenant, { kind: 'saml', ssoUrl: values.ssoUrl, certificate, idpIssuer: values.idpIssuer });
}

async function vendorPage(): Promise<Page> {
  const page = await vendorContext.newPage();
  await openConsole(page, '/integrations', 'admin@acme.example.com', password);
  return page;
}

async function reviewerPage(path: string): Promise<Page> {
  const { page } = await h.newPage();
  await openConsole(page, path, reviewerLogin, reviewerPassword);
  return page;
}

beforeAll(async () => {
  vendorApp = await startVendorApp();
  h = await startConsole({ env: { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_TRUSTED_CA_FILE: vendorApp.caFile } });
  admin = api(h.lanyard);
  // The vendor's org answers on a name this machine resolves: the checks fetch its test instance's metadata.
  const acme = await createOrgWithAdmin(h.lanyard, 'acme', '127.0.0.1');
  vendorUrl = `http://127.0.0.1:${h.lanyard.port}`;
  vendor = api({ url: vendorUrl, token: acme.token });
  vendorContext = await h.browser.newContext({ baseURL: vendorUrl });
  const created = await vendor('/api/v1/users?activate=true', {
    method: 'POST', json: { profile: { login: tester.username, email: tester.username, firstName: 'Ada', lastName: 'Byron' }, credentials: { password: { value: tester.password } } },
  });
  expect(created.status, JSON.stringify(created.json)).toBe(200);
  const rita = await admin('/api/v1/users?activate=true', {
    method: 'POST', json: { profile: { login: reviewerLogin, email: reviewerLogin, firstName: 'Rita', lastName: 'Review' }, credentials: { password: { value: reviewerPassword } } },
  });
  expect(rita.status, JSON.stringify(rita.json)).toBe(200);
  expect((await admin(`/api/v1/users/${rita.json.id}/roles`, { method: 'POST', json: { type: 'NETWORK_REVIEWER' } })).status).toBe(201);
});

afterAll(async () => {
  await vendorContext?.close().catch(() => undefined);
  await h?.close();
  await vendorApp?.close();
});

describe('the integration network in the console', () => {
  it('lets a vendor create an integration with the wizard, ready its test instance and submit it, seeing every check', async () => {
    const page = await vendorPage();
    await page.getByText('You have no integrations yet.').waitFor();
    await consoleScreenshot(page, 'integrations-empty');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'New integration' }).click();
    await page.getByRole('heading', { level: 1, name: 'New integration' }).waitFor();
    await page.getByLabel('Integration id').fill('acme-notes');
    await page.getByLabel('App name').fill('Acme Notes');
    await page.getByLabel('Category').selectOption('Documentation');
    await page.getByLabel('Description').fill('Shared notes for teams.');
    await page.getByLabel('Vendor name').fill('Acme Software');
    await page.getByLabel('Vendor website').fill('https://acme.example.com');
    await page.getByLabel('App website').fill('https://acme.example.com/notes');
    await page.getByLabel('Support email').fill('support@acme.example.com');
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel('Variable 1 name').fill('spHost');
    await page.getByLabel('Variable 1 label').fill('Acme host');
    await page.getByLabel('Variable 1 type').selectOption('host');
    await page.getByLabel('Variable 1 example').fill('app.acme.example.com');
    await page.getByLabel('Variable 1 test value').fill(vendorApp.host);
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel('Variable 2 name').fill('subdomain');
    await page.getByLabel('Variable 2 label').fill('Your Acme subdomain');
    await page.getByLabel('Variable 2 type').selectOption('subdomain');
    await page.getByLabel('Variable 2 example').fill('globex');
    await page.getByLabel('Variable 2 test value').fill('acme-qa');
    await expect(page.getByLabel('SAML 2.0', { exact: true }).isChecked()).resolves.toBe(true);
    await page.getByLabel('SAML 2.0 assertion consumer service URL').fill('https://${org.spHost}/t/${org.subdomain}/saml/acs');
    await page.getByLabel('SAML 2.0 audience (SP entity ID)').fill('https://${org.spHost}/t/${org.subdomain}');
    await page.getByLabel('SAML 2.0 setup instructions').fill('In Acme Notes, paste ${lanyard.metadataUrl}.');
    await consoleScreenshot(page, 'integration-wizard');
    await expectAccessible(page);

    // A mistake first: the server's causes are shown, nothing is made.
    await page.getByLabel('Support email').fill('not-an-email');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('alert').filter({ hasText: 'The integration was not created' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('must be an email address');
    expect((await vendor('/api/v1/integrations')).json).toEqual([]);

    await page.getByLabel('Support email').fill('support@acme.example.com');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme Notes 1.0.0' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/integrations/acme-notes/versions/1.0.0');

    const made = (await vendor('/api/v1/integrations/acme-notes')).json;
    expect(made.versions).toMatchObject([{ version: '1.0.0', status: 'DRAFT' }]);
    const testAppId: string = made.testAppId;
    const testApp = (await vendor(`/api/v1/apps/${testAppId}`)).json;
    expect(testApp.settings.signOn.ssoAcsUrl).toBe(`${vendorApp.url}/t/acme-qa/saml/acs`);
    expect(await page.getByRole('link', { name: 'open the test app' }).getAttribute('href')).toBe(`/admin/apps/${testAppId}`);
    // How to set up the vendor's app for the test instance, with this instance's own values filled in.
    await page.getByText(`In Acme Notes, paste ${vendorUrl}/app/${testAppId}/sso/saml/metadata.`).waitFor();

    // Submitted without a test account, the checks run and say why it stays a draft.
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByRole('alert').filter({ hasText: 'The version was not submitted' }).waitFor();
    const checks = page.getByRole('table', { name: 'Automated checks' });
    await checks.waitFor();
    expect(await checks.getByRole('row').filter({ hasText: 'test account' }).first().textContent()).toMatch(/failed/i);
    expect((await vendor('/api/v1/integrations/acme-notes/versions/1.0.0')).json.status).toBe('DRAFT');

    await prepareTestInstance(testAppId, 'acme-qa');
    await page.getByLabel('Test account 1 username').fill(tester.username);
    await page.getByLabel('Test account 1 password').fill(tester.password);
    await page.getByLabel('Notes for the reviewer').fill('Sign in at the acme-qa tenant.');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByRole('status').filter({ hasText: 'every check passed' }).waitFor();
    await page.getByText('waits for a reviewer. It can no longer change.').waitFor();
    const rows = await checks.getByRole('row').allTextContents();
    expect(rows.slice(1).every((r) => /passed/i.test(r))).toBe(true);
    expect(rows.join(' ')).toMatch(/sign-in/i);
    await consoleScreenshot(page, 'integration-version-submitted');
    await expectAccessible(page);

    const submitted = (await vendor('/api/v1/integrations/acme-notes/versions/1.0.0')).json;
    expect(submitted).toMatchObject({ status: 'SUBMITTED', submission: { notes: 'Sign in at the acme-qa tenant.', report: { result: 'PASSED' } } });
    expect(submitted.submission.testAccounts).toEqual([{ username: tester.username, expires: false, notes: null }]);

    await page.getByRole('link', { name: 'My integrations' }).first().click();
    await page.getByRole('table', { name: 'Your integrations and their versions' }).waitFor();
    await page.getByRole('link', { name: 'Acme Notes version 1.0.0, submitted' }).waitFor();
    await consoleScreenshot(page, 'integrations');
    await expectAccessible(page);
    await page.close();
  });

  it('lets a reviewer in another browser approve it from the queue; it is published to the catalog', async () => {
    const page = await reviewerPage('/review');
    const queue = page.getByRole('table', { name: 'Submissions waiting for review, oldest first' });
    await queue.waitFor();
    await consoleScreenshot(page, 'review-queue');
    await expectAccessible(page);
    await queue.getByRole('link', { name: 'Acme Notes 1.0.0' }).click();
    await page.getByRole('heading', { level: 1, name: 'Review: Acme Notes 1.0.0' }).waitFor();
    await page.getByText('Sign in at the acme-qa tenant.').waitFor();
    await page.getByText(tester.username).waitFor();
    await page.getByRole('table', { name: 'Automated checks' }).waitFor();
    await page.getByRole('heading', { name: 'Manifest' }).waitFor();
    await consoleScreenshot(page, 'review-submission');
    await expectAccessible(page);

    // Verified was not asked for: the API's reasons are shown and nothing is published.
    await page.getByLabel('Publish at tier').selectOption('verified');
    await page.getByLabel("I signed in to the app with the vendor's test accounts").check();
    await page.getByRole('button', { name: 'Approve and publish' }).click();
    await page.getByRole('alert').filter({ hasText: 'The version was not approved' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('vendor asked for community');
    expect((await admin('/api/v1/network/reviews/acme-notes/versions/1.0.0')).json.status).toBe('SUBMITTED');

    await page.getByLabel('Publish at tier').selectOption('community');
    await page.getByLabel('Comment for the vendor (optional)').fill('Welcome to the network.');
    await page.getByRole('button', { name: 'Approve and publish' }).click();
    await page.getByRole('status').filter({ hasText: 'Approved and published as community.' }).waitFor();
    await page.getByText(`Approved (community) by ${reviewerLogin}`).waitFor();

    const published = (await vendor('/api/v1/integrations/acme-notes/versions/1.0.0')).json;
    expect(published).toMatchObject({ status: 'PUBLISHED', tier: 'community' });
    expect(published.review.entries).toMatchObject([{ kind: 'approve', text: 'Welcome to the network.', tier: 'community', by: { login: reviewerLogin } }]);
    const listed = await admin('/api/v1/catalog/integrations/acme-notes');
    expect(listed.status).toBe(200);
    expect(listed.json).toMatchObject({ source: 'network', tier: 'community', versions: ['1.0.0'], name: 'Acme Notes' });

    await page.getByRole('link', { name: 'Review queue' }).first().click();
    await page.getByText('Nothing is waiting for review.').waitFor();
    await page.getByLabel('Show').selectOption('PUBLISHED');
    await page.getByRole('table', { name: 'Approved and published versions' }).getByRole('link', { name: 'Acme Notes 1.0.0' }).waitFor();
    await consoleScreenshot(page, 'review-decided');
    await expectAccessible(page);

    // The vendor sees the decision on its own page.
    const mine = await vendorPage();
    await mine.goto('/admin/integrations/acme-notes/versions/1.0.0');
    await mine.getByText(`Approved (community) by ${reviewerLogin}`).waitFor();
    await mine.getByText('Welcome to the network.').waitFor();
    expect(await mine.locator('.page-header').textContent()).toMatch(/published/i);
    await mine.close();
  });

  it('lets a reviewer reject with a reason the vendor then reads beside its draft', async () => {
    const manifest = samlManifest('acme-tasks', 'tasks.example.com');
    manifest.variables.unshift({ name: 'spHost', label: 'Acme host', type: 'host', example: 'app.acme.example.com' });
    manifest.signOn.saml.acsUrl = 'https://${org.spHost}/t/${org.subdomain}/saml/acs';
    manifest.signOn.saml.audience = 'https://${org.spHost}/t/${org.subdomain}';
    manifest.signOn.saml.instructions = 'Paste ${lanyard.metadataUrl}.';
    const made = await vendor('/api/v1/integrations', { method: 'POST', json: { manifest, testVariables: { spHost: vendorApp.host, subdomain: 'tasks-qa' } } });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    await prepareTestInstance(made.json.testAppId, 'tasks-qa');
    const submitted = await vendor('/api/v1/integrations/acme-tasks/versions/1.0.0/submit', { method: 'POST', json: { testAccounts: [tester] } });
    expect(submitted.json.status, JSON.stringify(submitted.json)).toBe('SUBMITTED');

    const page = await reviewerPage('/review/acme-tasks/versions/1.0.0');
    await page.getByRole('heading', { level: 1, name: 'Review: Acme Wiki acme-tasks 1.0.0' }).waitFor();
    await page.getByRole('textbox', { name: 'Comment', exact: true }).fill('Which logo will the catalog show?');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByRole('status').filter({ hasText: 'Comment added; the vendor sees it.' }).waitFor();
    await page.getByText(`Comment by ${reviewerLogin}`).waitFor();
    // A reason is required: the server says so.
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('alert').filter({ hasText: 'The version was not rejected' }).waitFor();
    await page.getByLabel('Reason for rejecting').fill('The logo is a placeholder; send your own.');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('status').filter({ hasText: 'Rejected; the vendor sees the reason.' }).waitFor();
    expect((await vendor('/api/v1/integrations/acme-tasks/versions/1.0.0')).json.status).toBe('REJECTED');
    expect((await admin('/api/v1/catalog/integrations/acme-tasks')).status).toBe(404);
    await page.getByRole('link', { name: 'Review queue' }).first().click();
    await page.getByLabel('Show').selectOption('REJECTED');
    await page.getByRole('table', { name: 'Rejected versions' }).getByRole('link', { name: 'Acme Wiki acme-tasks 1.0.0' }).waitFor();

    const mine = await vendorPage();
    await mine.getByRole('link', { name: 'Acme Wiki acme-tasks version 1.0.0, rejected' }).click();
    await mine.getByText('A reviewer rejected this version.').waitFor();
    await mine.getByText('The logo is a placeholder; send your own.').waitFor();
    await mine.getByText('Which logo will the catalog show?').waitFor();
    expect((await vendor('/api/v1/integrations/acme-tasks/versions/1.0.0')).json.review.entries.map((e: any) => [e.kind, e.text]))
      .toEqual([['comment', 'Which logo will the catalog show?'], ['reject', 'The logo is a placeholder; send your own.']]);
    // A rejected version may change again: the editor is there.
    await mine.getByLabel('Manifest (JSON)').waitFor();
    await consoleScreenshot(mine, 'integration-version-rejected');
    await expectAccessible(mine);
    // The vendor changes the draft in the editor; the server takes it and the version is a draft again.
    const editor = mine.getByLabel('Manifest (JSON)');
    const edited = JSON.parse(await editor.inputValue());
    edited.description = 'Task lists for teams, with a proper logo.';
    await editor.fill(JSON.stringify(edited, null, 2));
    await mine.getByRole('button', { name: 'Save draft' }).click();
    await mine.getByRole('status').filter({ hasText: 'Draft saved' }).waitFor();
    expect((await vendor('/api/v1/integrations/acme-tasks/versions/1.0.0')).json).toMatchObject({
      status: 'DRAFT', manifest: { description: 'Task lists for teams, with a proper logo.' },
    });
    await mine.close();
  });

  it('tells an admin without the reviewer role that the queue is not theirs', async () => {
    const page = await vendorContext.newPage();
    await openConsole(page, '/review', 'admin@acme.example.com', password);
    await page.getByText('Only integration network reviewers see the review queue.').waitFor();
    await expectAccessible(page);
    await page.close();
  });
});
