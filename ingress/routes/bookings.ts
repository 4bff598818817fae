import { createHash, randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { limitPer } from '../middleware/rate-limit';
import { uuidParam } from '../../shared/contracts/http';
import type { BookingRequest, PartitionCommand } from '../../shared/contracts/messages';
import { ACTIVE_STATUSES, TERMINAL_STATUSES } from '../../shared/contracts/messages';
import { AppError } from '../../shared/errors';
import { toCents } from '../../shared/money';
import { bookingFromDatabase, lookupBooking, positionOf } from '../../shared/read/booking-status';
import { eventPartition } from '../read-model/event-partition';
import { seedSequence } from '../services/seed-sequence';
import { stampRequest, type StampInput } from '../services/stamp-request';
import { eventQueueState, queueFields, waitsForDraw } from '../read-model/event-queue';
import { checkProof } from '../services/check-proof';
import { hashPresaleCode, invitedPresale } from '../services/create-presale';

const PENDING_TTL_S = 24 * 3600;
const IDEMPOTENCY_TTL_S = 24 * 3600;
/** After an unconfirmed publish the pending record may describe a request that never reached the queue: keep it briefly. */
const UNCONFIRMED_PENDING_TTL_S = 15 * 60;
/**
 * An Idempotency-Key claim lives this long before the attempt holding it has its booking id. Short,
 * so that a claim left by a crashed ingress (nothing queued) does not block the retry for long; the
 * attempt renews it (compare-and-set) before it stamps, so a slow attempt is never taken over.
 */
const CLAIM_TTL_S = 15;
/** Renews a claim only if it is still this attempt's. */
const RENEW_CLAIM = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return 1 end return 0`;
/** Drops a claim only if it is still this attempt's (a retry may own the key by now). */
const DROP_CLAIM = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
type BookCommand = Extract<PartitionCommand, { type: 'book' }>;

export function bookingsRouter(ctx: IngressContext) {
  const r = express.Router();

  // Accepted requests per user: a script hammering the queue cannot push real buyers' positions back.
  const perUser = limitPer({
    windowS: ctx.config.BOOKING_RATE_WINDOW_S,
    limit: ctx.config.BOOKING_RATE_LIMIT,
    key: (req) => principalOf(req).user_id,
    count: 'successes',
    message: 'Too many booking requests from this account; retry after Retry-After seconds.',
  });

  registerRoute(
    r,
    ctx.config.JWT_SECRET,
    ROUTES.createBooking,
    async (req: Request, res: Response, { body }) => {
      const { user_id } = principalOf(req);
      if ((body.seat_ids === undefined) === (body.quantity === undefined))
        throw new AppError('invalid_booking_request');
      if (body.quantity !== undefined && (body.quantity < 1 || body.quantity > ctx.config.MAX_PER_REQUEST)) {
        throw new AppError('quantity_out_of_range', `quantity must be from 1 to ${ctx.config.MAX_PER_REQUEST}`);
      }
      if (body.seat_ids !== undefined && new Set(body.seat_ids).size > ctx.config.MAX_PER_REQUEST) {
        throw new AppError('quantity_out_of_range', `at most ${ctx.config.MAX_PER_REQUEST} seats per request`);
      }

      const idemKey = req.get('Idempotency-Key');
      // Only an Idempotency-Key needs the body's fingerprint: no hash on the plain booking path.
      const bodyHash = idemKey !== undefined ? createHash('sha256').update(JSON.stringify(body)).digest('hex') : '';
      let idemRedisKey: string | null = null;
      let retryOf: Unconfirmed | null = null;
      const claim =
        idemKey !== undefined ? JSON.stringify({ hash: bodyHash, state: 'in_progress', attempt: randomUUID() }) : '';
      if (idemKey !== undefined) {
        if (!/^[\x21-\x7e]{1,128}$/.test(idemKey))
          throw new AppError('validation_failed', 'Idempotency-Key must be 1-128 visible ASCII characters');
        idemRedisKey = ctx.keys.idempotency(user_id, idemKey);
        const claimed = await ctx.redis.set(idemRedisKey, claim, 'EX', CLAIM_TTL_S, 'NX').catch(() => {
          throw new AppError('dependency_unavailable', 'Redis is unreachable', undefined, 2);
        });
        if (claimed === null) {
          const prior = JSON.parse((await ctx.redis.get(idemRedisKey)) ?? '{}') as IdempotencyRecord;
          if (prior.hash !== bodyHash) throw new AppError('idempotency_key_reused');
          if (prior.state === 'done') {
            res
              .status(prior.status ?? 202)
              .set('Idempotent-Replay', 'true')
              .json(prior.body);
            return;
          }
          // The first attempt has not got its booking id yet (a few ms, or it died then: nothing queued).
          if (!prior.command) throw new AppError('idempotency_key_in_progress', undefined, undefined, 1);
          // The first attempt has its booking id: it is being published, or its publish was not
          // confirmed, or its answer was lost. It may or may not be queued: learn the truth below.
          retryOf = prior as Unconfirmed;
        }
      }
      const remember = (record: IdempotencyRecord) =>
        idemRedisKey
          ? ctx.redis.set(idemRedisKey, JSON.stringify(record), 'EX', IDEMPOTENCY_TTL_S).then(
              () => undefined,
              () => undefined,
            )
          : Promise.resolve();

      if (retryOf) {
        await answerRetry(ctx, req, res, retryOf, remember);
        return;
      }

      let stamped = false;
      let command: BookCommand | null = null;
      let partition: number | null = null;
      try {
        partition = await eventPartition(ctx, body.event_id);
        if (partition === null) throw new AppError('event_not_found');
        const queue = await eventQueueState(ctx, body.event_id);
        await checkProof(ctx, body.proof, body.event_id, user_id, queue?.powBits ?? 0);
        // Before the on-sale time a code (or an invitation) makes it a presale booking, decided at once by the single writer.
        const beforeOnSale = queue !== null && Date.now() < queue.onSaleAt;
        const invited =
          beforeOnSale && body.presale_code === undefined
            ? await invitedPresale(ctx.pool, body.event_id, user_id)
            : null;
        const presale = !beforeOnSale
          ? undefined
          : body.presale_code !== undefined
            ? { code_hash: hashPresaleCode(body.presale_code) }
            : invited
              ? { presale_id: invited }
              : undefined;
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
        if (idemRedisKey) {
          const mine = await ctx.redis.eval(RENEW_CLAIM, 1, idemRedisKey, claim, 60).catch(() => {
            throw new AppError('dependency_unavailable', 'Redis is unreachable; nothing was queued', undefined, 2);
          });
          // Our claim expired and a retry took the key over: it answers for this request.
          if (mine !== 1) throw new AppError('idempotency_key_in_progress', undefined, undefined, 1);
        }
        const stamp: StampInput = {
          seqKey: ctx.keys.eventSeq(body.event_id),
          watermarkKey: ctx.keys.eventWatermark(body.event_id),
          pendingKey: ctx.keys.pendingBooking(bookingId),
          eventId: body.event_id,
          userId: user_id,
          requestedAt,
          ttlSeconds: PENDING_TTL_S,
          waitsForDraw: !presale && waitsForDraw(queue, Date.parse(requestedAt)),
        };
        try {
          [seq, watermark] = await stampRequest(ctx.redis, stamp);
        } catch {
          throw new AppError('dependency_unavailable', 'Redis is unreachable; nothing was queued', undefined, 2);
        }
        if (seq < 0) {
          // Redis lost the event's counter (restarted empty): restart it above every number ever stamped.
          const seed = await seedSequence(ctx, body.event_id, partition).catch(() => {
            throw new AppError(
              'dependency_unavailable',
              'Cannot rebuild the queue position now; nothing was queued',
              undefined,
              2,
            );
          });
          [seq, watermark] = await stampRequest(ctx.redis, { ...stamp, seed }).catch(() => {
            throw new AppError('dependency_unavailable', 'Redis is unreachable; nothing was queued', undefined, 2);
          });
        }
        stamped = true;
        // A presale booking is decided at once, outside the line: its number must not move the watermark.
        command = {
          type: 'book',
          event_id: body.event_id,
          booking_id: bookingId,
          user_id,
          seq: presale ? 0 : seq,
          requested_at: requestedAt,
          request,
          correlation_id: req.requestId,
          ...(presale ? { presale } : {}),
        };
        // Before publishing: a retry that arrives while this attempt waits for its confirm (or after
        // this process died, or after the answer was lost) answers this booking instead of a 409.
        await remember({ hash: bodyHash, state: 'unconfirmed', booking_id: bookingId, partition, command });
        await publisher.publishCommand(partition, command);
        const answer = {
          booking_id: bookingId,
          event_id: body.event_id,
          status: 'queued',
          ...(presale
            ? { queue: 'presale' as const, position: null }
            : queueFields(queue, Date.parse(requestedAt), () => Math.max(1, seq - watermark))),
        };
        await remember({ hash: bodyHash, state: 'done', status: 202, body: answer });
        // winston builds and pipes a line even when its level is off: asked first, this costs nothing at `warn`.
        if (ctx.logger.isInfoEnabled())
          ctx.logger.info('booking queued', {
            request_id: req.requestId,
            correlation_id: req.requestId,
            booking_id: bookingId,
            event_id: body.event_id,
            partition,
            seq,
          });
        res.status(202).location(`/v1/bookings/${bookingId}`).json(answer);
      } catch (err) {
        if (stamped && command && partition !== null) {
          // The publish was attempted: the broker may have taken the message without confirming it (a
          // graceful stop, a lost connection). Say so, with the booking id to look up, and keep what an
          // Idempotency-Key retry needs to answer the real outcome (or to publish it again, same id).
          ctx.logger.warn('publish not confirmed', {
            request_id: req.requestId,
            booking_id: command.booking_id,
            err: (err as Error).message,
          });
          await ctx.redis
            .expire(ctx.keys.pendingBooking(command.booking_id), UNCONFIRMED_PENDING_TTL_S)
            .catch(() => undefined);
          await remember({ hash: bodyHash, state: 'unconfirmed', booking_id: command.booking_id, partition, command });
          throw unconfirmed(command.booking_id, idemRedisKey !== null);
        }
        if (idemRedisKey) await ctx.redis.eval(DROP_CLAIM, 1, idemRedisKey, claim).catch(() => undefined);
        throw err;
      }
    },
    perUser,
  );

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.getBooking, async (req: Request, res: Response) => {
    const booking = await ownBooking(ctx, req);
    if (booking.status !== 'queued') return void res.json(booking);
    const queue = await eventQueueState(ctx, booking.event_id);
    // Waiting for the draw: no number of its own yet (`seq` null), no position.
    const drawing = waitsForDraw(queue, Date.parse(booking.requested_at));
    const seq = booking.seq;
    if (seq === null && !drawing) return void res.json(booking);
    const position = drawing || seq === null ? null : await positionOf(ctx.redis, ctx.keys, booking.event_id, seq);
    res.json({ ...booking, ...queueFields(queue, Date.parse(booking.requested_at), () => position ?? 1) });
  });

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.cancelBooking, async (req: Request, res: Response) => {
    const booking = await ownBooking(ctx, req);
    if (TERMINAL_STATUSES.has(booking.status)) {
      throw new AppError('booking_not_cancellable', `The booking is ${booking.status}`);
    }
    if (booking.status === 'confirmed') {
      // Cancel and refund: only while the event allows it (the single writer checks again, and that no ticket was transferred).
      const { rows } = await ctx.pool.query<{ refundable: boolean; starts_at: Date; cancelled_at: Date | null }>({
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
      if (transferred.rowCount)
        throw new AppError('booking_not_cancellable', 'A ticket of this booking was transferred to someone else');
    }
    const partition = await eventPartition(ctx, booking.event_id);
    if (partition === null) throw new AppError('booking_not_found');
    await ctx.broker
      .publisher()
      .publishCommand(partition, {
        type: 'cancel',
        event_id: booking.event_id,
        booking_id: booking.booking_id,
        user_id: booking.user_id,
        correlation_id: req.requestId,
      })
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

interface IdempotencyRecord {
  hash?: string;
  state?: 'in_progress' | 'done' | 'unconfirmed';
  status?: number;
  body?: unknown;
  booking_id?: string;
  partition?: number;
  command?: BookCommand;
}
type Unconfirmed = Required<Pick<IdempotencyRecord, 'hash' | 'booking_id' | 'partition' | 'command'>>;

/** The 503 after an unconfirmed publish: the booking id the client may have, and how to learn the truth. */
function unconfirmed(bookingId: string, withKey: boolean): AppError {
  return new AppError(
    'queue_unavailable',
    `The broker did not confirm the request; it may have been queued as booking ${bookingId}. ${
      withKey
        ? 'Retry with the same Idempotency-Key to get its real outcome.'
        : `GET /v1/bookings/${bookingId} to learn whether it exists.`
    }`,
    { booking_id: bookingId, may_be_queued: true },
    1,
  );
}

/**
 * An Idempotency-Key retry after an unconfirmed publish: the booking as the worker decided (or
 * parked) it if it exists; else the same command published again (same booking id and sequence
 * number: the worker is idempotent by booking id), answered as the first 202 would have been.
 */
async function answerRetry(
  ctx: IngressContext,
  req: Request,
  res: Response,
  prior: Unconfirmed,
  remember: (r: IdempotencyRecord) => Promise<void>,
) {
  const { command, partition } = prior;
  const existing = await bookingFromDatabase(ctx.pool, command.booking_id).catch(() => {
    throw new AppError('dependency_unavailable', 'PostgreSQL is unreachable; retry', undefined, 2);
  });
  let answer: Record<string, unknown>;
  if (existing) {
    const position =
      existing.status === 'queued' && existing.seq !== null
        ? await positionOf(ctx.redis, ctx.keys, existing.event_id, existing.seq)
        : undefined;
    answer = {
      booking_id: existing.booking_id,
      event_id: existing.event_id,
      status: existing.status,
      ...(position != null ? { position } : {}),
    };
  } else {
    try {
      await ctx.broker.publisher().publishCommand(partition, { ...command, correlation_id: req.requestId });
    } catch {
      throw unconfirmed(command.booking_id, true);
    }
    await ctx.redis
      .hset(ctx.keys.pendingBooking(command.booking_id), {
        event_id: command.event_id,
        user_id: command.user_id,
        requested_at: command.requested_at,
        seq: command.seq,
      })
      .then(() => ctx.redis.expire(ctx.keys.pendingBooking(command.booking_id), PENDING_TTL_S))
      .catch(() => undefined);
    const position = (await positionOf(ctx.redis, ctx.keys, command.event_id, command.seq)) ?? 1;
    answer = { booking_id: command.booking_id, event_id: command.event_id, status: 'queued', position };
  }
  await remember({ hash: prior.hash, state: 'done', status: 202, body: answer });
  ctx.logger.info('unconfirmed booking resolved by retry', {
    request_id: req.requestId,
    booking_id: command.booking_id,
    found: existing !== null,
  });
  res.status(202).location(`/v1/bookings/${command.booking_id}`).json(answer);
}

/** The booking named in the path, if the caller owns it (operators see all). Others get 404, not 403. */
async function ownBooking(ctx: IngressContext, req: Request) {
  const principal = principalOf(req);
  const id = uuidParam.safeParse(req.params.id);
  if (!id.success) throw new AppError('invalid_id');
  const booking = await lookupBooking(ctx.pool, ctx.redis, ctx.keys, id.data);
  if (!booking || (booking.user_id !== principal.user_id && principal.role !== 'operator'))
    throw new AppError('booking_not_found');
  return booking;
}
