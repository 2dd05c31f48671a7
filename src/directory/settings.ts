/**
 * A directory's settings: where it is, how to read it, and how its entries map to Lanyard users
 * and groups. Presets fill what a kind of directory always has (OpenLDAP's `entryUUID` and
 * `modifyTimestamp`, Active Directory's `objectGUID`, `uSNChanged` and `userAccountControl`); what
 * the admin sends overrides them. Pure: no I/O.
 */
import { z } from 'zod';
import { baseAttributeNames } from '../domain/user-profile.ts';

export const directoryPresets = ['OPENLDAP', 'ACTIVE_DIRECTORY'] as const;
export type DirectoryPreset = (typeof directoryPresets)[number];

/** An LDAP attribute description (RFC 4512 §2.5): a name or an OID, with options. */
const attributeName = z.string().regex(/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)(;[A-Za-z0-9-]+)*$/, 'must be an LDAP attribute name').max(100);
/** A DN is checked by the directory itself; here only that it is one-line text with an `=`. */
const dn = z.string().trim().min(3, 'must be a distinguished name').max(1024).regex(/^[^\n\r\0]*=[^\n\r\0]*$/, 'must be a distinguished name');
/** An extra RFC 4515 filter, ANDed with the object class: parenthesised and balanced. */
const filter = z.string().trim().max(2048).refine(balancedFilter, 'must be an LDAP filter in parentheses, e.g. (department=Sales)');

function balancedFilter(value: string): boolean {
  if (value === '') return true;
  if (!value.startsWith('(') || !value.endsWith(')')) return false;
  let depth = 0;
  for (const c of value) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

const profileAttribute = z.string().refine((name) => (baseAttributeNames as string[]).includes(name), 'is not a base profile attribute');

/** The mapped profile attributes: Lanyard profile attribute → LDAP attribute. */
const attributeMapSchema = z.record(profileAttribute, attributeName);

const url = z.string().trim().max(1024).refine((value) => {
  try {
    const parsed = new URL(value);
    return (parsed.protocol === 'ldap:' || parsed.protocol === 'ldaps:') && parsed.hostname !== '' && (parsed.pathname === '' || parsed.pathname === '/');
  } catch {
    return false;
  }
}, 'must be ldap://host[:port] or ldaps://host[:port]');

/** What the API accepts; omitted fields come from the preset (or stay as they were on update). */
export const directoryInputSchema = z.strictObject({
  name: z.string().trim().min(1, 'The field cannot be left blank').max(100, 'must be at most 100 characters'),
  preset: z.enum(directoryPresets),
  mode: z.enum(['DIRECT', 'AGENT']).default('DIRECT'),
  url,
  startTls: z.boolean().default(false),
  bindDn: dn,
  bindPassword: z.string().min(1, 'The field cannot be left blank').max(1024),
  userBaseDn: dn,
  groupBaseDn: dn.nullable().optional(),
  userObjectClass: attributeName.optional(),
  userFilter: filter.optional(),
  groupObjectClass: attributeName.optional(),
  groupFilter: filter.optional(),
  /** Profile attribute → LDAP attribute; merged over the preset's. */
  attributes: attributeMapSchema.optional(),
  /** Appended as `@suffix` to a login value that is not already an email address (uid, sAMAccountName). */
  loginSuffix: z.string().trim().regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'must be a domain, e.g. example.com').nullable().optional(),
  uniqueIdAttribute: attributeName.optional(),
  changeAttribute: attributeName.optional(),
  groupNameAttribute: attributeName.optional(),
  groupDescriptionAttribute: attributeName.optional(),
  groupMembershipAttribute: attributeName.optional(),
  delegatedAuthentication: z.boolean().default(true),
  deactivateMissing: z.boolean().default(true),
  importEveryMinutes: z.number().int().min(5, 'must be at least 5').max(10_080, 'must be at most 10080 (a week)').nullable().default(null),
  pageSize: z.number().int().min(1).max(5000).default(500),
});

export type DirectoryInput = z.output<typeof directoryInputSchema>;

/** The settings a directory runs with: the preset's defaults filled in. */
export interface DirectorySettings {
  readonly preset: DirectoryPreset;
  readonly mode: 'DIRECT' | 'AGENT';
  readonly url: string;
  readonly startTls: boolean;
  readonly bindDn: string;
  readonly userBaseDn: string;
  readonly groupBaseDn: string | null;
  readonly userObjectClass: string;
  readonly userFilter: string;
  readonly groupObjectClass: string;
  readonly groupFilter: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly loginSuffix: string | null;
  readonly uniqueIdAttribute: string;
  readonly changeAttribute: string;
  readonly groupNameAttribute: string;
  readonly groupDescriptionAttribute: string;
  readonly groupMembershipAttribute: string;
  /** Active Directory: the `userAccountControl` ACCOUNTDISABLE bit marks a disabled account. */
  readonly disabledFlag: boolean;
  readonly delegatedAuthentication: boolean;
  readonly deactivateMissing: boolean;
  readonly importEveryMinutes: number | null;
  readonly pageSize: number;
}

interface PresetDefaults {
  readonly userObjectClass: string;
  readonly groupObjectClass: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly uniqueIdAttribute: string;
  readonly changeAttribute: string;
  readonly groupNameAttribute: string;
  readonly groupDescriptionAttribute: string;
  readonly groupMembershipAttribute: string;
  readonly disabledFlag: boolean;
}

export const presets: Record<DirectoryPreset, PresetDefaults> = {
  OPENLDAP: {
    userObjectClass: 'inetOrgPerson',
    groupObjectClass: 'groupOfNames',
    attributes: { login: 'uid', email: 'mail', firstName: 'givenName', lastName: 'sn', displayName: 'cn', title: 'title', mobilePhone: 'mobile' },
    uniqueIdAttribute: 'entryUUID',
    changeAttribute: 'modifyTimestamp',
    groupNameAttribute: 'cn',
    groupDescriptionAttribute: 'description',
    groupMembershipAttribute: 'member',
    disabledFlag: false,
  },
  ACTIVE_DIRECTORY: {
    userObjectClass: 'user',
    groupObjectClass: 'group',
    attributes: {
      login: 'userPrincipalName', email: 'mail', firstName: 'givenName', lastName: 'sn', displayName: 'displayName',
      title: 'title', department: 'department', mobilePhone: 'mobile',
    },
    uniqueIdAttribute: 'objectGUID',
    changeAttribute: 'uSNChanged',
    groupNameAttribute: 'cn',
    groupDescriptionAttribute: 'description',
    groupMembershipAttribute: 'member',
    disabledFlag: true,
  },
};

/** The preset's defaults with the admin's choices over them. */
export function resolveSettings(input: Omit<DirectoryInput, 'name' | 'bindPassword'>): DirectorySettings {
  const preset = presets[input.preset];
  return {
    preset: input.preset,
    mode: input.mode,
    url: input.url.replace(/\/$/, ''),
    startTls: input.startTls,
    bindDn: input.bindDn,
    userBaseDn: input.userBaseDn,
    groupBaseDn: input.groupBaseDn ?? null,
    userObjectClass: input.userObjectClass ?? preset.userObjectClass,
    userFilter: input.userFilter ?? '',
    groupObjectClass: input.groupObjectClass ?? preset.groupObjectClass,
    groupFilter: input.groupFilter ?? '',
    attributes: { ...preset.attributes, ...input.attributes },
    loginSuffix: input.loginSuffix ?? null,
    uniqueIdAttribute: input.uniqueIdAttribute ?? preset.uniqueIdAttribute,
    changeAttribute: input.changeAttribute ?? preset.changeAttribute,
    groupNameAttribute: input.groupNameAttribute ?? preset.groupNameAttribute,
    groupDescriptionAttribute: input.groupDescriptionAttribute ?? preset.groupDescriptionAttribute,
    groupMembershipAttribute: input.groupMembershipAttribute ?? preset.groupMembershipAttribute,
    disabledFlag: preset.disabledFlag,
    delegatedAuthentication: input.delegatedAuthentication,
    deactivateMissing: input.deactivateMissing,
    importEveryMinutes: input.importEveryMinutes,
    pageSize: input.pageSize,
  };
}

/** Cross-field rules the schema cannot say alone; each cause names its field. */
export function settingsProblems(input: DirectoryInput): string[] {
  const problems: string[] = [];
  const url = new URL(input.url);
  if (input.startTls && url.protocol === 'ldaps:') problems.push('startTls: ldaps:// is already TLS; send startTls only with ldap://');
  const attributes = { ...presets[input.preset].attributes, ...input.attributes };
  for (const required of ['login', 'email', 'firstName', 'lastName']) {
    if (!attributes[required]) problems.push(`attributes.${required}: must be mapped to an LDAP attribute`);
  }
  return problems;
}

/** The provider type users of a directory show in `credentials.provider`. */
export function providerType(preset: DirectoryPreset): 'LDAP' | 'ACTIVE_DIRECTORY' {
  return preset === 'ACTIVE_DIRECTORY' ? 'ACTIVE_DIRECTORY' : 'LDAP';
}
