/** `/api/v1/org`: the org as Okta shows it, and Lanyard's org settings (policies, rate limits). */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';

export function orgRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/org', operationId: 'getOrgSettings', tag: 'OrgSetting',
      summary: 'The org this request addresses.',
      response: { status: 200, description: 'The org', schema: z.object({ id: z.string(), subdomain: z.string() }).loose() },
      handle: async ({ caller, ctx }) => ({
        body: {
          id: caller.org.id,
          subdomain: caller.org.name,
          companyName: caller.org.displayName,
          status: 'ACTIVE',
          created: caller.org.created,
          lastUpdated: caller.org.lastUpdated,
          website: null,
          _links: { self: { href: `${ctx.state.orgUrl}/api/v1/org` } },
        },
      }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/org/settings', operationId: 'getLanyardOrgSettings', tag: 'OrgSetting', lanyard: true,
      summary: 'Password policy, lockout, session lifetime and rate-limit overrides of this org.',
      response: { status: 200, description: 'Settings' },
      handle: async ({ caller }) => ({ body: caller.org.settings }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/org/settings', operationId: 'updateLanyardOrgSettings', tag: 'OrgSetting', lanyard: true,
      summary: 'Change settings; sections not sent keep their values, a section sent is replaced as a whole.',
      body: z.record(z.string(), z.unknown()), bodyRequired: true,
      response: { status: 200, description: 'The settings now in force' },
      errors: ['request.validation_failed'],
      handle: async ({ body, caller }) => ({ body: await services.orgs.updateSettings(caller, body) }),
    }),
  ];
}
