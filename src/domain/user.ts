/**
 * The user entity and its lifecycle, as Okta defines them.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> STAGED: create (activate=false)
 *   [*] --> PROVISIONED: create (activate, no password)
 *   [*] --> ACTIVE: create (activate, password)
 *   STAGED --> ACTIVE: activate (has password)
 *   STAGED --> PROVISIONED: activate (no password)
 *   PROVISIONED --> ACTIVE: user sets password
 *   PROVISIONED --> PROVISIONED: reactivate
 *   ACTIVE --> SUSPENDED: suspend
 *   SUSPENDED --> ACTIVE: unsuspend
 *   ACTIVE --> LOCKED_OUT: too many failed sign-ins
 *   LOCKED_OUT --> ACTIVE: unlock
 *   ACTIVE --> PASSWORD_EXPIRED: expire_password
 *   PASSWORD_EXPIRED --> ACTIVE: user changes password
 *   ACTIVE --> RECOVERY: reset_password
 *   RECOVERY --> ACTIVE: user sets password
 *   ACTIVE --> DEPROVISIONED: deactivate (from any status; a no-op on DEPROVISIONED)
 *   DEPROVISIONED --> ACTIVE: activate (has password; PROVISIONED without)
 *   DEPROVISIONED --> [*]: delete
 * ```
 */
import type { UserProfile } from './user-profile.ts';

export const userStatuses = [
  'STAGED', 'PROVISIONED', 'ACTIVE', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'SUSPENDED', 'DEPROVISIONED',
] as const;

export type UserStatus = (typeof userStatuses)[number];

export interface User {
  readonly id: string;
  readonly orgId: string;
  readonly status: UserStatus;
  readonly transitioningToStatus: UserStatus | null;
  readonly profile: UserProfile;
  readonly typeId: string;
  readonly created: string;
  readonly activated: string | null;
  readonly statusChanged: string | null;
  readonly lastLogin: string | null;
  readonly lastUpdated: string;
  readonly passwordChanged: string | null;
  readonly hasPassword: boolean;
  readonly recoveryQuestion: string | null;
  readonly failedSignIns: number;
  /** Where the user's credentials live: absent or `OKTA` for Lanyard's own users. */
  readonly provider?: { readonly type: string; readonly name: string };
  /** The directory a user is imported from (their password is checked there); absent for the org's own. */
  readonly directoryId?: string | null;
}

/** A user together with the secret parts that never leave the services layer. */
export interface UserWithSecrets extends User {
  readonly passwordHash: string | null;
  readonly recoveryAnswerHash: string | null;
}

/** Lifecycle operations of `/api/v1/users/{id}/lifecycle/*`. */
export type LifecycleOperation =
  | 'activate' | 'reactivate' | 'deactivate' | 'suspend' | 'unsuspend' | 'unlock' | 'expire_password' | 'reset_password';

/** Why a lifecycle operation is refused; each maps to the error Okta gives for it. */
export type TransitionRefusal = 'already_active' | 'not_active' | 'not_suspended' | 'not_locked' | 'not_provisioned' | 'wrong_status';

export type TransitionResult =
  | { readonly ok: true; readonly to: UserStatus }
  | { readonly ok: false; readonly refusal: TransitionRefusal };

const refuse = (refusal: TransitionRefusal): TransitionResult => ({ ok: false, refusal });

/** Where each lifecycle operation may start and where it leads; the single source of the rules. */
export function transition(user: Pick<User, 'status' | 'hasPassword'>, operation: LifecycleOperation): TransitionResult {
  const from = user.status;
  switch (operation) {
    case 'activate':
      if (from === 'STAGED' || from === 'DEPROVISIONED') return { ok: true, to: user.hasPassword ? 'ACTIVE' : 'PROVISIONED' };
      return refuse('already_active');
    case 'reactivate':
      return from === 'PROVISIONED' || from === 'RECOVERY' ? { ok: true, to: from } : refuse('not_provisioned');
    case 'deactivate':
      // Deactivating a deactivated user changes nothing and is not an error.
      return { ok: true, to: 'DEPROVISIONED' };
    case 'suspend':
      return from === 'ACTIVE' ? { ok: true, to: 'SUSPENDED' } : refuse('not_active');
    case 'unsuspend':
      return from === 'SUSPENDED' ? { ok: true, to: 'ACTIVE' } : refuse('not_suspended');
    case 'unlock':
      return from === 'LOCKED_OUT' ? { ok: true, to: 'ACTIVE' } : refuse('not_locked');
    case 'expire_password':
      return from === 'ACTIVE' || from === 'PASSWORD_EXPIRED' || from === 'RECOVERY' || from === 'LOCKED_OUT'
        ? { ok: true, to: 'PASSWORD_EXPIRED' } : refuse('wrong_status');
    case 'reset_password':
      return from === 'ACTIVE' || from === 'RECOVERY' || from === 'PASSWORD_EXPIRED' || from === 'LOCKED_OUT'
        ? { ok: true, to: 'RECOVERY' } : refuse('wrong_status');
  }
}

/** Statuses in which a user may sign in with a password (PASSWORD_EXPIRED signs in to change it). */
export function canSignIn(status: UserStatus): boolean {
  return status === 'ACTIVE' || status === 'PASSWORD_EXPIRED';
}
