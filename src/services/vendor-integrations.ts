/**
 * The vendor's side of the integration network (any org can be a vendor): the App Integration
 * Wizard creates an integration from a draft manifest and, at once, a private test instance in the
 * vendor's own org, so sign-in can be tried before anything is submitted. Drafts can be edited
 * (the test instance follows), new versions started, manifests exported and imported as files.
 * Submitted and published versions never change.
 */
import { z } from 'zod';
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { manifestFormat, manifestSchema, type Manifest } from '../catalog/manifest.ts';
import { initialsOf, logoSvg } from '../catalog/logo-art.ts';
import { exampleValues, instanceVariablesSchema } from '../catalog/render.ts';
import { compareVersions } from '../storage/repositories/integrations.ts';
import type { App } from '../domain/app.ts';
import type { Caller } from './caller.ts';
import type { Catalog } from './catalog.ts';
import { catalogMode } from './catalog.ts';
import type { ServiceDeps } from './deps.ts';
import type { IntegrationInstances } from './integration-instances.ts';
import { UniqueViolation, type IntegrationRecord, type IntegrationVersionRecord, type Store } from './ports.ts';
import { buildEvent } from './system-log.ts';
import { issuesToCauses, parseOrThrow } from './validation.ts';
import type { EventType } from '../domain/log-event.ts';

const manifestDocument = z.record(z.string(), z.unknown(), { error: 'must be a manifest object' });

export const wizardSchema = z.strictObject({
  manifest: manifestDocument,
  /** The tenant variables of the vendor's own test instance; the manifest's examples by default. */
  testVariables: instanceVariablesSchema.optional(),
  /** Which sign-on mode the test instance uses; the manifest's first by default. */
  testSignOnMode: z.string().max(40).optional(),
});

/** Fills what the wizard can: the format, a first version, and a logo drawn from the name. */
function withWizardDefaults(draft: Record<string, unknown>): Record<string, unknown> {
  const filled: Record<string, unknown> = { manifestFormat, version: '1.0.0', ...draft };
  if (filled.logo === undefined && typeof filled.name === 'string' && typeof filled.id === 'string') {
    filled.logo = { mediaType: 'image/svg+xml', data: Buffer.from(logoSvg(filled.id, initialsOf(filled.name))).toString('base64') };
  }
  return filled;
}

function parseManifest(document: unknown): Manifest {
  const result = manifestSchema.safeParse(document);
  if (!result.success) throw validationError(issuesToCauses(result.error, 'manifest'));
  return result.data;
}

/** The refusal of an action a version's status no longer allows. */
export function versionLocked(key: string, version: Pick<IntegrationVersionRecord, 'version' | 'status'>, why: string): AppError {
  const status = version.status.toLowerCase();
  return new AppError('network.version_locked', { detail: `${key}@${version.version} is ${status}`, causes: [`version: ${version.version} is ${status}${/^[;,]/.test(why) ? '' : ' '}${why}`] });
}

export interface IntegrationView {
  readonly integration: IntegrationRecord;
  readonly versions: readonly IntegrationVersionRecord[];
}

export function createVendorIntegrations(deps: ServiceDeps, catalog: Catalog, instances: IntegrationInstances) {
  const { store, clock } = deps;

  function integrationTarget(integration: Pick<IntegrationRecord, 'id' | 'key'>, version?: string) {
    return { id: integration.id, type: 'Integration', alternateId: version ? `${integration.key}@${version}` : integration.key, displayName: integration.key };
  }

  async function log(tx: Store, caller: Caller, eventType: EventType, integration: Pick<IntegrationRecord, 'id' | 'key'>, version?: string) {
    await tx.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, eventType, { targets: [integrationTarget(integration, version)] }));
  }

  /** One of the caller org's integrations; another org's is "not found", as if it did not exist. */
  async function requireOwn(caller: Caller, key: string): Promise<IntegrationRecord> {
    const integration = await store.integrations.findByKey(key);
    if (!integration || integration.ownerOrgId !== caller.org.id) throw notFound('Integration', key);
    return integration;
  }

  async function requireVersion(integration: IntegrationRecord, version: string): Promise<IntegrationVersionRecord> {
    const found = await store.integrations.findVersion(integration.id, version);
    if (!found) throw notFound('IntegrationVersion', `${integration.key}@${version}`);
    return found;
  }

  /** The wizard: a new integration, its first draft version, and its test instance in the caller's org. */
  async function create(caller: Caller, raw: unknown): Promise<IntegrationView & { testApp: App }> {
    const input = parseOrThrow(wizardSchema, raw);
    const manifest = parseManifest(withWizardDefaults(input.manifest));
    if (await catalog.keyTaken(manifest.id)) {
      throw validationError([`manifest.id: ${manifest.id} is already an integration of the network; choose another id`], 'manifest.id');
    }
    const mode = input.testSignOnMode === undefined ? undefined : catalogMode(input.testSignOnMode);
    if (input.testSignOnMode !== undefined && !mode) throw validationError([`testSignOnMode: must be one of oidc, saml, wsfed, swa`], 'testSignOnMode');
    const now = clock.now().toISOString();
    const integration: IntegrationRecord = { id: newId('integration'), key: manifest.id, ownerOrgId: caller.org.id, testAppId: null, created: now, lastUpdated: now };
    const version: IntegrationVersionRecord = {
      integrationId: integration.id, version: manifest.version, manifest, status: 'DRAFT', tier: null, submission: null, review: null,
      created: now, lastUpdated: now, submitted: null, published: null, monitor: null,
    };
    let testAppId = '';
    const testApp = await instances.addFromManifest(caller, { manifest }, {
      signOnMode: mode, label: `${manifest.name} (test)`, variables: input.testVariables ?? exampleValues(manifest), activate: true,
    }, async (tx, app) => {
      testAppId = app.id;
      try {
        await tx.integrations.insert({ ...integration, testAppId: app.id });
      } catch (error) {
        if (error instanceof UniqueViolation) throw validationError([`manifest.id: ${manifest.id} is already an integration of the network; choose another id`], 'manifest.id');
        throw error;
      }
      await tx.integrations.insertVersion(version);
      await log(tx, caller, 'network.integration.create', integration);
      await log(tx, caller, 'network.integration.version.create', integration, manifest.version);
    });
    return { integration: { ...integration, testAppId }, versions: [version], testApp };
  }

  async function list(caller: Caller): Promise<IntegrationView[]> {
    const owned = await store.integrations.listByOwner(caller.org.id);
    return Promise.all(owned.map(async (integration) => ({ integration, versions: await store.integrations.listVersions(integration.id) })));
  }

  async function get(caller: Caller, key: string): Promise<IntegrationView> {
    const integration = await requireOwn(caller, key);
    return { integration, versions: await store.integrations.listVersions(integration.id) };
  }

  async function getVersion(caller: Caller, key: string, version: string): Promise<{ integration: IntegrationRecord; version: IntegrationVersionRecord }> {
    const integration = await requireOwn(caller, key);
    return { integration, version: await requireVersion(integration, version) };
  }

  /** Points the test instance at `manifest`, keeping its variables and what the vendor changed by hand. */
  async function followWithTestApp(caller: Caller, integration: IntegrationRecord, manifest: Manifest): Promise<void> {
    if (!integration.testAppId) return;
    const app = await store.forOrg(caller.org.id).apps.findById(integration.testAppId);
    if (!app) return;
    await instances.upgrade(caller, app.id, {}, manifest);
  }

  /** Replaces a draft's manifest (a rejected version becomes a draft again). */
  async function updateVersion(caller: Caller, key: string, versionName: string, raw: unknown): Promise<IntegrationVersionRecord> {
    const { integration, version } = await getVersion(caller, key, versionName);
    if (version.status !== 'DRAFT' && version.status !== 'REJECTED') {
      throw versionLocked(key, version, 'and can no longer change; start a new version instead');
    }
    const document = manifestDocument.safeParse(raw);
    if (!document.success) throw validationError(['manifest: must be a manifest object']);
    const manifest = parseManifest(withWizardDefaults(document.data));
    if (manifest.id !== key || manifest.version !== versionName) {
      throw validationError([`manifest: id and version must stay ${key} and ${versionName} (start a new version to change the version)`], 'manifest');
    }
    await followWithTestApp(caller, integration, manifest);
    const now = clock.now().toISOString();
    await store.transaction(async (tx) => {
      await tx.integrations.updateVersion(integration.id, versionName, { manifest, status: 'DRAFT', lastUpdated: now });
      await log(tx, caller, 'network.integration.version.update', integration, versionName);
    });
    return (await store.integrations.findVersion(integration.id, versionName))!;
  }

  /** Starts a new version from a manifest whose version is above every existing one. */
  async function createVersion(caller: Caller, key: string, raw: unknown): Promise<IntegrationVersionRecord> {
    const integration = await requireOwn(caller, key);
    const document = manifestDocument.safeParse(raw);
    if (!document.success) throw validationError(['manifest: must be a manifest object']);
    const manifest = parseManifest(withWizardDefaults(document.data));
    if (manifest.id !== key) throw validationError([`manifest.id: must be ${key}, the integration's id`], 'manifest.id');
    const existing = await store.integrations.listVersions(integration.id);
    const highest = existing[existing.length - 1];
    if (highest && compareVersions(manifest.version, highest.version) <= 0) {
      throw validationError([`manifest.version: must be above ${highest.version}, the newest version`], 'manifest.version');
    }
    const now = clock.now().toISOString();
    const version: IntegrationVersionRecord = {
      integrationId: integration.id, version: manifest.version, manifest, status: 'DRAFT', tier: null, submission: null, review: null,
      created: now, lastUpdated: now, submitted: null, published: null, monitor: null,
    };
    await followWithTestApp(caller, integration, manifest);
    await store.transaction(async (tx) => {
      await tx.integrations.insertVersion(version);
      await log(tx, caller, 'network.integration.version.create', integration, manifest.version);
    });
    return version;
  }

  /** A manifest as a file: the document itself, logo included, ready to import elsewhere. */
  async function exportManifest(caller: Caller, key: string, version: string): Promise<Manifest> {
    return (await getVersion(caller, key, version)).version.manifest as Manifest;
  }

  /** Imports a manifest file: a new integration (with a test instance) or a new version of one of the caller's. */
  async function importManifest(caller: Caller, raw: unknown): Promise<{ created: boolean; key: string; version: string }> {
    const document = manifestDocument.safeParse(raw);
    if (!document.success) throw validationError(['body: must be a manifest object']);
    const key = typeof document.data.id === 'string' ? document.data.id : '';
    const existing = key ? await store.integrations.findByKey(key) : undefined;
    if (existing && existing.ownerOrgId === caller.org.id) {
      const version = await createVersion(caller, key, document.data);
      return { created: false, key, version: version.version };
    }
    const made = await create(caller, { manifest: document.data });
    return { created: true, key: made.integration.key, version: made.versions[0]!.version };
  }

  return { create, list, get, getVersion, updateVersion, createVersion, exportManifest, importManifest, requireOwn, requireVersion };
}

export type VendorIntegrations = ReturnType<typeof createVendorIntegrations>;
