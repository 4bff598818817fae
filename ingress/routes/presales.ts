import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { registerRoute } from '../http/route-table';
import { FAIR_ROUTES } from '../http/routes-fair';
import { ownedEvent } from '../services/owned-event';
import { createPresale } from '../services/create-presale';

/**
 * Presales of an event (its organizer or an operator): `POST /v1/events/{id}/presales` creates one and
 * shows its codes once; `GET` lists them with their use so far (holds granted, per code and in total).
 */
export function presalesRouter(ctx: IngressContext) {
  const r = express.Router();

  registerRoute(r, ctx.config.JWT_SECRET, FAIR_ROUTES.createPresale, async (req: Request, res: Response, { body }) => {
    const ev = await ownedEvent(ctx, req);
    const created = await createPresale(ctx.pool, ev, body);
    ctx.logger.info('presale created', {
      request_id: req.requestId,
      event_id: ev.id,
      presale_id: created.presale_id,
      codes: body.codes?.count ?? 0,
    });
    res.status(201).json(created);
  });

  registerRoute(r, ctx.config.JWT_SECRET, FAIR_ROUTES.listPresales, async (req: Request, res: Response) => {
    const ev = await ownedEvent(ctx, req);
    const { rows } = await ctx.pool.query<{
      id: string;
      name: string;
      starts_at: Date;
      ends_at: Date;
      max_per_user: number | null;
      codes: number;
      code_uses: number;
      allowed_emails: number;
      holds: number;
    }>({
      name: 'list-presales',
      text: `SELECT p.id, p.name, p.starts_at, p.ends_at, p.max_per_user,
                    (SELECT count(*)::int FROM presale_codes c WHERE c.presale_id = p.id) AS codes,
                    (SELECT coalesce(sum(c.uses_per_code), 0)::int FROM presale_codes c WHERE c.presale_id = p.id) AS code_uses,
                    (SELECT count(*)::int FROM presale_emails e WHERE e.presale_id = p.id) AS allowed_emails,
                    (SELECT count(*)::int FROM bookings b WHERE b.presale_id = p.id) AS holds
             FROM presales p WHERE p.event_id = $1 ORDER BY p.starts_at`,
      values: [ev.id],
    });
    const now = Date.now();
    res.json({
      event_id: ev.id,
      presales: rows.map((p) => ({
        presale_id: p.id,
        name: p.name,
        starts_at: p.starts_at.toISOString(),
        ends_at: p.ends_at.toISOString(),
        open: now >= p.starts_at.getTime() && now < p.ends_at.getTime(),
        max_per_user: p.max_per_user,
        codes: p.codes,
        uses_allowed: p.code_uses,
        allowed_emails: p.allowed_emails,
        holds_granted: p.holds,
      })),
    });
  });
  return r;
}
