import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { registerRoute } from '../http/route-table';
import { FAIR_ROUTES } from '../http/routes-fair';
import { ownedEvent, sendToPartition } from '../services/owned-event';
import { AppError } from '../../shared/errors';

/**
 * The draw, seen from outside: `PUT /v1/events/{id}/queue-mode` (organizer of the event or operator)
 * until the on-sale time, and `GET /v1/ops/events/{id}/draw`: the waiting room, whether and when it was
 * drawn, what lets an auditor re-check the order, the waitlist's length and offers and presale use.
 */
export function fairQueueRouter(ctx: IngressContext) {
  const r = express.Router();

  registerRoute(r, ctx.config.JWT_SECRET, FAIR_ROUTES.setQueueMode, async (req: Request, res: Response, { body }) => {
    const ev = await ownedEvent(ctx, req);
    const drawn = (
      await ctx.pool.query({
        name: 'event-drawn',
        text: 'SELECT 1 FROM event_draws WHERE event_id = $1',
        values: [ev.id],
      })
    ).rowCount;
    if (drawn || Date.now() >= ev.on_sale_at.getTime()) throw new AppError('queue_mode_locked');
    // The single writer applies it (and refuses it if the on-sale time passed in between).
    await sendToPartition(ctx, ev.partition, {
      type: 'event.queue_mode',
      event_id: ev.id,
      queue_mode: body.queue_mode,
      correlation_id: req.requestId,
    });
    ctx.logger.info('queue mode change queued', {
      request_id: req.requestId,
      event_id: ev.id,
      queue_mode: body.queue_mode,
      by: principalOf(req).user_id,
    });
    res.status(202).json({ event_id: ev.id, queue_mode: body.queue_mode, change: 'queued' });
  });

  registerRoute(r, ctx.config.JWT_SECRET, FAIR_ROUTES.getDraw, async (req: Request, res: Response) => {
    const ev = await ownedEvent(ctx, req);
    const [draw, room, waitlist, presales] = await Promise.all([
      ctx.pool.query<{
        drawn_at: Date;
        entries: number;
        algorithm: string;
        seed: string;
        input_digest: string;
        order_digest: string;
        worker_id: string | null;
        epoch: string | null;
      }>({
        name: 'event-draw',
        text: 'SELECT drawn_at, entries, algorithm, seed, input_digest, order_digest, worker_id, epoch FROM event_draws WHERE event_id = $1',
        values: [ev.id],
      }),
      ctx.pool.query<{ waiting: number }>({
        name: 'event-waiting-room',
        text: "SELECT count(*)::int AS waiting FROM bookings WHERE event_id = $1 AND status = 'queued' AND requested_at < $2",
        values: [ev.id, ev.on_sale_at],
      }),
      ctx.pool.query<WaitlistCounts>({
        name: 'event-waitlist-counts',
        text: `SELECT count(*) FILTER (WHERE w.status = 'waiting')::int AS waiting,
                      count(*) FILTER (WHERE w.status = 'offered')::int AS offers,
                      count(*) FILTER (WHERE w.status = 'offered' AND b.status IN ('held', 'payment_pending'))::int AS offers_active,
                      count(*) FILTER (WHERE w.status = 'offered' AND b.status = 'confirmed')::int AS offers_taken,
                      count(*) FILTER (WHERE w.status = 'offered' AND b.status IN ('expired', 'cancelled'))::int AS offers_lapsed,
                      count(*) FILTER (WHERE w.status = 'left')::int AS "left"
                 FROM waitlist_entries w LEFT JOIN bookings b ON b.id = w.offer_booking_id
                WHERE w.event_id = $1`,
        values: [ev.id],
      }),
      ctx.pool.query<{ windows: number; holds: number }>({
        name: 'event-presale-use',
        text: `SELECT (SELECT count(*)::int FROM presales WHERE event_id = $1) AS windows,
                      (SELECT count(*)::int FROM bookings WHERE event_id = $1 AND presale_id IS NOT NULL) AS holds`,
        values: [ev.id],
      }),
    ]);
    const d = draw.rows[0];
    res.json({
      event_id: ev.id,
      queue_mode: ev.queue_mode,
      draw_at: ev.on_sale_at.toISOString(),
      state: d ? 'drawn' : ev.queue_mode === 'fifo' ? 'not_drawn_fifo' : 'pending',
      waiting_room: room.rows[0]?.waiting ?? 0,
      waitlist: waitlist.rows[0] ?? NO_WAITLIST,
      presales: presales.rows[0] ?? { windows: 0, holds: 0 },
      ...(d
        ? {
            drawn_at: d.drawn_at.toISOString(),
            entries: d.entries,
            audit: {
              algorithm: d.algorithm,
              seed: d.seed,
              input_digest: d.input_digest,
              order_digest: d.order_digest,
              worker_id: d.worker_id,
              epoch: d.epoch === null ? null : Number(d.epoch),
              how_to_verify: AUDIT_HOWTO,
            },
          }
        : {}),
    });
  });
  return r;
}

interface WaitlistCounts {
  waiting: number;
  offers: number;
  offers_active: number;
  offers_taken: number;
  offers_lapsed: number;
  left: number;
}
const NO_WAITLIST: WaitlistCounts = {
  waiting: 0,
  offers: 0,
  offers_active: 0,
  offers_taken: 0,
  offers_lapsed: 0,
  left: 0,
};

const AUDIT_HOWTO =
  'List the drawn bookings by arrival_seq (ascending; ties by booking id): SHA-256 of their ids joined by "\\n" is input_digest. ' +
  'Fisher–Yates (i from n-1 down to 1, j uniform in [0, i]) over that list, with 32-bit big-endian words from SHA-256(seed ‖ 64-bit big-endian block counter) ' +
  'and rejection sampling (reject w ≥ 2^32 − 2^32 mod (i+1), then j = w mod (i+1)), gives the drawn order; SHA-256 of its ids joined by "\\n" is order_digest, ' +
  'and the k-th drawn booking holds the k-th smallest arrival_seq as its seq.';
