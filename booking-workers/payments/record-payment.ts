import type { Pool, NoRows } from '../../shared/db/pool';

/** Records one provider call of the payment stage (id = idempotency key; a repeat updates the row). */
export async function recordPayment(
  pool: Pool,
  p: {
    id: string;
    kind: 'charge' | 'refund';
    bookingId: string;
    eventId: string;
    amountCents: number;
    status: 'pending' | 'unavailable' | 'failed';
    providerId?: string;
    error?: string;
  },
): Promise<void> {
  await pool.query<NoRows>({
    name: 'record-payment',
    text: `INSERT INTO payments (id, kind, booking_id, event_id, amount_cents, status, provider_id, error)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, provider_id = COALESCE(EXCLUDED.provider_id, payments.provider_id),
             error = EXCLUDED.error, updated_at = now()`,
    values: [p.id, p.kind, p.bookingId, p.eventId, p.amountCents, p.status, p.providerId ?? null, p.error ?? null],
  });
}
