/**
 * Two projects run the same suite: once on the embedded SQLite store and once on a real
 * PostgreSQL started for the run. Browser tests (e2e) run once, on SQLite.
 */
import { defineConfig } from 'vitest/config';

const shared = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // Files share the machine's two cores; servers they start are independent.
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'sqlite',
          include: ['test/**/*.test.ts'],
          env: { LANYARD_TEST_STORE: 'sqlite' },
        },
      },
      {
        test: {
          ...shared,
          name: 'postgres',
          include: ['test/storage/**/*.test.ts', 'test/integration/**/*.test.ts'],
          exclude: ['test/integration/**/*.sqlite-only.test.ts'],
          env: { LANYARD_TEST_STORE: 'postgres' },
          globalSetup: ['test/helpers/global-postgres.ts'],
        },
      },
    ],
  },
});
