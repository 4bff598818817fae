import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf, requireAuth } from '../middleware/auth';
import { parseOr400 } from '../middleware/errors';
import { createPerformerSchema, updatePerformerSchema } from '../../shared/contracts/catalog';
import { uuidParam } from '../../shared/contracts/http';
import { AppError } from '../../shared/errors';
import { createPerformer, getPerformer, publicPerformer, updatePerformer } from '../services/manage-performers';
import { invalidateEvents } from '../read-model/event-details';

/** Performers (artists, bands, teams …): organizers create and change their own; anyone reads. */
export function performersRouter(ctx: IngressContext) {
  const r = express.Router();
  const read = ctx.read ?? { pool: ctx.pool, redis: ctx.redis };
  const organizer = requireAuth(ctx.config.JWT_SECRET, 'organizer', 'operator');

  r.post('/v1/performers', organizer, async (req: Request, res: Response) => {
    const body = parseOr400(createPerformerSchema, req.body);
    const performer = await createPerformer(ctx.pool, principalOf(req).user_id, body);
    res.status(201).location(`/v1/performers/${performer.id}`).json(publicPerformer(performer));
  });

  r.get('/v1/performers/:id', async (req: Request, res: Response) => {
    const performer = await getPerformer(read.pool, performerId(req));
    if (!performer) throw new AppError('performer_not_found');
    res.json(publicPerformer(performer));
  });

  r.patch('/v1/performers/:id', organizer, async (req: Request, res: Response) => {
    const id = performerId(req);
    const body = parseOr400(updatePerformerSchema, req.body);
    const { performer, eventIds } = await updatePerformer(ctx.pool, principalOf(req), id, body);
    await invalidateEvents(ctx.redis, ctx.keys, eventIds);
    res.json(publicPerformer(performer));
  });

  return r;
}

function performerId(req: Request): string {
  const id = uuidParam.safeParse(req.params.id);
  if (!id.success) throw new AppError('invalid_id');
  return id.data;
}
