import type { Redis } from 'ioredis';
import type { Pool } from '../db/pool';
import type { RedisKeys } from '../redis/keys';
import type { BookingStatus } from '../contracts/messages';
import type { BookingReason } from '../errors';
import { fromCents } from '../money';

/** A booking as its owner sees it over HTTP and on the socket. */
export interface BookingView {
  booking_id: string;
  event_id: string;
  user_id: string;
  status: BookingStatus;
  seq: number | null;
  seats?: string[];
  quantity?: number;
  amount?: number;
  amount_cents?: number;
  hold_expires_at?: string;
  reason?: BookingReason;
  requested_at: string;
  decided_at?: string;
  /** `waitlist`: a hold offered to the user's waitlist entry. */
  source?: 'waitlist';
}

/**
 * Finds a booking: PostgreSQL once the single writer decided (or parked) it, else the pending record
 * ingress wrote to Redis when the broker confirmed it (status `queued`).
 */
export async function lookupBooking(
  pool: Pool,
  redis: Redis,
  keys: RedisKeys,
  bookingId: string,
): Promise<BookingView | null> {
  return (await bookingFromDatabase(pool, bookingId)) ?? (await pendingBooking(redis, keys, bookingId));
}

/** The booking as PostgreSQL holds it (decided, or parked behind a pause or throttle), or null. */
export async function bookingFromDatabase(pool: Pool, bookingId: string): Promise<BookingView | null> {
  const { rows } = await pool.query<{
    id: string;
    event_id: string;
    user_id: string;
    status: BookingStatus;
    seq: number | null;
    seat_ids: string[] | null;
    quantity: number | null;
    amount_cents: number | null;
    reason: BookingReason | null;
    hold_expires_at: Date | null;
    requested_at: Date;
    decided_at: Date | null;
    source: 'queue' | 'waitlist';
  }>({
    name: 'get-booking',
    // A request in a waiting room that is drawn has no number of its own until the draw (its `seq` is
    // then its arrival number): it is answered with none, as the 202 answered it.
    text: `SELECT b.id, b.event_id, b.user_id, b.status, b.seat_ids, b.quantity, b.amount_cents, b.reason,
                  b.hold_expires_at, b.requested_at, b.decided_at, b.source,
                  CASE WHEN b.status = 'queued' AND e.queue_mode = 'draw'
                            AND b.requested_at < e.on_sale_at
                            AND NOT EXISTS (SELECT 1 FROM event_draws d WHERE d.event_id = b.event_id)
                       THEN NULL ELSE b.seq END AS seq
           FROM bookings b JOIN events e ON e.id = b.event_id WHERE b.id = $1`,
    values: [bookingId],
  });
  const b = rows[0];
  if (b) {
    return {
      booking_id: b.id,
      event_id: b.event_id,
      user_id: b.user_id,
      status: b.status,
      seq: b.seq,
      ...(b.seat_ids?.length ? { seats: b.seat_ids } : {}),
      ...(b.quantity
        ? { quantity: b.quantity, amount_cents: b.amount_cents ?? 0, amount: fromCents(b.amount_cents ?? 0) }
        : {}),
      ...(b.hold_expires_at ? { hold_expires_at: new Date(b.hold_expires_at).toISOString() } : {}),
      ...(b.reason ? { reason: b.reason } : {}),
      requested_at: new Date(b.requested_at).toISOString(),
      ...(b.decided_at ? { decided_at: new Date(b.decided_at).toISOString() } : {}),
      ...(b.source === 'waitlist' ? { source: 'waitlist' as const } : {}),
    };
  }
  return null;
}

/**
 * The record ingress wrote to Redis when the broker confirmed the request (status `queued`), or null.
 * It outlives the decision (until its TTL), so a caller that needs the latest status asks PostgreSQL too.
 */
export async function pendingBooking(redis: Redis, keys: RedisKeys, bookingId: string): Promise<BookingView | null> {
  const pending = await redis.hgetall(keys.pendingBooking(bookingId)).catch((): Record<string, string> => ({}));
  if (!pending.event_id) return null;
  return {
    booking_id: bookingId,
    event_id: pending.event_id,
    user_id: pending.user_id!,
    status: 'queued',
    // Stamped in a waiting room that is drawn: no number of its own until the draw.
    seq: pending.draw === '1' ? null : Number(pending.seq),
    requested_at: pending.requested_at!,
  };
}

/** Queue position of a queued request: requests of the event ahead of it, at least 1. */
export async function positionOf(redis: Redis, keys: RedisKeys, eventId: string, seq: number): Promise<number | null> {
  const wm = await redis.get(keys.eventWatermark(eventId)).catch(() => null);
  return Math.max(1, seq - Number(wm ?? 0));
}
