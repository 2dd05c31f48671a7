/**
 * The catalog that ships with Lanyard: every manifest validates, every sign-on mode of every
 * integration renders with the manifest's example variables into an app body that passes the
 * same checks an admin's own app passes, and every logo is original, safe artwork.
 */
import { describe, expect, it } from 'vitest';
import { loadShippedCatalog } from '../../src/catalog/shipped.ts';
import { exampleValues, renderApp } from '../../src/catalog/render.ts';
import { modesOf } from '../../src/catalog/manifest.ts';
import { oauthClientCredentialsSchema, oauthClientSettingsSchema, resolveOidcClient } from '../../src/domain/app.ts';
import { resolveSamlServiceProvider, samlSignOnSchema } from '../../src/domain/saml-app.ts';
import { resolveWsFedRelyingParty, wsFedAppSchema } from '../../src/domain/wsfed-app.ts';

const catalog = loadShippedCatalog();
const context = { orgUrl: 'https://acme.lanyard.test', appId: '0oa1example', orgExternalKey: '0oa1example' };

describe('the shipped catalog', () => {
  it('holds at least 40 integrations of real applications, each once', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(40);
    expect(new Set(catalog.map((m) => m.id)).size).toBe(catalog.length);
    expect(new Set(catalog.map((m) => m.name)).size).toBe(catalog.length);
  });

  it('ships community integrations only: none has been signed in to live by a reviewer', () => {
    expect(catalog.filter((m) => m.tier !== 'community').map((m) => m.id)).toEqual([]);
  });

  it('draws every logo itself: an SVG of initials on a colour', () => {
    for (const manifest of catalog) {
      expect(manifest.logo.mediaType, manifest.id).toBe('image/svg+xml');
      const svg = Buffer.from(manifest.logo.data, 'base64').toString('utf8');
      expect(svg, manifest.id).toMatch(/<rect [^>]*fill="#[0-9a-f]{6}"/i);
      expect(svg, manifest.id).toMatch(/<text [^>]*>[A-Za-z0-9]{1,3}<\/text>/);
    }
  });

  for (const manifest of catalog) {
    for (const mode of modesOf(manifest)) {
      it(`${manifest.id}: ${mode} renders with the example variables into a valid app`, () => {
        const rendered = renderApp(manifest, mode, exampleValues(manifest));
        const { settings, credentials } = rendered.body;
        expect(JSON.stringify(rendered.body)).not.toMatch(/\$\{org\./);
        if (mode === 'oidc') {
          const client = oauthClientSettingsSchema.safeParse(settings.oauthClient);
          const creds = oauthClientCredentialsSchema.safeParse(credentials.oauthClient);
          expect(client.error?.issues ?? [], manifest.id).toEqual([]);
          expect(creds.error?.issues ?? [], manifest.id).toEqual([]);
          const resolved = resolveOidcClient(client.data!, creds.data!);
          expect(resolved.ok ? [] : resolved.causes, manifest.id).toEqual([]);
        } else if (mode === 'saml') {
          const signOn = samlSignOnSchema.safeParse(settings.signOn);
          expect(signOn.error?.issues ?? [], manifest.id).toEqual([]);
          const resolved = resolveSamlServiceProvider(signOn.data, context);
          expect(resolved.ok ? [] : resolved.causes, manifest.id).toEqual([]);
        } else if (mode === 'wsfed') {
          const app = wsFedAppSchema.safeParse(settings.app);
          expect(app.error?.issues ?? [], manifest.id).toEqual([]);
          const resolved = resolveWsFedRelyingParty(app.data!, context);
          expect(resolved.ok ? [] : resolved.causes, manifest.id).toEqual([]);
        }
      });
    }
  }
});
