/** Window counters in Redis, so every node counts against the same limits. */
import { Redis } from 'ioredis';
import type { CounterStore } from '../services/ports.ts';

export function createRedisCounters(url: string): CounterStore {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 2000, lazyConnect: true });
  // Connection problems surface on the next command; the default handler would only print them.
  redis.on('error', () => {});
  return {
    hit: async (key, windowMs) => {
      if (redis.status === 'wait') await redis.connect();
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
