/**
 * The catalog every org sees: the integrations that ship with Lanyard and those vendors have
 * published through review, newest published version of each. Unpublished versions are never
 * visible here, whoever asks; a vendor sees its own drafts through the vendor API.
 */
import { notFound } from '../kernel/errors.ts';
import { manifestSignOnModes, modesOf, type Manifest, type ManifestSignOnMode, type Tier } from '../catalog/manifest.ts';
import { compareVersions } from '../storage/repositories/integrations.ts';
import type { ServiceDeps } from './deps.ts';
import type { IntegrationRecord, IntegrationVersionRecord } from './ports.ts';
import { healthOf, type Health } from '../catalog/health.ts';

export interface CatalogEntry {
  readonly manifest: Manifest;
  /** `lanyard` for the integrations that ship with Lanyard, `network` for vendors' published ones. */
  readonly source: 'lanyard' | 'network';
  /** The vendor org that owns it; null for shipped integrations. */
  readonly ownerOrgId: string | null;
  readonly tier: Tier;
  readonly published: string | null;
  /** Every published version, oldest first. */
  readonly versions: readonly string[];
  /** For a verified integration: how its continual checks are going. */
  readonly health: Health | null;
}

export interface CatalogQuery {
  readonly q?: string | undefined;
  readonly category?: string | undefined;
  readonly signOnMode?: ManifestSignOnMode | undefined;
  /** `true` for any SCIM provisioning, or one operation (`groupPush`…). */
  readonly provisioning?: string | undefined;
  readonly tier?: Tier | undefined;
  readonly limit: number;
  readonly after?: string | undefined;
}

/** Okta's sign-on mode names are accepted wherever the catalog's are. */
export function catalogMode(value: string): ManifestSignOnMode | undefined {
  const okta: Record<string, ManifestSignOnMode> = {
    OPENID_CONNECT: 'oidc', SAML_2_0: 'saml', WS_FEDERATION: 'wsfed', BROWSER_PLUGIN: 'swa', AUTO_LOGIN: 'swa',
  };
  const lowered = value.toLowerCase();
  return (manifestSignOnModes as readonly string[]).includes(lowered) ? lowered as ManifestSignOnMode : okta[value.toUpperCase()];
}

const cursorOf = (m: Manifest) => Buffer.from(`${m.name.toLowerCase()}\u0000${m.id}`).toString('base64url');
const byName = (a: CatalogEntry, b: CatalogEntry) =>
  a.manifest.name.toLowerCase().localeCompare(b.manifest.name.toLowerCase()) || a.manifest.id.localeCompare(b.manifest.id);

export function createCatalog(deps: ServiceDeps, shipped: readonly Manifest[]) {
  const { store } = deps;
  const shippedEntries: CatalogEntry[] = shipped.map((manifest) => ({
    manifest, source: 'lanyard', ownerOrgId: null, tier: 'community', published: null, versions: [manifest.version], health: null,
  }));

  /** Every integration with a published version: its newest published version. */
  async function entries(): Promise<CatalogEntry[]> {
    const byKey = new Map<string, { integration: IntegrationRecord; versions: IntegrationVersionRecord[] }>();
    for (const { integration, version } of await store.integrations.listByStatus('PUBLISHED')) {
      const entry = byKey.get(integration.key) ?? { integration, versions: [] as IntegrationVersionRecord[] };
      entry.versions.push(version);
      byKey.set(integration.key, entry);
    }
    const network: CatalogEntry[] = [...byKey.values()].map(({ integration, versions }) => {
      versions.sort((a, b) => compareVersions(a.version, b.version));
      const newest = versions[versions.length - 1]!;
      return {
        manifest: newest.manifest as Manifest, source: 'network', ownerOrgId: integration.ownerOrgId,
        tier: newest.tier ?? 'community', published: newest.published, versions: versions.map((v) => v.version), health: healthOf(newest),
      };
    });
    return [...shippedEntries, ...network].sort(byName);
  }

  function matches(entry: CatalogEntry, query: CatalogQuery): boolean {
    const m = entry.manifest;
    if (query.q) {
      const needle = query.q.toLowerCase();
      if (![m.id, m.name, m.vendor.name, m.description, m.category].some((field) => field.toLowerCase().includes(needle))) return false;
    }
    if (query.category && m.category.toLowerCase() !== query.category.toLowerCase()) return false;
    if (query.signOnMode && !modesOf(m).includes(query.signOnMode)) return false;
    if (query.tier && entry.tier !== query.tier) return false;
    if (query.provisioning !== undefined) {
      const scim = m.provisioning?.scim;
      if (query.provisioning === 'true') return scim !== undefined;
      if (query.provisioning === 'false') return scim === undefined;
      if (!scim || !(scim.operations as Record<string, boolean>)[query.provisioning]) return false;
    }
    return true;
  }

  async function search(query: CatalogQuery): Promise<{ items: CatalogEntry[]; next: string | undefined }> {
    const found = (await entries()).filter((entry) => matches(entry, query));
    const start = query.after ? found.findIndex((entry) => cursorOf(entry.manifest) > query.after!) : 0;
    const from = start === -1 ? found.length : start;
    const items = found.slice(from, from + query.limit);
    const next = from + query.limit < found.length ? cursorOf(items[items.length - 1]!.manifest) : undefined;
    return { items, next };
  }

  /** A published integration; `version` picks an older published one. */
  async function get(key: string, version?: string): Promise<CatalogEntry> {
    const shippedEntry = shippedEntries.find((e) => e.manifest.id === key);
    if (shippedEntry) {
      if (version !== undefined && version !== shippedEntry.manifest.version) throw notFound('IntegrationVersion', `${key}@${version}`);
      return shippedEntry;
    }
    const integration = await store.integrations.findByKey(key);
    const published = integration ? (await store.integrations.listVersions(integration.id)).filter((v) => v.status === 'PUBLISHED') : [];
    if (!integration || published.length === 0) throw notFound('Integration', key);
    const chosen = version === undefined ? published[published.length - 1] : published.find((v) => v.version === version);
    if (!chosen) throw notFound('IntegrationVersion', `${key}@${version}`);
    return {
      manifest: chosen.manifest as Manifest, source: 'network', ownerOrgId: integration.ownerOrgId, tier: chosen.tier ?? 'community',
      published: chosen.published, versions: published.map((v) => v.version), health: healthOf(chosen),
    };
  }

  /** Whether a key is taken, by a shipped integration or one of the network. */
  async function keyTaken(key: string): Promise<boolean> {
    return shippedEntries.some((e) => e.manifest.id === key) || (await store.integrations.findByKey(key)) !== undefined;
  }

  return { search, get, keyTaken, entries };
}

export type Catalog = ReturnType<typeof createCatalog>;
