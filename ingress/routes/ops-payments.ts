import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';

/** Each worker's payment-provider circuit breaker, as the workers last wrote it to Redis. */
export async function paymentBreakers(
  ctx: Pick<IngressContext, 'redis' | 'keys'>,
): Promise<Array<{ worker_id: string; state: string; provider?: string; at?: string }>> {
  const all = await ctx.redis.hgetall(ctx.keys.paymentBreaker).catch((): Record<string, string> => ({}));
  return Object.entries(all).map(([worker_id, json]) => {
    try {
      return { worker_id, ...(JSON.parse(json) as { state: string; provider?: string; at?: string }) };
    } catch {
      return { worker_id, state: 'unknown' };
    }
  });
}

/**
 * `GET /v1/ops/payments` (operators): breaker state per worker, provider calls, refunds and the
 * e-mail outbox at a glance.
 */
export function opsPaymentsRouter(ctx: IngressContext) {
  const r = express.Router();
  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.opsPayments, async (_req: Request, res: Response) => {
    const [breakers, calls, refunds, outbox] = await Promise.all([
      paymentBreakers(ctx),
      ctx.pool.query<{ kind: string; status: string; n: number }>(
        `SELECT kind, status, count(*)::int AS n FROM payments GROUP BY kind, status ORDER BY kind, status`,
      ),
      ctx.pool.query<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM refunds GROUP BY status ORDER BY status`,
      ),
      ctx.pool.query<{ unsent: number; failing: number }>(
        `SELECT count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent, count(*) FILTER (WHERE sent_at IS NULL AND attempts > 0)::int AS failing FROM email_outbox`,
      ),
    ]);
    const state = breakers.some((b) => b.state === 'open')
      ? 'open'
      : breakers.some((b) => b.state === 'half_open')
        ? 'half_open'
        : breakers.length
          ? 'closed'
          : 'unknown';
    res.json({
      breaker: { state, workers: breakers },
      calls: calls.rows,
      refunds: refunds.rows,
      email_outbox: outbox.rows[0],
    });
  });
  return r;
}
