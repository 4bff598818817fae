import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { closedLoop } from '../closed-loop';
import { requestStream } from '../scenarios';
import type { Baseline, BaselineName } from '../baselines/contender';
import { conditionalUpdate } from '../baselines/conditional-update';
import { selectForUpdate } from '../baselines/select-for-update';
import { skipLocked } from '../baselines/skip-locked';
import { redisSetnx } from '../baselines/redis-setnx';
import type { BaselineJob, BaselineLoadResult } from './jobs';
import { dbNameOf, withCpu } from '../report/cpu-usage';

const BASELINES: Record<BaselineName, Baseline> = {
  conditional_update: conditionalUpdate,
  select_for_update: selectForUpdate,
  skip_locked: skipLocked,
  redis_setnx: redisSetnx,
};

/** One lock-based design, fed the same request stream by the same closed-loop clients as the pipeline. */
export async function loadBaseline(job: BaselineJob): Promise<BaselineLoadResult> {
  const pool = new pg.Pool({
    connectionString: job.databaseUrl,
    max: job.poolSize,
    application_name: `bench-${job.name}`,
  });
  const redis = new Redis(job.redisUrl);
  try {
    // Open the whole pool first: connection set-up is not what is measured.
    const warm = await Promise.all(Array.from({ length: job.poolSize }, () => pool.connect()));
    warm.forEach((c) => c.release());
    const stats = { retries: 0, gave_up: 0 };
    const ctx = { pool, redis, spec: job.spec, redisPrefix: job.redisPrefix, stats };
    if (job.name === 'redis_setnx' && job.spec.kind === 'general_admission')
      await redis.set(`${job.redisPrefix}ga:${job.spec.name}`, job.spec.capacity);
    const contender = BASELINES[job.name];
    const stream = requestStream(job.spec);
    const { result, cpu_cores } = await withCpu(
      job.cpuPids,
      () => closedLoop(stream, job.clients, job.maxSeconds, (req) => contender.decide(ctx, req, randomUUID())),
      dbNameOf(job.databaseUrl),
    );
    return { ...result, ...stats, cpu_cores };
  } finally {
    await pool.end();
    redis.disconnect();
  }
}
