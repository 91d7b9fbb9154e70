import { defineConfig } from 'vitest/config';

/**
 * Five projects: `unit` (pure domain rules, no I/O, `*.unit.test.ts`), `integration`
 * (everything else: a fresh database and the whole stack on the embedded event transport,
 * started once by the global setup), `load` (`*.load.test.ts`: the same on a stack of their own,
 * one file at a time), `kafka` (the order-to-cash flows again on a stack whose events go through
 * a real Kafka broker, plus what a downstream Kafka consumer sees), and `pos` (the POS's module
 * and component tests in jsdom, clients/pos/vitest.config.ts).
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
            'clients/print-daemon/test/**/*.unit.test.ts',
          ],
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: [
            'subgraphs/*/test/**/*.test.ts',
            'gateway/test/**/*.test.ts',
            'kafka/test/**/*.test.ts',
            'tests/**/*.test.ts',
            'clients/print-daemon/test/**/*.test.ts',
          ],
          exclude: ['**/*.unit.test.ts', '**/*.load.test.ts', '**/node_modules/**', 'tests/bench/**', 'tests/kafka/**'],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // one stack for the run: test files share it, so keep the worker count small
          maxWorkers: 2,
          env: { LOG_LEVEL: 'silent' },
        },
      },
      {
        test: {
          // tests that load the stack on purpose (hundreds of concurrent sales, a whole day at the
          // counter): on a stack of their own, one file at a time, so the event pipeline they fill
          // never makes the integration tests wait, and no other test sells into their shift
          name: 'load',
          sequence: { groupOrder: 2 },
          include: ['subgraphs/*/test/**/*.load.test.ts', 'tests/**/*.load.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          env: { LOG_LEVEL: 'silent' },
        },
      },
      {
        test: {
          // the cross-subgraph flows again, with a real Kafka broker as the transport
          name: 'kafka',
          sequence: { groupOrder: 3 },
          include: ['tests/order-to-cash.test.ts', 'tests/kafka/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
          // one file at a time: tests/kafka/broker-outage.test.ts stops the broker the others use
          fileParallelism: false,
          env: { LOG_LEVEL: 'silent' },
        },
      },
      // the POS's component tests (jsdom): clients/pos/vitest.config.ts
      'clients/pos/vitest.config.ts',
    ],
  },
});
