/**
 * The storage ports the services consume. `storage/` implements them; only `app/` wires them.
 * Every org-owned repository is reached through {@link Store.forOrg}, so no method can forget
 * which org it serves.
 */
import type { AccessRequest, AccessRequestStatus, AppAccessSettings } from '../domain/access-request.ts';
import type { Filter } from '../protocols/scim/filter.ts';
import type { Org, OrgSettings } from '../domain/org.ts';
import type { User, UserStatus, UserWithSecrets } from '../domain/user.ts';
import type { UserProfile } from '../domain/user-profile.ts';
import type { Group } from '../domain/group.ts';
import type { LogEvent } from '../domain/log-event.ts';
import type { App } from '../domain/app.ts';
import type { AuthorizationServer, Claim, Policy, Rule, Scope } from '../domain/authorization-server.ts';
import type { DataKeyRewrapStore, DataKeyStore } from '../vault/envelope.ts';
import type { NetworkZone } from '../domain/network-zone.ts';
import type { OrgPolicy, OrgPolicyRule, PolicyType } from '../domain/policy.ts';

/** A unique constraint was violated; `field` names the public attribute that collided. */
export class UniqueViolation extends Error {
  readonly field: string;
  constructor(field: string) {
    super(`unique violation on ${field}`);
    this.name = 'UniqueViolation';
    this.field = field;
  }
}

/** A filter that names an unknown attribute or compares it the wrong way. */
export class InvalidFilter extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFilter';
  }
}

/** A paging cursor this API did not issue, or issued for another ordering. */
export class InvalidCursor extends Error {
  constructor() {
    super('invalid paging cursor');
    this.name = 'InvalidCursor';
  }
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Cursor for the next page, absent on the last one. */
  readonly next?: string;
}

export interface ListQuery {
  readonly filter?: Filter;
  /** Prefix match on the resource's names (Okta's `q`). */
  readonly q?: string;
  readonly limit: number;
  readonly after?: string;
  /** Order by an attribute (ties by id); without it, by id. */
  readonly sort?: { readonly path: string; readonly descending: boolean };
}

export interface OrgRepository {
  insert(org: Org): Promise<void>;
  findById(id: string): Promise<Org | undefined>;
  findByName(name: string): Promise<Org | undefined>;
  findByDomain(domain: string): Promise<Org | undefined>;
  findDefault(): Promise<Org | undefined>;
  list(): Promise<Org[]>;
  updateSettings(id: string, settings: OrgSettings, lastUpdated: string): Promise<void>;
  updateDisplayName(id: string, displayName: string, lastUpdated: string): Promise<void>;
}

export interface UserChanges {
  readonly status?: UserStatus;
  readonly transitioningToStatus?: UserStatus | null;
  readonly profile?: UserProfile;
  readonly passwordHash?: string | null;
  readonly passwordChanged?: string | null;
  readonly recoveryQuestion?: string | null;
  readonly recoveryAnswerHash?: string | null;
  readonly failedSignIns?: number;
  readonly activated?: string | null;
  readonly statusChanged?: string | null;
  readonly lastLogin?: string | null;
  readonly lastUpdated?: string;
  /** The directory a user comes from, and its provider; null makes the user the org's own again. */
  readonly source?: { readonly directoryId: string; readonly provider: { readonly type: string; readonly name: string } } | null;
}

export interface UserRepository {
  insert(user: UserWithSecrets): Promise<void>;
  update(id: string, changes: UserChanges): Promise<void>;
  findById(id: string): Promise<UserWithSecrets | undefined>;
  findByLogin(login: string): Promise<UserWithSecrets | undefined>;
  /** Users in id order; when no filter names `status`, DEPROVISIONED users are left out unless asked. */
  list(query: ListQuery & { readonly includeDeprovisioned: boolean }): Promise<Page<User>>;
  delete(id: string): Promise<void>;
  /** Adds one failed sign-in atomically and returns the new count. */
  recordFailedSignIn(id: string): Promise<number>;
  count(): Promise<number>;
  passwordHistory(id: string, count: number): Promise<string[]>;
  addPasswordHistory(id: string, passwordHash: string, created: string): Promise<void>;
  roles(id: string): Promise<string[]>;
  addRole(id: string, role: string, created: string): Promise<void>;
}

/** What a one-time user token is for. */
/**
 * `session`: a session token from the authentication API; `mfa`: a sign-in that proved the password
 * and still owes a second factor (its state token).
 */
export type UserTokenPurpose = 'activation' | 'recovery' | 'session' | 'mfa';

/** One-time tokens of activation and password-recovery links; only their hash is stored. */
export interface UserTokenRepository {
  insert(token: { tokenHash: string; userId: string; purpose: UserTokenPurpose; created: string; expiresAt: string; amr?: readonly string[] }): Promise<void>;
  /** The user id of a valid token, or undefined; the token stays until {@link consume}. */
  peek(tokenHash: string, purpose: UserTokenPurpose, now: string): Promise<string | undefined>;
  /** Deletes the token and returns its user id when it was valid. */
  consume(tokenHash: string, purpose: UserTokenPurpose, now: string): Promise<string | undefined>;
  /** When a valid token expires; undefined when it is not valid. */
  expiryOf(tokenHash: string, purpose: UserTokenPurpose, now: string): Promise<string | undefined>;
  /** Deletes a session token and returns its user id and sign-in methods when it was valid. */
  consumeSession(tokenHash: string, now: string): Promise<{ userId: string; amr: readonly string[] } | undefined>;
  /** Deletes the user's tokens of one purpose, or of every purpose. */
  deleteForUser(userId: string, purpose?: UserTokenPurpose): Promise<void>;
}

export interface GroupRepository {
  insert(group: Group): Promise<void>;
  update(id: string, changes: { name: string; description: string | null; profile: Record<string, unknown>; lastUpdated: string }): Promise<void>;
  touchMembership(id: string, at: string): Promise<void>;
  findById(id: string): Promise<Group | undefined>;
  findByName(name: string): Promise<Group | undefined>;
  list(query: ListQuery): Promise<Page<Group>>;
  delete(id: string): Promise<void>;
  /** Adds a member; false when they already were one. */
  addMember(groupId: string, userId: string, created: string): Promise<boolean>;
  /** Removes a member; false when they were not one. */
  removeMember(groupId: string, userId: string): Promise<boolean>;
  listMembers(groupId: string, limit: number, after?: string): Promise<Page<User>>;
  groupsOfUser(userId: string): Promise<Group[]>;
}

export interface ApiTokenRecord {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly userId: string;
  readonly clientName: string;
  readonly created: string;
  readonly lastUpdated: string;
  readonly expiresAt: string;
}

export interface ApiTokenRepository {
  insert(token: ApiTokenRecord): Promise<void>;
  findByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>;
  findById(id: string): Promise<ApiTokenRecord | undefined>;
  list(): Promise<ApiTokenRecord[]>;
  /** Slides the idle expiry; Okta tokens expire after 30 days without use. */
  touch(id: string, lastUpdated: string, expiresAt: string): Promise<void>;
  delete(id: string): Promise<boolean>;
}

export interface SessionRecord {
  readonly id: string;
  readonly orgId: string;
  readonly tokenHash: string;
  readonly userId: string;
  readonly csrfToken: string;
  readonly amr: readonly string[];
  /** When the user last proved a second factor in this session; null when they have not. */
  readonly mfaAt: string | null;
  readonly created: string;
  readonly lastSeen: string;
  readonly idleExpiresAt: string;
  readonly expiresAt: string;
  /** The client address and browser the session was opened from, when recorded. */
  readonly ipAddress?: string | null;
  readonly userAgent?: string | null;
}

export interface SessionRepository {
  insert(session: SessionRecord): Promise<void>;
  findByHash(tokenHash: string): Promise<SessionRecord | undefined>;
  findById(id: string): Promise<SessionRecord | undefined>;
  touch(id: string, lastSeen: string, idleExpiresAt: string): Promise<void>;
  /** A second factor was proved: the session's methods become `amr`, at `at`. */
  recordMfa(id: string, amr: readonly string[], at: string): Promise<void>;
  delete(id: string): Promise<void>;
  deleteForUser(userId: string): Promise<number>;
  listForUser(userId: string): Promise<SessionRecord[]>;
}

export interface LogQuery {
  readonly since: string;
  readonly until?: string;
  readonly filter?: Filter;
  readonly q?: readonly string[];
  readonly limit: number;
  readonly after?: string;
  readonly order: 'ASCENDING' | 'DESCENDING';
}

export interface LogRepository {
  append(event: LogEvent): Promise<void>;
  query(query: LogQuery): Promise<Page<LogEvent>>;
}

export interface AppChanges {
  readonly label?: string;
  readonly status?: App['status'];
  readonly settings?: Record<string, unknown>;
  readonly credentials?: Record<string, unknown>;
  readonly visibility?: Record<string, unknown>;
  readonly accessibility?: Record<string, unknown>;
  readonly lastUpdated: string;
}

export interface AppUserAssignment {
  readonly appId: string;
  readonly userId: string;
  readonly profile: Record<string, unknown>;
  readonly created: string;
  readonly lastUpdated: string;
}

export interface AppGroupAssignment {
  readonly appId: string;
  readonly groupId: string;
  readonly priority: number;
  readonly profile: Record<string, unknown>;
  readonly created: string;
  readonly lastUpdated: string;
}

export interface ClientSecretRecord {
  readonly id: string;
  readonly appId: string;
  /** Sealed by the vault. */
  readonly ciphertext: string;
  /** SHA-256 of the secret, base64url: Okta shows it so admins can tell secrets apart. */
  readonly secretHash: string;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly created: string;
  readonly lastUpdated: string;
}

export interface AppRepository {
  insert(app: App): Promise<void>;
  update(id: string, changes: AppChanges): Promise<void>;
  findById(id: string): Promise<App | undefined>;
  findByClientId(clientId: string): Promise<App | undefined>;
  list(query: ListQuery): Promise<Page<App>>;
  delete(id: string): Promise<void>;
  assignUser(assignment: AppUserAssignment): Promise<void>;
  unassignUser(appId: string, userId: string): Promise<boolean>;
  findUserAssignment(appId: string, userId: string): Promise<AppUserAssignment | undefined>;
  listUserAssignments(appId: string, limit: number, after?: string): Promise<Page<AppUserAssignment>>;
  assignGroup(assignment: AppGroupAssignment): Promise<void>;
  unassignGroup(appId: string, groupId: string): Promise<boolean>;
  findGroupAssignment(appId: string, groupId: string): Promise<AppGroupAssignment | undefined>;
  listGroupAssignments(appId: string): Promise<AppGroupAssignment[]>;
  /** True when the user is assigned directly or through one of their groups. */
  isAssigned(appId: string, userId: string): Promise<boolean>;
  /** Apps the user is assigned to, directly or through groups. */
  appsOfUser(userId: string): Promise<App[]>;
  insertSecret(secret: ClientSecretRecord): Promise<void>;
  listSecrets(appId: string): Promise<ClientSecretRecord[]>;
  updateSecretStatus(appId: string, id: string, status: ClientSecretRecord['status'], lastUpdated: string): Promise<boolean>;
  deleteSecret(appId: string, id: string): Promise<boolean>;
}

/** An integration of the network: one catalog key, owned by the vendor org that made it. */
export interface IntegrationRecord {
  readonly id: string;
  readonly key: string;
  readonly ownerOrgId: string;
  /** The private app in the vendor's org that sign-in is tested on. */
  readonly testAppId: string | null;
  readonly created: string;
  readonly lastUpdated: string;
}

export const integrationVersionStatuses = ['DRAFT', 'SUBMITTED', 'REJECTED', 'PUBLISHED'] as const;
export type IntegrationVersionStatus = (typeof integrationVersionStatuses)[number];

export interface IntegrationVersionRecord {
  readonly integrationId: string;
  readonly version: string;
  /** The manifest document, validated when it was stored. */
  readonly manifest: unknown;
  readonly status: IntegrationVersionStatus;
  /** The tier it was published at; null until published. */
  readonly tier: 'community' | 'verified' | null;
  /** What the vendor handed in with the submission, and the automated checks' report. */
  readonly submission: unknown;
  /** The reviewer's comments and decisions. */
  readonly review: unknown;
  readonly created: string;
  readonly lastUpdated: string;
  readonly submitted: string | null;
  readonly published: string | null;
  /** The last re-run of the checks of a published verified version (see network-monitor.ts). */
  readonly monitor: unknown;
}

export type IntegrationVersionChanges = Partial<Pick<IntegrationVersionRecord,
  'manifest' | 'status' | 'tier' | 'submission' | 'review' | 'submitted' | 'published'>> & { readonly lastUpdated: string };

/** The network's integrations: shared by every org, so not reached through `forOrg`. */
export interface IntegrationRepository {
  insert(integration: IntegrationRecord): Promise<void>;
  setTestApp(id: string, testAppId: string | null, lastUpdated: string): Promise<void>;
  findById(id: string): Promise<IntegrationRecord | undefined>;
  findByKey(key: string): Promise<IntegrationRecord | undefined>;
  listByOwner(orgId: string): Promise<IntegrationRecord[]>;
  insertVersion(version: IntegrationVersionRecord): Promise<void>;
  updateVersion(integrationId: string, version: string, changes: IntegrationVersionChanges): Promise<void>;
  findVersion(integrationId: string, version: string): Promise<IntegrationVersionRecord | undefined>;
  listVersions(integrationId: string): Promise<IntegrationVersionRecord[]>;
  /**
   * Claims the next monitor run of a version: true when no other node claimed it since
   * `notAfter` (the claim is written in the same statement that checks it).
   */
  claimMonitor(integrationId: string, version: string, notAfter: string, now: string): Promise<boolean>;
  setMonitor(integrationId: string, version: string, monitor: unknown): Promise<void>;
  /** The orgs with an app made from the integration. */
  orgsUsing(key: string): Promise<string[]>;
  /** Versions in one status across the network, oldest submission first. */
  listByStatus(status: IntegrationVersionStatus): Promise<{ integration: IntegrationRecord; version: IntegrationVersionRecord }[]>;
}

/** Which integration, version and tenant variables an app instance was made from. */
export interface AppIntegrationRecord {
  readonly appId: string;
  readonly integrationKey: string;
  readonly version: string;
  readonly signOnMode: 'oidc' | 'saml' | 'wsfed' | 'swa';
  readonly variables: Readonly<Record<string, string>>;
  /** The settings and credentials the manifest gave the app when last applied: the base of an upgrade's merge. */
  readonly rendered: Readonly<Record<string, unknown>>;
  readonly created: string;
  readonly lastUpdated: string;
}

export interface AppIntegrationRepository {
  upsert(link: AppIntegrationRecord): Promise<void>;
  find(appId: string): Promise<AppIntegrationRecord | undefined>;
  listByKey(integrationKey: string): Promise<AppIntegrationRecord[]>;
}

/** An app's provisioning connection and settings; `credentials` is sealed by the vault. */
export interface AppProvisioningRecord {
  readonly appId: string;
  readonly baseUrl: string;
  readonly authScheme: string;
  readonly credentials: string;
  readonly status: 'ENABLED' | 'DISABLED';
  readonly capabilities: unknown;
  readonly settings: unknown;
  readonly created: string;
  readonly lastUpdated: string;
}

export type ProvisioningSubject = 'user' | 'group';
export type ProvisioningTaskStatus = 'PENDING' | 'RUNNING' | 'DONE' | 'DEAD';

export interface ProvisioningTaskRecord {
  readonly id: string;
  readonly orgId: string;
  readonly appId: string;
  readonly subjectType: ProvisioningSubject;
  readonly subjectId: string;
  /** `push` (make the app match Lanyard), `password` (sync a password), `import`. */
  readonly kind: string;
  /** Sealed, for a password. */
  readonly payload: string | null;
  readonly status: ProvisioningTaskStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly leaseOwner: string | null;
  readonly leaseUntil: string | null;
  readonly lastError: string | null;
  readonly created: string;
  readonly lastUpdated: string;
}

export interface ProvisioningLinkRecord {
  readonly appId: string;
  readonly subjectType: ProvisioningSubject;
  readonly subjectId: string;
  /** The app's id for the account; null until it is created or found. */
  readonly externalId: string | null;
  readonly externalName: string | null;
  /** `PROVISIONED`, `DEACTIVATED`, `ERROR` (with `lastError`). */
  readonly status: string;
  readonly lastError: string | null;
  readonly lastSynced: string | null;
  readonly lastUpdated: string;
}

export interface ProvisioningRequestRecord {
  readonly id: string;
  readonly appId: string;
  readonly taskId: string | null;
  readonly at: string;
  readonly method: string;
  readonly path: string;
  /** With secrets and passwords removed. */
  readonly requestBody: string | null;
  readonly status: number;
  readonly responseBody: string | null;
  readonly durationMs: number;
}

/** One MFA factor of a user; `secret` is sealed by the vault (empty for WebAuthn, which keeps no secret). */
export interface FactorRecord {
  readonly id: string;
  readonly userId: string;
  readonly factorType: string;
  readonly provider: string;
  readonly status: 'PENDING_ACTIVATION' | 'ACTIVE';
  readonly secret: string;
  readonly lastStep: number | null;
  readonly created: string;
  readonly lastUpdated: string;
  /** A WebAuthn factor's credential, once activated. */
  readonly credential?: WebAuthnCredentialRecord;
}

/** A registered WebAuthn credential: nothing here is secret (the private key never leaves the authenticator). */
export interface WebAuthnCredentialRecord {
  /** base64url, as the authenticator made it. */
  readonly credentialId: string;
  /** The COSE public key, base64url. */
  readonly publicKey: string;
  readonly signCount: number;
  readonly transports: readonly string[];
  /** The authenticator model's AAGUID (all zeros when the authenticator withholds it). */
  readonly aaguid: string;
  readonly authenticatorName: string;
}

/** An app user's SWA credentials: the password is sealed (`swa:{appId}:{userId}`); either part may be unset. */
export interface SwaCredentialRecord {
  readonly appId: string;
  readonly userId: string;
  readonly userName: string | null;
  readonly password: string | null;
  readonly lastUpdated: string;
}

/** The one account every user of a `SHARED_USERNAME_AND_PASSWORD` app signs in with (`swa-shared:{appId}`). */
export interface SwaSharedCredentialRecord {
  readonly appId: string;
  readonly userName: string;
  readonly password: string;
  readonly lastUpdated: string;
}

/** A form launch of an SWA app whose user has not yet said whether it worked. */
export interface SwaLaunchRecord {
  readonly id: string;
  readonly appId: string;
  readonly userId: string;
  readonly created: string;
}

export interface SwaCredentialRepository {
  find(appId: string, userId: string): Promise<SwaCredentialRecord | undefined>;
  /** Inserts or replaces the whole record. */
  save(record: SwaCredentialRecord): Promise<void>;
  findShared(appId: string): Promise<SwaSharedCredentialRecord | undefined>;
  saveShared(record: SwaSharedCredentialRecord): Promise<void>;
  insertLaunch(launch: SwaLaunchRecord): Promise<void>;
  findLaunch(id: string): Promise<SwaLaunchRecord | undefined>;
  /** The user's newest launch created at or after `since`. */
  latestLaunch(userId: string, since: string): Promise<SwaLaunchRecord | undefined>;
  /** Removes the user's pending launches of the app (all of them when `appId` is undefined). */
  deleteLaunches(userId: string, appId?: string): Promise<void>;
}

export interface FactorRepository {
  insert(factor: FactorRecord): Promise<void>;
  listForUser(userId: string): Promise<FactorRecord[]>;
  find(userId: string, id: string): Promise<FactorRecord | undefined>;
  update(id: string, changes: Partial<Pick<FactorRecord, 'status' | 'lastUpdated'>>): Promise<void>;
  /** Records a TOTP step as used, only if it is newer than the last: false when another request used it first. */
  useStep(id: string, step: number, lastUpdated: string): Promise<boolean>;
  /** Stores a WebAuthn factor's credential and makes it ACTIVE; a credential id already registered in the org is a {@link UniqueViolation}. */
  saveCredential(id: string, credential: WebAuthnCredentialRecord, lastUpdated: string): Promise<void>;
  /** Moves a credential's signature counter from `from` to `to`: false when another request moved it first. */
  useSignCount(id: string, from: number, to: number, lastUpdated: string): Promise<boolean>;
  /** Replaces a factor's backup codes (keyed hashes) with new ones. */
  replaceBackupCodes(factorId: string, hashes: readonly string[], created: string): Promise<void>;
  /** Marks an unused backup code used: false when there is no such unused code. */
  useBackupCode(factorId: string, hash: string, at: string): Promise<boolean>;
  /** How many of a factor's backup codes are still unused. */
  countBackupCodes(factorId: string): Promise<number>;
  /** Deletes a factor (and its backup codes). */
  delete(userId: string, id: string): Promise<boolean>;
  deleteForUser(userId: string): Promise<number>;
}

/** A stored document with the moments its record was written. */
export type Timestamped<T> = T & { readonly created: string; readonly lastUpdated: string };

/** The org's network zones; `defaultKey` marks one of the zones every org starts with (at most one each). */
export interface NetworkZoneRepository {
  insert(zone: NetworkZone, now: string, defaultKey?: string): Promise<void>;
  update(zone: NetworkZone, now: string): Promise<void>;
  findById(id: string): Promise<Timestamped<NetworkZone> | undefined>;
  list(): Promise<Timestamped<NetworkZone>[]>;
  delete(id: string): Promise<boolean>;
}

/** The org's policies, their rules, and the app sign-on policy each app uses. */
export interface PolicyRepository {
  /** `defaultKey` marks the default policy of a type (at most one each). */
  insert(policy: OrgPolicy, now: string, defaultKey?: string): Promise<void>;
  update(policy: OrgPolicy, now: string): Promise<void>;
  findById(id: string): Promise<Timestamped<OrgPolicy> | undefined>;
  /** Policies by priority, of one type or all. */
  list(type?: PolicyType): Promise<Timestamped<OrgPolicy>[]>;
  /** Deletes the policy and its rules. */
  delete(id: string): Promise<boolean>;
  insertRule(rule: OrgPolicyRule, now: string): Promise<void>;
  updateRule(rule: OrgPolicyRule, now: string): Promise<void>;
  findRule(policyId: string, id: string): Promise<Timestamped<OrgPolicyRule> | undefined>;
  /** Rules by priority, of one policy or of every policy. */
  listRules(policyId?: string): Promise<Timestamped<OrgPolicyRule>[]>;
  deleteRule(policyId: string, id: string): Promise<boolean>;
  /** Makes the app use the policy (replacing any earlier choice). */
  assignApp(appId: string, policyId: string, now: string): Promise<void>;
  /** The policy the app was given, if any. */
  policyOfApp(appId: string): Promise<string | undefined>;
  /** The policies given to these apps, by app id. */
  policiesOfApps(appIds: readonly string[]): Promise<Map<string, string>>;
  /** Apps given the policy. */
  appsOfPolicy(policyId: string): Promise<string[]>;
}

/** One import of an app's accounts. */
export interface ProvisioningImportRecord {
  readonly id: string;
  readonly appId: string;
  /** RUNNING (reading the app), READY (matches proposed), APPLIED, FAILED. */
  readonly status: 'RUNNING' | 'READY' | 'APPLIED' | 'FAILED';
  readonly options: unknown;
  readonly progress: unknown;
  readonly results: unknown;
  readonly error: string | null;
  readonly created: string;
  readonly lastUpdated: string;
}

/** One org's provisioning state. */
export interface ProvisioningRepository {
  findSettings(appId: string): Promise<AppProvisioningRecord | undefined>;
  saveSettings(record: AppProvisioningRecord): Promise<void>;
  listEnabledApps(): Promise<AppProvisioningRecord[]>;
  enqueue(task: ProvisioningTaskRecord): Promise<void>;
  /** True when the subject already has a pending task of this kind for the app (a new one would repeat it). */
  hasPending(appId: string, subjectId: string, kind: string): Promise<boolean>;
  listTasks(appId: string, status: ProvisioningTaskStatus | undefined, limit: number): Promise<ProvisioningTaskRecord[]>;
  findTask(id: string): Promise<ProvisioningTaskRecord | undefined>;
  /** Puts a dead task back in the queue. */
  retryTask(id: string, now: string): Promise<boolean>;
  findLink(appId: string, subjectType: ProvisioningSubject, subjectId: string): Promise<ProvisioningLinkRecord | undefined>;
  findLinkByExternalId(appId: string, subjectType: ProvisioningSubject, externalId: string): Promise<ProvisioningLinkRecord | undefined>;
  saveLink(link: ProvisioningLinkRecord): Promise<void>;
  listLinks(appId: string, subjectType: ProvisioningSubject): Promise<ProvisioningLinkRecord[]>;
  /** Apps with provisioning where the user has a link (so an unassigned user is still reached). */
  appsLinkedTo(subjectType: ProvisioningSubject, subjectId: string): Promise<string[]>;
  recordRequest(request: ProvisioningRequestRecord): Promise<void>;
  saveImport(record: ProvisioningImportRecord): Promise<void>;
  findImport(id: string): Promise<ProvisioningImportRecord | undefined>;
  listImports(appId: string, limit: number): Promise<ProvisioningImportRecord[]>;
  listRequests(appId: string, limit: number, before?: string): Promise<ProvisioningRequestRecord[]>;
}

/** The queue the workers of every node share: claims by lease, across orgs. */
export interface ProvisioningQueue {
  /**
   * Claims up to `limit` due tasks for `owner` until `leaseUntil`: pending ones whose time has
   * come and running ones whose lease ran out (a crashed worker's), at most one per subject and
   * app, oldest first, none of an app in `skipApps`.
   */
  claim(owner: string, now: string, leaseUntil: string, limit: number, skipApps: readonly string[]): Promise<ProvisioningTaskRecord[]>;
  complete(id: string, owner: string, now: string): Promise<boolean>;
  reschedule(id: string, owner: string, changes: { attempts: number; nextAttemptAt: string; lastError: string | null; dead: boolean }, now: string): Promise<boolean>;
  countOpen(): Promise<number>;
  /** Deletes finished tasks made before `tasksBefore` and request records older than `requestsBefore`. */
  purge(tasksBefore: string, requestsBefore: string): Promise<number>;
}

/** One kind of authorization-server child document (scopes, claims, policies or rules). */
export interface AsDocumentRepository<T extends { id: string }> {
  list(asId: string): Promise<T[]>;
  findById(asId: string, id: string): Promise<T | undefined>;
  insert(asId: string, document: T, now: string): Promise<void>;
  update(asId: string, document: T, now: string): Promise<void>;
  delete(asId: string, id: string): Promise<boolean>;
  /** When each of the server's documents was created and last updated, by id. */
  timestamps(asId: string): Promise<Map<string, { created: string; lastUpdated: string }>>;
}

export interface AuthorizationServerRepository {
  insert(server: AuthorizationServer): Promise<void>;
  update(server: AuthorizationServer): Promise<void>;
  findById(id: string): Promise<AuthorizationServer | undefined>;
  list(): Promise<AuthorizationServer[]>;
  delete(id: string): Promise<boolean>;
  readonly scopes: AsDocumentRepository<Scope>;
  readonly claims: AsDocumentRepository<Claim>;
  readonly policies: AsDocumentRepository<Policy>;
  readonly rules: AsDocumentRepository<Rule>;
}

export type SigningKeyStatus = 'NEXT' | 'ACTIVE' | 'EXPIRED';

export interface SigningKeyRecord {
  readonly kid: string;
  readonly ownerType: 'as' | 'app';
  readonly ownerId: string;
  readonly alg: string;
  readonly status: SigningKeyStatus;
  /** Sealed private JWK. */
  readonly privateCiphertext: string;
  readonly publicJwk: Record<string, unknown>;
  readonly certificate: string | null;
  readonly created: string;
  readonly activated: string | null;
  readonly retired: string | null;
  /** After this moment no token it signed is still valid: the key may go. */
  readonly deleteAfter: string | null;
}

export interface SigningKeyRepository {
  insert(key: SigningKeyRecord): Promise<void>;
  listForOwner(ownerType: SigningKeyRecord['ownerType'], ownerId: string): Promise<SigningKeyRecord[]>;
  update(kid: string, changes: Partial<Pick<SigningKeyRecord, 'status' | 'activated' | 'retired' | 'deleteAfter'>>): Promise<void>;
  delete(kid: string): Promise<void>;
}

/** What the OpenID Connect engine persists, by model (AuthorizationCode, Session, Grant, …). */
export interface OidcPayloadRecord {
  readonly payload: Record<string, unknown>;
  readonly grantId: string | null;
  readonly userCode: string | null;
  readonly uid: string | null;
  readonly accountId: string | null;
  readonly clientId: string | null;
  readonly expiresAt: string | null;
  readonly consumedAt: string | null;
}

export interface OidcPayloadRepository {
  upsert(asId: string, model: string, id: string, record: OidcPayloadRecord): Promise<void>;
  /** Writes the record only if none has this key; true when it was written (a one-time claim). */
  insertIfAbsent(asId: string, model: string, id: string, record: OidcPayloadRecord): Promise<boolean>;
  find(asId: string, model: string, id: string): Promise<OidcPayloadRecord | undefined>;
  findByUserCode(asId: string, model: string, userCode: string): Promise<OidcPayloadRecord | undefined>;
  findByUid(asId: string, model: string, uid: string): Promise<OidcPayloadRecord | undefined>;
  consume(asId: string, model: string, id: string, at: string): Promise<void>;
  destroy(asId: string, model: string, id: string): Promise<void>;
  revokeByGrantId(asId: string, grantId: string): Promise<void>;
  /** Ids of a model's live payloads for an account (all authorization servers of the org). */
  listForAccount(accountId: string, model: string): Promise<{ asId: string; id: string; record: OidcPayloadRecord }[]>;
  deleteForAccount(accountId: string, models: readonly string[]): Promise<number>;
  /** Everything issued to a client (codes, tokens, grants), on every authorization server of the org. */
  deleteForClient(clientId: string): Promise<number>;
}

export interface TrustedOriginRecord {
  readonly id: string;
  readonly name: string;
  /** Scheme, host and port, e.g. `https://app.example.com`. */
  readonly origin: string;
  readonly scopes: readonly ('CORS' | 'REDIRECT')[];
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly created: string;
  readonly createdBy: string;
  readonly lastUpdated: string;
  readonly lastUpdatedBy: string;
}

export interface TrustedOriginRepository {
  insert(origin: TrustedOriginRecord): Promise<void>;
  update(origin: TrustedOriginRecord): Promise<void>;
  findById(id: string): Promise<TrustedOriginRecord | undefined>;
  findByOrigin(origin: string): Promise<TrustedOriginRecord | undefined>;
  list(): Promise<TrustedOriginRecord[]>;
  delete(id: string): Promise<boolean>;
}

/** An LDAP or Active Directory integration; `bindPassword` is sealed by the vault. */
export interface DirectoryRecord {
  readonly id: string;
  readonly name: string;
  /** The resolved settings (`directory/settings.ts`), without the password. */
  readonly settings: unknown;
  readonly bindPassword: string;
  readonly created: string;
  readonly lastUpdated: string;
}

export type DirectorySubject = 'user' | 'group';

/** Which directory entry a user or group comes from. */
export interface DirectoryLinkRecord {
  readonly subjectType: DirectorySubject;
  readonly subjectId: string;
  readonly directoryId: string;
  readonly externalId: string;
  readonly dn: string;
  /** The entry's change mark (modifyTimestamp, uSNChanged) when last applied. */
  readonly mark: string | null;
  /** The last import that read the entry: a full run finds vanished entries by it. */
  readonly seenImport: string | null;
  readonly lastUpdated: string;
}

export interface DirectoryImportRecord {
  readonly id: string;
  readonly directoryId: string;
  readonly kind: 'FULL' | 'INCREMENTAL';
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  /** The change mark an incremental run read from; null for a full run. */
  readonly since: string | null;
  /** The highest change mark read so far. */
  readonly mark: string | null;
  readonly progress: unknown;
  readonly error: string | null;
  readonly created: string;
  readonly lastUpdated: string;
}

export interface DirectoryAgentRecord {
  readonly id: string;
  readonly directoryId: string;
  readonly name: string;
  readonly secretHash: string;
  readonly created: string;
  readonly lastSeen: string | null;
}

/** Work for an agent: `payload` is sealed (it carries the bind password, and a user's for a bind). */
export interface DirectoryJobRecord {
  readonly id: string;
  readonly directoryId: string;
  readonly kind: 'import' | 'bind' | 'test';
  readonly payload: string;
  readonly status: 'PENDING' | 'CLAIMED' | 'ANSWERED';
  readonly agentId: string | null;
  readonly leaseUntil: string | null;
  readonly result: string | null;
  readonly created: string;
  readonly lastUpdated: string;
}

export interface DirectoryRepository {
  insert(directory: DirectoryRecord): Promise<void>;
  update(directory: DirectoryRecord): Promise<void>;
  findById(id: string): Promise<DirectoryRecord | undefined>;
  list(): Promise<DirectoryRecord[]>;
  /** Deletes the directory with its links, imports, agents and jobs; its users become the org's own. */
  delete(id: string): Promise<boolean>;
  findLink(subjectType: DirectorySubject, subjectId: string): Promise<DirectoryLinkRecord | undefined>;
  findLinkByExternalId(directoryId: string, subjectType: DirectorySubject, externalId: string): Promise<DirectoryLinkRecord | undefined>;
  /** Links whose DN compares equal (`entries.ts` normalizeDn) to `dnKey`. */
  findLinksByDn(directoryId: string, subjectType: DirectorySubject, dnKey: string): Promise<DirectoryLinkRecord[]>;
  saveLink(link: DirectoryLinkRecord): Promise<void>;
  deleteLink(subjectType: DirectorySubject, subjectId: string): Promise<void>;
  listLinks(directoryId: string, subjectType: DirectorySubject): Promise<DirectoryLinkRecord[]>;
  saveImport(record: DirectoryImportRecord): Promise<void>;
  findImport(id: string): Promise<DirectoryImportRecord | undefined>;
  listImports(directoryId: string, limit: number): Promise<DirectoryImportRecord[]>;
  insertAgent(agent: DirectoryAgentRecord): Promise<void>;
  findAgent(id: string): Promise<DirectoryAgentRecord | undefined>;
  listAgents(directoryId: string): Promise<DirectoryAgentRecord[]>;
  touchAgent(id: string, at: string): Promise<void>;
  deleteAgent(directoryId: string, id: string): Promise<boolean>;
  insertAgentToken(token: { tokenHash: string; directoryId: string; created: string; expiresAt: string }): Promise<void>;
  /** Deletes a valid token and returns its directory: a token enrols one agent. */
  consumeAgentToken(tokenHash: string, now: string): Promise<string | undefined>;
  insertJob(job: DirectoryJobRecord): Promise<void>;
  findJob(id: string): Promise<DirectoryJobRecord | undefined>;
  /**
   * Claims the oldest open job of the directory for an agent: a pending one, or a claimed one whose
   * lease ran out. The claim is a compare-and-set, so one agent alone gets each job.
   */
  claimJob(directoryId: string, agentId: string, now: string, leaseUntil: (job: DirectoryJobRecord) => string): Promise<DirectoryJobRecord | undefined>;
  /** Extends the lease of a job the agent holds; false when it holds it no longer. */
  renewJob(id: string, agentId: string, leaseUntil: string, now: string): Promise<boolean>;
  /** Records the answer of a job the agent holds; false when it holds it no longer. */
  answerJob(id: string, agentId: string, result: string, now: string): Promise<boolean>;
  deleteJob(id: string): Promise<void>;
}

export interface GroupOwnerRecord {
  readonly groupId: string;
  readonly ownerId: string;
  readonly created: string;
}

/** The users who own groups (Okta's group owners, of type USER). */
export interface GroupOwnerRepository {
  /** Adds an owner; false when they already were one. */
  add(owner: GroupOwnerRecord): Promise<boolean>;
  /** Removes an owner; false when they were not one. */
  remove(groupId: string, ownerId: string): Promise<boolean>;
  listForGroup(groupId: string): Promise<GroupOwnerRecord[]>;
  groupsOwnedBy(userId: string): Promise<string[]>;
}

/** Which apps people may ask for, who decides, and the requests. */
export interface AccessRequestRepository {
  settingsOf(appId: string): Promise<AppAccessSettings | undefined>;
  putSettings(appId: string, settings: AppAccessSettings, lastUpdated: string): Promise<void>;
  /** Every app that is requestable, with its settings. */
  requestable(): Promise<{ appId: string; settings: AppAccessSettings }[]>;
  insert(request: AccessRequest): Promise<void>;
  findById(id: string): Promise<AccessRequest | undefined>;
  /** Requests by status (all when undefined), oldest first. */
  list(query: { status?: AccessRequestStatus | undefined; userId?: string | undefined; appIds?: readonly string[] | undefined; limit: number }): Promise<AccessRequest[]>;
  /** Records a decision on a PENDING request; false when it was decided already. */
  decide(id: string, status: 'APPROVED' | 'DENIED', decided: string, decidedBy: string): Promise<boolean>;
}

/** Each user's own order of app tiles. */
export interface AppOrderRepository {
  /** App ids in the user's chosen order (apps they never placed are absent). */
  orderOf(userId: string): Promise<string[]>;
  /** Replaces the user's order with `appIds`. */
  replace(userId: string, appIds: readonly string[]): Promise<void>;
}

/** The repositories of one org. */
export interface OrgStore {
  readonly orgId: string;
  readonly users: UserRepository;
  readonly userTokens: UserTokenRepository;
  readonly groups: GroupRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly sessions: SessionRepository;
  readonly logs: LogRepository;
  readonly apps: AppRepository;
  readonly authorizationServers: AuthorizationServerRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly oidcPayloads: OidcPayloadRepository;
  readonly trustedOrigins: TrustedOriginRepository;
  readonly appIntegrations: AppIntegrationRepository;
  readonly provisioning: ProvisioningRepository;
  readonly factors: FactorRepository;
  readonly networkZones: NetworkZoneRepository;
  readonly policies: PolicyRepository;
  readonly directories: DirectoryRepository;
  readonly swa: SwaCredentialRepository;
  readonly groupOwners: GroupOwnerRepository;
  readonly accessRequests: AccessRequestRepository;
  readonly appOrder: AppOrderRepository;
}

export interface Store {
  readonly orgs: OrgRepository;
  forOrg(orgId: string): OrgStore;
  /** Runs `work` in one transaction: all of its writes land, or none do. */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
  /** Deletes expired sessions; returns how many. */
  deleteExpiredSessions(now: string): Promise<number>;
  /** Deletes expired protocol state (codes, tokens, interactions…); returns how many. */
  deleteExpiredOidcPayloads(now: string): Promise<number>;
  /** Keys that are past their delete-after moment, in every org. */
  deleteRetiredSigningKeys(now: string): Promise<number>;
  /** The org data keys the vault seals with. */
  readonly dataKeys: DataKeyStore & DataKeyRewrapStore;
  /** The integration network, shared by every org. */
  readonly integrations: IntegrationRepository;
  /** The provisioning task queue, shared by every org and node. */
  readonly provisioningQueue: ProvisioningQueue;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type { User };

/** Counters in fixed windows, shared by every node when Redis is configured. */
export interface CounterStore {
  /** Adds one to `key` in the window of `windowMs` containing now; returns the new count. */
  hit(key: string, windowMs: number): Promise<number>;
  close(): Promise<void>;
}
