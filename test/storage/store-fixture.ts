/**
 * A fresh, migrated store for the project under test: SQLite in a temp directory, or a new
 * database on the run's PostgreSQL (`inject('postgresUrl')`). Plus builders for the entities the
 * repositories store, with fixed timestamps and ids that sort in creation order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { createStore, openDatabase } from '../../src/storage/store.ts';
import { migrateToLatest } from '../../src/storage/migrations/index.ts';
import type { DialectName } from '../../src/storage/dialect.ts';
import type { Database } from '../../src/storage/schema.ts';
import { UniqueViolation, type ApiTokenRecord, type OrgStore, type SessionRecord, type Store } from '../../src/services/ports.ts';
import { defaultOrgSettings, type Org } from '../../src/domain/org.ts';
import type { UserWithSecrets } from '../../src/domain/user.ts';
import type { UserProfile } from '../../src/domain/user-profile.ts';
import type { Group } from '../../src/domain/group.ts';
import type { LogEvent, LogTarget } from '../../src/domain/log-event.ts';
import { createDatabase } from '../helpers/postgres.ts';
import { storeKind } from '../helpers/lanyard.ts';

export interface TestStore {
  readonly store: Store;
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  cleanup(): Promise<void>;
}

/** Opens a new, empty store on the current project's database and migrates it. */
export async function openTestStore(): Promise<TestStore> {
  if (storeKind() === 'postgres') {
    const serverUrl = inject('postgresUrl');
    const url = await createDatabase(serverUrl);
    const handle = openDatabase({ databaseUrl: url, dataDir: tmpdir(), poolSize: 8 });
    await migrateToLatest(handle.db);
    const store = closeOnce(createStore(handle.db));
    return {
      store, db: handle.db, dialect: handle.dialect,
      cleanup: async () => {
        await store.close();
        const client = new pg.Client({ connectionString: serverUrl });
        await client.connect();
        try {
          await client.query(`drop database if exists ${new URL(url).pathname.slice(1)}`);
        } finally {
          await client.end();
        }
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'lanyard-storage-'));
  const handle = openDatabase({ databaseUrl: undefined, dataDir });
  await migrateToLatest(handle.db);
  const store = closeOnce(createStore(handle.db));
  return {
    store, db: handle.db, dialect: handle.dialect,
    cleanup: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The store with a `close` that may be called again (a test may close it before cleanup does). */
function closeOnce(store: Store): Store {
  let closing: Promise<void> | undefined;
  return { ...store, close: () => (closing ??= store.close()) };
}

/** Rows of `table` owned by `orgId`, counted straight from the database (not through a repository). */
export async function countRows(db: Kysely<Database>, table: keyof Database, orgId?: string): Promise<number> {
  const where = orgId === undefined ? sql`` : sql` where org_id = ${orgId}`;
  const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}${where}`.execute(db);
  return Number(result.rows[0]!.n);
}

export const T0 = '2026-01-01T00:00:00.000Z';

/** T0 plus `minutes`, as an ISO-8601 UTC timestamp. */
export function at(minutes: number): string {
  return new Date(Date.parse(T0) + minutes * 60_000).toISOString();
}

let sequence = 0;

/** A 20-character id with Okta's prefix; later ids sort after earlier ones. */
export function nextId(prefix: string): string {
  sequence++;
  return `${prefix}${String(sequence).padStart(20 - prefix.length, '0')}`;
}

export function makeOrg(name: string, overrides: Partial<Org> = {}): Org {
  return {
    id: nextId('00o'),
    name,
    displayName: `Org ${name}`,
    customDomain: null,
    isDefault: false,
    settings: defaultOrgSettings(),
    created: T0,
    lastUpdated: T0,
    ...overrides,
  };
}

export function makeUser(orgId: string, profile: Partial<UserProfile> = {}, overrides: Partial<UserWithSecrets> = {}): UserWithSecrets {
  const id = overrides.id ?? nextId('00u');
  const login = profile.login ?? `${id.toLowerCase()}@example.com`;
  return {
    id,
    orgId,
    status: 'ACTIVE',
    transitioningToStatus: null,
    profile: { login, email: login, firstName: 'Test', lastName: 'User', ...profile } as UserProfile,
    typeId: 'oty00000000000000001',
    created: T0,
    activated: T0,
    statusChanged: T0,
    lastLogin: null,
    lastUpdated: T0,
    passwordChanged: T0,
    hasPassword: true,
    recoveryQuestion: null,
    failedSignIns: 0,
    passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$fake$hash',
    recoveryAnswerHash: null,
    ...overrides,
  };
}

export function makeGroup(orgId: string, name: string, overrides: Partial<Group> = {}): Group {
  return {
    id: nextId('00g'),
    orgId,
    type: 'OKTA_GROUP',
    name,
    description: `${name} people`,
    profile: { name, description: `${name} people` },
    created: T0,
    lastUpdated: T0,
    lastMembershipUpdated: T0,
    ...overrides,
  };
}

export function makeApiToken(orgId: string, userId: string, overrides: Partial<ApiTokenRecord> = {}): ApiTokenRecord {
  const id = overrides.id ?? nextId('00T');
  return {
    id,
    orgId,
    name: `token ${id}`,
    tokenHash: `hash-${id}`,
    userId,
    clientName: 'Okta API',
    created: T0,
    lastUpdated: T0,
    expiresAt: at(30 * 24 * 60),
    ...overrides,
  };
}

export function makeSession(orgId: string, userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const id = overrides.id ?? nextId('102');
  return {
    id,
    orgId,
    tokenHash: `session-${id}`,
    userId,
    csrfToken: `csrf-${id}`,
    mfaAt: null,
    amr: ['pwd'],
    ipAddress: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0',
    created: T0,
    lastSeen: T0,
    idleExpiresAt: at(120),
    expiresAt: at(1440),
    ...overrides,
  };
}

export function target(id: string, type = 'User', alternateId = `${id}@example.com`, displayName = `Target ${id}`): LogTarget {
  return { id, type, alternateId, displayName };
}

/** A log event; its uuid is time-ordered by `published` and creation order, like UUIDv7. */
export function makeLogEvent(published: string, overrides: Partial<LogEvent> = {}): LogEvent {
  sequence++;
  const ms = Date.parse(published).toString(16).padStart(12, '0');
  const seq = sequence.toString(16).padStart(18, '0');
  const uuid = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${seq.slice(0, 3)}-8${seq.slice(3, 6)}-${seq.slice(6, 18)}`;
  return {
    uuid,
    published,
    eventType: 'user.session.start',
    version: '0',
    severity: 'INFO',
    legacyEventType: null,
    displayMessage: 'User login to Okta',
    actor: { id: '00uactor000000000001', type: 'User', alternateId: 'actor@example.com', displayName: 'Actor Person' },
    client: { userAgent: null, zone: null, device: null, id: null, ipAddress: '127.0.0.1', geographicalContext: null },
    outcome: { result: 'SUCCESS', reason: null },
    target: [],
    transaction: { type: 'WEB', id: `tx-${sequence}`, detail: {} },
    debugContext: { debugData: {} },
    authenticationContext: {
      authenticationProvider: null, credentialProvider: null, credentialType: null, issuer: null,
      interface: null, authenticationStep: 0, externalSessionId: null,
    },
    securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
    request: { ipChain: [] },
    ...overrides,
  };
}

export interface TwoOrgs {
  readonly orgA: Org;
  readonly orgB: Org;
  /** Org A's repositories. */
  readonly a: OrgStore;
  /** Org B's repositories. */
  readonly b: OrgStore;
  /** alice@example.com exists in both orgs, as different users. */
  readonly aliceA: UserWithSecrets;
  readonly aliceB: UserWithSecrets;
  readonly bobA: UserWithSecrets;
  /** A group named "Engineering" in both orgs; each org's alice is a member of her own org's. */
  readonly engineeringA: Group;
  readonly engineeringB: Group;
}

/** Two orgs inserted through `store.orgs.insert`, each with users, a group and a membership. */
export async function seedTwoOrgs(store: Store, names: readonly [string, string] = ['acme', 'globex']): Promise<TwoOrgs> {
  const orgA = makeOrg(names[0]);
  const orgB = makeOrg(names[1]);
  await store.orgs.insert(orgA);
  await store.orgs.insert(orgB);
  const a = store.forOrg(orgA.id);
  const b = store.forOrg(orgB.id);
  const aliceA = makeUser(orgA.id, { login: 'alice@example.com', email: 'alice@example.com', firstName: 'Alice', lastName: 'Anders' });
  const bobA = makeUser(orgA.id, { login: 'bob@example.com', email: 'bob@example.com', firstName: 'Bob', lastName: 'Brown' });
  const aliceB = makeUser(orgB.id, { login: 'alice@example.com', email: 'alice@example.com', firstName: 'Alice', lastName: 'Other' });
  await a.users.insert(aliceA);
  await a.users.insert(bobA);
  await b.users.insert(aliceB);
  const engineeringA = makeGroup(orgA.id, 'Engineering');
  const engineeringB = makeGroup(orgB.id, 'Engineering');
  await a.groups.insert(engineeringA);
  await b.groups.insert(engineeringB);
  await a.groups.addMember(engineeringA.id, aliceA.id, T0);
  await b.groups.addMember(engineeringB.id, aliceB.id, T0);
  return { orgA, orgB, a, b, aliceA, aliceB, bobA, engineeringA, engineeringB };
}

/** The UniqueViolation a write must fail with; fails the test otherwise. */
export async function uniqueError(work: Promise<unknown>): Promise<UniqueViolation> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UniqueViolation);
  return error as UniqueViolation;
}
