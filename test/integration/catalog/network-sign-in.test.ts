/**
 * The integration network end to end, with a real vendor app (node-saml and openid-client behind
 * https on loopback): a vendor org builds a SAML integration and an OpenID Connect integration
 * with the wizard and tries sign-in on its test instance; submission runs the live sign-in check
 * with the vendor's test account; a reviewer approves; a customer org adds each integration with
 * its own tenant, assigns a user, and that user signs in to the vendor's app through it. A
 * submission whose live sign-in fails stays a draft and says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { createOrgWithAdmin } from '../../helpers/orgs.ts';
import { scimToken, startVendorApp, type VendorApp } from '../../helpers/vendor-apps.ts';
import { BrowserlessClient, csrfOf } from '../../helpers/browserless.ts';
import { postedForm, samlSignIn } from '../../helpers/saml.ts';
import { liveSignIn } from '../../../src/catalog/live-sign-in.ts';
import { createOutboundHttp } from '../../../src/kernel/outbound-http.ts';

let t: TestLanyard;
let vendorApp: VendorApp;
let vendor: ReturnType<typeof api>;
let customer: ReturnType<typeof api>;
let vendorUrl: string;
const tester = { username: 'tester@acme.example.com', password: 'Quiet-Harbour-Lamp-42' };
const person = { username: 'grace@customer.example.com', password: 'Amber-Window-Kite-42' };

const common = {
  vendor: { name: 'Acme Software', website: 'https://acme.example.com' },
  website: 'https://acme.example.com',
  category: 'Productivity',
  variables: [
    { name: 'spHost', label: 'Acme host', type: 'host', example: 'app.acme.example.com' },
    { name: 'tenant', label: 'Your Acme tenant', type: 'subdomain', example: 'globex' },
  ],
  contacts: { support: { email: 'support@acme.example.com' } },
};

const samlDraft = {
  ...common, id: 'acme-docs', name: 'Acme Docs', description: 'Documents for teams, signed in with SAML.',
  signOn: {
    saml: {
      acsUrl: 'https://${org.spHost}/t/${org.tenant}/saml/acs', audience: 'https://${org.spHost}/t/${org.tenant}',
      spLoginUrl: 'https://${org.spHost}/t/${org.tenant}/login', nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      nameIdValue: '${user.email}', attributes: [{ name: 'email', value: 'user.email' }],
    },
  },
};

const oidcDraft = {
  ...common, id: 'acme-chat', name: 'Acme Chat', description: 'Chat for teams, signed in with OpenID Connect.',
  signOn: {
    oidc: {
      redirectUris: ['https://${org.spHost}/t/${org.tenant}/callback'], initiateLoginUri: 'https://${org.spHost}/t/${org.tenant}/login',
      scopes: ['openid', 'email', 'profile'],
    },
  },
};

/** A POST from the person's browser to the vendor's app (which Lanyard's test run trusts by its certificate). */
function postToApp(url: string, fields: Record<string, string>, ca: string): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams(fields).toString();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function getFromApp(url: string, ca: string): Promise<{ status: number; location: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') }));
    }).on('error', reject).end();
  });
}

async function createPerson(call: ReturnType<typeof api>, who: { username: string; password: string }): Promise<string> {
  const created = await call('/api/v1/users?activate=true', {
    method: 'POST', json: { profile: { login: who.username, email: who.username, firstName: 'Ada', lastName: 'Byron' }, credentials: { password: { value: who.password } } },
  });
  expect(created.status, JSON.stringify(created.json)).toBe(200);
  return created.json.id;
}

/** What the vendor's app needs to know about one tenant's Lanyard app. */
async function samlTenantOf(call: ReturnType<typeof api>, orgUrl: string, appId: string) {
  const values = (await call(`/api/v1/apps/${appId}/integration`)).json.lanyardValues;
  const certificate = await (await fetch(`${orgUrl}/app/${appId}/sso/saml/certificate`)).text();
  return { kind: 'saml' as const, ssoUrl: values.ssoUrl, certificate, idpIssuer: values.idpIssuer };
}

async function oidcTenantOf(call: ReturnType<typeof api>, orgUrl: string, appId: string) {
  const app = (await call(`/api/v1/apps/${appId}`)).json;
  return { kind: 'oidc' as const, issuer: orgUrl, clientId: app.credentials.oauthClient.client_id, clientSecret: app.credentials.oauthClient.client_secret };
}

beforeAll(async () => {
  vendorApp = await startVendorApp();
  t = await startLanyard({ env: { LANYARD_ALLOW_PRIVATE_NETWORK: 'true', LANYARD_TRUSTED_CA_FILE: vendorApp.caFile } });
  customer = api(t);
  // The vendor's org answers at 127.0.0.1, the customer is the deployment's first org at localhost.
  const acme = await createOrgWithAdmin(t, 'acme', '127.0.0.1');
  vendorUrl = `http://127.0.0.1:${t.port}`;
  vendor = api({ url: vendorUrl, token: acme.token });
  await createPerson(vendor, tester);
});
afterAll(async () => {
  await t?.close();
  await vendorApp?.close();
});

describe.each([
  ['SAML 2.0', samlDraft, samlTenantOf],
  ['OpenID Connect', oidcDraft, oidcTenantOf],
] as const)('a %s integration from wizard to a customer\'s sign-in', (_name, draft, tenantOf) => {
  let testAppId: string;
  const qa = `${draft.id}-qa`;

  it('is built with the wizard, and the vendor signs in to its app through the test instance', async () => {
    const made = await vendor('/api/v1/integrations', { method: 'POST', json: { manifest: draft, testVariables: { spHost: vendorApp.host, tenant: qa } } });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    testAppId = made.json.testAppId;
    expect((await vendor(`/api/v1/apps/${testAppId}/users`, { method: 'POST', json: { id: tester.username } })).status).toBe(200);
    vendorApp.addTenant(qa, await tenantOf(vendor, vendorUrl, testAppId));

    // The vendor tries it from the app's own sign-in page, as a person would.
    const http = createOutboundHttp({ allowPrivateNetwork: true, extraCa: readFileSync(vendorApp.caFile, 'utf8') });
    const tried = await liveSignIn({ http, lanyardOrigin: vendorUrl, startUrl: `${vendorApp.url}/t/${qa}/login`, ...tester });
    expect(tried.passed, tried.steps.join('\n') + tried.detail).toBe(true);
    expect(vendorApp.signIns.filter((s) => s.tenant === qa).length).toBe(1);
  });

  it('is not submitted when its live sign-in fails, and the report says why', async () => {
    const refused = await vendor(`/api/v1/integrations/${draft.id}/versions/1.0.0/submit`, {
      method: 'POST', json: { testAccounts: [{ ...tester, password: 'not-the-password' }] },
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json.errorCauses)).toMatch(/checks\.liveSignIn: Lanyard did not accept the test account's username and password/);
    const version = (await vendor(`/api/v1/integrations/${draft.id}/versions/1.0.0`)).json;
    expect(version.status).toBe('DRAFT');
    expect(version.submission.report.checks.find((c: any) => c.id === 'liveSignIn').steps.length).toBeGreaterThan(1);
    expect(JSON.stringify(version)).not.toContain('not-the-password');
  });

  it('passes every check with the right test account, and a reviewer publishes it', async () => {
    const before = vendorApp.signIns.length;
    const submitted = await vendor(`/api/v1/integrations/${draft.id}/versions/1.0.0/submit`, { method: 'POST', json: { testAccounts: [tester] } });
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(200);
    const live = submitted.json.submission.report.checks.find((c: any) => c.id === 'liveSignIn');
    expect(live).toMatchObject({ status: 'PASSED', detail: expect.stringMatching(/^the app accepted the sign-in/) });
    expect(vendorApp.signIns.length).toBe(before + 1);
    const approved = await customer(`/api/v1/network/reviews/${draft.id}/versions/1.0.0/approve`, { method: 'POST', json: { tier: 'community' } });
    expect(approved.json).toMatchObject({ status: 'PUBLISHED', tier: 'community' });
  });

  it('is added by a customer with its own tenant, and the customer\'s user signs in to the vendor\'s app', async () => {
    const tenant = `${draft.id}-globex`;
    const added = await customer(`/api/v1/catalog/integrations/${draft.id}/instances`, { method: 'POST', json: { variables: { spHost: vendorApp.host, tenant } } });
    expect(added.status, JSON.stringify(added.json)).toBe(200);
    const appId = added.json.id;
    const userId = await createPerson(customer, { ...person, username: `${draft.id}.${person.username}` });
    expect((await customer(`/api/v1/apps/${appId}/users`, { method: 'POST', json: { id: userId } })).status).toBe(200);
    vendorApp.addTenant(tenant, await tenantOf(customer, t.url, appId));
    const ca = readFileSync(vendorApp.caFile, 'utf8');
    const browser = new BrowserlessClient(t.url);
    const credentials = { username: `${draft.id}.${person.username}`, password: person.password };

    if (draft === samlDraft) {
      // IdP-initiated from the customer's Lanyard; the browser posts the Response to the vendor's ACS.
      const nav = await samlSignIn(browser, `${t.url}/home/${added.json.name}/${appId}`, credentials);
      const form = postedForm(nav);
      expect(form?.action).toBe(`${vendorApp.url}/t/${tenant}/saml/acs`);
      const accepted = await postToApp(form!.action, form!.fields, ca);
      expect(accepted.status, accepted.body).toBe(200);
    } else {
      // The vendor's app starts the code flow; the browser signs in on Lanyard and comes back with the code.
      const start = await getFromApp(`${vendorApp.url}/t/${tenant}/login`, ca);
      expect(start.location).toMatch(new RegExp(`^${t.url}/oauth2/v1/authorize\\?`));
      let nav = await browser.get(start.location!);
      if (/name="password"/.test(nav.final.body)) {
        nav = await browser.submit(nav.final, { csrf: csrfOf(nav.final.body), username: credentials.username, password: credentials.password });
      }
      expect(nav.final.location).toMatch(new RegExp(`^${vendorApp.url}/t/${tenant}/callback\\?`));
      const callback = await getFromApp(nav.final.location!, ca);
      expect(callback.status, callback.body).toBe(200);
    }
    expect(vendorApp.signIns.filter((s) => s.tenant === tenant)).toEqual([{ tenant, subject: credentials.username }]);
  });
});

describe('an integration that declares SCIM provisioning', () => {
  const draft = {
    ...samlDraft, id: 'acme-people', name: 'Acme People', description: 'A people directory that provisions over SCIM.',
    provisioning: {
      scim: { baseUrl: 'https://${org.spHost}/scim/v2', authScheme: 'bearer', operations: { create: true, update: true, deactivate: true } },
      instructions: 'Paste the SCIM token from Acme People\'s settings.',
    },
  };
  const qa = 'acme-people-qa';

  it('is submitted only when the SCIM conformance run against the vendor\'s test endpoint passes, with a readable report', async () => {
    const made = await vendor('/api/v1/integrations', { method: 'POST', json: { manifest: draft, testVariables: { spHost: vendorApp.host, tenant: qa } } });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    expect((await vendor(`/api/v1/apps/${made.json.testAppId}/users`, { method: 'POST', json: { id: tester.username } })).status).toBe(200);
    vendorApp.addTenant(qa, await samlTenantOf(vendor, vendorUrl, made.json.testAppId));
    const submit = (body: unknown) => vendor('/api/v1/integrations/acme-people/versions/1.0.0/submit', { method: 'POST', json: body });

    const missing = await submit({ testAccounts: [tester] });
    expect(JSON.stringify(missing.json.errorCauses)).toMatch(/checks\.scimConformance: supply a token for the test SCIM endpoint as scim\.token/);

    const wrong = await submit({ testAccounts: [tester], scim: { token: 'not-the-token' } });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.json.errorCauses)).toMatch(/checks\.scimConformance: list users: expected 200/);
    expect(JSON.stringify(wrong.json)).not.toContain('not-the-token');

    const passed = await submit({ testAccounts: [tester], scim: { token: scimToken } });
    expect(passed.status, JSON.stringify(passed.json)).toBe(200);
    const report = passed.json.submission.report.checks.find((c: any) => c.id === 'scimConformance');
    expect(report.status).toBe('PASSED');
    expect(report.steps.map((s: string) => s.split(':')[0])).toEqual([
      'PASS list users', 'PASS filter finds nothing', 'PASS create a user', 'PASS fetch the user', 'PASS filter by userName',
      'PASS update the user (PATCH)', 'PASS deactivate the user', 'PASS create the same userName again', 'PASS page through users', 'PASS fetch an unknown id',
    ]);
    expect(passed.json.submission.scimCredentials).toBe('supplied');
    expect(passed.text).not.toContain(scimToken);

    // The vendor's own SCIM server shows what the run did: one check user, renamed and deactivated.
    const listed = await getFromAppWithToken(`${vendorApp.url}/scim/v2/Users?filter=${encodeURIComponent('userName sw "lanyard.check."')}`);
    const checkUsers = JSON.parse(listed).Resources.filter((u: any) => u.userName.startsWith('lanyard.check.'));
    expect(checkUsers.at(-1)).toMatchObject({ active: false, name: { givenName: 'Updated', familyName: 'Check' } });
  });
});

function getFromAppWithToken(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { ca: readFileSync(vendorApp.caFile, 'utf8'), headers: { authorization: `Bearer ${scimToken}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    }).on('error', reject).end();
  });
}

describe('a published verified integration', () => {
  const draft = {
    ...samlDraft, id: 'acme-sign', name: 'Acme Sign', description: 'Signatures for documents, tested continually once verified.', tier: 'verified',
    contacts: Object.fromEntries(['support', 'technical', 'business', 'escalation'].map((role) => [role, { email: `${role}@acme.example.com` }])),
  };
  const qa = 'acme-sign-qa';
  const events = async (call: ReturnType<typeof api>, type: string) =>
    (await call(`/api/v1/logs?filter=${encodeURIComponent(`eventType eq "${type}"`)}`)).json.filter((e: any) => e.target[0]?.displayName === 'acme-sign');

  it('is re-tested; when it breaks, its vendor and the orgs using it are told, and its health shows it until it recovers', async () => {
    const made = await vendor('/api/v1/integrations', { method: 'POST', json: { manifest: draft, testVariables: { spHost: vendorApp.host, tenant: qa } } });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    expect((await vendor(`/api/v1/apps/${made.json.testAppId}/users`, { method: 'POST', json: { id: tester.username } })).status).toBe(200);
    const tenant = await samlTenantOf(vendor, vendorUrl, made.json.testAppId);
    vendorApp.addTenant(qa, tenant);
    const submitted = await vendor('/api/v1/integrations/acme-sign/versions/1.0.0/submit', {
      method: 'POST', json: { testAccounts: [tester, { username: 'second@acme.example.com', password: 'Second-Account-Pass-9' }] },
    });
    expect(submitted.json.status, JSON.stringify(submitted.json)).toBe('SUBMITTED');
    const approved = await customer('/api/v1/network/reviews/acme-sign/versions/1.0.0/approve', { method: 'POST', json: { tier: 'verified', verifiedSignOff: true } });
    expect(approved.json).toMatchObject({ status: 'PUBLISHED', tier: 'verified' });
    expect((await customer('/api/v1/catalog/integrations/acme-sign')).json.health).toMatchObject({ status: 'UNTESTED' });
    const added = await customer('/api/v1/catalog/integrations/acme-sign/instances', { method: 'POST', json: { variables: { spHost: vendorApp.host, tenant: 'acme-sign-globex' } } });
    expect(added.status).toBe(200);

    const first = await customer('/api/v1/network/monitor/run', { method: 'POST', json: {} });
    expect(first.json).toContainEqual({ id: 'acme-sign', version: '1.0.0', status: 'PASSING' });
    expect((await customer('/api/v1/catalog/integrations/acme-sign')).json.health).toMatchObject({ status: 'PASSING', failingSince: null });
    expect((await vendor('/api/v1/network/monitor/run', { method: 'POST', json: {} })).status).toBe(403);

    // The vendor's app stops accepting sign-ins for the test tenant.
    vendorApp.removeTenant(qa);
    const broken = await customer('/api/v1/network/monitor/run', { method: 'POST', json: {} });
    expect(broken.json).toContainEqual({ id: 'acme-sign', version: '1.0.0', status: 'FAILING' });
    const health = (await customer('/api/v1/catalog/integrations/acme-sign')).json.health;
    expect(health).toMatchObject({ status: 'FAILING', failingSince: expect.any(String) });
    expect(health.failures.join('\n')).toMatch(/liveSignIn: the app answered 404/);
    expect((await customer(`/api/v1/apps/${added.json.id}/integration`)).json.health).toMatchObject({ status: 'FAILING' });
    expect(await events(vendor, 'network.integration.monitor.fail')).toHaveLength(1);
    expect(await events(customer, 'network.integration.monitor.fail')).toHaveLength(1);

    // Still failing: not announced twice.
    await customer('/api/v1/network/monitor/run', { method: 'POST', json: {} });
    expect(await events(vendor, 'network.integration.monitor.fail')).toHaveLength(1);

    vendorApp.addTenant(qa, tenant);
    const fixed = await customer('/api/v1/network/monitor/run', { method: 'POST', json: {} });
    expect(fixed.json).toContainEqual({ id: 'acme-sign', version: '1.0.0', status: 'PASSING' });
    expect((await customer('/api/v1/catalog/integrations/acme-sign')).json.health).toMatchObject({ status: 'PASSING', failingSince: null, failures: [] });
    expect(await events(vendor, 'network.integration.monitor.recover')).toHaveLength(1);
    expect(await events(customer, 'network.integration.monitor.recover')).toHaveLength(1);
  });

  it('is re-tested by the scheduled job only when its last run is older than the interval', async () => {
    const results = await t.lanyard.services.networkMonitor.runDue();
    expect(results.map((r) => r.key)).not.toContain('acme-sign');
  });
});

describe('an SWA integration', () => {
  const swa = (id: string, passwordField: string) => ({
    ...common, id, name: `Acme Legacy ${id}`, description: 'An older app with a plain sign-in form.',
    variables: [common.variables[0]],
    signOn: { swa: { loginUrl: 'https://${org.spHost}/swa/login', usernameField: 'user', passwordField, submitButton: '#go' } },
  });

  it('gets a test instance from the wizard, and is submitted when its sign-in page shows the fields it names', async () => {
    const made = await vendor('/api/v1/integrations', { method: 'POST', json: { manifest: swa('acme-legacy', 'pass'), testVariables: { spHost: vendorApp.host } } });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    expect(made.json._embedded.testApp).toMatchObject({ name: 'template_swa', signOnMode: 'BROWSER_PLUGIN', settings: { app: { url: `${vendorApp.url}/swa/login`, usernameField: 'user', passwordField: 'pass' } } });
    const submitted = await vendor('/api/v1/integrations/acme-legacy/versions/1.0.0/submit', { method: 'POST', json: { testAccounts: [tester] } });
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(200);
    expect(submitted.json.submission.report.checks.find((c: any) => c.id === 'liveSignIn')).toMatchObject({ status: 'PASSED' });
  });

  it('is refused when the page lacks a field the manifest names', async () => {
    expect((await vendor('/api/v1/integrations', { method: 'POST', json: { manifest: swa('acme-legacy-two', 'pwd'), testVariables: { spHost: vendorApp.host } } })).status).toBe(201);
    const refused = await vendor('/api/v1/integrations/acme-legacy-two/versions/1.0.0/submit', { method: 'POST', json: { testAccounts: [tester] } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json.errorCauses)).toMatch(/checks\.liveSignIn: the page has no field named pwd/);
  });
});
