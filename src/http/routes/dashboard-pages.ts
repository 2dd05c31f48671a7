/**
 * The dashboard's pages: `/` (apps, approvals, profile, sessions, connected apps, factors) and
 * `/catalog` (apps to request), with the forms they post to under `/account/…` and `/catalog/…`.
 * Every form carries the session's CSRF token; every action redirects back (post/redirect/get).
 */
import type Router from '@koa/router';
import { isAppError, type AppError } from '../../kernel/errors.ts';
import type { Services } from '../../services/index.ts';
import type { Caller } from '../../services/caller.ts';
import { userActor } from '../../services/caller.ts';
import { isAdminRole } from '../../services/access-requests.ts';
import { selfEditableAttributes } from '../../services/dashboard.ts';
import { maxReasonLength } from '../../domain/access-request.ts';
import type { User } from '../../domain/user.ts';
import type { ActiveSession } from '../../signin/sessions.ts';
import type { BrowserSessions } from '../browser-session.ts';
import { clearCookie, sessionCookie, type CookiePolicy } from '../cookies.ts';
import { orgOf, type LanyardContext, type LanyardState } from '../state.ts';
import { factorLabel } from './mfa-pages.ts';
import { dashboardPage, type ProfileField } from '../../web/dashboard/home-page.ts';
import { catalogPage } from '../../web/dashboard/catalog-page.ts';
import { browserName } from '../../web/dashboard/browser-name.ts';
import type { Html } from '../../web/signin/html.ts';

const fieldLabels: Record<(typeof selfEditableAttributes)[number], [string, ProfileField['type'], string]> = {
  firstName: ['First name', 'text', 'given-name'],
  lastName: ['Last name', 'text', 'family-name'],
  displayName: ['Display name', 'text', 'nickname'],
  nickName: ['Nickname', 'text', 'off'],
  title: ['Job title', 'text', 'organization-title'],
  mobilePhone: ['Mobile phone', 'tel', 'tel'],
  primaryPhone: ['Primary phone', 'tel', 'tel'],
  preferredLanguage: ['Preferred language', 'text', 'language'],
};

/** What the last action did, by the `done` query parameter: fixed texts, never echoed input. */
const doneMessages: Record<string, string> = {
  profile: 'Your profile is saved.',
  session: 'That session is signed out.',
  approved: 'The request is approved.',
  denied: 'The request is denied.',
  sorted: 'Your apps are sorted by name.',
  requested: 'Your request is sent. You will see the app here once it is approved.',
};

/** Extra banners for the dashboard, rendered by other parts of Lanyard for the signed-in user. */
export type DashboardNoticeSource = (ctx: LanyardContext, active: ActiveSession) => Promise<readonly Html[]>;

export function registerDashboardPages(router: Router<LanyardState>, services: Services, policy: CookiePolicy,
  anonymousCaller: (ctx: LanyardContext) => Caller, browser: BrowserSessions, noticeSources: readonly DashboardNoticeSource[] = []): void {
  const callerFor = (ctx: LanyardContext, user: User): Caller => ({ ...anonymousCaller(ctx), actor: userActor(user) });
  const param = (ctx: LanyardContext, name: string) => (ctx as unknown as { params: Record<string, string> }).params[name]!;
  const errorText = (error: AppError) => error.causes[0]?.replace(/^[\w.]+: /, '') ?? error.message;

  function render(ctx: LanyardContext, body: string, status = 200): void {
    ctx.status = status;
    ctx.type = 'text/html';
    ctx.body = body;
  }

  /** The signed-in user, or a redirect to sign in. */
  async function signedIn(ctx: LanyardContext): Promise<ActiveSession | undefined> {
    const active = await browser.current(ctx);
    if (!active) ctx.redirect(`/login?fromURI=${encodeURIComponent(ctx.path)}`);
    return active;
  }

  async function isAdmin(ctx: LanyardContext, user: User): Promise<boolean> {
    return isAdminRole(await services.adminRoles.list(callerFor(ctx, user), user.id).then((r) => r.types));
  }

  async function showHome(ctx: LanyardContext, active: ActiveSession, error?: string, status = 200): Promise<void> {
    const org = orgOf(ctx);
    const { user, session } = active;
    const caller = callerFor(ctx, user);
    const pending = await services.oidcAccess.pendingBackchannelRequests(org.id, user.id);
    const grants = await services.grants.list(caller, user.id);
    const allowed = (await services.grants.clients(caller, user.id)).map(({ clientId, app }) => ({
      name: app.label,
      scopes: [...new Set(grants.filter((g) => g.clientId === clientId).map((g) => g.scope))],
      action: `/grants/${encodeURIComponent(clientId)}/revoke`,
    }));
    const tiles = (await services.dashboard.tiles(org, user)).map(({ app, logoUrl }) => ({ id: app.id, label: app.label, href: `/home/${app.name}/${app.id}`, logoUrl }));
    const approvals = await Promise.all((await services.accessRequests.pendingFor(org, { user, isAdmin: await isAdmin(ctx, user) })).map(async (r) => {
      const [requester, app] = await Promise.all([services.users.get(caller, r.userId), services.apps.findById(org, r.appId)]);
      return { id: r.id, requester: `${requester.profile.firstName} ${requester.profile.lastName} (${requester.profile.login})`, appLabel: app?.label ?? r.appId, reason: r.reason, created: r.created };
    }));
    const fromDirectory = new Set(await services.dashboard.directoryAttributes(org, user));
    const profile = selfEditableAttributes.map((name) => {
      const [label, type, autocomplete] = fieldLabels[name];
      const value = (user.profile as Record<string, unknown>)[name];
      return { name, label, type, autocomplete, value: typeof value === 'string' ? value : '', readOnly: fromDirectory.has(name) };
    });
    const sessions = (await services.dashboard.sessionsOf(org, user)).map((s) => ({
      id: s.id, created: s.created, lastSeen: s.lastSeen, ipAddress: s.ipAddress ?? null, browser: browserName(s.userAgent), current: s.id === session.id,
    }));
    const factors = (await services.mfa.activeFactors(org.id, user.id)).map((f) => ({
      label: factorLabel(f), since: f.created, removeAction: `/account/factors/${encodeURIComponent(f.id)}/remove`,
    }));
    const moved = typeof ctx.query.moved === 'string' && (ctx.query.dir === 'up' || ctx.query.dir === 'down')
      ? [ctx.query.moved, ctx.query.dir] as const : undefined;
    const notices = (await Promise.all(noticeSources.map((source) => source(ctx, active)))).flat();
    render(ctx, dashboardPage({
      orgName: org.displayName, csrf: session.csrfToken, admin: await services.adminConsole.mayUse(org, user.id),
      name: `${user.profile.firstName} ${user.profile.lastName}`, login: user.profile.login, lastLogin: user.lastLogin,
      notices, status: typeof ctx.query.done === 'string' ? doneMessages[ctx.query.done] : undefined, error,
      pending: pending.map((p) => ({ ...p, action: `/ciba/${p.asId}/${p.id}` })),
      tiles, moved, approvals, profile, sessions, allowed, factors,
      profileNote: fromDirectory.size > 0 ? 'Fields shown read-only come from your company directory; change them there.' : undefined,
    }), status);
  }

  router.get('home', '/', async (ctx: LanyardContext) => {
    const active = await browser.current(ctx);
    if (!active) return ctx.redirect('/login');
    await showHome(ctx, active);
  });

  /** Runs a posted action of the signed-in user; a refusal shows the dashboard with the reason. */
  function action(name: string, path: string, run: (ctx: LanyardContext, active: ActiveSession, form: Record<string, string>) => Promise<string | void>): void {
    router.post(name, path, async (ctx: LanyardContext) => {
      const active = await signedIn(ctx);
      if (!active) return;
      const form = await browser.checkedForm(ctx, active.session.csrfToken);
      try {
        const to = await run(ctx, active, form);
        if (to) ctx.redirect(to);
      } catch (error) {
        if (!isAppError(error) || error.status >= 500) throw error;
        await showHome(ctx, active, errorText(error), error.status);
      }
    });
  }

  action('dashboard-move', '/account/apps/:appId/move', async (ctx, { user }, form) => {
    const dir = form.direction === 'up' ? 'up' : 'down';
    await services.dashboard.move(callerFor(ctx, user), user, param(ctx, 'appId'), dir);
    // No fragment: a browser skips autofocus when the URL names a target, and focus must stay on the tile.
    return `/?moved=${encodeURIComponent(param(ctx, 'appId'))}&dir=${dir}`;
  });

  action('dashboard-sort', '/account/apps/sort', async (ctx, { user }) => {
    await services.dashboard.sortByName(callerFor(ctx, user), user);
    return '/?done=sorted#apps';
  });

  action('dashboard-profile', '/account/profile', async (ctx, { user }, form) => {
    await services.dashboard.updateProfile(callerFor(ctx, user), user, form);
    return '/?done=profile#profile';
  });

  action('dashboard-end-session', '/account/sessions/:sessionId/end', async (ctx, active) => {
    const sessionId = param(ctx, 'sessionId');
    await services.dashboard.endSession(callerFor(ctx, active.user), active.user, sessionId);
    if (sessionId !== active.session.id) return '/?done=session#sessions';
    clearCookie(ctx, policy, sessionCookie);
    return '/login';
  });

  action('dashboard-end-all', '/account/sessions/end-all', async (ctx, { user }) => {
    await services.dashboard.endAllSessions(callerFor(ctx, user), user);
    clearCookie(ctx, policy, sessionCookie);
    return '/login';
  });

  action('dashboard-decide', '/account/access-requests/:requestId/decide', async (ctx, { user }, form) => {
    const approve = form.decision === 'approve';
    await services.accessRequests.decide(callerFor(ctx, user), { user, isAdmin: await isAdmin(ctx, user) }, param(ctx, 'requestId'),
      approve ? 'APPROVED' : 'DENIED');
    return `/?done=${approve ? 'approved' : 'denied'}#approvals`;
  });

  async function showCatalog(ctx: LanyardContext, active: ActiveSession, error?: string, status = 200): Promise<void> {
    const org = orgOf(ctx);
    const entries = await services.accessRequests.catalogFor(org, active.user);
    render(ctx, catalogPage({
      orgName: org.displayName, csrf: active.session.csrfToken, maxReason: maxReasonLength, error,
      status: ctx.query.done === 'requested' ? doneMessages.requested : undefined,
      items: entries.map(({ app, latest }) => ({
        appId: app.id, label: app.label, state: latest?.status ?? 'none', since: latest ? latest.decided ?? latest.created : undefined,
      })),
    }), status);
  }

  router.get('catalog-page', '/catalog', async (ctx: LanyardContext) => {
    const active = await signedIn(ctx);
    if (active) await showCatalog(ctx, active);
  });

  router.post('catalog-request', '/catalog/:appId/request', async (ctx: LanyardContext) => {
    const active = await signedIn(ctx);
    if (!active) return;
    const form = await browser.checkedForm(ctx, active.session.csrfToken);
    try {
      await services.accessRequests.request(callerFor(ctx, active.user), active.user, param(ctx, 'appId'), form.reason);
      ctx.redirect('/catalog?done=requested');
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      await showCatalog(ctx, active, errorText(error), error.status);
    }
  });
}
