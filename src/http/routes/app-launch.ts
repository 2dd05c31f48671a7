/**
 * `/home/{appName}/{appId}`: the app link Okta's Apps API publishes (`_links.appLinks`) and the
 * home page lists. It starts an IdP-initiated sign-in — SAML, WS-Federation — or opens a
 * bookmark or an OpenID Connect app's initiate-login URI, or signs in to an SWA app with vaulted
 * credentials (`swa-pages.ts`), for a user assigned to the app.
 */
import type Router from '@koa/router';
import type { Services } from '../../services/index.ts';
import { renderErrorPage } from '../../web/signin/error-page.ts';
import type { BrowserSessions } from '../browser-session.ts';
import { orgOf, type LanyardContext, type LanyardState } from '../state.ts';
import type { SwaPages } from './swa-pages.ts';
import { assignedAppOfPath } from './assigned-app.ts';

export function registerAppLaunch(router: Router<LanyardState>, services: Services, browser: BrowserSessions, swa: SwaPages): void {
  router.get('app-launch', '/home/:appName/:appId', async (ctx: LanyardContext) => {
    const found = await assignedAppOfPath(ctx, services, browser, { fromUri: () => ctx.path });
    if (!found) return;
    const { app, active } = found;
    const org = orgOf(ctx);
    switch (app.signOnMode) {
      case 'SAML_2_0':
        return ctx.redirect(`/app/${app.name}/${app.id}/sso/saml`);
      case 'WS_FEDERATION': {
        const context = await services.wsfedSso.appContext(org, app.id);
        return ctx.redirect(`/app/${app.name}/${app.id}/sso/wsfed/passive?wa=wsignin1.0&wtrealm=${encodeURIComponent(context.rp.realm)}`);
      }
      case 'BOOKMARK': {
        const url = (app.settings.app as { url?: string } | undefined)?.url;
        if (url) return ctx.redirect(url);
        break;
      }
      case 'BROWSER_PLUGIN':
        return swa.launch(ctx, app, active);
      case 'OPENID_CONNECT': {
        const uri = (app.settings.oauthClient as { initiate_login_uri?: string | null } | undefined)?.initiate_login_uri;
        if (uri) return ctx.redirect(uri);
        break;
      }
      default:
        break;
    }
    ctx.status = 409;
    ctx.type = 'text/html';
    ctx.body = renderErrorPage({ title: `${app.label} opens from its own site`, message: 'This app has no sign-in link here. Go to the app and sign in there.' });
  });
}
