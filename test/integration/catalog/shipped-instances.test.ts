/**
 * Every shipped integration, in every sign-on mode it offers, added to an org through the API
 * with its example tenant variables: the app that comes out is accepted by the apps service as it
 * stands, and serves what its protocol needs — SAML and WS-Federation metadata with the app's own
 * certificate, an OpenID Connect client with its id (and secret, for a confidential client).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { shippedCatalog } from '../../../src/catalog/shipped.ts';
import { exampleValues } from '../../../src/catalog/render.ts';
import { modesOf } from '../../../src/catalog/manifest.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
});
afterAll(async () => t?.close());

describe('the shipped catalog, added to an org', () => {
  const catalog = shippedCatalog();
  it('has at least 40 integrations to add', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(40);
  });

  for (const manifest of catalog) {
    for (const mode of modesOf(manifest).filter((m) => m !== 'swa')) {
      it(`${manifest.id} (${mode}) becomes a working app`, async () => {
        const added = await call(`/api/v1/catalog/integrations/${manifest.id}/instances`, {
          method: 'POST', json: { signOnMode: mode, variables: exampleValues(manifest) },
        });
        expect(added.status, JSON.stringify(added.json)).toBe(200);
        const app = added.json;
        expect(app.label).toBe(manifest.name);
        if (mode === 'saml') {
          const metadata = await fetch(`${t.url}/app/${app.id}/sso/saml/metadata`);
          expect(metadata.status).toBe(200);
          expect(await metadata.text()).toContain('<ds:X509Certificate>');
        } else if (mode === 'wsfed') {
          const metadata = await fetch(`${t.url}/app/${app.id}/sso/wsfed/metadata`);
          expect(metadata.status).toBe(200);
        } else {
          expect(app.credentials.oauthClient.client_id).toEqual(expect.any(String));
          const confidential = app.credentials.oauthClient.token_endpoint_auth_method !== 'none';
          expect(typeof app.credentials.oauthClient.client_secret === 'string').toBe(confidential);
        }
        const link = await call(`/api/v1/apps/${app.id}/integration`);
        expect(link.json).toMatchObject({ integrationId: manifest.id, version: manifest.version, signOnMode: mode });
        if (link.json.instructions !== null) expect(link.json.instructions).not.toMatch(/\$\{(org|lanyard)\.[A-Za-z]+\}/);
      });
    }
  }
});
