/**
 * The composition root: the only place that builds storage and wires it to the services and the
 * HTTP edge. `main.ts` and the tests both start Lanyard through {@link createLanyard}.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.ts';
import { systemClock, type Clock } from '../kernel/clock.ts';
import { silentLogger, type Logger } from '../kernel/logger.ts';
import { createPasswordHasher, isCommonPassword, owaspArgon2Cost, type Argon2Cost } from '../signin/passwords.ts';
import { openDatabase, createStore } from '../storage/store.ts';
import { migrateToLatest } from '../storage/migrations/index.ts';
import { createMemoryCounters } from '../storage/memory-counters.ts';
import { createRedisCounters } from '../storage/redis-counters.ts';
import { createRedisOidcPayloads } from '../storage/redis-oidc-payloads.ts';
import type { EphemeralHealth } from '../storage/split-oidc-payloads.ts';
import { createServices, type Services } from '../services/index.ts';
import { createOutboundHttp } from '../kernel/outbound-http.ts';
import { bootstrap, type BootstrapResult } from '../services/bootstrap.ts';
import type { ServiceDeps } from '../services/deps.ts';
import type { Store } from '../services/ports.ts';
import { createHttpApp } from '../http/server.ts';
import { cookiePolicyFor } from '../http/cookies.ts';
import { startJobs } from '../jobs/scheduler.ts';
import { housekeepingJobs } from '../jobs/housekeeping.ts';
import { createChanges } from '../kernel/changes.ts';
import { loadMasterKey, type MasterKey } from './master-key.ts';
import { version } from './version.ts';

export interface LanyardOptions {
  readonly config: Config;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Tests may lower the argon2 cost; production uses OWASP's. */
  readonly argon2Cost?: Argon2Cost;
  /** Skip the first-start bootstrap (CLI commands that must not create anything). */
  readonly skipBootstrap?: boolean;
}

export interface Lanyard {
  readonly config: Config;
  readonly store: Store;
  readonly services: Services;
  readonly deps: ServiceDeps;
  readonly bootstrap: BootstrapResult;
  readonly masterKey: MasterKey;
  readonly sqlitePath: string | undefined;
  /** Starts listening; resolves with the address actually bound. */
  listen(port?: number, host?: string): Promise<{ port: number; host: string }>;
  /** Stops accepting, finishes requests in flight, stops jobs, closes the store. */
  close(): Promise<void>;
}

/** Says once when Redis stops answering for OpenID Connect records, and once when it is back. */
function redisHealth(logger: Logger): EphemeralHealth {
  let down = false;
  return {
    failed: (error) => {
      if (down) return;
      down = true;
      logger.warn({ err: (error as Error).message }, 'Redis unavailable; OpenID Connect sessions and codes are kept in the store until it is back');
    },
    recovered: () => {
      if (!down) return;
      down = false;
      logger.info({}, 'Redis available again for OpenID Connect sessions and codes');
    },
  };
}

export async function createLanyard(options: LanyardOptions): Promise<Lanyard> {
  const { config } = options;
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const masterKey = loadMasterKey(config.masterKey, config.dataDir);
  const handle = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(handle.db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  } catch (error) {
    await handle.db.destroy();
    throw error;
  }
  const ephemeral = config.redisUrl ? createRedisOidcPayloads(config.redisUrl, () => clock.now()) : undefined;
  const store = createStore(handle.db, ephemeral ? { payloads: ephemeral, health: redisHealth(logger) } : undefined);
  const counters = config.redisUrl ? createRedisCounters(config.redisUrl) : createMemoryCounters(() => clock.now().getTime());
  const deps: ServiceDeps = {
    store, clock, logger, baseUrl: config.baseUrl, masterKey: masterKey.key, changes: createChanges(),
    outbound: createOutboundHttp({ allowPrivateNetwork: config.allowPrivateNetwork, extraCa: config.trustedCa }),
    provisioning: config.provisioning,
    counters, throttle: config.throttle,
    passwords: createPasswordHasher(options.argon2Cost ?? owaspArgon2Cost),
    isCommonPassword,
  };
  const services = createServices(deps);
  const boot = options.skipBootstrap ? { created: false as const } : await bootstrap(deps, config.admin);
  const { app } = createHttpApp({ services, deps, store, counters, clock, logger, baseUrl: config.baseUrl, version, masterKey: masterKey.key,
    allowPrivateNetwork: config.allowPrivateNetwork, trustProxy: config.trustProxy });
  if (cookiePolicyFor(config.baseUrl).sameSite === 'Lax') {
    logger.warn({ baseUrl: config.baseUrl.origin },
      'plain-http base URL on a non-local host: session cookies fall back to SameSite=Lax, so SAML POST and form_post sign-ins will not see the session; use https');
  }
  let server: Server | undefined;
  let stopJobs: (() => Promise<void>) | undefined;
  /** Responses not yet finished, so that close() can end their keep-alive connections with them. */
  const inFlight = new Set<ServerResponse>();

  return {
    config, store, services, deps, bootstrap: boot, masterKey, sqlitePath: handle.sqlitePath,
    listen: (port = config.port, host = config.host) => new Promise((resolve, reject) => {
      server = createServer({ requestTimeout: 30_000, headersTimeout: 20_000 }, app.callback());
      server.on('error', reject);
      server.on('request', (_req, res: ServerResponse) => {
        inFlight.add(res);
        res.once('close', () => inFlight.delete(res));
      });
      server.listen(port, host, () => {
        const address = server!.address() as AddressInfo;
        stopJobs = startJobs(housekeepingJobs(store, services, clock, logger), logger);
        services.provisioningEngine.start();
        resolve({ port: address.port, host: address.address });
      });
    }),
    close: async () => {
      if (server) {
        const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        // A request in flight ends its connection with its response; left keep-alive, the idle
        // connection would hold close() open until the cut below.
        for (const res of inFlight) {
          if (!res.headersSent) res.setHeader('Connection', 'close');
          res.once('finish', () => setImmediate(() => server?.closeIdleConnections()));
        }
        // Requests in flight get a few seconds to finish before their connections are cut.
        const cut = setTimeout(() => server?.closeAllConnections(), 5000);
        await closing;
        clearTimeout(cut);
      }
      await stopJobs?.();
      await services.provisioningEngine.stop();
      await services.directoryImport.idle();
      await counters.close();
      await ephemeral?.close();
      await store.close();
    },
  };
}
