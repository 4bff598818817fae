import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { ownedEvent, sendToPartition } from '../services/owned-event';
import { MAX_SEATS_PER_EVENT, sectionSeatCount } from '../../shared/contracts/events';
import type { PartitionCommand } from '../../shared/contracts/messages';
import { AppError } from '../../shared/errors';
import { toCents } from '../../shared/money';

/**
 * `POST /v1/events/{id}/inventory`: an organizer adds sections to a reserved event or raises a
 * general-admission capacity. Inventory belongs to the event's partition, so the change is queued
 * there: the single writer adds the seats (on sale at once, ranked after the existing ones), writes
 * them with its next batch and rewrites the seat snapshot.
 */
export function eventInventoryRouter(ctx: IngressContext) {
  const r = express.Router();
  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.addInventory, async (req: Request, res: Response, { body }) => {
    const ev = await ownedEvent(ctx, req);
    if (ev.status === 'cancelled' || ev.cancelled_at)
      throw new AppError('event_not_editable', 'The event is cancelled.');

    let command: Extract<PartitionCommand, { type: 'inventory.add' }>;
    let capacity: number;
    if (ev.layout.kind === 'reserved') {
      if (!body.sections) throw new AppError('validation_failed', 'a reserved event takes sections');
      const known = new Set(ev.layout.sections.map((s) => s.name));
      const clash = body.sections.filter((s) => known.has(s.name)).map((s) => s.name);
      if (clash.length) throw new AppError('validation_failed', `sections already exist: ${clash.join(', ')}`);
      capacity = ev.capacity + body.sections.reduce((n, s) => n + sectionSeatCount(s), 0);
      if (capacity > MAX_SEATS_PER_EVENT)
        throw new AppError(
          'validation_failed',
          `at most ${MAX_SEATS_PER_EVENT} seats per event (it has ${ev.capacity})`,
        );
      command = {
        type: 'inventory.add',
        event_id: ev.id,
        correlation_id: req.requestId,
        sections: body.sections.map((s) => ({
          name: s.name,
          rows: s.rows,
          seats_per_row: s.seats_per_row,
          price_cents: toCents(s.price),
          price_tier: s.price_tier ?? s.name,
        })),
      };
    } else {
      if (!body.general_admission)
        throw new AppError('validation_failed', 'a general-admission event takes general_admission');
      capacity = body.general_admission.capacity;
      if (capacity <= ev.capacity)
        throw new AppError('validation_failed', `capacity can only be raised (it is ${ev.capacity})`);
      command = { type: 'inventory.add', event_id: ev.id, correlation_id: req.requestId, ga_capacity: capacity };
    }
    await sendToPartition(ctx, ev.partition, command);
    ctx.logger.info('inventory added', { request_id: req.requestId, event_id: ev.id, capacity });
    res.status(202).json({ event_id: ev.id, inventory: 'queued', capacity });
  });
  return r;
}
