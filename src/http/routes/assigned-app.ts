/**
 * The pages under `/home/{appName}/{appId}` (the app link, an SWA app's credentials) are for a
 * signed-in user assigned to the active app of the path. This finds both, or answers the request
 * itself: not found, a sign-in that comes back to `fromUri`, or "you can't use this app".
 */
import type { App } from '../../domain/app.ts';
import { notFound } from '../../kernel/errors.ts';
import { looksLikeId } from '../../kernel/ids.ts';
import type { Services } from '../../services/index.ts';
import type { ActiveSession } from '../../signin/sessions.ts';
import { renderErrorPage } from '../../web/signin/error-page.ts';
import type { BrowserSessions } from '../browser-session.ts';
import { orgOf, type LanyardContext } from '../state.ts';

export async function assignedAppOfPath(ctx: LanyardContext, services: Services, browser: BrowserSessions,
  options: { readonly signOnMode?: App['signOnMode']; readonly fromUri: (app: App) => string }): Promise<{ app: App; active: ActiveSession } | undefined> {
  const { appName, appId } = (ctx as unknown as { params: { appName: string; appId: string } }).params;
  const org = orgOf(ctx);
  const app = looksLikeId(appId) ? await services.apps.findById(org, appId) : undefined;
  if (!app || app.name !== appName || app.status !== 'ACTIVE' || (options.signOnMode && app.signOnMode !== options.signOnMode)) {
    throw notFound('AppInstance', appId.slice(0, 40));
  }
  const active = await browser.current(ctx);
  if (!active) {
    ctx.redirect(`/login?fromURI=${encodeURIComponent(options.fromUri(app))}`);
    return undefined;
  }
  if (!(await services.apps.isAssigned(org, app.id, active.user.id))) {
    ctx.status = 403;
    ctx.type = 'text/html';
    ctx.body = renderErrorPage({ title: `You can't use ${app.label}`, message: 'Ask your administrator to give you access to this app.' });
    return undefined;
  }
  return { app, active };
}
