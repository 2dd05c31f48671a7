/** Who is acting, from where: handed to every use case so the system log can say it. */
import type { Org } from '../domain/org.ts';
import type { LogActor } from '../domain/log-event.ts';
import type { User } from '../domain/user.ts';

export interface ClientContext {
  readonly ipAddress: string | null;
  readonly userAgent: string | null;
}

export interface Caller {
  readonly org: Org;
  readonly actor: LogActor;
  readonly client: ClientContext;
  /** Correlates the log events of one request. */
  readonly requestId: string;
  readonly requestUri: string | null;
  /** The API token the request came with, when it came with one. */
  readonly tokenId?: string;
  /** The administrator roles of the token's user (`SUPER_ADMIN`, `NETWORK_REVIEWER`…). */
  readonly roles?: readonly string[];
}

export function userActor(user: Pick<User, 'id' | 'profile'>): LogActor {
  const name = [user.profile.firstName, user.profile.lastName].filter(Boolean).join(' ');
  return { id: user.id, type: 'User', alternateId: user.profile.login, displayName: name || user.profile.login };
}

/** The actor of work Lanyard does on its own (start-up, CLI, jobs). */
export const systemActor: LogActor = { id: 'lanyard', type: 'SystemPrincipal', alternateId: 'system@lanyard', displayName: 'Lanyard' };

export const noClient: ClientContext = { ipAddress: null, userAgent: null };
