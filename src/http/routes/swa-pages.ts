/**
 * The browser side of the SWA credential vault, for a signed-in user assigned to the app:
 *
 * - the launch of an SWA app (`/home/{appName}/{appId}`, from `app-launch.ts`): a page that posts
 *   the vaulted credentials to the app's sign-in URL, or (launch method `EXTENSION`) a redirect to
 *   that URL for the browser extension to fill; or the page to set them first
 * - `GET|POST /home/{appName}/{appId}/credentials`: the user's sign-in for the app (set, update)
 * - `POST /home/{appName}/{appId}/credentials/reveal`: the password the user set, after their
 *   Lanyard password again
 * - `POST /home/swa/checks/{launchId}`: the answer to "did it work?" (`answer=yes|no`)
 *
 * Every form carries the session's CSRF token; every page is `no-store` with no referrer.
 */
import type Router from '@koa/router';
import type { App } from '../../domain/app.ts';
import type { User } from '../../domain/user.ts';
import { swaSettingsOf } from '../../domain/swa-app.ts';
import { formFieldName, userEditsSomething } from '../../domain/swa-credentials.ts';
import { isAppError, notFound } from '../../kernel/errors.ts';
import { looksLikeId } from '../../kernel/ids.ts';
import type { Caller } from '../../services/caller.ts';
import { userActor } from '../../services/caller.ts';
import type { Services } from '../../services/index.ts';
import type { ActiveSession } from '../../signin/sessions.ts';
import { renderErrorPage } from '../../web/signin/error-page.ts';
import { swaCredentialsPage, swaLaunchPage, type CredentialsPageModel } from '../../web/swa/pages.ts';
import type { BrowserSessions } from '../browser-session.ts';
import { assignedAppOfPath } from './assigned-app.ts';
import { pageCspFor } from '../security-headers.ts';
import { orgOf, type LanyardContext, type LanyardState } from '../state.ts';

// The launch page posts to the app and nowhere else, not even back to Lanyard.
const launchCsp = (origin: string) =>
  `default-src 'none'; style-src 'self'; script-src 'self'; form-action ${origin}; frame-ancestors 'none'; base-uri 'none'`;

export function createSwaPages(services: Services, browser: BrowserSessions, anonymousCaller: (ctx: LanyardContext) => Caller) {
  const callerFor = (ctx: LanyardContext, user: User): Caller => ({ ...anonymousCaller(ctx), actor: userActor(user) });
  const base = (app: App) => `/home/${app.name}/${app.id}`;

  function render(ctx: LanyardContext, body: string, status = 200, csp = pageCspFor({ scripts: false, redirectsAnywhere: false })): void {
    ctx.set('Content-Security-Policy', csp);
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.status = status;
    ctx.type = 'text/html';
    ctx.body = body;
  }

  function problem(ctx: LanyardContext, status: number, title: string, message: string): void {
    render(ctx, renderErrorPage({ title, message }), status);
  }

  /** The signed-in user and the SWA app of the path, or undefined once answered (sign-in, 403, 404). */
  const subject = (ctx: LanyardContext) => assignedAppOfPath(ctx, services, browser, {
    signOnMode: 'BROWSER_PLUGIN', fromUri: (app) => (ctx.method === 'GET' ? ctx.path : base(app)),
  });

  async function showCredentials(ctx: LanyardContext, app: App, active: ActiveSession, extra: Partial<CredentialsPageModel> = {}, status = 200): Promise<void> {
    const s = await services.swa.status(orgOf(ctx), app, active.user);
    render(ctx, swaCredentialsPage({
      orgName: orgOf(ctx).displayName, csrf: active.session.csrfToken, appLabel: app.label, base: base(app),
      userName: s.userName, hasPassword: s.hasPassword, userSetsUserName: s.userSetsUserName, userSetsPassword: s.userSetsPassword,
      mayReveal: s.mayReveal, ...extra,
    }), status);
  }

  /** Opens an SWA app: posts its form with the vaulted credentials, or asks for them first. */
  async function launch(ctx: LanyardContext, app: App, active: ActiveSession): Promise<void> {
    const settings = swaSettingsOf(app);
    if (!settings) return problem(ctx, 409, `${app.label} can't be opened`, 'This app\'s sign-in settings are incomplete. Ask your administrator to check them.');
    const org = orgOf(ctx);
    const credentials = await services.swa.credentialsForLaunch(org, app.id, active.user.id);
    if (!credentials) {
      const s = await services.swa.status(org, app, active.user);
      if (s.userSetsPassword) return showCredentials(ctx, app, active, { launchAfter: true, notice: `Set your sign-in for ${app.label} once; Lanyard then signs you in.` });
      return problem(ctx, 409, `Your sign-in for ${app.label} isn't set up yet`,
        'Your administrator sets the user name and password for this app and hasn\'t done so yet. Ask them to set it up.');
    }
    if (settings.launchMethod === 'EXTENSION') {
      // The browser extension fills the app's own page, with a one-time ticket for this session (`swa-fill.ts`).
      const caller = callerFor(ctx, active.user);
      await services.swa.recordLaunch(caller, app, active.user);
      return ctx.redirect(await services.swaFill.issue(caller, active, app));
    }
    const names = [settings.usernameField, settings.passwordField, ...credentials.extraFields.map((f) => f.field)].map(formFieldName);
    if (names.some((n) => n === undefined)) {
      return problem(ctx, 409, `${app.label} can't be opened from here`, 'This app\'s sign-in form can only be filled by the Lanyard browser extension.');
    }
    const fields = [
      { name: names[0]!, value: credentials.userName },
      { name: names[1]!, value: credentials.password },
      ...credentials.extraFields.map((f, i) => ({ name: names[i + 2]!, value: f.value })),
    ];
    await services.swa.recordLaunch(callerFor(ctx, active.user), app, active.user);
    render(ctx, swaLaunchPage({ orgName: org.displayName, appLabel: app.label, action: settings.url, fields }), 200, launchCsp(new URL(settings.url).origin));
  }

  function register(router: Router<LanyardState>): void {
    router.post('swa-check-answer', '/home/swa/checks/:launchId', async (ctx: LanyardContext) => {
      const { launchId } = (ctx as unknown as { params: { launchId: string } }).params;
      const active = await browser.current(ctx);
      if (!active) return ctx.redirect('/login');
      const form = await browser.checkedForm(ctx, active.session.csrfToken);
      if (form.answer !== 'yes' && form.answer !== 'no') return problem(ctx, 400, 'Choose an answer', 'Answer yes or no.');
      if (!looksLikeId(launchId)) throw notFound('SwaLaunch', launchId.slice(0, 40));
      const outcome = await services.swa.answerCheck(callerFor(ctx, active.user), active.user, launchId, form.answer === 'yes');
      if (outcome.kind === 'done') return ctx.redirect('/');
      if (outcome.kind === 'update') return ctx.redirect(`${base(outcome.app)}/credentials?failed=1`);
      render(ctx, renderErrorPage({
        title: 'Your administrator was told',
        message: `Your administrator sets your sign-in for ${outcome.app.label}. They have been told it didn't work.`,
      }));
    });

    router.get('swa-credentials', '/home/:appName/:appId/credentials', async (ctx: LanyardContext) => {
      const found = await subject(ctx);
      if (!found) return;
      const failed = ctx.query.failed === '1';
      await showCredentials(ctx, found.app, found.active, failed
        ? { notice: `Lanyard couldn't sign you in to ${found.app.label}. Check your user name and password for it.` } : {});
    });

    router.post('swa-credentials-save', '/home/:appName/:appId/credentials', async (ctx: LanyardContext) => {
      const found = await subject(ctx);
      if (!found) return;
      const { app, active } = found;
      const form = await browser.checkedForm(ctx, active.session.csrfToken);
      const launchAfter = form.launch === '1';
      const s = await services.swa.status(orgOf(ctx), app, active.user);
      if (!userEditsSomething(s.scheme)) {
        return showCredentials(ctx, app, active, { error: 'Your administrator sets this sign-in; it can\'t be changed here.' }, 403);
      }
      try {
        await services.swa.setByUser(callerFor(ctx, active.user), app, active.user, {
          ...(form.userName !== undefined ? { userName: form.userName } : {}),
          ...(form.password ? { password: form.password } : {}),
        });
      } catch (error) {
        if (!isAppError(error) || (error.code !== 'request.validation_failed' && error.code !== 'auth.forbidden')) throw error;
        return showCredentials(ctx, app, active, { launchAfter, error: error.causes.join(' ') || error.message }, error.status);
      }
      if (launchAfter) return ctx.redirect(base(app));
      await showCredentials(ctx, app, active, { notice: 'Saved.' });
    });

    router.post('swa-credentials-reveal', '/home/:appName/:appId/credentials/reveal', async (ctx: LanyardContext) => {
      const found = await subject(ctx);
      if (!found) return;
      const { app, active } = found;
      const form = await browser.checkedForm(ctx, active.session.csrfToken);
      const outcome = await services.swa.reveal(callerFor(ctx, active.user), app, active.user, form.lanyardPassword ?? '');
      switch (outcome.kind) {
        case 'revealed':
          return showCredentials(ctx, app, active, { revealed: outcome.password });
        case 'invalid':
          return showCredentials(ctx, app, active, { revealError: 'That password is not right. Type your password again.' }, 401);
        case 'throttled':
          ctx.set('Retry-After', String(outcome.retryAfterSeconds));
          return showCredentials(ctx, app, active, { revealError: `Too many attempts. Try again in ${outcome.retryAfterSeconds} seconds.` }, 429);
        case 'not_allowed':
          return showCredentials(ctx, app, active, { error: 'This password is set by your administrator and can\'t be shown.' }, 403);
      }
    });
  }

  return { launch, register };
}

export type SwaPages = ReturnType<typeof createSwaPages>;
