/**
 * `/api/v1/users/{id}/factors`: Okta's Factors API for software TOTP — enrol (with the shared
 * secret and a QR code to scan), activate with a first passcode, verify, list, remove, and reset
 * all of a user's factors.
 */
import { z } from 'zod';
import QRCode from 'qrcode';
import type { Services } from '../../services/index.ts';
import type { FactorRecord } from '../../services/ports.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import type { LanyardContext } from '../state.ts';

const userParams = z.object({ userId: z.string().min(1).max(200) });
const factorParams = z.object({ userId: z.string().min(1).max(200), factorId: z.string().min(1).max(200) });
const body = z.record(z.string(), z.unknown());
const factorSchema = z.object({ id: z.string(), factorType: z.string(), status: z.string() }).loose();

function factorJson(orgUrl: string, login: string, factor: FactorRecord, activation?: { secret: string }): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/users/${factor.userId}/factors/${factor.id}`;
  const links: Record<string, unknown> = { self: { href: self, hints: { allow: ['GET', 'DELETE'] } }, user: { href: `${orgUrl}/api/v1/users/${factor.userId}` } };
  if (factor.status === 'PENDING_ACTIVATION') links.activate = { href: `${self}/lifecycle/activate`, hints: { allow: ['POST'] } };
  else links.verify = { href: `${self}/verify`, hints: { allow: ['POST'] } };
  return {
    id: factor.id, factorType: factor.factorType, provider: factor.provider, vendorName: factor.provider, status: factor.status,
    created: factor.created, lastUpdated: factor.lastUpdated, profile: { credentialId: login }, _links: links,
    ...(activation ? {
      _embedded: {
        activation: {
          timeStep: 30, sharedSecret: activation.secret, encoding: 'base32', keyLength: 6,
          _links: { qrcode: { href: `${self}/qr`, type: 'image/png' } },
        },
      },
    } : {}),
  };
}

export function userFactorRoutes(services: Services): ApiRoute[] {
  const f = services.factors;
  const url = (ctx: LanyardContext) => ctx.state.orgUrl!;
  return [
    defineRoute({
      method: 'get', path: '/api/v1/users/:userId/factors/catalog', operationId: 'listSupportedFactors', tag: 'UserFactor',
      summary: 'The factors a user can enrol, and whether each is set up.',
      params: userParams,
      response: { status: 200, description: 'The supported factors' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => {
        const { userId, factors } = await f.list(caller, params.userId);
        return {
          body: ['GOOGLE', 'OKTA'].map((provider) => ({
            factorType: 'token:software:totp', provider, vendorName: provider,
            status: factors.some((x) => x.provider === provider && x.status === 'ACTIVE') ? 'ACTIVE' : 'NOT_SETUP',
            _links: { enroll: { href: `${url(ctx)}/api/v1/users/${userId}/factors`, hints: { allow: ['POST'] } } },
          })),
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/users/:userId/factors', operationId: 'listFactors', tag: 'UserFactor',
      summary: 'The user\'s enrolled factors.',
      params: userParams,
      response: { status: 200, description: 'The factors', schema: z.array(factorSchema) },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => {
        const { login, factors } = await f.list(caller, params.userId);
        return { body: factors.map((factor) => factorJson(url(ctx), login, factor)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/users/:userId/factors', operationId: 'enrollFactor', tag: 'UserFactor',
      summary: 'Enrol a factor: `{factorType: "token:software:totp", provider: GOOGLE|OKTA}`; the answer holds the shared secret and a QR code link.',
      params: userParams, body, bodyRequired: true,
      response: { status: 200, description: 'The factor, pending activation', schema: factorSchema },
      errors: ['resource.not_found', 'request.validation_failed', 'factor.already_enrolled'],
      handle: async ({ params, body: input, caller, ctx }) => {
        const enrolled = await f.enroll(caller, params.userId, input);
        return { body: factorJson(url(ctx), enrolled.login, enrolled.factor, { secret: enrolled.secret }) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/users/:userId/factors/:factorId', operationId: 'getFactor', tag: 'UserFactor',
      summary: 'One factor.',
      params: factorParams,
      response: { status: 200, description: 'The factor', schema: factorSchema },
      errors: ['resource.not_found'],
      handle: async ({ params, caller, ctx }) => {
        const { login } = await f.list(caller, params.userId);
        return { body: factorJson(url(ctx), login, await f.requireFactor(caller, params.userId, params.factorId)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/users/:userId/factors/:factorId/qr', operationId: 'getFactorQrCode', tag: 'UserFactor', lanyard: true,
      summary: 'The QR code an authenticator app scans, while the factor awaits activation.',
      params: factorParams,
      response: { status: 200, description: 'A PNG image' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => ({
        contentType: 'image/png',
        headers: { 'Cache-Control': 'no-store' },
        body: await QRCode.toBuffer(await f.enrollmentUri(caller, params.userId, params.factorId), { type: 'png', margin: 2, width: 256 }),
      }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/users/:userId/factors/:factorId/lifecycle/activate', operationId: 'activateFactor', tag: 'UserFactor',
      summary: 'Activate a factor with a first passcode: `{passCode}`.',
      params: factorParams, body, bodyRequired: true,
      response: { status: 200, description: 'The factor, active', schema: factorSchema },
      errors: ['resource.not_found', 'request.validation_failed', 'factor.invalid_passcode'],
      handle: async ({ params, body: input, caller, ctx }) => {
        const factor = await f.activate(caller, params.userId, params.factorId, input);
        const { login } = await f.list(caller, params.userId);
        return { body: factorJson(url(ctx), login, factor) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/users/:userId/factors/:factorId/verify', operationId: 'verifyFactor', tag: 'UserFactor',
      summary: 'Verify a passcode: `{passCode}`; each code is accepted once.',
      params: factorParams, body, bodyRequired: true,
      response: { status: 200, description: '`{factorResult: "SUCCESS"}`' },
      errors: ['resource.not_found', 'request.validation_failed', 'factor.invalid_passcode', 'factor.not_active'],
      handle: async ({ params, body: input, caller }) => {
        await f.verify(caller, params.userId, params.factorId, input);
        return { body: { factorResult: 'SUCCESS' } };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/users/:userId/factors/:factorId', operationId: 'unenrollFactor', tag: 'UserFactor',
      summary: 'Remove a factor.',
      params: factorParams,
      response: { status: 204, description: 'Removed' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await f.remove(caller, params.userId, params.factorId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/users/:userId/lifecycle/reset_factors', operationId: 'resetFactors', tag: 'UserLifecycle',
      summary: 'Remove every factor of the user.',
      params: userParams,
      response: { status: 200, description: 'An empty object' },
      errors: ['resource.not_found'],
      handle: async ({ params, caller }) => {
        await f.resetAll(caller, params.userId);
        return { body: {} };
      },
    }),
  ];
}
