import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { uuidParam } from '../../shared/contracts/http';
import { AppError } from '../../shared/errors';
import { createVenue } from '../services/create-venue';
import { updateVenue } from '../services/update-venue';
import { getVenue, getVenueSeats } from '../read-model/venue-details';
import { invalidateEvents } from '../read-model/event-details';

/** Venues with their seat layouts: organizers create and change their own; anyone reads. */
export function venuesRouter(ctx: IngressContext) {
  const r = express.Router();
  const read = ctx.read ?? { pool: ctx.pool, redis: ctx.redis };

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.createVenue, async (req: Request, res: Response, { body }) => {
    const id = await createVenue(ctx.pool, principalOf(req).user_id, body);
    ctx.logger.info('venue created', { request_id: req.requestId, venue_id: id });
    res
      .status(201)
      .location(`/v1/venues/${id}`)
      .json(await getVenue(ctx.pool, id));
  });

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.getVenue, async (req: Request, res: Response) => {
    const venue = await getVenue(read.pool, venueId(req));
    if (!venue) throw new AppError('venue_not_found');
    res.json(venue);
  });

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.getVenueSeats, async (req: Request, res: Response, { query: q }) => {
    const id = venueId(req);
    const venue = await getVenue(read.pool, id);
    if (!venue) throw new AppError('venue_not_found');
    res.json({ venue_id: id, seats: await getVenueSeats(read.pool, id, q.section) });
  });

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.updateVenue, async (req: Request, res: Response, { body }) => {
    const id = venueId(req);
    const eventIds = await updateVenue(ctx.pool, principalOf(req), id, body);
    await invalidateEvents(ctx.redis, ctx.keys, eventIds);
    ctx.logger.info('venue updated', { request_id: req.requestId, venue_id: id, events: eventIds.length });
    res.json(await getVenue(ctx.pool, id));
  });

  return r;
}

function venueId(req: Request): string {
  const id = uuidParam.safeParse(req.params.id);
  if (!id.success) throw new AppError('invalid_id');
  return id.data;
}
