import { randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { registerRoute } from '../http/route-table';
import { FAIR_ROUTES } from '../http/routes-fair';
import { sendToPartition } from '../services/owned-event';
import { uuidParam } from '../../shared/contracts/http';
import type { BookingRequest } from '../../shared/contracts/messages';
import { AppError } from '../../shared/errors';
import { toCents } from '../../shared/money';

/**
 * The waitlist of a sold-out event. Ingress keeps the entries (one per user per event while waiting);
 * the event's single writer, told through its partition, offers inventory that comes back in entry
 * order (`booking-workers/allocator/waitlist.ts`).
 */
export function waitlistRouter(ctx: IngressContext) {
  const r = express.Router();

  const eventOf = async (req: Request) => {
    const id = uuidParam.safeParse(req.params.id);
    if (!id.success) throw new AppError('invalid_id');
    const { rows } = await ctx.pool.query<{
      id: string;
      partition: number;
      kind: string;
      ga_available: number | null;
      cancelled: boolean;
    }>({
      name: 'waitlist-event',
      text: "SELECT id, partition, kind, ga_available, (status = 'cancelled' OR cancelled_at IS NOT NULL) AS cancelled FROM events WHERE id = $1",
      values: [id.data],
    });
    if (!rows[0]) throw new AppError('event_not_found');
    return rows[0];
  };

  registerRoute(r, ctx.config.JWT_SECRET, FAIR_ROUTES.joinWaitlist, async (req: Request, res: Response, { body }) => {
    const { user_id } = principalOf(req);
    const ev = await eventOf(req);
    if (body.quantity > ctx.config.MAX_PER_REQUEST)
      throw new AppError('quantity_out_of_range', `quantity must be from 1 to ${ctx.config.MAX_PER_REQUEST}`);
    if (ev.cancelled) throw new AppError('event_not_editable', 'The event is cancelled.');
    const request: BookingRequest = {
      quantity: body.quantity,
      ...(body.section ? { section: body.section } : {}),
      ...(body.price_tier ? { price_tier: body.price_tier } : {}),
      ...(body.max_price !== undefined ? { max_price_cents: toCents(body.max_price) } : {}),
    };
    // Sold out as the single writer last wrote it: fewer units (or matching seats) free than asked for.
    const free =
      ev.kind === 'general_admission'
        ? (ev.ga_available ?? 0)
        : (
            await ctx.pool.query<{ n: number }>({
              name: 'waitlist-free-seats',
              text: `SELECT count(*)::int AS n FROM seats WHERE event_id = $1 AND status = 'available'
                       AND ($2::text IS NULL OR section = $2) AND ($3::text IS NULL OR price_tier = $3) AND ($4::int IS NULL OR price_cents <= $4)`,
              values: [ev.id, request.section ?? null, request.price_tier ?? null, request.max_price_cents ?? null],
            })
          ).rows[0]!.n;
    if (free >= body.quantity) throw new AppError('not_sold_out');
    const id = randomUUID();
    try {
      await ctx.pool.query({
        name: 'insert-waitlist-entry',
        text: 'INSERT INTO waitlist_entries (id, event_id, user_id, quantity, section, price_tier, max_price_cents) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        values: [
          id,
          ev.id,
          user_id,
          body.quantity,
          request.section ?? null,
          request.price_tier ?? null,
          request.max_price_cents ?? null,
        ],
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new AppError('already_on_waitlist');
      throw err;
    }
    try {
      await sendToPartition(ctx, ev.partition, {
        type: 'waitlist.join',
        event_id: ev.id,
        waitlist_id: id,
        user_id,
        request,
        correlation_id: req.requestId,
      });
    } catch (err) {
      await ctx.pool.query('DELETE FROM waitlist_entries WHERE id = $1', [id]);
      throw err;
    }
    const position = await positionOf(ctx, id);
    ctx.logger.info('joined waitlist', { request_id: req.requestId, event_id: ev.id, waitlist_id: id, position });
    res.status(201).json({ waitlist_id: id, event_id: ev.id, position, status: 'waiting' });
  });

  registerRoute(r, ctx.config.JWT_SECRET, FAIR_ROUTES.leaveWaitlist, async (req: Request, res: Response) => {
    const { user_id } = principalOf(req);
    const ev = await eventOf(req);
    const { rows } = await ctx.pool.query<{ id: string }>({
      name: 'leave-waitlist',
      text: "UPDATE waitlist_entries SET status = 'left' WHERE event_id = $1 AND user_id = $2 AND status = 'waiting' RETURNING id",
      values: [ev.id, user_id],
    });
    if (!rows[0]) throw new AppError('waitlist_entry_not_found');
    await sendToPartition(ctx, ev.partition, {
      type: 'waitlist.leave',
      event_id: ev.id,
      waitlist_id: rows[0].id,
      user_id,
      correlation_id: req.requestId,
    });
    res.json({ waitlist_id: rows[0].id, event_id: ev.id, status: 'left' });
  });

  registerRoute(r, ctx.config.JWT_SECRET, FAIR_ROUTES.myWaitlist, async (req: Request, res: Response) => {
    const { user_id } = principalOf(req);
    const { rows } = await ctx.pool.query<{
      id: string;
      event_id: string;
      quantity: number;
      section: string | null;
      price_tier: string | null;
      max_price_cents: number | null;
      status: string;
      offer_booking_id: string | null;
      created_at: Date;
      position: number | null;
    }>({
      name: 'my-waitlist',
      text: `SELECT w.id, w.event_id, w.quantity, w.section, w.price_tier, w.max_price_cents, w.status, w.offer_booking_id, w.created_at,
                    CASE WHEN w.status = 'waiting' THEN (SELECT count(*)::int FROM waitlist_entries o WHERE o.event_id = w.event_id AND o.status = 'waiting' AND o.ord <= w.ord) END AS position
             FROM waitlist_entries w WHERE w.user_id = $1 ORDER BY w.created_at DESC LIMIT 200`,
      values: [user_id],
    });
    res.json({
      items: rows.map((w) => ({
        waitlist_id: w.id,
        event_id: w.event_id,
        quantity: w.quantity,
        section: w.section,
        price_tier: w.price_tier,
        max_price_cents: w.max_price_cents,
        status: w.status,
        position: w.position,
        offer_booking_id: w.offer_booking_id,
        joined_at: w.created_at.toISOString(),
      })),
    });
  });
  return r;
}

async function positionOf(ctx: IngressContext, id: string): Promise<number> {
  const { rows } = await ctx.pool.query<{ n: number }>({
    name: 'waitlist-position',
    text: "SELECT count(*)::int AS n FROM waitlist_entries o, waitlist_entries w WHERE w.id = $1 AND o.event_id = w.event_id AND o.status = 'waiting' AND o.ord <= w.ord",
    values: [id],
  });
  return rows[0]?.n ?? 1;
}
