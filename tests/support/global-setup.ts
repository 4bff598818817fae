import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

/**
 * One id per test run. Every test file's database, queue prefix and Redis prefix start with it, so two
 * runs never collide; at the end this checks nothing of this run was left behind.
 */
export default function setup({ provide }: { provide: (key: 'runId', value: string) => void }) {
  const runId = process.env.ONSALE_TEST_RUN ?? randomBytes(3).toString('hex');
  provide('runId', runId);
  return async function teardown() {
    const base = process.env.ONSALE_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [`onsale_t_${runId}_%`]);
    await client.end();
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const [, keys] = await redis.scan('0', 'MATCH', `t_${runId}_*`, 'COUNT', 10000);
    redis.disconnect();
    const leaks = [...rows.map((r) => `database ${r.datname}`), ...keys.map((k) => `redis key ${k}`)];
    if (leaks.length) throw new Error(`test run ${runId} leaked:\n${leaks.join('\n')}`);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
  }
}
