/**
 * The second step of sign-in in the browser. After the password, the sign-on policies decide
 * (`signin/mfa.ts`): go on, refuse, or prove a factor — enrolling one first when the user has
 * none. Before the factor is proved there is no session, only the sign-in's state token carried
 * in the forms; a signed-in user asked for a factor by an app (step-up) proves it in their session.
 *
 * - `GET /login/mfa?fromURI=…`: step-up for the current session
 * - `POST /login/mfa`: verify a factor; `POST /login/mfa/choose`: switch to another factor
 * - `POST /login/mfa/enroll`: start setting a factor up; `POST /login/mfa/activate`: finish it
 */
import type Router from '@koa/router';
import QRCode from 'qrcode';
import { AppError, isAppError } from '../../kernel/errors.ts';
import type { Services } from '../../services/index.ts';
import type { Caller } from '../../services/caller.ts';
import { userActor } from '../../services/caller.ts';
import type { FactorRecord } from '../../services/ports.ts';
import type { User } from '../../domain/user.ts';
import type { AfterPassword } from '../../signin/mfa.ts';
import { tooManyAttempts } from '../../signin/throttle.ts';
import type { ActiveSession } from '../../signin/sessions.ts';
import type { BrowserSessions } from '../browser-session.ts';
import { relyingParty } from '../relying-party.ts';
import { pageCspFor } from '../security-headers.ts';
import { orgOf, type LanyardContext, type LanyardState } from '../state.ts';
import { messagePage } from '../../web/signin/pages.ts';
import {
  backupCodesPage, mfaEnrollChoicePage, mfaVerifyPage, totpSetupPage, webauthnSetupPage,
  type EnrollChoice, type FactorChoice, type MfaFormContext,
} from '../../web/signin/mfa-pages.ts';
import { safeReturnPath } from './signin-pages.ts';

const enrollChoices: readonly EnrollChoice[] = [
  { factorType: 'webauthn', provider: 'FIDO', label: 'Security key or passkey', description: 'A USB or NFC key, or the fingerprint, face or PIN unlock of this device or your phone.' },
  { factorType: 'token:software:totp', provider: 'GOOGLE', label: 'Authenticator app', description: 'Google Authenticator, Microsoft Authenticator, 1Password or any app that shows six-digit codes.' },
];

const deniedMessage = 'Your organization\'s sign-on policy doesn\'t allow you to sign in from here. If you think this is a mistake, contact your administrator.';

/** What a person calls a factor. */
export function factorLabel(factor: FactorRecord): string {
  return factor.factorType === 'webauthn' ? 'Security key or passkey' : 'Authenticator app';
}

function factorChoice(factor: FactorRecord): FactorChoice {
  return { id: factor.id, kind: factor.factorType === 'webauthn' ? 'webauthn' : 'totp', label: factorLabel(factor) };
}

/** How recently a second factor must have been proved in the session to remove one. */
const recentMfaMs = 15 * 60_000;

/** Who is signing in: the user of a state token (no session yet), or of the current session. */
type Subject =
  | { readonly kind: 'state'; readonly user: User; readonly stateToken: string }
  | { readonly kind: 'session'; readonly user: User; readonly active: ActiveSession };

export function createMfaPages(services: Services, browser: BrowserSessions, anonymousCaller: (ctx: LanyardContext) => Caller) {
  const callerFor = (ctx: LanyardContext, user: User): Caller => ({ ...anonymousCaller(ctx), actor: userActor(user) });

  function render(ctx: LanyardContext, body: string, status = 200, options: { scripts?: boolean; fromUri?: string | undefined } = {}): void {
    ctx.set('Content-Security-Policy', pageCspFor({ scripts: options.scripts ?? false, redirectsAnywhere: options.fromUri?.startsWith('/interaction/') ?? false }));
    ctx.status = status;
    ctx.type = 'text/html';
    ctx.body = body;
  }

  function formContext(ctx: LanyardContext, subject: Subject, fromUri: string | undefined, error?: string): MfaFormContext {
    return {
      orgName: orgOf(ctx).displayName,
      csrf: subject.kind === 'session' ? subject.active.session.csrfToken : browser.formCsrf(ctx),
      ...(subject.kind === 'state' ? { stateToken: subject.stateToken } : {}),
      fromUri, error,
    };
  }

  /** The page that asks for `chosen` (default: the first factor), with the others to switch to. */
  async function showVerify(ctx: LanyardContext, subject: Subject, factors: readonly FactorRecord[], fromUri: string | undefined,
    chosenId?: string, error?: string, status = 200): Promise<void> {
    const chosen = factors.find((f) => f.id === chosenId) ?? factors[0]!;
    const choice = factorChoice(chosen);
    const webauthnOptions = choice.kind === 'webauthn'
      ? await services.factors.challenge(callerFor(ctx, subject.user), subject.user.id, chosen.id, relyingParty(ctx)) : undefined;
    render(ctx, mfaVerifyPage({
      ...formContext(ctx, subject, fromUri, error), factors: factors.map(factorChoice), chosen: choice,
      ...(webauthnOptions ? { webauthnOptions } : {}),
    }), status, { scripts: choice.kind === 'webauthn', fromUri });
  }

  function showEnroll(ctx: LanyardContext, subject: Subject, fromUri: string | undefined, error?: string, status = 200): void {
    render(ctx, mfaEnrollChoicePage({ ...formContext(ctx, subject, fromUri, error), choices: enrollChoices }), status, { fromUri });
  }

  /** Shows what a sign-in needs after the password: a session and the way on, a refusal, or a factor step. */
  async function continueSignIn(ctx: LanyardContext, next: AfterPassword, fromUri: string | undefined): Promise<void> {
    switch (next.kind) {
      case 'complete':
        await browser.start(ctx, next.user, next.amr);
        return ctx.redirect(fromUri ?? '/');
      case 'denied':
        return render(ctx, messagePage({ orgName: orgOf(ctx).displayName, title: 'Sign-in not allowed', message: deniedMessage }), 403);
      case 'mfa_required':
        return showVerify(ctx, { kind: 'state', user: next.user, stateToken: next.stateToken }, next.factors, fromUri);
      case 'mfa_enroll':
        return showEnroll(ctx, { kind: 'state', user: next.user, stateToken: next.stateToken }, fromUri);
    }
  }

  /** The subject of a posted second-factor form; a form whose sign-in expired goes back to the start. */
  async function subjectOf(ctx: LanyardContext): Promise<{ subject: Subject; form: Record<string, string>; fromUri: string | undefined } | undefined> {
    const active = await browser.current(ctx);
    const form = await browser.checkedForm(ctx, active?.session.csrfToken);
    const fromUri = safeReturnPath(form.fromURI);
    if (form.stateToken) {
      const user = await services.mfa.userOfState(orgOf(ctx), form.stateToken);
      if (!user) {
        render(ctx, messagePage({
          orgName: orgOf(ctx).displayName, title: 'Your sign-in took too long',
          message: 'Sign in again to continue.', link: { href: fromUri ? `/login?fromURI=${encodeURIComponent(fromUri)}` : '/login', text: 'Sign in' },
        }), 400);
        return undefined;
      }
      return { subject: { kind: 'state', user, stateToken: form.stateToken }, form, fromUri };
    }
    if (!active) {
      ctx.redirect(fromUri ? `/login?fromURI=${encodeURIComponent(fromUri)}` : '/login');
      return undefined;
    }
    return { subject: { kind: 'session', user: active.user, active }, form, fromUri };
  }

  /** A factor proved: the state's sign-in gets its session, or the session records the step-up. */
  async function proved(ctx: LanyardContext, subject: Subject, amr: readonly string[], fromUri: string | undefined): Promise<void> {
    const sessionId = subject.kind === 'state' ? (await browser.start(ctx, subject.user, amr)).session.id : subject.active.session.id;
    await goOn(ctx, sessionId, fromUri);
  }

  /**
   * Back to where the sign-in was going. An OpenID Connect interaction is told which session its
   * own sign-in made, so a request that asked for a fresh one (`prompt=login`, `max_age`) is answered.
   */
  async function goOn(ctx: LanyardContext, sessionId: string, fromUri: string | undefined): Promise<void> {
    await tellInteraction(ctx, sessionId, fromUri);
    ctx.redirect(fromUri ?? '/');
  }

  async function tellInteraction(ctx: LanyardContext, sessionId: string, fromUri: string | undefined): Promise<void> {
    const interaction = fromUri ? /^\/interaction\/[^/]+\/([^/?#]+)$/.exec(fromUri) : null;
    if (interaction) await services.protocolState.put(orgOf(ctx).id, 'InteractionSignIn', interaction[1]!, { sessionId }, 600);
  }

  /** The message a failed factor step shows, or the error again when it is not the person's doing. */
  function stepError(ctx: LanyardContext, error: unknown): string {
    if (!isAppError(error)) throw error;
    if (error.code === 'rate.limited') {
      ctx.status = 429;
      return tooManyAttempts(Number(error.headers['Retry-After'] ?? 60));
    }
    if (error.code.startsWith('factor.') || error.code === 'request.validation_failed') return error.causes[0] ?? error.message;
    throw error;
  }

  function register(router: Router<LanyardState>): void {
    // A user removes one of their own factors. Proving a factor recently is asked first, so a
    // session left open cannot take the second factor away.
    router.post('own-factor-remove', '/account/factors/:factorId/remove', async (ctx: LanyardContext) => {
      const active = await browser.current(ctx);
      if (!active) return ctx.redirect('/login');
      await browser.checkedForm(ctx, active.session.csrfToken);
      const mfaAt = active.session.mfaAt ? Date.parse(active.session.mfaAt) : 0;
      if (Date.now() - mfaAt > recentMfaMs) return ctx.redirect('/login/mfa?fromURI=%2F');
      const factorId = (ctx as unknown as { params: { factorId: string } }).params.factorId;
      await services.factors.remove(callerFor(ctx, active.user), active.user.id, factorId);
      ctx.redirect('/');
    });

    router.get('mfa-step-up', '/login/mfa', async (ctx: LanyardContext) => {
      const fromUri = safeReturnPath(ctx.query.fromURI);
      const active = await browser.current(ctx);
      if (!active) return ctx.redirect(fromUri ? `/login?fromURI=${encodeURIComponent(fromUri)}` : '/login');
      const subject: Subject = { kind: 'session', user: active.user, active };
      const factors = await services.mfa.activeFactors(orgOf(ctx).id, active.user.id);
      if (factors.length === 0) return showEnroll(ctx, subject, fromUri);
      return showVerify(ctx, subject, factors, fromUri);
    });

    router.post('mfa-choose', '/login/mfa/choose', async (ctx: LanyardContext) => {
      const step = await subjectOf(ctx);
      if (!step) return;
      const factors = await services.mfa.activeFactors(orgOf(ctx).id, step.subject.user.id);
      if (factors.length === 0) return showEnroll(ctx, step.subject, step.fromUri);
      return showVerify(ctx, step.subject, factors, step.fromUri, step.form.factorId);
    });

    router.post('mfa-verify', '/login/mfa', async (ctx: LanyardContext) => {
      const step = await subjectOf(ctx);
      if (!step) return;
      const { subject, form, fromUri } = step;
      const factorId = form.factorId ?? '';
      const caller = callerFor(ctx, subject.user);
      let amr: readonly string[];
      try {
        amr = subject.kind === 'state'
          ? (await services.mfa.verifyWithState(caller, subject.stateToken, factorId, form, relyingParty(ctx))).amr
          : await services.mfa.verifyInSession(caller, subject.active.session, subject.user, factorId, form, relyingParty(ctx));
      } catch (error) {
        if (isAppError(error) && error.code === 'resource.not_found') throw new AppError('request.invalid_argument', { detail: 'factorId is not one of your factors' });
        const message = stepError(ctx, error);
        const factors = await services.mfa.activeFactors(orgOf(ctx).id, subject.user.id);
        return showVerify(ctx, subject, factors, fromUri, factorId, message, ctx.status === 429 ? 429 : 401);
      }
      return proved(ctx, subject, amr, fromUri);
    });

    router.post('mfa-enroll', '/login/mfa/enroll', async (ctx: LanyardContext) => {
      const step = await subjectOf(ctx);
      if (!step) return;
      const { subject, form, fromUri } = step;
      const caller = callerFor(ctx, subject.user);
      const context = formContext(ctx, subject, fromUri);
      let enrolled: Awaited<ReturnType<Services['factors']['enroll']>>;
      try {
        if (form.factorType === 'webauthn') {
          const started = await services.factors.enrollWebAuthn(caller, subject.user.id, relyingParty(ctx));
          return render(ctx, webauthnSetupPage({ ...context, factorId: started.factor.id, options: started.options }), 200, { scripts: true, fromUri });
        }
        enrolled = await services.factors.enroll(caller, subject.user.id, { factorType: form.factorType, provider: form.provider });
      } catch (error) {
        return showEnroll(ctx, subject, fromUri, stepError(ctx, error), 400);
      }
      render(ctx, totpSetupPage({
        ...context, factorId: enrolled.factor.id, secret: enrolled.secret, qrDataUrl: await QRCode.toDataURL(enrolled.uri, { margin: 2, width: 200 }),
      }), 200, { fromUri });
    });

    router.post('mfa-activate', '/login/mfa/activate', async (ctx: LanyardContext) => {
      const step = await subjectOf(ctx);
      if (!step) return;
      const { subject, form, fromUri } = step;
      const caller = callerFor(ctx, subject.user);
      let activated: Awaited<ReturnType<Services['factors']['activate']>>;
      try {
        await services.mfa.guardFactorAttempt(caller, subject.user.id);
        activated = await services.factors.activate(caller, subject.user.id, form.factorId ?? '', form, relyingParty(ctx));
      } catch (error) {
        const message = stepError(ctx, error);
        const factor = await services.factors.requireFactor(caller, subject.user.id, form.factorId ?? '').catch(() => undefined);
        if (!factor || factor.status !== 'PENDING_ACTIVATION') return showEnroll(ctx, subject, fromUri, message, 400);
        if (factor.factorType === 'webauthn') {
          // A registration that failed cannot be answered again: this one is dropped, and the person starts over.
          await services.factors.remove(caller, subject.user.id, factor.id);
          return showEnroll(ctx, subject, fromUri, message, 400);
        }
        const uri = await services.factors.enrollmentUri(caller, subject.user.id, factor.id);
        return render(ctx, totpSetupPage({
          ...formContext(ctx, subject, fromUri, message), factorId: factor.id, secret: new URL(uri).searchParams.get('secret') ?? '',
          qrDataUrl: await QRCode.toDataURL(uri, { margin: 2, width: 200 }),
        }), ctx.status === 429 ? 429 : 400, { fromUri });
      }
      const amr = ['pwd', 'mfa', activated.factorType === 'webauthn' ? 'hwk' : 'otp'];
      let sessionId: string;
      if (subject.kind === 'state') {
        await services.mfa.consumeState(orgOf(ctx), subject.stateToken, subject.user);
        sessionId = (await browser.start(ctx, subject.user, amr)).session.id;
      } else {
        await services.mfa.recordInSession(orgOf(ctx), subject.active.session, amr);
        sessionId = subject.active.session.id;
      }
      if (activated.backupCodes && activated.backupCodes.length > 0) {
        await tellInteraction(ctx, sessionId, fromUri);
        return render(ctx, backupCodesPage({ orgName: orgOf(ctx).displayName, codes: activated.backupCodes, continueTo: fromUri ?? '/' }));
      }
      await goOn(ctx, sessionId, fromUri);
    });
  }

  return { continueSignIn, register };
}

export type MfaPages = ReturnType<typeof createMfaPages>;
