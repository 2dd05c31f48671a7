/**
 * Where an org answers. The first org answers on the base URL itself; every other org on its
 * custom domain if it has one, else on `{name}.{base host}` with the base URL's scheme and port.
 */
import type { Org } from './org.ts';

export function orgUrl(org: Pick<Org, 'name' | 'customDomain' | 'isDefault'>, baseUrl: URL): string {
  if (org.isDefault) return baseUrl.origin;
  const port = baseUrl.port ? `:${baseUrl.port}` : '';
  if (org.customDomain) {
    // A custom domain given with its own port keeps it; otherwise it shares the base URL's.
    return `${baseUrl.protocol}//${/:\d+$/.test(org.customDomain) ? org.customDomain : `${org.customDomain}${port}`}`;
  }
  return `${baseUrl.protocol}//${org.name}.${baseUrl.hostname}${port}`;
}

/** The host names (without port) an org answers on, lower-cased. */
export function hostOf(hostHeader: string): string {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
