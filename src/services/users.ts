/**
 * Users: create, read, list, update and delete, with Okta's rules. Lifecycle operations live in
 * `user-lifecycle.ts`, credentials in `user-credentials.ts`.
 */
import { z } from 'zod';
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { requireUser } from './user-lookup.ts';
import { newId } from '../kernel/ids.ts';
import { compactProfile, userProfileSchema, type ProfileValue, type UserProfile } from '../domain/user-profile.ts';
import type { User, UserStatus, UserWithSecrets } from '../domain/user.ts';
import { everyoneGroupName } from '../domain/group.ts';
import type { Filter } from '../protocols/scim/filter.ts';
import { UniqueViolation, type Page } from './ports.ts';
import type { ServiceDeps } from './deps.ts';
import type { Caller } from './caller.ts';
import { buildEvent, groupTarget, userTarget } from './system-log.ts';
import { issuesToCauses } from './validation.ts';
import { checkNewPassword, recoveryQuestionSchema, type PasswordPolicySource } from './user-credentials.ts';
import type { LifecycleService } from './user-lifecycle.ts';
import { queuePasswordSync, queueUserPush, sealPasswordForSync } from './provisioning-outbox.ts';
import type { Vault } from '../vault/envelope.ts';
import { refuseDirectoryChanges } from './directory-guard.ts';

export const passwordValueSchema = z.object({ value: z.string().min(1).max(256) }).strict();

export const credentialsInputSchema = z.object({
  password: passwordValueSchema.optional(),
  recovery_question: recoveryQuestionSchema.optional(),
  provider: z.object({ type: z.string(), name: z.string().optional() }).optional(),
});

export type CredentialsInput = z.infer<typeof credentialsInputSchema>;

export interface CreateUserInput {
  readonly profile: Record<string, unknown>;
  readonly credentials?: CredentialsInput | undefined;
  readonly groupIds?: readonly string[] | undefined;
}

export interface CreateUserOptions {
  readonly activate: boolean;
  readonly nextLogin?: 'changePassword' | undefined;
  /** A directory's user: active without a password, which the directory checks. */
  readonly source?: { readonly directoryId: string; readonly provider: { readonly type: string; readonly name: string } } | undefined;
}

export interface UserListQuery {
  readonly q?: string | undefined;
  readonly filter?: Filter | undefined;
  readonly limit: number;
  readonly after?: string | undefined;
  readonly sort?: { readonly path: string; readonly descending: boolean } | undefined;
}

/** The user type every user has until user types exist: Okta's default. */
export const defaultUserTypeId = 'oty00000000000000000';

/** Okta's cause for a login that is taken. */
export const duplicateLoginCause = 'login: An object with this field already exists in the current organization';

function validateProfile(profile: unknown): UserProfile {
  const parsed = userProfileSchema.safeParse(profile);
  if (!parsed.success) throw validationError(issuesToCauses(parsed.error));
  return compactProfile(parsed.data as Record<string, ProfileValue>) as UserProfile;
}

export function createUserService(deps: ServiceDeps, lifecycle: LifecycleService, vault: Vault, policies: PasswordPolicySource) {
  const { store, clock, passwords } = deps;

  async function create(caller: Caller, input: CreateUserInput, options: CreateUserOptions): Promise<User> {
    const profile = validateProfile(input.profile);
    const password = input.credentials?.password?.value;
    if (options.nextLogin === 'changePassword') {
      if (!password) throw new AppError('user.expire_on_create_needs_password');
      if (!options.activate) throw new AppError('user.expire_on_create_needs_activation');
    }
    const groupIds = [...new Set(input.groupIds ?? [])];
    if (groupIds.length > 20) {
      throw new AppError('request.too_many_targets', { causes: ['The number of group targets is too large.'] });
    }
    if (password !== undefined) {
      checkNewPassword(deps, await policies.passwordPolicyForGroups(caller.org.id, groupIds), password, profile, 'create');
    }
    const recovery = input.credentials?.recovery_question;
    // Hash outside the transaction: argon2 is slow on purpose, and SQLite has one writer.
    const passwordHash = password === undefined ? null : await passwords.hash(password);
    const answerHash = recovery?.answer ? await passwords.hash(recovery.answer.trim().toLowerCase()) : null;

    const now = clock.now().toISOString();
    let status: UserStatus = 'STAGED';
    if (options.activate) status = passwordHash ? 'ACTIVE' : 'PROVISIONED';
    if (options.nextLogin === 'changePassword') status = 'PASSWORD_EXPIRED';
    if (options.source && options.activate) status = 'ACTIVE';
    const activated = options.activate ? now : null;
    const user: UserWithSecrets = {
      id: newId('user'),
      orgId: caller.org.id,
      status,
      transitioningToStatus: null,
      profile,
      typeId: defaultUserTypeId,
      created: now,
      activated,
      statusChanged: activated,
      lastLogin: null,
      lastUpdated: now,
      passwordChanged: passwordHash ? now : null,
      hasPassword: passwordHash !== null,
      recoveryQuestion: recovery?.question ?? null,
      failedSignIns: 0,
      passwordHash,
      recoveryAnswerHash: answerHash,
      ...(options.source ? { provider: options.source.provider, directoryId: options.source.directoryId } : {}),
    };

    return store.transaction(async (tx) => {
      const org = tx.forOrg(caller.org.id);
      const groups = [];
      for (const groupId of groupIds) {
        const group = await org.groups.findById(groupId);
        if (!group) throw notFound('UserGroup', groupId);
        if (group.type !== 'OKTA_GROUP') throw new AppError('resource.read_only', { debug: `group ${groupId} is ${group.type}` });
        groups.push(group);
      }
      try {
        await org.users.insert(user);
      } catch (error) {
        if (error instanceof UniqueViolation && error.field === 'login') {
          throw validationError([duplicateLoginCause], 'login');
        }
        throw error;
      }
      if (passwordHash) await org.users.addPasswordHistory(user.id, passwordHash, now);
      const everyone = await org.groups.findByName(everyoneGroupName);
      if (everyone) await org.groups.addMember(everyone.id, user.id, now);
      const target = userTarget(user);
      await org.logs.append(buildEvent(clock, caller, 'user.lifecycle.create', { targets: [target] }));
      if (options.activate) await org.logs.append(buildEvent(clock, caller, 'user.lifecycle.activate', { targets: [target] }));
      for (const group of groups) {
        await org.groups.addMember(group.id, user.id, now);
        await org.groups.touchMembership(group.id, now);
        await org.logs.append(buildEvent(clock, caller, 'group.user_membership.add', { targets: [target, groupTarget(group)] }));
      }
      return user;
    });
  }

  async function get(caller: Caller, idOrLogin: string): Promise<User> {
    return requireUser(store.forOrg(caller.org.id), idOrLogin);
  }

  async function list(caller: Caller, query: UserListQuery): Promise<Page<User>> {
    return store.forOrg(caller.org.id).users.list({ ...query, includeDeprovisioned: false });
  }

  /**
   * POST (partial: given attributes change, `null` removes one) or PUT (replace: the profile
   * becomes exactly what is sent). Credentials sent here are set by an administrator.
   */
  async function update(caller: Caller, idOrLogin: string, input: { profile?: Record<string, unknown> | undefined; credentials?: CredentialsInput | undefined },
    mode: 'partial' | 'replace', options: { readonly fromDirectory?: boolean } = {}): Promise<User> {
    const org = store.forOrg(caller.org.id);
    const existing = await requireUser(org, idOrLogin);
    if (existing.status === 'DEPROVISIONED') {
      throw new AppError('user.operation_not_allowed', { debug: 'profile update of a deactivated user' });
    }
    if (mode === 'replace' && input.profile === undefined) {
      throw validationError(['profile: The field cannot be left blank'], 'profile');
    }
    const merged = mode === 'partial' ? { ...existing.profile, ...input.profile } : { ...input.profile };
    const profile = validateProfile(merged);
    if (!options.fromDirectory) await refuseDirectoryChanges(org, existing, profile, input.credentials?.password !== undefined);
    const password = input.credentials?.password?.value;
    if (password !== undefined) checkNewPassword(deps, await policies.passwordPolicyFor(caller.org.id, existing.id), password, profile, 'create');
    const recovery = input.credentials?.recovery_question;
    const passwordHash = password === undefined ? undefined : await passwords.hash(password);
    const answerHash = recovery?.answer ? await passwords.hash(recovery.answer.trim().toLowerCase()) : undefined;
    const sealedForSync = password === undefined ? undefined : await sealPasswordForSync(store, vault, caller.org.id, existing.id, password);
    const now = clock.now().toISOString();

    return store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      const profileChanged = JSON.stringify(profile) !== JSON.stringify(existing.profile);
      const passwordStatus = passwordHash && (existing.status === 'PASSWORD_EXPIRED' || existing.status === 'RECOVERY') ? 'ACTIVE' : undefined;
      try {
        await scoped.users.update(existing.id, {
          profile,
          lastUpdated: now,
          ...(passwordHash ? { passwordHash, passwordChanged: now } : {}),
          ...(recovery && answerHash ? { recoveryQuestion: recovery.question, recoveryAnswerHash: answerHash } : {}),
          ...(passwordStatus ? { status: passwordStatus, statusChanged: now } : {}),
        });
      } catch (error) {
        if (error instanceof UniqueViolation && error.field === 'login') throw validationError([duplicateLoginCause], 'login');
        throw error;
      }
      const target = userTarget({ id: existing.id, profile });
      if (profileChanged) {
        await scoped.logs.append(buildEvent(clock, caller, 'user.account.update_profile', { targets: [target] }));
        await queueUserPush(scoped, clock, [existing.id]);
      }
      if (passwordHash) {
        await queuePasswordSync(scoped, clock, existing.id, sealedForSync);
        await scoped.users.addPasswordHistory(existing.id, passwordHash, now);
        await scoped.logs.append(buildEvent(clock, caller, 'user.account.reset_password', { targets: [target] }));
      }
      return (await scoped.users.findById(existing.id))!;
    });
  }

  /** Okta's DELETE: a user who is not yet deactivated is deactivated; a deactivated one is deleted. */
  async function remove(caller: Caller, idOrLogin: string): Promise<'deactivated' | 'deleted'> {
    const org = store.forOrg(caller.org.id);
    const user = await requireUser(org, idOrLogin);
    return store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      if (user.status !== 'DEPROVISIONED') {
        await lifecycle.apply(caller, scoped, user, 'deactivate', {});
        return 'deactivated';
      }
      await scoped.users.delete(user.id);
      await scoped.logs.append(buildEvent(clock, caller, 'user.lifecycle.delete.initiated', { targets: [userTarget(user)] }));
      return 'deleted';
    });
  }

  async function groupsOf(caller: Caller, idOrLogin: string) {
    const org = store.forOrg(caller.org.id);
    const user = await requireUser(org, idOrLogin);
    return org.groups.groupsOfUser(user.id);
  }

  return { create, get, list, update, remove, groupsOf };
}

export type UserService = ReturnType<typeof createUserService>;
