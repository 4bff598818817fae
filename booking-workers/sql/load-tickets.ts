import type { Pool } from '../../shared/db/pool';
import type { TicketState } from '../allocator/inventory';

interface TicketRow {
  id: string;
  order_id: string;
  booking_id: string;
  event_id: string;
  seat_id: string | null;
  unit: number | null;
  owner_user_id: string;
  version: number;
  status: 'valid' | 'void';
  issued_at: Date;
  owned_since: Date;
}

/**
 * Every ticket of the named bookings, and of the bookings the named tickets belong to: the single
 * writer caches tickets per booking, on demand (a transfer or a cancellation needs them).
 */
export async function loadTickets(
  pool: Pool,
  eventId: string,
  bookingIds: string[],
  ticketIds: string[],
): Promise<{ bookingIds: string[]; tickets: TicketState[] }> {
  const { rows } = await pool.query<TicketRow>({
    name: 'load-tickets',
    text: `SELECT id, order_id, booking_id, event_id, seat_id, unit, owner_user_id, version, status, issued_at, owned_since
           FROM tickets
           WHERE event_id = $1
             AND (booking_id = ANY($2::uuid[]) OR booking_id IN (SELECT booking_id FROM tickets WHERE id = ANY($3::uuid[])))`,
    values: [eventId, bookingIds, ticketIds],
  });
  const tickets: TicketState[] = rows.map((t) => ({
    id: t.id,
    orderId: t.order_id,
    bookingId: t.booking_id,
    eventId: t.event_id,
    seatId: t.seat_id,
    unit: t.unit,
    ownerUserId: t.owner_user_id,
    version: t.version,
    status: t.status,
    issuedAt: new Date(t.issued_at).toISOString(),
    ownedSince: new Date(t.owned_since).toISOString(),
  }));
  return { bookingIds: [...new Set([...bookingIds, ...tickets.map((t) => t.bookingId)])], tickets };
}
