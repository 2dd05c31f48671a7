/**
 * Orgs: creation (with the built-in Everyone group), look-up by host for tenancy, settings, and
 * the first start of an empty store (first org, first super-admin, first API token).
 */
import { z } from 'zod';
import { AppError, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { defaultOrgSettings, orgNamePattern, orgSettingsSchema, type Org, type OrgSettings } from '../domain/org.ts';
import { everyoneGroupName } from '../domain/group.ts';
import { hostOf } from '../domain/org-url.ts';
import { rateLimitBuckets } from '../domain/rate-limits.ts';
import { UniqueViolation } from './ports.ts';
import type { ServiceDeps } from './deps.ts';
import type { Caller } from './caller.ts';
import { buildEvent } from './system-log.ts';
import { parseOrThrow } from './validation.ts';

const hostCacheMs = 5000;

/** What `POST /api/v1/org` may change; Okta's other contact fields are not kept by Lanyard and are refused. */
const orgProfileSchema = z.object({ companyName: z.string().trim().min(1).max(100).optional() }).strict();

export interface CreateOrgInput {
  readonly name: string;
  readonly displayName?: string | undefined;
  readonly customDomain?: string | undefined;
}

/** `afterCreate` runs once an org exists, to give it what every org has (its authorization servers). */
export function createOrgService(deps: ServiceDeps, afterCreate: (org: Org) => Promise<void> = async () => {}) {
  const { store, clock, baseUrl } = deps;
  const baseHost = baseUrl.hostname.toLowerCase();
  const hostCache = new Map<string, { org: Org | undefined; until: number }>();

  async function create(input: CreateOrgInput, options: { isDefault?: boolean } = {}): Promise<Org> {
    const name = input.name.trim().toLowerCase();
    if (!orgNamePattern.test(name)) {
      throw validationError(['name: must be a DNS label: lower-case letters, digits and "-", 1 to 63 characters']);
    }
    const customDomain = input.customDomain?.trim().toLowerCase() || null;
    if (customDomain !== null && !/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/.test(customDomain)) {
      throw validationError(['customDomain: must be a host name, e.g. id.example.com']);
    }
    const now = clock.now().toISOString();
    const org: Org = {
      id: newId('org'),
      name,
      displayName: input.displayName?.trim() || name,
      customDomain,
      isDefault: options.isDefault ?? false,
      settings: defaultOrgSettings(),
      created: now,
      lastUpdated: now,
    };
    try {
      await store.transaction(async (tx) => {
        await tx.orgs.insert(org);
        await tx.forOrg(org.id).groups.insert({
          id: newId('group'),
          orgId: org.id,
          type: 'BUILT_IN',
          name: everyoneGroupName,
          description: 'All users in your organization',
          profile: { name: everyoneGroupName, description: 'All users in your organization' },
          created: now,
          lastUpdated: now,
          lastMembershipUpdated: now,
        });
      });
    } catch (error) {
      if (error instanceof UniqueViolation) {
        throw validationError([`${error.field}: An object with this field already exists`], error.field);
      }
      throw error;
    }
    hostCache.clear();
    await afterCreate(org);
    return org;
  }

  /**
   * The org a request's Host header addresses: the first org on the base host, another on its
   * custom domain (with or without port) or on `{name}.{base host}`.
   */
  async function resolveHost(hostHeader: string): Promise<Org | undefined> {
    const key = hostHeader.trim().toLowerCase();
    const cached = hostCache.get(key);
    const now = Date.now();
    if (cached && cached.until > now) return cached.org;
    const host = hostOf(key);
    let org = await store.orgs.findByDomain(key) ?? await store.orgs.findByDomain(host);
    if (!org && host === baseHost) org = await store.orgs.findDefault();
    if (!org && host.endsWith(`.${baseHost}`)) {
      const label = host.slice(0, -baseHost.length - 1);
      if (orgNamePattern.test(label)) org = await store.orgs.findByName(label);
    }
    if (hostCache.size > 10_000) hostCache.clear();
    hostCache.set(key, { org, until: now + hostCacheMs });
    return org;
  }

  async function updateSettings(caller: Caller, input: unknown): Promise<OrgSettings> {
    const merged = { ...caller.org.settings, ...(typeof input === 'object' && input !== null ? input : {}) };
    const settings = parseOrThrow(orgSettingsSchema.strict(), merged);
    // An override of a bucket that does not exist would be stored and silently never apply.
    const unknownBuckets = Object.keys(settings.rateLimits).filter((bucket) => !Object.hasOwn(rateLimitBuckets, bucket));
    if (unknownBuckets.length > 0) {
      throw validationError(unknownBuckets.map((bucket) =>
        `rateLimits.${bucket}: not a rate-limit bucket; the buckets are ${Object.keys(rateLimitBuckets).join(', ')}`));
    }
    const now = clock.now().toISOString();
    await store.transaction(async (tx) => {
      await tx.orgs.updateSettings(caller.org.id, settings, now);
      await tx.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'system.org.settings.update', {
        targets: [{ id: caller.org.id, type: 'Org', alternateId: caller.org.name, displayName: caller.org.displayName }],
      }));
    });
    hostCache.clear();
    return settings;
  }

  /** Okta's partial org update: the company name people see (the org's DNS name never changes). */
  async function updateProfile(caller: Caller, input: unknown): Promise<Org> {
    const changes = parseOrThrow(orgProfileSchema, input);
    const now = clock.now().toISOString();
    const displayName = changes.companyName ?? caller.org.displayName;
    await store.transaction(async (tx) => {
      await tx.orgs.updateDisplayName(caller.org.id, displayName, now);
      await tx.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'system.org.settings.update', {
        targets: [{ id: caller.org.id, type: 'Org', alternateId: caller.org.name, displayName }],
      }));
    });
    hostCache.clear();
    return { ...caller.org, displayName, lastUpdated: now };
  }

  async function requireByName(name: string): Promise<Org> {
    const org = await store.orgs.findByName(name.trim().toLowerCase());
    if (!org) throw new AppError('resource.not_found', { detail: `${name} (Org)` });
    return org;
  }

  return { create, resolveHost, updateSettings, updateProfile, requireByName, list: () => store.orgs.list(), findDefault: () => store.orgs.findDefault() };
}

export type OrgService = ReturnType<typeof createOrgService>;
