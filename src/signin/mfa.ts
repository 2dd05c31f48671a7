/**
 * What a sign-in owes after the password, and how it pays it: the org's sign-on policy (and an
 * app's, when the sign-in is for one) may deny it, let it through, or ask for a second factor —
 * verified with a factor the user has, or enrolled first when they have none. Until the factor
 * is proved, the sign-in is a one-time state token (Okta's `stateToken`), never a session.
 * The same rules decide whether an existing session may go on to an app (step-up), so pages,
 * the authentication API and the federation protocols share one answer.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> Evaluate: password proved
 *   Evaluate --> Denied: a rule denies (or a blocked network zone)
 *   Evaluate --> Complete: 1FA
 *   Evaluate --> MfaRequired: 2FA, the user has active factors
 *   Evaluate --> MfaEnroll: 2FA, the user has none
 *   MfaEnroll --> MfaRequired: a factor activated (it proves the factor too)
 *   MfaRequired --> Complete: a factor verified (amr gains mfa and the method)
 * ```
 */
import { AppError } from '../kernel/errors.ts';
import { randomBase62 } from '../kernel/ids.ts';
import { hashToken } from '../kernel/secrets.ts';
import type { Org } from '../domain/org.ts';
import type { User } from '../domain/user.ts';
import type { ServiceDeps } from '../services/deps.ts';
import type { Caller } from '../services/caller.ts';
import type { FactorRecord } from '../services/ports.ts';
import { buildEvent, userTarget } from '../services/system-log.ts';
import type { SessionRecord } from '../services/ports.ts';
import type { SignInThrottle } from './throttle.ts';
import type { RelyingParty } from '../protocols/webauthn/ceremonies.ts';

/** What the sign-on policies decide for one sign-in (see `services/sign-on-policy.ts`). */
export interface SignOnDecision {
  readonly access: 'ALLOW' | 'DENY';
  readonly factorMode: '1FA' | '2FA';
  /** Seconds after which the person must prove themselves again; null: for the session's life. */
  readonly reauthenticateSeconds: number | null;
  readonly matched: readonly { readonly policyId: string; readonly policyName: string; readonly ruleId: string; readonly ruleName: string }[];
  readonly denyReason?: string;
}

export interface SignOnPolicies {
  evaluate(org: Org, input: { userId: string; ip: string; appId?: string }): Promise<SignOnDecision>;
}

/** The part of the factor service the sign-in flow uses. */
export interface SignInFactors {
  activeFactors(orgId: string, userId: string): Promise<FactorRecord[]>;
  /** Verifies a proof of `factorId` (passcode, assertion…); throws `factor.*` errors when it fails. */
  verify(caller: Caller, userId: string, factorId: string, raw: unknown, rp: RelyingParty): Promise<{ readonly amr: readonly string[] }>;
}

export type { RelyingParty };

/** How long a sign-in may wait for its second factor. */
const stateMinutes = 10;

export type AfterPassword =
  | { readonly kind: 'complete'; readonly user: User; readonly amr: readonly string[] }
  | { readonly kind: 'denied'; readonly user: User; readonly decision: SignOnDecision }
  | { readonly kind: 'mfa_required'; readonly user: User; readonly stateToken: string; readonly expiresAt: string; readonly factors: readonly FactorRecord[] }
  | { readonly kind: 'mfa_enroll'; readonly user: User; readonly stateToken: string; readonly expiresAt: string };

/** What an existing session still owes before it may go on to an app. */
export type SessionGate =
  | { readonly kind: 'pass' }
  | { readonly kind: 'denied'; readonly decision: SignOnDecision }
  /** Prove a second factor (again). */
  | { readonly kind: 'mfa' }
  /** Enter the password again. */
  | { readonly kind: 'reauth' };

export function createMfaSignOn(deps: ServiceDeps, policies: SignOnPolicies, factors: SignInFactors, throttle: SignInThrottle) {
  const { store, clock } = deps;

  async function logDenied(caller: Caller, user: User, decision: SignOnDecision, appId?: string): Promise<void> {
    const rule = decision.matched.at(-1);
    await store.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'policy.evaluate_sign_on', {
      outcome: 'DENY', reason: decision.denyReason ?? 'Sign-on policy denied access', targets: [userTarget(user)],
      debugData: { ...(rule ? { policyId: rule.policyId, ruleId: rule.ruleId, ruleName: rule.ruleName } : {}), ...(appId ? { appId } : {}) },
    }));
  }

  async function issueState(orgId: string, userId: string): Promise<{ stateToken: string; expiresAt: string }> {
    const stateToken = randomBase62(40);
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + stateMinutes * 60_000).toISOString();
    await store.forOrg(orgId).userTokens.insert({ tokenHash: hashToken(stateToken), userId, purpose: 'mfa', created: now.toISOString(), expiresAt });
    return { stateToken, expiresAt };
  }

  /** The next step of a sign-in whose password was right. */
  async function afterPassword(caller: Caller, user: User, appId?: string): Promise<AfterPassword> {
    const decision = await policies.evaluate(caller.org, { userId: user.id, ip: caller.client.ipAddress ?? '', ...(appId ? { appId } : {}) });
    if (decision.access === 'DENY') {
      await logDenied(caller, user, decision, appId);
      return { kind: 'denied', user, decision };
    }
    if (decision.factorMode === '1FA') return { kind: 'complete', user, amr: ['pwd'] };
    const active = await factors.activeFactors(caller.org.id, user.id);
    const state = await issueState(caller.org.id, user.id);
    return active.length > 0 ? { kind: 'mfa_required', user, ...state, factors: active } : { kind: 'mfa_enroll', user, ...state };
  }

  /** The user a state token names while it is valid; undefined otherwise. */
  async function userOfState(org: Org, stateToken: string): Promise<User | undefined> {
    if (!/^[A-Za-z0-9]{40}$/.test(stateToken)) return undefined;
    const scoped = store.forOrg(org.id);
    const userId = await scoped.userTokens.peek(hashToken(stateToken), 'mfa', clock.now().toISOString());
    const user = userId ? await scoped.users.findById(userId) : undefined;
    return user && user.status === 'ACTIVE' ? user : undefined;
  }

  /** When a valid state token expires (for the authentication API's `expiresAt`). */
  async function stateExpiry(org: Org, stateToken: string): Promise<string> {
    const expiresAt = await store.forOrg(org.id).userTokens.expiryOf(hashToken(stateToken), 'mfa', clock.now().toISOString());
    if (!expiresAt) throw new AppError('auth.invalid_session', { debug: 'unknown or expired state token' });
    return expiresAt;
  }

  async function requireState(org: Org, stateToken: string): Promise<User> {
    const user = await userOfState(org, stateToken);
    if (!user) throw new AppError('auth.invalid_session', { debug: 'unknown or expired state token' });
    return user;
  }

  /**
   * Verifies a factor of `user` (throttled per user and per address) and answers the methods the
   * sign-in then has used.
   */
  async function prove(caller: Caller, user: User, factorId: string, raw: unknown, rp: RelyingParty): Promise<readonly string[]> {
    await guardFactorAttempt(caller, user.id);
    const { amr } = await factors.verify(caller, user.id, factorId, raw, rp);
    return ['pwd', 'mfa', ...amr];
  }

  /** Counts an attempt to prove a factor of `userId`; throws Okta's 429 with Retry-After over the limit. */
  async function guardFactorAttempt(caller: Caller, userId: string): Promise<void> {
    const verdict = await throttle.attempt(caller, 'factor', userId);
    if (!verdict.allowed) {
      throw new AppError('rate.limited', { headers: { 'Retry-After': String(verdict.retryAfterSeconds) }, debug: 'factor attempts throttled' });
    }
  }

  /** Completes a sign-in held by a state token with a factor's proof; the state is used up. */
  async function verifyWithState(caller: Caller, stateToken: string, factorId: string, raw: unknown, rp: RelyingParty): Promise<{ user: User; amr: readonly string[] }> {
    const user = await requireState(caller.org, stateToken);
    const amr = await prove(caller, user, factorId, raw, rp);
    await consumeState(caller.org, stateToken, user);
    return { user, amr };
  }

  /** Uses a state token up once its sign-in is complete; a second request racing with the same one loses here. */
  async function consumeState(org: Org, stateToken: string, user: User): Promise<void> {
    const consumed = await store.forOrg(org.id).userTokens.consume(hashToken(stateToken), 'mfa', clock.now().toISOString());
    if (consumed !== user.id) throw new AppError('auth.invalid_session', { debug: 'state token already used' });
  }

  /** Step-up in a session: a factor proved now; the session records it. */
  async function verifyInSession(caller: Caller, session: SessionRecord, user: User, factorId: string, raw: unknown, rp: RelyingParty): Promise<readonly string[]> {
    return recordInSession(caller.org, session, await prove(caller, user, factorId, raw, rp));
  }

  /** A session's user proved a factor: its methods gain `amr`, and its MFA time is now. */
  async function recordInSession(org: Org, session: SessionRecord, amr: readonly string[]): Promise<readonly string[]> {
    const merged = [...new Set([...session.amr, ...amr])];
    await store.forOrg(org.id).sessions.recordMfa(session.id, merged, clock.now().toISOString());
    return merged;
  }

  /**
   * Whether a live session may go on to `appId` (or, without one, stay) under the policies now;
   * `requireMfa` when the app itself asked for a second factor (OpenID Connect `acr_values`);
   * `logDenial: false` for a check whose caller goes on to the step that logs it.
   */
  async function gate(caller: Caller, active: { readonly session: SessionRecord; readonly user: User }, appId?: string,
    options: { readonly requireMfa?: boolean; readonly logDenial?: boolean } = {}): Promise<SessionGate> {
    const decision = await policies.evaluate(caller.org, { userId: active.user.id, ip: caller.client.ipAddress ?? '', ...(appId ? { appId } : {}) });
    if (decision.access === 'DENY') {
      if (options.logDenial !== false) await logDenied(caller, active.user, decision, appId);
      return { kind: 'denied', decision };
    }
    const now = clock.now().getTime();
    const limitMs = decision.reauthenticateSeconds === null ? Infinity : decision.reauthenticateSeconds * 1000;
    if (decision.factorMode === '2FA' || options.requireMfa) {
      const mfaAt = active.session.mfaAt ? Date.parse(active.session.mfaAt) : undefined;
      return mfaAt !== undefined && now - mfaAt <= limitMs ? { kind: 'pass' } : { kind: 'mfa' };
    }
    return now - Date.parse(active.session.created) <= limitMs ? { kind: 'pass' } : { kind: 'reauth' };
  }

  return { afterPassword, activeFactors: factors.activeFactors, stateExpiry, userOfState, requireState, verifyWithState, verifyInSession, recordInSession, gate, guardFactorAttempt, consumeState };
}

export type MfaSignOn = ReturnType<typeof createMfaSignOn>;
