/**
 * `POST /sso/swa/fill`: the Lanyard browser extension asks, from an SWA app's sign-in page, for
 * the sign-in its user just launched from Lanyard. Only the extension may ask: the request must
 * carry `X-Lanyard-Extension: 1` — a header no web page can send here, because it needs a CORS
 * preflight that this endpoint never approves — and come from a `chrome-extension://` origin.
 * The browser's Lanyard session cookie says whose launch it is.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AppError, validationError } from '../../kernel/errors.ts';
import type { Services } from '../../services/index.ts';
import type { Caller } from '../../services/caller.ts';
import { userActor } from '../../services/caller.ts';
import { issuesToCauses } from '../../services/validation.ts';
import { readJson } from '../body.ts';
import type { BrowserSessions } from '../browser-session.ts';
import type { LanyardContext, LanyardState } from '../state.ts';

export const swaFillPath = '/sso/swa/fill';

const fillBody = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the page' }).max(4096),
}).strict();

function onlyTheExtension(ctx: LanyardContext): void {
  const origin = ctx.get('origin');
  if (ctx.get('x-lanyard-extension') !== '1' || !/^chrome-extension:\/\/[a-p]{32}$/.test(origin)) {
    throw new AppError('swa.extension_only', { debug: `fill asked without the extension's header or from origin ${origin.slice(0, 100) || '(none)'}` });
  }
}

async function pageUrl(ctx: LanyardContext): Promise<URL> {
  const raw = await readJson(ctx);
  if (raw === undefined) throw new AppError('request.malformed_body', { causes: ['A JSON body {"url": …} is required.'] });
  const parsed = fillBody.safeParse(raw);
  if (!parsed.success) throw validationError(issuesToCauses(parsed.error));
  return new URL(parsed.data.url);
}

export function registerSwaFill(router: Router<LanyardState>, services: Services, browser: BrowserSessions,
  anonymousCaller: (ctx: LanyardContext) => Caller): void {
  // A preflight is what a web page's request with the extension's header starts with: refused.
  router.options('swa-fill-preflight', swaFillPath, () => {
    throw new AppError('swa.extension_only', { debug: 'CORS preflight for the fill endpoint' });
  });

  router.post('swa-fill', swaFillPath, async (ctx: LanyardContext) => {
    ctx.state.routeName = swaFillPath;
    // Credentials must never sit in a cache, whatever the answer.
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    onlyTheExtension(ctx);
    const active = await browser.current(ctx);
    if (!active) throw new AppError('swa.no_fill_waiting', { detail: 'sign-in fill (SwaFill)', debug: 'no Lanyard session' });
    const url = await pageUrl(ctx);
    ctx.body = await services.swaFill.fill({ ...anonymousCaller(ctx), actor: userActor(active.user) }, active, url);
  });
}
