/** Window counters in this process: right for one node; several nodes use Redis instead. */
import type { CounterStore } from '../services/ports.ts';

export function createMemoryCounters(now: () => number = Date.now): CounterStore {
  const counts = new Map<string, { count: number; expiresAt: number }>();
  let lastSweep = now();
  return {
    hit: async (key, windowMs) => {
      const t = now();
      if (t - lastSweep > 60_000) {
        for (const [k, v] of counts) if (v.expiresAt <= t) counts.delete(k);
        lastSweep = t;
      }
      const entry = counts.get(key);
      if (entry && entry.expiresAt > t) {
        entry.count++;
        return entry.count;
      }
      counts.set(key, { count: 1, expiresAt: (Math.floor(t / windowMs) + 1) * windowMs });
      return 1;
    },
    close: async () => counts.clear(),
  };
}
