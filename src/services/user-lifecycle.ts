/**
 * Okta's lifecycle operations (`/api/v1/users/{id}/lifecycle/*`): the rules come from
 * `domain/user.ts`; this applies them, ends sessions where the user loses access, issues
 * activation and recovery links, and records each step in the system log.
 */
import { AppError } from '../kernel/errors.ts';
import { transition, type LifecycleOperation, type TransitionRefusal, type User } from '../domain/user.ts';
import type { EventType } from '../domain/log-event.ts';
import type { ServiceDeps } from './deps.ts';
import type { Caller } from './caller.ts';
import type { OrgStore } from './ports.ts';
import { buildEvent, userTarget } from './system-log.ts';
import { requireUser } from './user-lookup.ts';
import type { CredentialService } from './user-credentials.ts';
import { queueUserPush } from './provisioning-outbox.ts';
import { refusePassword } from './directory-guard.ts';

export interface LifecycleOptions {
  /** Okta mails the link when true; Lanyard has no mailer yet, so links come back only when false. */
  readonly sendEmail?: boolean;
  readonly revokeSessions?: boolean;
}

export type LifecycleResult =
  | { readonly kind: 'empty' }
  | { readonly kind: 'activation'; readonly activationUrl: string; readonly activationToken: string }
  | { readonly kind: 'reset'; readonly resetPasswordUrl: string }
  | { readonly kind: 'user'; readonly user: User };

const events: Record<LifecycleOperation, EventType> = {
  activate: 'user.lifecycle.activate',
  reactivate: 'user.lifecycle.reactivate',
  deactivate: 'user.lifecycle.deactivate',
  suspend: 'user.lifecycle.suspend',
  unsuspend: 'user.lifecycle.unsuspend',
  unlock: 'user.account.unlock_by_admin',
  expire_password: 'user.account.expire_password',
  reset_password: 'user.account.reset_password',
};

/** Operations after which the user may no longer use the sessions they have. */
const endsSessions = new Set<LifecycleOperation>(['deactivate', 'suspend', 'reset_password']);

function refusalError(refusal: TransitionRefusal, operation: LifecycleOperation): AppError {
  switch (refusal) {
    case 'already_active': return new AppError('user.already_active');
    case 'not_active':
      return new AppError('user.invalid_status', { detail: `${camel(operation)}User`, causes: ['Cannot suspend a user that is not active'] });
    case 'not_suspended':
      return new AppError('user.invalid_status', { detail: `${camel(operation)}User`, causes: ['Cannot unsuspend a user that is not suspended'] });
    case 'not_locked': return new AppError('user.unlock_not_allowed', { causes: ['The user is not locked out.'] });
    case 'not_provisioned': return new AppError('user.operation_not_allowed');
    case 'wrong_status':
      return operation === 'reset_password' ? new AppError('user.reset_password_failed') : new AppError('user.operation_not_allowed');
  }
}

function camel(operation: string): string {
  return operation.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function createLifecycleService(deps: ServiceDeps, credentials: CredentialService) {
  const { store, clock } = deps;

  /** Applies one operation inside an open transaction; shared with DELETE's first step. */
  async function apply(caller: Caller, scoped: OrgStore, user: User, operation: LifecycleOperation,
    options: LifecycleOptions): Promise<LifecycleResult> {
    if (operation === 'reset_password' || operation === 'expire_password') refusePassword(user);
    const result = transition(user, operation);
    if (!result.ok) throw refusalError(result.refusal, operation);
    if (operation === 'deactivate' && user.status === 'DEPROVISIONED') return { kind: 'empty' };
    const now = clock.now().toISOString();
    const changed = result.to !== user.status;
    await scoped.users.update(user.id, {
      status: result.to,
      lastUpdated: now,
      ...(changed ? { statusChanged: now } : {}),
      ...(operation === 'activate' && !user.activated ? { activated: now } : {}),
      ...(operation === 'unlock' || operation === 'unsuspend' ? { failedSignIns: 0 } : {}),
    });
    if (endsSessions.has(operation) && (operation !== 'reset_password' || options.revokeSessions !== false)) {
      await scoped.sessions.deleteForUser(user.id);
    }
    if (operation === 'deactivate') await scoped.userTokens.deleteForUser(user.id);
    await scoped.logs.append(buildEvent(clock, caller, events[operation], { targets: [userTarget(user)] }));
    if (changed) await queueUserPush(scoped, clock, [user.id]);

    const needsLink = (operation === 'activate' || operation === 'reactivate') && result.to !== 'ACTIVE';
    if (needsLink) {
      const link = await credentials.issueLink(caller.org, user.id, 'activation', scoped);
      return options.sendEmail === false
        ? { kind: 'activation', activationUrl: link.url, activationToken: link.token }
        : { kind: 'empty' };
    }
    if (operation === 'reset_password') {
      const link = await credentials.issueLink(caller.org, user.id, 'recovery', scoped);
      return options.sendEmail === false ? { kind: 'reset', resetPasswordUrl: link.url } : { kind: 'empty' };
    }
    if (operation === 'expire_password') return { kind: 'user', user: (await scoped.users.findById(user.id))! };
    return { kind: 'empty' };
  }

  async function run(caller: Caller, idOrLogin: string, operation: LifecycleOperation,
    options: LifecycleOptions = {}): Promise<LifecycleResult> {
    const user = await requireUser(store.forOrg(caller.org.id), idOrLogin);
    return store.transaction((tx) => apply(caller, tx.forOrg(caller.org.id), user, operation, options));
  }

  return { run, apply };
}

export type LifecycleService = ReturnType<typeof createLifecycleService>;
