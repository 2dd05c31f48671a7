/** A user on the wire, as Okta shows one: secrets never, links by what the status allows. */
import type { User, UserStatus } from '../../domain/user.ts';

type Link = { href: string; method?: 'POST' };

const lifecycleLinks: Record<UserStatus, readonly (readonly [string, string])[]> = {
  STAGED: [['activate', 'lifecycle/activate'], ['deactivate', 'lifecycle/deactivate']],
  PROVISIONED: [['activate', 'lifecycle/reactivate'], ['resetPassword', 'lifecycle/reset_password'], ['deactivate', 'lifecycle/deactivate']],
  ACTIVE: [
    ['suspend', 'lifecycle/suspend'], ['resetPassword', 'lifecycle/reset_password'], ['expirePassword', 'lifecycle/expire_password'],
    ['forgotPassword', 'credentials/forgot_password'], ['changeRecoveryQuestion', 'credentials/change_recovery_question'],
    ['deactivate', 'lifecycle/deactivate'], ['changePassword', 'credentials/change_password'],
  ],
  RECOVERY: [['resetPassword', 'lifecycle/reset_password'], ['expirePassword', 'lifecycle/expire_password'], ['deactivate', 'lifecycle/deactivate']],
  PASSWORD_EXPIRED: [
    ['resetPassword', 'lifecycle/reset_password'], ['expirePassword', 'lifecycle/expire_password'],
    ['deactivate', 'lifecycle/deactivate'], ['changePassword', 'credentials/change_password'],
  ],
  LOCKED_OUT: [['unlock', 'lifecycle/unlock'], ['resetPassword', 'lifecycle/reset_password'], ['expirePassword', 'lifecycle/expire_password'], ['deactivate', 'lifecycle/deactivate']],
  SUSPENDED: [['unsuspend', 'lifecycle/unsuspend'], ['deactivate', 'lifecycle/deactivate']],
  DEPROVISIONED: [['activate', 'lifecycle/activate']],
};

/**
 * `detailed` adds the operation links a single-user response carries; list responses carry only
 * `self`, as Okta's do.
 */
export function userJson(user: User, orgUrl: string, detailed = true): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/users/${user.id}`;
  const links: Record<string, Link> = {};
  if (detailed) {
    for (const [name, path] of lifecycleLinks[user.status]) links[name] = { href: `${self}/${path}`, method: 'POST' };
  }
  links.self = { href: self };
  const credentials: Record<string, unknown> = {};
  if (user.hasPassword) credentials.password = {};
  if (user.recoveryQuestion) credentials.recovery_question = { question: user.recoveryQuestion };
  credentials.provider = user.provider && user.provider.type !== 'OKTA' ? { type: user.provider.type, name: user.provider.name } : { type: 'OKTA', name: 'OKTA' };
  return {
    id: user.id,
    status: user.status,
    ...(user.transitioningToStatus ? { transitioningToStatus: user.transitioningToStatus } : {}),
    created: user.created,
    activated: user.activated,
    statusChanged: user.statusChanged,
    lastLogin: user.lastLogin,
    lastUpdated: user.lastUpdated,
    passwordChanged: user.passwordChanged,
    type: { id: user.typeId },
    profile: user.profile,
    credentials,
    _links: links,
  };
}
