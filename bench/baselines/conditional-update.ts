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

/** Optimistic: read candidates, then a conditional UPDATE that only succeeds if they are still free. */
export const conditionalUpdate: Baseline = {
  name: 'conditional_update',
  async decide(ctx, req, id) {
    if (ctx.spec.kind === 'general_admission') {
      return inTransaction(ctx.pool, async (c) => {
        const { rowCount } = await c.query(
          'UPDATE bench_ga SET remaining = remaining - $2 WHERE event = $1 AND remaining >= $2',
          [ctx.spec.name, req.quantity],
        );
        if (rowCount !== 1) return 'rejected';
        await insertBooking(c, id, req, null);
        return 'held';
      });
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { rows } = await candidates(ctx.pool, req);
      if (rows.length < req.quantity) return 'rejected';
      const ids = rows.map((r) => r.id);
      try {
        return await inTransaction(ctx.pool, async (c) => {
          const { rowCount } = await c.query(
            "UPDATE bench_seats SET status = 'held', booking_id = $2 WHERE id = ANY($1) AND status = 'available'",
            [ids, id],
          );
          if (rowCount !== ids.length) throw rollback();
          await insertBooking(c, id, req, ids);
          return 'held' as const;
        });
      } catch (err) {
        if (!isRollback(err)) throw err;
        ctx.stats.retries++;
        await backoff(attempt);
      }
    }
    ctx.stats.gave_up++;
    return 'rejected';
  },
};
