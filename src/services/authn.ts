/**
 * Okta's classic Authentication API (`POST /api/v1/authn`): a username and password become a
 * one-time `sessionToken`, which `/authorize?sessionToken=…` (or the session-cookie redirect)
 * exchanges for a sign-in session. Failures answer as Okta's do: one generic 401.
 */
import { AppError } from '../kernel/errors.ts';
import { randomBase62 } from '../kernel/ids.ts';
import { hashToken } from '../kernel/secrets.ts';
import type { Org } from '../domain/org.ts';
import type { User } from '../domain/user.ts';
import type { ServiceDeps } from './deps.ts';
import type { Caller } from './caller.ts';
import type { SignInService } from '../signin/sign-in.ts';

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

export function createAuthnService(deps: ServiceDeps, signIn: SignInService) {
  const { store, clock } = deps;

  async function issue(orgId: string, userId: string, purpose: 'session' | 'recovery', minutes: number) {
    const token = randomBase62(purpose === 'session' ? 43 : 20);
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + minutes * 60_000).toISOString();
    await store.forOrg(orgId).userTokens.insert({ tokenHash: hashToken(token), userId, purpose, created: now.toISOString(), expiresAt });
    return { token, expiresAt };
  }

  async function authenticate(caller: Caller, username: string, password: string): Promise<AuthnSuccess | AuthnPasswordExpired | AuthnLockedOut> {
    const outcome = await signIn.signIn(caller, username, password);
    if (outcome.kind === 'failed') {
      if (outcome.reason === 'LOCKED_OUT' && caller.org.settings.lockout.showLockoutFailures) return { status: 'LOCKED_OUT' };
      throw new AppError('auth.authentication_failed');
    }
    if (outcome.kind === 'password_expired') {
      const { token, expiresAt } = await issue(caller.org.id, outcome.user.id, 'recovery', 60);
      return { status: 'PASSWORD_EXPIRED', stateToken: token, expiresAt, user: outcome.user };
    }
    const { token, expiresAt } = await issue(caller.org.id, outcome.user.id, 'session', sessionTokenMinutes);
    return { status: 'SUCCESS', sessionToken: token, expiresAt, user: outcome.user };
  }

  /** Uses a session token up; the user it names when it was valid and unused. */
  async function redeemSessionToken(org: Org, token: string): Promise<{ user: User; amr: readonly string[] } | undefined> {
    if (!/^[A-Za-z0-9]{43}$/.test(token)) return undefined;
    const scoped = store.forOrg(org.id);
    const userId = await scoped.userTokens.consume(hashToken(token), 'session', clock.now().toISOString());
    const user = userId ? await scoped.users.findById(userId) : undefined;
    if (!user || user.status !== 'ACTIVE') return undefined;
    return { user, amr: ['pwd'] };
  }

  return { authenticate, redeemSessionToken };
}

export type AuthnService = ReturnType<typeof createAuthnService>;
