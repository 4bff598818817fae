import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { ownedEvent } from '../services/owned-event';
import { AppError } from '../../shared/errors';

/**
 * `POST /v1/events/{id}/cancel`: the event's organizer (or an operator) cancels it (another organizer:
 * `403 forbidden`). The event's single
 * writer rejects parked requests, releases holds, cancels and refunds every confirmed booking (tickets
 * become void) and rejects every later request with `event_cancelled`. Idempotent.
 */
export function eventCancelRouter(ctx: IngressContext) {
  const r = express.Router();
  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.cancelEvent, async (req: Request, res: Response) => {
    const principal = principalOf(req);
    // Another organizer's event: 403 forbidden, as for every other change (README, Organizer API).
    const ev = await ownedEvent(ctx, req);
    await ctx.broker
      .publisher()
      .publishCommand(ev.partition, { type: 'event.cancel', event_id: ev.id, correlation_id: req.requestId })
      .catch(() => {
        throw new AppError('queue_unavailable', 'The broker did not confirm the cancellation; retry.', undefined, 1);
      });
    ctx.logger.info('event cancellation queued', { request_id: req.requestId, event_id: ev.id, by: principal.user_id });
    res.status(202).json({ event_id: ev.id, cancellation: ev.cancelled_at ? 'done' : 'queued' });
  });
  return r;
}
