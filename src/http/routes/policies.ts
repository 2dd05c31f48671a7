/**
 * `/api/v1/policies`: Okta's Policy API for the global session policy (OKTA_SIGN_ON), password
 * policies (PASSWORD) and app sign-on policies (ACCESS_POLICY) with their rules, and
 * `PUT /api/v1/apps/{appId}/policies/{policyId}`, which gives an app its sign-on policy.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import type { Timestamped } from '../../services/ports.ts';
import { policyTypes, type OrgPolicy, type OrgPolicyRule } from '../../domain/policy.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import type { LanyardContext } from '../state.ts';

const policyParams = z.object({ policyId: z.string().min(1).max(200) });
const ruleParams = z.object({ policyId: z.string().min(1).max(200), ruleId: z.string().min(1).max(200) });
const appPolicyParams = z.object({ appId: z.string().min(1).max(200), policyId: z.string().min(1).max(200) });
const body = z.record(z.string(), z.unknown());
const booleanParam = z.enum(['true', 'false'], { error: 'must be true or false' }).optional().transform((v) => (v === undefined ? undefined : v === 'true'));
const policySchema = z.object({ id: z.string(), type: z.string(), name: z.string(), status: z.string(), priority: z.number() }).loose();
const ruleSchema = z.object({ id: z.string(), type: z.string(), name: z.string(), status: z.string(), priority: z.number() }).loose();

function lifecycleLinks(self: string, status: string) {
  const next = status === 'ACTIVE' ? 'deactivate' : 'activate';
  return { [next]: { href: `${self}/lifecycle/${next}`, hints: { allow: ['POST'] } } };
}

export function policyJson(orgUrl: string, policy: Timestamped<OrgPolicy>): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/policies/${policy.id}`;
  return {
    id: policy.id, type: policy.type, name: policy.name, description: policy.description, status: policy.status,
    priority: policy.priority, system: policy.system, conditions: policy.conditions,
    ...(policy.type === 'PASSWORD' ? { settings: policy.settings } : {}),
    created: policy.created, lastUpdated: policy.lastUpdated,
    _links: {
      self: { href: self, hints: { allow: policy.system ? ['GET', 'PUT'] : ['GET', 'PUT', 'DELETE'] } },
      rules: { href: `${self}/rules`, hints: { allow: ['GET', 'POST'] } },
      ...(policy.type === 'ACCESS_POLICY' ? { applications: { href: `${self}/app`, hints: { allow: ['GET'] } } } : {}),
      ...(policy.system ? {} : lifecycleLinks(self, policy.status)),
    },
  };
}

export function ruleJson(orgUrl: string, rule: Timestamped<OrgPolicyRule>): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/policies/${rule.policyId}/rules/${rule.id}`;
  return {
    id: rule.id, type: rule.type, name: rule.name, status: rule.status, priority: rule.priority, system: rule.system,
    conditions: rule.conditions, actions: rule.actions, created: rule.created, lastUpdated: rule.lastUpdated,
    _links: {
      self: { href: self, hints: { allow: rule.system ? ['GET', 'PUT'] : ['GET', 'PUT', 'DELETE'] } },
      ...(rule.system ? {} : lifecycleLinks(self, rule.status)),
    },
  };
}

export function policyRoutes(services: Services): ApiRoute[] {
  const p = services.policies;
  const url = (ctx: LanyardContext) => ctx.state.orgUrl!;
  const lifecycle = (kind: 'policy' | 'rule') => (['activate', 'deactivate'] as const).map((operation) => kind === 'policy'
    ? defineRoute({
      method: 'post', path: `/api/v1/policies/:policyId/lifecycle/${operation}`, operationId: `${operation}Policy`, tag: 'Policy',
      summary: `${operation === 'activate' ? 'Activate' : 'Deactivate'} a policy (default policies are always active).`,
      params: policyParams,
      response: { status: 204, description: 'Done' },
      errors: ['resource.not_found', 'resource.read_only', 'resource.in_use'],
      handle: async ({ params, caller }) => {
        await p.setStatus(caller, params.policyId, operation === 'activate' ? 'ACTIVE' : 'INACTIVE');
        return { status: 204 };
      },
    })
    : defineRoute({
      method: 'post', path: `/api/v1/policies/:policyId/rules/:ruleId/lifecycle/${operation}`, operationId: `${operation}PolicyRule`, tag: 'Policy',
      summary: `${operation === 'activate' ? 'Activate' : 'Deactivate'} a rule (default rules are always active).`,
      params: ruleParams,
      response: { status: 204, description: 'Done' },
      errors: ['resource.not_found', 'resource.read_only'],
      handle: async ({ params, caller }) => {
        await p.setRuleStatus(caller, params.policyId, params.ruleId, operation === 'activate' ? 'ACTIVE' : 'INACTIVE');
        return { status: 204 };
      },
    }));

  return [
    defineRoute({
      method: 'get', path: '/api/v1/policies', operationId: 'listPolicies', tag: 'Policy',
      summary: 'List the policies of one `type` (OKTA_SIGN_ON, PASSWORD, ACCESS_POLICY) by priority; `status` and `q` (name prefix) narrow it.',
      query: z.object({
        type: z.enum(policyTypes, { error: `must be one of ${policyTypes.join(', ')}` }),
        status: z.enum(['ACTIVE', 'INACTIVE'], { error: 'must be ACTIVE or INACTIVE' }).optional(),
        q: z.string().max(255).optional(), expand: z.string().optional(), sortBy: z.string().optional(), limit: z.string().optional(), after: z.string().optional(),
      }),
      response: { status: 200, description: 'The policies', schema: z.array(policySchema) },
      errors: ['request.validation_failed'],
      handle: async ({ query, caller, ctx }) => ({ body: (await p.list(caller, query)).map((policy) => policyJson(url(ctx), policy)) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/policies', operationId: 'createPolicy', tag: 'Policy',
      summary: 'Create a policy; `activate=false` makes it INACTIVE.',
      query: z.object({ activate: booleanParam }), body, bodyRequired: true,
      response: { status: 200, description: 'The new policy', schema: policySchema },
      errors: ['request.validation_failed'],
      handle: async ({ query, body: input, caller, ctx }) => ({ body: policyJson(url(ctx), await p.create(caller, input, query.activate)) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/policies/:policyId', operationId: 'getPolicy', tag: 'Policy',
      summary: 'One policy.',
      params: policyParams, query: z.object({ expand: z.string().optional() }),
      response: { status: 200, description: 'The policy', schema: policySchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: policyJson(url(ctx), await p.get(caller, params.policyId)) }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/policies/:policyId', operationId: 'replacePolicy', tag: 'Policy',
      summary: 'Replace a policy. The default PASSWORD policy\'s settings are the org\'s password and lockout settings.',
      params: policyParams, body, bodyRequired: true,
      response: { status: 200, description: 'The policy', schema: policySchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body: input, caller, ctx }) => ({ body: policyJson(url(ctx), await p.replace(caller, params.policyId, input)) }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/policies/:policyId', operationId: 'deletePolicy', tag: 'Policy',
      summary: 'Delete a policy and its rules; default policies, and policies apps use, stay.',
      params: policyParams,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found', 'resource.read_only', 'resource.in_use'],
      handle: async ({ params, caller }) => {
        await p.remove(caller, params.policyId);
        return { status: 204 };
      },
    }),
    ...lifecycle('policy'),
    defineRoute({
      method: 'get', path: '/api/v1/policies/:policyId/app', operationId: 'listPolicyApps', tag: 'Policy',
      summary: 'The ids of the apps given this app sign-on policy.',
      params: policyParams,
      response: { status: 200, description: 'The apps, as `{id}` objects' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({
        body: (await p.appsOf(caller, params.policyId)).map((id) => ({ id, _links: { self: { href: `${url(ctx)}/api/v1/apps/${id}` } } })),
      }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/policies/:policyId/rules', operationId: 'listPolicyRules', tag: 'Policy',
      summary: 'The policy\'s rules by priority.',
      params: policyParams, query: z.object({ limit: z.string().optional() }),
      response: { status: 200, description: 'The rules', schema: z.array(ruleSchema) },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: (await p.listRules(caller, params.policyId)).map((rule) => ruleJson(url(ctx), rule)) }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/policies/:policyId/rules', operationId: 'createPolicyRule', tag: 'Policy',
      summary: 'Add a rule; `activate=false` makes it INACTIVE. Rules go before the default rule.',
      params: policyParams, query: z.object({ activate: booleanParam, limit: z.string().optional() }), body, bodyRequired: true,
      response: { status: 200, description: 'The new rule', schema: ruleSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, query, body: input, caller, ctx }) => ({ body: ruleJson(url(ctx), await p.createRule(caller, params.policyId, input, query.activate)) }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/policies/:policyId/rules/:ruleId', operationId: 'getPolicyRule', tag: 'Policy',
      summary: 'One rule.',
      params: ruleParams,
      response: { status: 200, description: 'The rule', schema: ruleSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => ({ body: ruleJson(url(ctx), await p.getRule(caller, params.policyId, params.ruleId)) }),
    }),
    defineRoute({
      method: 'put', path: '/api/v1/policies/:policyId/rules/:ruleId', operationId: 'replacePolicyRule', tag: 'Policy',
      summary: 'Replace a rule (a default rule keeps its name and conditions).',
      params: ruleParams, body, bodyRequired: true,
      response: { status: 200, description: 'The rule', schema: ruleSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, body: input, caller, ctx }) => ({ body: ruleJson(url(ctx), await p.replaceRule(caller, params.policyId, params.ruleId, input)) }),
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/policies/:policyId/rules/:ruleId', operationId: 'deletePolicyRule', tag: 'Policy',
      summary: 'Delete a rule; default rules stay.',
      params: ruleParams,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found', 'resource.read_only'],
      handle: async ({ params, caller }) => {
        await p.removeRule(caller, params.policyId, params.ruleId);
        return { status: 204 };
      },
    }),
    ...lifecycle('rule'),
    defineRoute({
      method: 'put', path: '/api/v1/apps/:appId/policies/:policyId', operationId: 'assignApplicationPolicy', tag: 'ApplicationPolicies',
      summary: 'Give an app an ACTIVE app sign-on (ACCESS_POLICY) policy; apps without one use the default.',
      params: appPolicyParams,
      response: { status: 204, description: 'Assigned' },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ params, caller }) => {
        await p.assignApp(caller, params.appId, params.policyId);
        return { status: 204 };
      },
    }),
  ];
}
