/**
 * The SWA credential vault: each app user's user name and password for an app that signs in with
 * a form, sealed by the vault with the org, app and user as associated data (`swa:{appId}:{userId}`;
 * an app's shared account `swa-shared:{appId}`), so a sealed value moved to another org, app or
 * user does not open. Who may set which part follows the app's credentials scheme
 * (`domain/swa-credentials.ts`). Passwords leave this module only to sign the user in (the launch
 * form, the browser extension) and, for a password the user set, to the user after they proved
 * their Lanyard password again. They are never logged.
 */
import { z } from 'zod';
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { App } from '../domain/app.ts';
import type { Org } from '../domain/org.ts';
import type { User } from '../domain/user.ts';
import { swaPasswordSchema as passwordSchema, swaSettingsOf, swaUserNameSchema as userNameSchema } from '../domain/swa-app.ts';
import { schemeOf, schemeRules, userEditsSomething, userMayReveal, type SwaCredentialScheme } from '../domain/swa-credentials.ts';
import { SealError, type Vault } from '../vault/envelope.ts';
import type { SignInService } from '../signin/sign-in.ts';
import type { AppService } from './apps.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import type { AppUserAssignment, OrgStore, SwaCredentialRecord } from './ports.ts';
import { appTarget } from './apps.ts';
import { buildEvent, userTarget } from './system-log.ts';
import { parseOrThrow } from './validation.ts';
import { requireUser } from './user-lookup.ts';

export const swaUserContext = (appId: string, userId: string) => `swa:${appId}:${userId}`;
export const swaSharedContext = (appId: string) => `swa-shared:${appId}`;

/** How long after a launch its "did it work?" question is still asked. */
const checkWindowMs = 60 * 60_000;

/** `credentials` of an app user as Okta's API takes them: `{ userName, password: { value } }`. */
export const appUserCredentialsSchema = z.object({
  userName: userNameSchema.optional(),
  password: z.object({ value: passwordSchema.optional() }).loose().optional(),
}).loose();

export interface LaunchCredentials {
  readonly userName: string;
  readonly password: string;
  readonly extraFields: { field: string; value: string }[];
}

/** What a user's page shows about their credentials for an app: never the password. */
export interface CredentialStatus {
  readonly scheme: SwaCredentialScheme;
  readonly userName: string;
  readonly hasPassword: boolean;
  /** True when a launch can sign in now. */
  readonly complete: boolean;
  readonly userSetsUserName: boolean;
  readonly userSetsPassword: boolean;
  readonly mayReveal: boolean;
}

export interface PendingCheck {
  readonly launchId: string;
  readonly appId: string;
  readonly appLabel: string;
}

export type RevealOutcome =
  | { readonly kind: 'revealed'; readonly password: string }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number }
  | { readonly kind: 'not_allowed' };

export type CheckAnswerOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'update'; readonly app: App }
  | { readonly kind: 'admin_told'; readonly app: App };

export function createSwaService(deps: ServiceDeps, vault: Vault, apps: AppService, signIn: SignInService) {
  const { store, clock } = deps;

  function isSwa(app: App | undefined): app is App {
    return app?.signOnMode === 'BROWSER_PLUGIN';
  }

  async function requireSwaApp(scoped: OrgStore, appId: string): Promise<App> {
    const app = await scoped.apps.findById(appId);
    if (!isSwa(app)) throw notFound('AppInstance', appId);
    return app;
  }

  function extraFieldsOf(app: App): { field: string; value: string }[] {
    return (swaSettingsOf(app)?.extraFields ?? []).map((f) => ({ field: f.field, value: f.value }));
  }

  /** The user name a user signs in to the app with: theirs when set, else their login (the user name template). */
  const effectiveUserName = (record: SwaCredentialRecord | undefined, user: Pick<User, 'profile'>) => record?.userName ?? user.profile.login;

  async function status(org: Org, app: App, user: User): Promise<CredentialStatus> {
    const scoped = store.forOrg(org.id);
    const scheme = schemeOf(app.credentials);
    const rules = schemeRules(scheme);
    if (scheme === 'SHARED_USERNAME_AND_PASSWORD') {
      const shared = await scoped.swa.findShared(app.id);
      return {
        scheme, userName: shared?.userName ?? '', hasPassword: shared !== undefined, complete: shared !== undefined,
        userSetsUserName: false, userSetsPassword: false, mayReveal: false,
      };
    }
    const record = await scoped.swa.find(app.id, user.id);
    const hasPassword = Boolean(record?.password);
    return {
      scheme, userName: effectiveUserName(record, user), hasPassword, complete: hasPassword,
      userSetsUserName: rules.userName === 'user', userSetsPassword: rules.password === 'user', mayReveal: userMayReveal(scheme) && hasPassword,
    };
  }

  /**
   * The user name and password that sign `userId` in to the app, with the app's extra fields;
   * undefined when the app is not an active SWA app, the user is not assigned or the credentials
   * are incomplete. The browser extension and the launch form both use this.
   */
  async function credentialsForLaunch(org: Org, appId: string, userId: string): Promise<LaunchCredentials | undefined> {
    try {
      return await openForLaunch(org, appId, userId);
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      // A sealed value that is not this org's, app's and user's (moved or altered): unusable, as if unset.
      deps.logger.warn({ orgId: org.id, appId, userId }, 'vaulted SWA credentials do not open for this org, app and user');
      return undefined;
    }
  }

  async function openForLaunch(org: Org, appId: string, userId: string): Promise<LaunchCredentials | undefined> {
    const scoped = store.forOrg(org.id);
    const app = await scoped.apps.findById(appId);
    if (!isSwa(app) || app.status !== 'ACTIVE') return undefined;
    const user = await scoped.users.findById(userId);
    if (!user || user.status !== 'ACTIVE' || !(await scoped.apps.isAssigned(app.id, user.id))) return undefined;
    const extraFields = extraFieldsOf(app);
    if (schemeOf(app.credentials) === 'SHARED_USERNAME_AND_PASSWORD') {
      const shared = await scoped.swa.findShared(app.id);
      if (!shared) return undefined;
      return { userName: shared.userName, password: await vault.openText(org.id, shared.password, swaSharedContext(app.id)), extraFields };
    }
    const record = await scoped.swa.find(app.id, user.id);
    if (!record?.password) return undefined;
    return {
      userName: effectiveUserName(record, user),
      password: await vault.openText(org.id, record.password, swaUserContext(app.id, user.id)),
      extraFields,
    };
  }

  /**
   * Checks the parts of `input` against who owns them and seals the password; returns the new
   * record. `by` is who is writing: a part owned by the other side is refused, except a user name
   * sent unchanged (an app user read and written back as a whole).
   */
  async function prepare(org: Org, app: App, user: User, input: { userName?: string | undefined; password?: string | undefined },
    by: 'user' | 'admin'): Promise<{ record: SwaCredentialRecord; changed: { userName: boolean; password: boolean } }> {
    const scheme = schemeOf(app.credentials);
    const rules = schemeRules(scheme);
    const existing = await store.forOrg(org.id).swa.find(app.id, user.id);
    const causes: string[] = [];
    const path = by === 'admin' ? 'credentials.' : '';
    const owner = (o: string) => (o === 'app' ? 'the app\'s shared account (set credentials.userName and credentials.password on the app)'
      : o === 'user' ? 'each user, on their own' : 'an administrator');
    const userNameChanges = input.userName !== undefined && input.userName !== effectiveUserName(existing, user);
    if (userNameChanges && rules.userName !== by) {
      causes.push(`${path}userName: In this app (credentials scheme ${scheme}) the user name is set by ${owner(rules.userName)}.`);
    }
    if (input.password !== undefined && rules.password !== by) {
      causes.push(`${by === 'admin' ? 'credentials.password.value' : 'password'}: In this app (credentials scheme ${scheme}) the password is set by ${owner(rules.password)}.`);
    }
    if (causes.length > 0) {
      if (by === 'admin') throw validationError(causes);
      throw new AppError('auth.forbidden', { causes });
    }
    const password = input.password !== undefined ? await vault.seal(org.id, input.password, swaUserContext(app.id, user.id)) : existing?.password ?? null;
    return {
      record: {
        appId: app.id, userId: user.id, userName: userNameChanges ? input.userName! : existing?.userName ?? null,
        password, lastUpdated: clock.now().toISOString(),
      },
      changed: { userName: userNameChanges, password: input.password !== undefined },
    };
  }

  async function saveAndLog(tx: OrgStore, caller: Caller, app: App, user: User, prepared: Awaited<ReturnType<typeof prepare>>): Promise<void> {
    await tx.swa.save(prepared.record);
    const targets = [userTarget(user), appTarget(app)];
    if (prepared.changed.userName) await tx.logs.append(buildEvent(clock, caller, 'application.user_membership.change_username', { targets }));
    if (prepared.changed.password) await tx.logs.append(buildEvent(clock, caller, 'application.user_membership.change_password', { targets }));
  }

  /**
   * Assigns a user to an app with Okta's app user `credentials` (`POST /api/v1/apps/{appId}/users`
   * and `/users/{userId}`). For SWA apps the parts an administrator owns are vaulted; the others
   * are refused. Other apps take the assignment as before.
   */
  async function assignWithCredentials(caller: Caller, appId: string, idOrLogin: string, profile: Record<string, unknown>,
    rawCredentials: unknown): Promise<{ assignment: AppUserAssignment; userName: string }> {
    const scoped = store.forOrg(caller.org.id);
    const app = await apps.requireApp(scoped, appId);
    const user = await requireUser(scoped, idOrLogin);
    if (!isSwa(app)) {
      return { assignment: await apps.assignUser(caller, appId, user.id, profile), userName: user.profile.login };
    }
    const input = rawCredentials === undefined ? {} : parseOrThrow(appUserCredentialsSchema, rawCredentials, 'credentials');
    const wants = { userName: input.userName, password: input.password?.value };
    if (schemeOf(app.credentials) === 'SHARED_USERNAME_AND_PASSWORD' && (wants.userName !== undefined || wants.password !== undefined)) {
      throw validationError(['credentials: This app signs everyone in with one shared account: set credentials.userName and credentials.password on the app.'], 'credentials');
    }
    const prepared = wants.userName !== undefined || wants.password !== undefined ? await prepare(caller.org, app, user, wants, 'admin') : undefined;
    const assignment = await apps.assignUser(caller, appId, user.id, profile, {
      within: prepared ? (tx) => saveAndLog(tx.forOrg(caller.org.id), caller, app, user, prepared) : undefined,
    });
    return { assignment, userName: await userNameOf(caller.org, app, user) };
  }

  /** The `credentials.userName` an app user shows (the shared account's for a shared app). */
  async function userNameOf(org: Org, app: App, user: Pick<User, 'id' | 'profile'>): Promise<string> {
    if (!isSwa(app)) return user.profile.login;
    const scoped = store.forOrg(org.id);
    if (schemeOf(app.credentials) === 'SHARED_USERNAME_AND_PASSWORD') return (await scoped.swa.findShared(app.id))?.userName ?? user.profile.login;
    return effectiveUserName(await scoped.swa.find(app.id, user.id), user);
  }

  /** The user sets their own parts (from their credentials page). An admin-owned part is refused (403). */
  async function setByUser(caller: Caller, app: App, user: User, input: { userName?: string | undefined; password?: string | undefined }): Promise<void> {
    if (!isSwa(app)) throw notFound('AppInstance', (app as App).id);
    const checked = {
      userName: input.userName === undefined ? undefined : parseOrThrow(userNameSchema, input.userName, 'userName'),
      password: input.password === undefined ? undefined : parseOrThrow(passwordSchema, input.password, 'password'),
    };
    const prepared = await prepare(caller.org, app, user, checked, 'user');
    await store.transaction((tx) => saveAndLog(tx.forOrg(caller.org.id), caller, app, user, prepared));
  }

  /** Records a form launch (answered later by the user's "did it work?", which asks about the newest launch only) and logs it. */
  async function recordLaunch(caller: Caller, app: App, user: User): Promise<string> {
    const id = newId('swaLaunch');
    await store.transaction(async (tx) => {
      const t = tx.forOrg(caller.org.id);
      // One question at a time: the newest launch replaces any earlier one still unanswered.
      await t.swa.deleteLaunches(user.id);
      await t.swa.insertLaunch({ id, appId: app.id, userId: user.id, created: clock.now().toISOString() });
      await t.logs.append(buildEvent(clock, caller, 'application.swa.launch', { targets: [userTarget(user), appTarget(app)], debugData: { launchId: id } }));
    });
    return id;
  }

  /** The user's newest launch still awaiting an answer, for the home page's prompt. */
  async function pendingCheck(org: Org, userId: string): Promise<PendingCheck | undefined> {
    const scoped = store.forOrg(org.id);
    const since = new Date(clock.now().getTime() - checkWindowMs).toISOString();
    const launch = await scoped.swa.latestLaunch(userId, since);
    if (!launch) return undefined;
    const app = await scoped.apps.findById(launch.appId);
    if (!app) return undefined;
    return { launchId: launch.id, appId: app.id, appLabel: app.label };
  }

  /** The user's answer to "did it work?": yes clears it; no clears it and says what the user can do next. */
  async function answerCheck(caller: Caller, user: User, launchId: string, worked: boolean): Promise<CheckAnswerOutcome> {
    const scoped = store.forOrg(caller.org.id);
    const launch = await scoped.swa.findLaunch(launchId);
    if (!launch || launch.userId !== user.id) throw notFound('SwaLaunch', launchId);
    const app = await requireSwaApp(scoped, launch.appId);
    const scheme = schemeOf(app.credentials);
    const outcome: CheckAnswerOutcome = worked ? { kind: 'done' } : userEditsSomething(scheme) ? { kind: 'update', app } : { kind: 'admin_told', app };
    await store.transaction(async (tx) => {
      const t = tx.forOrg(caller.org.id);
      await t.swa.deleteLaunches(user.id, app.id);
      await t.logs.append(buildEvent(clock, caller, worked ? 'application.swa.check.success' : 'application.swa.check.failure', {
        outcome: worked ? 'SUCCESS' : 'FAILURE', targets: [userTarget(user), appTarget(app)],
        ...(worked ? {} : { severity: 'WARN', reason: outcome.kind === 'admin_told' ? 'Credentials set by an administrator did not sign the user in' : 'Credentials did not sign the user in' }),
        debugData: { launchId, credentialsScheme: scheme },
      }));
    });
    return outcome;
  }

  /**
   * Shows the user the password they set for the app, once they typed their Lanyard password
   * again (checked as a sign-in is: throttled, counted towards lockout). Shared and
   * administrator-set passwords are never shown.
   */
  async function reveal(caller: Caller, app: App, user: User, lanyardPassword: string): Promise<RevealOutcome> {
    if (!isSwa(app) || !userMayReveal(schemeOf(app.credentials))) return { kind: 'not_allowed' };
    const checked = await signIn.signIn(caller, user.profile.login, lanyardPassword);
    if (checked.kind === 'throttled') return { kind: 'throttled', retryAfterSeconds: checked.retryAfterSeconds };
    if (checked.kind !== 'success' || checked.user.id !== user.id) return { kind: 'invalid' };
    const record = await store.forOrg(caller.org.id).swa.find(app.id, user.id);
    if (!record?.password) return { kind: 'not_allowed' };
    const password = await vault.openText(caller.org.id, record.password, swaUserContext(app.id, user.id));
    await store.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'application.user_membership.show_password', { targets: [userTarget(user), appTarget(app)] }));
    return { kind: 'revealed', password };
  }

  return { credentialsForLaunch, status, assignWithCredentials, userNameOf, setByUser, recordLaunch, pendingCheck, answerCheck, reveal };
}

export type SwaService = ReturnType<typeof createSwaService>;
