import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'shared/src/**/*.test.ts',
            'server/src/**/*.test.ts',
            'widget/src/**/*.test.{ts,tsx}',
            'operator-console/src/**/*.test.{ts,tsx}',
            'scripts/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          typecheck: { enabled: true, include: ['shared/src/**/*.test-d.ts'] },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'server/src/**/*.int.test.ts',
            'test/integration/**/*.test.ts',
            'scripts/**/*.int.test.ts',
          ],
          globalSetup: ['test/support/global-redis.ts'],
          testTimeout: 90_000,
          hookTimeout: 60_000,
          // Two files at a time: these tests mostly wait (timers, sockets, Redis), and each
          // file keeps to itself (its own key prefix, free ports, a private redis-server where
          // it stops or starves one). On 2 cores the project took 805 s one file at a time and
          // 434 s two at a time, with the CPU ~87 % busy (2026-12-07); more would starve the
          // files that time what they check.
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/global-redis.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Two files at a time, each with its own Chromium and app: 685 s one at a time, 490 s
          // two at a time on 2 cores, the CPU ~89 % busy (2026-12-07).
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          // `npm run test:ha`: Redis primaries, replicas and Sentinels of their own, killed
          // with SIGKILL; a step of its own in .ci/run, after npm test.
          name: 'ha',
          include: ['test/ha/**/*.test.ts'],
          // A failover that leaves a rejection unhandled fails the test that caused it.
          setupFiles: ['test/support/no-unhandled-rejections.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // `npm run test:engines`: the widget's safety tests in Chromium, Firefox ESR and
          // WebKitGTK; not part of `npm test` (CI runs it as a step of its own).
          name: 'engines',
          include: ['test/engines/**/*.test.ts'],
          globalSetup: ['test/support/global-redis.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
    setupFiles: ['test/support/fail-on-console.ts'],
  },
  resolve: { conditions: ['source'] },
});
