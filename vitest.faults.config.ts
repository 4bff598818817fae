import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault matrix. Each file starts its own private PostgreSQL, Redis and
 * RabbitMQ (scripts/private-services) and every role as a child process, so it never touches the
 * shared services; files run one at a time (two cores).
 */
export default defineConfig({
  test: {
    // Named *.fault.ts so that `npm test` (tests/**/*.test.ts) never picks them up.
    include: ['tests/faults/**/*.fault.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    env: { NODE_ENV: 'test' },
  },
});
