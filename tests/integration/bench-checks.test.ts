import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerMetrics } from '../../booking-workers/metrics';
import { closedLoop } from '../../bench/closed-loop';
import { requestStream, scenarios } from '../../bench/scenarios';
import { histogramQuantiles } from '../../bench/report/histogram-quantiles';
import { baselineOversold, resetBaselineTables } from '../../bench/baselines/schema';
import type { Baseline, BaselineName } from '../../bench/baselines/contender';
import { conditionalUpdate } from '../../bench/baselines/conditional-update';
import { selectForUpdate } from '../../bench/baselines/select-for-update';
import { skipLocked } from '../../bench/baselines/skip-locked';
import { redisSetnx } from '../../bench/baselines/redis-setnx';
import { TestEnv } from '../support/env';

/**
 * The benchmark's own parts, so its verdicts can be trusted: the request streams, the worker-latency
 * quantiles, and each lock-based baseline run on real PostgreSQL and Redis under concurrency, with the
 * oversold check passing on an honest run and catching a corrupted one. (Speed is not asserted here:
 * `npm run bench` measures it.)
 */
describe('benchmark parts', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create();
  });
  afterAll(() => env.cleanup());

  const small = scenarios(2_000);

  it('feeds every contender the same stream, asking for more than twice the inventory', () => {
    for (const spec of small) {
      const stream = requestStream(spec);
      expect(requestStream(spec)).toEqual(stream);
      expect(stream).toHaveLength(spec.requests);
      expect(stream.reduce((n, r) => n + r.quantity, 0)).toBeGreaterThanOrEqual(2 * spec.capacity);
      expect(new Set(stream.map((r) => r.user)).size).toBe(stream.length);
      if (spec.kind === 'general_admission') expect(stream.every((r) => r.quantity >= 1 && r.quantity <= 4)).toBe(true);
      else {
        expect(stream.every((r) => r.quantity >= 2 && r.quantity <= 4)).toBe(true);
        const aimed = stream.filter((r) => r.section !== undefined).length / stream.length;
        expect(aimed).toBeGreaterThan(0.65);
        expect(aimed).toBeLessThan(0.75);
        expect(new Set(stream.flatMap((r) => (r.section ? [r.section] : [])))).toEqual(new Set(['S0', 'S1', 'S2']));
      }
    }
  });

  it('takes worker latency quantiles from the histograms between two scrapes', async () => {
    const metrics = createWorkerMetrics();
    const labels = { partition: '0' };
    metrics.batchSeconds.observe(labels, 5); // before the measured window: must not count
    const before = await metrics.registry.metrics();
    for (let ms = 1; ms <= 100; ms++) metrics.batchSeconds.observe(labels, ms / 1000);
    const after = await metrics.registry.metrics();
    const q = histogramQuantiles(before, after, 'onsale_worker_batch_seconds');
    expect(q.count).toBe(100);
    expect(q.mean_ms).toBeCloseTo(50.5, 1);
    expect(q.p50_ms).toBeGreaterThanOrEqual(45);
    expect(q.p50_ms).toBeLessThanOrEqual(55);
    expect(q.p99_ms).toBeGreaterThanOrEqual(90);
    expect(q.p99_ms).toBeLessThanOrEqual(100);
  });

  const baselines: Baseline[] = [conditionalUpdate, selectForUpdate, skipLocked, redisSetnx];
  for (const spec of small) {
    for (const baseline of baselines) {
      it(`${spec.name}: ${baseline.name} decides the whole stream under concurrency without overselling`, async () => {
        await resetBaselineTables(env.pool, spec);
        const redisPrefix = `${env.config.REDIS_PREFIX}bench:${baseline.name}:`;
        if (baseline.name === 'redis_setnx' && spec.kind === 'general_admission') await env.redis.set(`${redisPrefix}ga:${spec.name}`, spec.capacity);
        const stats = { retries: 0, gave_up: 0 };
        const ctx = { pool: env.pool, redis: env.redis, spec, redisPrefix, stats };
        const result = await closedLoop(requestStream(spec), 32, 60, (req) => baseline.decide(ctx, req, randomUUID()));
        expect(result.completed).toBe(true);
        expect(result.lost).toBe(0);
        expect(result.held + result.rejected).toBe(spec.requests);
        expect(result.held).toBeGreaterThan(0);
        expect(await baselineOversold(env.pool, spec, baseline.name as BaselineName)).toBe(0);
        const { rows } = await env.pool.query('SELECT COALESCE(sum(quantity), 0)::int AS sold FROM bench_bookings');
        expect(rows[0].sold).toBeLessThanOrEqual(spec.capacity);
      });
    }
  }

  it('the oversold check catches a seat held twice, a seat marked without a booking, and units beyond capacity', async () => {
    const [ga, reserved] = small;
    await resetBaselineTables(env.pool, reserved!);
    await env.pool.query(`UPDATE bench_seats SET status = 'held', booking_id = 'b1' WHERE id IN (SELECT id FROM bench_seats ORDER BY rank LIMIT 2)`);
    await env.pool.query(`INSERT INTO bench_bookings (id, user_id, quantity, seat_ids) SELECT 'b1', 'u1', 2, array_agg(id) FROM (SELECT id FROM bench_seats ORDER BY rank LIMIT 2) s`);
    expect(await baselineOversold(env.pool, reserved!, 'skip_locked')).toBe(0);
    // The same seat in a second booking.
    await env.pool.query(`INSERT INTO bench_bookings (id, user_id, quantity, seat_ids) SELECT 'b2', 'u2', 1, array_agg(id) FROM (SELECT id FROM bench_seats ORDER BY rank LIMIT 1) s`);
    expect(await baselineOversold(env.pool, reserved!, 'skip_locked')).toBeGreaterThan(0);
    await env.pool.query(`DELETE FROM bench_bookings WHERE id = 'b2'`);
    // A seat marked held with no booking naming it.
    await env.pool.query(`UPDATE bench_seats SET status = 'held', booking_id = 'ghost' WHERE rank = 10`);
    expect(await baselineOversold(env.pool, reserved!, 'skip_locked')).toBeGreaterThan(0);

    await resetBaselineTables(env.pool, ga!);
    await env.pool.query(`UPDATE bench_ga SET remaining = 0`);
    await env.pool.query(`INSERT INTO bench_bookings (id, user_id, quantity) VALUES ('g1', 'u1', $1), ('g2', 'u2', 1)`, [ga!.capacity]);
    expect(await baselineOversold(env.pool, ga!, 'conditional_update')).toBeGreaterThan(0);
  });
});
