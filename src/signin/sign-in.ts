/**
 * Password sign-in, protocol-agnostic: a page or an API hands over a login and a password and gets
 * back an outcome. Failures look the same whether or not the login exists, and take as long.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> Throttled: too many attempts on this login or from this address
 *   [*] --> Lookup
 *   Lookup --> Failed: unknown login (dummy verification)
 *   Lookup --> Verify
 *   Verify --> Failed: wrong password (count; lock at the limit)
 *   Verify --> Failed: status not allowed to sign in
 *   Verify --> PasswordExpired: right password, PASSWORD_EXPIRED
 *   Verify --> Success: right password, ACTIVE
 * ```
 */
import type { Org } from '../domain/org.ts';
import type { User, UserWithSecrets } from '../domain/user.ts';
import type { ServiceDeps } from '../services/deps.ts';
import type { Caller } from '../services/caller.ts';
import { buildEvent, userTarget } from '../services/system-log.ts';
import type { SignInThrottle } from './throttle.ts';

export type SignInOutcome =
  | { readonly kind: 'success'; readonly user: User }
  | { readonly kind: 'password_expired'; readonly user: User }
  /**
   * Wrong login, wrong password, locked, suspended, …: deliberately one answer to the person
   * signing in. The reason is for the system log, and for the classic authentication API when the
   * org chose to show lockouts.
   */
  | { readonly kind: 'failed'; readonly reason: FailureReason }
  /** Too many attempts on this login or from this address: try again after the wait. */
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number };

/** Why a sign-in failed. */
export type FailureReason = 'INVALID_CREDENTIALS' | 'LOCKED_OUT' | 'VERIFICATION_ERROR' | 'USER_STATUS' | 'DIRECTORY_UNAVAILABLE';

/** Checks a directory user's password at their directory (`services/directory-auth.ts`). */
export type DelegatedCheck = (caller: Caller, user: UserWithSecrets, password: string) => Promise<'valid' | 'invalid' | 'unavailable'>;

export const directoryUnavailableMessage = 'Your organization\'s directory can\'t be reached right now. Try again in a few minutes.';

export function createSignIn(deps: ServiceDeps, throttle: SignInThrottle, delegated?: DelegatedCheck) {
  const { store, clock, passwords } = deps;

  /** Unlocks a LOCKED_OUT user whose org unlocks automatically after a while. */
  function lockExpired(org: Org, user: UserWithSecrets, now: Date): boolean {
    const minutes = org.settings.lockout.autoUnlockMinutes;
    return user.status === 'LOCKED_OUT' && minutes !== null && user.statusChanged !== null
      && Date.parse(user.statusChanged) + minutes * 60_000 <= now.getTime();
  }

  async function fail(caller: Caller, login: string, reason: FailureReason, user?: UserWithSecrets): Promise<SignInOutcome> {
    const actor = user ? undefined : { id: 'unknown', type: 'User', alternateId: login.slice(0, 100), displayName: 'unknown' };
    await store.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'user.session.start', {
      outcome: 'FAILURE', reason, ...(actor ? { actor } : {}), targets: user ? [userTarget(user)] : [],
    }));
    return { kind: 'failed', reason };
  }

  async function signIn(caller: Caller, login: string, password: string): Promise<SignInOutcome> {
    const org = caller.org;
    const throttled = await throttle.attempt(caller, 'password', login);
    if (!throttled.allowed) return { kind: 'throttled', retryAfterSeconds: throttled.retryAfterSeconds };
    const scoped = store.forOrg(org.id);
    let user = login.length <= 100 ? await scoped.users.findByLogin(login) : undefined;
    if (!user || (user.passwordHash === null && !user.directoryId)) {
      await passwords.verifyNothing(password);
      return fail(caller, login, 'INVALID_CREDENTIALS', user);
    }
    const now = clock.now();
    if (lockExpired(org, user, now)) {
      await scoped.users.update(user.id, { status: 'ACTIVE', failedSignIns: 0, statusChanged: now.toISOString(), lastUpdated: now.toISOString() });
      user = (await scoped.users.findById(user.id))!;
    }
    const actorCaller = { ...caller, actor: { id: user.id, type: 'User', alternateId: user.profile.login, displayName: `${user.profile.firstName} ${user.profile.lastName}` } };
    const verdict = user.directoryId ? await (delegated?.(actorCaller, user, password) ?? 'invalid')
      : await passwords.verify(user.passwordHash!, password) ? 'valid' : 'invalid';
    const matches = verdict === 'valid';
    if (user.status === 'LOCKED_OUT') return fail(actorCaller, login, 'LOCKED_OUT', user);
    if (user.status !== 'ACTIVE' && user.status !== 'PASSWORD_EXPIRED') return fail(actorCaller, login, 'USER_STATUS', user);
    // An unreachable directory says nothing about the password: it never counts towards lockout.
    if (verdict === 'unavailable') return fail(actorCaller, login, 'DIRECTORY_UNAVAILABLE', user);
    if (!matches) {
      const { maxAttempts } = org.settings.lockout;
      const locked = await store.transaction(async (tx) => {
        const t = tx.forOrg(org.id);
        const count = await t.users.recordFailedSignIn(user.id);
        if (maxAttempts === 0 || count < maxAttempts) return false;
        const at = clock.now().toISOString();
        await t.users.update(user.id, { status: 'LOCKED_OUT', statusChanged: at, lastUpdated: at });
        await t.sessions.deleteForUser(user.id);
        await t.logs.append(buildEvent(clock, actorCaller, 'user.account.lock', { outcome: 'FAILURE', reason: 'LOCKED_OUT', targets: [userTarget(user)] }));
        return true;
      });
      return fail(actorCaller, login, locked ? 'LOCKED_OUT' : 'INVALID_CREDENTIALS', user);
    }
    if (user.status === 'PASSWORD_EXPIRED') return { kind: 'password_expired', user };
    const at = now.toISOString();
    await scoped.users.update(user.id, { failedSignIns: 0, lastLogin: at });
    return { kind: 'success', user: { ...user, lastLogin: at, failedSignIns: 0 } };
  }

  return { signIn };
}

export type SignInService = ReturnType<typeof createSignIn>;
