import type { BookingResultPush } from '../shared/contracts/socket';

/**
 * The fields of an outcome a socket is sent, from a broker result or a PostgreSQL row: both carry the
 * same typed status and reason (`BookingResult` / `BookingView`), so nothing is widened to a string.
 */
export type PushSource = Pick<BookingResultPush, 'booking_id' | 'event_id' | 'status' | 'decided_at'> & {
  [K in 'seats' | 'quantity' | 'amount_cents' | 'hold_expires_at' | 'reason']?: BookingResultPush[K] | undefined;
} & {
  seq?: number | null | undefined;
};

export function toPush(r: PushSource): BookingResultPush {
  return {
    booking_id: r.booking_id,
    event_id: r.event_id,
    status: r.status,
    ...(r.seats ? { seats: r.seats } : {}),
    ...(r.quantity ? { quantity: r.quantity } : {}),
    ...(r.amount_cents !== undefined ? { amount_cents: r.amount_cents } : {}),
    ...(r.hold_expires_at ? { hold_expires_at: r.hold_expires_at } : {}),
    // Reasons come from the outcome's own schema (broker) or a row PostgreSQL checked against the same list.
    ...(r.reason ? { reason: r.reason } : {}),
    decided_at: r.decided_at,
    // A request still queued is only announced by the draw: its drawn number gives its position.
    ...(r.status === 'queued' && typeof r.seq === 'number' ? { seq: r.seq, queue: 'drawn' } : {}),
  };
}
