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
          // Several files start extra server processes and restart Redis; running them one
          // at a time on 2 cores keeps their timing honest.
          fileParallelism: false,
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
          fileParallelism: false,
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
