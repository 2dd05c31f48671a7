/**
 * `lanyard agent`: runs beside a directory that Lanyard cannot reach and connects out to Lanyard
 * only. It enrols once with a one-time token (or reuses its state file), then long-polls for jobs
 * and does each against the directory with the same LDAP code Lanyard uses directly: imports
 * (posting the entries page by page), password checks (binds) and connection tests.
 */
import { checkPassword, DirectoryFailure, readPages, testConnection, withServiceBind, type DirectoryConnection } from '../directory/ldap.ts';
import type { DirectorySearch } from '../directory/entries.ts';
import { readState, writeState, type AgentState } from './state.ts';
import { checkLanyardUrl } from './url.ts';

export interface AgentOptions {
  readonly url: string;
  readonly token?: string | undefined;
  readonly statePath: string;
  readonly name: string;
  readonly log: (line: string) => void;
}

interface Job {
  readonly id: string;
  readonly kind: 'import' | 'bind' | 'test';
  readonly payload: { connection: DirectoryConnection; dn?: string; password?: string; searches?: DirectorySearch[] };
}

const maxConcurrentJobs = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function enroll(origin: string, options: AgentOptions): Promise<AgentState> {
  const existing = readState(options.statePath);
  if (existing && existing.url === origin && !options.token) return existing;
  if (!options.token) throw new Error(`no state in ${options.statePath}: enrol with --token (POST /api/v1/directories/{id}/agents/tokens gives one)`);
  const response = await fetch(`${origin}/api/v1/directory-agents/enroll`, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ token: options.token, name: options.name }),
  });
  const body = await response.json().catch(() => ({})) as { agentId?: string; secret?: string; directoryId?: string; errorSummary?: string };
  if (response.status !== 201 || !body.agentId || !body.secret || !body.directoryId) {
    throw new Error(`enrolment refused (${response.status}): ${body.errorSummary ?? 'no answer'}`);
  }
  const state = { url: origin, agentId: body.agentId, secret: body.secret, directoryId: body.directoryId };
  writeState(options.statePath, state);
  return state;
}

/** Runs until `signal` aborts; throws when it cannot enrol or Lanyard no longer knows it. */
export async function runAgent(options: AgentOptions, signal: AbortSignal): Promise<void> {
  const origin = checkLanyardUrl(options.url).origin;
  const state = await enroll(origin, options);
  options.log(`Agent ${state.agentId} serves directory ${state.directoryId} of ${origin}`);
  const authorization = `Agent ${state.agentId}:${state.secret}`;

  const answer = async (jobId: string, result: unknown): Promise<void> => {
    const response = await fetch(`${origin}/api/v1/directory-agents/work/${jobId}`, {
      method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(result),
    });
    if (response.status !== 204) throw new Error(`Lanyard refused the answer to ${jobId} (${response.status})`);
  };

  async function perform(job: Job): Promise<void> {
    const { connection } = job.payload;
    if (job.kind === 'bind') {
      let outcome: 'valid' | 'invalid' | 'unavailable';
      try {
        outcome = await checkPassword(connection, job.payload.dn!, job.payload.password!);
      } catch (error) {
        if (!(error instanceof DirectoryFailure)) throw error;
        outcome = 'unavailable';
      }
      return answer(job.id, { type: 'bind', outcome });
    }
    if (job.kind === 'test') return answer(job.id, { type: 'test', report: await testConnection(connection, job.payload.searches ?? []) });
    try {
      await withServiceBind(connection, async (client) => {
        for (const search of job.payload.searches ?? []) {
          for await (const entries of readPages(client, connection, search)) await answer(job.id, { type: 'page', phase: search.phase, entries });
        }
      });
    } catch (error) {
      return answer(job.id, { type: 'failed', error: (error as Error).message.slice(0, 2000) });
    }
    return answer(job.id, { type: 'done' });
  }

  const inFlight = new Set<Promise<void>>();
  let backoff = 500;
  while (!signal.aborted) {
    if (inFlight.size >= maxConcurrentJobs) {
      await Promise.race(inFlight);
      continue;
    }
    let response: Response;
    try {
      response = await fetch(`${origin}/api/v1/directory-agents/work?wait=25`, { headers: { authorization, accept: 'application/json' }, signal });
    } catch (error) {
      if (signal.aborted) break;
      options.log(`Lanyard at ${origin} cannot be reached (${(error as Error).message}); retrying`);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 30_000);
      continue;
    }
    if (response.status === 401) {
      await Promise.all(inFlight);
      throw new Error('Lanyard does not know this agent (revoked?): enrol again with a new token');
    }
    if (response.status === 204) {
      backoff = 500;
      continue;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 30_000);
      continue;
    }
    backoff = 500;
    const job = await response.json() as Job;
    const work = perform(job)
      .catch((error: Error) => options.log(`job ${job.id} (${job.kind}) failed: ${error.message}`))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  }
  await Promise.all(inFlight);
}
