/**
 * SWA sign-ins through the Lanyard browser extension. Launching an app whose launch method is
 * `EXTENSION` leaves a one-time fill ticket for the browser's session and the origin of the app's
 * sign-in page; the extension, on that page, asks for it and gets the form's fields and the
 * user's credentials for the app — once, and only from a page on that origin whose URL is the
 * app's sign-in URL (or matches its `loginUrlRegex`).
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> Waiting: launch (signed in, assigned)
 *   Waiting --> Waiting: asked from another URL of the origin (kept)
 *   Waiting --> Answered: asked by the same session from the sign-in page
 *   Waiting --> [*]: two minutes pass
 *   Answered --> [*]
 * ```
 */
import type { App } from '../domain/app.ts';
import type { Org } from '../domain/org.ts';
import { swaSettingsOf as swaSettings, type SwaAppSettings } from '../domain/swa-app.ts';
import { AppError } from '../kernel/errors.ts';
import { hashToken, randomToken } from '../kernel/secrets.ts';
import type { ActiveSession } from '../signin/sessions.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { ssoEvent } from './federation-access.ts';
import type { ProtocolState } from './protocol-state.ts';
import type { LaunchCredentials } from './swa.ts';

/** How long a launch waits for the extension. */
export const fillTicketSeconds = 120;

/** What the credential vault gives a launch (`SwaService.credentialsForLaunch`). */
export type CredentialsForLaunch = (org: Org, appId: string, userId: string) => Promise<LaunchCredentials | undefined>;

/** The extension's answer: where to type, and what. */
export interface SwaFill {
  readonly fields: { readonly username: string; readonly password: string; readonly button: string | null };
  readonly userName: string;
  readonly password: string;
  readonly extraFields: readonly { readonly field: string; readonly value: string }[];
}

interface FillTicket extends Record<string, unknown> {
  readonly ticketId: string;
  readonly appId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly origin: string;
}

/** One ticket per session and origin: a later launch to the same origin replaces an earlier one. */
const ticketKey = (sessionId: string, origin: string) => `${sessionId}.${hashToken(origin)}`;

const noFill = (debug: string) => new AppError('swa.no_fill_waiting', { detail: 'sign-in fill (SwaFill)', debug });

const withoutQuery = (url: URL) => `${url.origin}${url.pathname.replace(/\/+$/, '')}`;

/** The page is the app's sign-in page: its URL (query and fragment aside), or one its regex matches. */
export function isSignInPage(settings: SwaAppSettings, page: URL): boolean {
  const signIn = new URL(settings.url);
  if (signIn.origin !== page.origin) return false;
  if (withoutQuery(signIn) === withoutQuery(page)) return true;
  if (!settings.loginUrlRegex) return false;
  try {
    return new RegExp(settings.loginUrlRegex).test(page.href);
  } catch {
    return false;
  }
}

export function createSwaFill(deps: Pick<ServiceDeps, 'clock' | 'store'>, state: ProtocolState, credentialsForLaunch: CredentialsForLaunch) {
  const { store } = deps;

  /** Leaves the ticket for a launch of `app` by `active`; returns the sign-in URL to send the browser to. */
  async function issue(caller: Caller, active: ActiveSession, app: App): Promise<string> {
    const settings = swaSettings(app);
    if (!settings) throw new AppError('request.validation_failed', { detail: 'settings.app', debug: `SWA app ${app.id} has no valid sign-in settings` });
    const origin = new URL(settings.url).origin;
    const ticket: FillTicket = { ticketId: randomToken(16), appId: app.id, userId: active.user.id, sessionId: active.session.id, origin };
    await state.put(caller.org.id, 'SwaFillTicket', ticketKey(active.session.id, origin), ticket, fillTicketSeconds, active.user.id);
    return settings.url;
  }

  /**
   * Answers the waiting launch for `pageUrl` in this session, once. Refusals are all the same
   * `swa.no_fill_waiting`, so a caller learns nothing about other sessions or apps.
   */
  async function fill(caller: Caller, active: ActiveSession, pageUrl: URL): Promise<SwaFill> {
    const org = caller.org;
    const key = ticketKey(active.session.id, pageUrl.origin);
    const ticket = await state.get<FillTicket>(org.id, 'SwaFillTicket', key);
    if (!ticket || ticket.sessionId !== active.session.id || ticket.userId !== active.user.id || ticket.origin !== pageUrl.origin) {
      throw noFill('no launch waiting for this session and origin');
    }
    const scoped = store.forOrg(org.id);
    const app = await scoped.apps.findById(ticket.appId);
    const settings = app && app.status === 'ACTIVE' ? swaSettings(app) : undefined;
    if (!app || !settings) throw noFill('the launched app is gone or inactive');
    // Kept for the sign-in page itself: the app may pass through other pages of its origin first.
    if (!isSignInPage(settings, pageUrl)) throw noFill('the page is not the app\'s sign-in page');
    if (!(await state.claim(org.id, 'SwaFillTicketUsed', ticket.ticketId, fillTicketSeconds))) throw noFill('the launch was answered already');
    await state.remove(org.id, 'SwaFillTicket', key);
    const fail = async (reason: string) => {
      await scoped.logs.append(ssoEvent(deps, caller, active.user, app, 'FAILURE', reason));
      return noFill(reason);
    };
    if (!(await scoped.apps.isAssigned(app.id, active.user.id))) throw await fail('User is not assigned to the app');
    const credentials = await credentialsForLaunch(org, app.id, active.user.id);
    if (!credentials) throw await fail('No credentials are set for the user in this app');
    await scoped.logs.append(ssoEvent(deps, caller, active.user, app, 'SUCCESS'));
    return {
      fields: { username: settings.usernameField, password: settings.passwordField, button: settings.buttonField ?? null },
      userName: credentials.userName,
      password: credentials.password,
      extraFields: credentials.extraFields.map(({ field, value }) => ({ field, value })),
    };
  }

  return { issue, fill };
}

export type SwaFillService = ReturnType<typeof createSwaFill>;
