/**
 * The user lifecycle rules of `transition()`: every status × operation pair, with and without a
 * password, against a table written out here.
 *
 * Sources: Okta's Management API reference, User Lifecycle operations (the text is also in the
 * `@okta/okta-sdk-nodejs` 8.1 generated API docs). Where Lanyard deliberately differs from that
 * text, the row says so:
 *  - deactivate: Okta documents "Perform this operation only on users that do not have a
 *    DEPROVISIONED status"; Lanyard treats deactivating a DEPROVISIONED user as an idempotent no-op.
 *  - unlock: Okta also unlocks "a user with an ACTIVE status that's blocked from unknown devices";
 *    Lanyard has no unknown-device blocking, so it unlocks LOCKED_OUT users only.
 *  - expire_password / reset_password: Okta's reference states no status precondition; Lanyard
 *    allows them from ACTIVE, RECOVERY, PASSWORD_EXPIRED and LOCKED_OUT.
 */
import { describe, expect, it } from 'vitest';
import {
  canSignIn, transition, userStatuses,
  type LifecycleOperation, type TransitionRefusal, type TransitionResult, type UserStatus,
} from '../../src/domain/user.ts';

type Outcome = UserStatus | `refused: ${TransitionRefusal}`;
/** One outcome, or `[with a password, without a password]` where the password matters. */
type Cell = Outcome | readonly [Outcome, Outcome];

const operations = [
  'activate', 'reactivate', 'deactivate', 'suspend', 'unsuspend', 'unlock', 'expire_password', 'reset_password',
] as const satisfies readonly LifecycleOperation[];

const activated = ['ACTIVE', 'PROVISIONED'] as const;
const alreadyActive = 'refused: already_active';
const notProvisioned = 'refused: not_provisioned';
const notActive = 'refused: not_active';
const notSuspended = 'refused: not_suspended';
const notLocked = 'refused: not_locked';
const wrongStatus = 'refused: wrong_status';

const expected: Record<UserStatus, Record<(typeof operations)[number], Cell>> = {
  STAGED:           { activate: activated,     reactivate: notProvisioned, deactivate: 'DEPROVISIONED', suspend: notActive,   unsuspend: notSuspended, unlock: notLocked, expire_password: wrongStatus,        reset_password: wrongStatus },
  PROVISIONED:      { activate: alreadyActive, reactivate: 'PROVISIONED',  deactivate: 'DEPROVISIONED', suspend: notActive,   unsuspend: notSuspended, unlock: notLocked, expire_password: wrongStatus,        reset_password: wrongStatus },
  ACTIVE:           { activate: alreadyActive, reactivate: notProvisioned, deactivate: 'DEPROVISIONED', suspend: 'SUSPENDED', unsuspend: notSuspended, unlock: notLocked, expire_password: 'PASSWORD_EXPIRED', reset_password: 'RECOVERY' },
  RECOVERY:         { activate: alreadyActive, reactivate: 'RECOVERY',     deactivate: 'DEPROVISIONED', suspend: notActive,   unsuspend: notSuspended, unlock: notLocked, expire_password: 'PASSWORD_EXPIRED', reset_password: 'RECOVERY' },
  PASSWORD_EXPIRED: { activate: alreadyActive, reactivate: notProvisioned, deactivate: 'DEPROVISIONED', suspend: notActive,   unsuspend: notSuspended, unlock: notLocked, expire_password: 'PASSWORD_EXPIRED', reset_password: 'RECOVERY' },
  LOCKED_OUT:       { activate: alreadyActive, reactivate: notProvisioned, deactivate: 'DEPROVISIONED', suspend: notActive,   unsuspend: notSuspended, unlock: 'ACTIVE',  expire_password: 'PASSWORD_EXPIRED', reset_password: 'RECOVERY' },
  SUSPENDED:        { activate: alreadyActive, reactivate: notProvisioned, deactivate: 'DEPROVISIONED', suspend: notActive,   unsuspend: 'ACTIVE',     unlock: notLocked, expire_password: wrongStatus,        reset_password: wrongStatus },
  // Okta documents deactivate as not allowed here; Lanyard answers it as an idempotent no-op (see the header).
  DEPROVISIONED:    { activate: activated,     reactivate: notProvisioned, deactivate: 'DEPROVISIONED', suspend: notActive,   unsuspend: notSuspended, unlock: notLocked, expire_password: wrongStatus,        reset_password: wrongStatus },
};

function outcome(result: TransitionResult): Outcome {
  return result.ok ? result.to : `refused: ${result.refusal}`;
}

describe('transition(): the lifecycle table', () => {
  it('covers every status and every operation', () => {
    expect(Object.keys(expected).sort()).toEqual([...userStatuses].sort());
    for (const row of Object.values(expected)) expect(Object.keys(row).sort()).toEqual([...operations].sort());
  });

  const cases = userStatuses.flatMap((status) => operations.flatMap((operation) => [true, false].map((hasPassword) => {
    const cell = expected[status][operation];
    const want = typeof cell === 'string' ? cell : cell[hasPassword ? 0 : 1];
    return { status, operation, hasPassword, want };
  })));

  it.each(cases)('$operation from $status (hasPassword: $hasPassword) → $want', ({ status, operation, hasPassword, want }) => {
    expect(outcome(transition({ status, hasPassword }, operation))).toBe(want);
  });

  it('only activate depends on whether the user has a password', () => {
    for (const status of userStatuses) {
      for (const operation of operations) {
        if (operation === 'activate') continue;
        expect(transition({ status, hasPassword: true }, operation)).toEqual(transition({ status, hasPassword: false }, operation));
      }
    }
  });

  it('returns exactly { ok, to } or { ok, refusal }', () => {
    expect(transition({ status: 'ACTIVE', hasPassword: true }, 'suspend')).toEqual({ ok: true, to: 'SUSPENDED' });
    expect(transition({ status: 'SUSPENDED', hasPassword: true }, 'suspend')).toEqual({ ok: false, refusal: 'not_active' });
  });
});

describe('canSignIn', () => {
  it('lets ACTIVE users sign in, and PASSWORD_EXPIRED users sign in to change their password; no one else', () => {
    const allowed = userStatuses.filter(canSignIn);
    expect(allowed).toEqual(['ACTIVE', 'PASSWORD_EXPIRED']);
  });
});
