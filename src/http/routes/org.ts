/** `/api/v1/org`: the org as Okta shows it, and Lanyard's org settings (policies, rate limits). */
import { z } from 'zod';
import type { Org } from '../../domain/org.ts';
import type { Services } from '../../services/index.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';

const orgSchema = z.object({ id: z.string(), subdomain: z.string(), companyName: z.string() }).loose().describe('OrgSetting');

function orgJson(org: Org, orgUrl: string) {
  return {
    id: org.id,
    subdomain: org.name,
    companyName: org.displayName,
    status: 'ACTIVE',
    created: org.created,
    lastUpdated: org.lastUpdated,
    website: null,
    _links: { self: { href: `${orgUrl}/api/v1/org` } },
  };
}

export function orgRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/org', operationId: 'getOrgSettings', tag: 'OrgSetting',
      summary: 'The org this request addresses.',
      response: { status: 200, description: 'The org', schema: orgSchema },
      handle: async ({ caller, ctx }) => ({ body: orgJson(caller.org, ctx.state.orgUrl!) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/org', operationId: 'updateOrgSettings', tag: 'OrgSetting',
      summary: 'Change the org partially: `companyName`, the name people see.',
      body: z.record(z.string(), z.unknown()), bodyRequired: true,
      response: { status: 200, description: 'The org', schema: orgSchema },
      errors: ['request.validation_failed'],
      handle: async ({ body, caller, ctx }) => ({ body: orgJson(await services.orgs.updateProfile(caller, body), ctx.state.orgUrl!) }),
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
