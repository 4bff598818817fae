import type { PoolClient } from '../../shared/db/pool';
import { FencedError } from '../../shared/errors';
import type { BookingState, SeatInfo } from '../allocator/inventory';

/** Everything one batch of decisions changes, written in one transaction. */
export interface BatchWrite {
  partition: number;
  epoch: number;
  bookings: Array<{ eventId: string; state: BookingState; seatIds: string[] }>;
  seats: Array<{ eventId: string; seatId: string; status: 'available' | 'held' | 'sold'; bookingId: string | null }>;
  gaAvailable: Array<{ eventId: string; available: number }>;
  /** Inventory created in this batch (inventory.init). */
  newSeats: Array<{ eventId: string; seats: SeatInfo[] }>;
  readyEvents: string[];
}

export function emptyBatchWrite(partition: number, epoch: number): BatchWrite {
  return { partition, epoch, bookings: [], seats: [], gaAvailable: [], newSeats: [], readyEvents: [] };
}

export function hasWrites(w: BatchWrite): boolean {
  return w.bookings.length + w.seats.length + w.gaAvailable.length + w.newSeats.length + w.readyEvents.length > 0;
}

/**
 * Writes one batch inside the caller's transaction. The first statement is the fence: it touches the
 * partition row only while the epoch is still ours, and holds that row until COMMIT, so a newer
 * worker's activation waits for this commit and every later commit of ours fails.
 */
export async function commitBatch(client: PoolClient, w: BatchWrite): Promise<void> {
  const fence = await client.query({
    name: 'fence-partition',
    text: 'UPDATE partitions SET last_commit_at = now() WHERE id = $1 AND epoch = $2',
    values: [w.partition, w.epoch],
  });
  if (fence.rowCount !== 1) throw new FencedError(`partition ${w.partition}: epoch ${w.epoch} is stale`);

  for (const n of w.newSeats) {
    await client.query({
      name: 'insert-seats',
      text: `INSERT INTO seats (event_id, id, section, row_number, seat_number, rank, price_cents, price_tier)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::text[])
             ON CONFLICT DO NOTHING`,
      values: [
        n.eventId,
        n.seats.map((s) => s.id),
        n.seats.map((s) => s.section),
        n.seats.map((s) => s.row),
        n.seats.map((s) => s.number),
        n.seats.map((s) => s.rank),
        n.seats.map((s) => s.priceCents),
        n.seats.map((s) => s.tier),
      ],
    });
  }
  if (w.readyEvents.length) {
    await client.query({
      name: 'mark-inventory-ready',
      text: 'UPDATE events SET inventory_ready = true, updated_at = now() WHERE id = ANY($1::uuid[])',
      values: [w.readyEvents],
    });
  }

  if (w.bookings.length) {
    // One row per booking: the last state of a booking decided twice in a batch wins.
    const last = new Map(w.bookings.map((b) => [b.state.id, b]));
    const rows = [...last.values()];
    await client.query({
      name: 'upsert-bookings',
      text: `INSERT INTO bookings (id, event_id, user_id, status, seq, request, seat_ids, quantity, amount_cents, reason,
                                   hold_expires_at, correlation_id, requested_at, decided_at)
             SELECT v.id, v.event_id, v.user_id, v.status, v.seq, v.request, 
                    CASE WHEN v.seat_ids = '' THEN NULL ELSE string_to_array(v.seat_ids, chr(31)) END,
                    v.quantity, v.amount_cents, v.reason, v.hold_expires_at, v.correlation_id, v.requested_at, v.decided_at
             FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::jsonb[], $7::text[], $8::int[], $9::int[],
                         $10::text[], $11::timestamptz[], $12::text[], $13::timestamptz[], $14::timestamptz[])
                  AS v(id, event_id, user_id, status, seq, request, seat_ids, quantity, amount_cents, reason,
                       hold_expires_at, correlation_id, requested_at, decided_at)
             ON CONFLICT (id) DO UPDATE SET
               status = EXCLUDED.status, seat_ids = EXCLUDED.seat_ids, quantity = EXCLUDED.quantity,
               amount_cents = EXCLUDED.amount_cents, reason = EXCLUDED.reason, hold_expires_at = EXCLUDED.hold_expires_at,
               decided_at = EXCLUDED.decided_at, updated_at = now()`,
      values: [
        rows.map((b) => b.state.id),
        rows.map((b) => b.eventId),
        rows.map((b) => b.state.userId),
        rows.map((b) => b.state.status),
        rows.map((b) => b.state.seq),
        rows.map((b) => JSON.stringify(b.state.request)),
        rows.map((b) => b.seatIds.join('\u001f')),
        rows.map((b) => b.state.quantity),
        rows.map((b) => b.state.amountCents),
        rows.map((b) => b.state.reason),
        rows.map((b) => (b.state.holdExpiresAt === null ? null : new Date(b.state.holdExpiresAt).toISOString())),
        rows.map((b) => b.state.correlationId),
        rows.map((b) => b.state.requestedAt),
        rows.map((b) => b.state.decidedAt),
      ],
    });
  }

  if (w.seats.length) {
    const last = new Map(w.seats.map((s) => [`${s.eventId}\u0000${s.seatId}`, s]));
    const rows = [...last.values()];
    await client.query({
      name: 'update-seats',
      text: `UPDATE seats SET status = v.status, booking_id = v.booking_id
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) AS v(event_id, id, status, booking_id)
             WHERE seats.event_id = v.event_id AND seats.id = v.id`,
      values: [rows.map((s) => s.eventId), rows.map((s) => s.seatId), rows.map((s) => s.status), rows.map((s) => s.bookingId)],
    });
  }

  if (w.gaAvailable.length) {
    const last = new Map(w.gaAvailable.map((g) => [g.eventId, g.available]));
    await client.query({
      name: 'update-ga-available',
      text: `UPDATE events SET ga_available = v.available, updated_at = now()
             FROM unnest($1::uuid[], $2::int[]) AS v(id, available) WHERE events.id = v.id`,
      values: [[...last.keys()], [...last.values()]],
    });
  }
}
