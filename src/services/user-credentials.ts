/**
 * Passwords and recovery questions: policy and history checks, administrator and self-service
 * password changes, and the one-time links of activation and recovery.
 */
import { z } from 'zod';
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { hashToken, randomToken } from '../kernel/secrets.ts';
import { randomBase62 } from '../kernel/ids.ts';
import type { Org, PasswordPolicy } from '../domain/org.ts';
import { orgUrl } from '../domain/org-url.ts';
import { describePasswordProblems, passwordProblems } from '../domain/password-policy.ts';
import type { UserProfile } from '../domain/user-profile.ts';
import type { User, UserStatus } from '../domain/user.ts';
import type { OrgStore, UserTokenPurpose } from './ports.ts';
import type { ServiceDeps } from './deps.ts';
import type { Caller } from './caller.ts';
import { buildEvent, userTarget } from './system-log.ts';
import { requireUser } from './user-lookup.ts';
import { refusePassword } from './directory-guard.ts';
import { queuePasswordSync, sealPasswordForSync } from './provisioning-outbox.ts';
import type { Vault } from '../vault/envelope.ts';

export const recoveryQuestionSchema = z.object({
  question: z.string().trim().min(1, 'The field cannot be left blank').max(100, 'must be at most 100 characters'),
  answer: z.string().trim().min(4, 'must be at least 4 characters').max(100, 'must be at most 100 characters').optional(),
}).strict();

const tokenLifetimeMinutes: Record<UserTokenPurpose, number> = { activation: 7 * 24 * 60, recovery: 60, session: 5, mfa: 10 };

/** Finds the password policy that governs a user's new passwords (the org's, or their group's). */
export interface PasswordPolicySource {
  passwordPolicyFor(orgId: string, userId: string): Promise<PasswordPolicy>;
  /** For a user not stored yet, by the groups they will join. */
  passwordPolicyForGroups(orgId: string, groupIds: readonly string[]): Promise<PasswordPolicy>;
}

/**
 * Throws when the password breaks the policy. On create and administrator updates Okta
 * answers `E0000001` with a `password:` cause; on a user's own change, `E0000080`.
 */
export function checkNewPassword(deps: Pick<ServiceDeps, 'isCommonPassword'>, policy: PasswordPolicy, password: string,
  profile: Pick<UserProfile, 'login' | 'firstName' | 'lastName'>, context: 'create' | 'change'): void {
  const problems = passwordProblems(password, policy, profile, deps.isCommonPassword);
  if (problems.length === 0) return;
  const cause = describePasswordProblems(problems);
  if (context === 'create') throw validationError([cause], 'password');
  throw new AppError('user.password_policy', { causes: [cause.replace(/^password: /, '')] });
}

/** Throws `E0000080` when the password is one of the user's last `historyCount` passwords. */
export async function checkPasswordHistory(deps: Pick<ServiceDeps, 'passwords'>, org: OrgStore, userId: string,
  password: string, historyCount: number): Promise<void> {
  for (const previous of await org.users.passwordHistory(userId, historyCount)) {
    if (await deps.passwords.verify(previous, password)) {
      throw new AppError('user.password_policy', {
        causes: [`Password requirements were not met. Password requirements: not one of your last ${historyCount} passwords.`],
      });
    }
  }
}

export function createCredentialService(deps: ServiceDeps, vault: Vault, policies: PasswordPolicySource) {
  const { store, clock, passwords } = deps;

  /** Creates a one-time link token; returns the token (shown once) and its URL. */
  async function issueLink(org: Org, userId: string, purpose: 'activation' | 'recovery', scoped: OrgStore = store.forOrg(org.id)) {
    const token = randomBase62(20);
    const now = clock.now();
    await scoped.userTokens.deleteForUser(userId, purpose);
    await scoped.userTokens.insert({
      tokenHash: hashToken(token),
      userId,
      purpose,
      created: now.toISOString(),
      expiresAt: new Date(now.getTime() + tokenLifetimeMinutes[purpose] * 60_000).toISOString(),
    });
    const path = purpose === 'activation' ? 'welcome' : 'reset_password';
    return { token, url: `${orgUrl(org, deps.baseUrl)}/${path}/${token}` };
  }

  /**
   * Sets a new password and makes the user ACTIVE: the end of activation, recovery, an expired
   * password's change. Checks policy and history; records the change.
   */
  async function setOwnPassword(caller: Caller, user: User, password: string, extra?: (scoped: OrgStore) => Promise<void>): Promise<User> {
    refusePassword(user);
    const policy = await policies.passwordPolicyFor(caller.org.id, user.id);
    checkNewPassword(deps, policy, password, user.profile, 'change');
    const scopedRead = store.forOrg(caller.org.id);
    await checkPasswordHistory(deps, scopedRead, user.id, password, policy.historyCount);
    const passwordHash = await passwords.hash(password);
    const sealed = await sealPasswordForSync(store, vault, caller.org.id, user.id, password);
    const now = clock.now().toISOString();
    return store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      await extra?.(scoped);
      await queuePasswordSync(scoped, clock, user.id, sealed);
      const status: UserStatus = 'ACTIVE';
      const wasActive = user.status === 'ACTIVE';
      await scoped.users.update(user.id, {
        passwordHash, passwordChanged: now, lastUpdated: now, status, failedSignIns: 0,
        ...(wasActive ? {} : { statusChanged: now }),
        ...(user.activated ? {} : { activated: now }),
      });
      await scoped.users.addPasswordHistory(user.id, passwordHash, now);
      await scoped.userTokens.deleteForUser(user.id);
      await scoped.logs.append(buildEvent(clock, caller, 'user.account.update_password', { targets: [userTarget(user)] }));
      if (user.status === 'PROVISIONED') {
        await scoped.logs.append(buildEvent(clock, caller, 'user.lifecycle.activate', { targets: [userTarget(user)] }));
      }
      return (await scoped.users.findById(user.id))!;
    });
  }

  /** `POST /api/v1/users/{id}/credentials/change_password`: the old password must be right. */
  async function changePassword(caller: Caller, idOrLogin: string, oldPassword: string, newPassword: string): Promise<User> {
    const org = store.forOrg(caller.org.id);
    const user = await requireUser(org, idOrLogin);
    refusePassword(user);
    if (!['ACTIVE', 'PASSWORD_EXPIRED', 'RECOVERY', 'STAGED'].includes(user.status)) {
      throw new AppError('user.operation_not_allowed');
    }
    const ok = user.passwordHash !== null && await passwords.verify(user.passwordHash, oldPassword);
    if (!ok) throw new AppError('user.credentials_failed', { causes: ['oldPassword: The credentials provided were incorrect.'] });
    return setOwnPassword(caller, user, newPassword);
  }

  /** The user a still-valid link token belongs to, without using it up. */
  async function userOfLink(org: Org, token: string, purpose: UserTokenPurpose): Promise<User | undefined> {
    const scoped = store.forOrg(org.id);
    const userId = await scoped.userTokens.peek(hashToken(token), purpose, clock.now().toISOString());
    return userId ? scoped.users.findById(userId) : undefined;
  }

  /** Completes activation or recovery: uses the link token up and sets the password. */
  async function completeLink(caller: Caller, token: string, purpose: UserTokenPurpose, password: string): Promise<User> {
    const user = await userOfLink(caller.org, token, purpose);
    if (!user) throw notFound('Token', 'link');
    return setOwnPassword(caller, user, password, async (scoped) => {
      const consumed = await scoped.userTokens.consume(hashToken(token), purpose, clock.now().toISOString());
      if (!consumed) throw notFound('Token', 'link');
    });
  }

  return { issueLink, setOwnPassword, changePassword, userOfLink, completeLink };
}

export type CredentialService = ReturnType<typeof createCredentialService>;

/** Random text for generated first passwords that satisfies any default policy. */
export function generatePassword(): string {
  return `${randomToken(18)}aA1`;
}
