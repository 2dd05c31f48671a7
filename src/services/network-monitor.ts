/**
 * Part of what `verified` means: the checks of every published verified integration re-run on a
 * schedule against the vendor's test instance, with the test account and SCIM credentials the
 * vendor submitted (unsealed only for the run). When a passing integration starts failing, its
 * vendor and every org using it see it in their system log and on the integration's `health`;
 * when it passes again, they see that too. Several nodes may run this job: each run is claimed
 * first, so the same checks never run twice at once.
 */
import { runChecks, type CheckReport } from '../catalog/checks.ts';
import type { MonitorState } from '../catalog/health.ts';
import type { Manifest } from '../catalog/manifest.ts';
import { orgUrl } from '../domain/org-url.ts';
import type { EventType } from '../domain/log-event.ts';
import type { Vault } from '../vault/envelope.ts';
import { noClient, systemActor } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import type { Submission } from './network-review.ts';
import type { IntegrationRecord, IntegrationVersionRecord } from './ports.ts';
import { buildEvent } from './system-log.ts';
import { compareVersions } from '../storage/repositories/integrations.ts';
import type { ScimCredentials } from '../catalog/scim-conformance.ts';

/** How often a verified integration is re-tested. */
export const monitorIntervalMs = 6 * 3600_000;

export function createNetworkMonitor(deps: ServiceDeps, vault: Vault) {
  const { store, clock, logger } = deps;

  /** The newest published version of each verified integration. */
  async function verifiedVersions(): Promise<{ integration: IntegrationRecord; version: IntegrationVersionRecord }[]> {
    const newest = new Map<string, { integration: IntegrationRecord; version: IntegrationVersionRecord }>();
    for (const entry of await store.integrations.listByStatus('PUBLISHED')) {
      const seen = newest.get(entry.integration.key);
      if (!seen || compareVersions(entry.version.version, seen.version.version) > 0) newest.set(entry.integration.key, entry);
    }
    return [...newest.values()].filter((e) => e.version.tier === 'verified');
  }

  async function checkOne(integration: IntegrationRecord, version: IntegrationVersionRecord): Promise<CheckReport> {
    const org = await store.orgs.findById(integration.ownerOrgId);
    const submission = version.submission as Submission;
    const testApp = org && integration.testAppId ? await store.forOrg(org.id).apps.findById(integration.testAppId) : undefined;
    const link = testApp ? await store.forOrg(integration.ownerOrgId).appIntegrations.find(testApp.id) : undefined;
    const first = submission.testAccounts[0];
    const account = first ? {
      username: first.username,
      password: await vault.openText(integration.ownerOrgId, first.sealedPassword, `integration-test-account:${integration.id}:${version.version}:0`),
    } : undefined;
    const scim = submission.sealedScim
      ? JSON.parse(await vault.openText(integration.ownerOrgId, submission.sealedScim, `integration-scim:${integration.id}:${version.version}`)) as ScimCredentials
      : undefined;
    return runChecks({
      manifest: version.manifest as Manifest, document: version.manifest, tier: 'verified', testAccounts: submission.testAccounts, testApp,
      orgUrl: org ? orgUrl(org, deps.baseUrl) : deps.baseUrl.origin, now: clock.now(),
      live: { http: deps.outbound, variables: link?.variables ?? {}, account, scim },
    });
  }

  /** Tells the vendor and every org that uses the integration, in their system logs. */
  async function announce(integration: IntegrationRecord, version: IntegrationVersionRecord, eventType: EventType, reason: string): Promise<void> {
    const target = { id: integration.id, type: 'Integration', alternateId: `${integration.key}@${version.version}`, displayName: integration.key };
    for (const orgId of new Set([integration.ownerOrgId, ...await store.integrations.orgsUsing(integration.key)])) {
      const org = await store.orgs.findById(orgId);
      if (!org) continue;
      const caller = { org, actor: systemActor, client: noClient, requestId: 'network-monitor', requestUri: null };
      await store.forOrg(orgId).logs.append(buildEvent(clock, caller, eventType, {
        targets: [target], outcome: eventType === 'network.integration.monitor.fail' ? 'FAILURE' : 'SUCCESS', reason: reason.slice(0, 500),
      }));
    }
  }

  /**
   * Re-runs the checks of every verified integration not checked within the interval (all of
   * them with `force`); returns what each run found.
   */
  async function runDue(options: { force?: boolean } = {}): Promise<{ key: string; version: string; status: MonitorState['status'] }[]> {
    const results: { key: string; version: string; status: MonitorState['status'] }[] = [];
    for (const { integration, version } of await verifiedVersions()) {
      const now = clock.now();
      // Claimed before `notAfter` means not claimed within the interval (with force: not claimed at all this instant).
      const notAfter = new Date(now.getTime() + (options.force ? 1 : -monitorIntervalMs)).toISOString();
      if (!(await store.integrations.claimMonitor(integration.id, version.version, notAfter, now.toISOString()))) continue;
      let report: CheckReport;
      try {
        report = await checkOne(integration, version);
      } catch (error) {
        logger.warn({ integration: integration.key, err: (error as Error).message }, 'integration checks could not run');
        continue;
      }
      const previous = version.monitor as MonitorState | null;
      const failing = report.result === 'FAILED';
      const state: MonitorState = {
        status: failing ? 'FAILING' : 'PASSING', lastRun: report.ran,
        failingSince: failing ? previous?.failingSince ?? report.ran : null, report,
      };
      await store.integrations.setMonitor(integration.id, version.version, state);
      const reason = report.checks.filter((c) => c.status === 'FAILED').map((c) => `${c.id}: ${c.detail}`).join('; ');
      if (failing && previous?.status !== 'FAILING') await announce(integration, version, 'network.integration.monitor.fail', reason);
      if (!failing && previous?.status === 'FAILING') await announce(integration, version, 'network.integration.monitor.recover', 'the checks pass again');
      results.push({ key: integration.key, version: version.version, status: state.status });
    }
    return results;
  }

  return { runDue };
}

export type NetworkMonitor = ReturnType<typeof createNetworkMonitor>;
