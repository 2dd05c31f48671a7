/**
 * The server-rendered sign-in pages: sign in, sign out, set a password from an activation or
 * recovery link, change an expired password. Every form carries a CSRF token; every answer is
 * `no-store`.
 */
import type Router from '@koa/router';
import { isAppError } from '../../kernel/errors.ts';
import { directoryUnavailableMessage } from '../../signin/sign-in.ts';
import type { Services } from '../../services/index.ts';
import type { Caller } from '../../services/caller.ts';
import { userActor } from '../../services/caller.ts';
import type { User } from '../../domain/user.ts';
import type { BrowserSessions } from '../browser-session.ts';
import { clearCookie, csrfCookie, readCookie, sessionCookie, type CookiePolicy } from '../cookies.ts';
import { orgOf, type LanyardContext, type LanyardState } from '../state.ts';
import { postFormPage } from '../../web/federation/post-form.ts';
import { pageCspWithFormTargets } from '../security-headers.ts';
import { tooManyAttempts } from '../../signin/throttle.ts';
import type { MfaPages } from './mfa-pages.ts';
import { messagePage, passwordRequirements, setPasswordPage, signInPage, signOutConfirmPage } from '../../web/signin/pages.ts';

/**
 * A same-site path to return to after sign-in; anything else (other hosts, `//x`, `/\x`) is dropped.
 * A repeated query parameter arrives as an array, which is dropped too (not joined into `//x`).
 */
export function safeReturnPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value || value.length > 2048) return undefined;
  return /^\/(?![/\\])[^\s]*$/.test(value) ? value : undefined;
}

const unableToSignIn = 'Unable to sign in. Check your username and password.';

export function registerSignInPages(router: Router<LanyardState>, services: Services, policy: CookiePolicy,
  anonymousCaller: (ctx: LanyardContext) => Caller, browser: BrowserSessions, mfaPages: MfaPages): void {

  const formCsrf = (ctx: LanyardContext) => browser.formCsrf(ctx);
  const readCheckedForm = (ctx: LanyardContext, expected: string | undefined) => browser.checkedForm(ctx, expected);

  function render(ctx: LanyardContext, body: string, status = 200): void {
    ctx.status = status;
    ctx.type = 'text/html';
    ctx.body = body;
  }

  const currentSession = (ctx: LanyardContext) => browser.current(ctx);

  /** The password was proved: the sign-on policy says what comes next (a session, a refusal, a factor). */
  async function afterPassword(ctx: LanyardContext, user: User, to: string | undefined): Promise<void> {
    const next = await services.mfa.afterPassword({ ...anonymousCaller(ctx), actor: userActor(user) }, user);
    return mfaPages.continueSignIn(ctx, next, to);
  }

  async function setPasswordModel(ctx: LanyardContext, user: User, purpose: 'activation' | 'recovery' | 'expired', csrf: string, action: string,
    token?: string, error?: string) {
    const org = orgOf(ctx);
    const titles = {
      activation: ['Activate your account', 'Choose a password to finish setting up your account.'],
      recovery: ['Reset your password', 'Choose a new password.'],
      expired: ['Your password has expired', 'Choose a new password to continue.'],
    } as const;
    const [title, intro] = titles[purpose];
    return setPasswordPage({
      orgName: org.displayName, title, intro, action, csrf, login: user.profile.login, error,
      requirements: passwordRequirements(await services.signOnPolicy.passwordPolicyFor(org.id, user.id)),
      ...(token ? { hidden: { token } } : {}),
    });
  }

  // The user takes back an app's access: its consents, and every token issued under them.
  router.post('revoke-grants', '/grants/:clientId/revoke', async (ctx: LanyardContext) => {
    const active = await currentSession(ctx);
    if (!active) return ctx.redirect('/login');
    await readCheckedForm(ctx, active.session.csrfToken);
    const clientId = (ctx as unknown as { params: { clientId: string } }).params.clientId;
    await services.grants.revokeAll({ ...anonymousCaller(ctx), actor: userActor(active.user) }, active.user.id, clientId);
    ctx.redirect('/');
  });

  router.get('signin', '/login', async (ctx: LanyardContext) => {
    const fromUri = safeReturnPath(ctx.query.fromURI);
    const active = await currentSession(ctx);
    // `reauth`: an app asked for a fresh sign-in (SAML ForceAuthn, WS-Federation wfresh), so the
    // form is shown even to someone signed in; signing in starts a new session.
    if (active && !(ctx.query.reauth === 'true' && fromUri)) return ctx.redirect(fromUri ?? '/');
    render(ctx, signInPage({
      orgName: orgOf(ctx).displayName, csrf: formCsrf(ctx), fromUri,
      ...(active ? { login: active.user.profile.login, notice: 'Sign in again to continue.' } : {}),
    }));
  });

  router.post('signin-submit', '/login', async (ctx: LanyardContext) => {
    const csrf = readCookie(ctx, csrfCookie);
    const form = await readCheckedForm(ctx, csrf);
    const fromUri = safeReturnPath(form.fromURI);
    const login = (form.username ?? '').trim();
    const outcome = await services.signIn.signIn(anonymousCaller(ctx), login, form.password ?? '');
    if (outcome.kind === 'success') return afterPassword(ctx, outcome.user, fromUri);
    const org = orgOf(ctx);
    if (outcome.kind === 'throttled') {
      ctx.set('Retry-After', String(outcome.retryAfterSeconds));
      return render(ctx, signInPage({ orgName: org.displayName, csrf: csrf!, login: login.slice(0, 100), error: tooManyAttempts(outcome.retryAfterSeconds), fromUri }), 429);
    }
    if (outcome.kind === 'password_expired') {
      // The right password was given: a one-time token lets this form set the new one.
      const link = await services.credentials.issueLink(org, outcome.user.id, 'recovery');
      return render(ctx, await setPasswordModel(ctx, outcome.user, 'expired', csrf!, '/login/change-password', link.token));
    }
    const directoryDown = outcome.reason === 'DIRECTORY_UNAVAILABLE';
    render(ctx, signInPage({ orgName: org.displayName, csrf: csrf!, login: login.slice(0, 100), error: directoryDown ? directoryUnavailableMessage : unableToSignIn, fromUri }),
      directoryDown ? 503 : 401);
  });

  /** Completes a password change from a link token; re-renders the form with the reason on failure. */
  async function completePassword(ctx: LanyardContext, form: Record<string, string>, token: string,
    purpose: 'activation' | 'recovery', kind: 'activation' | 'recovery' | 'expired', action: string): Promise<void> {
    const org = orgOf(ctx);
    const user = /^[A-Za-z0-9]{20}$/.test(token) ? await services.credentials.userOfLink(org, token, purpose) : undefined;
    if (!user) return render(ctx, expiredLinkPage(org.displayName), 410);
    const again = async (error: string) =>
      render(ctx, await setPasswordModel(ctx, user, kind, form.csrf!, action, kind === 'expired' ? token : undefined, error), 400);
    if ((form.newPassword ?? '') !== (form.confirmPassword ?? '')) return again('The passwords do not match.');
    try {
      const updated = await services.credentials.completeLink(anonymousCaller(ctx), token, purpose, form.newPassword ?? '');
      return afterPassword(ctx, updated, undefined);
    } catch (error) {
      if (isAppError(error) && error.code === 'user.password_policy') return again(error.causes[0] ?? error.message);
      throw error;
    }
  }

  router.post('change-expired-password', '/login/change-password', async (ctx: LanyardContext) => {
    const form = await readCheckedForm(ctx, readCookie(ctx, csrfCookie));
    return completePassword(ctx, form, form.token ?? '', 'recovery', 'expired', '/login/change-password');
  });

  for (const [path, purpose] of [['/welcome/:token', 'activation'], ['/reset_password/:token', 'recovery']] as const) {
    router.get(`${purpose}-page`, path, async (ctx: LanyardContext) => {
      const token = (ctx as unknown as { params: { token: string } }).params.token;
      const org = orgOf(ctx);
      const user = /^[A-Za-z0-9]{20}$/.test(token) ? await services.credentials.userOfLink(org, token, purpose) : undefined;
      if (!user) return render(ctx, expiredLinkPage(org.displayName), 410);
      render(ctx, await setPasswordModel(ctx, user, purpose, formCsrf(ctx), path.replace(':token', token)));
    });
    router.post(`${purpose}-submit`, path, async (ctx: LanyardContext) => {
      const token = (ctx as unknown as { params: { token: string } }).params.token;
      const form = await readCheckedForm(ctx, readCookie(ctx, csrfCookie));
      return completePassword(ctx, form, token, purpose, purpose, path.replace(':token', token));
    });
  }

  router.get('signout', '/logout', async (ctx: LanyardContext) => {
    const active = await currentSession(ctx);
    if (!active) return ctx.redirect('/login');
    // Signing out may go on to the SAML apps of the session, which the form's policy must allow.
    const origins = await services.samlSlo.logoutOrigins(orgOf(ctx), active);
    if (origins.length > 0) ctx.set('Content-Security-Policy', pageCspWithFormTargets(origins));
    render(ctx, signOutConfirmPage({ orgName: orgOf(ctx).displayName, csrf: active.session.csrfToken }));
  });

  router.post('signout-submit', '/logout', async (ctx: LanyardContext) => {
    const active = await currentSession(ctx);
    await readCheckedForm(ctx, active?.session.csrfToken ?? readCookie(ctx, csrfCookie));
    // SAML apps the session signed in to that take part in single logout are signed out in turn.
    const round = active ? await services.samlSlo.startFromLanyard(orgOf(ctx), active) : undefined;
    if (active) await services.sessions.end({ ...anonymousCaller(ctx), actor: userActor(active.user) }, active);
    clearCookie(ctx, policy, sessionCookie);
    if (round?.kind === 'redirect') return ctx.redirect(round.url);
    if (round?.kind === 'post') {
      const form = postFormPage(round.url, round.fields, orgOf(ctx).displayName);
      ctx.set('Content-Security-Policy', form.csp);
      return render(ctx, form.body);
    }
    render(ctx, messagePage({
      orgName: orgOf(ctx).displayName, title: 'You have signed out', message: 'Your session has ended.',
      link: { href: '/login', text: 'Sign in again' },
    }));
  });
}

function expiredLinkPage(orgName: string): string {
  return messagePage({
    orgName, title: 'This link can no longer be used',
    message: 'It has expired or was already used. Ask your administrator for a new one.',
    link: { href: '/login', text: 'Go to sign in' },
  });
}
