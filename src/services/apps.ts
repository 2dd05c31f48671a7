/**
 * Apps (`/api/v1/apps`): creation and replacement per sign-on mode, lifecycle, user and group
 * assignments, and OAuth client secrets (sealed by the vault, compared in constant time).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { newId, randomBase62 } from '../kernel/ids.ts';
import { randomToken } from '../kernel/secrets.ts';
import {
  oauthClientCredentialsSchema, oauthClientSettingsSchema, resolveOidcClient, signOnModes, usesClientSecret,
  type App, type OidcClientSettings,
} from '../domain/app.ts';
import type { Vault } from '../vault/envelope.ts';
import type { Org } from '../domain/org.ts';
import { orgUrl } from '../domain/org-url.ts';
import { resolveSamlServiceProvider, samlSignOnSchema, type SamlSignOnInput } from '../domain/saml-app.ts';
import { parseSpMetadata, signOnFromMetadata, type SpMetadata } from '../protocols/saml/sp-metadata.ts';
import { SamlError } from '../protocols/saml/xml.ts';
import { resolveWsFedRelyingParty, wsFedAppSchema } from '../domain/wsfed-app.ts';
import { swaAppCredentialsSchema, swaAppSchema } from '../domain/swa-app.ts';
import type { SwaSharedCredentialRecord } from './ports.ts';
import type { AppKeyService } from './app-keys.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { UniqueViolation, type Store, type AppGroupAssignment, type AppUserAssignment, type ClientSecretRecord, type OrgStore, type Page } from './ports.ts';
import { buildEvent, groupTarget, userTarget } from './system-log.ts';
import { issuesToCauses, parseOrThrow } from './validation.ts';
import { requireUser } from './user-lookup.ts';
import { requireGroup } from './groups.ts';
import { queueGroupMembersPush, queueUserPush } from './provisioning-outbox.ts';
import type { Filter } from '../protocols/scim/filter.ts';

export const appInputSchema = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  label: z.string().trim().min(1, 'The field cannot be left blank').max(100),
  signOnMode: z.enum(signOnModes),
  status: z.enum(['ACTIVE', 'INACTIVE']).optional(),
  settings: z.record(z.string(), z.unknown()).default({}),
  credentials: z.record(z.string(), z.unknown()).default({}),
  visibility: z.record(z.string(), z.unknown()).optional(),
  accessibility: z.record(z.string(), z.unknown()).optional(),
  profile: z.record(z.string(), z.unknown()).optional(),
});
export type AppInput = z.input<typeof appInputSchema>;

/** More writes that must land with the app's own, in its transaction. */
export type InTransaction = (tx: Store, app: App) => Promise<void>;

/** The client of an OIDC app, as the protocol engine needs it. */
export interface ResolvedClient {
  readonly app: App;
  readonly client: OidcClientSettings;
  readonly clientId: string;
  /** Active secrets in the clear, newest first; empty for public and key-based clients. */
  readonly secrets: readonly string[];
}

const secretContext = (appId: string, secretId: string) => `client-secret:${appId}:${secretId}`;

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function appTarget(app: Pick<App, 'id' | 'label' | 'name'>) {
  return { id: app.id, type: 'AppInstance', alternateId: app.label, displayName: app.label };
}

const defaultVisibility = (name: string) => ({
  autoSubmitToolbar: false, autoLaunch: false, hide: { iOS: false, web: false }, appLinks: { [`${name}_link`]: true },
});
const defaultAccessibility = { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null };

const supportedModes = new Set<string>(['OPENID_CONNECT', 'BOOKMARK', 'SAML_2_0', 'WS_FEDERATION', 'BROWSER_PLUGIN']);

export function createAppService(deps: ServiceDeps, vault: Vault, appKeys: AppKeyService) {
  const { store, clock } = deps;

  async function requireApp(org: OrgStore, id: string): Promise<App> {
    const app = await org.apps.findById(id);
    if (!app) throw notFound('AppInstance', id);
    return app;
  }

  /** Validates the mode-specific parts; returns the normalised settings and credentials. */
  function shape(org: Org, input: z.output<typeof appInputSchema>, appId: string, existing?: App) {
    if (!supportedModes.has(input.signOnMode)) {
      throw validationError([`signOnMode: ${input.signOnMode} apps are not available in this version.`], 'signOnMode');
    }
    if (existing && existing.signOnMode !== input.signOnMode) {
      throw validationError(['signOnMode: The sign-on mode of an app cannot be changed.'], 'signOnMode');
    }
    if (input.signOnMode === 'SAML_2_0' || input.signOnMode === 'WS_FEDERATION') return shapeFederation(org, input, appId, existing);
    if (input.signOnMode === 'BROWSER_PLUGIN') {
      if (input.name !== undefined && input.name !== 'template_swa') throw validationError(['name: SWA apps are named template_swa.'], 'name');
      const app = swaAppSchema.safeParse(input.settings.app ?? {});
      if (!app.success) throw validationError(issuesToCauses(app.error, 'settings.app'));
      const credentials = swaAppCredentialsSchema.safeParse(input.credentials);
      if (!credentials.success) throw validationError(issuesToCauses(credentials.error, 'credentials'));
      const { scheme, userName, password } = credentials.data;
      const shared = scheme === 'SHARED_USERNAME_AND_PASSWORD';
      if (!shared && (userName !== undefined || password?.value !== undefined)) {
        throw validationError([`credentials: Only an app with credentials scheme SHARED_USERNAME_AND_PASSWORD has a user name and password of its own; with ${scheme} they are set per app user.`], 'credentials');
      }
      if (shared && userName === undefined) throw validationError(['credentials.userName: The shared account needs a user name.'], 'credentials.userName');
      if (shared && password?.value === undefined && existing?.credentials.scheme !== 'SHARED_USERNAME_AND_PASSWORD') {
        throw validationError(['credentials.password.value: The shared account needs a password.'], 'credentials.password.value');
      }
      return {
        name: 'template_swa', settings: { app: app.data }, client: undefined,
        credentials: { scheme, userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' }, revealPassword: false, ...(shared ? { userName } : {}) },
        sharedAccount: shared ? { userName: userName!, password: password?.value } : undefined,
      };
    }
    if (input.signOnMode === 'BOOKMARK') {
      const url = z.object({ url: z.string().url() }).safeParse((input.settings.app ?? {}) as unknown);
      if (!url.success) throw validationError(issuesToCauses(url.error, 'settings.app'));
      return { name: 'bookmark', settings: { app: { url: url.data.url, requestIntegration: false } }, credentials: {}, client: undefined };
    }
    const settingsResult = oauthClientSettingsSchema.safeParse(input.settings.oauthClient ?? {});
    if (!settingsResult.success) throw validationError(issuesToCauses(settingsResult.error, 'settings.oauthClient'));
    const credentialsInput = (input.credentials.oauthClient ?? {}) as Record<string, unknown>;
    const credentialsResult = oauthClientCredentialsSchema.safeParse(credentialsInput);
    if (!credentialsResult.success) throw validationError(issuesToCauses(credentialsResult.error, 'credentials.oauthClient'));
    const resolved = resolveOidcClient(settingsResult.data, credentialsResult.data);
    if (!resolved.ok) throw validationError(resolved.causes);
    const { client } = resolved;
    const existingCredentials = (existing?.credentials.oauthClient ?? {}) as Record<string, unknown>;
    const clientId = (existingCredentials.client_id as string | undefined) ?? credentialsResult.data.client_id ?? appId;
    const { token_endpoint_auth_method, pkce_required, response_types, grant_types, ...settings } = client;
    return {
      name: 'oidc_client',
      settings: { app: {}, oauthClient: { ...settings, response_types, grant_types } },
      credentials: {
        oauthClient: { client_id: clientId, autoKeyRotation: credentialsResult.data.autoKeyRotation, token_endpoint_auth_method, pkce_required },
      },
      client,
      requestedSecret: credentialsResult.data.client_secret,
    };
  }

  /**
   * SAML 2.0 (`settings.signOn`) and WS-Federation (`settings.app`, `template_wsfed`) apps: the
   * settings are checked by resolving them exactly as sign-in will, and the app signs with one of
   * its keys (`credentials.signing.kid`, made when the app is created).
   */
  function shapeFederation(org: Org, input: z.output<typeof appInputSchema>, appId: string, existing?: App) {
    const context = { orgUrl: orgUrl(org, deps.baseUrl), appId, orgExternalKey: appId };
    let settings: Record<string, unknown>;
    let name: string;
    if (input.signOnMode === 'SAML_2_0') {
      const signOn = samlSignOnSchema.safeParse(input.settings.signOn ?? {});
      if (!signOn.success) throw validationError(issuesToCauses(signOn.error, 'settings.signOn'));
      const resolved = resolveSamlServiceProvider(signOn.data, context);
      if (!resolved.ok) throw validationError(resolved.causes);
      settings = { app: {}, signOn: signOn.data };
      // The name is a segment of the app's sign-on URLs (`/app/{name}/{id}/sso/saml`), in metadata SPs trust.
      if (!existing && input.name !== undefined && !/^[A-Za-z0-9_-]{1,100}$/.test(input.name)) {
        throw validationError(['name: must be 1 to 100 letters, digits, "_" or "-": it is part of the app\'s sign-on URLs.'], 'name');
      }
      name = existing?.name ?? input.name ?? `${org.name}_${input.label.toLowerCase().replace(/[^a-z0-9]+/g, '').slice(0, 40) || 'samlapp'}_1`;
    } else {
      if (input.name !== undefined && input.name !== 'template_wsfed') throw validationError(['name: WS-Federation apps are named template_wsfed.'], 'name');
      const app = wsFedAppSchema.safeParse(input.settings.app ?? {});
      if (!app.success) throw validationError(issuesToCauses(app.error, 'settings.app'));
      const resolved = resolveWsFedRelyingParty(app.data, context);
      if (!resolved.ok) throw validationError(resolved.causes);
      settings = { app: app.data };
      name = 'template_wsfed';
    }
    const requestedKid = (input.credentials.signing as { kid?: unknown } | undefined)?.kid;
    const currentKid = (existing?.credentials.signing as { kid?: unknown } | undefined)?.kid;
    return {
      name, settings, client: undefined,
      credentials: {
        userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
        signing: { kid: typeof requestedKid === 'string' ? requestedKid : currentKid },
      },
    };
  }

  /** The signing key an app asks for must be one of its own; an app without one gets a new key. */
  async function signingKidFor(orgId: string, appId: string, credentials: Record<string, unknown>): Promise<string> {
    const kid = (credentials.signing as { kid?: unknown } | undefined)?.kid;
    if (typeof kid === 'string') {
      if (!(await appKeys.list(orgId, appId)).some((k) => k.kid === kid)) {
        throw validationError([`credentials.signing.kid: The key ${kid.slice(0, 40)} is not a key of this app.`], 'credentials.signing.kid');
      }
      return kid;
    }
    return (await appKeys.ensure(orgId, appId)).kid;
  }

  /**
   * Seals a new secret. Done before any transaction opens: the vault may create the org's first
   * data key, and on SQLite a write outside the open transaction would wait for it forever.
   */
  async function sealSecret(orgId: string, appId: string, secret: string): Promise<ClientSecretRecord> {
    const id = `ocs${randomBase62(17)}`;
    const now = clock.now().toISOString();
    return {
      id, appId, ciphertext: await vault.seal(orgId, secret, secretContext(appId, id)),
      secretHash: secretHash(secret), status: 'ACTIVE', created: now, lastUpdated: now,
    };
  }

  /**
   * The shared account of a SWA app, its password sealed (`swa-shared:{appId}`) before any
   * transaction opens. Without a new password the one already vaulted is kept (Okta never returns
   * it, so an app read and written back has none).
   */
  async function sealShared(orgId: string, appId: string, account: { userName: string; password?: string | undefined } | undefined,
    existing?: SwaSharedCredentialRecord): Promise<SwaSharedCredentialRecord | undefined> {
    if (!account) return undefined;
    const password = account.password !== undefined ? await vault.seal(orgId, account.password, `swa-shared:${appId}`) : existing?.password;
    if (password === undefined) throw validationError(['credentials.password.value: The shared account needs a password.'], 'credentials.password.value');
    return { appId, userName: account.userName, password, lastUpdated: clock.now().toISOString() };
  }

  async function create(caller: Caller, raw: unknown, options: { activate: boolean; within?: InTransaction }): Promise<App> {
    const input = parseOrThrow(appInputSchema, raw);
    const id = newId('app');
    const shaped = shape(caller.org, input, id);
    const now = clock.now().toISOString();
    const secret = shaped.client && usesClientSecret(shaped.client.token_endpoint_auth_method)
      ? await sealSecret(caller.org.id, id, shaped.requestedSecret ?? randomToken(48)) : undefined;
    // Keys are made before the transaction opens (the vault must not write inside it).
    const credentials: Record<string, unknown> = 'signing' in shaped.credentials
      ? { ...shaped.credentials, signing: { kid: await signingKidFor(caller.org.id, id, shaped.credentials) } } : shaped.credentials;
    const shared = 'sharedAccount' in shaped ? await sealShared(caller.org.id, id, shaped.sharedAccount) : undefined;
    const app: App = {
      id, orgId: caller.org.id, name: input.name && input.signOnMode !== 'OPENID_CONNECT' ? input.name : shaped.name, label: input.label,
      status: options.activate ? 'ACTIVE' : 'INACTIVE', signOnMode: input.signOnMode, settings: shaped.settings,
      credentials, visibility: input.visibility ?? defaultVisibility(shaped.name),
      accessibility: input.accessibility ?? defaultAccessibility, created: now, lastUpdated: now,
    };
    return store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      try {
        await scoped.apps.insert(app);
      } catch (error) {
        if (error instanceof UniqueViolation) {
          throw validationError(['client_id: An object with this field already exists in the current organization'], 'client_id');
        }
        throw error;
      }
      if (secret) await scoped.apps.insertSecret(secret);
      if (shared) await scoped.swa.saveShared(shared);
      await scoped.logs.append(buildEvent(clock, caller, 'application.lifecycle.create', { targets: [appTarget(app)] }));
      await options.within?.(tx, app);
      return app;
    });
  }

  /** PUT: the app's label and settings are replaced as a whole. */
  async function replace(caller: Caller, id: string, raw: unknown, options: { within?: InTransaction } = {}): Promise<App> {
    const scoped = store.forOrg(caller.org.id);
    const existing = await requireApp(scoped, id);
    const input = parseOrThrow(appInputSchema, raw);
    const shaped = shape(caller.org, input, id, existing);
    const now = clock.now().toISOString();
    const credentials: Record<string, unknown> = 'signing' in shaped.credentials
      ? { ...shaped.credentials, signing: { kid: await signingKidFor(caller.org.id, id, shaped.credentials) } } : shaped.credentials;
    const needsSecret = shaped.client && usesClientSecret(shaped.client.token_endpoint_auth_method)
      && !(await scoped.apps.listSecrets(id)).some((s) => s.status === 'ACTIVE');
    const secret = needsSecret ? await sealSecret(caller.org.id, id, shaped.requestedSecret ?? randomToken(48)) : undefined;
    const shared = 'sharedAccount' in shaped ? await sealShared(caller.org.id, id, shaped.sharedAccount, await scoped.swa.findShared(id)) : undefined;
    return store.transaction(async (tx) => {
      const t = tx.forOrg(caller.org.id);
      await t.apps.update(id, {
        label: input.label, settings: shaped.settings, credentials,
        ...(input.visibility ? { visibility: input.visibility } : {}), ...(input.accessibility ? { accessibility: input.accessibility } : {}),
        lastUpdated: now,
      });
      if (secret) await t.apps.insertSecret(secret);
      if (shared) await t.swa.saveShared(shared);
      await t.logs.append(buildEvent(clock, caller, 'application.lifecycle.update', { targets: [appTarget(existing)] }));
      const updated = (await t.apps.findById(id))!;
      await options.within?.(tx, updated);
      return updated;
    });
  }

  async function setStatus(caller: Caller, id: string, status: App['status']): Promise<void> {
    const scoped = store.forOrg(caller.org.id);
    const app = await requireApp(scoped, id);
    if (app.status === status) return;
    await store.transaction(async (tx) => {
      const t = tx.forOrg(caller.org.id);
      await t.apps.update(id, { status, lastUpdated: clock.now().toISOString() });
      // Okta: a deactivated client's tokens are invalidated at once and for good; reactivating it
      // does not make them valid again.
      const clientId = (app.credentials.oauthClient as { client_id?: unknown } | undefined)?.client_id;
      if (status === 'INACTIVE' && typeof clientId === 'string') await t.oidcPayloads.deleteForClient(clientId);
      await t.logs.append(buildEvent(clock, caller, status === 'ACTIVE' ? 'application.lifecycle.activate' : 'application.lifecycle.deactivate', { targets: [appTarget(app)] }));
    });
  }

  /** Okta deletes only an INACTIVE app. */
  async function remove(caller: Caller, id: string): Promise<void> {
    const scoped = store.forOrg(caller.org.id);
    const app = await requireApp(scoped, id);
    if (app.status === 'ACTIVE') {
      throw new AppError('app.delete_active', { causes: ['The application must be deactivated before deletion.'] });
    }
    await store.transaction(async (tx) => {
      const t = tx.forOrg(caller.org.id);
      await t.apps.delete(id);
      await appKeys.remove(caller.org.id, id, tx);
      await t.logs.append(buildEvent(clock, caller, 'application.lifecycle.delete', { targets: [appTarget(app)] }));
    });
  }

  async function assignUser(caller: Caller, appId: string, idOrLogin: string, profile: Record<string, unknown> = {},
    options: { within?: ((tx: Store) => Promise<void>) | undefined } = {}): Promise<AppUserAssignment> {
    const scoped = store.forOrg(caller.org.id);
    const app = await requireApp(scoped, appId);
    const user = await requireUser(scoped, idOrLogin);
    const now = clock.now().toISOString();
    const existing = await scoped.apps.findUserAssignment(appId, user.id);
    const assignment: AppUserAssignment = { appId, userId: user.id, profile, created: existing?.created ?? now, lastUpdated: now };
    await store.transaction(async (tx) => {
      const t = tx.forOrg(caller.org.id);
      await t.apps.assignUser(assignment);
      if (!existing) await t.logs.append(buildEvent(clock, caller, 'application.user_membership.add', { targets: [userTarget(user), appTarget(app)] }));
      await options.within?.(tx);
      await queueUserPush(t, clock, [user.id]);
    });
    return assignment;
  }

  async function unassignUser(caller: Caller, appId: string, idOrLogin: string): Promise<void> {
    const scoped = store.forOrg(caller.org.id);
    const app = await requireApp(scoped, appId);
    const user = await requireUser(scoped, idOrLogin);
    await store.transaction(async (tx) => {
      const t = tx.forOrg(caller.org.id);
      if (!(await t.apps.unassignUser(appId, user.id))) throw notFound('AppUser', user.id);
      await t.logs.append(buildEvent(clock, caller, 'application.user_membership.remove', { targets: [userTarget(user), appTarget(app)] }));
      await queueUserPush(t, clock, [user.id]);
    });
  }

  async function assignGroup(caller: Caller, appId: string, groupId: string, input: { priority?: number; profile?: Record<string, unknown> } = {}): Promise<AppGroupAssignment> {
    const scoped = store.forOrg(caller.org.id);
    const app = await requireApp(scoped, appId);
    const group = await requireGroup(scoped, groupId);
    const now = clock.now().toISOString();
    const existing = await scoped.apps.findGroupAssignment(appId, groupId);
    const others = await scoped.apps.listGroupAssignments(appId);
    const assignment: AppGroupAssignment = {
      appId, groupId, priority: input.priority ?? existing?.priority ?? others.length, profile: input.profile ?? existing?.profile ?? {},
      created: existing?.created ?? now, lastUpdated: now,
    };
    await store.transaction(async (tx) => {
      const t = tx.forOrg(caller.org.id);
      await t.apps.assignGroup(assignment);
      if (!existing) await t.logs.append(buildEvent(clock, caller, 'application.group_membership.add', { targets: [groupTarget(group), appTarget(app)] }));
      await queueGroupMembersPush(t, clock, groupId);
    });
    return assignment;
  }

  async function unassignGroup(caller: Caller, appId: string, groupId: string): Promise<void> {
    const scoped = store.forOrg(caller.org.id);
    const app = await requireApp(scoped, appId);
    const group = await requireGroup(scoped, groupId);
    await store.transaction(async (tx) => {
      const t = tx.forOrg(caller.org.id);
      if (!(await t.apps.unassignGroup(appId, groupId))) throw notFound('ApplicationGroupAssignment', groupId);
      await t.logs.append(buildEvent(clock, caller, 'application.group_membership.remove', { targets: [groupTarget(group), appTarget(app)] }));
      await queueGroupMembersPush(t, clock, groupId);
    });
  }

  /** The OIDC client behind a client id, with its active secrets opened; undefined for anything else. */
  // Opened client secrets by their sealed text, which never changes for a secret: the token
  // endpoint then decrypts a secret once, not on every request. Status is still read every time.
  const openedSecrets = new Map<string, string>();
  async function openClientSecret(orgId: string, appId: string, record: ClientSecretRecord): Promise<string> {
    const key = `${orgId}|${record.id}|${record.ciphertext}`;
    let secret = openedSecrets.get(key);
    if (secret === undefined) {
      secret = await vault.openText(orgId, record.ciphertext, secretContext(appId, record.id));
      if (openedSecrets.size >= 5000) openedSecrets.delete(openedSecrets.keys().next().value!);
      openedSecrets.set(key, secret);
    }
    return secret;
  }

  async function resolveClient(orgId: string, clientId: string): Promise<ResolvedClient | undefined> {
    if (clientId.length > 100) return undefined;
    const scoped = store.forOrg(orgId);
    const app = await scoped.apps.findByClientId(clientId);
    if (!app || app.signOnMode !== 'OPENID_CONNECT' || app.status !== 'ACTIVE') return undefined;
    const settings = oauthClientSettingsSchema.parse((app.settings.oauthClient ?? {}) as unknown);
    const credentials = oauthClientCredentialsSchema.parse((app.credentials.oauthClient ?? {}) as unknown);
    const resolved = resolveOidcClient(settings, credentials);
    if (!resolved.ok) return undefined;
    const secrets: string[] = [];
    if (usesClientSecret(resolved.client.token_endpoint_auth_method)) {
      const active = (await scoped.apps.listSecrets(app.id)).filter((s) => s.status === 'ACTIVE').reverse();
      for (const s of active) secrets.push(await openClientSecret(orgId, app.id, s));
    }
    return { app, client: resolved.client, clientId, secrets };
  }

  async function secretsOf(caller: Caller, appId: string): Promise<{ record: ClientSecretRecord; secret: string }[]> {
    const scoped = store.forOrg(caller.org.id);
    await requireApp(scoped, appId);
    const out = [];
    for (const record of await scoped.apps.listSecrets(appId)) {
      out.push({ record, secret: await vault.openText(caller.org.id, record.ciphertext, secretContext(appId, record.id)) });
    }
    return out;
  }

  async function createSecret(caller: Caller, appId: string, requested?: string): Promise<{ record: ClientSecretRecord; secret: string }> {
    const scoped = store.forOrg(caller.org.id);
    const app = await requireApp(scoped, appId);
    const existing = await scoped.apps.listSecrets(appId);
    if (existing.length >= 2) throw validationError(['client_secret: An app can have at most two client secrets; delete one first.'], 'client_secret');
    const secret = requested ?? randomToken(48);
    if (secret.length < 32) throw validationError(['client_secret: must be at least 32 characters'], 'client_secret');
    const record = await sealSecret(caller.org.id, app.id, secret);
    await store.transaction(async (tx) => {
      const t = tx.forOrg(caller.org.id);
      await t.apps.insertSecret(record);
      await t.logs.append(buildEvent(clock, caller, 'app.oauth2.credentials.secret.create', { targets: [appTarget(app)] }));
    });
    return { record, secret };
  }

  async function setSecretStatus(caller: Caller, appId: string, secretId: string, status: ClientSecretRecord['status']): Promise<void> {
    const scoped = store.forOrg(caller.org.id);
    const app = await requireApp(scoped, appId);
    const secrets = await scoped.apps.listSecrets(appId);
    if (!secrets.some((s) => s.id === secretId)) throw notFound('OAuth2ClientSecret', secretId);
    if (status === 'INACTIVE' && secrets.filter((s) => s.status === 'ACTIVE' && s.id !== secretId).length === 0) {
      throw validationError(['status: The last active client secret cannot be deactivated.'], 'status');
    }
    await scoped.apps.updateSecretStatus(appId, secretId, status, clock.now().toISOString());
    await scoped.logs.append(buildEvent(clock, caller, 'app.oauth2.credentials.secret.update', { targets: [appTarget(app)] }));
  }

  async function deleteSecret(caller: Caller, appId: string, secretId: string): Promise<void> {
    const scoped = store.forOrg(caller.org.id);
    const app = await requireApp(scoped, appId);
    const secret = (await scoped.apps.listSecrets(appId)).find((s) => s.id === secretId);
    if (!secret) throw notFound('OAuth2ClientSecret', secretId);
    if (secret.status === 'ACTIVE') throw new AppError('request.validation_failed', { detail: 'status', causes: ['status: Deactivate the client secret before deleting it.'] });
    await scoped.apps.deleteSecret(appId, secretId);
    await scoped.logs.append(buildEvent(clock, caller, 'app.oauth2.credentials.secret.delete', { targets: [appTarget(app)] }));
  }

  /**
   * Creates a SAML app from a service provider's metadata, or updates one's `settings.signOn` from
   * it (a Lanyard addition): ACS URLs, entity ID, certificate, signed requests, single logout.
   */
  async function importSpMetadata(caller: Caller, xml: string, target: { label: string } | { appId: string }): Promise<App> {
    // An unknown app (or another org's) is 404 whatever the document holds, as at every other app endpoint.
    const existing = 'appId' in target ? await requireApp(store.forOrg(caller.org.id), target.appId) : undefined;
    if (existing && existing.signOnMode !== 'SAML_2_0') throw validationError(['signOnMode: Only SAML 2.0 apps take service provider metadata.'], 'signOnMode');
    let metadata: SpMetadata;
    try {
      metadata = parseSpMetadata(xml, { now: clock.now() });
    } catch (error) {
      if (error instanceof SamlError) throw validationError([`metadata: ${error.message}`], 'metadata');
      throw error;
    }
    if (!existing) {
      return create(caller, { label: (target as { label: string }).label, signOnMode: 'SAML_2_0', settings: { signOn: signOnFromMetadata(metadata) } }, { activate: true });
    }
    const signOn = signOnFromMetadata(metadata, existing.settings.signOn as Partial<SamlSignOnInput>);
    return replace(caller, existing.id, {
      name: existing.name, label: existing.label, signOnMode: existing.signOnMode,
      settings: { ...existing.settings, signOn }, credentials: existing.credentials,
    });
  }

  return {
    importSpMetadata,
    create, replace, setStatus, remove, assignUser, unassignUser, assignGroup, unassignGroup, resolveClient,
    secretsOf, createSecret, setSecretStatus, deleteSecret, requireApp,
    get: (caller: Caller, id: string) => requireApp(store.forOrg(caller.org.id), id),
    /** An app of the org by id, or undefined (for pages, which answer their own way). */
    findById: (org: Org, id: string) => store.forOrg(org.id).apps.findById(id),
    isAssigned: (org: Org, appId: string, userId: string) => store.forOrg(org.id).apps.isAssigned(appId, userId),
    /** The active apps a user may open, in label order, without those hidden from the web. */
    launchableFor: async (org: Org, userId: string) => (await store.forOrg(org.id).apps.appsOfUser(userId))
      .filter((a) => a.status === 'ACTIVE' && !(a.visibility.hide as { web?: boolean } | undefined)?.web)
      .sort((a, b) => a.label.localeCompare(b.label)),
    /** The app with this OAuth client id, whatever its status; undefined when none. */
    findByClientId: (caller: Caller, clientId: string) => store.forOrg(caller.org.id).apps.findByClientId(clientId),
    list: (caller: Caller, query: { q?: string | undefined; filter?: Filter | undefined; limit: number; after?: string | undefined }): Promise<Page<App>> =>
      store.forOrg(caller.org.id).apps.list(query),
    listUsers: async (caller: Caller, appId: string, limit: number, after?: string) => {
      const scoped = store.forOrg(caller.org.id);
      await requireApp(scoped, appId);
      return scoped.apps.listUserAssignments(appId, limit, after);
    },
    findUserAssignment: async (caller: Caller, appId: string, userId: string): Promise<AppUserAssignment> => {
      const scoped = store.forOrg(caller.org.id);
      await requireApp(scoped, appId);
      const assignment = await scoped.apps.findUserAssignment(appId, userId);
      if (!assignment) throw notFound('AppUser', userId);
      return assignment;
    },
    findGroupAssignment: async (caller: Caller, appId: string, groupId: string): Promise<AppGroupAssignment> => {
      const scoped = store.forOrg(caller.org.id);
      await requireApp(scoped, appId);
      const assignment = await scoped.apps.findGroupAssignment(appId, groupId);
      if (!assignment) throw notFound('ApplicationGroupAssignment', groupId);
      return assignment;
    },
    listGroups: async (caller: Caller, appId: string) => {
      const scoped = store.forOrg(caller.org.id);
      await requireApp(scoped, appId);
      return scoped.apps.listGroupAssignments(appId);
    },
  };
}

export type AppService = ReturnType<typeof createAppService>;
