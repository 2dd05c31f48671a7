/**
 * App instances made from the catalog: an admin picks an integration and fills its tenant
 * variables; Lanyard renders the manifest into an ordinary app (with its keys and, for SAML, its
 * metadata), remembers which integration and version it came from, and later moves it to a newer
 * published version — or new variables — showing first exactly which settings change.
 */
import { z } from 'zod';
import { validationError } from '../kernel/errors.ts';
import type { App } from '../domain/app.ts';
import { orgUrl } from '../domain/org-url.ts';
import { resolveIdpIssuer, defaultIdpIssuer } from '../domain/saml-app.ts';
import { RenderError, instanceVariablesSchema, renderApp, type RenderedApp } from '../catalog/render.ts';
import { renderInstructions, type LanyardValue } from '../catalog/templates.ts';
import { planUpgrade, type SettingChange } from '../catalog/upgrade.ts';
import { manifestSignOnModes, type Manifest, type ManifestSignOnMode } from '../catalog/manifest.ts';
import { compareVersions } from '../storage/repositories/integrations.ts';
import { appTarget, type createAppService } from './apps.ts';
import type { Catalog, CatalogEntry } from './catalog.ts';
import { catalogMode } from './catalog.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import type { AppIntegrationRecord, Store } from './ports.ts';
import { buildEvent } from './system-log.ts';
import { parseOrThrow } from './validation.ts';

const modeSchema = z.string().max(40).transform((value, ctx) => {
  const mode = catalogMode(value);
  if (!mode) {
    ctx.addIssue({ code: 'custom', message: `must be one of ${manifestSignOnModes.join(', ')}` });
    return z.NEVER;
  }
  return mode;
});

export const addInstanceSchema = z.strictObject({
  signOnMode: modeSchema.optional(),
  label: z.string().trim().min(1, 'The field cannot be left blank').max(100).optional(),
  version: z.string().max(20).optional(),
  variables: instanceVariablesSchema.default({}),
  /** Whether the new app starts ACTIVE (default) or INACTIVE. */
  activate: z.boolean().default(true),
});

export const upgradeSchema = z.strictObject({
  /** The published version to move to; the newest when left out. */
  version: z.string().max(20).optional(),
  /** Variables to change; the others keep their values. */
  variables: instanceVariablesSchema.default({}),
});

type Apps = ReturnType<typeof createAppService>;

/** What the manifest owns in an app: the parts the apps service accepts back in a PUT. */
function ownedParts(body: RenderedApp['body']): Record<string, unknown> {
  return { settings: body.settings, credentials: body.credentials };
}

function renderOrThrow(manifest: Manifest, mode: ManifestSignOnMode | undefined, variables: Record<string, string>, label?: string): RenderedApp {
  try {
    return renderApp(manifest, mode, variables, label);
  } catch (error) {
    if (error instanceof RenderError) throw validationError([...error.causes]);
    throw error;
  }
}

export function createIntegrationInstances(deps: ServiceDeps, catalog: Catalog, apps: Apps) {
  const { store, clock } = deps;

  function linkWriter(caller: Caller, link: Omit<AppIntegrationRecord, 'appId' | 'created' | 'lastUpdated'>, created: string | undefined,
    eventType: 'application.integration.add' | 'application.integration.upgrade', entry: Pick<CatalogEntry, 'manifest'>) {
    return async (tx: Store, app: App) => {
      const now = clock.now().toISOString();
      const t = tx.forOrg(caller.org.id);
      await t.appIntegrations.upsert({ ...link, appId: app.id, created: created ?? now, lastUpdated: now });
      await t.logs.append(buildEvent(clock, caller, eventType, {
        targets: [appTarget(app), { id: link.integrationKey, type: 'Integration', alternateId: `${link.integrationKey}@${link.version}`, displayName: entry.manifest.name }],
      }));
    };
  }

  /** Creates an app from a published integration. */
  async function add(caller: Caller, key: string, raw: unknown): Promise<App> {
    const input = parseOrThrow(addInstanceSchema, raw);
    const entry = await catalog.get(key, input.version);
    return addFromManifest(caller, entry, input);
  }

  /**
   * Creates an app from `entry`'s manifest, published or not (a vendor's test instance is made
   * from a draft); `within` adds writes that must land with it.
   */
  async function addFromManifest(caller: Caller, entry: Pick<CatalogEntry, 'manifest'>, input: z.output<typeof addInstanceSchema>,
    within?: (tx: Store, app: App) => Promise<void>): Promise<App> {
    const rendered = renderOrThrow(entry.manifest, input.signOnMode, input.variables, input.label);
    const writeLink = linkWriter(caller, {
      integrationKey: entry.manifest.id, version: entry.manifest.version, signOnMode: rendered.mode,
      variables: input.variables, rendered: ownedParts(rendered.body),
    }, undefined, 'application.integration.add', entry);
    return apps.create(caller, rendered.body, {
      activate: input.activate,
      within: async (tx, app) => {
        await writeLink(tx, app);
        await within?.(tx, app);
      },
    });
  }

  async function requireLink(caller: Caller, appId: string): Promise<{ app: App; link: AppIntegrationRecord }> {
    const app = await apps.get(caller, appId);
    const link = await store.forOrg(caller.org.id).appIntegrations.find(app.id);
    if (!link) throw validationError([`appId: ${app.label} was not added from the integration network`], 'appId');
    return { app, link };
  }

  /** Lanyard's values an admin types into the app, by name, for the setup instructions. */
  function lanyardValuesFor(caller: Caller, app: App): Partial<Record<LanyardValue, string>> {
    const base = orgUrl(caller.org, deps.baseUrl);
    const values: Partial<Record<LanyardValue, string>> = { orgUrl: base, appId: app.id, appLabel: app.label };
    if (app.signOnMode === 'OPENID_CONNECT') {
      values.issuer = base;
      values.discoveryUrl = `${base}/.well-known/openid-configuration`;
      const clientId = (app.credentials.oauthClient as { client_id?: unknown } | undefined)?.client_id;
      if (typeof clientId === 'string') values.clientId = clientId;
    } else if (app.signOnMode === 'SAML_2_0') {
      const issuer = (app.settings.signOn as { idpIssuer?: unknown } | undefined)?.idpIssuer;
      values.metadataUrl = `${base}/app/${app.id}/sso/saml/metadata`;
      values.ssoUrl = `${base}/app/${app.name}/${app.id}/sso/saml`;
      values.sloUrl = `${base}/app/${app.name}/${app.id}/slo/saml`;
      values.idpIssuer = resolveIdpIssuer(typeof issuer === 'string' ? issuer : defaultIdpIssuer, app.id);
      values.certificateUrl = `${base}/app/${app.id}/sso/saml/certificate`;
      values.launchUrl = `${base}/home/${app.name}/${app.id}`;
    } else if (app.signOnMode === 'WS_FEDERATION') {
      const realm = (app.settings.app as { realm?: unknown } | undefined)?.realm;
      values.passiveUrl = `${base}/app/${app.name}/${app.id}/sso/wsfed/passive`;
      values.federationMetadataUrl = `${base}/app/${app.id}/sso/wsfed/metadata`;
      values.realm = typeof realm === 'string' && realm ? realm : `urn:okta:app:${app.id}`;
    }
    return values;
  }

  /** A version of one of the caller org's own integrations, published or not (its test instance runs it). */
  async function ownDraft(caller: Caller, key: string, version: string): Promise<Manifest | undefined> {
    const integration = await store.integrations.findByKey(key);
    if (!integration || integration.ownerOrgId !== caller.org.id) return undefined;
    return (await store.integrations.findVersion(integration.id, version))?.manifest as Manifest | undefined;
  }

  /** The instance's integration, its setup instructions for this app, and whether a newer version is out. */
  async function describe(caller: Caller, appId: string) {
    const { app, link } = await requireLink(caller, appId);
    const entry = await catalog.get(link.integrationKey, link.version).catch(() => undefined);
    const newest = await catalog.get(link.integrationKey).catch(() => undefined);
    const manifest = entry?.manifest ?? await ownDraft(caller, link.integrationKey, link.version);
    const values = lanyardValuesFor(caller, app);
    const instructionsOf = (text: string | undefined) => (text === undefined ? null : renderInstructions(text, link.variables, values));
    return {
      link,
      manifest,
      tier: entry?.tier ?? null,
      health: entry?.health ?? null,
      latestVersion: newest?.manifest.version ?? null,
      upgradeAvailable: newest !== undefined && compareVersions(newest.manifest.version, link.version) > 0,
      instructions: manifest ? instructionsOf(manifest.signOn[link.signOnMode]?.instructions) : null,
      provisioningInstructions: manifest ? instructionsOf(manifest.provisioning?.instructions) : null,
      values,
    };
  }

  /**
   * What moving to `version` with `variables` would change; nothing is written. `draft` is the
   * manifest of a vendor's unpublished version, for the vendor's own test instance.
   */
  async function plan(caller: Caller, appId: string, raw: unknown, draft?: Manifest) {
    const input = parseOrThrow(upgradeSchema, raw ?? {});
    const { app, link } = await requireLink(caller, appId);
    const target = draft ? { manifest: draft } : await catalog.get(link.integrationKey, input.version);
    if (!draft && compareVersions(target.manifest.version, link.version) < 0) {
      throw validationError([`version: ${target.manifest.version} is older than the app's ${link.version}; versions only move forward`], 'version');
    }
    const variables = { ...link.variables, ...input.variables };
    const rendered = renderOrThrow(target.manifest, link.signOnMode, variables);
    const current = { settings: app.settings, credentials: app.credentials };
    const { merged, changes } = planUpgrade(link.rendered as Record<string, unknown>, current, ownedParts(rendered.body));
    const variableChanges: SettingChange[] = Object.keys(variables).filter((k) => link.variables[k] !== variables[k])
      .map((k) => ({ path: `variables.${k}`, from: link.variables[k], to: variables[k], overridesLocalChange: false }));
    return { app, link, target, variables, rendered, merged, changes: [...variableChanges, ...changes] };
  }

  async function preview(caller: Caller, appId: string, raw: unknown) {
    const { link, target, changes } = await plan(caller, appId, raw);
    return { fromVersion: link.version, toVersion: target.manifest.version, changes };
  }

  /** Applies the plan: the app is replaced with the merged settings, the link moves to the new version. */
  async function upgrade(caller: Caller, appId: string, raw: unknown, draft?: Manifest) {
    const { app, link, target, variables, rendered, merged, changes } = await plan(caller, appId, raw, draft);
    const updated = await apps.replace(caller, app.id, {
      label: app.label, signOnMode: app.signOnMode, settings: merged.settings, credentials: merged.credentials,
      visibility: app.visibility, accessibility: app.accessibility,
    }, {
      within: linkWriter(caller, {
        integrationKey: link.integrationKey, version: target.manifest.version, signOnMode: link.signOnMode,
        variables, rendered: ownedParts(rendered.body),
      }, link.created, 'application.integration.upgrade', target),
    });
    return { app: updated, fromVersion: link.version, toVersion: target.manifest.version, changes };
  }

  return { add, addFromManifest, describe, preview, upgrade };
}

export type IntegrationInstances = ReturnType<typeof createIntegrationInstances>;
