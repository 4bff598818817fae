import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { uuidParam } from '../../shared/contracts/http';
import { AppError } from '../../shared/errors';
import { createPerformer, getPerformer, publicPerformer, updatePerformer } from '../services/manage-performers';
import { invalidateEvents } from '../read-model/event-details';

/** Performers (artists, bands, teams …): organizers create and change their own; anyone reads. */
export function performersRouter(ctx: IngressContext) {
  const r = express.Router();
  const read = ctx.read ?? { pool: ctx.pool, redis: ctx.redis };

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.createPerformer, async (req: Request, res: Response, { body }) => {
    const performer = await createPerformer(ctx.pool, principalOf(req).user_id, body);
    res.status(201).location(`/v1/performers/${performer.id}`).json(publicPerformer(performer));
  });

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.getPerformer, async (req: Request, res: Response) => {
    const performer = await getPerformer(read.pool, performerId(req));
    if (!performer) throw new AppError('performer_not_found');
    res.json(publicPerformer(performer));
  });

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.updatePerformer, async (req: Request, res: Response, { body }) => {
    const id = performerId(req);
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
