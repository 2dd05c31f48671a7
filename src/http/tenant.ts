/**
 * Tenancy: the Host header names the org (DESIGN §3). Requests for a host no org answers on get a
 * 404 that says where the first org is, rather than some other org's data.
 */
import type { Next } from 'koa';
import { AppError } from '../kernel/errors.ts';
import { orgUrl } from '../domain/org-url.ts';
import type { OrgService } from '../services/orgs.ts';
import type { LanyardContext } from './state.ts';

export function tenantMiddleware(orgs: OrgService, baseUrl: URL) {
  return async (ctx: LanyardContext, next: Next): Promise<void> => {
    const host = ctx.get('host');
    const org = host && host.length <= 255 ? await orgs.resolveHost(host) : undefined;
    if (!org) {
      throw new AppError('request.path_not_found', {
        debug: `no org answers on host ${host.slice(0, 255)}`,
        causes: [`No org answers at ${host.slice(0, 255) || 'this address'}. The first org is at ${baseUrl.origin}.`],
      });
    }
    ctx.state.org = org;
    ctx.state.orgUrl = orgUrl(org, baseUrl);
    await next();
  };
}
