import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          // test/browser: pages in a real Chromium (.ci/install-chromium.sh), no stack; the console's browser
          // tests need the stack and run in the stack project.
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/browser/**/*.test.ts'],
          exclude: [
            'test/browser/console.test.ts',
            'test/browser/consoleScore.test.ts',
            'test/browser/caseReport.test.ts',
          ],
          testTimeout: 30_000,
          globalSetup: ['test/tmpdirSetup.ts'],
          setupFiles: ['test/tmpdirWorker.ts'],
          // Every core: vitest leaves one free by default, which on a 2-core machine ran the unit files one at a
          // time (237 s; 162 s two at a time, 2026-12-07). The stack's files run after them, one at a time.
          maxWorkers: availableParallelism(),
        },
      },
      {
        test: {
          // Real Kafka, emulators, fake-gcs-server and the functions: one file at a time, one shared stack.
          name: 'stack',
          include: [
            'test/integration/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/browser/console.test.ts',
            'test/browser/consoleScore.test.ts',
            'test/browser/caseReport.test.ts',
          ],
          // Each component killed mid-stream, one by one: about six minutes, in test:soak with every fault at once.
          exclude: ['test/e2e/faults.test.ts'],
          globalSetup: ['test/stackSetup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          // `npm run test:soak` only (npm test names its projects): every fault in one run on the default
          // stack, the load proof and the 1 GB object each on a stack of its own (bench/isolatedStack.ts), one
          // after the other on a 2-core machine.
          name: 'soak',
          include: ['test/soak/**/*.test.ts', 'test/e2e/faults.test.ts'],
          globalSetup: ['test/stackSetup.ts'],
          fileParallelism: false,
          testTimeout: 1_800_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
