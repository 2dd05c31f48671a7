/**
 * Moving an app instance to another integration version (or to new tenant variables) without
 * losing what the admin changed by hand: a three-way merge of the settings the manifest gave the
 * app last time (`base`), the app as it is now (`current`) and what the new version gives
 * (`next`). Only what the manifest changes is touched; a field the admin also changed is still
 * updated — the manifest is the source of its settings — and the change says so.
 */

export interface SettingChange {
  /** Dotted path in the app, e.g. `settings.signOn.ssoAcsUrl`. */
  readonly path: string;
  /** The app's current value (undefined when it has none). */
  readonly from: unknown;
  /** The new value (undefined when the new version removes it). */
  readonly to: unknown;
  /** True when the admin had changed this field from what the manifest gave. */
  readonly overridesLocalChange: boolean;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Leaf paths of a document; arrays are leaves (a list of redirect URIs changes as a whole). */
function leaves(value: unknown, prefix: string[] = [], out = new Map<string, { path: string[]; value: unknown }>()) {
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) leaves(child, [...prefix, key], out);
  } else if (prefix.length > 0) {
    out.set(prefix.join('.'), { path: prefix, value });
  }
  return out;
}

function read(document: unknown, path: readonly string[]): unknown {
  let node = document;
  for (const key of path) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

function write(document: Json, path: readonly string[], value: unknown): void {
  let node = document;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** The merged document and the list of fields the new version changes in it. */
export function planUpgrade(base: Json, current: Json, next: Json): { merged: Json; changes: SettingChange[] } {
  const merged = structuredClone(current);
  const changes: SettingChange[] = [];
  const baseLeaves = leaves(base);
  const nextLeaves = leaves(next);
  const paths = new Map([...baseLeaves, ...nextLeaves]);
  for (const [name, { path }] of paths) {
    const before = baseLeaves.get(name)?.value;
    const after = nextLeaves.get(name)?.value;
    if (same(before, after)) continue;
    const now = read(current, path);
    if (same(now, after)) continue;
    write(merged, path, after);
    changes.push({ path: name, from: now, to: after, overridesLocalChange: !same(now, before) });
  }
  return { merged, changes: changes.sort((a, b) => a.path.localeCompare(b.path)) };
}
