/**
 * The integration manifest's rules, one by one: a valid manifest passes; breaking any single rule
 * fails with a cause that names the field. Also the tenant-variable checks an admin's values
 * meet, rendering into Okta-shaped app settings, and the upgrade merge.
 */
import { describe, expect, it } from 'vitest';
import { manifestJsonSchema, manifestSchema } from '../../src/catalog/manifest.ts';
import { logoProblem } from '../../src/catalog/logo.ts';
import { RenderError, renderApp, variableProblems } from '../../src/catalog/render.ts';
import { renderInstructions } from '../../src/catalog/templates.ts';
import { planUpgrade } from '../../src/catalog/upgrade.ts';
import { logoData, oidcManifest, samlManifest } from '../helpers/manifests.ts';

function causes(document: unknown): string[] {
  const result = manifestSchema.safeParse(document);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const svg = (body: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">${body}</svg>`);

describe('a valid manifest', () => {
  it('passes, with defaults filled in', () => {
    expect(causes(samlManifest())).toEqual([]);
    expect(causes(oidcManifest())).toEqual([]);
    const parsed = manifestSchema.parse(samlManifest());
    expect(parsed.tier).toBe('community');
    expect(parsed.signOn.saml!.responseSigned).toBe(true);
    expect(parsed.variables[0]!.required).toBe(true);
  });
});

describe('each rule of the manifest', () => {
  const cases: [string, (m: Record<string, any>) => void, RegExp][] = [
    ['an unknown field', (m) => { m.colour = 'red'; }, /^: has fields the manifest does not know: colour/],
    ['a missing name', (m) => { delete m.name; }, /^name: is required/],
    ['a bad id', (m) => { m.id = 'Acme Wiki'; }, /^id: must be 1 to 64 lower-case/],
    ['a bad version', (m) => { m.version = '1.0'; }, /^version: must be a version such as 1.0.0/],
    ['an unknown format', (m) => { m.manifestFormat = 2; }, /^manifestFormat: must be 1/],
    ['an http website', (m) => { m.website = 'http://acme.example.com'; }, /^website: must be an absolute https URL/],
    ['an unknown category', (m) => { m.category = 'Toys'; }, /^category: must be one of/],
    ['a two-paragraph description', (m) => { m.description = 'One.\n\nTwo.'; }, /^description: must be one paragraph/],
    ['an unknown tier', (m) => { m.tier = 'gold'; }, /^tier: must be community or verified/],
    ['no sign-on mode', (m) => { m.signOn = {}; }, /^signOn: needs at least one sign-on mode/],
    ['a placeholder naming no variable', (m) => { m.signOn.saml.acsUrl = 'https://${org.tenant}.example.com/acs'; }, /^signOn\.saml\.acsUrl: uses \$\{org\.tenant\}, which is not one of/],
    ['a variable nothing uses', (m) => { m.variables.push({ name: 'region', label: 'Region', example: 'eu' }); }, /^variables\.1\.name: region is declared but no template uses it/],
    ['a variable declared twice', (m) => { m.variables.push({ ...m.variables[0] }); }, /^variables\.1\.name: subdomain is declared twice/],
    ['an example that fails its pattern', (m) => { m.variables[0].example = 'x'; }, /^variables\.0\.example: "x" must match/],
    ['an example that fails its type', (m) => { m.variables[0].example = 'a.b'; m.variables[0].pattern = undefined; }, /^variables\.0\.example: "a\.b" must be a DNS label/],
    ['a pattern Lanyard cannot run', (m) => { m.variables[0].pattern = '^(?=a)b$'; }, /^variables\.0\.pattern: is not a pattern Lanyard can run/],
    ['a bad variable name', (m) => { m.variables[0].name = 'sub-domain'; }, /^variables\.0\.name: must be a camelCase name/],
    ['an ACS URL that renders to http', (m) => { m.signOn.saml.acsUrl = 'http://${org.subdomain}.example.com/acs'; }, /^signOn\.saml\.acsUrl: must be an https URL/],
    ['an ACS URL that is no URL', (m) => { m.signOn.saml.acsUrl = '${org.subdomain}/acs'; }, /^signOn\.saml\.acsUrl: must be an absolute URL/],
    ['an ACS URL with a fragment', (m) => { m.signOn.saml.acsUrl = 'https://${org.subdomain}.example.com/acs#x'; }, /^signOn\.saml\.acsUrl: must not contain a fragment/],
    ['an unknown NameID format', (m) => { m.signOn.saml.nameIdFormat = 'email'; }, /^signOn\.saml\.nameIdFormat: must be a SAML NameID format URN/],
    ['a Lanyard value outside instructions', (m) => { m.signOn.saml.audience = '${lanyard.metadataUrl}'; }, /^signOn\.saml\.audience: \$\{lanyard\.…\} values may be used only in instructions/],
    ['an unknown Lanyard value', (m) => { m.signOn.saml.instructions = 'Paste ${lanyard.password} for ${org.subdomain}'; }, /uses \$\{lanyard\.password\}; known values are/],
    ['no support contact', (m) => { m.contacts = {}; }, /^contacts\.support: is required/],
    ['a contact with neither email nor URL', (m) => { m.contacts.support = { name: 'Help desk' }; }, /^contacts\.support: needs an email address or a URL/],
    ['a contact with a bad email', (m) => { m.contacts.support = { email: 'support' }; }, /^contacts\.support\.email: must be an email address/],
    ['the verified tier without its contacts', (m) => { m.tier = 'verified'; }, /^contacts\.technical: is required for the verified tier/],
    ['a logo that is not base64', (m) => { m.logo.data = '***'; }, /^logo\.data: must be base64/],
    ['a logo with script', (m) => { m.logo.data = svg('<script>alert(1)</script>').toString('base64'); }, /^logo: must only draw: <script> is not allowed/],
    ['a logo of another media type', (m) => { m.logo.mediaType = 'image/gif'; }, /^logo\.mediaType: must be image\/svg\+xml or image\/png/],
  ];
  for (const [name, breakIt, expected] of cases) {
    it(`refuses ${name}`, () => {
      const manifest = structuredClone(samlManifest());
      breakIt(manifest);
      const found = causes(manifest);
      expect(found.some((cause) => expected.test(cause)), found.join('\n')).toBe(true);
    });
  }

  it('refuses an OIDC browser app with a client secret, and refresh tokens alone', () => {
    const browser = oidcManifest();
    browser.signOn.oidc.applicationType = 'browser';
    expect(causes(browser)).toContain('signOn.oidc.tokenEndpointAuthMethod: a browser (single-page) app is a public client: use none');
    const refreshOnly = oidcManifest();
    refreshOnly.signOn.oidc.grantTypes = ['refresh_token'];
    expect(causes(refreshOnly)).toContain('signOn.oidc.grantTypes: refresh_token needs authorization_code');
  });

  it('lets a native app redirect to its own scheme or the loopback interface, never to javascript: or remote http', () => {
    const native = oidcManifest();
    Object.assign(native.signOn.oidc, { applicationType: 'native', tokenEndpointAuthMethod: 'none', redirectUris: ['com.acme.board:/callback'] });
    expect(causes(native)).toEqual([]);
    native.signOn.oidc.redirectUris = ['javascript:alert(1)'];
    expect(causes(native).join('\n')).toMatch(/redirectUris\.0: must be an https URL, a loopback http URL or a private-use scheme/);
    native.signOn.oidc.redirectUris = ['http://board.example.com/callback'];
    expect(causes(native).join('\n')).toMatch(/redirectUris\.0: must be an https URL, a loopback http URL or a private-use scheme/);
    native.signOn.oidc.redirectUris = ['http://localhost:8000', 'http://127.0.0.1:18000/callback'];
    expect(causes(native)).toEqual([]);
  });

  it('accepts verified-tier contacts when all four have an email address', () => {
    const manifest = samlManifest();
    manifest.tier = 'verified';
    manifest.contacts = Object.fromEntries(['support', 'technical', 'business', 'escalation'].map((role) => [role, { email: `${role}@acme.example.com` }]));
    expect(causes(manifest)).toEqual([]);
  });
});

describe('logos', () => {
  it('accept drawing and refuse everything that reaches out or runs', () => {
    expect(logoProblem('image/svg+xml', Buffer.from(Buffer.from(logoData('x').data, 'base64')))).toBeUndefined();
    expect(logoProblem('image/svg+xml', svg('<rect width="5" height="5" onclick="x()"/>'))).toMatch(/attribute onclick/);
    expect(logoProblem('image/svg+xml', svg('<image href="https://tracker.example.com/x.png"/>'))).toMatch(/<image> is not allowed/);
    expect(logoProblem('image/svg+xml', svg('<use href="https://example.com/a.svg#x"/>'))).toMatch(/may refer only to elements of the logo itself/);
    expect(logoProblem('image/svg+xml', svg('<rect style="fill:url(https://example.com/x)" width="1" height="1"/>'))).toMatch(/style may refer only/);
    expect(logoProblem('image/svg+xml', svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'))).toMatch(/foreignObject/);
    expect(logoProblem('image/svg+xml', Buffer.from('<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>'))).toMatch(/not a well-formed SVG/);
    expect(logoProblem('image/svg+xml', Buffer.from('<html/>'))).toMatch(/must be an SVG document/);
    expect(logoProblem('image/svg+xml', Buffer.alloc(70 * 1024, 0x20))).toMatch(/at most 64 KB/);
  });

  it('accept a real PNG of sensible size only', () => {
    const png = (width: number, height: number) => {
      const header = Buffer.alloc(33);
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
      header.writeUInt32BE(13, 8);
      header.write('IHDR', 12, 'latin1');
      header.writeUInt32BE(width, 16);
      header.writeUInt32BE(height, 20);
      return header;
    };
    expect(logoProblem('image/png', png(128, 128))).toBeUndefined();
    expect(logoProblem('image/png', png(8, 8))).toMatch(/between 32 and 1024 pixels/);
    expect(logoProblem('image/png', png(4096, 128))).toMatch(/this one is 4096×128/);
    expect(logoProblem('image/png', Buffer.from('GIF89a-not-a-png-at-all-really-no'))).toMatch(/is not a PNG/);
  });
});

describe('tenant variables an admin fills in', () => {
  const manifest = manifestSchema.parse(samlManifest());
  it('are checked against their type and pattern, and unknown ones are named', () => {
    expect(variableProblems(manifest.variables, { subdomain: 'globex' })).toEqual([]);
    expect(variableProblems(manifest.variables, {})).toEqual(['variables.subdomain: is required (Your Acme Wiki subdomain, for example globex)']);
    expect(variableProblems(manifest.variables, { subdomain: 'evil.example.org/x?' })[0]).toMatch(/^variables\.subdomain: must be a DNS label/);
    expect(variableProblems(manifest.variables, { subdomain: 'g' })[0]).toMatch(/^variables\.subdomain: must match/);
    expect(variableProblems(manifest.variables, { subdomain: 'globex', region: 'eu' })[0]).toMatch(/^variables\.region: is not a variable of this integration/);
    expect(variableProblems(manifest.variables, { subdomain: '${user.email}' })[0]).toMatch(/must not contain control characters or \$\{/);
  });

  it('render into Okta-shaped SAML settings, leaving sign-in-time expressions alone', () => {
    const rendered = renderApp(manifest, 'saml', { subdomain: 'globex' });
    expect(rendered.body.signOnMode).toBe('SAML_2_0');
    expect(rendered.body.name).toBe('acme-wiki');
    expect(rendered.body.settings.signOn).toMatchObject({
      ssoAcsUrl: 'https://globex.acme-wiki.example.com/saml/acs', recipient: 'https://globex.acme-wiki.example.com/saml/acs',
      audience: 'https://globex.acme-wiki.example.com/saml/metadata', subjectNameIdTemplate: '${user.email}',
      subjectNameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      attributeStatements: [
        { type: 'EXPRESSION', name: 'email', values: ['user.email'] },
        { type: 'EXPRESSION', name: 'firstName', values: ['user.firstName'] },
        { type: 'GROUP', name: 'groups', filterType: 'STARTS_WITH', filterValue: 'wiki-' },
      ],
    });
    expect(() => renderApp(manifest, 'oidc', { subdomain: 'globex' })).toThrow(RenderError);
  });

  it('fill setup instructions with the tenant variables and Lanyard values', () => {
    expect(renderInstructions('Go to https://${org.subdomain}.example.com and paste ${lanyard.metadataUrl}; keep ${lanyard.unknown}.',
      { subdomain: 'globex' }, { metadataUrl: 'https://idp.example.com/m' }))
      .toBe('Go to https://globex.example.com and paste https://idp.example.com/m; keep ${lanyard.unknown}.');
  });
});

describe('an upgrade', () => {
  it('changes what the manifest changes, keeps what the admin added, and says when it overrides an admin change', () => {
    const base = { settings: { signOn: { ssoAcsUrl: 'https://a/acs', audience: 'aud', attributeStatements: [1] } } };
    const current = { settings: { signOn: { ssoAcsUrl: 'https://a/acs', audience: 'mine', attributeStatements: [1], spCertificate: { x5c: ['c'] } } } };
    const next = { settings: { signOn: { ssoAcsUrl: 'https://b/acs', audience: 'aud2', attributeStatements: [1] } } };
    const { merged, changes } = planUpgrade(base, current, next);
    expect(merged).toEqual({ settings: { signOn: { ssoAcsUrl: 'https://b/acs', audience: 'aud2', attributeStatements: [1], spCertificate: { x5c: ['c'] } } } });
    expect(changes).toEqual([
      { path: 'settings.signOn.audience', from: 'mine', to: 'aud2', overridesLocalChange: true },
      { path: 'settings.signOn.ssoAcsUrl', from: 'https://a/acs', to: 'https://b/acs', overridesLocalChange: false },
    ]);
  });

  it('removes a field the new version no longer sets, and is empty when nothing changes', () => {
    const base = { settings: { a: 1, b: 2 } };
    expect(planUpgrade(base, base, { settings: { a: 1 } }).merged).toEqual({ settings: { a: 1 } });
    expect(planUpgrade(base, base, base).changes).toEqual([]);
  });
});

describe('the JSON Schema export', () => {
  it('describes the manifest for vendors\' editors', () => {
    const schema = manifestJsonSchema() as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(schema.properties).toHaveProperty('signOn');
    expect(schema.properties).toHaveProperty('variables');
    expect(schema.required).toEqual(expect.arrayContaining(['manifestFormat', 'id', 'version', 'name', 'logo', 'contacts']));
    expect(schema.additionalProperties).toBe(false);
  });
});
