import { createHash, randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf, requireAuth } from '../middleware/auth';
import { parseOr400 } from '../middleware/errors';
import { limitPer } from '../middleware/rate-limit';
import { bookingBodySchema, uuidParam } from '../../shared/contracts/http';
import type { BookingRequest } from '../../shared/contracts/messages';
import { ACTIVE_STATUSES, TERMINAL_STATUSES } from '../../shared/contracts/messages';
import { AppError } from '../../shared/errors';
import { toCents } from '../../shared/money';
import { lookupBooking, positionOf } from '../../shared/read/booking-status';
import { eventPartition } from '../read-model/event-partition';
import { stampRequest } from '../services/stamp-request';
import { eventQueueState, queueFields, waitsForDraw } from '../read-model/event-queue';
import { checkProof } from '../services/check-proof';
import { hashPresaleCode, invitedPresale } from '../services/create-presale';

const PENDING_TTL_S = 24 * 3600;
const IDEMPOTENCY_TTL_S = 24 * 3600;

export function bookingsRouter(ctx: IngressContext) {
  const r = express.Router();
  const auth = requireAuth(ctx.config.JWT_SECRET);

  // Accepted requests per user: a script hammering the queue cannot push real buyers' positions back.
  const perUser = limitPer({
    windowS: ctx.config.BOOKING_RATE_WINDOW_S,
    limit: ctx.config.BOOKING_RATE_LIMIT,
    key: (req) => principalOf(req).user_id,
    count: 'successes',
    message: 'Too many booking requests from this account; retry after Retry-After seconds.',
  });

  r.post('/v1/bookings', auth, perUser, async (req: Request, res: Response) => {
    const { user_id } = principalOf(req);
    const body = parseOr400(bookingBodySchema, req.body);
    if ((body.seat_ids === undefined) === (body.quantity === undefined)) throw new AppError('invalid_booking_request');
    if (body.quantity !== undefined && (body.quantity < 1 || body.quantity > ctx.config.MAX_PER_REQUEST)) {
      throw new AppError('quantity_out_of_range', `quantity must be from 1 to ${ctx.config.MAX_PER_REQUEST}`);
    }
    if (body.seat_ids !== undefined && new Set(body.seat_ids).size > ctx.config.MAX_PER_REQUEST) {
      throw new AppError('quantity_out_of_range', `at most ${ctx.config.MAX_PER_REQUEST} seats per request`);
    }

    const idemKey = req.get('Idempotency-Key');
    const bodyHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    let idemRedisKey: string | null = null;
    if (idemKey !== undefined) {
      if (!/^[\x21-\x7e]{1,128}$/.test(idemKey)) throw new AppError('validation_failed', 'Idempotency-Key must be 1-128 visible ASCII characters');
      idemRedisKey = ctx.keys.idempotency(user_id, idemKey);
      const claimed = await ctx.redis.set(idemRedisKey, JSON.stringify({ hash: bodyHash, state: 'in_progress' }), 'EX', 60, 'NX').catch(() => {
        throw new AppError('dependency_unavailable', 'Redis is unreachable', undefined, 2);
      });
      if (claimed === null) {
        const prior = JSON.parse((await ctx.redis.get(idemRedisKey)) ?? '{}') as { hash?: string; state?: string; status?: number; body?: unknown };
        if (prior.hash !== bodyHash) throw new AppError('idempotency_key_reused');
        if (prior.state !== 'done') throw new AppError('idempotency_key_reused', 'A request with this Idempotency-Key is still in progress');
        res.status(prior.status ?? 202).set('Idempotent-Replay', 'true').json(prior.body);
        return;
      }
    }

    try {
      const partition = await eventPartition(ctx, body.event_id);
      if (partition === null) throw new AppError('event_not_found');
      const queue = await eventQueueState(ctx, body.event_id);
      await checkProof(ctx, body.proof, body.event_id, user_id, queue?.powBits ?? 0);
      // Before the on-sale time a code (or an invitation) makes it a presale booking, decided at once by the single writer.
      const beforeOnSale = queue !== null && Date.now() < queue.onSaleAt;
      const invited = beforeOnSale && body.presale_code === undefined ? await invitedPresale(ctx.pool, body.event_id, user_id) : null;
      const presale = !beforeOnSale ? undefined : body.presale_code !== undefined ? { code_hash: hashPresaleCode(body.presale_code) } : invited ? { presale_id: invited } : undefined;
      const publisher = ctx.broker.publisher();
      const bookingId = randomUUID();
      const requestedAt = new Date().toISOString();
      const request: BookingRequest = {
        ...(body.seat_ids ? { seat_ids: [...new Set(body.seat_ids)] } : {}),
        ...(body.accept_alternatives !== undefined ? { accept_alternatives: body.accept_alternatives } : {}),
        ...(body.quantity !== undefined ? { quantity: body.quantity } : {}),
        ...(body.section ? { section: body.section } : {}),
        ...(body.price_tier ? { price_tier: body.price_tier } : {}),
        ...(body.max_price !== undefined ? { max_price_cents: toCents(body.max_price) } : {}),
      };
      // One round trip: the per-event sequence number, the watermark (for the position), and the
      // pending record that lets GET /v1/bookings/{id} show the request before the worker decides it.
      let seq: number;
      let watermark: number;
      try {
        [seq, watermark] = await stampRequest(ctx.redis, {
          seqKey: ctx.keys.eventSeq(body.event_id),
          watermarkKey: ctx.keys.eventWatermark(body.event_id),
          pendingKey: ctx.keys.pendingBooking(bookingId),
          eventId: body.event_id,
          userId: user_id,
          requestedAt,
          ttlSeconds: PENDING_TTL_S,
        });
      } catch {
        throw new AppError('dependency_unavailable', 'Redis is unreachable; nothing was queued', undefined, 2);
      }
      try {
        await publisher.publishCommand(partition, {
          type: 'book',
          event_id: body.event_id,
          booking_id: bookingId,
          user_id,
          // A presale booking is decided at once, outside the line: its number must not move the watermark.
          seq: presale ? 0 : seq,
          requested_at: requestedAt,
          request,
          correlation_id: req.requestId,
          ...(presale ? { presale } : {}),
        });
      } catch (err) {
        await ctx.redis.del(ctx.keys.pendingBooking(bookingId)).catch(() => undefined);
        ctx.logger.warn('publish not confirmed', { request_id: req.requestId, err: (err as Error).message });
        throw new AppError('queue_unavailable', 'The broker did not confirm the request; nothing was queued.', undefined, 1);
      }
      const answer = {
        booking_id: bookingId,
        event_id: body.event_id,
        status: 'queued',
        ...(presale ? { queue: 'presale' as const, position: null } : queueFields(queue, Date.parse(requestedAt), () => Math.max(1, seq - watermark))),
      };
      if (idemRedisKey) {
        await ctx.redis.set(idemRedisKey, JSON.stringify({ hash: bodyHash, state: 'done', status: 202, body: answer }), 'EX', IDEMPOTENCY_TTL_S).catch(() => undefined);
      }
      ctx.logger.info('booking queued', { request_id: req.requestId, correlation_id: req.requestId, booking_id: bookingId, event_id: body.event_id, partition, seq });
      res.status(202).location(`/v1/bookings/${bookingId}`).json(answer);
    } catch (err) {
      if (idemRedisKey) await ctx.redis.del(idemRedisKey).catch(() => undefined);
      throw err;
    }
  });

  r.get('/v1/bookings/:id', auth, async (req: Request, res: Response) => {
    const booking = await ownBooking(ctx, req);
    if (booking.status !== 'queued' || booking.seq === null) return void res.json(booking);
    const queue = await eventQueueState(ctx, booking.event_id);
    const position = waitsForDraw(queue, Date.parse(booking.requested_at)) ? 0 : await positionOf(ctx.redis, ctx.keys, booking.event_id, booking.seq);
    res.json({ ...booking, ...queueFields(queue, Date.parse(booking.requested_at), () => position ?? 1) });
  });

  r.delete('/v1/bookings/:id', auth, async (req: Request, res: Response) => {
    const booking = await ownBooking(ctx, req);
    if (TERMINAL_STATUSES.has(booking.status)) {
      throw new AppError('booking_not_cancellable', `The booking is ${booking.status}`);
    }
    if (booking.status === 'confirmed') {
      // Cancel and refund: only while the event allows it (the single writer checks again, and that no ticket was transferred).
      const { rows } = await ctx.pool.query({
        name: 'event-refund-policy',
        text: 'SELECT refundable, starts_at, cancelled_at FROM events WHERE id = $1',
        values: [booking.event_id],
      });
      const ev = rows[0];
      if (!ev || !ev.refundable || ev.cancelled_at || new Date(ev.starts_at).getTime() <= Date.now()) {
        throw new AppError('booking_not_cancellable', 'The event does not allow cancelling a confirmed booking');
      }
      const transferred = await ctx.pool.query({
        name: 'booking-tickets-transferred',
        text: `SELECT 1 FROM tickets WHERE booking_id = $1 AND owner_user_id <> $2 AND status = 'valid' LIMIT 1`,
        values: [booking.booking_id, booking.user_id],
      });
      if (transferred.rowCount) throw new AppError('booking_not_cancellable', 'A ticket of this booking was transferred to someone else');
    }
    const partition = await eventPartition(ctx, booking.event_id);
    if (partition === null) throw new AppError('booking_not_found');
    await ctx.broker
      .publisher()
      .publishCommand(partition, { type: 'cancel', event_id: booking.event_id, booking_id: booking.booking_id, user_id: booking.user_id, correlation_id: req.requestId })
      .catch(() => {
        throw new AppError('queue_unavailable', 'The broker did not confirm the cancellation; retry.', undefined, 1);
      });
    res.status(202).json({
      booking_id: booking.booking_id,
      status: booking.status,
      cancellation: 'queued',
      releases_inventory: ACTIVE_STATUSES.has(booking.status),
      ...(booking.status === 'confirmed' ? { refund: 'queued' } : {}),
    });
  });

  return r;
}

/** The booking named in the path, if the caller owns it (operators see all). Others get 404, not 403. */
async function ownBooking(ctx: IngressContext, req: Request) {
  const principal = principalOf(req);
  const id = uuidParam.safeParse(req.params.id);
  if (!id.success) throw new AppError('invalid_id');
  const booking = await lookupBooking(ctx.pool, ctx.redis, ctx.keys, id.data);
  if (!booking || (booking.user_id !== principal.user_id && principal.role !== 'operator')) throw new AppError('booking_not_found');
  return booking;
}
