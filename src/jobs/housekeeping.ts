/**
 * The jobs every node runs: expired sessions and protocol state removed, signing keys rotated on
 * their schedule and retired keys deleted once nothing they signed can still be valid.
 */
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Store } from '../services/ports.ts';
import type { Services } from '../services/index.ts';
import { orgAuthorizationServerId } from '../domain/authorization-server.ts';
import { maxSignedTokenLifetimeSeconds } from '../services/authorization-servers.ts';
import type { Job } from './scheduler.ts';
import { provisioningSettingsSchema } from '../domain/provisioning.ts';
import { systemCaller } from '../services/bootstrap.ts';
import { settingsOf } from '../services/directories.ts';

export function housekeepingJobs(store: Store, services: Services, clock: Clock, logger: Logger): Job[] {
  return [
    {
      // Each verified integration is re-tested every few hours; the service skips those checked recently.
      name: 'network-monitor',
      intervalMs: 15 * 60_000,
      run: async () => {
        const results = await services.networkMonitor.runDue();
        if (results.length > 0) logger.info({ checked: results.length, failing: results.filter((r) => r.status === 'FAILING').length }, 'verified integrations re-tested');
      },
    },
    {
      // Apps that import on a schedule: each runs when its last import is older than its interval.
      name: 'provisioning-imports',
      intervalMs: 15 * 60_000,
      run: async () => {
        for (const org of await store.orgs.list()) {
          for (const app of await store.forOrg(org.id).provisioning.listEnabledApps()) {
            const settings = provisioningSettingsSchema.parse(app.settings);
            if (!settings.importUsers || settings.importEveryHours === null) continue;
            const [last] = await store.forOrg(org.id).provisioning.listImports(app.appId, 1);
            if (last && Date.parse(last.created) > clock.now().getTime() - settings.importEveryHours * 3_600_000) continue;
            const done = await services.provisioningImport.runScheduled(systemCaller(org), app.appId, settings.importMatch);
            if (done) logger.info({ org: org.id, app: app.appId, status: done.status }, 'scheduled import ran');
          }
        }
      },
    },
    {
      // Directories that import on a schedule: each runs when its last import is older than its interval.
      name: 'directory-imports',
      intervalMs: 60_000,
      run: async () => {
        for (const org of await store.orgs.list()) {
          for (const directory of await store.forOrg(org.id).directories.list()) {
            const every = settingsOf(directory).importEveryMinutes;
            if (every === null) continue;
            const [last] = await store.forOrg(org.id).directories.listImports(directory.id, 1);
            if (last && Date.parse(last.created) > clock.now().getTime() - every * 60_000) continue;
            const started = await services.directoryImport.start(systemCaller(org), directory.id, {}).catch((error: Error) => {
              logger.warn({ org: org.id, directory: directory.id, err: error.message }, 'scheduled directory import not started');
            });
            if (started) logger.info({ org: org.id, directory: directory.id, import: started.id, kind: started.kind }, 'scheduled directory import started');
          }
        }
      },
    },
    {
      // Finished provisioning tasks are kept a week, the record of requests to apps a month.
      name: 'provisioning-retention',
      intervalMs: 60 * 60_000,
      run: async () => {
        const now = clock.now().getTime();
        const removed = await store.provisioningQueue.purge(new Date(now - 7 * 86_400_000).toISOString(), new Date(now - 30 * 86_400_000).toISOString());
        if (removed > 0) logger.debug({ removed }, 'old provisioning tasks and request records removed');
      },
    },
    {
      name: 'expired-state',
      intervalMs: 5 * 60_000,
      run: async () => {
        const now = clock.now().toISOString();
        const sessions = await store.deleteExpiredSessions(now);
        const payloads = await store.deleteExpiredOidcPayloads(now);
        if (sessions + payloads > 0) logger.debug({ sessions, payloads }, 'expired state removed');
      },
    },
    {
      name: 'key-rotation',
      intervalMs: 60 * 60_000,
      run: async () => {
        for (const org of await store.orgs.list()) {
          for (const server of await store.forOrg(org.id).authorizationServers.list()) {
            if (server.signing.rotationMode !== 'AUTO') continue;
            const rotated = await services.signingKeys.rotateIfDue(org.id, { type: 'as', id: server.id }, server.signing.alg,
              server.signing.rotationIntervalDays, maxSignedTokenLifetimeSeconds);
            if (rotated) logger.info({ org: org.id, as: server.id }, 'signing key rotated on schedule');
          }
          await services.signingKeys.rotateIfDue(org.id, { type: 'as', id: orgAuthorizationServerId }, 'RS256', 90, maxSignedTokenLifetimeSeconds);
        }
        const deleted = await store.deleteRetiredSigningKeys(clock.now().toISOString());
        if (deleted > 0) logger.info({ deleted }, 'retired signing keys deleted');
      },
    },
  ];
}
