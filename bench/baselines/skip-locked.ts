import { backoff, candidates, inTransaction, insertBooking, MAX_ATTEMPTS, type Baseline } from './contender';

/**
 * Queue-like locking: best available with `ORDER BY rank LIMIT q FOR UPDATE SKIP LOCKED`, so
 * concurrent buyers take different rows instead of waiting on the same ones. General admission is
 * modelled the way this design needs it, as one row per unit (a single counter row would only ever be
 * "skipped"): a buyer takes any q free units.
 */
export const skipLocked: Baseline = {
  name: 'skip_locked',
  async decide(ctx, req, id) {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const outcome = await inTransaction(ctx.pool, async (c) => {
        const { rows } = await candidates(c, req, 'FOR UPDATE SKIP LOCKED');
        if (rows.length < req.quantity) return 'busy' as const;
        const ids = rows.map((r) => r.id);
        await c.query("UPDATE bench_seats SET status = 'held', booking_id = $2 WHERE id = ANY($1)", [ids, id]);
        await insertBooking(c, id, req, ids);
        return 'held' as const;
      });
      if (outcome === 'held') return outcome;
      // Too few unlocked rows: sold out, or others hold locks right now. Only the latter is worth a retry.
      const { rows } = await candidates(ctx.pool, req);
      if (rows.length < req.quantity) return 'rejected';
      ctx.stats.retries++;
      await backoff(attempt);
    }
    ctx.stats.gave_up++;
    return 'rejected';
  },
};
