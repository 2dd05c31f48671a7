/**
 * The signed-in user's own dashboard: their app tiles in the order they chose, their sessions,
 * and the profile attributes they may edit. Everything here acts on the caller's own user only.
 */
import { notFound, validationError } from '../kernel/errors.ts';
import type { App } from '../domain/app.ts';
import type { Org } from '../domain/org.ts';
import type { User } from '../domain/user.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import type { AppService } from './apps.ts';
import type { UserService } from './users.ts';
import type { SessionService } from '../signin/sessions.ts';
import type { SessionRecord } from './ports.ts';
import { buildEvent, userTarget } from './system-log.ts';
import type { DirectorySettings } from '../directory/settings.ts';

/** The profile attributes a user edits on their own page (the rest is the admin's, or a directory's). */
export const selfEditableAttributes = ['firstName', 'lastName', 'displayName', 'nickName', 'title', 'mobilePhone', 'primaryPhone', 'preferredLanguage'] as const;
export type SelfEditableAttribute = (typeof selfEditableAttributes)[number];

/** An app tile: the app and, for a catalog integration, where its logo is served. */
export interface AppTile {
  readonly app: App;
  readonly logoUrl: string | undefined;
}

export function createDashboard(deps: ServiceDeps, apps: AppService, users: UserService, sessions: SessionService) {
  const { store, clock } = deps;

  /** The apps the user may launch: their own order first, then the rest by label. */
  async function tiles(org: Org, user: User): Promise<AppTile[]> {
    const scoped = store.forOrg(org.id);
    const launchable = await apps.launchableFor(org, user.id);
    const order = await scoped.appOrder.orderOf(user.id);
    const rank = (app: App) => {
      const i = order.indexOf(app.id);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    const sorted = [...launchable].sort((a, b) => rank(a) - rank(b) || a.label.localeCompare(b.label));
    return Promise.all(sorted.map(async (app) => {
      const link = await scoped.appIntegrations.find(app.id);
      return { app, logoUrl: link ? `/catalog/integrations/${encodeURIComponent(link.integrationKey)}/logo?version=${encodeURIComponent(link.version)}` : undefined };
    }));
  }

  async function saveOrder(caller: Caller, user: User, appIds: readonly string[]): Promise<void> {
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      await scoped.appOrder.replace(user.id, appIds);
      await scoped.logs.append(buildEvent(clock, caller, 'user.dashboard.app_order.update', { targets: [userTarget(user)] }));
    });
  }

  /** Moves one tile a place up or down; the whole current order is stored, so it stays as seen. */
  async function move(caller: Caller, user: User, appId: string, direction: 'up' | 'down'): Promise<void> {
    const ids = (await tiles(caller.org, user)).map((t) => t.app.id);
    const from = ids.indexOf(appId);
    if (from < 0) throw notFound('AppInstance', appId);
    const to = direction === 'up' ? from - 1 : from + 1;
    if (to < 0 || to >= ids.length) return;
    [ids[from], ids[to]] = [ids[to]!, ids[from]!];
    await saveOrder(caller, user, ids);
  }

  async function sortByName(caller: Caller, user: User): Promise<void> {
    const launchable = await apps.launchableFor(caller.org, user.id);
    await saveOrder(caller, user, [...launchable].sort((a, b) => a.label.localeCompare(b.label)).map((a) => a.id));
  }

  /** The user's live sessions, newest first. */
  async function sessionsOf(org: Org, user: User): Promise<SessionRecord[]> {
    const now = clock.now().getTime();
    return (await store.forOrg(org.id).sessions.listForUser(user.id))
      .filter((s) => Date.parse(s.expiresAt) > now && Date.parse(s.idleExpiresAt) > now)
      .reverse();
  }

  /** Ends one of the user's own sessions; another user's session id is not found. */
  async function endSession(caller: Caller, user: User, sessionId: string): Promise<void> {
    const active = await sessions.byId(caller.org, sessionId);
    if (!active || active.user.id !== user.id) throw notFound('Session', sessionId.slice(0, 40));
    await sessions.end(caller, active);
  }

  /**
   * Signs the user out everywhere, this browser included. As Okta's `DELETE /users/{id}/sessions`
   * does by default (`oauthTokens=false`), apps' OAuth tokens stay: "Connected apps" revokes those.
   */
  function endAllSessions(caller: Caller, user: User): Promise<number> {
    return sessions.revokeAll(caller, user.id);
  }

  /** Changes the self-editable attributes that `form` carries; an empty optional field clears it. */
  async function updateProfile(caller: Caller, user: User, form: Readonly<Record<string, string | undefined>>): Promise<User> {
    const changes: Record<string, string | null> = {};
    for (const name of selfEditableAttributes) {
      const value = form[name];
      if (value === undefined) continue;
      const trimmed = value.trim();
      changes[name] = trimmed === '' && name !== 'firstName' && name !== 'lastName' ? null : trimmed;
    }
    if (Object.keys(changes).length === 0) throw validationError(['profile: Nothing to change.'], 'profile');
    return users.update(caller, user.id, { profile: changes }, 'partial');
  }

  /** The attributes the user's directory owns (shown, not editable); none for Lanyard's own users. */
  async function directoryAttributes(org: Org, user: User): Promise<string[]> {
    if (!user.directoryId) return [];
    const directory = await store.forOrg(org.id).directories.findById(user.directoryId);
    return directory ? Object.keys((directory.settings as DirectorySettings).attributes) : [];
  }

  return { directoryAttributes, tiles, move, sortByName, sessionsOf, endSession, endAllSessions, updateProfile };
}

export type DashboardService = ReturnType<typeof createDashboard>;
