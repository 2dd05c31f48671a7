/**
 * Submission and review. A vendor submits a draft version with its test accounts; the automated
 * checks run and their report is kept on the version (a version that fails one stays a draft).
 * A reviewer — a user of the deployment's first org holding NETWORK_REVIEWER, never one of the
 * vendor's own org — sees the queue, comments, rejects or approves. Approval publishes the
 * version at `community`, or at `verified` when the verified requirements are met and the
 * reviewer signs off. Every step is logged in the vendor's org and the reviewer's.
 */
import { z } from 'zod';
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { manifestSchema, tiers, type Manifest, type Tier } from '../catalog/manifest.ts';
import { runChecks, type CheckReport, type TestAccountSummary } from '../catalog/checks.ts';
import type { Vault } from '../vault/envelope.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { versionLocked, type VendorIntegrations } from './vendor-integrations.ts';
import type { IntegrationRecord, IntegrationVersionRecord, Store } from './ports.ts';
import { buildEvent } from './system-log.ts';
import { parseOrThrow } from './validation.ts';
import type { EventType } from '../domain/log-event.ts';
import { orgUrl } from '../domain/org-url.ts';

export const reviewerRole = 'NETWORK_REVIEWER';

/** What a reviewer may list: the queue, or the versions already decided. */
export const reviewListStatuses = ['SUBMITTED', 'PUBLISHED', 'REJECTED'] as const;
export type ReviewListStatus = (typeof reviewListStatuses)[number];

export const submitSchema = z.strictObject({
  /** The tier asked for; the manifest's by default. */
  tier: z.enum(tiers).optional(),
  /** Accounts reviewers (and the live checks) sign in with; verified needs two that never expire. */
  testAccounts: z.array(z.strictObject({
    username: z.string().trim().min(1).max(256),
    password: z.string().min(1).max(256),
    expires: z.boolean().default(false),
    notes: z.string().max(500).optional(),
  })).max(5).default([]),
  notes: z.string().max(2000).optional(),
  /** Credentials of the test SCIM endpoint, for an integration that declares provisioning. */
  scim: z.strictObject({
    token: z.string().min(1).max(4096).optional(),
    username: z.string().min(1).max(256).optional(),
    password: z.string().min(1).max(256).optional(),
  }).optional(),
});

const commentSchema = z.strictObject({ text: z.string().trim().min(1, 'is required').max(5000) });
const rejectSchema = z.strictObject({ reason: z.string().trim().min(1, 'is required').max(5000) });
const approveSchema = z.strictObject({
  tier: z.enum(tiers).default('community'),
  /** For verified: the reviewer confirms having signed in to the app with the vendor's test accounts. */
  verifiedSignOff: z.boolean().default(false),
  comment: z.string().trim().max(5000).optional(),
});

export interface Submission {
  readonly tier: Tier;
  readonly notes: string | null;
  readonly testAccounts: readonly (TestAccountSummary & { readonly sealedPassword: string })[];
  readonly sealedScim: string | null;
  readonly report: CheckReport;
}

export interface ReviewEntry {
  readonly at: string;
  readonly by: { readonly id: string; readonly login: string };
  readonly kind: 'comment' | 'reject' | 'approve';
  readonly text: string | null;
  readonly tier?: Tier;
}

export interface Review {
  readonly entries: readonly ReviewEntry[];
}

/** A submission as the vendor and reviewers see it: passwords never leave the vault. */
export function publicSubmission(submission: unknown): unknown {
  if (!submission || typeof submission !== 'object') return submission ?? null;
  const { sealedScim, ...s } = submission as Submission;
  return { ...s, scimCredentials: sealedScim ? 'supplied' : null, testAccounts: s.testAccounts.map(({ sealedPassword: _, ...account }) => account) };
}

export function createNetworkReview(deps: ServiceDeps, vault: Vault, vendor: VendorIntegrations) {
  const { store, clock } = deps;

  async function logBoth(caller: Caller, integration: IntegrationRecord, version: string, eventType: EventType, tx: Store = store) {
    const target = { id: integration.id, type: 'Integration', alternateId: `${integration.key}@${version}`, displayName: integration.key };
    for (const orgId of new Set([caller.org.id, integration.ownerOrgId])) {
      await tx.forOrg(orgId).logs.append(buildEvent(clock, caller, eventType, { targets: [target] }));
    }
  }

  /** Submits a draft: the checks run; a version that passes them all joins the review queue. */
  async function submit(caller: Caller, key: string, versionName: string, raw: unknown): Promise<{ version: IntegrationVersionRecord; report: CheckReport }> {
    const input = parseOrThrow(submitSchema, raw ?? {});
    const { integration, version } = await vendor.getVersion(caller, key, versionName);
    if (version.status !== 'DRAFT' && version.status !== 'REJECTED') {
      throw versionLocked(key, version, '; only a draft or rejected version is submitted');
    }
    const manifest = version.manifest as Manifest;
    const tier = input.tier ?? manifest.tier;
    const testApp = integration.testAppId ? await store.forOrg(caller.org.id).apps.findById(integration.testAppId) : undefined;
    const link = testApp ? await store.forOrg(caller.org.id).appIntegrations.find(testApp.id) : undefined;
    const report = await runChecks({
      manifest, document: version.manifest, tier, testAccounts: input.testAccounts, testApp, orgUrl: orgUrl(caller.org, deps.baseUrl),
      now: clock.now(),
      live: { http: deps.outbound, variables: link?.variables ?? {}, account: input.testAccounts[0], scim: input.scim },
    });
    const sealed = await Promise.all(input.testAccounts.map(async (account, i) => ({
      username: account.username, expires: account.expires, notes: account.notes ?? null,
      sealedPassword: await vault.seal(integration.ownerOrgId, account.password, `integration-test-account:${integration.id}:${versionName}:${i}`),
    })));
    // The SCIM credentials are kept, sealed, for the checks that re-run on published verified integrations.
    const sealedScim = input.scim
      ? await vault.seal(integration.ownerOrgId, JSON.stringify(input.scim), `integration-scim:${integration.id}:${versionName}`) : null;
    const submission: Submission = { tier, notes: input.notes ?? null, testAccounts: sealed, sealedScim, report };
    const passed = report.result === 'PASSED';
    const now = clock.now().toISOString();
    await store.transaction(async (tx) => {
      await tx.integrations.updateVersion(integration.id, versionName, {
        submission, status: passed ? 'SUBMITTED' : 'DRAFT', submitted: passed ? now : null, lastUpdated: now,
      });
      await logBoth(caller, integration, versionName, 'network.integration.version.checks', tx);
      if (passed) await logBoth(caller, integration, versionName, 'network.integration.version.submit', tx);
    });
    const updated = (await store.integrations.findVersion(integration.id, versionName))!;
    if (!passed) {
      throw validationError(report.checks.filter((c) => c.status === 'FAILED').map((c) => `checks.${c.id}: ${c.detail}`), 'the automated checks');
    }
    return { version: updated, report };
  }

  /** The caller, if a reviewer: a user of the first org with the reviewer role. */
  function requireReviewer(caller: Caller): void {
    if (!caller.org.isDefault || !(caller.roles ?? []).includes(reviewerRole)) throw new AppError('network.not_reviewer');
  }

  async function requireSubmitted(caller: Caller, key: string, versionName: string) {
    requireReviewer(caller);
    const integration = await store.integrations.findByKey(key);
    const version = integration ? await store.integrations.findVersion(integration.id, versionName) : undefined;
    if (!integration || !version || version.status === 'DRAFT') throw notFound('IntegrationVersion', `${key}@${versionName}`);
    return { integration, version };
  }

  function decide(caller: Caller, integration: IntegrationRecord): void {
    if (integration.ownerOrgId === caller.org.id) throw new AppError('network.own_submission');
  }

  /** The versions waiting for review, or (with a status) those already decided. */
  async function queue(caller: Caller, status: ReviewListStatus = 'SUBMITTED') {
    requireReviewer(caller);
    return store.integrations.listByStatus(status);
  }

  async function get(caller: Caller, key: string, version: string) {
    return requireSubmitted(caller, key, version);
  }

  async function appendReview(caller: Caller, integration: IntegrationRecord, version: IntegrationVersionRecord, entry: Omit<ReviewEntry, 'at' | 'by'>,
    changes: Partial<Pick<IntegrationVersionRecord, 'status' | 'tier' | 'published'>>, eventType: EventType): Promise<IntegrationVersionRecord> {
    const now = clock.now().toISOString();
    const previous = (version.review as Review | null)?.entries ?? [];
    const review: Review = { entries: [...previous, { ...entry, at: now, by: { id: caller.actor.id, login: caller.actor.alternateId } }] };
    await store.transaction(async (tx) => {
      await tx.integrations.updateVersion(integration.id, version.version, { ...changes, review, lastUpdated: now });
      await logBoth(caller, integration, version.version, eventType, tx);
    });
    return (await store.integrations.findVersion(integration.id, version.version))!;
  }

  async function comment(caller: Caller, key: string, versionName: string, raw: unknown) {
    const input = parseOrThrow(commentSchema, raw);
    const { integration, version } = await requireSubmitted(caller, key, versionName);
    return appendReview(caller, integration, version, { kind: 'comment', text: input.text }, {}, 'network.integration.version.comment');
  }

  function requireInQueue(key: string, version: IntegrationVersionRecord): void {
    if (version.status !== 'SUBMITTED') throw versionLocked(key, version, ', not waiting for review');
  }

  async function reject(caller: Caller, key: string, versionName: string, raw: unknown) {
    const input = parseOrThrow(rejectSchema, raw);
    const { integration, version } = await requireSubmitted(caller, key, versionName);
    decide(caller, integration);
    requireInQueue(key, version);
    return appendReview(caller, integration, version, { kind: 'reject', text: input.reason }, { status: 'REJECTED' }, 'network.integration.version.reject');
  }

  /** Publishes the version; `verified` needs the verified requirements met and the reviewer's sign-off. */
  async function approve(caller: Caller, key: string, versionName: string, raw: unknown) {
    const input = parseOrThrow(approveSchema, raw ?? {});
    const { integration, version } = await requireSubmitted(caller, key, versionName);
    decide(caller, integration);
    requireInQueue(key, version);
    if (input.tier === 'verified') {
      const submission = version.submission as Submission;
      const causes: string[] = [];
      if (submission.tier !== 'verified') causes.push('tier: the vendor asked for community; a verified listing must be asked for');
      const verifiedCheck = submission.report.checks.find((c) => c.id === 'verifiedRequirements');
      if (verifiedCheck?.status !== 'PASSED') causes.push('tier: the verified requirements (four contacts with email, two test accounts that never expire) are not met');
      if (!input.verifiedSignOff) causes.push('verifiedSignOff: a verified listing needs the reviewer to sign off after signing in with the test accounts');
      if (causes.length > 0) throw validationError(causes, 'tier');
    }
    // The stored manifest is checked once more: what is published must still be a valid manifest.
    manifestSchema.parse(version.manifest);
    return appendReview(caller, integration, version, { kind: 'approve', text: input.comment ?? null, tier: input.tier },
      { status: 'PUBLISHED', tier: input.tier, published: clock.now().toISOString() }, 'network.integration.version.publish');
  }

  return { submit, queue, get, comment, reject, approve, requireReviewer };
}

export type NetworkReview = ReturnType<typeof createNetworkReview>;
