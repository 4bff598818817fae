import {
  backoff,
  candidates,
  inTransaction,
  insertBooking,
  isRollback,
  MAX_ATTEMPTS,
  rollback,
  type Baseline,
} from './contender';

const DECREMENT = `local left = tonumber(redis.call('GET', KEYS[1]) or '0')
if left < tonumber(ARGV[1]) then return -1 end
return redis.call('DECRBY', KEYS[1], ARGV[1])`;

/**
 * Distributed locks: a Redis SET NX EX per seat (a Lua decrement for general admission), then the
 * database write.
 */
export const redisSetnx: Baseline = {
  name: 'redis_setnx',
  async decide(ctx, req, id) {
    const key = (s: string) => `${ctx.redisPrefix}lock:${s}`;
    if (ctx.spec.kind === 'general_admission') {
      const left = (await ctx.redis.eval(
        DECREMENT,
        1,
        `${ctx.redisPrefix}ga:${ctx.spec.name}`,
        req.quantity,
      )) as number;
      if (left < 0) return 'rejected';
      await inTransaction(ctx.pool, async (c) => {
        await c.query('UPDATE bench_ga SET remaining = remaining - $2 WHERE event = $1', [ctx.spec.name, req.quantity]);
        await insertBooking(c, id, req, null);
      });
      return 'held';
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { rows } = await candidates(ctx.pool, req);
      if (rows.length < req.quantity) return 'rejected';
      const ids = rows.map((r) => r.id);
      const pipe = ctx.redis.pipeline();
      for (const s of ids) pipe.set(key(s), id, 'EX', 30, 'NX');
      const got = ((await pipe.exec()) ?? []).map(([, v]) => v === 'OK');
      if (got.every(Boolean)) {
        const ok = await inTransaction(ctx.pool, async (c) => {
          const { rowCount } = await c.query(
            "UPDATE bench_seats SET status = 'held', booking_id = $2 WHERE id = ANY($1) AND status = 'available'",
            [ids, id],
          );
          if (rowCount !== ids.length) throw rollback();
          await insertBooking(c, id, req, ids);
          return true;
        }).catch((err: unknown) => {
          if (isRollback(err)) return false;
          throw err;
        });
        if (ok) return 'held';
      }
      // Lost a race: release what we took and try again.
      const mine = ids.filter((_, i) => got[i]);
      if (mine.length) await ctx.redis.del(...mine.map(key));
      ctx.stats.retries++;
      await backoff(attempt);
    }
    ctx.stats.gave_up++;
    return 'rejected';
  },
};
