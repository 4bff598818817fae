import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { ownedEvent, sendToPartition } from '../services/owned-event';
import { AppError } from '../../shared/errors';
import { toCents } from '../../shared/money';

/**
 * `PUT /v1/events/{id}/prices`: an organizer reprices what is still unsold. Prices are inventory, so
 * the change goes through the event's partition: the single writer applies it to the seats that are
 * available when it decides it (held and sold seats keep their price) and rewrites the snapshot.
 */
export function eventPricesRouter(ctx: IngressContext) {
  const r = express.Router();
  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.repriceEvent, async (req: Request, res: Response, { body }) => {
    const ev = await ownedEvent(ctx, req);
    if ((body.sections !== undefined) !== (ev.layout.kind === 'reserved')) {
      throw new AppError('validation_failed', 'sections for reserved seating, general_admission for general admission');
    }
    if (ev.layout.kind === 'reserved' && body.sections) {
      const known = new Set(ev.layout.sections.map((s) => s.name));
      const unknown = body.sections.filter((s) => !known.has(s.name)).map((s) => s.name);
      if (unknown.length) throw new AppError('validation_failed', `unknown sections: ${unknown.join(', ')}`);
    }
    await sendToPartition(ctx, ev.partition, {
      type: 'inventory.reprice',
      event_id: ev.id,
      correlation_id: req.requestId,
      ...(body.sections
        ? { sections: body.sections.map((s) => ({ name: s.name, price_cents: toCents(s.price) })) }
        : {}),
      ...(body.general_admission ? { ga_price_cents: toCents(body.general_admission.price) } : {}),
    });
    ctx.logger.info('event repriced', { request_id: req.requestId, event_id: ev.id });
    res.status(202).json({ event_id: ev.id, reprice: 'queued' });
  });
  return r;
}
