import { backoff, candidates, inTransaction, insertBooking, MAX_ATTEMPTS, type Baseline } from './contender';

const LOCK_NOT_AVAILABLE = '55P03';

/** Pessimistic: lock the row(s) with SELECT … FOR UPDATE NOWAIT, then update; retry when locked. */
export const selectForUpdate: Baseline = {
  name: 'select_for_update',
  async decide(ctx, req, id) {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        return await inTransaction(ctx.pool, async (c) => {
          if (ctx.spec.kind === 'general_admission') {
            const { rows } = await c.query<{ remaining: number }>(
              'SELECT remaining FROM bench_ga WHERE event = $1 FOR UPDATE NOWAIT',
              [ctx.spec.name],
            );
            if (rows[0]!.remaining < req.quantity) return 'rejected' as const;
            await c.query('UPDATE bench_ga SET remaining = remaining - $2 WHERE event = $1', [
              ctx.spec.name,
              req.quantity,
            ]);
            await insertBooking(c, id, req, null);
            return 'held' as const;
          }
          const { rows } = await candidates(c, req, 'FOR UPDATE NOWAIT');
          if (rows.length < req.quantity) return 'rejected' as const;
          const ids = rows.map((r) => r.id);
          await c.query("UPDATE bench_seats SET status = 'held', booking_id = $2 WHERE id = ANY($1)", [ids, id]);
          await insertBooking(c, id, req, ids);
          return 'held' as const;
        });
      } catch (err) {
        if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw err;
        ctx.stats.retries++;
        await backoff(attempt);
      }
    }
    ctx.stats.gave_up++;
    return 'rejected';
  },
};
