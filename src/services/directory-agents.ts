/**
 * Directory agents: programs beside a directory that Lanyard cannot reach, which connect out to
 * Lanyard and do its directory work. An admin issues a one-time enrolment token; the agent trades
 * it for an id and a long-lived secret (both tokens stored hashed), then long-polls for jobs —
 * imports, password checks (binds) and connection tests — and posts results back.
 *
 * Jobs live in the store, so any node may queue one and any node may hand it out; an agent claims
 * a job by compare-and-set, so each goes to one agent. A claimed job whose agent stops answering
 * is handed to another agent once its lease runs out. A job's payload (the bind password, and a
 * user's password for a bind) is sealed by the vault, and a bind job is deleted once answered.
 */
import { z } from 'zod';
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { constantTimeEqual, hashToken, randomToken } from '../kernel/secrets.ts';
import type { Org } from '../domain/org.ts';
import type { LogActor } from '../domain/log-event.ts';
import { searchesFor, type DirectorySearch } from '../directory/entries.ts';
import type { TestReport } from '../directory/ldap.ts';
import type { Vault } from '../vault/envelope.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import type { DirectoryAgentRecord, DirectoryImportRecord, DirectoryJobRecord, DirectoryRecord } from './ports.ts';
import { directoryTarget, requireDirectory, settingsOf, type DirectoryService } from './directories.ts';
import type { DirectoryImport } from './directory-import.ts';
import { buildEvent } from './system-log.ts';
import { parseOrThrow } from './validation.ts';

const tokenLifetimeMs = 60 * 60_000;
/** How long an agent holds a job before another may take it: an import renews it with each page. */
const leaseMs = { import: 60_000, bind: 15_000, test: 30_000 } as const;

const entrySchema = z.strictObject({
  dn: z.string().min(1).max(4096),
  attributes: z.record(z.string().max(200), z.array(z.string().max(100_000)).max(10_000)),
});

export const enrollSchema = z.strictObject({
  token: z.string().min(1).max(200),
  name: z.string().trim().min(1).max(100).default('agent'),
});

export const resultSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('page'), phase: z.enum(['users', 'groups']), entries: z.array(entrySchema).max(5000) }),
  z.strictObject({ type: z.literal('done') }),
  z.strictObject({ type: z.literal('failed'), error: z.string().max(2000) }),
  z.strictObject({ type: z.literal('bind'), outcome: z.enum(['valid', 'invalid', 'unavailable']) }),
  z.strictObject({ type: z.literal('test'), report: z.object({ ok: z.boolean(), steps: z.array(z.object({ step: z.string(), ok: z.boolean(), message: z.string() })), users: z.number().nullable(), groups: z.number().nullable() }) }),
]);

/** What an agent gets for a job. */
export interface AgentJob {
  readonly id: string;
  readonly kind: DirectoryJobRecord['kind'];
  readonly payload: Record<string, unknown>;
}

export interface DirectoryAgentOptions {
  /** How long a sign-in waits for an agent's answer to a bind before the directory counts as unavailable. */
  readonly bindWaitMs?: number;
  readonly testWaitMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createDirectoryAgents(deps: ServiceDeps, vault: Vault, directories: DirectoryService, imports: DirectoryImport, options: DirectoryAgentOptions = {}) {
  const { store, clock } = deps;
  const bindWaitMs = options.bindWaitMs ?? 5000;
  const testWaitMs = options.testWaitMs ?? 15_000;
  const jobContext = (id: string) => `directory-job:${id}`;

  const agentActor = (agent: DirectoryAgentRecord): LogActor => ({ id: agent.id, type: 'DirectoryAgent', alternateId: agent.name, displayName: agent.name });

  async function createToken(caller: Caller, directoryId: string): Promise<{ token: string; expiresAt: string }> {
    const org = store.forOrg(caller.org.id);
    const directory = await requireDirectory(org, directoryId);
    if (settingsOf(directory).mode !== 'AGENT') throw new AppError('directory.not_agent_mode', { detail: 'mode', causes: ['mode: the directory is DIRECT; agents serve directories in mode AGENT'] });
    const token = randomToken(30);
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + tokenLifetimeMs).toISOString();
    await org.directories.insertAgentToken({ tokenHash: hashToken(token), directoryId, created: now.toISOString(), expiresAt });
    return { token, expiresAt };
  }

  async function enroll(caller: Caller, raw: unknown): Promise<{ agentId: string; secret: string; directoryId: string }> {
    const input = parseOrThrow(enrollSchema, raw ?? {});
    const org = store.forOrg(caller.org.id);
    const now = clock.now().toISOString();
    const directoryId = await org.directories.consumeAgentToken(hashToken(input.token), now);
    if (!directoryId) throw new AppError('directory.invalid_enrollment_token', { debug: 'unknown, used or expired enrolment token' });
    const secret = randomToken(32);
    const agent: DirectoryAgentRecord = { id: newId('directoryAgent'), directoryId, name: input.name, secretHash: hashToken(secret), created: now, lastSeen: now };
    await org.directories.insertAgent(agent);
    const directory = await requireDirectory(org, directoryId);
    await org.logs.append(buildEvent(clock, { ...caller, actor: agentActor(agent) }, 'system.directory.agent.enroll', { targets: [directoryTarget(directory)] }));
    return { agentId: agent.id, secret, directoryId };
  }

  /** `Authorization: Agent {agentId}:{secret}`: the agent, seen now. */
  async function authenticate(org: Org, header: string): Promise<DirectoryAgentRecord> {
    const match = /^Agent\s+([0-9A-Za-z]{20}):([A-Za-z0-9_-]{20,200})\s*$/.exec(header);
    const agent = match ? await store.forOrg(org.id).directories.findAgent(match[1]!) : undefined;
    if (!agent || !constantTimeEqual(hashToken(match![2]!), agent.secretHash)) {
      throw new AppError('directory.invalid_agent_credentials', { debug: match ? 'unknown agent or wrong secret' : 'malformed Authorization header' });
    }
    await store.forOrg(org.id).directories.touchAgent(agent.id, clock.now().toISOString());
    return agent;
  }

  async function list(caller: Caller, directoryId: string): Promise<DirectoryAgentRecord[]> {
    const org = store.forOrg(caller.org.id);
    await requireDirectory(org, directoryId);
    return org.directories.listAgents(directoryId);
  }

  async function revoke(caller: Caller, directoryId: string, agentId: string): Promise<void> {
    const org = store.forOrg(caller.org.id);
    const directory = await requireDirectory(org, directoryId);
    if (!(await org.directories.deleteAgent(directoryId, agentId))) throw notFound('DirectoryAgent', agentId);
    await org.logs.append(buildEvent(clock, caller, 'system.directory.agent.revoke', { targets: [directoryTarget(directory)], debugData: { agentId } }));
  }

  async function enqueue(orgId: string, directory: DirectoryRecord, kind: DirectoryJobRecord['kind'], payload: Record<string, unknown>): Promise<string> {
    const id = newId('directoryJob');
    const connection = await directories.connectionOf(orgId, directory);
    const sealed = await vault.seal(orgId, JSON.stringify({ connection, ...payload }), jobContext(id));
    const now = clock.now().toISOString();
    await store.forOrg(orgId).directories.insertJob({
      id, directoryId: directory.id, kind, payload: sealed, status: 'PENDING', agentId: null, leaseUntil: null, result: null, created: now, lastUpdated: now,
    });
    return id;
  }

  /** Waits for an agent's answer to a job; the job is deleted either way. */
  async function awaitAnswer(orgId: string, jobId: string, waitMs: number): Promise<unknown> {
    const org = store.forOrg(orgId);
    const deadline = Date.now() + waitMs;
    try {
      while (Date.now() < deadline) {
        const job = await org.directories.findJob(jobId);
        if (job?.status === 'ANSWERED' && job.result !== null) return JSON.parse(job.result);
        await sleep(50);
      }
      return undefined;
    } finally {
      await org.directories.deleteJob(jobId);
    }
  }

  async function bind(orgId: string, directory: DirectoryRecord, dn: string, password: string): Promise<'valid' | 'invalid' | 'unavailable'> {
    const jobId = await enqueue(orgId, directory, 'bind', { dn, password });
    const answer = await awaitAnswer(orgId, jobId, bindWaitMs) as { outcome?: 'valid' | 'invalid' | 'unavailable' } | undefined;
    return answer?.outcome ?? 'unavailable';
  }

  async function test(orgId: string, directory: DirectoryRecord): Promise<TestReport> {
    const jobId = await enqueue(orgId, directory, 'test', { searches: searchesFor(settingsOf(directory), null) });
    const answer = await awaitAnswer(orgId, jobId, testWaitMs) as { report?: TestReport } | undefined;
    if (answer?.report) return answer.report;
    const agents = await store.forOrg(orgId).directories.listAgents(directory.id);
    return {
      ok: false, users: null, groups: null,
      steps: [{
        step: 'agent', ok: false,
        message: agents.length === 0
          ? 'No agent is enrolled for this directory: create an enrolment token and start `lanyard agent` beside the directory.'
          : `No agent answered within ${Math.round(testWaitMs / 1000)} seconds; check that an agent of this directory is running.`,
      }],
    };
  }

  async function queueImport(orgId: string, directory: DirectoryRecord, record: DirectoryImportRecord, searches: DirectorySearch[]): Promise<void> {
    await enqueue(orgId, directory, 'import', { importId: record.id, searches });
  }

  /** Long poll: the next job of the agent's directory, or undefined when none came within `waitSeconds`. */
  async function nextWork(org: Org, agent: DirectoryAgentRecord, waitSeconds: number, gone: AbortSignal): Promise<AgentJob | undefined> {
    const scoped = store.forOrg(org.id);
    const deadline = Date.now() + waitSeconds * 1000;
    // An agent that hung up (stopped, killed) must not go on claiming jobs it will never do.
    while (!gone.aborted) {
      const now = clock.now();
      const job = await scoped.directories.claimJob(agent.directoryId, agent.id, now.toISOString(),
        (j) => new Date(now.getTime() + leaseMs[j.kind]).toISOString());
      if (job && gone.aborted) {
        // Claimed as the agent hung up: hand it straight back to the others.
        await scoped.directories.renewJob(job.id, agent.id, new Date(0).toISOString(), now.toISOString());
        return undefined;
      }
      if (job) {
        const payload = JSON.parse(await vault.openText(org.id, job.payload, jobContext(job.id))) as Record<string, unknown>;
        return { id: job.id, kind: job.kind, payload };
      }
      if (Date.now() >= deadline) return undefined;
      await sleep(200);
    }
    return undefined;
  }

  /** An agent's answer to a job it holds: a page of entries, the end of an import, a bind's outcome or a test's report. */
  async function report(caller: Caller, agent: DirectoryAgentRecord, jobId: string, raw: unknown): Promise<void> {
    const result = parseOrThrow(resultSchema, raw ?? {});
    const scoped = store.forOrg(caller.org.id);
    const job = await scoped.directories.findJob(jobId);
    if (!job || job.directoryId !== agent.directoryId || job.agentId !== agent.id || job.status !== 'CLAIMED') throw notFound('DirectoryJob', jobId);
    const agentCaller: Caller = { ...caller, actor: agentActor(agent) };
    const now = clock.now();
    if (job.kind === 'import') {
      const { importId } = JSON.parse(await vault.openText(caller.org.id, job.payload, jobContext(job.id))) as { importId: string };
      if (result.type === 'page') {
        if (!(await scoped.directories.renewJob(job.id, agent.id, new Date(now.getTime() + leaseMs.import).toISOString(), now.toISOString()))) throw notFound('DirectoryJob', jobId);
        await imports.applyPage(agentCaller, job.directoryId, importId, result.phase, result.entries);
        return;
      }
      if (result.type !== 'done' && result.type !== 'failed') throw validationError([`type: an import is answered with page, done or failed, not ${result.type}`], 'type');
      await imports.finish(agentCaller, job.directoryId, importId, result.type === 'failed' ? result.error : null);
      await scoped.directories.deleteJob(job.id);
      return;
    }
    if (result.type !== (job.kind === 'bind' ? 'bind' : 'test') && result.type !== 'failed') {
      throw validationError([`type: a ${job.kind} job is answered with ${job.kind} or failed, not ${result.type}`], 'type');
    }
    const answer = result.type === 'failed'
      ? (job.kind === 'bind' ? { outcome: 'unavailable' } : { report: { ok: false, users: null, groups: null, steps: [{ step: 'agent', ok: false, message: result.error }] } })
      : result;
    await scoped.directories.answerJob(job.id, agent.id, JSON.stringify(answer), now.toISOString());
  }

  directories.useAgentTester(test);
  imports.useAgentQueue(queueImport);

  return {
    createToken, enroll, authenticate, list, revoke, bind, nextWork, report,
    find: (orgId: string, agentId: string) => store.forOrg(orgId).directories.findAgent(agentId),
  };
}

export type DirectoryAgents = ReturnType<typeof createDirectoryAgents>;
