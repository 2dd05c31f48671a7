/**
 * The catalog through its API, as an admin of any org uses it: search and read the published
 * integrations, fetch logos without credentials, add an integration with the org's tenant
 * variables (an ordinary app with keys and metadata comes out), read its setup instructions with
 * this app's values, and move it to a newer published version after seeing what changes.
 * Unpublished versions stay invisible to customers, whoever asks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { createOrgWithAdmin } from '../../helpers/orgs.ts';
import { samlManifest } from '../../helpers/manifests.ts';
import { manifestSchema } from '../../../src/catalog/manifest.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let customer: ReturnType<typeof api>;
let vendorOrgId: string;

/** Stores a version of a vendor integration directly, as review will once it approves one. */
async function storeVersion(manifest: Record<string, any>, status: 'PUBLISHED' | 'DRAFT' | 'SUBMITTED') {
  const now = new Date().toISOString();
  const parsed = manifestSchema.parse(manifest);
  const { integrations } = t.lanyard.store;
  let integration = await integrations.findByKey(parsed.id);
  if (!integration) {
    integration = { id: `int${parsed.id.replace(/-/g, '')}`, key: parsed.id, ownerOrgId: vendorOrgId, testAppId: null, created: now, lastUpdated: now };
    await integrations.insert(integration);
  }
  await integrations.insertVersion({
    integrationId: integration.id, version: parsed.version, manifest: parsed, status, tier: status === 'PUBLISHED' ? 'community' : null,
    submission: null, review: null, created: now, lastUpdated: now, submitted: null, published: status === 'PUBLISHED' ? now : null, monitor: null,
  });
}

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
  const vendor = await createOrgWithAdmin(t, 'acme', '127.0.0.2');
  vendorOrgId = vendor.org.id;
  const globex = await createOrgWithAdmin(t, 'globex', '127.0.0.1');
  customer = api({ url: `http://127.0.0.1:${t.port}`, token: globex.token });
  await storeVersion(samlManifest('acme-wiki', 'acme-wiki.example.com', '1.0.0'), 'PUBLISHED');
  await storeVersion(samlManifest('acme-draft', 'acme-draft.example.com', '1.0.0'), 'DRAFT');
});
afterAll(async () => {
  await t?.close();
});

describe('searching the catalog', () => {
  it('lists published integrations by name, shipped and vendors\' alike, and never a draft', async () => {
    const all: any[] = [];
    let next: string | undefined = '/api/v1/catalog/integrations?limit=200';
    while (next) {
      const page = await customer(next.replace(/^https?:\/\/[^/]+/, ''));
      expect(page.status).toBe(200);
      all.push(...page.json);
      next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
    }
    const ids = all.map((e) => e.id);
    expect(ids).toContain('slack');
    expect(ids).toContain('acme-wiki');
    expect(ids).not.toContain('acme-draft');
    const names = all.map((e) => e.name.toLowerCase());
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    const wiki = all.find((e) => e.id === 'acme-wiki');
    expect(wiki).toMatchObject({ source: 'network', tier: 'community', signOnModes: ['saml'], versions: ['1.0.0'] });
    expect(all.find((e) => e.id === 'slack')).toMatchObject({ source: 'lanyard', signOnModes: ['saml'], provisioning: { scim: { authScheme: 'bearer' } } });
  });

  it('pages with limit and after, each page linking the next', async () => {
    const first = await customer('/api/v1/catalog/integrations?limit=1');
    expect(first.json).toHaveLength(1);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    expect(next).toBeDefined();
    const second = await customer(next!.replace(/^https?:\/\/[^/]+/, ''));
    expect(second.json).toHaveLength(1);
    expect(second.json[0].id).not.toBe(first.json[0].id);
  });

  it('filters by text, category, sign-on mode (either spelling), provisioning and tier', async () => {
    const ids = async (query: string) => (await customer(`/api/v1/catalog/integrations?limit=200&${query}`)).json.map((e: any) => e.id);
    expect(await ids('q=SLACK')).toEqual(['slack']);
    expect(await ids('q=wiki&category=documentation')).toContain('acme-wiki');
    expect(await ids('category=Communication')).toContain('slack');
    expect(await ids('category=Communication')).not.toContain('acme-wiki');
    expect(await ids('signOnMode=SAML_2_0')).toEqual(await ids('signOnMode=saml'));
    expect(await ids('signOnMode=oidc')).not.toContain('slack');
    expect(await ids('provisioning=groupPush')).toContain('slack');
    expect(await ids('provisioning=true')).not.toContain('acme-wiki');
    expect(await ids('provisioning=false')).toContain('acme-wiki');
    expect(await ids('tier=verified')).toEqual([]);
  });

  it('refuses bad search parameters with a clear error', async () => {
    const mode = await customer('/api/v1/catalog/integrations?signOnMode=kerberos');
    expect(mode.status).toBe(400);
    expect(mode.json.errorCode).toBe('E0000001');
    expect(JSON.stringify(mode.json.errorCauses)).toMatch(/must be one of oidc, saml, wsfed, swa/);
    expect((await customer('/api/v1/catalog/integrations?provisioning=sometimes')).status).toBe(400);
    expect((await customer('/api/v1/catalog/integrations?limit=-1')).status).toBe(400);
  });

  it('needs an API token', async () => {
    const anonymous = await fetch(`${t.url}/api/v1/catalog/integrations`);
    expect(anonymous.status).toBe(401);
  });
});

describe('one integration', () => {
  it('shows its templates, variables, instructions and support contact', async () => {
    const detail = await customer('/api/v1/catalog/integrations/slack');
    expect(detail.status).toBe(200);
    expect(detail.json.signOn.saml.acsUrl).toBe('https://${org.subdomain}.slack.com/sso/saml');
    expect(detail.json.variables[0]).toMatchObject({ name: 'subdomain', type: 'subdomain', example: 'acme' });
    expect(detail.json.instructions.saml).toMatch(/\$\{lanyard\.ssoUrl\}/);
    expect(detail.json.contacts).toEqual({ support: { url: expect.stringMatching(/^https:\/\/slack\.com\//) } });
    expect(detail.json._links.logo.href).toMatch(/\/catalog\/integrations\/slack\/logo\?version=1\.0\.0$/);
  });

  it('is not found when unpublished, unknown, or asked at a version never published', async () => {
    for (const path of ['acme-draft', 'no-such-app', 'slack?version=9.9.9', 'acme-wiki?version=0.0.1']) {
      const response = await customer(`/api/v1/catalog/integrations/${path}`);
      expect(response.status, path).toBe(404);
      expect(response.json.errorCode).toBe('E0000007');
    }
    // Not even the deployment's first org sees a draft in the catalog.
    expect((await call('/api/v1/catalog/integrations/acme-draft')).status).toBe(404);
  });

  it('serves its logo to anyone, as an image that may only draw', async () => {
    const logo = await fetch(`${t.url}/catalog/integrations/slack/logo?version=1.0.0`);
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/svg+xml');
    expect(logo.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(logo.headers.get('content-security-policy')).toContain('sandbox');
    expect(await logo.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect((await fetch(`${t.url}/catalog/integrations/acme-draft/logo`)).status).toBe(404);
    expect((await fetch(`${t.url}/catalog/integrations/${'x'.repeat(100)}/logo`)).status).toBe(404);
  });

  it('publishes the manifest\'s JSON Schema', async () => {
    const schema = await customer('/api/v1/catalog/manifest-schema');
    expect(schema.status).toBe(200);
    expect(schema.json.$schema).toMatch(/json-schema\.org/);
    expect(Object.keys(schema.json.properties)).toEqual(expect.arrayContaining(['signOn', 'variables', 'provisioning', 'contacts', 'logo']));
  });
});

describe('adding an integration to an org', () => {
  it('creates a SAML app from the manifest with the org\'s variables, with keys, metadata and instructions', async () => {
    const added = await customer('/api/v1/catalog/integrations/slack/instances', { method: 'POST', json: { variables: { subdomain: 'globex' } } });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({ name: 'slack', label: 'Slack', signOnMode: 'SAML_2_0', status: 'ACTIVE' });
    expect(added.json.settings.signOn).toMatchObject({ ssoAcsUrl: 'https://globex.slack.com/sso/saml', audience: 'https://slack.com' });
    const appId = added.json.id;

    const metadata = await fetch(`http://127.0.0.1:${t.port}/app/${appId}/sso/saml/metadata`);
    expect(metadata.status).toBe(200);
    expect(await metadata.text()).toContain('<ds:X509Certificate>');
    const certificate = await fetch(`http://127.0.0.1:${t.port}/app/${appId}/sso/saml/certificate`);
    expect(await certificate.text()).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const link = await customer(`/api/v1/apps/${appId}/integration`);
    expect(link.status).toBe(200);
    expect(link.json).toMatchObject({ integrationId: 'slack', version: '1.0.0', signOnMode: 'saml', variables: { subdomain: 'globex' }, upgradeAvailable: false });
    expect(link.json.instructions).toContain(`http://127.0.0.1:${t.port}/app/slack/${appId}/sso/saml`);
    expect(link.json.instructions).toContain('https://globex.slack.com');
    expect(link.json.instructions).not.toMatch(/\$\{(org|lanyard)\./);

    const log = await customer(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "application.integration.add"')}`);
    expect(log.json.some((e: any) => e.target.some((x: any) => x.id === appId))).toBe(true);
  });

  it('refuses bad tenant variables, an unknown mode and unknown fields, creating nothing', async () => {
    const before = (await customer('/api/v1/apps?limit=200')).json.length;
    const attempts: [unknown, RegExp][] = [
      [{ variables: {} }, /variables\.subdomain: is required/],
      [{ variables: { subdomain: 'evil.example.org/' } }, /variables\.subdomain: must be a DNS label/],
      [{ variables: { subdomain: 'globex', region: 'eu' } }, /variables\.region: is not a variable of this integration/],
      [{ variables: { subdomain: 'globex' }, signOnMode: 'oidc' }, /signOnMode: Slack offers saml, not oidc/],
      [{ variables: { subdomain: 'globex' }, signOnMode: 'kerberos' }, /signOnMode: must be one of/],
      [{ variables: { subdomain: 'globex' }, colour: 'red' }, /Unrecognized key|colour/],
      [{ variables: { subdomain: 42 } }, /variables\.subdomain: must be a string/],
    ];
    for (const [body, cause] of attempts) {
      const response = await customer('/api/v1/catalog/integrations/slack/instances', { method: 'POST', json: body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.json.errorCode).toBe('E0000001');
      expect(JSON.stringify(response.json.errorCauses), JSON.stringify(body)).toMatch(cause);
    }
    expect((await customer('/api/v1/catalog/integrations/acme-draft/instances', { method: 'POST', json: { variables: { subdomain: 'globex' } } })).status).toBe(404);
    expect((await customer('/api/v1/apps?limit=200')).json.length).toBe(before);
  });

  it('says when an app was not added from the catalog', async () => {
    const app = await customer('/api/v1/apps', { method: 'POST', json: { label: 'Intranet', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://intranet.example.com' } } } });
    const link = await customer(`/api/v1/apps/${app.json.id}/integration`);
    expect(link.status).toBe(400);
    expect(JSON.stringify(link.json.errorCauses)).toMatch(/was not added from the integration network/);
  });
});

describe('moving an instance to a newer version', () => {
  it('previews the changes, keeps the admin\'s own settings, then applies and remembers the version', async () => {
    const added = await customer('/api/v1/catalog/integrations/acme-wiki/instances', { method: 'POST', json: { variables: { subdomain: 'globex' }, label: 'Wiki' } });
    expect(added.status).toBe(200);
    const appId = added.json.id;
    // The admin turns on ForceAuthn-ignoring and changes the label by hand.
    const own = structuredClone(added.json);
    own.settings.signOn.honorForceAuthn = false;
    const put = await customer(`/api/v1/apps/${appId}`, { method: 'PUT', json: { label: 'Our wiki', signOnMode: 'SAML_2_0', settings: own.settings, credentials: own.credentials } });
    expect(put.status).toBe(200);

    const next = samlManifest('acme-wiki', 'wiki.acme.example.com', '1.1.0');
    next.signOn.saml.attributes.push({ name: 'lastName', value: 'user.lastName' });
    await storeVersion(next, 'PUBLISHED');
    await storeVersion(samlManifest('acme-wiki', 'beta.acme.example.com', '1.2.0'), 'SUBMITTED');

    const link = await customer(`/api/v1/apps/${appId}/integration`);
    expect(link.json).toMatchObject({ version: '1.0.0', latestVersion: '1.1.0', upgradeAvailable: true });

    const preview = await customer(`/api/v1/apps/${appId}/integration/preview`, { method: 'POST', json: {} });
    expect(preview.status).toBe(200);
    expect(preview.json.fromVersion).toBe('1.0.0');
    expect(preview.json.toVersion).toBe('1.1.0');
    const paths = preview.json.changes.map((c: any) => c.path);
    expect(paths).toEqual(expect.arrayContaining(['settings.signOn.ssoAcsUrl', 'settings.signOn.audience', 'settings.signOn.attributeStatements']));
    expect(paths).not.toContain('settings.signOn.honorForceAuthn');
    expect(preview.json.changes.find((c: any) => c.path === 'settings.signOn.ssoAcsUrl'))
      .toMatchObject({ from: 'https://globex.acme-wiki.example.com/saml/acs', to: 'https://globex.wiki.acme.example.com/saml/acs', overridesLocalChange: false });
    // Nothing was written by the preview.
    expect((await customer(`/api/v1/apps/${appId}`)).json.settings.signOn.ssoAcsUrl).toBe('https://globex.acme-wiki.example.com/saml/acs');

    const applied = await customer(`/api/v1/apps/${appId}/integration/upgrade`, { method: 'POST', json: { version: '1.1.0' } });
    expect(applied.status).toBe(200);
    expect(applied.json.app.settings.signOn).toMatchObject({ ssoAcsUrl: 'https://globex.wiki.acme.example.com/saml/acs', honorForceAuthn: false });
    expect(applied.json.app.label).toBe('Our wiki');
    expect(applied.json.app.settings.signOn.attributeStatements.map((s: any) => s.name)).toEqual(['email', 'firstName', 'lastName', 'groups']);
    expect((await customer(`/api/v1/apps/${appId}/integration`)).json).toMatchObject({ version: '1.1.0', upgradeAvailable: false });

    // New tenant variables alone re-render the same version.
    const moved = await customer(`/api/v1/apps/${appId}/integration/upgrade`, { method: 'POST', json: { variables: { subdomain: 'initech' } } });
    expect(moved.status).toBe(200);
    expect(moved.json.changes.map((c: any) => c.path)).toEqual(expect.arrayContaining(['variables.subdomain', 'settings.signOn.ssoAcsUrl']));
    expect(moved.json.app.settings.signOn.ssoAcsUrl).toBe('https://initech.wiki.acme.example.com/saml/acs');
  });

  it('refuses a version that is older, unpublished or unknown, and bad variables, changing nothing', async () => {
    const added = await customer('/api/v1/catalog/integrations/acme-wiki/instances', { method: 'POST', json: { variables: { subdomain: 'hooli' } } });
    expect(added.json.settings.signOn.ssoAcsUrl).toBe('https://hooli.wiki.acme.example.com/saml/acs');
    const appId = added.json.id;
    const older = await customer(`/api/v1/apps/${appId}/integration/upgrade`, { method: 'POST', json: { version: '1.0.0' } });
    expect(older.status).toBe(400);
    expect(JSON.stringify(older.json.errorCauses)).toMatch(/older than the app's 1\.1\.0/);
    expect((await customer(`/api/v1/apps/${appId}/integration/upgrade`, { method: 'POST', json: { version: '1.2.0' } })).status).toBe(404);
    const bad = await customer(`/api/v1/apps/${appId}/integration/upgrade`, { method: 'POST', json: { variables: { subdomain: 'x' } } });
    expect(bad.status).toBe(400);
    expect((await customer(`/api/v1/apps/${appId}/integration`)).json).toMatchObject({ version: '1.1.0', variables: { subdomain: 'hooli' } });
  });
});
