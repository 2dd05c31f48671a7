/**
 * SSO sessions of an org. The cookie carries 256 random bits; the store keeps only their hash.
 * A session ends when idle too long, when it reaches its maximum age, at sign-out, or when the
 * user loses access (suspend, deactivate, lock).
 */
import { newId } from '../kernel/ids.ts';
import { hashToken, randomToken } from '../kernel/secrets.ts';
import type { Org } from '../domain/org.ts';
import type { User } from '../domain/user.ts';
import type { ServiceDeps } from '../services/deps.ts';
import type { Caller } from '../services/caller.ts';
import type { SessionRecord } from '../services/ports.ts';
import { buildEvent, userTarget } from '../services/system-log.ts';
import { requireUser } from '../services/user-lookup.ts';

/** How often a request slides the idle expiry (one write per minute per session at most). */
const touchIntervalMs = 60_000;

export interface ActiveSession {
  readonly session: SessionRecord;
  readonly user: User;
}

export function createSessions(deps: ServiceDeps) {
  const { store, clock } = deps;

  async function start(caller: Caller, user: User, amr: readonly string[]): Promise<{ cookieValue: string; session: SessionRecord }> {
    const cookieValue = randomToken(32);
    const now = clock.now();
    const policy = caller.org.settings.session;
    const session: SessionRecord = {
      id: newId('session'),
      orgId: caller.org.id,
      tokenHash: hashToken(cookieValue),
      userId: user.id,
      csrfToken: randomToken(24),
      amr,
      mfaAt: amr.includes('mfa') ? now.toISOString() : null,
      created: now.toISOString(),
      lastSeen: now.toISOString(),
      idleExpiresAt: new Date(now.getTime() + policy.idleMinutes * 60_000).toISOString(),
      expiresAt: new Date(now.getTime() + policy.maxLifetimeMinutes * 60_000).toISOString(),
      ipAddress: caller.client.ipAddress,
      userAgent: caller.client.userAgent?.slice(0, 512) ?? null,
    };
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      await scoped.sessions.insert(session);
      await scoped.logs.append(buildEvent(clock, caller, 'user.session.start', {
        targets: [userTarget(user)], debugData: { sessionId: session.id },
      }));
    });
    return { cookieValue, session };
  }

  /** The live session a cookie names, or undefined; slides its idle expiry. */
  async function resolve(org: Org, cookieValue: string | undefined): Promise<ActiveSession | undefined> {
    if (!cookieValue || cookieValue.length > 100) return undefined;
    const scoped = store.forOrg(org.id);
    const session = await scoped.sessions.findByHash(hashToken(cookieValue));
    if (!session) return undefined;
    const now = clock.now();
    if (Date.parse(session.expiresAt) <= now.getTime() || Date.parse(session.idleExpiresAt) <= now.getTime()) {
      await scoped.sessions.delete(session.id);
      return undefined;
    }
    const user = await scoped.users.findById(session.userId);
    if (!user || (user.status !== 'ACTIVE' && user.status !== 'PASSWORD_EXPIRED')) return undefined;
    if (now.getTime() - Date.parse(session.lastSeen) > touchIntervalMs) {
      const idle = new Date(Math.min(now.getTime() + org.settings.session.idleMinutes * 60_000, Date.parse(session.expiresAt)));
      await scoped.sessions.touch(session.id, now.toISOString(), idle.toISOString());
    }
    return { session, user };
  }

  async function end(caller: Caller, active: ActiveSession): Promise<void> {
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      await scoped.sessions.delete(active.session.id);
      await scoped.logs.append(buildEvent(clock, caller, 'user.session.end', {
        targets: [userTarget(active.user)], debugData: { sessionId: active.session.id },
      }));
    });
  }

  /** Ends every session of a user (admin action). */
  async function revokeAll(caller: Caller, idOrLogin: string): Promise<number> {
    const user = await requireUser(store.forOrg(caller.org.id), idOrLogin);
    return store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      const count = await scoped.sessions.deleteForUser(user.id);
      await scoped.logs.append(buildEvent(clock, caller, 'user.session.clear', { targets: [userTarget(user)] }));
      return count;
    });
  }

  /** A live session by its id (admin API); undefined when unknown, expired or not the org's. */
  async function byId(org: Org, id: string): Promise<ActiveSession | undefined> {
    const scoped = store.forOrg(org.id);
    const session = await scoped.sessions.findById(id);
    const now = clock.now().getTime();
    if (!session || Date.parse(session.expiresAt) <= now || Date.parse(session.idleExpiresAt) <= now) return undefined;
    const user = await scoped.users.findById(session.userId);
    return user ? { session, user } : undefined;
  }

  return { start, resolve, end, revokeAll, byId };
}

export type SessionService = ReturnType<typeof createSessions>;
