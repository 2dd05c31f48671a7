/** Window counters in Redis, so every node counts against the same limits. */
import { Redis } from 'ioredis';
import type { CounterStore } from '../services/ports.ts';

export function createRedisCounters(url: string): CounterStore {
  // No offline queue: while Redis is away a command fails at once (the caller lets the request pass)
  // instead of waiting for a reconnection attempt with a growing back-off; ioredis keeps
  // reconnecting in the background and counting resumes when Redis is back.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, lazyConnect: true });
  // Connection problems surface on the next command; the default handler would only print them.
  redis.on('error', () => {});
  let connected: Promise<void> | undefined;
  return {
    hit: async (key, windowMs) => {
      // The first use connects (a failure here is reported by the command below).
      await (connected ??= redis.connect().catch(() => {}));
      const results = await redis.multi().incr(key).pexpire(key, windowMs, 'NX').exec();
      const [error, count] = results?.[0] ?? [new Error('no reply from Redis'), 0];
      if (error) throw error;
      return Number(count);
    },
    close: async () => {
      redis.disconnect();
    },
  };
}
