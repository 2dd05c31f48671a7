/**
 * The requests of Lanyard's SCIM client, shaped as Okta's provisioning client sends them, so an
 * app that passes against Lanyard passes against Okta: lookup by `filter=userName eq "…"`,
 * `POST /Users` with the core schema, updates by PUT or PATCH `replace`, deactivation by PATCH
 * `active:false`, password sync by PATCH. No HTTP here: only paths and bodies.
 */
import type { Compatibility, Mapping } from '../../domain/provisioning.ts';

export const scimSchemas = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
} as const;

export type ScimJson = Record<string, any>;

/** A filter's string literal: JSON string rules, as RFC 7644 §3.4.2.2 says. */
export function filterString(value: string): string {
  return JSON.stringify(value);
}

export function lookupUserPath(userName: string): string {
  return `/Users?filter=${encodeURIComponent(`userName eq ${filterString(userName)}`)}&startIndex=1&count=100`;
}

export function lookupGroupPath(displayName: string): string {
  return `/Groups?filter=${encodeURIComponent(`displayName eq ${filterString(displayName)}`)}&startIndex=1&count=100`;
}

export function listPath(resource: 'Users' | 'Groups', startIndex: number, count: number): string {
  return `/${resource}?startIndex=${startIndex}&count=${count}`;
}

const enterpriseTargets = new Set(['employeeNumber', 'department', 'organization']);

/** The app's user from mapped values (`target → value`; null and empty leave an attribute out). */
export function userBody(values: Readonly<Record<Mapping['target'], string | null | undefined>>, active: boolean, compatibility: Compatibility): ScimJson {
  const user: ScimJson = { schemas: [scimSchemas.user] };
  const enterprise: ScimJson = {};
  for (const [target, raw] of Object.entries(values) as [Mapping['target'], string | null | undefined][]) {
    if (raw === null || raw === undefined || raw === '') continue;
    const value = target === 'userName' && compatibility.userNameCase === 'lower' ? raw.toLowerCase() : raw;
    if (target.startsWith('name.')) {
      user.name = { ...user.name, [target.slice(5)]: value };
    } else if (target === 'emails.work') {
      user.emails = [{ primary: true, value, type: 'work' }];
    } else if (target.startsWith('phoneNumbers.')) {
      user.phoneNumbers = [...(user.phoneNumbers ?? []), { value, type: target.slice(13) }];
    } else if (enterpriseTargets.has(target)) {
      enterprise[target] = value;
    } else {
      user[target] = value;
    }
  }
  if (Object.keys(enterprise).length > 0) {
    user.schemas.push(scimSchemas.enterpriseUser);
    user[scimSchemas.enterpriseUser] = enterprise;
  }
  user.active = active;
  return user;
}

/** A PATCH replacing attributes: one value object, or one operation per path when the app needs paths. */
export function replaceBody(attributes: ScimJson, compatibility: Compatibility): ScimJson {
  const operations = compatibility.patchNeedsPath
    ? Object.entries(flatten(attributes)).map(([path, value]) => ({ op: 'replace', path, value }))
    : [{ op: 'replace', value: attributes }];
  return { schemas: [scimSchemas.patchOp], Operations: operations };
}

/** `{name: {givenName: 'A'}}` → `{'name.givenName': 'A'}`; arrays stay whole (`emails`). */
function flatten(value: ScimJson, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child && typeof child === 'object' && !Array.isArray(child) && !key.startsWith('urn:')) Object.assign(out, flatten(child as ScimJson, path));
    else out[path] = child;
  }
  return out;
}

export const activeBody = (active: boolean, compatibility: Compatibility) => replaceBody({ active }, compatibility);
export const passwordBody = (password: string, compatibility: Compatibility) => replaceBody({ password }, compatibility);

/**
 * The attributes of `desired` that `current` (the app's copy) lacks or holds differently; what a
 * PATCH must send. Compared as the app returned them; `schemas`, `id` and `meta` are ignored.
 */
export function changedAttributes(desired: ScimJson, current: ScimJson): ScimJson {
  const changes: ScimJson = {};
  for (const [key, value] of Object.entries(desired)) {
    if (key === 'schemas' || key === 'id' || key === 'meta' || key === 'active' || key === 'password') continue;
    const have = current[key];
    if (value && typeof value === 'object' && !Array.isArray(value) && have && typeof have === 'object' && !Array.isArray(have)) {
      const inner = changedAttributes(value, have);
      if (Object.keys(inner).length > 0) changes[key] = key.startsWith('urn:') ? value : { ...inner };
    } else if (canonical(value) !== canonical(have)) {
      changes[key] = value;
    }
  }
  return changes;
}

/** JSON with object keys sorted: servers return attributes in their own order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v));
}

/**
 * When to try again after a 429 or 503: `Retry-After` in seconds or as an HTTP date; undefined
 * when the answer gives none (the caller backs off on its own).
 */
export function retryAfterMs(header: string | string[] | undefined, now: Date): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d{1,6}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/** A group member as Okta sends it: the app's id of the user, and its name for display. */
export interface GroupMember {
  readonly value: string;
  readonly display: string;
}

export function groupBody(displayName: string, members: readonly GroupMember[]): ScimJson {
  return { schemas: [scimSchemas.group], displayName, members: [...members] };
}

/** A rename, as Okta sends it: replace with the id and the new name. */
export function renameGroupBody(id: string, displayName: string): ScimJson {
  return { schemas: [scimSchemas.patchOp], Operations: [{ op: 'replace', value: { id, displayName } }] };
}

export function addMembersBody(members: readonly GroupMember[]): ScimJson {
  return { schemas: [scimSchemas.patchOp], Operations: [{ op: 'add', path: 'members', value: [...members] }] };
}

/** One remove per member, addressed by a value filter, as Okta does. */
export function removeMembersBody(ids: readonly string[]): ScimJson {
  return { schemas: [scimSchemas.patchOp], Operations: ids.map((id) => ({ op: 'remove', path: `members[value eq ${filterString(id)}]` })) };
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
