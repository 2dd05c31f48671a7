/**
 * The store: Kysely over SQLite (embedded, `node:sqlite`) or PostgreSQL (`pg`), behind the ports of
 * `services/ports.ts`. `forOrg(id)` is the only way to reach org-owned rows.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { dialectOf, type DialectName } from './dialect.ts';
import { createSqliteDialect, openSqlite } from './sqlite-dialect.ts';
import { createOrgRepository } from './repositories/orgs.ts';
import { createUserRepository } from './repositories/users.ts';
import { createUserTokenRepository } from './repositories/user-tokens.ts';
import { createGroupRepository } from './repositories/groups.ts';
import { createApiTokenRepository } from './repositories/api-tokens.ts';
import { createSessionRepository } from './repositories/sessions.ts';
import { createLogRepository } from './repositories/logs.ts';
import { createAppRepository } from './repositories/apps.ts';
import { createAuthorizationServerRepository } from './repositories/authorization-servers.ts';
import { createSigningKeyRepository } from './repositories/signing-keys.ts';
import { createOidcPayloadRepository } from './repositories/oidc-payloads.ts';
import { createDataKeyStore } from './repositories/data-keys.ts';
import { createTrustedOriginRepository } from './repositories/trusted-origins.ts';
import { createAppIntegrationRepository, createIntegrationRepository } from './repositories/integrations.ts';
import { createProvisioningQueue, createProvisioningRepository } from './repositories/provisioning.ts';
import { createFactorRepository } from './repositories/factors.ts';
import { createNetworkZoneRepository } from './repositories/network-zones.ts';
import { createPolicyRepository } from './repositories/policies.ts';
import { createDirectoryRepository } from './repositories/directories.ts';
import { createSwaCredentialRepository } from './repositories/swa-credentials.ts';
import type { OrgStore, Store } from '../services/ports.ts';
import type { EphemeralPayloads } from './redis-oidc-payloads.ts';
import { splitOidcPayloads, type EphemeralHealth } from './split-oidc-payloads.ts';

/** Where the OpenID Connect engine's short-lived records go when Redis is configured. */
export interface EphemeralOptions {
  readonly payloads: EphemeralPayloads;
  readonly health: EphemeralHealth;
}

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** Path of the SQLite file, for backups; undefined on PostgreSQL. */
  readonly sqlitePath: string | undefined;
}

export interface DatabaseOptions {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Most PostgreSQL connections this node opens. */
  readonly poolSize?: number;
}

export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle client that loses its server must not crash the process; the next query reports it.
    pool.on('error', () => {});
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres', sqlitePath: undefined };
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const path = join(options.dataDir, 'lanyard.db');
  return { db: new Kysely<Database>({ dialect: createSqliteDialect(openSqlite(path)) }), dialect: 'sqlite', sqlitePath: path };
}

export function createStore(db: Kysely<Database>, ephemeral?: EphemeralOptions): Store {
  const dialect = dialectOf(db);
  const orgStores = new Map<string, OrgStore>();
  const forOrg = (orgId: string): OrgStore => {
    let scoped = orgStores.get(orgId);
    if (!scoped) {
      scoped = {
        orgId,
        users: createUserRepository(db, orgId, dialect),
        userTokens: createUserTokenRepository(db, orgId),
        groups: createGroupRepository(db, orgId, dialect),
        apiTokens: createApiTokenRepository(db, orgId),
        sessions: createSessionRepository(db, orgId),
        logs: createLogRepository(db, orgId, dialect),
        apps: createAppRepository(db, orgId, dialect),
        authorizationServers: createAuthorizationServerRepository(db, orgId),
        signingKeys: createSigningKeyRepository(db, orgId),
        oidcPayloads: ephemeral
          ? splitOidcPayloads(createOidcPayloadRepository(db, orgId), ephemeral.payloads.forOrg(orgId), ephemeral.health)
          : createOidcPayloadRepository(db, orgId),
        trustedOrigins: createTrustedOriginRepository(db, orgId),
        appIntegrations: createAppIntegrationRepository(db, orgId),
        provisioning: createProvisioningRepository(db, orgId),
        factors: createFactorRepository(db, orgId),
        networkZones: createNetworkZoneRepository(db, orgId),
        policies: createPolicyRepository(db, orgId),
        directories: createDirectoryRepository(db, orgId),
        swa: createSwaCredentialRepository(db, orgId),
      };
      // Repositories are stateless closures over (db, orgId); keep a bounded number around.
      if (orgStores.size > 1000) orgStores.clear();
      orgStores.set(orgId, scoped);
    }
    return scoped;
  };
  return {
    orgs: createOrgRepository(db),
    forOrg,
    transaction: (work) => db.isTransaction
      ? work(createStore(db, ephemeral))
      : db.transaction().execute((trx) => work(createStore(trx, ephemeral))),
    deleteExpiredSessions: async (now) => {
      const result = await db.deleteFrom('sessions').where((eb) => eb.or([eb('expires_at', '<', now), eb('idle_expires_at', '<', now)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    deleteExpiredOidcPayloads: async (now) => {
      const result = await db.deleteFrom('oidc_payloads').where('expires_at', '<', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    deleteRetiredSigningKeys: async (now) => {
      const result = await db.deleteFrom('signing_keys').where('status', '=', 'EXPIRED').where('delete_after', '<', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    dataKeys: createDataKeyStore(db),
    integrations: createIntegrationRepository(db),
    provisioningQueue: createProvisioningQueue(db),
    ping: async () => {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}
