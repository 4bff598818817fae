import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { endsAfterStart } from '../../shared/contracts/events';
import { uuidParam } from '../../shared/contracts/http';
import { AppError } from '../../shared/errors';
import { createEvent } from '../services/create-event';
import { updateEvent } from '../services/update-event';
import { getEventDetails, invalidateEvent } from '../read-model/event-details';
import { getSeatMap } from '../read-model/seat-map';
import { cachedSearch, searchEvents } from '../read-model/search-events';

export function eventsRouter(ctx: IngressContext) {
  const r = express.Router();
  // Reads (search, pages) use the read side's pool and Redis connection, never the booking path's.
  const read = ctx.read ?? { pool: ctx.pool, redis: ctx.redis };
  const waitingRoomMs = ctx.config.WAITING_ROOM_MINUTES * 60_000;
  const page = (id: string) =>
    getEventDetails(read.pool, read.redis, ctx.keys, id, ctx.config.EVENT_CACHE_TTL_S, waitingRoomMs);

  // Before /v1/events/:id, which would take "search" for an id.
  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.searchEvents, async (_req: Request, res: Response, { query }) => {
    const deps = {
      pool: read.pool,
      redis: read.redis,
      keys: ctx.keys,
      availabilityTtlS: ctx.config.AVAILABILITY_CACHE_TTL_S,
      waitingRoomMs,
    };
    const answer = await cachedSearch(read.redis, ctx.keys, ctx.config.SEARCH_CACHE_TTL_S, query, () =>
      searchEvents(deps, query).catch(searchFailure),
    );
    res.type('application/json').send(answer);
  });

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.createEvent, async (req: Request, res: Response, { body }) => {
    if (!endsAfterStart(body)) throw new AppError('invalid_range', 'ends_at must be after starts_at');
    const publisher = ctx.broker.publisher();
    const { id } = await createEvent(
      { pool: ctx.pool, publisher, partitions: ctx.config.PARTITIONS },
      principalOf(req).user_id,
      body,
      req.requestId,
    ).catch((err: unknown) => {
      if (err instanceof AppError) throw err;
      if ((err as { code?: string }).code === undefined)
        throw new AppError(
          'queue_unavailable',
          'The broker did not confirm the event; nothing was created.',
          undefined,
          1,
        );
      throw err;
    });
    // Start the event's sequence counter now: later, a missing counter means Redis lost it (see seed-sequence.ts).
    await ctx.redis.set(ctx.keys.eventSeq(id), '0', 'NX').catch(() => undefined);
    ctx.logger.info('event created', { request_id: req.requestId, event_id: id });
    res
      .status(201)
      .location(`/v1/events/${id}`)
      .json(await page(id));
  });

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.updateEvent, async (req: Request, res: Response, { body }) => {
    const id = eventId(req);
    await updateEvent(ctx.pool, principalOf(req), id, body);
    await invalidateEvent(ctx.redis, ctx.keys, id);
    ctx.logger.info('event updated', { request_id: req.requestId, event_id: id, fields: Object.keys(body) });
    res.json(await page(id));
  });

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.getEvent, async (req: Request, res: Response) => {
    const id = eventId(req);
    const ev = await page(id);
    if (!ev) throw new AppError('event_not_found');
    res.json(ev);
  });

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.getSeatMap, async (req: Request, res: Response, { query: q }) => {
    const id = eventId(req);
    const ev = await page(id);
    if (!ev) throw new AppError('event_not_found');
    if (ev.kind === 'general_admission') {
      res.json({
        event_id: id,
        kind: ev.kind,
        as_of: ev.availability.as_of,
        available: ev.availability.available,
        capacity: ev.capacity,
        seats: [],
      });
      return;
    }
    res.json({
      kind: ev.kind,
      venue_id: ev.venue?.id ?? null,
      ...(await getSeatMap(read.pool, read.redis, ctx.keys, id, q.section)),
    });
  });

  return r;
}

function eventId(req: Request): string {
  const id = uuidParam.safeParse(req.params.id);
  if (!id.success) throw new AppError('invalid_id');
  return id.data;
}

/** A search cut off by SEARCH_TIMEOUT_MS (57014) answers 503 rather than 500: the read side is busy. */
function searchFailure(err: unknown): never {
  if ((err as { code?: string }).code === '57014')
    throw new AppError('dependency_unavailable', 'The search took too long; retry.', undefined, 1);
  throw err;
}
