/**
 * `/admin`: the admin console, a React app built into `dist/console` (`npm run build`). Lanyard
 * serves its files and nothing else: the console signs in with the org authorization server and
 * works through `/api/v1` like any other client. Its pages run under a strict CSP (scripts and
 * styles from this origin only, calls to this origin only).
 */
import type Router from '@koa/router';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Services } from '../../services/index.ts';
import { renderErrorPage } from '../../web/signin/error-page.ts';
import { orgOf, type LanyardContext, type LanyardState } from '../state.ts';

const builtDir = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

export const consoleCsp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const types: Readonly<Record<string, string>> = {
  js: 'text/javascript', css: 'text/css', svg: 'image/svg+xml', png: 'image/png', woff2: 'font/woff2', json: 'application/json',
};

export function registerAdminConsole(router: Router<LanyardState>, services: Services): void {
  let index: Promise<string> | undefined;
  const readIndex = () => (index ??= readFile(`${builtDir}index.html`, 'utf8').catch((error: unknown) => {
    index = undefined;
    throw error;
  }));

  router.get('admin-console-asset', '/admin/assets/:file', async (ctx: LanyardContext) => {
    const { file } = (ctx as unknown as { params: { file: string } }).params;
    const extension = /^[\w-]+\.([a-z0-9]+)$/.exec(file)?.[1];
    const type = extension ? types[extension] : undefined;
    if (!type) return;
    try {
      ctx.body = await readFile(`${builtDir}assets/${file}`);
    } catch {
      return;
    }
    ctx.type = type;
    // File names carry a hash of their content.
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
  });

  const page = async (ctx: LanyardContext) => {
    if (ctx.path === '/admin') return ctx.redirect('/admin/');
    let html: string;
    try {
      html = await readIndex();
    } catch {
      ctx.status = 503;
      ctx.type = 'text/html';
      ctx.body = renderErrorPage({ title: 'The admin console is not built', message: 'Run npm run build (npm ci does it) and start Lanyard again.' });
      return;
    }
    await services.adminConsole.ensure(orgOf(ctx), ctx.state.orgUrl!);
    ctx.type = 'text/html';
    ctx.set('Content-Security-Policy', consoleCsp);
    ctx.body = html;
  };
  router.get('admin-console', '/admin', page);
  router.get('admin-console-page', '/admin/{*rest}', page);
}
