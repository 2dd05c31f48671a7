/**
 * Lanyard's users and groups as SCIM 2.0 resources (RFC 7643), for the inbound SCIM server an HR
 * system writes to: a user's profile ↔ the core User schema and the enterprise extension, a
 * SCIM filter's attribute paths ↔ Lanyard's, and PATCH operations (RFC 7644 §3.5.2) applied to a
 * resource. No HTTP and no storage here.
 */
import type { Filter } from './filter.ts';
import { scimSchemas } from './client.ts';

export class ScimProtocolError extends Error {
  readonly status: number;
  /** RFC 7644 §3.12's `scimType`. */
  readonly scimType: 'invalidFilter' | 'invalidPath' | 'invalidValue' | 'uniqueness' | 'noTarget' | 'mutability' | 'invalidSyntax' | undefined;
  constructor(status: number, scimType: ScimProtocolError['scimType'], message: string) {
    super(message);
    this.status = status;
    this.scimType = scimType;
  }
}

export interface LanyardUserView {
  readonly id: string;
  readonly status: string;
  readonly profile: Readonly<Record<string, unknown>>;
  readonly created: string;
  readonly lastUpdated: string;
}

type Json = Record<string, any>;

/** Profile attribute ↔ SCIM attribute path, for the simple one-to-one attributes. */
const simple: readonly (readonly [string, string])[] = [
  ['login', 'userName'], ['firstName', 'name.givenName'], ['lastName', 'name.familyName'], ['middleName', 'name.middleName'],
  ['honorificPrefix', 'name.honorificPrefix'], ['honorificSuffix', 'name.honorificSuffix'], ['displayName', 'displayName'],
  ['nickName', 'nickName'], ['profileUrl', 'profileUrl'], ['title', 'title'], ['userType', 'userType'], ['preferredLanguage', 'preferredLanguage'],
  ['locale', 'locale'], ['timezone', 'timezone'], ['externalId', 'externalId'],
];
const enterprise: readonly (readonly [string, string])[] = [
  ['employeeNumber', 'employeeNumber'], ['costCenter', 'costCenter'], ['organization', 'organization'], ['division', 'division'], ['department', 'department'],
];

export const activeStatuses = (status: string) => status !== 'DEPROVISIONED' && status !== 'SUSPENDED';

function read(json: Json, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), json);
}

function write(json: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = json;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {});
  node[keys[keys.length - 1]!] = value;
}

/** A Lanyard user as a SCIM User. */
export function userResource(user: LanyardUserView, location: string): Json {
  const p = user.profile;
  const resource: Json = { schemas: [scimSchemas.user], id: user.id };
  for (const [attribute, path] of simple) if (p[attribute] !== undefined && p[attribute] !== null) write(resource, path, p[attribute]);
  if (p.email) resource.emails = [{ value: p.email, type: 'work', primary: true }, ...(p.secondEmail ? [{ value: p.secondEmail, type: 'other', primary: false }] : [])];
  const phones = [['primaryPhone', 'work'], ['mobilePhone', 'mobile']].filter(([a]) => p[a!]).map(([a, type]) => ({ value: p[a!], type }));
  if (phones.length > 0) resource.phoneNumbers = phones;
  const extension: Json = {};
  for (const [attribute, key] of enterprise) if (p[attribute] !== undefined && p[attribute] !== null) extension[key] = p[attribute];
  if (p.managerId) extension.manager = { value: p.managerId, ...(p.manager ? { displayName: p.manager } : {}) };
  if (Object.keys(extension).length > 0) {
    resource.schemas.push(scimSchemas.enterpriseUser);
    resource[scimSchemas.enterpriseUser] = extension;
  }
  resource.active = activeStatuses(user.status);
  resource.meta = { resourceType: 'User', created: user.created, lastModified: user.lastUpdated, location };
  return resource;
}

/**
 * The profile a SCIM User gives (what PUT and POST send): each known attribute, the work (or
 * primary) email, phones by type, the enterprise extension. Attributes left out become null.
 */
export function profileFromResource(resource: Json): Record<string, unknown> {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) throw new ScimProtocolError(400, 'invalidSyntax', 'the body must be a SCIM resource object');
  const profile: Record<string, unknown> = {};
  for (const [attribute, path] of simple) {
    const value = read(resource, path);
    if (value !== undefined) profile[attribute] = value;
  }
  const emails = Array.isArray(resource.emails) ? resource.emails as Json[] : [];
  const email = emails.find((e) => e?.type === 'work') ?? emails.find((e) => e?.primary) ?? emails[0];
  if (email?.value !== undefined) profile.email = email.value;
  const other = emails.find((e) => e !== email);
  if (other?.value !== undefined) profile.secondEmail = other.value;
  const phones = Array.isArray(resource.phoneNumbers) ? resource.phoneNumbers as Json[] : [];
  const work = phones.find((ph) => ph?.type === 'work');
  const mobile = phones.find((ph) => ph?.type === 'mobile');
  if (work?.value !== undefined) profile.primaryPhone = work.value;
  if (mobile?.value !== undefined) profile.mobilePhone = mobile.value;
  const extension = resource[scimSchemas.enterpriseUser];
  if (extension && typeof extension === 'object') {
    for (const [attribute, key] of enterprise) if ((extension as Json)[key] !== undefined) profile[attribute] = (extension as Json)[key];
    const manager = (extension as Json).manager;
    if (manager && typeof manager === 'object') {
      if (manager.value !== undefined) profile.managerId = manager.value;
      if (manager.displayName !== undefined) profile.manager = manager.displayName;
    }
  }
  return profile;
}

/** SCIM filter paths (lower-cased, as RFC 7644 compares them) → Lanyard's. */
const filterPaths: Readonly<Record<string, string>> = Object.fromEntries([
  ...simple.map(([attribute, path]) => [path.toLowerCase(), `profile.${attribute}`]),
  ['emails', 'profile.email'], ['emails.value', 'profile.email'], ['id', 'id'],
  ['meta.created', 'created'], ['meta.lastmodified', 'lastUpdated'],
  ...enterprise.map(([attribute, key]) => [`${scimSchemas.enterpriseUser.toLowerCase()}:${key.toLowerCase()}`, `profile.${attribute}`]),
]);

/** A SCIM filter over Users as the directory's filter; `active` becomes conditions on status. */
export function translateUserFilter(filter: Filter): Filter {
  switch (filter.op) {
    case 'and':
    case 'or':
      return { op: filter.op, left: translateUserFilter(filter.left), right: translateUserFilter(filter.right) };
    case 'not':
      return { op: 'not', filter: translateUserFilter(filter.filter) };
    case 'valuePath': {
      // emails[type eq "work" and value co "@x"] reads as the email's value.
      if (filter.path.toLowerCase() !== 'emails') throw new ScimProtocolError(400, 'invalidFilter', `${filter.path}[…] cannot be filtered on`);
      const inner = stripValuePath(filter.filter);
      if (isTrue(inner)) return { op: 'pr', path: 'profile.email' };
      return translateUserFilter(inner);
    }
    default: {
      if (filter.op === 'pr' && filter.path === '') return filter;
      const path = filter.path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:User:/i, '').toLowerCase();
      if (path === 'active') {
        if (filter.op !== 'eq' || typeof filter.value !== 'boolean') throw new ScimProtocolError(400, 'invalidFilter', 'active can only be compared with eq true or eq false');
        const inactive: Filter = { op: 'or', left: { op: 'eq', path: 'status', value: 'DEPROVISIONED' }, right: { op: 'eq', path: 'status', value: 'SUSPENDED' } };
        return filter.value ? { op: 'not', filter: inactive } : inactive;
      }
      const target = filterPaths[path];
      if (!target) throw new ScimProtocolError(400, 'invalidFilter', `${filter.path} cannot be filtered on`);
      return { ...filter, path: target } as Filter;
    }
  }
}

/** The marker `stripValuePath` leaves for a condition that always holds. */
const isTrue = (filter: Filter) => filter.op === 'pr' && filter.path === '';

/** Inside `emails[…]`: `value` is the email, `type eq "work"` and `primary eq true` hold for it. */
function stripValuePath(filter: Filter): Filter {
  if (filter.op === 'and' || filter.op === 'or') {
    const left = stripValuePath(filter.left);
    const right = stripValuePath(filter.right);
    if (isTrue(left)) return right;
    if (isTrue(right)) return left;
    return { op: filter.op, left, right };
  }
  if (filter.op === 'not' || filter.op === 'valuePath') throw new ScimProtocolError(400, 'invalidFilter', 'this emails filter is not supported');
  const leaf = filter as Extract<Filter, { readonly path: string }>;
  const sub = leaf.path.toLowerCase();
  if (sub === 'value') return { ...leaf, path: 'emails.value' } as Filter;
  if (sub === 'type' || sub === 'primary') return { op: 'pr', path: '' };
  throw new ScimProtocolError(400, 'invalidFilter', `emails.${leaf.path} cannot be filtered on`);
}

// ---------------------------------------------------------------------------------------------
// PATCH (RFC 7644 §3.5.2)

export interface PatchOperation {
  readonly op: 'add' | 'replace' | 'remove';
  readonly path?: string | undefined;
  readonly value?: unknown;
}

/** The operations of a PatchOp message, checked. Operation names are case-insensitive (Azure AD sends `Replace`). */
export function readPatch(body: unknown): PatchOperation[] {
  const message = body as Json | null;
  if (!message || typeof message !== 'object' || !Array.isArray(message.schemas) || !message.schemas.includes(scimSchemas.patchOp)) {
    throw new ScimProtocolError(400, 'invalidSyntax', `a PATCH body is a PatchOp message (schemas: ["${scimSchemas.patchOp}"])`);
  }
  if (!Array.isArray(message.Operations) || message.Operations.length === 0 || message.Operations.length > 1000) {
    throw new ScimProtocolError(400, 'invalidSyntax', 'Operations must list 1 to 1000 operations');
  }
  return message.Operations.map((raw: Json, i: number) => {
    const op = String(raw?.op ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw new ScimProtocolError(400, 'invalidSyntax', `Operations[${i}].op must be add, replace or remove`);
    if (raw.path !== undefined && typeof raw.path !== 'string') throw new ScimProtocolError(400, 'invalidPath', `Operations[${i}].path must be a string`);
    if (op === 'remove' && !raw.path) throw new ScimProtocolError(400, 'noTarget', `Operations[${i}]: remove needs a path`);
    if (op !== 'remove' && raw.value === undefined) throw new ScimProtocolError(400, 'invalidValue', `Operations[${i}]: ${op} needs a value`);
    return { op, path: raw.path, value: raw.value } as PatchOperation;
  });
}

const valuePathPattern = /^([A-Za-z][\w.]*)\[(\w+) eq "((?:[^"\\]|\\.)*)"\](?:\.(\w+))?$/;

/**
 * Applies operations to a copy of `resource`. Paths: attributes (`title`), sub-attributes
 * (`name.givenName`), the enterprise extension's (`urn:…:enterprise:2.0:User:department`), and a
 * multi-valued attribute's element by filter (`emails[type eq "work"].value`,
 * `members[value eq "2819c223"]`). Without a path, the value's attributes are set.
 */
export function applyPatch(resource: Json, operations: readonly PatchOperation[], readOnly: readonly string[] = ['id', 'meta', 'schemas']): Json {
  const next: Json = structuredClone(resource);
  for (const operation of operations) {
    if (!operation.path) {
      if (operation.op === 'remove' || typeof operation.value !== 'object' || operation.value === null || Array.isArray(operation.value)) {
        throw new ScimProtocolError(400, 'invalidValue', 'an operation without a path needs an object value');
      }
      for (const [key, value] of Object.entries(operation.value as Json)) applyOne(next, operation.op, key, value, readOnly);
      continue;
    }
    applyOne(next, operation.op, operation.path, operation.value, readOnly);
  }
  return next;
}

function applyOne(resource: Json, op: PatchOperation['op'], rawPath: string, value: unknown, readOnly: readonly string[]): void {
  let path = rawPath.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i, '');
  const extensionMatch = /^(urn:ietf:params:scim:schemas:extension:enterprise:2\.0:User):?(.*)$/i.exec(path);
  if (extensionMatch) {
    const extension = (resource[scimSchemas.enterpriseUser] ??= {}) as Json;
    if (!extensionMatch[2]) {
      if (op === 'remove') delete resource[scimSchemas.enterpriseUser];
      else Object.assign(extension, value as Json);
    } else {
      applyOne(extension, op, extensionMatch[2], value, []);
    }
    if (!resource.schemas?.includes(scimSchemas.enterpriseUser)) resource.schemas = [...(resource.schemas ?? []), scimSchemas.enterpriseUser];
    return;
  }
  const filtered = valuePathPattern.exec(path);
  if (filtered) {
    const [, attribute, key, rawValue, sub] = filtered as unknown as [string, string, string, string, string | undefined];
    const wanted = JSON.parse(`"${rawValue}"`) as string;
    const list = Array.isArray(resource[attribute]) ? resource[attribute] as Json[] : [];
    const matching = list.filter((item) => String(item?.[key]) === wanted);
    if (op === 'remove' && !sub) {
      resource[attribute] = list.filter((item) => String(item?.[key]) !== wanted);
      return;
    }
    if (matching.length === 0) {
      if (op === 'remove') return;
      // replace or add on an element that is not there yet creates it (Azure AD relies on this).
      const created: Json = { [key]: wanted };
      if (sub) created[sub] = value;
      else Object.assign(created, value as Json);
      resource[attribute] = [...list, created];
      return;
    }
    for (const item of matching) {
      if (sub) {
        if (op === 'remove') delete item[sub];
        else item[sub] = value;
      } else {
        Object.assign(item, value as Json);
      }
    }
    return;
  }
  if (path.includes('[')) throw new ScimProtocolError(400, 'invalidPath', `${rawPath} is not a path this server understands`);
  if (!/^[A-Za-z][\w]*(\.[A-Za-z][\w]*)?$/.test(path)) throw new ScimProtocolError(400, 'invalidPath', `${rawPath} is not a valid attribute path`);
  const top = path.split('.')[0]!;
  if (readOnly.includes(top)) throw new ScimProtocolError(400, 'mutability', `${top} cannot be changed`);
  if (op === 'remove') {
    const keys = path.split('.');
    const parent = keys.length === 1 ? resource : read(resource, keys[0]!) as Json | undefined;
    if (parent && typeof parent === 'object') delete parent[keys[keys.length - 1]!];
    return;
  }
  const current = read(resource, path);
  if (op === 'add' && Array.isArray(current)) {
    const additions = Array.isArray(value) ? value : [value];
    write(resource, path, [...current, ...additions.filter((a) => !current.some((c) => JSON.stringify(c) === JSON.stringify(a)))]);
  } else if (op === 'add' && current && typeof current === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
    Object.assign(current as Json, value);
  } else {
    write(resource, path, value);
  }
}

/** A group as a SCIM Group. */
export function groupResource(group: { id: string; name: string; created: string; lastUpdated: string },
  members: readonly { value: string; display: string }[], location: string, userLocation: (id: string) => string): Json {
  return {
    schemas: [scimSchemas.group], id: group.id, displayName: group.name,
    members: members.map((m) => ({ value: m.value, display: m.display, $ref: userLocation(m.value), type: 'User' })),
    meta: { resourceType: 'Group', created: group.created, lastModified: group.lastUpdated, location },
  };
}

/** RFC 7644 §3.12's error body. */
export function errorResource(status: number, detail: string, scimType?: string): Json {
  return { schemas: [scimSchemas.error], status: String(status), ...(scimType ? { scimType } : {}), detail };
}
