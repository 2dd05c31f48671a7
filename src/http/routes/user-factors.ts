/**
 * `/api/v1/users/{id}/factors`: Okta's Factors API for software TOTP — enrol (with the shared
 * secret and a QR code to scan), activate with a first passcode (answered with one-time backup
 * codes), verify — and for WebAuthn — enrol (with the credential creation options), activate with
 * the attestation, ask for a challenge, verify the assertion; list, remove, and reset all of a
 * user's factors. WebAuthn ceremonies are bound to the org URL the request came to.
 */
import { z } from 'zod';
import QRCode from 'qrcode';
import { relyingParty } from '../relying-party.ts';
import { webauthnEnrollSchema } from '../../services/factors.ts';
import type { Services } from '../../services/index.ts';
import type { FactorRecord } from '../../services/ports.ts';
import { parseOrThrow } from '../../services/validation.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { factorProfile } from '../representations/factor.ts';
import type { LanyardContext } from '../state.ts';

const userParams = z.object({ userId: z.string().min(1).max(200) });
const factorParams = z.object({ userId: z.string().min(1).max(200), factorId: z.string().min(1).max(200) });
const body = z.record(z.string(), z.unknown());
const factorSchema = z.object({ id: z.string(), factorType: z.string(), status: z.string() }).loose();

/** What a factor's answer embeds: a TOTP secret or WebAuthn creation options while it awaits activation, backup codes once activated. */
type Embedded = { secret: string } | { options: unknown } | { backupCodes: readonly string[] };

function embeddedJson(self: string, embedded: Embedded): Record<string, unknown> {
  if ('secret' in embedded) {
    return {
      activation: {
        timeStep: 30, sharedSecret: embedded.secret, encoding: 'base32', keyLength: 6,
        _links: { qrcode: { href: `${self}/qr`, type: 'image/png' } },
      },
    };
  }
  // Backup codes are Lanyard's addition; Okta's SDKs pass over what they do not know.
  return 'options' in embedded ? { activation: embedded.options } : { backupCodes: embedded.backupCodes };
}

function factorJson(orgUrl: string, login: string, factor: FactorRecord, embedded?: Embedded): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/users/${factor.userId}/factors/${factor.id}`;
  const links: Record<string, unknown> = { self: { href: self, hints: { allow: ['GET', 'DELETE'] } }, user: { href: `${orgUrl}/api/v1/users/${factor.userId}` } };
  if (factor.status === 'PENDING_ACTIVATION') links.activate = { href: `${self}/lifecycle/activate`, hints: { allow: ['POST'] } };
  else links.verify = { href: `${self}/verify`, hints: { allow: ['POST'] } };
  const profile = factorProfile(login, factor);
  return {
    id: factor.id, factorType: factor.factorType, provider: factor.provider, vendorName: factor.provider, status: factor.status,
    created: factor.created, lastUpdated: factor.lastUpdated, profile, _links: links,
    ...(embedded ? { _embedded: embeddedJson(self, embedded) } : {}),
  };
}

const isEmpty = (input: Record<string, unknown> | undefined) => input === undefined || Object.keys(input).length === 0;

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
        const supported = [['token:software:totp', 'GOOGLE'], ['token:software:totp', 'OKTA'], ['webauthn', 'FIDO']] as const;
        return {
          body: supported.map(([factorType, provider]) => ({
            factorType, provider, vendorName: provider,
            status: factors.some((x) => x.factorType === factorType && x.provider === provider && x.status === 'ACTIVE') ? 'ACTIVE' : 'NOT_SETUP',
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
      summary: 'Enrol a factor: `{factorType: "token:software:totp", provider: GOOGLE|OKTA}` (the answer holds the shared secret and a QR code link) '
        + 'or `{factorType: "webauthn", provider: "FIDO"}` (the answer holds the credential creation options; several WebAuthn factors are allowed).',
      params: userParams, body, bodyRequired: true,
      response: { status: 200, description: 'The factor, pending activation', schema: factorSchema },
      errors: ['resource.not_found', 'request.validation_failed', 'factor.already_enrolled'],
      handle: async ({ params, body: input, caller, ctx }) => {
        if (input.factorType === 'webauthn') {
          parseOrThrow(webauthnEnrollSchema, input);
          const enrolled = await f.enrollWebAuthn(caller, params.userId, relyingParty(ctx));
          return { body: factorJson(url(ctx), enrolled.login, enrolled.factor, { options: enrolled.options }) };
        }
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
      summary: 'Activate a factor: TOTP with a first passcode `{passCode}` (the answer carries ten one-time backup codes in `_embedded.backupCodes`, shown once); '
        + 'WebAuthn with the authenticator\'s answer `{attestation, clientData}` (base64url).',
      params: factorParams, body, bodyRequired: true,
      response: { status: 200, description: 'The factor, active', schema: factorSchema },
      errors: ['resource.not_found', 'request.validation_failed', 'factor.invalid_passcode', 'factor.webauthn_refused', 'factor.already_enrolled'],
      handle: async ({ params, body: input, caller, ctx }) => {
        const factor = await f.activate(caller, params.userId, params.factorId, input, relyingParty(ctx));
        const { login } = await f.list(caller, params.userId);
        if (!factor.backupCodes) return { body: factorJson(url(ctx), login, factor) };
        return { headers: { 'Cache-Control': 'no-store' }, body: factorJson(url(ctx), login, factor, { backupCodes: factor.backupCodes }) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/users/:userId/factors/:factorId/verify', operationId: 'verifyFactor', tag: 'UserFactor',
      summary: 'Verify a factor. TOTP: `{passCode}`, a current code or a backup code, each accepted once. WebAuthn: without a body, '
        + 'answers `factorResult: "CHALLENGE"` with the request options in `_embedded.challenge`; then `{clientData, authenticatorData, signatureData}` (base64url).',
      params: factorParams, body,
      response: { status: 200, description: '`{factorResult: "SUCCESS"}`, or `"CHALLENGE"` with the challenge' },
      errors: ['resource.not_found', 'request.validation_failed', 'factor.invalid_passcode', 'factor.webauthn_refused', 'factor.not_active', 'rate.limited'],
      handle: async ({ params, body: input, caller, ctx }) => {
        const rp = relyingParty(ctx);
        const factor = await f.requireFactor(caller, params.userId, params.factorId);
        if (factor.factorType === 'webauthn' && isEmpty(input)) {
          const options = await f.challenge(caller, params.userId, params.factorId, rp);
          const self = `${url(ctx)}/api/v1/users/${factor.userId}/factors/${factor.id}`;
          return {
            body: {
              factorResult: 'CHALLENGE', profile: factorProfile('', factor),
              _embedded: { challenge: options },
              _links: { verify: { href: `${self}/verify`, hints: { allow: ['POST'] } }, factor: { href: self, hints: { allow: ['GET', 'DELETE'] } } },
            },
          };
        }
        await services.mfa.guardFactorAttempt(caller, factor.userId);
        await f.verify(caller, params.userId, params.factorId, input ?? {}, rp);
        return { body: { factorResult: 'SUCCESS' } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/users/:userId/factors/:factorId/backup-codes', operationId: 'regenerateBackupCodes', tag: 'UserFactor', lanyard: true,
      summary: 'A new set of ten one-time backup codes for an active TOTP factor, shown once; the earlier codes stop working.',
      params: factorParams,
      response: { status: 200, description: '`{backupCodes: [...]}`' },
      errors: ['resource.not_found', 'request.validation_failed', 'factor.not_active'],
      handle: async ({ params, caller }) => ({
        headers: { 'Cache-Control': 'no-store' },
        body: { backupCodes: await f.regenerateBackupCodes(caller, params.userId, params.factorId) },
      }),
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
