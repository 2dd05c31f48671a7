/**
 * `/catalog/integrations/{id}/logo`: a published integration's logo, for `<img>` tags on any
 * page (no credentials needed; unpublished logos are not served). An SVG is served under a
 * policy that forbids it everything but drawing, in case a browser is led to open it directly.
 */
import type Router from '@koa/router';
import type { Services } from '../../services/index.ts';
import { AppError, isAppError } from '../../kernel/errors.ts';
import type { LanyardContext, LanyardState } from '../state.ts';

export function registerCatalogAssets(router: Router<LanyardState>, services: Services): void {
  router.get('catalog-logo', '/catalog/integrations/:integrationId/logo', async (ctx: LanyardContext) => {
    const { integrationId } = (ctx as unknown as { params: { integrationId: string } }).params;
    const version = typeof ctx.query.version === 'string' ? ctx.query.version : undefined;
    if (integrationId.length > 64 || (version !== undefined && version.length > 20)) throw new AppError('request.path_not_found');
    const entry = await services.catalog.get(integrationId, version).catch((error: unknown) => {
      if (isAppError(error)) throw new AppError('request.path_not_found');
      throw error;
    });
    const { mediaType, data } = entry.manifest.logo;
    ctx.type = mediaType;
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    ctx.set('Cache-Control', version !== undefined ? 'public, max-age=86400, immutable' : 'public, max-age=300');
    ctx.body = Buffer.from(data, 'base64');
  });
}
