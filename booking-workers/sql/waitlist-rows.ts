import type { NoRows, Pool, PoolClient } from '../../shared/db/pool';
import type { BookingRequest } from '../../shared/contracts/messages';
import type { WaitlistEntry } from '../allocator/waitlist';

/** The event's waiting entries, in entry order, as the single writer keeps them. */
export async function loadWaitlist(pool: Pool, eventId: string): Promise<WaitlistEntry[]> {
  const { rows } = await pool.query<{
    id: string;
    user_id: string;
    quantity: number;
    section: string | null;
    price_tier: string | null;
    max_price_cents: number | null;
  }>({
    name: 'load-waitlist',
    text: "SELECT id, user_id, quantity, section, price_tier, max_price_cents FROM waitlist_entries WHERE event_id = $1 AND status = 'waiting' ORDER BY ord",
    values: [eventId],
  });
  return rows.map((r) => ({ id: r.id, userId: r.user_id, request: waitlistRequest(r), status: 'waiting' }));
}

/** A waitlist entry's request as a booking request. */
export function waitlistRequest(r: {
  quantity: number;
  section: string | null;
  price_tier: string | null;
  max_price_cents: number | null;
}): BookingRequest {
  return {
    quantity: r.quantity,
    ...(r.section !== null ? { section: r.section } : {}),
    ...(r.price_tier !== null ? { price_tier: r.price_tier } : {}),
    ...(r.max_price_cents !== null ? { max_price_cents: r.max_price_cents } : {}),
  };
}

/** Marks offers (after the bookings upsert, in the batch transaction): the entry is offered, the booking comes from the waitlist. */
export async function recordWaitlistOffers(
  client: PoolClient,
  offers: ReadonlyArray<{ entryId: string; bookingId: string; offeredAt: string }>,
): Promise<void> {
  await client.query<NoRows>({
    name: 'set-waitlist-offers',
    text: `UPDATE waitlist_entries SET status = 'offered', offer_booking_id = v.booking_id, offered_at = v.offered_at
           FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS v(id, booking_id, offered_at) WHERE waitlist_entries.id = v.id`,
    values: [offers.map((o) => o.entryId), offers.map((o) => o.bookingId), offers.map((o) => o.offeredAt)],
  });
  await client.query<NoRows>({
    name: 'set-booking-source-waitlist',
    text: "UPDATE bookings SET source = 'waitlist' WHERE id = ANY($1::uuid[])",
    values: [offers.map((o) => o.bookingId)],
  });
}
