/** Catalog integrations and app-instance links on the wire. */
import { modesOf, type Manifest } from '../../catalog/manifest.ts';
import type { CatalogEntry } from '../../services/catalog.ts';
import { publicSubmission } from '../../services/network-review.ts';
import type { AppIntegrationRecord, IntegrationRecord, IntegrationVersionRecord } from '../../services/ports.ts';

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
    health: entry.health,
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
  link: AppIntegrationRecord; manifest: Manifest | undefined; tier: string | null; health: unknown; latestVersion: string | null; upgradeAvailable: boolean;
  instructions: string | null; provisioningInstructions: string | null; values: Record<string, string | undefined>;
}): Record<string, unknown> {
  const { link } = described;
  const appHref = `${orgUrl}/api/v1/apps/${link.appId}`;
  return {
    integrationId: link.integrationKey,
    name: described.manifest?.name ?? null,
    version: link.version,
    tier: described.tier,
    health: described.health,
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

/** What every view of a version shows: where it is, what was submitted, what reviewers said. */
function versionFields(version: IntegrationVersionRecord, withManifest: boolean): Record<string, unknown> {
  return {
    version: version.version,
    status: version.status,
    tier: version.tier,
    created: version.created,
    lastUpdated: version.lastUpdated,
    submitted: version.submitted,
    published: version.published,
    submission: publicSubmission(version.submission),
    review: version.review,
    ...(withManifest ? { manifest: version.manifest } : {}),
  };
}

/** A vendor's view of one of its versions: the manifest, where it is in review, and what the checks and reviewers said. */
export function integrationVersionJson(orgUrl: string, key: string, version: IntegrationVersionRecord, withManifest = true): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/integrations/${key}/versions/${version.version}`;
  return {
    ...versionFields(version, withManifest),
    _links: {
      self: { href: self },
      manifest: { href: `${self}/manifest`, type: 'application/json' },
      submit: { href: `${self}/submit`, hints: { allow: ['POST'] } },
    },
  };
}

/** A version as reviewers see it, with its vendor and test instance. */
export function reviewJson(orgUrl: string, integration: IntegrationRecord, version: IntegrationVersionRecord, withManifest: boolean): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/network/reviews/${integration.key}/versions/${version.version}`;
  return {
    id: integration.key,
    name: (version.manifest as { name?: string }).name ?? integration.key,
    vendorOrgId: integration.ownerOrgId,
    testAppId: integration.testAppId,
    ...versionFields(version, withManifest),
    _links: {
      self: { href: self },
      comments: { href: `${self}/comments`, hints: { allow: ['POST'] } },
      reject: { href: `${self}/reject`, hints: { allow: ['POST'] } },
      approve: { href: `${self}/approve`, hints: { allow: ['POST'] } },
    },
  };
}

/** A vendor's integration with its versions, newest last. */
export function vendorIntegrationJson(orgUrl: string, integration: IntegrationRecord, versions: readonly IntegrationVersionRecord[]): Record<string, unknown> {
  const newest = versions[versions.length - 1];
  return {
    id: integration.key,
    name: (newest?.manifest as { name?: string } | undefined)?.name ?? integration.key,
    testAppId: integration.testAppId,
    created: integration.created,
    lastUpdated: integration.lastUpdated,
    versions: versions.map((v) => integrationVersionJson(orgUrl, integration.key, v, false)),
    _links: {
      self: { href: `${orgUrl}/api/v1/integrations/${integration.key}` },
      ...(integration.testAppId ? { testApp: { href: `${orgUrl}/api/v1/apps/${integration.testAppId}` } } : {}),
      versions: { href: `${orgUrl}/api/v1/integrations/${integration.key}/versions`, hints: { allow: ['POST'] } },
    },
  };
}
