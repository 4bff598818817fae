import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf, requireAuth } from '../middleware/auth';
import { parseOr400 } from '../middleware/errors';
import { createEventSchema } from '../../shared/contracts/events';
import { seatsQuerySchema, uuidParam } from '../../shared/contracts/http';
import { AppError } from '../../shared/errors';
import { createEvent } from '../services/create-event';
import { getEventDetails } from '../read-model/event-details';
import { getSeatMap } from '../read-model/seat-map';

export function eventsRouter(ctx: IngressContext) {
  const r = express.Router();

  r.post('/v1/events', requireAuth(ctx.config.JWT_SECRET, 'organizer'), async (req: Request, res: Response) => {
    const body = parseOr400(createEventSchema, req.body);
    const publisher = ctx.broker.publisher();
    const { id } = await createEvent({ pool: ctx.pool, publisher, partitions: ctx.config.PARTITIONS }, principalOf(req).user_id, body, req.requestId).catch(
      (err) => {
        if (err instanceof AppError) throw err;
        if ((err as { code?: string }).code === undefined) throw new AppError('queue_unavailable', 'The broker did not confirm the event; nothing was created.', undefined, 1);
        throw err;
      },
    );
    ctx.logger.info('event created', { request_id: req.requestId, event_id: id });
    res.status(201).location(`/v1/events/${id}`).json(await getEventDetails(ctx.pool, ctx.redis, ctx.keys, id));
  });

  r.get('/v1/events/:id', async (req: Request, res: Response) => {
    const id = eventId(req);
    const ev = await getEventDetails(ctx.pool, ctx.redis, ctx.keys, id);
    if (!ev) throw new AppError('event_not_found');
    res.json(ev);
  });

  r.get('/v1/events/:id/seats', async (req: Request, res: Response) => {
    const id = eventId(req);
    const q = parseOr400(seatsQuerySchema, req.query);
    const ev = await getEventDetails(ctx.pool, ctx.redis, ctx.keys, id);
    if (!ev) throw new AppError('event_not_found');
    if (ev.kind === 'general_admission') {
      res.json({ event_id: id, kind: ev.kind, as_of: ev.availability.as_of, available: ev.availability.available, capacity: ev.capacity, seats: [] });
      return;
    }
    res.json({ kind: ev.kind, ...(await getSeatMap(ctx.pool, ctx.redis, ctx.keys, id, q.section)) });
  });

  return r;
}

function eventId(req: Request): string {
  const id = uuidParam.safeParse(req.params.id);
  if (!id.success) throw new AppError('invalid_id');
  return id.data;
}
