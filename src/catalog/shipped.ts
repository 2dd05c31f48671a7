/**
 * The integrations that ship with Lanyard: `catalog/integrations/{id}/manifest.json`, with the
 * logo beside it as `logo.svg` or `logo.png`. They are published, `community` tier, and owned by
 * no org. A shipped manifest that does not validate stops start-up, naming the file and the rule.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { manifestSchema, type Manifest } from './manifest.ts';

export const shippedCatalogDirectory = fileURLToPath(new URL('../../catalog/integrations/', import.meta.url));

/** Reads one integration directory into a manifest document (not yet validated). */
export function readManifestDirectory(directory: string): unknown {
  const document = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  for (const [file, mediaType] of [['logo.svg', 'image/svg+xml'], ['logo.png', 'image/png']] as const) {
    const path = join(directory, file);
    if (existsSync(path)) return { ...document, logo: { mediaType, data: readFileSync(path).toString('base64') } };
  }
  return document;
}

const loaded = new Map<string, readonly Manifest[]>();

/** Every shipped manifest, validated, sorted by id (read once per process). */
export function shippedCatalog(directory = shippedCatalogDirectory): readonly Manifest[] {
  let manifests = loaded.get(directory);
  if (!manifests) {
    manifests = Object.freeze(loadShippedCatalog(directory));
    loaded.set(directory, manifests);
  }
  return manifests;
}

/** Reads and validates every manifest under `directory`. */
export function loadShippedCatalog(directory = shippedCatalogDirectory): Manifest[] {
  if (!existsSync(directory)) return [];
  const manifests: Manifest[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true }).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const result = manifestSchema.safeParse(readManifestDirectory(join(directory, entry.name)));
    if (!result.success) {
      const first = result.error.issues[0]!;
      throw new Error(`catalog/integrations/${entry.name}: ${first.path.join('.') || 'manifest'} ${first.message}`);
    }
    if (result.data.id !== entry.name) throw new Error(`catalog/integrations/${entry.name}: id is ${result.data.id}, not the directory's name`);
    manifests.push(result.data);
  }
  return manifests;
}
