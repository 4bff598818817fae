import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf, requireAuth } from '../middleware/auth';
import { parseOr400 } from '../middleware/errors';
import { createVenueSchema, updateVenueSchema, venueSeatsQuerySchema } from '../../shared/contracts/catalog';
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
  const organizer = requireAuth(ctx.config.JWT_SECRET, 'organizer', 'operator');

  r.post('/v1/venues', organizer, async (req: Request, res: Response) => {
    const body = parseOr400(createVenueSchema, req.body);
    const id = await createVenue(ctx.pool, principalOf(req).user_id, body);
    ctx.logger.info('venue created', { request_id: req.requestId, venue_id: id });
    res.status(201).location(`/v1/venues/${id}`).json(await getVenue(ctx.pool, id));
  });

  r.get('/v1/venues/:id', async (req: Request, res: Response) => {
    const venue = await getVenue(read.pool, venueId(req));
    if (!venue) throw new AppError('venue_not_found');
    res.json(venue);
  });

  r.get('/v1/venues/:id/seats', async (req: Request, res: Response) => {
    const id = venueId(req);
    const q = parseOr400(venueSeatsQuerySchema, req.query);
    const venue = await getVenue(read.pool, id);
    if (!venue) throw new AppError('venue_not_found');
    res.json({ venue_id: id, seats: await getVenueSeats(read.pool, id, q.section) });
  });

  r.patch('/v1/venues/:id', organizer, async (req: Request, res: Response) => {
    const id = venueId(req);
    const body = parseOr400(updateVenueSchema, req.body);
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
