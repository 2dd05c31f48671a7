/**
 * Throttling of password and MFA attempts, per account and per client IP, in one-minute windows.
 * Unlike lockout (which counts wrong passwords and stays until unlocked), a throttle counts every
 * attempt and lifts by itself when its window ends: it slows down guessing and credential
 * stuffing without letting a stranger lock someone out for long. The counters live in the
 * counter store, so several nodes sharing Redis share the limits. Password attempts are counted by
 * the login name as typed (lower-cased), whether or not it exists, so a throttle reveals nothing
 * about which accounts exist; factor attempts by the user's id.
 */
import type { ServiceDeps } from '../services/deps.ts';
import type { Caller } from '../services/caller.ts';
import { buildEvent } from '../services/system-log.ts';

const windowMs = 60_000;

/** Limits a deployment has not set: generous for people, tight for scripts. */
export const defaultThrottleLimits = { accountPerMinute: 10, factorPerMinute: 5, ipPerMinute: 100 } as const;

/** What is being attempted: a password (sign-in pages, the authentication API) or an MFA factor. */
export type AttemptKind = 'password' | 'factor';

export type ThrottleVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

export function createSignInThrottle(deps: ServiceDeps) {
  const { counters, clock, logger, store } = deps;
  const limits = deps.throttle ?? defaultThrottleLimits;
  let warned = 0;

  /**
   * Counts one attempt of `kind` on `account` by the caller's IP and says whether it may go on. The
   * first refusal of a window is logged. When the counter store is unreachable, attempts pass
   * (lockout still guards passwords) and that is logged, at most once a minute.
   */
  async function attempt(caller: Caller, kind: AttemptKind, account: string): Promise<ThrottleVerdict> {
    if (!counters) return { allowed: true };
    const now = clock.now().getTime();
    const window = Math.floor(now / windowMs);
    const orgId = caller.org.id;
    const accountLimit = kind === 'password' ? limits.accountPerMinute : limits.factorPerMinute;
    const accountKey = `th:${orgId}:${kind}:${account.trim().toLowerCase().slice(0, 256)}:${window}`;
    const ipKey = `th:${orgId}:ip:${caller.client.ipAddress ?? 'unknown'}:${window}`;
    let perAccount: number;
    let perIp: number;
    try {
      [perAccount, perIp] = await Promise.all([counters.hit(accountKey, windowMs), counters.hit(ipKey, windowMs)]);
    } catch (error) {
      if (now - warned > windowMs) {
        warned = now;
        logger.warn({ err: (error as Error).message }, 'throttle counters unavailable; sign-in attempts are not being throttled');
      }
      return { allowed: true };
    }
    const scope = perAccount > accountLimit ? 'account' : perIp > limits.ipPerMinute ? 'ip' : undefined;
    if (!scope) return { allowed: true };
    if (scope === 'account' ? perAccount === accountLimit + 1 : perIp === limits.ipPerMinute + 1) {
      await store.forOrg(orgId).logs.append(buildEvent(clock, caller, 'system.org.rate_limit.violation', {
        outcome: 'DENY', severity: 'WARN', reason: 'Too many attempts',
        debugData: { bucket: `signin.${kind}.${scope}`, ...(scope === 'account' ? { account: account.slice(0, 100) } : {}) },
      }));
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000)) };
  }

  return { attempt };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;

/** What a page says to someone throttled. */
export function tooManyAttempts(seconds: number): string {
  return `Too many attempts. Wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`;
}
