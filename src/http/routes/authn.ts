/**
 * The public side of Okta's classic authentication: `POST /api/v1/authn` (username and password →
 * a one-time session token), the session-cookie redirect that turns a session token into a browser
 * session, and `/api/v1/sessions/me`. Browsers on trusted origins (CORS) may call them with
 * credentials, as Okta's JavaScript SDK does.
 */
import type Router from '@koa/router';
import type { Next } from 'koa';
import QRCode from 'qrcode';
import { z } from 'zod';
import { AppError } from '../../kernel/errors.ts';
import type { Services } from '../../services/index.ts';
import type { Caller } from '../../services/caller.ts';
import { userActor } from '../../services/caller.ts';
import type { User } from '../../domain/user.ts';
import { issuesToCauses } from '../../services/validation.ts';
import { validationError } from '../../kernel/errors.ts';
import { readJson } from '../body.ts';
import type { BrowserSessions } from '../browser-session.ts';
import { clearCookie, sessionCookie, type CookiePolicy } from '../cookies.ts';
import { orgOf, type LanyardContext, type LanyardState } from '../state.ts';
import { sessionJson } from '../representations/session.ts';
import type { FactorRecord } from '../../services/ports.ts';
import type { AuthnMfaEnroll, AuthnMfaRequired, AuthnSuccess } from '../../services/authn.ts';
import { relyingParty } from '../relying-party.ts';
import { factorProfile } from '../representations/factor.ts';

const corsPaths = /^\/api\/v1\/(authn(\/.*)?|sessions\/me(\/.*)?)$/;

/**
 * CORS with credentials for trusted origins on the browser-facing APIs; other origins get no
 * CORS headers, so browsers keep their responses from the calling page.
 */
export function trustedOriginCors(services: Services) {
  return async (ctx: LanyardContext, next: Next): Promise<void> => {
    const origin = ctx.get('origin');
    if (!origin || !corsPaths.test(ctx.path) || !ctx.state.org) return next();
    const trusted = await services.trustedOrigins.isTrusted(ctx.state.org.id, origin, 'CORS');
    ctx.vary('Origin');
    if (trusted) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Allow-Credentials', 'true');
      ctx.set('Access-Control-Expose-Headers', 'X-Okta-Request-Id, X-Rate-Limit-Limit, X-Rate-Limit-Remaining, X-Rate-Limit-Reset');
    }
    if (ctx.method === 'OPTIONS') {
      if (trusted) {
        ctx.set('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
        ctx.set('Access-Control-Allow-Headers', ctx.get('access-control-request-headers') || 'Accept, Content-Type, X-Okta-User-Agent-Extended');
        ctx.set('Access-Control-Max-Age', '600');
      }
      ctx.status = 204;
      return;
    }
    await next();
  };
}

const authnBody = z.object({
  username: z.string().min(1).max(256),
  password: z.string().max(256),
  options: z.record(z.string(), z.unknown()).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
});

const changePasswordBody = z.object({ stateToken: z.string().min(1).max(100), oldPassword: z.string().max(256), newPassword: z.string().max(256) });

function embeddedUser(user: User) {
  return {
    id: user.id,
    passwordChanged: user.passwordChanged,
    profile: {
      login: user.profile.login, firstName: user.profile.firstName, lastName: user.profile.lastName,
      locale: user.profile.locale ?? 'en', timeZone: user.profile.timezone ?? 'America/Los_Angeles',
    },
  };
}

function parseBody<S extends z.ZodType>(raw: unknown, schema: S): z.infer<S> {
  if (raw === undefined) throw new AppError('request.malformed_body', { causes: ['A JSON body is required.'] });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationError(issuesToCauses(parsed.error));
  return parsed.data;
}

async function jsonBody<S extends z.ZodType>(ctx: LanyardContext, schema: S): Promise<z.infer<S>> {
  return parseBody(await readJson(ctx), schema);
}

const stateToken = z.string().min(1).max(100);
const stateBody = z.object({ stateToken }).strict();
const factorStep = z.object({ stateToken }).loose();

/** Factors a sign-in can enrol through the authentication API. */
const enrollableFactors = [
  { factorType: 'webauthn', provider: 'FIDO' },
  { factorType: 'token:software:totp', provider: 'GOOGLE' },
  { factorType: 'token:software:totp', provider: 'OKTA' },
] as const;

/** Redirect targets a session-cookie redirect may use: this org, or a trusted REDIRECT origin. */
async function allowedRedirect(services: Services, ctx: LanyardContext, target: string): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(target, ctx.state.orgUrl);
  } catch {
    return undefined;
  }
  if (url.origin === new URL(ctx.state.orgUrl!).origin) return url.href;
  return (await services.trustedOrigins.isTrusted(orgOf(ctx).id, url.origin, 'REDIRECT')) ? url.href : undefined;
}

export function registerAuthnRoutes(router: Router<LanyardState>, services: Services, browser: BrowserSessions,
  policy: CookiePolicy, anonymousCaller: (ctx: LanyardContext) => Caller): void {
  const links = (ctx: LanyardContext) => ({
    cancel: { href: `${ctx.state.orgUrl}/api/v1/authn/cancel`, hints: { allow: ['POST'] } },
  });

  const authnUrl = (ctx: LanyardContext, path: string) => `${ctx.state.orgUrl}/api/v1/authn${path}`;
  const post = { hints: { allow: ['POST'] } };

  /** A factor as the authentication API lists it: verified through the API, by the state token. */
  function authnFactor(ctx: LanyardContext, user: User, factor: FactorRecord) {
    return {
      id: factor.id, factorType: factor.factorType, provider: factor.provider, vendorName: factor.provider,
      profile: factorProfile(user.profile.login, factor),
      _links: { verify: { href: authnUrl(ctx, `/factors/${factor.id}/verify`), ...post } },
    };
  }

  function mfaState(ctx: LanyardContext, result: AuthnMfaRequired | AuthnMfaEnroll) {
    const common = { stateToken: result.stateToken, expiresAt: result.expiresAt, status: result.status };
    if (result.status === 'MFA_REQUIRED') {
      return {
        ...common,
        _embedded: {
          user: embeddedUser(result.user), factors: result.factors.map((f) => authnFactor(ctx, result.user, f)),
          policy: { allowRememberDevice: false, rememberDeviceLifetimeInMinutes: 0, rememberDeviceByDefault: false, factorsPolicyInfo: {} },
        },
        _links: links(ctx),
      };
    }
    return {
      ...common,
      _embedded: {
        user: embeddedUser(result.user),
        factors: enrollableFactors.map((f) => ({
          ...f, vendorName: f.provider, enrollment: 'REQUIRED', status: 'NOT_SETUP',
          _links: { enroll: { href: authnUrl(ctx, '/factors'), ...post } },
        })),
      },
      _links: links(ctx),
    };
  }

  function successBody(ctx: LanyardContext, result: AuthnSuccess) {
    return { expiresAt: result.expiresAt, status: 'SUCCESS', sessionToken: result.sessionToken, _embedded: { user: embeddedUser(result.user) }, _links: links(ctx) };
  }

  router.post('authn', '/api/v1/authn', async (ctx: LanyardContext) => {
    ctx.state.routeName = '/api/v1/authn';
    const raw = await readJson(ctx);
    ctx.set('Cache-Control', 'no-store');
    // `{stateToken}` alone asks where a sign-in stands (Okta's "get transaction state").
    const resumed = stateBody.safeParse(raw);
    if (resumed.success) {
      const state = await services.authn.transactionState(anonymousCaller(ctx), resumed.data.stateToken);
      ctx.body = mfaState(ctx, state);
      return;
    }
    const body = parseBody(raw, authnBody);
    const result = await services.authn.authenticate(anonymousCaller(ctx), body.username.trim(), body.password);
    if (result.status === 'SUCCESS') {
      ctx.body = successBody(ctx, result);
      return;
    }
    if (result.status === 'MFA_REQUIRED' || result.status === 'MFA_ENROLL') {
      ctx.body = mfaState(ctx, result);
      return;
    }
    if (result.status === 'LOCKED_OUT') {
      // Lanyard has no self-service unlock yet, so the answer names no `unlock` step; an admin unlocks.
      ctx.body = { status: 'LOCKED_OUT', _links: links(ctx) };
      return;
    }
    const policyOf = await services.signOnPolicy.passwordPolicyFor(orgOf(ctx).id, result.user.id);
    ctx.body = {
      stateToken: result.stateToken, expiresAt: result.expiresAt, status: 'PASSWORD_EXPIRED',
      _embedded: {
        user: embeddedUser(result.user),
        policy: {
          complexity: {
            minLength: policyOf.minLength, minLowerCase: policyOf.requireLowercase ? 1 : 0, minUpperCase: policyOf.requireUppercase ? 1 : 0,
            minNumber: policyOf.requireNumber ? 1 : 0, minSymbol: policyOf.requireSymbol ? 1 : 0, excludeUsername: policyOf.excludeUsername,
          },
          age: { minAgeMinutes: 0, historyCount: policyOf.historyCount },
        },
      },
      _links: {
        next: { name: 'changePassword', href: `${ctx.state.orgUrl}/api/v1/authn/credentials/change_password`, hints: { allow: ['POST'] } },
        ...links(ctx),
      },
    };
  });

  router.post('authn-change-password', '/api/v1/authn/credentials/change_password', async (ctx: LanyardContext) => {
    ctx.state.routeName = '/api/v1/authn/credentials/change_password';
    const body = await jsonBody(ctx, changePasswordBody);
    const org = orgOf(ctx);
    const user = /^[A-Za-z0-9]{20}$/.test(body.stateToken) ? await services.credentials.userOfLink(org, body.stateToken, 'recovery') : undefined;
    if (!user) throw new AppError('auth.invalid_session', { debug: 'unknown or expired state token' });
    const proven = await services.signIn.signIn(anonymousCaller(ctx), user.profile.login, body.oldPassword);
    if (proven.kind !== 'password_expired' && proven.kind !== 'success') {
      throw new AppError('user.credentials_failed', { causes: ['oldPassword: The credentials provided were incorrect.'] });
    }
    const updated = await services.credentials.completeLink({ ...anonymousCaller(ctx), actor: userActor(user) }, body.stateToken, 'recovery', body.newPassword);
    const result = await services.authn.authenticate(anonymousCaller(ctx), updated.profile.login, body.newPassword);
    if (result.status !== 'SUCCESS') throw new AppError('auth.authentication_failed');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { expiresAt: result.expiresAt, status: 'SUCCESS', sessionToken: result.sessionToken, _embedded: { user: embeddedUser(result.user) }, _links: links(ctx) };
  });

  router.post('authn-factor-verify', '/api/v1/authn/factors/:factorId/verify', async (ctx: LanyardContext) => {
    ctx.state.routeName = '/api/v1/authn/factors/:factorId/verify';
    const body = await jsonBody(ctx, factorStep);
    const factorId = (ctx as unknown as { params: { factorId: string } }).params.factorId;
    ctx.set('Cache-Control', 'no-store');
    // A security key first needs a challenge: the state token alone asks for one (Okta's MFA_CHALLENGE).
    if (Object.keys(body).length === 1) {
      const challenge = await services.authn.challengeFactor(anonymousCaller(ctx), body.stateToken, factorId, relyingParty(ctx));
      if (challenge.options) {
        ctx.body = {
          stateToken: body.stateToken, expiresAt: challenge.expiresAt, status: 'MFA_CHALLENGE', factorResult: 'CHALLENGE',
          _embedded: {
            user: embeddedUser(challenge.user),
            factor: { ...authnFactor(ctx, challenge.user, challenge.factor), _embedded: { challenge: challenge.options } },
          },
          _links: { next: { name: 'verify', href: authnUrl(ctx, `/factors/${factorId}/verify`), ...post }, ...links(ctx) },
        };
        return;
      }
    }
    ctx.body = successBody(ctx, await services.authn.verifyFactor(anonymousCaller(ctx), body.stateToken, factorId, body, relyingParty(ctx)));
  });

  router.post('authn-factor-enroll', '/api/v1/authn/factors', async (ctx: LanyardContext) => {
    ctx.state.routeName = '/api/v1/authn/factors';
    const body = await jsonBody(ctx, factorStep);
    const enrolled = await services.authn.enrollFactor(anonymousCaller(ctx), body.stateToken, body, relyingParty(ctx));
    const factor = enrolled.factor;
    const activate = authnUrl(ctx, `/factors/${factor.id}/lifecycle/activate`);
    ctx.set('Cache-Control', 'no-store');
    // A security key's activation is its creation options; an authenticator app's, its secret and QR code
    // (inline: a browser signing in holds no API token to fetch it with).
    const activation = enrolled.kind === 'webauthn' ? enrolled.options : {
      timeStep: 30, sharedSecret: enrolled.secret, encoding: 'base32', keyLength: 6,
      _links: { qrcode: { href: await QRCode.toDataURL(enrolled.uri, { margin: 2, width: 256 }), type: 'image/png' } },
    };
    ctx.body = {
      stateToken: body.stateToken, status: 'MFA_ENROLL_ACTIVATE', factorResult: 'WAITING',
      _embedded: {
        user: embeddedUser(enrolled.user),
        factor: {
          id: factor.id, factorType: factor.factorType, provider: factor.provider, vendorName: factor.provider,
          profile: factorProfile(enrolled.login, factor), _embedded: { activation },
        },
      },
      _links: { next: { name: 'activate', href: activate, ...post }, ...links(ctx) },
    };
  });

  router.post('authn-factor-activate', '/api/v1/authn/factors/:factorId/lifecycle/activate', async (ctx: LanyardContext) => {
    ctx.state.routeName = '/api/v1/authn/factors/:factorId/lifecycle/activate';
    const body = await jsonBody(ctx, factorStep);
    const factorId = (ctx as unknown as { params: { factorId: string } }).params.factorId;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = successBody(ctx, await services.authn.activateFactor(anonymousCaller(ctx), body.stateToken, factorId, body, relyingParty(ctx)));
  });

  router.post('authn-cancel', '/api/v1/authn/cancel', async (ctx: LanyardContext) => {
    ctx.state.routeName = '/api/v1/authn/cancel';
    const body = stateBody.safeParse(await readJson(ctx));
    if (body.success) await services.authn.cancel(orgOf(ctx), body.data.stateToken);
    ctx.body = { status: 'UNAUTHENTICATED' };
  });

  router.get('session-cookie-redirect', '/login/sessionCookieRedirect', async (ctx: LanyardContext) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    const redirectUrl = typeof ctx.query.redirectUrl === 'string' ? ctx.query.redirectUrl : '/';
    const target = await allowedRedirect(services, ctx, redirectUrl);
    if (!target) {
      throw new AppError('request.invalid_argument', { detail: 'redirectUrl must be this org or a trusted origin with the REDIRECT scope' });
    }
    const redeemed = await services.authn.redeemSessionToken(orgOf(ctx), token);
    if (!redeemed) throw new AppError('auth.invalid_session', { debug: 'session token unknown, used or expired' });
    await browser.start(ctx, redeemed.user, redeemed.amr);
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(target);
  });

  router.get('session-me', '/api/v1/sessions/me', async (ctx: LanyardContext) => {
    ctx.state.routeName = '/api/v1/sessions/me';
    const active = await browser.current(ctx);
    if (!active) throw new AppError('resource.not_found', { detail: 'me (Session)' });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = sessionJson(active, orgOf(ctx).id, ctx.state.orgUrl!, 'me');
  });

  router.post('session-me-refresh', '/api/v1/sessions/me/lifecycle/refresh', async (ctx: LanyardContext) => {
    ctx.state.routeName = '/api/v1/sessions/me/lifecycle/refresh';
    const active = await browser.current(ctx);
    if (!active) throw new AppError('resource.not_found', { detail: 'me (Session)' });
    ctx.body = sessionJson(active, orgOf(ctx).id, ctx.state.orgUrl!, 'me');
  });

  router.delete('session-me-delete', '/api/v1/sessions/me', async (ctx: LanyardContext) => {
    ctx.state.routeName = '/api/v1/sessions/me';
    const active = await browser.current(ctx);
    if (!active) throw new AppError('resource.not_found', { detail: 'me (Session)' });
    await services.sessions.end({ ...anonymousCaller(ctx), actor: userActor(active.user) }, active);
    clearCookie(ctx, policy, sessionCookie);
    ctx.status = 204;
  });

  router.post('session-from-token', '/api/v1/sessions', async (ctx: LanyardContext) => {
    ctx.state.routeName = '/api/v1/sessions';
    const body = await jsonBody(ctx, z.object({ sessionToken: z.string().min(1).max(100) }));
    const redeemed = await services.authn.redeemSessionToken(orgOf(ctx), body.sessionToken);
    if (!redeemed) throw new AppError('auth.invalid_session', { debug: 'session token unknown, used or expired' });
    const active = await browser.start(ctx, redeemed.user, redeemed.amr);
    ctx.body = sessionJson(active, orgOf(ctx).id, ctx.state.orgUrl!);
  });
}
