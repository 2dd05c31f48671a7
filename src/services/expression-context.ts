/**
 * What an Okta expression sees for one user, in one org, optionally in the context of one app:
 * the profile, the app user profile of the user's assignment, the app, the org, the user's groups
 * and, for sign-in protocols, the session.
 */
import type { App } from '../domain/app.ts';
import type { Org } from '../domain/org.ts';
import type { User } from '../domain/user.ts';
import type { ExpressionContext } from '../protocols/expressions/index.ts';
import type { ServiceDeps } from './deps.ts';

export async function buildExpressionContext(deps: Pick<ServiceDeps, 'store' | 'clock'>, org: Org, user: User,
  app?: { readonly app: App; readonly clientId?: string | undefined }, session?: Readonly<Record<string, unknown>>): Promise<ExpressionContext> {
  const scoped = deps.store.forOrg(org.id);
  const groups = await scoped.groups.groupsOfUser(user.id);
  const assignment = app ? await scoped.apps.findUserAssignment(app.app.id, user.id) : undefined;
  return {
    user: user.profile as Record<string, unknown>,
    userInternal: { id: user.id, status: user.status },
    ...(assignment ? { appuser: { userName: user.profile.login, ...assignment.profile } } : {}),
    ...(app ? { app: { id: app.app.id, label: app.app.label, name: app.app.name, ...(app.clientId ? { clientId: app.clientId } : {}) } } : {}),
    org: { name: org.displayName, subdomain: org.name, id: org.id },
    ...(session ? { session } : {}),
    groups: groups.map((g) => ({ id: g.id, name: g.name, type: g.type })),
    now: deps.clock.now(),
  };
}
