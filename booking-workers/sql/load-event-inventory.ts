import type { Pool } from '../../shared/db/pool';
import { getEventRow, type EventRow } from '../../shared/sql/get-event';
import type { BookingState, InventorySource, SeatInfo } from '../allocator/inventory';
import type { BookingRequest, BookingStatus } from '../../shared/contracts/messages';
import type { BookingReason } from '../../shared/errors';

/** A `bookings` row as the single writer reads it back (written only by it, so its values are its own). */
interface BookingRow {
  id: string;
  user_id: string;
  status: BookingStatus;
  seq: number | null;
  request: BookingRequest;
  seat_ids: string[] | null;
  quantity: number | null;
  amount_cents: number | null;
  reason: BookingReason | null;
  hold_expires_at: Date | null;
  correlation_id: string | null;
  requested_at: Date;
  decided_at: Date | null;
  fees_cents: number | null;
  total_cents: number | null;
  payment_method: string | null;
  payment_attempts: number | null;
  charge_id: string | null;
  source: 'queue' | 'waitlist';
}

/** Everything the single writer needs to rebuild an event's inventory in memory. */
export async function loadEventInventory(
  pool: Pool,
  eventId: string,
): Promise<{ event: EventRow; source: InventorySource } | null> {
  const event = await getEventRow(pool, eventId);
  if (!event) return null;
  const [seats, bookings, draw] = await Promise.all([
    pool.query<{
      id: string;
      section: string;
      row_number: number;
      seat_number: number;
      rank: number;
      price_cents: number;
      price_tier: string;
    }>({
      name: 'load-seats',
      text: 'SELECT id, section, row_number, seat_number, rank, price_cents, price_tier FROM seats WHERE event_id = $1 ORDER BY rank',
      values: [eventId],
    }),
    pool.query<BookingRow>({
      name: 'load-bookings',
      text: `SELECT id, user_id, status, seq, request, seat_ids, quantity, amount_cents, reason, hold_expires_at,
                    correlation_id, requested_at, decided_at, fees_cents, total_cents, payment_method, payment_attempts, charge_id, source
             FROM bookings WHERE event_id = $1`,
      values: [eventId],
    }),
    pool.query<{ drawn_at: Date }>({
      name: 'load-draw',
      text: 'SELECT drawn_at FROM event_draws WHERE event_id = $1',
      values: [eventId],
    }),
  ]);
  const seatList: SeatInfo[] = seats.rows.map((s) => ({
    id: s.id,
    section: s.section,
    row: s.row_number,
    number: s.seat_number,
    rank: s.rank,
    priceCents: s.price_cents,
    tier: s.price_tier,
  }));
  const rankOf = new Map(seatList.map((s) => [s.id, s.rank]));
  const bookingList: BookingState[] = bookings.rows.map((b) => ({
    id: b.id,
    userId: b.user_id,
    status: b.status,
    seq: b.seq,
    request: b.request,
    seatIdx: (b.seat_ids ?? []).map((id) => rankOf.get(id)).filter((i): i is number => i !== undefined),
    quantity: b.quantity ?? 0,
    amountCents: b.amount_cents ?? 0,
    holdExpiresAt: b.hold_expires_at ? new Date(b.hold_expires_at).getTime() : null,
    reason: b.reason,
    correlationId: b.correlation_id,
    requestedAt: new Date(b.requested_at).toISOString(),
    decidedAt: b.decided_at ? new Date(b.decided_at).toISOString() : null,
    ...(b.total_cents !== null ? { feesCents: b.fees_cents ?? 0, totalCents: b.total_cents } : {}),
    paymentMethod: b.payment_method,
    paymentAttempts: b.payment_attempts ?? 0,
    chargeId: b.charge_id,
    ...(b.source === 'waitlist' ? { source: 'waitlist' as const } : {}),
  }));
  const layout = event.layout;
  return {
    event,
    source: {
      eventId,
      kind: event.kind,
      ready: event.inventory_ready,
      holdSeconds: event.hold_seconds,
      maxPerUser: event.max_per_user,
      onSaleAt: event.on_sale_at.getTime(),
      settings: { throttlePerS: event.throttle_per_s, paused: event.paused },
      capacity: event.capacity,
      gaPriceCents: layout.kind === 'general_admission' ? layout.price_cents : 0,
      gaAvailable: event.ga_available,
      seats: seatList,
      bookings: bookingList,
      refundable: event.refundable,
      startsAt: event.starts_at.getTime(),
      cancelled: event.cancelled_at !== null || event.status === 'cancelled',
      queueMode: event.queue_mode,
      drawnAt: draw.rows[0] ? draw.rows[0].drawn_at.getTime() : null,
    },
  };
}
