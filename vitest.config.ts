import { defineConfig } from 'vitest/config';

/**
 * Three projects (`browser` runs only with `--project browser`, see package.json). `unit`: pure code, no services, no global setup (`npm run test:unit`).
 * `integration`: real RabbitMQ / PostgreSQL / Redis, isolated per file, with the run id and the
 * leftover-resources check of tests/support/global-setup.ts. Vitest starts a project's global setup
 * only when the run includes one of that project's files.
 */
const shared = {
  // Files share two cores and real services: run them one at a time for stable timing.
  fileParallelism: false,
  testTimeout: 120_000,
  hookTimeout: 60_000,
  pool: 'forks',
  env: { NODE_ENV: 'test' },
} as const;

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: ['tests/unit/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/unit/**', 'tests/browser/**', '**/node_modules/**'],
          globalSetup: ['tests/support/global-setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Real Chromium (Debian's /usr/bin/chromium) driving the built web app: `npm run test:browser`.
        test: {
          ...shared,
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 240_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
