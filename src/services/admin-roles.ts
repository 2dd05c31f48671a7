/**
 * Admin role assignments (Okta's `/api/v1/users/{id}/roles`) for the roles Lanyard has:
 * SUPER_ADMIN, ORG_ADMIN and NETWORK_REVIEWER — the last only for users of the deployment's
 * first org, who review the integration network. Only a super administrator assigns roles.
 */
import { AppError, validationError } from '../kernel/errors.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { buildEvent, userTarget } from './system-log.ts';
import { requireUser } from './user-lookup.ts';

export const roleTypes = ['SUPER_ADMIN', 'ORG_ADMIN', 'NETWORK_REVIEWER'] as const;
export type RoleType = (typeof roleTypes)[number];

export function createAdminRoles(deps: ServiceDeps) {
  const { store, clock } = deps;

  async function list(caller: Caller, userId: string): Promise<{ userId: string; types: string[] }> {
    const org = store.forOrg(caller.org.id);
    const user = await requireUser(org, userId);
    return { userId: user.id, types: await org.users.roles(user.id) };
  }

  async function assign(caller: Caller, userId: string, type: RoleType): Promise<string> {
    if (!(caller.roles ?? []).includes('SUPER_ADMIN')) throw new AppError('auth.forbidden', { debug: 'roles are assigned by a super administrator' });
    if (type === 'NETWORK_REVIEWER' && !caller.org.isDefault) {
      throw validationError(['type: NETWORK_REVIEWER is held by users of the deployment\'s first org only'], 'type');
    }
    const user = await requireUser(store.forOrg(caller.org.id), userId);
    await store.transaction(async (tx) => {
      const t = tx.forOrg(caller.org.id);
      await t.users.addRole(user.id, type, clock.now().toISOString());
      await t.logs.append(buildEvent(clock, caller, 'user.account.privilege.grant', { targets: [userTarget(user)], debugData: { role: type } }));
    });
    return user.id;
  }

  return { list, assign };
}
