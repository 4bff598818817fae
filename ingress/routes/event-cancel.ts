import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf, requireAuth } from '../middleware/auth';
import { uuidParam } from '../../shared/contracts/http';
import { AppError } from '../../shared/errors';

/**
 * `POST /v1/events/{id}/cancel`: the event's organizer (or an operator) cancels it. The event's single
 * writer rejects parked requests, releases holds, cancels and refunds every confirmed booking (tickets
 * become void) and rejects every later request with `event_cancelled`. Idempotent.
 */
export function eventCancelRouter(ctx: IngressContext) {
  const r = express.Router();
  r.post('/v1/events/:id/cancel', requireAuth(ctx.config.JWT_SECRET, 'organizer', 'operator'), async (req: Request, res: Response) => {
    const principal = principalOf(req);
    const id = uuidParam.safeParse(req.params.id);
    if (!id.success) throw new AppError('invalid_id');
    const { rows } = await ctx.pool.query<{ organizer_id: string; partition: number; cancelled_at: Date | null }>({
      name: 'event-for-cancel',
      text: 'SELECT organizer_id, partition, cancelled_at FROM events WHERE id = $1',
      values: [id.data],
    });
    const ev = rows[0];
    if (!ev || (principal.role === 'organizer' && ev.organizer_id !== principal.user_id)) throw new AppError('event_not_found');
    await ctx.broker
      .publisher()
      .publishCommand(ev.partition, { type: 'event.cancel', event_id: id.data, correlation_id: req.requestId })
      .catch(() => {
        throw new AppError('queue_unavailable', 'The broker did not confirm the cancellation; retry.', undefined, 1);
      });
    ctx.logger.info('event cancellation queued', { request_id: req.requestId, event_id: id.data, by: principal.user_id });
    res.status(202).json({ event_id: id.data, cancellation: ev.cancelled_at ? 'done' : 'queued' });
  });
  return r;
}
