/** Catalog integrations and app-instance links on the wire. */
import { modesOf, type Manifest } from '../../catalog/manifest.ts';
import type { CatalogEntry } from '../../services/catalog.ts';
import type { AppIntegrationRecord } from '../../services/ports.ts';

export function logoHref(orgUrl: string, manifest: Pick<Manifest, 'id' | 'version'>): string {
  return `${orgUrl}/catalog/integrations/${manifest.id}/logo?version=${manifest.version}`;
}

/** The summary the catalog lists; `detail` adds templates, instructions and the support contact. */
export function catalogEntryJson(entry: CatalogEntry, orgUrl: string, detail = false): Record<string, unknown> {
  const m = entry.manifest;
  const self = `${orgUrl}/api/v1/catalog/integrations/${m.id}`;
  const scim = m.provisioning?.scim;
  const summary: Record<string, unknown> = {
    id: m.id,
    name: m.name,
    version: m.version,
    vendor: m.vendor,
    website: m.website,
    category: m.category,
    description: m.description,
    tier: entry.tier,
    source: entry.source,
    signOnModes: modesOf(m),
    provisioning: scim ? { scim: { authScheme: scim.authScheme, operations: scim.operations } } : null,
    variables: m.variables,
    published: entry.published,
    versions: entry.versions,
  };
  if (detail) {
    summary.signOn = m.signOn;
    summary.instructions = Object.fromEntries(modesOf(m).map((mode) => [mode, m.signOn[mode]?.instructions ?? null]));
    summary.provisioning = m.provisioning ?? null;
    summary.contacts = { support: m.contacts.support };
    summary.docsUrl = m.docsUrl ?? null;
  }
  summary._links = {
    self: { href: self },
    logo: { href: logoHref(orgUrl, m), type: m.logo.mediaType },
    instances: { href: `${self}/instances`, hints: { allow: ['POST'] } },
  };
  return summary;
}

export function appIntegrationJson(orgUrl: string, described: {
  link: AppIntegrationRecord; manifest: Manifest | undefined; tier: string | null; latestVersion: string | null; upgradeAvailable: boolean;
  instructions: string | null; provisioningInstructions: string | null; values: Record<string, string | undefined>;
}): Record<string, unknown> {
  const { link } = described;
  const appHref = `${orgUrl}/api/v1/apps/${link.appId}`;
  return {
    integrationId: link.integrationKey,
    name: described.manifest?.name ?? null,
    version: link.version,
    tier: described.tier,
    signOnMode: link.signOnMode,
    variables: link.variables,
    latestVersion: described.latestVersion,
    upgradeAvailable: described.upgradeAvailable,
    instructions: described.instructions,
    provisioningInstructions: described.provisioningInstructions,
    lanyardValues: described.values,
    created: link.created,
    lastUpdated: link.lastUpdated,
    _links: {
      app: { href: appHref },
      integration: { href: `${orgUrl}/api/v1/catalog/integrations/${link.integrationKey}` },
      preview: { href: `${appHref}/integration/preview`, hints: { allow: ['POST'] } },
      upgrade: { href: `${appHref}/integration/upgrade`, hints: { allow: ['POST'] } },
    },
  };
}
