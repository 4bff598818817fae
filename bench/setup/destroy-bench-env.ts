import pg from 'pg';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { buildTopology } from '../../shared/amqp/topology';
import { extraQueues, type BenchIdentity } from './bench-identity';

/**
 * Removes everything a run created, by name, whatever state the run ended in: the database (forcing
 * out leftover sessions), every queue and exchange of the prefix, and every Redis key of the prefix.
 * Each step is bounded and independent, so one failing never leaves the others behind.
 */
export async function destroyBenchEnv(b: BenchIdentity): Promise<string[]> {
  const problems: string[] = [];
  const step = async (what: string, fn: () => Promise<unknown>) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), 15_000)));
    await Promise.race([fn(), timeout])
      .catch((err: unknown) => problems.push(`${what}: ${(err as Error).message}`))
      .finally(() => clearTimeout(timer));
  };

  await step('broker', async () => {
    const conn = await amqp.connect(b.config.AMQP_URL);
    try {
      const t = buildTopology(b.config);
      // A channel closes on the first error (e.g. a queue already gone), so each delete gets its own.
      for (const q of [...t.queues.map((x) => x.name), ...extraQueues(b)]) {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        await ch.deleteQueue(q).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
      const ch = await conn.createChannel();
      for (const e of t.exchanges) await ch.deleteExchange(e.name);
      await ch.close();
    } finally {
      await conn.close().catch(() => undefined);
    }
  });

  await step('redis', async () => {
    const redis = new Redis(b.config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${b.config.REDIS_PREFIX}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });

  await step('database', async () => {
    const admin = new pg.Client({ connectionString: b.adminUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${b.dbName} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  });
  return problems;
}
