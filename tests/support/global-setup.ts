import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

/**
 * One id per test run. Every test file's database, queue prefix and Redis prefix start with it, so two
 * runs never collide; at the end this checks nothing of this run was left behind.
 *
 * Only the `integration` project (see vitest.config.ts) uses this file, and vitest starts a project's
 * global setup only when the run includes one of its files: `npm run test:unit` needs no services.
 */
export default function setup({ provide }: { provide: (key: 'runId', value: string) => void }) {
  const runId = process.env.ONSALE_TEST_RUN ?? randomBytes(3).toString('hex');
  provide('runId', runId);
  return async function teardown() {
    let leaks: string[];
    try {
      leaks = await findLeaks(runId);
    } catch (err) {
      // Not being able to look is a failure too: the run cannot claim it left nothing behind.
      process.exitCode = 1;
      throw new Error(`test run ${runId}: the leftover-resources check could not run`, { cause: err });
    }
    if (leaks.length) {
      // vitest only logs an error thrown here ("error during close") and would still exit 0.
      process.exitCode = 1;
      throw new Error(`test run ${runId} leaked:\n${leaks.join('\n')}`);
    }
  };
}

/** Databases and Redis keys named for this run that still exist. */
export async function findLeaks(runId: string): Promise<string[]> {
  const base = process.env.ONSALE_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 10_000 });
  await client.connect();
  let databases: string[];
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `onsale_t_${runId}_%`,
    ]);
    databases = rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  const keys: string[] = [];
  try {
    await redis.connect();
    // SCAN returns one page per call: follow the cursor until it comes back to 0.
    let cursor = '0';
    do {
      const [next, page] = await redis.scan(cursor, 'MATCH', `t_${runId}_*`, 'COUNT', 10_000);
      cursor = next;
      keys.push(...page);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return [...databases.map((d) => `database ${d}`), ...keys.map((k) => `redis key ${k}`)];
}

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
  }
}
