/**
 * `lanyard extension`: a copy of the browser extension for one Lanyard. The copy carries a
 * `config.json` naming the Lanyard it trusts, and a manifest whose host permissions are that
 * Lanyard plus, when given, only the apps' origins (otherwise every http(s) site, since an SWA
 * app may live anywhere).
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLanyardUrl } from '../agent/url.ts';

/** The extension's source, shipped beside `src/`. */
export const extensionSource = fileURLToPath(new URL('../../extension/', import.meta.url));

export interface ExtensionCopyOptions {
  readonly url: string;
  readonly out: string;
  /** Origins of the SWA apps the copy may fill; empty: any http(s) origin. */
  readonly appOrigins?: readonly string[];
}

function appOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`--app-origin ${raw} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`--app-origin ${raw} must be an http(s) origin`);
  return url.origin;
}

/** Writes the copy into `out` (which must be empty or absent); returns the host permissions it has. */
export function writeExtensionCopy(options: ExtensionCopyOptions): string[] {
  const lanyard = checkLanyardUrl(options.url).origin;
  const apps = (options.appOrigins ?? []).map(appOrigin);
  if (existsSync(options.out) && readdirSync(options.out).length > 0) throw new Error(`--out ${options.out} is not empty`);
  cpSync(extensionSource, options.out, { recursive: true, filter: (path) => !path.endsWith('README.md') });
  const manifestPath = join(options.out, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  const hosts = [`${lanyard}/*`, ...(apps.length ? apps.map((o) => `${o}/*`) : ['http://*/*', 'https://*/*'])];
  manifest.host_permissions = [...new Set(hosts)];
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(options.out, 'config.json'), `${JSON.stringify({ lanyardUrls: [lanyard] }, null, 2)}\n`);
  return manifest.host_permissions as string[];
}
