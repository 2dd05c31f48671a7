/**
 * What SAML and WS-Federation sign-ins share once the person is known: only users assigned to
 * the app (directly or through a group) get an assertion, and every outcome is in the system log.
 */
import type { App } from '../domain/app.ts';
import type { User } from '../domain/user.ts';
import type { LogEvent } from '../domain/log-event.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { buildEvent, userTarget } from './system-log.ts';

/** A page shown instead of sending anything. */
export interface Refusal {
  readonly kind: 'refused';
  readonly status: number;
  readonly title: string;
  readonly message: string;
}

function appTarget(app: App) {
  return { id: app.id, type: 'AppInstance', alternateId: app.label, displayName: app.label };
}

/** Okta's `user.authentication.sso` event for a sign-in to `app`, with the user as actor. */
export function ssoEvent(deps: Pick<ServiceDeps, 'clock'>, caller: Caller, user: User, app: App, outcome: 'SUCCESS' | 'FAILURE', reason?: string): LogEvent {
  const actor = { id: user.id, type: 'User', alternateId: user.profile.login, displayName: `${user.profile.firstName} ${user.profile.lastName}` };
  return buildEvent(deps.clock, { ...caller, actor }, 'user.authentication.sso', {
    outcome, ...(reason ? { reason } : {}), targets: [userTarget(user), appTarget(app)],
  });
}

/** A refusal (logged) when the user is not assigned to the app; undefined when they are. */
export async function refuseUnassigned(deps: Pick<ServiceDeps, 'clock' | 'store'>, caller: Caller, app: App, user: User): Promise<Refusal | undefined> {
  const scoped = deps.store.forOrg(caller.org.id);
  if (await scoped.apps.isAssigned(app.id, user.id)) return undefined;
  await scoped.logs.append(ssoEvent(deps, caller, user, app, 'FAILURE', 'User is not assigned to the app'));
  return {
    kind: 'refused', status: 403, title: `You can't use ${app.label}`,
    message: 'User is not assigned to this application. Ask your administrator to give you access to this app.',
  };
}

/**
 * A sign-in request refused before anyone was known (a bad signature, an unregistered ACS URL, a
 * replay…): logged so an admin can see why an app's sign-ins fail. The reason is Lanyard's own
 * message, never the request itself.
 */
export async function logRefusedRequest(deps: Pick<ServiceDeps, 'clock' | 'store'>, caller: Caller, app: App | undefined, reason: string): Promise<void> {
  await deps.store.forOrg(caller.org.id).logs.append(buildEvent(deps.clock, caller, 'user.authentication.sso', {
    outcome: 'FAILURE', reason: reason.slice(0, 300), severity: 'WARN', ...(app ? { targets: [appTarget(app)] } : {}),
  }));
}
