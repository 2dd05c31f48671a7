/**
 * The browser's Lanyard session: started after a successful sign-in (replacing any earlier one in
 * the same browser), read from its cookie, and the form CSRF token used before there is a session.
 */
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../kernel/errors.ts';
import { randomToken } from '../kernel/secrets.ts';
import type { User } from '../domain/user.ts';
import type { Services } from '../services/index.ts';
import type { Caller } from '../services/caller.ts';
import { userActor } from '../services/caller.ts';
import type { ActiveSession } from '../signin/sessions.ts';
import { readForm } from './body.ts';
import { csrfCookie, readCookie, sessionCookie, writeCookie, type CookiePolicy } from './cookies.ts';
import { orgOf, type LanyardContext } from './state.ts';

export function createBrowserSessions(services: Services, policy: CookiePolicy, anonymousCaller: (ctx: LanyardContext) => Caller) {
  async function current(ctx: LanyardContext): Promise<ActiveSession | undefined> {
    return services.sessions.resolve(orgOf(ctx), readCookie(ctx, sessionCookie));
  }

  /** Starts a session for `user` and sets its cookie; an earlier session of this browser ends. */
  async function start(ctx: LanyardContext, user: User, amr: readonly string[]): Promise<ActiveSession & { readonly cookieValue: string }> {
    const previous = await current(ctx);
    if (previous) await services.sessions.end({ ...anonymousCaller(ctx), actor: userActor(previous.user) }, previous);
    const { cookieValue, session } = await services.sessions.start({ ...anonymousCaller(ctx), actor: userActor(user) }, user, amr);
    writeCookie(ctx, policy, sessionCookie, cookieValue);
    return { session, user, cookieValue };
  }

  /** The pre-session CSRF token: a random cookie repeated in the form (double submit). */
  function formCsrf(ctx: LanyardContext): string {
    let token = readCookie(ctx, csrfCookie);
    if (!token) {
      token = randomToken(24);
      writeCookie(ctx, policy, csrfCookie, token);
    }
    return token;
  }

  /** Reads a form and checks its CSRF field against `expected` (default: the CSRF cookie). */
  async function checkedForm(ctx: LanyardContext, expected: string | undefined = readCookie(ctx, csrfCookie)): Promise<Record<string, string>> {
    const form = await readForm(ctx);
    const given = form.csrf;
    if (!given || !expected || given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
      throw new AppError('auth.invalid_session', { debug: 'CSRF token missing or wrong' });
    }
    return form;
  }

  return { current, start, formCsrf, checkedForm };
}

export type BrowserSessions = ReturnType<typeof createBrowserSessions>;
