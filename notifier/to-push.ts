import type { BookingResultPush, PushStatus } from '../shared/contracts/socket';

/** The fields of an outcome a socket is sent (from a broker result or a PostgreSQL row). */
export function toPush(r: {
  booking_id: string;
  event_id: string;
  status: PushStatus;
  decided_at: string;
  seats?: string[] | undefined;
  quantity?: number | undefined;
  amount_cents?: number | undefined;
  hold_expires_at?: string | undefined;
  // From a PostgreSQL row the reason is a plain string; it was written from the same typed set.
  reason?: string | undefined;
}): BookingResultPush {
  return {
    booking_id: r.booking_id,
    event_id: r.event_id,
    status: r.status,
    ...(r.seats ? { seats: r.seats } : {}),
    ...(r.quantity ? { quantity: r.quantity } : {}),
    ...(r.amount_cents !== undefined ? { amount_cents: r.amount_cents } : {}),
    ...(r.hold_expires_at ? { hold_expires_at: r.hold_expires_at } : {}),
    ...(r.reason ? { reason: r.reason as BookingResultPush['reason'] } : {}),
    decided_at: r.decided_at,
  };
}
