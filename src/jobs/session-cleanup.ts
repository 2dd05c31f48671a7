/** Deletes expired sessions every few minutes; one run at a time, stopped on shutdown. */
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Store } from '../services/ports.ts';

export function startSessionCleanup(store: Store, clock: Clock, logger: Logger, intervalMs = 5 * 60_000): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = store.deleteExpiredSessions(clock.now().toISOString())
      .then((count) => { if (count > 0) logger.debug({ count }, 'expired sessions removed'); })
      .catch((error: Error) => logger.warn({ err: error.message }, 'session clean-up failed'))
      .finally(() => { running = undefined; });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
