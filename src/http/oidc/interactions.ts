/**
 * Interactions of the OpenID Connect flows: when the engine needs a signed-in user or a consent,
 * it sends the browser here. Sign-in reuses Lanyard's session (SSO) or its sign-in form; access
 * is checked (assignment, policy); consent is asked only when a scope requires it.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> Login: prompt login
 *   Login --> Finish: Lanyard session fits (no prompt=login, max_age met) and the sign-on policies pass
 *   Login --> Form: no session, or re-authentication asked
 *   Login --> Factor: a policy or acr_values asks for a second factor the session lacks
 *   Form --> Finish: password right, policies need no more
 *   Form --> Factor: password right, a second factor needed (/login/mfa, then back here)
 *   Factor --> Login: factor proved
 *   [*] --> Consent: prompt consent
 *   Consent --> Denied: not assigned (readable page), policy refuses (error to the app)
 *   Consent --> Ask: a scope requires consent
 *   Consent --> Finish: grant recorded
 *   Ask --> Finish: allowed
 *   Ask --> Denied: refused
 * ```
 */
import type Router from '@koa/router';
import { isAppError } from '../../kernel/errors.ts';
import type { Services } from '../../services/index.ts';
import type { Caller } from '../../services/caller.ts';
import { notAssignedDescription } from '../../services/oidc-access.ts';
import { autoConsentParam, type OidcEngine, type InteractionDetails } from '../../protocols/oidc/internals.ts';
import type { User } from '../../domain/user.ts';
import { acrOf, acrValuesWantMfa } from '../../domain/assurance.ts';
import { userActor } from '../../services/caller.ts';
import type { ActiveSession } from '../../signin/sessions.ts';
import { tooManyAttempts } from '../../signin/throttle.ts';
import type { MfaPages } from '../routes/mfa-pages.ts';
import { orgOf, type LanyardContext, type LanyardState } from '../state.ts';
import type { BrowserSessions } from '../browser-session.ts';
import type { EngineRegistry } from './engines.ts';
import { signInPage, passwordRequirements, setPasswordPage } from '../../web/signin/pages.ts';
import { directoryUnavailableMessage } from '../../signin/sign-in.ts';
import { accessDeniedPage, consentPage, messageOnly } from '../../web/signin/oidc-pages.ts';

const unableToSignIn = 'Unable to sign in. Check your username and password.';

function render(ctx: LanyardContext, body: string, status = 200): void {
  ctx.status = status;
  ctx.type = 'text/html';
  ctx.body = body;
}

function params(ctx: LanyardContext): { asId: string; uid: string } {
  return (ctx as unknown as { params: { asId: string; uid: string } }).params;
}

export function registerInteractions(router: Router<LanyardState>, services: Services, engines: EngineRegistry,
  browser: BrowserSessions, anonymousCaller: (ctx: LanyardContext) => Caller, mfaPages: MfaPages): void {

  async function engineOf(ctx: LanyardContext): Promise<OidcEngine | undefined> {
    return engines.get(orgOf(ctx), params(ctx).asId);
  }

  /** The interaction behind the cookie, or an explanation page when it has expired. */
  async function detailsOf(ctx: LanyardContext, engine: OidcEngine): Promise<InteractionDetails | undefined> {
    try {
      const details = await engine.interactionDetails(ctx);
      if (details.uid !== params(ctx).uid) throw new Error('interaction mismatch');
      return details;
    } catch {
      render(ctx, messageOnly({
        orgName: orgOf(ctx).displayName, title: 'This sign-in request has expired',
        message: 'Go back to the application and sign in again.',
      }), 400);
      return undefined;
    }
  }

  const action = (ctx: LanyardContext, step: string) => `/interaction/${params(ctx).asId}/${params(ctx).uid}/${step}`;

  /** Whether the request asks for a fresh sign-in even when a session exists. */
  function mustReauthenticate(details: InteractionDetails): boolean {
    const reasons = details.prompt.reasons;
    return reasons.includes('login_prompt') || reasons.includes('max_age') || reasons.includes('id_token_hint');
  }

  async function showSignIn(ctx: LanyardContext, details: InteractionDetails, error?: string, status = 200) {
    const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
    render(ctx, signInPage({
      orgName: orgOf(ctx).displayName, csrf: browser.formCsrf(ctx), login: hint, error, action: action(ctx, 'login'),
    }), status);
  }

  async function finishLogin(ctx: LanyardContext, engine: OidcEngine, user: User, authTime: number, amr: readonly string[]) {
    ctx.respond = false;
    await engine.finishInteraction(ctx, { login: { accountId: user.id, authTime, amr, acr: acrOf(amr) } });
  }

  /** The app (OpenID Connect client) the interaction signs in to, for its sign-on policy. */
  async function appIdOf(ctx: LanyardContext, details: InteractionDetails): Promise<string | undefined> {
    return (await services.apps.resolveClient(orgOf(ctx).id, String(details.params.client_id ?? '')))?.app.id;
  }

  /**
   * A session exists and fits the request: the sign-on policies (the org's and the app's, and the
   * app's own `acr_values`) decide whether it goes on, proves a factor first, or signs in again.
   */
  async function continueWithSession(ctx: LanyardContext, engine: OidcEngine, details: InteractionDetails, active: ActiveSession) {
    const caller = { ...anonymousCaller(ctx), actor: userActor(active.user) };
    const gate = await services.mfa.gate(caller, active, await appIdOf(ctx, details), { requireMfa: acrValuesWantMfa(details.params.acr_values) });
    switch (gate.kind) {
      case 'pass':
        return finishLogin(ctx, engine, active.user, Math.floor(Date.parse(active.session.created) / 1000), active.session.amr);
      case 'mfa':
        return ctx.redirect(`/login/mfa?fromURI=${encodeURIComponent(ctx.path)}`);
      case 'reauth':
        return showSignIn(ctx, details);
      case 'denied':
        return render(ctx, messageOnly({
          orgName: orgOf(ctx).displayName, title: 'Sign-in not allowed',
          message: 'Your organization\'s sign-on policy doesn\'t allow you to use this app from here. If you think this is a mistake, contact your administrator.',
        }), 403);
    }
  }

  /** The password was proved in this interaction: the policies say whether to finish, refuse or ask for a factor. */
  async function afterPassword(ctx: LanyardContext, engine: OidcEngine, details: InteractionDetails, user: User) {
    const caller = { ...anonymousCaller(ctx), actor: userActor(user) };
    const next = await services.mfa.afterPassword(caller, user, await appIdOf(ctx, details));
    if (next.kind === 'complete' && !acrValuesWantMfa(details.params.acr_values)) {
      await browser.start(ctx, user, next.amr);
      return finishLogin(ctx, engine, user, Math.floor(Date.now() / 1000), next.amr);
    }
    if (next.kind === 'complete') {
      // The app asked for a second factor itself: the session starts, then steps up.
      await browser.start(ctx, user, next.amr);
      return ctx.redirect(`/login/mfa?fromURI=${encodeURIComponent(interactionPath(ctx))}`);
    }
    return mfaPages.continueSignIn(ctx, next, interactionPath(ctx));
  }

  const interactionPath = (ctx: LanyardContext) => `/interaction/${params(ctx).asId}/${params(ctx).uid}`;

  async function handleConsent(ctx: LanyardContext, engine: OidcEngine, details: InteractionDetails) {
    const org = orgOf(ctx);
    const accountId = details.session?.accountId;
    const clientId = String(details.params.client_id ?? '');
    const client = await services.apps.resolveClient(org.id, clientId);
    if (!accountId || !client) {
      ctx.respond = false;
      return engine.finishInteraction(ctx, { error: 'access_denied', description: 'The client is not available.' });
    }
    const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
    const responseType = String(details.params.response_type ?? 'code');
    const grantType = responseType.split(' ').includes('code') ? 'authorization_code' : 'implicit';
    const verdict = await services.oidcAccess.accessCheck(org, params(ctx).asId, accountId, clientId, grantType, scopes);
    if (verdict === notAssignedDescription) {
      return render(ctx, accessDeniedPage({
        orgName: org.displayName, clientName: client.app.label, message: verdict, csrf: browser.formCsrf(ctx), action: action(ctx, 'abort'),
      }), 403);
    }
    if (verdict !== true) {
      ctx.respond = false;
      return engine.finishInteraction(ctx, { error: 'access_denied', description: verdict });
    }
    const needs = await consentScopes(ctx, client.client.consent_method, scopes, details);
    if (needs.length > 0) {
      return render(ctx, consentPage({
        orgName: org.displayName, clientName: client.app.label, csrf: browser.formCsrf(ctx), action: action(ctx, 'consent'), scopes: needs,
      }));
    }
    return grantAndFinish(ctx, engine, details, accountId, clientId, scopes);
  }

  /** Scopes the user must approve; `prompt=consent` that Lanyard added itself does not count. */
  async function consentScopes(ctx: LanyardContext, consentMethod: string, scopes: readonly string[], details: InteractionDetails) {
    const prompted = String(details.params.prompt ?? '').split(' ').includes('consent') && details.params[autoConsentParam] !== '1';
    return services.oidcAccess.consentLines(orgOf(ctx).id, params(ctx).asId, consentMethod, scopes, prompted);
  }

  async function grantAndFinish(ctx: LanyardContext, engine: OidcEngine, details: InteractionDetails, accountId: string, clientId: string, scopes: readonly string[]) {
    const missingClaims = (details.prompt.details.missingOIDCClaims as string[] | undefined) ?? [];
    const grantId = await engine.grant(accountId, clientId, scopes, missingClaims, details.grantId);
    ctx.respond = false;
    await engine.finishInteraction(ctx, { consent: { grantId } });
  }

  router.get('interaction', '/interaction/:asId/:uid', async (ctx: LanyardContext) => {
    const engine = await engineOf(ctx);
    if (!engine) return render(ctx, messageOnly({ orgName: orgOf(ctx).displayName, title: 'Not found', message: 'No such authorization server.' }), 404);
    const details = await detailsOf(ctx, engine);
    if (!details) return;
    if (details.prompt.name === 'login') {
      const redeemed = typeof details.params.sessionToken === 'string'
        ? await services.authn.redeemSessionToken(orgOf(ctx), details.params.sessionToken) : undefined;
      if (redeemed) {
        const started = await browser.start(ctx, redeemed.user, redeemed.amr);
        return continueWithSession(ctx, engine, details, started);
      }
      const active = await browser.current(ctx);
      // A session this interaction's own sign-in (or factor) step made is the fresh sign-in it asked for.
      const made = active ? await services.protocolState.take<{ sessionId: string }>(orgOf(ctx).id, 'InteractionSignIn', details.uid) : undefined;
      const fresh = made !== undefined && made.sessionId === active!.session.id;
      if (active && (fresh || !mustReauthenticate(details))) return continueWithSession(ctx, engine, details, active);
      return showSignIn(ctx, details);
    }
    return handleConsent(ctx, engine, details);
  });

  router.post('interaction-login', '/interaction/:asId/:uid/login', async (ctx: LanyardContext) => {
    const engine = await engineOf(ctx);
    if (!engine) return render(ctx, messageOnly({ orgName: orgOf(ctx).displayName, title: 'Not found', message: 'No such authorization server.' }), 404);
    const form = await browser.checkedForm(ctx);
    const details = await detailsOf(ctx, engine);
    if (!details) return;
    const outcome = await services.signIn.signIn(anonymousCaller(ctx), (form.username ?? '').trim(), form.password ?? '');
    if (outcome.kind === 'success') return afterPassword(ctx, engine, details, outcome.user);
    if (outcome.kind === 'throttled') {
      ctx.set('Retry-After', String(outcome.retryAfterSeconds));
      return showSignIn(ctx, { ...details, params: { ...details.params, login_hint: form.username } }, tooManyAttempts(outcome.retryAfterSeconds), 429);
    }
    if (outcome.kind === 'password_expired') {
      const link = await services.credentials.issueLink(orgOf(ctx), outcome.user.id, 'recovery');
      return render(ctx, setPasswordPage({
        orgName: orgOf(ctx).displayName, title: 'Your password has expired', intro: 'Choose a new password to continue.',
        action: action(ctx, 'password'), csrf: browser.formCsrf(ctx), login: outcome.user.profile.login,
        requirements: passwordRequirements(await services.signOnPolicy.passwordPolicyFor(orgOf(ctx).id, outcome.user.id)), hidden: { token: link.token },
      }));
    }
    const directoryDown = outcome.reason === 'DIRECTORY_UNAVAILABLE';
    return showSignIn(ctx, { ...details, params: { ...details.params, login_hint: form.username } },
      directoryDown ? directoryUnavailableMessage : unableToSignIn, directoryDown ? 503 : 401);
  });

  router.post('interaction-password', '/interaction/:asId/:uid/password', async (ctx: LanyardContext) => {
    const engine = await engineOf(ctx);
    if (!engine) return render(ctx, messageOnly({ orgName: orgOf(ctx).displayName, title: 'Not found', message: 'No such authorization server.' }), 404);
    const form = await browser.checkedForm(ctx);
    const details = await detailsOf(ctx, engine);
    if (!details) return;
    const token = form.token ?? '';
    const user = /^[A-Za-z0-9]{20}$/.test(token) ? await services.credentials.userOfLink(orgOf(ctx), token, 'recovery') : undefined;
    if (!user) return showSignIn(ctx, details, 'Your password change took too long. Sign in again.', 400);
    const requirements = passwordRequirements(await services.signOnPolicy.passwordPolicyFor(orgOf(ctx).id, user.id));
    const again = (error: string) => render(ctx, setPasswordPage({
      orgName: orgOf(ctx).displayName, title: 'Your password has expired', intro: 'Choose a new password to continue.',
      action: action(ctx, 'password'), csrf: browser.formCsrf(ctx), login: user.profile.login, error,
      requirements, hidden: { token },
    }), 400);
    if ((form.newPassword ?? '') !== (form.confirmPassword ?? '')) return again('The passwords do not match.');
    try {
      const updated = await services.credentials.completeLink(anonymousCaller(ctx), token, 'recovery', form.newPassword ?? '');
      return await afterPassword(ctx, engine, details, updated);
    } catch (error) {
      if (isAppError(error) && error.code === 'user.password_policy') return again(error.causes[0] ?? error.message);
      throw error;
    }
  });

  router.post('interaction-consent', '/interaction/:asId/:uid/consent', async (ctx: LanyardContext) => {
    const engine = await engineOf(ctx);
    if (!engine) return render(ctx, messageOnly({ orgName: orgOf(ctx).displayName, title: 'Not found', message: 'No such authorization server.' }), 404);
    const form = await browser.checkedForm(ctx);
    const details = await detailsOf(ctx, engine);
    if (!details) return;
    const accountId = details.session?.accountId;
    if (form.decision !== 'allow' || !accountId) {
      ctx.respond = false;
      return engine.finishInteraction(ctx, { error: 'access_denied', description: 'The resource owner or authorization server denied the request.' });
    }
    const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
    const verdict = await services.oidcAccess.accessCheck(orgOf(ctx), params(ctx).asId, accountId, String(details.params.client_id), 'authorization_code', scopes);
    if (verdict !== true) {
      ctx.respond = false;
      return engine.finishInteraction(ctx, { error: 'access_denied', description: verdict });
    }
    return grantAndFinish(ctx, engine, details, accountId, String(details.params.client_id), scopes);
  });

  router.post('ciba-decision', '/ciba/:asId/:uid', async (ctx: LanyardContext) => {
    const active = await browser.current(ctx);
    if (!active) return ctx.redirect('/login');
    const form = await browser.checkedForm(ctx, active.session.csrfToken);
    const engine = await engineOf(ctx);
    const pending = (await services.oidcAccess.pendingBackchannelRequests(orgOf(ctx).id, active.user.id))
      .find((p) => p.asId === params(ctx).asId && p.id === params(ctx).uid);
    if (!engine || !pending) {
      return render(ctx, messageOnly({ orgName: orgOf(ctx).displayName, title: 'This request has ended', message: 'It was answered or has expired.' }), 410);
    }
    const approve = form.decision === 'approve';
    await engine.resolveBackchannelRequest(params(ctx).uid, approve ? { accountId: active.user.id, scopes: pending.scope.split(' ').filter(Boolean) } : undefined);
    render(ctx, messageOnly({
      orgName: orgOf(ctx).displayName, title: approve ? 'Sign-in approved' : 'Sign-in denied',
      message: approve ? `${pending.clientName} can now sign you in.` : `${pending.clientName} was refused.`,
    }));
  });

  router.post('interaction-abort', '/interaction/:asId/:uid/abort', async (ctx: LanyardContext) => {
    const engine = await engineOf(ctx);
    if (!engine) return render(ctx, messageOnly({ orgName: orgOf(ctx).displayName, title: 'Not found', message: 'No such authorization server.' }), 404);
    await browser.checkedForm(ctx);
    const details = await detailsOf(ctx, engine);
    if (!details) return;
    ctx.respond = false;
    await engine.finishInteraction(ctx, { error: 'access_denied', description: notAssignedDescription });
  });
}
