import { describe, expect, it } from 'vitest';
import { createEvents, runFault, type FaultReport } from './support/fault-run';
import { expectInvariants, faultSuite } from './support/suite';
import { sleep } from './support/roles';

/**
 * Workers retry in place through a database outage (README): no role restarts, and a watch during the
 * outage is answered (queued, or retried), never `internal_error`.
 */
function expectRidesOut(r: FaultReport): void {
  expect({
    workerRestarts: r.restarts['worker-a']! + r.restarts['worker-b']!,
    notifierRestarts: r.restarts.notifier,
    watchInternalErrors: r.watch_failures.internal_error ?? 0,
  }).toEqual({
    workerRestarts: 0,
    notifierRestarts: 0,
    watchInternalErrors: 0,
  });
}

/** PostgreSQL stopped (fast) and crashed (immediate) mid-load, and Redis restarted empty. */
describe('faults: PostgreSQL and Redis restarts', () => {
  const ctx = faultSuite();
  const pgsql = () => ctx.stack.services.postgres;

  it('PostgreSQL fast stop + start', async () => {
    const events = await createEvents(ctx.stack, 'pg-fast');
    const r = await runFault({
      name: 'PostgreSQL fast stop + start',
      ...ctx,
      events,
      inject: async () => {
        await pgsql().stop('fast');
        await sleep(3000);
        await pgsql().start();
      },
    });
    expectInvariants(r);
    expectRidesOut(r);
  });

  it('PostgreSQL immediate crash + start', async () => {
    const events = await createEvents(ctx.stack, 'pg-immediate');
    await ctx.stack.allReady();
    const r = await runFault({
      name: 'PostgreSQL immediate crash + start',
      ...ctx,
      events,
      inject: async () => {
        await pgsql().crash();
        await sleep(3000);
        await pgsql().start();
      },
    });
    expectInvariants(r);
    expectRidesOut(r);
  });

  it('Redis restarted empty', async () => {
    const events = await createEvents(ctx.stack, 'redis-empty');
    await ctx.stack.allReady();
    const r = await runFault({
      name: 'Redis restarted empty',
      ...ctx,
      events,
      inject: async () => {
        await ctx.stack.services.redis.restartEmpty();
      },
    });
    expectInvariants(r);
    expect(r.restarts.notifier, 'the notifier rides out a Redis restart (its sockets stay up)').toBe(0);
    // Sequence numbers (hence positions) must survive or be rebuilt: no two requests of an event share one.
    const { rows } = await ctx.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM (SELECT event_id, seq FROM bookings WHERE event_id = ANY($1::uuid[]) AND seq IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) d',
      [events],
    );
    expect(rows[0]!.n, 'sequence numbers given twice after Redis came back empty').toBe(0);
  });
});
