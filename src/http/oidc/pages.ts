/**
 * The pages the protocol engine shows, rendered by Lanyard: errors, sign-out, the device flow.
 * They answer inside the engine's own response, so each sets its own security headers.
 */
import { createHash } from 'node:crypto';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { renderErrorPage } from '../../web/signin/error-page.ts';
import { deviceConfirmPage, deviceInputPage, logoutPage, logoutScript, messageOnly } from '../../web/signin/oidc-pages.ts';

const baseCsp = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'";
const logoutCsp = `${baseCsp.replace("frame-ancestors 'none'", "frame-ancestors 'none'; frame-src http: https:")}; script-src 'sha256-${createHash('sha256').update(logoutScript).digest('base64')}'`;

/** Okta's wording for the errors people meet most, instead of the engine's terse descriptions. */
function readable(out: Record<string, string>): string {
  const description = out.error_description ?? '';
  if (/redirect_uri/.test(description)) return "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings";
  if (out.error === 'invalid_client') return 'The client is not known or not active. Check the client_id.';
  return description || out.error || 'The request could not be completed.';
}

export interface OidcPages {
  error(ctx: KoaContextWithOIDC, out: Record<string, string>): Promise<void>;
  logout(ctx: KoaContextWithOIDC, form: string, frontchannel: readonly string[]): Promise<void>;
  postLogout(ctx: KoaContextWithOIDC): Promise<void>;
  deviceInput(ctx: KoaContextWithOIDC, form: string, userCode: string | undefined, error: string | undefined): Promise<void>;
  deviceConfirm(ctx: KoaContextWithOIDC, form: string, clientName: string, userCode: string): Promise<void>;
  deviceSuccess(ctx: KoaContextWithOIDC, clientName: string): Promise<void>;
}

export function createOidcPages(orgNameOf: (ctx: KoaContextWithOIDC) => string): OidcPages {
  const send = (ctx: KoaContextWithOIDC, body: string, csp = baseCsp) => {
    ctx.type = 'html';
    ctx.set('Content-Security-Policy', csp);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  };
  return {
    error: async (ctx, out) => send(ctx, renderErrorPage({ title: 'Sign-in request refused', message: readable(out), errorId: out.error })),
    logout: async (ctx, form, frontchannel) => send(ctx, logoutPage({ orgName: orgNameOf(ctx), engineForm: form, frontchannel }), logoutCsp),
    postLogout: async (ctx) => send(ctx, messageOnly({ orgName: orgNameOf(ctx), title: 'You have signed out', message: 'Your session has ended.' })),
    deviceInput: async (ctx, form, userCode, error) => send(ctx, deviceInputPage({ orgName: orgNameOf(ctx), engineForm: form, userCode, error })),
    deviceConfirm: async (ctx, form, clientName, userCode) => send(ctx, deviceConfirmPage({ orgName: orgNameOf(ctx), engineForm: form, clientName, userCode })),
    deviceSuccess: async (ctx, clientName) => send(ctx, messageOnly({
      orgName: orgNameOf(ctx), title: 'Device connected', message: `You are signed in to ${clientName}. You can close this page.`,
    })),
  };
}
