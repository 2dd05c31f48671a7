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
import type { SessionRecord } from './ports.ts';
import type { MfaSignOn } from '../signin/mfa.ts';

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

/** What the app's sign-on policy asks of a session before an assertion goes out. */
export type PolicyStep =
  | Refusal
  /** Sign in again (`reauth`), or prove a second factor (`mfa`), then come back to `continueUrl`. */
  | { readonly kind: 'signin'; readonly continueUrl: string; readonly reauth: boolean; readonly mfa?: boolean };

/**
 * Checks the session against the org's and the app's sign-on policies; undefined when it may go
 * on. A denial is logged (as a failed sign-in to the app) and shown.
 */
export async function policyStep(deps: Pick<ServiceDeps, 'clock' | 'store'>, mfa: MfaSignOn, caller: Caller, app: App,
  active: { readonly user: User; readonly session: SessionRecord }, continueUrl: string): Promise<PolicyStep | undefined> {
  const gate = await mfa.gate(caller, active, app.id);
  switch (gate.kind) {
    case 'pass':
      return undefined;
    case 'mfa':
      return { kind: 'signin', continueUrl, reauth: false, mfa: true };
    case 'reauth':
      return { kind: 'signin', continueUrl, reauth: true };
    case 'denied':
      await deps.store.forOrg(caller.org.id).logs.append(ssoEvent(deps, caller, active.user, app, 'FAILURE', 'Denied by sign-on policy'));
      return {
        kind: 'refused', status: 403, title: `You can't use ${app.label} from here`,
        message: 'Your organization\'s sign-on policy doesn\'t allow this sign-in. If you think this is a mistake, contact your administrator.',
      };
  }
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
