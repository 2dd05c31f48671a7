/**
 * Periodic background work: each job runs at most once at a time, its failures are logged (never
 * thrown), and stopping waits for runs in progress. Several nodes may run the same jobs: each job
 * is written so that running it twice does no harm.
 */
import type { Logger } from '../kernel/logger.ts';

export interface Job {
  readonly name: string;
  readonly intervalMs: number;
  run(): Promise<void>;
}

export function startJobs(jobs: readonly Job[], logger: Logger): () => Promise<void> {
  const running = new Map<string, Promise<void>>();
  const timers = jobs.map((job) => {
    const timer = setInterval(() => {
      if (running.has(job.name)) return;
      running.set(job.name, job.run()
        .catch((error: Error) => logger.warn({ job: job.name, err: error.message }, 'background job failed'))
        .finally(() => running.delete(job.name)));
    }, job.intervalMs);
    timer.unref();
    return timer;
  });
  return async () => {
    for (const timer of timers) clearInterval(timer);
    await Promise.all(running.values());
  };
}
