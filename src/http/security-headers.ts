/**
 * Security headers on every response: a strict CSP (pages load one stylesheet and nothing else;
 * no framing), no caching of anything an authenticated request returns, HSTS on https.
 */
import type { Next } from 'koa';
import type { LanyardContext } from './state.ts';

const pageCsp = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const apiCsp = "default-src 'none'; frame-ancestors 'none'";
// The sign-in, password and consent forms of an OpenID Connect flow end in redirects to the app's
// redirect URI (any origin, or a native app's own scheme); browsers hold every redirect after a
// form submission to form-action, so those pages leave it out.
const interactionCsp = pageCsp.replace(" form-action 'self';", '');
const redirectingForms = (path: string) => path.startsWith('/interaction/');

/**
 * The page policy for a page that loads Lanyard's own scripts (`scripts`), or whose form ends in
 * redirects to an app anywhere (`redirectsAnywhere`, as the OpenID Connect interaction pages).
 */
export function pageCspFor(options: { readonly scripts: boolean; readonly redirectsAnywhere: boolean }): string {
  let csp = options.redirectsAnywhere ? interactionCsp : pageCsp;
  if (options.scripts) csp = csp.replace("default-src 'none';", "default-src 'none'; script-src 'self';");
  return csp;
}

/** The page policy with more origins a form (or the redirects after it) may go to. */
export function pageCspWithFormTargets(origins: readonly string[]): string {
  return pageCsp.replace("form-action 'self'", ["form-action 'self'", ...origins].join(' '));
}

export function securityHeaders(https: boolean) {
  return async (ctx: LanyardContext, next: Next): Promise<void> => {
    await next();
    const isHtml = ctx.response.is('html') === 'html';
    // A page that needs more (a form posting to a service provider, say) sets its own, narrower policy.
    if (!ctx.response.get('Content-Security-Policy')) {
      ctx.set('Content-Security-Policy', isHtml ? (redirectingForms(ctx.path) ? interactionCsp : pageCsp) : apiCsp);
    }
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    if (!ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-store');
    if (https) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}
