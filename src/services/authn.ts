/**
 * Okta's classic Authentication API (`POST /api/v1/authn`): a username and password become a
 * one-time `sessionToken`, which `/authorize?sessionToken=…` (or the session-cookie redirect)
 * exchanges for a sign-in session. When the sign-on policy asks for a second factor, the answer
 * is a `stateToken` first (`MFA_REQUIRED`, or `MFA_ENROLL` for someone without one) and the
 * session token follows the factor. Failures answer as Okta's do: one generic 401.
 */
import { AppError } from '../kernel/errors.ts';
import { randomBase62 } from '../kernel/ids.ts';
import { hashToken } from '../kernel/secrets.ts';
import type { Org } from '../domain/org.ts';
import type { User } from '../domain/user.ts';
import type { ServiceDeps } from './deps.ts';
import type { Caller } from './caller.ts';
import { userActor } from './caller.ts';
import type { FactorRecord } from './ports.ts';
import type { SignInService } from '../signin/sign-in.ts';
import type { MfaSignOn, RelyingParty } from '../signin/mfa.ts';
import type { FactorService } from './factors.ts';

/** How long a session token may wait to be exchanged. */
const sessionTokenMinutes = 5;

export interface AuthnSuccess {
  readonly status: 'SUCCESS';
  readonly sessionToken: string;
  readonly expiresAt: string;
  readonly user: User;
}

export interface AuthnPasswordExpired {
  readonly status: 'PASSWORD_EXPIRED';
  readonly stateToken: string;
  readonly expiresAt: string;
  readonly user: User;
}

/** The user is locked out, and the org shows lockouts (Okta's `showLockoutFailures`). */
export interface AuthnLockedOut {
  readonly status: 'LOCKED_OUT';
}

export interface AuthnMfaRequired {
  readonly status: 'MFA_REQUIRED';
  readonly stateToken: string;
  readonly expiresAt: string;
  readonly user: User;
  readonly factors: readonly FactorRecord[];
}

export interface AuthnMfaEnroll {
  readonly status: 'MFA_ENROLL';
  readonly stateToken: string;
  readonly expiresAt: string;
  readonly user: User;
  readonly enrolled: readonly FactorRecord[];
}

export type AuthnResult = AuthnSuccess | AuthnPasswordExpired | AuthnLockedOut | AuthnMfaRequired | AuthnMfaEnroll;

export function createAuthnService(deps: ServiceDeps, signIn: SignInService, mfa: MfaSignOn, factors: FactorService) {
  const { store, clock } = deps;

  async function issue(orgId: string, userId: string, purpose: 'session' | 'recovery', minutes: number, amr?: readonly string[]) {
    const token = randomBase62(purpose === 'session' ? 43 : 20);
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + minutes * 60_000).toISOString();
    await store.forOrg(orgId).userTokens.insert({ tokenHash: hashToken(token), userId, purpose, created: now.toISOString(), expiresAt, ...(amr ? { amr } : {}) });
    return { token, expiresAt };
  }

  async function success(orgId: string, user: User, amr: readonly string[]): Promise<AuthnSuccess> {
    const { token, expiresAt } = await issue(orgId, user.id, 'session', sessionTokenMinutes, amr);
    return { status: 'SUCCESS', sessionToken: token, expiresAt, user };
  }

  async function authenticate(caller: Caller, username: string, password: string): Promise<AuthnResult> {
    const outcome = await signIn.signIn(caller, username, password);
    if (outcome.kind === 'throttled') {
      throw new AppError('rate.limited', { headers: { 'Retry-After': String(outcome.retryAfterSeconds) }, debug: 'password attempts throttled' });
    }
    if (outcome.kind === 'failed') {
      if (outcome.reason === 'LOCKED_OUT' && caller.org.settings.lockout.showLockoutFailures) return { status: 'LOCKED_OUT' };
      throw new AppError('auth.authentication_failed');
    }
    if (outcome.kind === 'password_expired') {
      const { token, expiresAt } = await issue(caller.org.id, outcome.user.id, 'recovery', 60);
      return { status: 'PASSWORD_EXPIRED', stateToken: token, expiresAt, user: outcome.user };
    }
    const next = await mfa.afterPassword({ ...caller, actor: userActor(outcome.user) }, outcome.user);
    switch (next.kind) {
      case 'denied':
        throw new AppError('auth.denied_by_policy', { causes: ['Your organization\'s sign-on policy does not allow this sign-in.'] });
      case 'complete':
        return success(caller.org.id, next.user, next.amr);
      case 'mfa_required':
        return { status: 'MFA_REQUIRED', stateToken: next.stateToken, expiresAt: next.expiresAt, user: next.user, factors: next.factors };
      case 'mfa_enroll':
        return { status: 'MFA_ENROLL', stateToken: next.stateToken, expiresAt: next.expiresAt, user: next.user, enrolled: [] };
    }
  }

  /** Where a sign-in held by `stateToken` stands: a factor to verify, or one to enrol. */
  async function transactionState(caller: Caller, stateToken: string): Promise<AuthnMfaRequired | AuthnMfaEnroll> {
    const user = await mfa.requireState(caller.org, stateToken);
    const active = await mfa.activeFactors(caller.org.id, user.id);
    const expiresAt = await mfa.stateExpiry(caller.org, stateToken);
    return active.length > 0
      ? { status: 'MFA_REQUIRED', stateToken, expiresAt, user, factors: active }
      : { status: 'MFA_ENROLL', stateToken, expiresAt, user, enrolled: [] };
  }

  /** `POST /api/v1/authn/cancel`: the state token is used up. */
  async function cancel(org: Org, stateToken: string): Promise<void> {
    const user = await mfa.userOfState(org, stateToken);
    if (user) await mfa.consumeState(org, stateToken, user);
  }

  /** `POST /api/v1/authn/factors/{id}/verify`: the second factor of a sign-in held by its state token. */
  async function verifyFactor(caller: Caller, stateToken: string, factorId: string, raw: unknown, rp: RelyingParty): Promise<AuthnSuccess> {
    const user = await mfa.requireState(caller.org, stateToken);
    const done = await mfa.verifyWithState({ ...caller, actor: userActor(user) }, stateToken, factorId, raw, rp);
    return success(caller.org.id, done.user, done.amr);
  }

  /** The user and state of an enrolment in a sign-in. */
  async function enrollState(caller: Caller, stateToken: string): Promise<{ user: User; caller: Caller }> {
    const user = await mfa.requireState(caller.org, stateToken);
    return { user, caller: { ...caller, actor: userActor(user) } };
  }

  /** `POST /api/v1/authn/factors`: enrols a factor for a user who must set one up to sign in. */
  async function enrollFactor(caller: Caller, stateToken: string, raw: unknown, rp: RelyingParty) {
    const state = await enrollState(caller, stateToken);
    if ((raw as { factorType?: unknown }).factorType === 'webauthn') {
      const started = await factors.enrollWebAuthn(state.caller, state.user.id, rp);
      return { kind: 'webauthn' as const, factor: started.factor, options: started.options, login: started.login, user: state.user };
    }
    const enrolled = await factors.enroll(state.caller, state.user.id, raw);
    return { kind: 'totp' as const, ...enrolled, user: state.user };
  }

  /** A WebAuthn factor's challenge in a sign-in held by its state token (Okta's `MFA_CHALLENGE`). */
  async function challengeFactor(caller: Caller, stateToken: string, factorId: string, rp: RelyingParty) {
    const user = await mfa.requireState(caller.org, stateToken);
    const factor = await factors.requireFactor(caller, user.id, factorId);
    const options = await factors.challenge({ ...caller, actor: userActor(user) }, user.id, factorId, rp);
    return { user, factor, options, expiresAt: await mfa.stateExpiry(caller.org, stateToken) };
  }

  /** `POST /api/v1/authn/factors/{id}/lifecycle/activate`: activating proves the factor, and completes the sign-in. */
  async function activateFactor(caller: Caller, stateToken: string, factorId: string, raw: unknown, rp: RelyingParty): Promise<AuthnSuccess> {
    const state = await enrollState(caller, stateToken);
    await mfa.guardFactorAttempt(state.caller, state.user.id);
    const activated = await factors.activate(state.caller, state.user.id, factorId, raw, rp);
    await mfa.consumeState(caller.org, stateToken, state.user);
    return success(caller.org.id, state.user, ['pwd', 'mfa', activated.factorType === 'webauthn' ? 'hwk' : 'otp']);
  }

  /** Uses a session token up; the user it names, and how they signed in, when it was valid and unused. */
  async function redeemSessionToken(org: Org, token: string): Promise<{ user: User; amr: readonly string[] } | undefined> {
    if (!/^[A-Za-z0-9]{43}$/.test(token)) return undefined;
    const scoped = store.forOrg(org.id);
    const redeemed = await scoped.userTokens.consumeSession(hashToken(token), clock.now().toISOString());
    const user = redeemed ? await scoped.users.findById(redeemed.userId) : undefined;
    if (!user || user.status !== 'ACTIVE') return undefined;
    return { user, amr: redeemed!.amr };
  }

  return { authenticate, transactionState, cancel, challengeFactor, verifyFactor, enrollFactor, activateFactor, redeemSessionToken };
}

export type AuthnService = ReturnType<typeof createAuthnService>;
