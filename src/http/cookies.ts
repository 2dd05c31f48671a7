/**
 * Cookies, written by hand so the policy is explicit: host-only (no Domain, so each org's cookies
 * stay on its host), HttpOnly, and `SameSite=None; Secure` so the SSO session survives the
 * cross-site POSTs of SAML and `form_post` — browsers accept Secure cookies on http://localhost.
 * A plain-http base URL on another host falls back to `SameSite=Lax` without Secure.
 */
import type { LanyardContext } from './state.ts';

export interface CookiePolicy {
  readonly secure: boolean;
  readonly sameSite: 'None' | 'Lax';
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

export function cookiePolicyFor(baseUrl: URL): CookiePolicy {
  const host = baseUrl.hostname.toLowerCase();
  if (baseUrl.protocol === 'https:' || loopbackHosts.has(host) || host.endsWith('.localhost')) {
    return { secure: true, sameSite: 'None' };
  }
  return { secure: false, sameSite: 'Lax' };
}

export const sessionCookie = 'lanyard_sid';
export const csrfCookie = 'lanyard_csrf';

export function readCookie(ctx: LanyardContext, name: string): string | undefined {
  const header = ctx.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export function writeCookie(ctx: LanyardContext, policy: CookiePolicy, name: string, value: string,
  options: { maxAgeSeconds?: number } = {}): void {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', `SameSite=${policy.sameSite}`];
  if (policy.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  ctx.append('Set-Cookie', parts.join('; '));
}

export function clearCookie(ctx: LanyardContext, policy: CookiePolicy, name: string): void {
  writeCookie(ctx, policy, name, '', { maxAgeSeconds: 0 });
}
