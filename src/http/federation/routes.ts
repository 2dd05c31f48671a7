/**
 * The browser-facing endpoints of SAML 2.0 and WS-Federation apps, at Okta's paths:
 *
 * - `/app/{appName}/{appId}/sso/saml` — SP-initiated (Redirect or POST binding) and IdP-initiated
 *   sign-in; `/continue/{id}` finishes a request parked while the person signs in;
 * - `/app/{appName}/{appId}/slo/saml` — single logout requests and responses;
 * - `/app/{appId}/sso/saml/metadata` — the app's IdP metadata;
 * - `/app/{appName}/{appId}/sso/wsfed/passive` (and Okta's shared `/app/template_wsfed/sso/wsfed/passive`,
 *   where `wtrealm` names the app) and `/app/{appId}/sso/wsfed/metadata`.
 *
 * A message that cannot be trusted gets an error page here, never an answer sent anywhere.
 */
import type Router from '@koa/router';
import type { Services } from '../../services/index.ts';
import { userActor, type Caller } from '../../services/caller.ts';
import type { SloStep } from '../../services/saml-slo.ts';
import type { SsoStep } from '../../services/saml-sso.ts';
import type { ActiveSession } from '../../signin/sessions.ts';
import type { Org } from '../../domain/org.ts';
import type { Binding } from '../../protocols/saml/authn-request.ts';
import { SamlError } from '../../protocols/saml/xml.ts';
import { decodedQueryParameters } from '../../protocols/saml/signature.ts';
import { readWsFedRequest, type WsFedRequest } from '../../protocols/wsfed/request.ts';
import type { WsFedAppContext } from '../../services/wsfed-sso.ts';
import { postFormPage } from '../../web/federation/post-form.ts';
import { renderErrorPage } from '../../web/signin/error-page.ts';
import { messagePage } from '../../web/signin/pages.ts';
import { readForm } from '../body.ts';
import { clearCookie, sessionCookie, type CookiePolicy } from '../cookies.ts';
import type { BrowserSessions } from '../browser-session.ts';
import { orgOf, type LanyardContext, type LanyardState } from '../state.ts';

type Params = { appName?: string; appId: string; pendingId?: string };
type CompleteFn<C> = (caller: Caller, context: C, pendingId: string, active: ActiveSession | undefined) => Promise<SsoStep>;

function params(ctx: LanyardContext): Params {
  return (ctx as unknown as { params: Params }).params;
}

/** The SAML message of a request: from the query (Redirect binding) or the form (POST binding). */
async function samlMessage(ctx: LanyardContext): Promise<{ binding: Binding; fields: Record<string, string>; rawQuery: string }> {
  if (ctx.method === 'POST') return { binding: 'post', fields: await readForm(ctx), rawQuery: '' };
  // Read from the same parse the signature check uses, so what is used is what was signed.
  return { binding: 'redirect', fields: decodedQueryParameters(ctx.querystring), rawQuery: ctx.querystring };
}

const maxRelayState = 2048;

function relayStateOf(fields: Record<string, string>): string | undefined {
  const value = fields.RelayState;
  if (value !== undefined && value.length > maxRelayState) throw new SamlError('too_large', 'RelayState is too long.');
  return value;
}

export function registerFederationRoutes(router: Router<LanyardState>, services: Services, browser: BrowserSessions, policy: CookiePolicy,
  anonymousCaller: (ctx: LanyardContext) => Caller): void {

  function html(ctx: LanyardContext, body: string, status = 200): void {
    ctx.status = status;
    ctx.type = 'text/html';
    ctx.body = body;
  }

  /** Renders a step: a form posted to the service provider, a redirect, a sign-in, or a page. */
  function render(ctx: LanyardContext, step: SloStep): void {
    const org = orgOf(ctx);
    switch (step.kind) {
      case 'post': {
        const form = postFormPage(step.url, step.fields, org.displayName);
        ctx.set('Content-Security-Policy', form.csp);
        return html(ctx, form.body);
      }
      case 'redirect':
        return ctx.redirect(step.url);
      case 'signin':
        if ('mfa' in step && step.mfa) return ctx.redirect(`/login/mfa?fromURI=${encodeURIComponent(step.continueUrl)}`);
        return ctx.redirect(`/login?fromURI=${encodeURIComponent(step.continueUrl)}${step.reauth ? '&reauth=true' : ''}`);
      case 'refused':
        return html(ctx, renderErrorPage({ title: step.title, message: step.message }), step.status);
      case 'done':
        return html(ctx, messagePage({ orgName: org.displayName, title: 'You have signed out', message: 'Your session has ended.', link: { href: '/login', text: 'Sign in again' } }));
    }
  }

  /** Runs a handler; a message Lanyard refuses gets a readable 400 page. */
  function guarded(handler: (ctx: LanyardContext) => Promise<void>) {
    return async (ctx: LanyardContext) => {
      try {
        await handler(ctx);
      } catch (error) {
        if (!(error instanceof SamlError)) throw error;
        await services.samlSso.recordRefusal(anonymousCaller(ctx), params(ctx).appId ?? '', error.message);
        html(ctx, renderErrorPage({ title: 'Sign-in request refused', message: error.message, errorId: error.fault }), 400);
      }
    };
  }

  const sso = guarded(async (ctx) => {
    const { appName, appId } = params(ctx);
    const org = orgOf(ctx);
    const context = await services.samlSso.appContext(org, appId, appName);
    const message = await samlMessage(ctx);
    const relayState = relayStateOf(message.fields);
    const next = message.fields.SAMLRequest !== undefined
      ? await services.samlSso.receive(org, context, { binding: message.binding, encoded: message.fields.SAMLRequest, relayState, rawQuery: message.rawQuery })
      : await services.samlSso.startIdpInitiated(org, context, relayState);
    ctx.redirect(next);
  });
  router.get('saml-sso', '/app/:appName/:appId/sso/saml', sso);
  router.post('saml-sso-post', '/app/:appName/:appId/sso/saml', sso);

  /** Finishes a request parked while the person signed in, for either protocol. */
  function continuation<C>(protocol: { appContext(org: Org, appId: string, appName?: string): Promise<C>; complete: CompleteFn<C> }) {
    return guarded(async (ctx) => {
      const { appName, appId, pendingId } = params(ctx);
      const context = await protocol.appContext(orgOf(ctx), appId, appName);
      render(ctx, await protocol.complete(anonymousCaller(ctx), context, pendingId!, await browser.current(ctx)));
    });
  }

  /** An app's metadata document, for either protocol. */
  function metadataDocument(type: string, read: (org: Org, appId: string) => Promise<string>) {
    return guarded(async (ctx) => {
      ctx.type = type;
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.body = await read(orgOf(ctx), params(ctx).appId);
    });
  }

  router.get('saml-sso-continue', '/app/:appName/:appId/sso/saml/continue/:pendingId', continuation(services.samlSso));
  router.get('saml-metadata', '/app/:appId/sso/saml/metadata', metadataDocument('application/samlmetadata+xml', (org, appId) => services.samlSso.metadata(org, appId)));
  router.get('saml-certificate', '/app/:appId/sso/saml/certificate', metadataDocument('application/x-pem-file', (org, appId) => services.samlSso.certificate(org, appId)));

  const slo = guarded(async (ctx) => {
    const { appName, appId } = params(ctx);
    const org = orgOf(ctx);
    const context = await services.samlSso.appContext(org, appId, appName);
    const message = await samlMessage(ctx);
    const relayState = relayStateOf(message.fields);
    if (message.fields.SAMLRequest !== undefined) {
      const active = await browser.current(ctx);
      const step = await services.samlSlo.receiveRequest(anonymousCaller(ctx), context,
        { binding: message.binding, encoded: message.fields.SAMLRequest, relayState, rawQuery: message.rawQuery }, active);
      if (active && !(await browser.current(ctx))) clearCookie(ctx, policy, sessionCookie);
      return render(ctx, step);
    }
    if (message.fields.SAMLResponse !== undefined) {
      return render(ctx, await services.samlSlo.receiveResponse(org, context,
        { binding: message.binding, encoded: message.fields.SAMLResponse, relayState, rawQuery: message.rawQuery }));
    }
    throw new SamlError('invalid', 'The request carries neither SAMLRequest nor SAMLResponse.');
  });
  router.get('saml-slo', '/app/:appName/:appId/slo/saml', slo);
  router.post('saml-slo-post', '/app/:appName/:appId/slo/saml', slo);

  /** `wa=wsignin1.0` parks the request and sends the browser on; `wsignout1.0` and `wsignoutcleanup1.0` end the session. */
  async function passive(ctx: LanyardContext, context: WsFedAppContext, request: WsFedRequest): Promise<void> {
    const org = orgOf(ctx);
    if (request.action === 'wsignin1.0') return ctx.redirect(await services.wsfedSso.receive(org, context, request));
    const active = await browser.current(ctx);
    if (active) {
      await services.sessions.end({ ...anonymousCaller(ctx), actor: userActor(active.user) }, active);
      clearCookie(ctx, policy, sessionCookie);
    }
    const target = services.wsfedSso.signOutTarget(context, request.reply);
    return target ? ctx.redirect(target) : render(ctx, { kind: 'done' });
  }

  router.get('wsfed-passive', '/app/:appName/:appId/sso/wsfed/passive', guarded(async (ctx) => {
    const { appName, appId } = params(ctx);
    const context = await services.wsfedSso.appContext(orgOf(ctx), appId, appName);
    await passive(ctx, context, readWsFedRequest(ctx.query));
  }));

  // Okta's shared endpoint: the app is the one whose generated realm (`urn:okta:app:{id}`) is `wtrealm`.
  router.get('wsfed-passive-shared', '/app/template_wsfed/sso/wsfed/passive', guarded(async (ctx) => {
    const request = readWsFedRequest(ctx.query);
    await passive(ctx, await services.wsfedSso.sharedEndpointContext(orgOf(ctx), request.realm), request);
  }));

  router.get('wsfed-continue', '/app/:appName/:appId/sso/wsfed/passive/continue/:pendingId', continuation(services.wsfedSso));
  router.get('wsfed-metadata', '/app/:appId/sso/wsfed/metadata', metadataDocument('application/xml', (org, appId) => services.wsfedSso.metadata(org, appId)));
}
