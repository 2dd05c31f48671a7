/**
 * Directory entries as Lanyard reads them: a DN and text values by lower-cased attribute name
 * (binary ids already turned into text), the searches that fetch them, and their mapping to
 * Lanyard profiles and groups. Pure: the same code serves a direct connection and an agent.
 */
import type { DirectorySettings } from './settings.ts';

/** One entry, normalised: attribute names lower-cased, every value text. */
export interface DirectoryEntry {
  readonly dn: string;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
}

/** One search of a run: users or groups, full or since a change mark. */
export interface DirectorySearch {
  readonly phase: 'users' | 'groups';
  readonly baseDn: string;
  readonly filter: string;
  readonly attributes: readonly string[];
  /** Attributes that arrive as bytes (Active Directory's objectGUID). */
  readonly binaryAttributes: readonly string[];
  readonly pageSize: number;
}

/** RFC 4515 §3: `*`, `(`, `)`, `\` and NUL are written as `\XX` in a filter value. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Lower-case, with the spaces around separators gone: how two spellings of one DN compare. */
export function normalizeDn(dn: string): string {
  return dn.split(',').map((rdn) => rdn.split('=').map((part) => part.trim()).join('=')).join(',').toLowerCase();
}

const binaryIds = new Set(['objectguid']);

/** Active Directory's GUID byte order (the first three fields little-endian), as AD shows it. */
export function guidText(bytes: Buffer): string {
  if (bytes.length !== 16) return bytes.toString('hex');
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = [...bytes.subarray(from, to)];
    return (reverse ? part.reverse() : part).map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

/** Turns one raw search entry (values as text or bytes) into a {@link DirectoryEntry}. */
export function normalizeEntry(raw: Record<string, unknown>): DirectoryEntry {
  const attributes: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'dn') continue;
    const key = name.toLowerCase();
    const values = Array.isArray(value) ? value : [value];
    const text = values.filter((v) => v !== undefined && v !== null).map((v) => {
      if (Buffer.isBuffer(v)) return binaryIds.has(key) ? guidText(v) : v.toString('base64');
      return String(v);
    });
    if (text.length > 0) attributes[key] = text;
  }
  return { dn: String(raw.dn), attributes };
}

export function first(entry: DirectoryEntry, attribute: string): string | undefined {
  return entry.attributes[attribute.toLowerCase()]?.[0];
}

function objectClassFilter(objectClass: string, extra: string, since: string | null, changeAttribute: string): string {
  const parts = [`(objectClass=${escapeFilterValue(objectClass)})`];
  if (extra) parts.push(extra);
  if (since !== null) parts.push(`(${changeAttribute}>=${escapeFilterValue(since)})`);
  return parts.length === 1 ? parts[0]! : `(&${parts.join('')})`;
}

/**
 * The searches of one run. `since` is the highest change mark of the last successful run (an
 * incremental run reads entries changed at or after it); null reads everything.
 */
export function searchesFor(settings: DirectorySettings, since: string | null): DirectorySearch[] {
  const binary = binaryIds.has(settings.uniqueIdAttribute.toLowerCase()) ? [settings.uniqueIdAttribute] : [];
  const userAttributes = [...new Set([
    ...Object.values(settings.attributes), settings.uniqueIdAttribute, settings.changeAttribute, ...(settings.disabledFlag ? ['userAccountControl'] : []),
  ])];
  const searches: DirectorySearch[] = [{
    phase: 'users', baseDn: settings.userBaseDn, attributes: userAttributes, binaryAttributes: binary, pageSize: settings.pageSize,
    filter: objectClassFilter(settings.userObjectClass, settings.userFilter, since, settings.changeAttribute),
  }];
  if (settings.groupBaseDn) {
    searches.push({
      phase: 'groups', baseDn: settings.groupBaseDn, binaryAttributes: binary, pageSize: settings.pageSize,
      attributes: [...new Set([settings.groupNameAttribute, settings.groupDescriptionAttribute, settings.groupMembershipAttribute, settings.uniqueIdAttribute, settings.changeAttribute])],
      filter: objectClassFilter(settings.groupObjectClass, settings.groupFilter, since, settings.changeAttribute),
    });
  }
  return searches;
}

/** The later of two change marks: numbers (uSNChanged) by value, generalized times as text. */
export function laterMark(a: string | null, b: string | undefined): string | null {
  if (b === undefined) return a;
  if (a === null) return b;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(b) > BigInt(a) ? b : a;
  return b > a ? b : a;
}

export type MappedUser =
  | { readonly ok: true; readonly externalId: string; readonly profile: Record<string, string>; readonly disabled: boolean; readonly mark: string | undefined }
  | { readonly ok: false; readonly dn: string; readonly cause: string };

/** ACCOUNTDISABLE in userAccountControl ([MS-ADTS] 2.2.16). */
const accountDisable = 0x2;

/** The Lanyard profile of a user entry, built from the mapped attributes. */
export function mapUser(settings: DirectorySettings, entry: DirectoryEntry): MappedUser {
  const externalId = first(entry, settings.uniqueIdAttribute);
  if (!externalId) return { ok: false, dn: entry.dn, cause: `${settings.uniqueIdAttribute}: the entry has no unique id` };
  const profile: Record<string, string> = {};
  for (const [profileName, ldapName] of Object.entries(settings.attributes)) {
    const value = first(entry, ldapName)?.trim();
    if (value) profile[profileName] = value;
  }
  if (profile.login && !profile.login.includes('@') && settings.loginSuffix) profile.login = `${profile.login}@${settings.loginSuffix}`;
  if (!profile.login) return { ok: false, dn: entry.dn, cause: `${settings.attributes.login}: the entry has no login` };
  if (!profile.email) profile.email = profile.login;
  const flags = Number(first(entry, 'userAccountControl') ?? 0);
  return { ok: true, externalId, profile, disabled: settings.disabledFlag && (flags & accountDisable) !== 0, mark: first(entry, settings.changeAttribute) };
}

export type MappedGroup =
  | { readonly ok: true; readonly externalId: string; readonly name: string; readonly description: string | null; readonly memberDns: readonly string[]; readonly mark: string | undefined }
  | { readonly ok: false; readonly dn: string; readonly cause: string };

export function mapGroup(settings: DirectorySettings, entry: DirectoryEntry): MappedGroup {
  const externalId = first(entry, settings.uniqueIdAttribute);
  if (!externalId) return { ok: false, dn: entry.dn, cause: `${settings.uniqueIdAttribute}: the entry has no unique id` };
  const name = first(entry, settings.groupNameAttribute)?.trim();
  if (!name) return { ok: false, dn: entry.dn, cause: `${settings.groupNameAttribute}: the entry has no name` };
  return {
    ok: true, externalId, name, description: first(entry, settings.groupDescriptionAttribute) ?? null,
    memberDns: (entry.attributes[settings.groupMembershipAttribute.toLowerCase()] ?? []).map(normalizeDn),
    mark: first(entry, settings.changeAttribute),
  };
}
