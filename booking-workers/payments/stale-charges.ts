import type { Pool, NoRows } from '../../shared/db/pool';

/** A charge asked for long ago whose booking still waits for its outcome. */
export interface StaleCharge {
  id: string;
  bookingId: string;
  eventId: string;
  partition: number;
  amountCents: number;
}

/**
 * Current charge attempts (`<booking id>:a<n>`, n = the booking's attempts) recorded `pending` more
 * than `olderThanMs` ago whose booking is still `payment_pending`, oldest first.
 */
export async function listStaleCharges(pool: Pool, olderThanMs: number, limit = 100): Promise<StaleCharge[]> {
  const { rows } = await pool.query<{
    id: string;
    booking_id: string;
    event_id: string;
    partition: number;
    amount_cents: number;
  }>({
    name: 'list-stale-charges',
    text: `SELECT p.id, p.booking_id, p.event_id, e.partition, p.amount_cents
           FROM payments p
           JOIN bookings b ON b.id = p.booking_id
           JOIN events e ON e.id = p.event_id
           WHERE p.kind = 'charge' AND p.status = 'pending' AND b.status = 'payment_pending'
             AND p.id = b.id || ':a' || b.payment_attempts
             AND p.updated_at < now() - make_interval(secs => $1::double precision / 1000)
           ORDER BY p.updated_at
           LIMIT $2`,
    values: [olderThanMs, limit],
  });
  return rows.map((r) => ({
    id: r.id,
    bookingId: r.booking_id,
    eventId: r.event_id,
    partition: r.partition,
    amountCents: r.amount_cents,
  }));
}

/** Marks a charge as just looked at, so the next sweep waits another period before asking again. */
export async function touchPayment(pool: Pool, id: string): Promise<void> {
  await pool.query<NoRows>({
    name: 'touch-payment',
    text: 'UPDATE payments SET updated_at = now() WHERE id = $1',
    values: [id],
  });
}
