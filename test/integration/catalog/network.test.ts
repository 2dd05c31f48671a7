/**
 * The network's path from a vendor's idea to every org's catalog, through the API: the wizard
 * (a draft and a private test instance in the vendor's org), editing drafts, new versions, manifest
 * files out and in, submission with the automated checks, the reviewer's queue, comments,
 * rejection and approval — and the rules that hold throughout: others never see a draft,
 * submitted and published versions never change, only reviewers decide, never on their own org's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { createOrgWithAdmin } from '../../helpers/orgs.ts';
import { samlManifest } from '../../helpers/manifests.ts';
import { hostRequest } from '../../helpers/host-request.ts';
import { startVendorApp, type VendorApp } from '../../helpers/vendor-apps.ts';

/** The API of an org reached by its subdomain (`acme.localhost`), through an explicit Host header. */
function hostApi(port: number, host: string, token: string) {
  return async (path: string, init: { method?: string; json?: unknown } = {}) => {
    const response = await hostRequest(port, host, path, { method: init.method, headers: { authorization: `SSWS ${token}` }, json: init.json });
    const header = (name: string) => {
      const value = response.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value ?? null;
    };
    return { ...response, headers: { get: header } };
  };
}

let t: TestLanyard;
let reviewer: ReturnType<typeof api>;
let vendor: ReturnType<typeof api>;
let customer: ReturnType<typeof hostApi>;
let vendorOrgId: string;
let vendorApp: VendorApp;
const testPassword = 'Vendor-Test-Account-Secret-77';
const tester = { username: 'tester@acme.example.com', password: testPassword };

/** A draft for the vendor's app (a real SAML service provider on loopback, one tenant per path). */
function draft(id: string) {
  const manifest = samlManifest(id, `${id}.example.com`);
  delete manifest.logo;
  delete manifest.version;
  delete manifest.manifestFormat;
  manifest.variables.unshift({ name: 'spHost', label: 'Acme host', type: 'host', example: 'app.acme.example.com' });
  manifest.signOn.saml.acsUrl = 'https://${org.spHost}/t/${org.subdomain}/saml/acs';
  manifest.signOn.saml.audience = 'https://${org.spHost}/t/${org.subdomain}';
  return manifest;
}

/** What a vendor does after the wizard: the test account is assigned, the app learns the test instance's IdP. */
async function prepareTestInstance(call: ReturnType<typeof api>, orgUrl: string, testAppId: string, tenant: string) {
  expect((await call(`/api/v1/apps/${testAppId}/users`, { method: 'POST', json: { id: tester.username } })).status).toBe(200);
  const values = (await call(`/api/v1/apps/${testAppId}/integration`)).json.lanyardValues;
  const certificate = await (await fetch(`${orgUrl}/app/${testAppId}/sso/saml/certificate`)).text();
  vendorApp.addTenant(tenant, { kind: 'saml', ssoUrl: values.ssoUrl, certificate, idpIssuer: values.idpIssuer });
}

async function createTester(call: ReturnType<typeof api>) {
  const created = await call('/api/v1/users?activate=true', {
    method: 'POST', json: { profile: { login: tester.username, email: tester.username, firstName: 'Ada', lastName: 'Byron' }, credentials: { password: { value: testPassword } } },
  });
  expect(created.status, JSON.stringify(created.json)).toBe(200);
}

/** The wizard for the vendor's app, with the test instance made ready to sign in. */
async function build(call: ReturnType<typeof api>, orgUrl: string, manifest: Record<string, unknown>, tenant: string) {
  const made = await call('/api/v1/integrations', { method: 'POST', json: { manifest, testVariables: { spHost: vendorApp.host, subdomain: tenant } } });
  expect(made.status, JSON.stringify(made.json)).toBe(201);
  await prepareTestInstance(call, orgUrl, made.json.testAppId, tenant);
  return made;
}

beforeAll(async () => {
  vendorApp = await startVendorApp();
  t = await startLanyard({ env: { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_TRUSTED_CA_FILE: vendorApp.caFile } });
  reviewer = api(t);
  // The vendor's org answers on a name this machine resolves: the checks fetch its test instance's metadata.
  const acme = await createOrgWithAdmin(t, 'acme', '127.0.0.1');
  vendorOrgId = acme.org.id;
  vendor = api({ url: `http://127.0.0.1:${t.port}`, token: acme.token });
  const globex = await createOrgWithAdmin(t, 'globex');
  customer = hostApi(t.port, `globex.localhost:${t.port}`, globex.token);
  await createTester(vendor);
  await createTester(reviewer);
});
afterAll(async () => {
  await t?.close();
  await vendorApp?.close();
});

describe('the App Integration Wizard', () => {
  let testAppId: string;

  it('creates a draft with a logo and a first version, and a private test instance in the vendor\'s org', async () => {
    const made = await build(vendor, `http://127.0.0.1:${t.port}`, draft('acme-notes'), 'acme-qa');
    expect(made.json).toMatchObject({ id: 'acme-notes', versions: [{ version: '1.0.0', status: 'DRAFT' }] });
    testAppId = made.json.testAppId;
    expect(made.json._embedded.testApp).toMatchObject({ id: testAppId, label: 'Acme Wiki acme-notes (test)', signOnMode: 'SAML_2_0', status: 'ACTIVE' });
    expect(made.json._embedded.testApp.settings.signOn.ssoAcsUrl).toBe(`${vendorApp.url}/t/acme-qa/saml/acs`);
    const version = await vendor('/api/v1/integrations/acme-notes/versions/1.0.0');
    expect(version.json.manifest.logo.mediaType).toBe('image/svg+xml');
    const link = await vendor(`/api/v1/apps/${testAppId}/integration`);
    expect(link.json).toMatchObject({ integrationId: 'acme-notes', version: '1.0.0' });
    expect(link.json.instructions).toContain(`/app/${testAppId}/sso/saml/metadata`);
  });

  it('keeps drafts and test instances from every other org', async () => {
    expect((await customer('/api/v1/integrations/acme-notes')).status).toBe(404);
    expect((await customer('/api/v1/integrations/acme-notes/versions/1.0.0/manifest')).status).toBe(404);
    expect((await customer('/api/v1/catalog/integrations/acme-notes')).status).toBe(404);
    expect((await customer(`/api/v1/apps/${testAppId}`)).status).toBe(404);
    expect((await customer('/api/v1/integrations')).json).toEqual([]);
    expect((await customer('/api/v1/catalog/integrations?q=acme-notes')).json).toEqual([]);
  });

  it('refuses an invalid manifest, a taken id and junk, creating nothing', async () => {
    const before = (await vendor('/api/v1/apps?limit=200')).json.length;
    const bad = draft('acme-bad');
    bad.signOn.saml.acsUrl = 'http://${org.subdomain}.example.com/acs';
    const invalid = await vendor('/api/v1/integrations', { method: 'POST', json: { manifest: bad } });
    expect(invalid.status).toBe(400);
    expect(invalid.json.errorCauses.map((c: any) => c.errorSummary)).toContain('manifest.signOn.saml.acsUrl: must be an https URL');
    const taken = await vendor('/api/v1/integrations', { method: 'POST', json: { manifest: { ...draft('slack'), id: 'slack' } } });
    expect(taken.status).toBe(400);
    expect(JSON.stringify(taken.json.errorCauses)).toMatch(/slack is already an integration of the network/);
    expect((await vendor('/api/v1/integrations', { method: 'POST', json: { manifest: 'x' } })).status).toBe(400);
    expect((await vendor('/api/v1/integrations', { method: 'POST', json: { manifest: draft('acme-x'), testSignOnMode: 'oidc' } })).status).toBe(400);
    expect((await vendor('/api/v1/apps?limit=200')).json.length).toBe(before);
    expect((await vendor('/api/v1/integrations')).json.map((i: any) => i.id)).toEqual(['acme-notes']);
  });

  it('edits a draft, and the test instance follows', async () => {
    const current = (await vendor('/api/v1/integrations/acme-notes/versions/1.0.0')).json.manifest;
    current.signOn.saml.attributes.push({ name: 'displayName', value: 'user.displayName' });
    const edited = await vendor('/api/v1/integrations/acme-notes/versions/1.0.0', { method: 'PUT', json: current });
    expect(edited.status, JSON.stringify(edited.json)).toBe(200);
    expect((await vendor(`/api/v1/apps/${testAppId}`)).json.settings.signOn.attributeStatements.map((a: any) => a.name)).toContain('displayName');
    const renamed = await vendor('/api/v1/integrations/acme-notes/versions/1.0.0', { method: 'PUT', json: { ...current, version: '2.0.0' } });
    expect(renamed.status).toBe(400);
  });

  it('exports a manifest as a file that imports as a new version, and not into another org', async () => {
    const file = await vendor('/api/v1/integrations/acme-notes/versions/1.0.0/manifest');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="acme-notes-1.0.0.json"');
    const manifest = JSON.parse(file.text);
    expect(manifest).toMatchObject({ manifestFormat: 1, id: 'acme-notes', version: '1.0.0' });
    const stolen = await customer('/api/v1/integrations/import', { method: 'POST', json: manifest });
    expect(stolen.status).toBe(400);
    expect(JSON.stringify(stolen.json.errorCauses)).toMatch(/already an integration of the network/);
    const same = await vendor('/api/v1/integrations/import', { method: 'POST', json: manifest });
    expect(same.status).toBe(400);
    expect(JSON.stringify(same.json.errorCauses)).toMatch(/must be above 1\.0\.0/);
    const imported = await vendor('/api/v1/integrations/import', { method: 'POST', json: { ...manifest, version: '1.1.0' } });
    expect(imported.json).toEqual({ id: 'acme-notes', version: '1.1.0', created: false });
    const fresh = await vendor('/api/v1/integrations/import', { method: 'POST', json: { ...manifest, id: 'acme-tasks', name: 'Acme Tasks' } });
    expect(fresh.json).toEqual({ id: 'acme-tasks', version: '1.0.0', created: true });
  });
});

describe('submission and review', () => {
  it('runs the checks on submission; a version that fails one stays a draft and keeps the report', async () => {
    const refused = await vendor('/api/v1/integrations/acme-notes/versions/1.0.0/submit', { method: 'POST', json: { testAccounts: [] } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json.errorCauses)).toMatch(/checks\.testAccounts: supply at least one test account/);
    const version = (await vendor('/api/v1/integrations/acme-notes/versions/1.0.0')).json;
    expect(version.status).toBe('DRAFT');
    expect(version.submission.report.result).toBe('FAILED');
    expect(version.submission.report.checks.map((c: any) => c.id)).toEqual(['schema', 'https', 'logo', 'contacts', 'testAccounts', 'idpEndpoint', 'liveSignIn']);
    expect(version.submission.report.checks.find((c: any) => c.id === 'idpEndpoint')).toMatchObject({ status: 'PASSED' });
  });

  it('queues a version that passes, never shows the test account\'s password, and locks the version', async () => {
    const submitted = await vendor('/api/v1/integrations/acme-notes/versions/1.0.0/submit', {
      method: 'POST', json: { testAccounts: [tester], notes: 'Sign in at the test subdomain.' },
    });
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(200);
    expect(submitted.json.status).toBe('SUBMITTED');
    expect(submitted.json.submission.report.result).toBe('PASSED');
    expect(submitted.json.submission.testAccounts).toEqual([{ username: tester.username, expires: false, notes: null }]);
    expect(submitted.json.submission.report.checks.find((c: any) => c.id === 'liveSignIn')).toMatchObject({ status: 'PASSED' });
    expect(submitted.text).not.toContain(testPassword);
    const manifest = (await vendor('/api/v1/integrations/acme-notes/versions/1.0.0')).json.manifest;
    const locked = await vendor('/api/v1/integrations/acme-notes/versions/1.0.0', { method: 'PUT', json: manifest });
    expect(locked.status).toBe(409);
    expect(JSON.stringify(locked.json.errorCauses)).toMatch(/submitted and can no longer change/);
    expect((await vendor('/api/v1/integrations/acme-notes/versions/1.0.0/submit', { method: 'POST', json: {} })).status).toBe(409);
  });

  it('lets only reviewers of the first org see the queue and decide', async () => {
    for (const path of ['/api/v1/network/reviews', '/api/v1/network/reviews/acme-notes/versions/1.0.0']) {
      const denied = await customer(path);
      expect(denied.status, path).toBe(403);
      expect(denied.json.errorCode).toBe('E0000006');
    }
    expect((await vendor('/api/v1/network/reviews/acme-notes/versions/1.0.0/approve', { method: 'POST', json: {} })).status).toBe(403);
    const queue = await reviewer('/api/v1/network/reviews');
    expect(queue.status).toBe(200);
    expect(queue.json.map((q: any) => `${q.id}@${q.version}`)).toEqual(['acme-notes@1.0.0']);
    const detail = await reviewer('/api/v1/network/reviews/acme-notes/versions/1.0.0');
    expect(detail.json).toMatchObject({ vendorOrgId, manifest: { id: 'acme-notes' }, submission: { notes: 'Sign in at the test subdomain.' } });
    expect(detail.text).not.toContain(testPassword);
  });

  it('comments and rejects; the vendor reads why, changes the draft and submits again', async () => {
    expect((await reviewer('/api/v1/network/reviews/acme-notes/versions/1.0.0/comments', { method: 'POST', json: { text: 'Please add a lastName attribute.' } })).status).toBe(200);
    const rejected = await reviewer('/api/v1/network/reviews/acme-notes/versions/1.0.0/reject', { method: 'POST', json: { reason: 'Attributes incomplete.' } });
    expect(rejected.json.status).toBe('REJECTED');
    expect((await reviewer('/api/v1/network/reviews/acme-notes/versions/1.0.0/reject', { method: 'POST', json: { reason: 'again' } })).status).toBe(409);
    expect((await reviewer('/api/v1/network/reviews/acme-notes/versions/1.0.0/reject', { method: 'POST', json: {} })).status).toBe(400);
    expect((await reviewer('/api/v1/network/reviews?status=REJECTED')).json.map((q: any) => `${q.id}@${q.version}:${q.status}`)).toEqual(['acme-notes@1.0.0:REJECTED']);
    expect((await reviewer('/api/v1/network/reviews')).json).toEqual([]);
    expect((await reviewer('/api/v1/network/reviews?status=DRAFT')).status).toBe(400);
    const seen = (await vendor('/api/v1/integrations/acme-notes/versions/1.0.0')).json;
    expect(seen.review.entries.map((e: any) => [e.kind, e.text])).toEqual([['comment', 'Please add a lastName attribute.'], ['reject', 'Attributes incomplete.']]);
    const manifest = seen.manifest;
    manifest.signOn.saml.attributes.push({ name: 'lastName', value: 'user.lastName' });
    expect((await vendor('/api/v1/integrations/acme-notes/versions/1.0.0', { method: 'PUT', json: manifest })).json.status).toBe('DRAFT');
    const again = await vendor('/api/v1/integrations/acme-notes/versions/1.0.0/submit', {
      method: 'POST', json: { testAccounts: [tester] },
    });
    expect(again.json.status).toBe('SUBMITTED');
  });

  it('publishes on approval: verified needs its requirements and sign-off; community goes to every org\'s catalog', async () => {
    const verified = await reviewer('/api/v1/network/reviews/acme-notes/versions/1.0.0/approve', { method: 'POST', json: { tier: 'verified', verifiedSignOff: true } });
    expect(verified.status).toBe(400);
    expect(JSON.stringify(verified.json.errorCauses)).toMatch(/vendor asked for community/);
    const approved = await reviewer('/api/v1/network/reviews/acme-notes/versions/1.0.0/approve', { method: 'POST', json: { tier: 'community', comment: 'Thanks!' } });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ status: 'PUBLISHED', tier: 'community' });
    expect((await reviewer('/api/v1/network/reviews?status=PUBLISHED')).json.map((q: any) => `${q.id}@${q.version}`)).toContain('acme-notes@1.0.0');

    const listed = await customer('/api/v1/catalog/integrations/acme-notes');
    expect(listed.status).toBe(200);
    expect(listed.json).toMatchObject({ source: 'network', tier: 'community', versions: ['1.0.0'] });
    const added = await customer('/api/v1/catalog/integrations/acme-notes/instances', { method: 'POST', json: { variables: { spHost: vendorApp.host, subdomain: 'globex' } } });
    expect(added.json.settings.signOn.ssoAcsUrl).toBe(`${vendorApp.url}/t/globex/saml/acs`);
    expect(added.json.settings.signOn.attributeStatements.map((s: any) => s.name)).toContain('lastName');

    const manifest = (await vendor('/api/v1/integrations/acme-notes/versions/1.0.0')).json.manifest;
    expect((await vendor('/api/v1/integrations/acme-notes/versions/1.0.0', { method: 'PUT', json: manifest })).status).toBe(409);
  });

  it('publishes verified only with four contacts, two lasting test accounts and the reviewer\'s sign-off', async () => {
    const manifest = draft('acme-vault');
    manifest.tier = 'verified';
    manifest.contacts = Object.fromEntries(['support', 'technical', 'business', 'escalation'].map((r) => [r, { email: `${r}@acme.example.com` }]));
    await build(vendor, `http://127.0.0.1:${t.port}`, manifest, 'vault-qa');
    const one = await vendor('/api/v1/integrations/acme-vault/versions/1.0.0/submit', { method: 'POST', json: { testAccounts: [tester] } });
    expect(one.status).toBe(400);
    expect(JSON.stringify(one.json.errorCauses)).toMatch(/two test accounts that never expire are needed \(1 given\)/);
    const two = await vendor('/api/v1/integrations/acme-vault/versions/1.0.0/submit', {
      method: 'POST', json: { testAccounts: [tester, { username: 'b', password: 'q' }] },
    });
    expect(two.json.status).toBe('SUBMITTED');
    const unsigned = await reviewer('/api/v1/network/reviews/acme-vault/versions/1.0.0/approve', { method: 'POST', json: { tier: 'verified' } });
    expect(unsigned.status).toBe(400);
    expect(JSON.stringify(unsigned.json.errorCauses)).toMatch(/verifiedSignOff/);
    const signed = await reviewer('/api/v1/network/reviews/acme-vault/versions/1.0.0/approve', { method: 'POST', json: { tier: 'verified', verifiedSignOff: true } });
    expect(signed.json).toMatchObject({ status: 'PUBLISHED', tier: 'verified' });
    expect((await customer('/api/v1/catalog/integrations?tier=verified')).json.map((e: any) => e.id)).toEqual(['acme-vault']);
  });

  it('never lets a reviewer decide on their own org\'s integration', async () => {
    await build(reviewer, t.url, draft('lanyard-own'), 'own-qa');
    const submitted = await reviewer('/api/v1/integrations/lanyard-own/versions/1.0.0/submit', { method: 'POST', json: { testAccounts: [tester] } });
    expect(submitted.json.status).toBe('SUBMITTED');
    const own = await reviewer('/api/v1/network/reviews/lanyard-own/versions/1.0.0/approve', { method: 'POST', json: {} });
    expect(own.status).toBe(403);
    expect((await reviewer('/api/v1/network/reviews/lanyard-own/versions/1.0.0')).json.status).toBe('SUBMITTED');
  });

  it('logs every step in the vendor\'s org', async () => {
    const events = (await vendor('/api/v1/logs?limit=1000')).json.map((e: any) => e.eventType);
    for (const type of ['network.integration.create', 'network.integration.version.create', 'network.integration.version.update',
      'network.integration.version.checks', 'network.integration.version.submit', 'network.integration.version.comment',
      'network.integration.version.reject', 'network.integration.version.publish']) {
      expect(events, type).toContain(type);
    }
  });
});

describe('admin roles', () => {
  it('grants the reviewer role in the first org only, and only by a super administrator', async () => {
    const user = await reviewer('/api/v1/users?activate=true', { method: 'POST', json: { profile: { login: 'rita@example.com', email: 'rita@example.com', firstName: 'Rita', lastName: 'Review' } } });
    const granted = await reviewer(`/api/v1/users/${user.json.id}/roles`, { method: 'POST', json: { type: 'NETWORK_REVIEWER' } });
    expect(granted.status).toBe(201);
    expect(granted.json).toMatchObject({ type: 'NETWORK_REVIEWER', status: 'ACTIVE', assignmentType: 'USER' });
    expect((await reviewer(`/api/v1/users/${user.json.id}/roles`)).json.map((r: any) => r.type)).toEqual(['NETWORK_REVIEWER']);
    const vendorUsers = (await vendor('/api/v1/users')).json;
    const elsewhere = await vendor(`/api/v1/users/${vendorUsers[0].id}/roles`, { method: 'POST', json: { type: 'NETWORK_REVIEWER' } });
    expect(elsewhere.status).toBe(400);
    expect((await vendor(`/api/v1/users/${vendorUsers[0].id}/roles`, { method: 'POST', json: { type: 'GOD' } })).status).toBe(400);
  });
});
