import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure domain rules, no I/O, `*.unit.test.ts`) and `integration`
 * (everything else: a fresh database and the whole stack, started once by the global setup).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: [
            'subgraphs/*/test/**/*.unit.test.ts',
            'gateway/test/**/*.unit.test.ts',
            'kafka/test/**/*.unit.test.ts',
            'tests/**/*.unit.test.ts',
          ],
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['subgraphs/*/test/**/*.test.ts', 'gateway/test/**/*.test.ts', 'kafka/test/**/*.test.ts', 'tests/**/*.test.ts'],
          exclude: ['**/*.unit.test.ts', '**/node_modules/**', 'tests/bench/**'],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // one stack for the run: test files share it, so keep the worker count small
          maxWorkers: 2,
          env: { LOG_LEVEL: 'silent' },
        },
      },
    ],
  },
});
