import type { ReservedSectionLayout } from '../../shared/contracts/events';
import type { PoolClient, NoRows } from '../../shared/db/pool';
import { FencedError } from '../../shared/errors';
import type { BookingState, SeatInfo, TicketState } from '../allocator/inventory';
import type { EmailIntent, OrderIntent, RefundIntent } from '../allocator/payments';
import { recordDraws, recordQueueModes, type DrawWrite } from './record-draw';
import { recordPresaleUses } from './presale-rows';
import { recordWaitlistOffers } from './waitlist-rows';
import type { PresaleUse } from '../allocator/presale';

/** Everything one batch of decisions changes, written in one transaction. */
export interface BatchWrite {
  partition: number;
  epoch: number;
  bookings: Array<{ eventId: string; state: BookingState; seatIds: string[] }>;
  seats: Array<{ eventId: string; seatId: string; status: 'available' | 'held' | 'sold'; bookingId: string | null }>;
  gaAvailable: Array<{ eventId: string; available: number }>;
  /** Seats created in this batch (inventory.init, or sections added by inventory.add). */
  newSeats: Array<{ eventId: string; seats: SeatInfo[] }>;
  readyEvents: string[];
  // checkout, payments, tickets
  orders: Array<{ eventId: string; order: OrderIntent }>;
  orderStatus: Array<{ bookingId: string; status: 'cancelled' | 'refunded' }>;
  /** Bookings whose tickets all become void (written before `tickets`, so a re-sold seat's new ticket fits the unique index). */
  voidBookings: string[];
  tickets: Array<{ ticket: TicketState; barcode: string }>;
  transfers: Array<{ ticketId: string; version: number; fromUserId: string; toUserId: string }>;
  refunds: Array<{ eventId: string; refund: RefundIntent }>;
  refundStatus: Array<{ id: string; status: 'succeeded' | 'failed' }>;
  emails: EmailIntent[];
  cancelledEvents: string[];
  /** New prices of unsold seats (by seat) and of sections / GA units in events.layout. */
  seatPrices: Array<{ eventId: string; seatId: string; priceCents: number }>;
  layoutPrices: Array<{
    eventId: string;
    sections: Array<{ name: string; price_cents: number }>;
    gaPriceCents?: number;
  }>;
  /** Inventory added to an event (inventory.add): its new capacity and, reserved, the sections appended to events.layout. */
  layoutAdditions: Array<{ eventId: string; capacity: number; sections: ReservedSectionLayout[] }>;
  /** Waiting rooms drawn (the drawn sequence numbers travel in `bookings`). */
  draws: DrawWrite[];
  queueModes: Array<{ eventId: string; queueMode: 'draw' | 'fifo' }>;
  /** Presale bookings that got a hold: their presale and code (the durable count of uses). */
  presaleUses: PresaleUse[];
  /** Waitlist entries that got an offer (the booking row is in `bookings`). */
  waitlistOffers: Array<{ entryId: string; bookingId: string; offeredAt: string }>;
}

export function emptyBatchWrite(partition: number, epoch: number): BatchWrite {
  return {
    partition,
    epoch,
    bookings: [],
    seats: [],
    gaAvailable: [],
    newSeats: [],
    readyEvents: [],
    orders: [],
    orderStatus: [],
    voidBookings: [],
    tickets: [],
    transfers: [],
    refunds: [],
    refundStatus: [],
    emails: [],
    cancelledEvents: [],
    seatPrices: [],
    layoutPrices: [],
    layoutAdditions: [],
    draws: [],
    queueModes: [],
    presaleUses: [],
    waitlistOffers: [],
  };
}

/** True when the batch has anything to write: any list of rows is non-empty (derived, never summed by hand). */
export function hasWrites(w: BatchWrite): boolean {
  return Object.values(w).some((v) => Array.isArray(v) && v.length > 0);
}

/**
 * Writes one batch inside the caller's transaction. The first statement is the fence: it touches the
 * partition row only while the epoch is still ours, and holds that row until COMMIT, so a newer
 * worker's activation waits for this commit and every later commit of ours fails.
 */
export async function commitBatch(client: PoolClient, w: BatchWrite): Promise<void> {
  const fence = await client.query<NoRows>({
    name: 'fence-partition',
    text: 'UPDATE partitions SET last_commit_at = now() WHERE id = $1 AND epoch = $2',
    values: [w.partition, w.epoch],
  });
  if (fence.rowCount !== 1) throw new FencedError(`partition ${w.partition}: epoch ${w.epoch} is stale`);

  for (const n of w.newSeats) {
    await client.query<NoRows>({
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
    await client.query<NoRows>({
      name: 'mark-inventory-ready',
      text: 'UPDATE events SET inventory_ready = true, updated_at = now() WHERE id = ANY($1::uuid[])',
      values: [w.readyEvents],
    });
  }

  if (w.bookings.length) {
    // One row per booking: the last state of a booking decided twice in a batch wins.
    const last = new Map(w.bookings.map((b) => [b.state.id, b]));
    const rows = [...last.values()];
    await client.query<NoRows>({
      name: 'upsert-bookings',
      text: `INSERT INTO bookings (id, event_id, user_id, status, seq, request, seat_ids, quantity, amount_cents, reason,
                                   hold_expires_at, correlation_id, requested_at, decided_at,
                                   fees_cents, total_cents, payment_method, payment_attempts, charge_id)
             SELECT v.id, v.event_id, v.user_id, v.status, v.seq, v.request, 
                    CASE WHEN v.seat_ids = '' THEN NULL ELSE string_to_array(v.seat_ids, chr(31)) END,
                    v.quantity, v.amount_cents, v.reason, v.hold_expires_at, v.correlation_id, v.requested_at, v.decided_at,
                    v.fees_cents, v.total_cents, v.payment_method, v.payment_attempts, v.charge_id
             FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::jsonb[], $7::text[], $8::int[], $9::int[],
                         $10::text[], $11::timestamptz[], $12::text[], $13::timestamptz[], $14::timestamptz[],
                         $15::int[], $16::int[], $17::text[], $18::int[], $19::text[])
                  AS v(id, event_id, user_id, status, seq, request, seat_ids, quantity, amount_cents, reason,
                       hold_expires_at, correlation_id, requested_at, decided_at,
                       fees_cents, total_cents, payment_method, payment_attempts, charge_id)
             ON CONFLICT (id) DO UPDATE SET
               status = EXCLUDED.status, seq = COALESCE(EXCLUDED.seq, bookings.seq), seat_ids = EXCLUDED.seat_ids, quantity = EXCLUDED.quantity,
               amount_cents = EXCLUDED.amount_cents, reason = EXCLUDED.reason, hold_expires_at = EXCLUDED.hold_expires_at,
               decided_at = EXCLUDED.decided_at, fees_cents = EXCLUDED.fees_cents, total_cents = EXCLUDED.total_cents,
               payment_method = EXCLUDED.payment_method, payment_attempts = EXCLUDED.payment_attempts,
               charge_id = EXCLUDED.charge_id, updated_at = now()`,
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
        rows.map((b) => b.state.feesCents ?? null),
        rows.map((b) => b.state.totalCents ?? null),
        rows.map((b) => b.state.paymentMethod ?? null),
        rows.map((b) => b.state.paymentAttempts ?? 0),
        rows.map((b) => b.state.chargeId ?? null),
      ],
    });
  }
  if (w.draws.length) await recordDraws(client, w.draws);
  if (w.queueModes.length) await recordQueueModes(client, w.queueModes);
  if (w.presaleUses.length) await recordPresaleUses(client, w.presaleUses);
  if (w.waitlistOffers.length) await recordWaitlistOffers(client, w.waitlistOffers);

  if (w.seats.length) {
    const last = new Map(w.seats.map((s) => [`${s.eventId}\u0000${s.seatId}`, s]));
    const rows = [...last.values()];
    await client.query<NoRows>({
      name: 'update-seats',
      text: `UPDATE seats SET status = v.status, booking_id = v.booking_id
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) AS v(event_id, id, status, booking_id)
             WHERE seats.event_id = v.event_id AND seats.id = v.id`,
      values: [
        rows.map((s) => s.eventId),
        rows.map((s) => s.seatId),
        rows.map((s) => s.status),
        rows.map((s) => s.bookingId),
      ],
    });
  }

  if (w.gaAvailable.length) {
    const last = new Map(w.gaAvailable.map((g) => [g.eventId, g.available]));
    await client.query<NoRows>({
      name: 'update-ga-available',
      text: `UPDATE events SET ga_available = v.available, updated_at = now()
             FROM unnest($1::uuid[], $2::int[]) AS v(id, available) WHERE events.id = v.id`,
      values: [[...last.keys()], [...last.values()]],
    });
  }

  await commitPrices(client, w);
  await commitAdditions(client, w);
  await commitPayments(client, w);
}

/** Inventory added to existing events: capacity, and the layout the seats were expanded from. */
async function commitAdditions(client: PoolClient, w: BatchWrite): Promise<void> {
  for (const a of w.layoutAdditions) {
    await client.query<NoRows>({
      name: 'add-inventory-layout',
      text: `UPDATE events SET updated_at = now(), capacity = $2, layout = CASE
               WHEN layout->>'kind' = 'general_admission' THEN jsonb_set(layout, '{capacity}', to_jsonb($2::int))
               ELSE jsonb_set(layout, '{sections}', (layout->'sections') || $3::jsonb) END
             WHERE id = $1`,
      values: [a.eventId, a.capacity, JSON.stringify(a.sections)],
    });
  }
}

/** New prices for unsold inventory: the seats the single writer repriced, and the event's layout. */
async function commitPrices(client: PoolClient, w: BatchWrite): Promise<void> {
  if (w.seatPrices.length) {
    await client.query<NoRows>({
      name: 'reprice-seats',
      text: `UPDATE seats SET price_cents = v.price FROM unnest($1::uuid[], $2::text[], $3::int[]) AS v(event_id, id, price)
             WHERE seats.event_id = v.event_id AND seats.id = v.id`,
      values: [
        w.seatPrices.map((p) => p.eventId),
        w.seatPrices.map((p) => p.seatId),
        w.seatPrices.map((p) => p.priceCents),
      ],
    });
  }
  for (const l of w.layoutPrices) {
    await client.query<NoRows>({
      name: 'reprice-layout',
      text: `UPDATE events SET updated_at = now(), layout = CASE
               WHEN layout->>'kind' = 'general_admission' AND $4::int IS NOT NULL THEN jsonb_set(layout, '{price_cents}', to_jsonb($4::int))
               WHEN layout->>'kind' = 'reserved' THEN jsonb_set(layout, '{sections}', (
                 SELECT jsonb_agg(CASE WHEN array_position($2::text[], s->>'name') IS NULL THEN s
                                       ELSE jsonb_set(s, '{price_cents}', to_jsonb(($3::int[])[array_position($2::text[], s->>'name')])) END
                                  ORDER BY ord)
                 FROM jsonb_array_elements(layout->'sections') WITH ORDINALITY AS x(s, ord)))
               ELSE layout END
             WHERE id = $1`,
      values: [l.eventId, l.sections.map((s) => s.name), l.sections.map((s) => s.price_cents), l.gaPriceCents ?? null],
    });
  }
}

/** Orders, tickets, transfers, refunds, e-mails and event cancellations of the batch (same transaction). */
async function commitPayments(client: PoolClient, w: BatchWrite): Promise<void> {
  if (w.cancelledEvents.length) {
    await client.query<NoRows>({
      name: 'cancel-events',
      // `status` is the catalog's view of the event (migration 002); `cancelled_at` is when its inventory was cancelled.
      text: `UPDATE events SET cancelled_at = COALESCE(cancelled_at, now()), status = 'cancelled', updated_at = now() WHERE id = ANY($1::uuid[])`,
      values: [w.cancelledEvents],
    });
  }
  if (w.orders.length) {
    const o = w.orders.map((x) => x.order);
    await client.query<NoRows>({
      name: 'insert-orders',
      text: `INSERT INTO orders (id, booking_id, user_id, event_id, amount_cents, fees_cents, total_cents, charge_id)
             SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::int[], $6::int[], $7::int[], $8::text[])
             ON CONFLICT (booking_id) DO NOTHING`,
      values: [
        o.map((x) => x.id),
        o.map((x) => x.bookingId),
        o.map((x) => x.userId),
        w.orders.map((x) => x.eventId),
        o.map((x) => x.amountCents),
        o.map((x) => x.feesCents),
        o.map((x) => x.totalCents),
        o.map((x) => x.chargeId),
      ],
    });
  }
  if (w.orderStatus.length) {
    const last = new Map(w.orderStatus.map((x) => [x.bookingId, x.status]));
    await client.query<NoRows>({
      name: 'update-order-status',
      text: `UPDATE orders SET status = v.status, updated_at = now()
             FROM unnest($1::uuid[], $2::text[]) AS v(booking_id, status) WHERE orders.booking_id = v.booking_id`,
      values: [[...last.keys()], [...last.values()]],
    });
  }
  if (w.voidBookings.length) {
    await client.query<NoRows>({
      name: 'void-booking-tickets',
      text: `UPDATE tickets SET status = 'void', updated_at = now() WHERE booking_id = ANY($1::uuid[]) AND status = 'valid'`,
      values: [w.voidBookings],
    });
  }
  if (w.tickets.length) {
    const last = [...new Map(w.tickets.map((t) => [t.ticket.id, t])).values()];
    await client.query<NoRows>({
      name: 'upsert-tickets',
      text: `INSERT INTO tickets (id, order_id, booking_id, event_id, seat_id, unit, owner_user_id, version, status, barcode, issued_at, owned_since)
             SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::int[], $7::text[], $8::int[],
                                  $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[])
             ON CONFLICT (id) DO UPDATE SET owner_user_id = EXCLUDED.owner_user_id, version = EXCLUDED.version, status = EXCLUDED.status,
               barcode = EXCLUDED.barcode, owned_since = EXCLUDED.owned_since, updated_at = now()`,
      values: [
        last.map((t) => t.ticket.id),
        last.map((t) => t.ticket.orderId),
        last.map((t) => t.ticket.bookingId),
        last.map((t) => t.ticket.eventId),
        last.map((t) => t.ticket.seatId),
        last.map((t) => t.ticket.unit),
        last.map((t) => t.ticket.ownerUserId),
        last.map((t) => t.ticket.version),
        last.map((t) => t.ticket.status),
        last.map((t) => t.barcode),
        last.map((t) => t.ticket.issuedAt),
        last.map((t) => t.ticket.ownedSince),
      ],
    });
  }
  if (w.transfers.length) {
    await client.query<NoRows>({
      name: 'insert-ticket-transfers',
      text: `INSERT INTO ticket_transfers (ticket_id, version, from_user_id, to_user_id)
             SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
      values: [
        w.transfers.map((t) => t.ticketId),
        w.transfers.map((t) => t.version),
        w.transfers.map((t) => t.fromUserId),
        w.transfers.map((t) => t.toUserId),
      ],
    });
  }
  if (w.refunds.length) {
    const r = [...new Map(w.refunds.map((x) => [x.refund.id, x])).values()];
    await client.query<NoRows>({
      name: 'insert-refunds',
      text: `INSERT INTO refunds (id, booking_id, event_id, charge_id, amount_cents, reason)
             SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::text[]) ON CONFLICT DO NOTHING`,
      values: [
        r.map((x) => x.refund.id),
        r.map((x) => x.refund.bookingId),
        r.map((x) => x.eventId),
        r.map((x) => x.refund.chargeId),
        r.map((x) => x.refund.amountCents),
        r.map((x) => x.refund.reason),
      ],
    });
  }
  if (w.refundStatus.length) {
    const last = new Map(w.refundStatus.map((x) => [x.id, x.status]));
    await client.query<NoRows>({
      name: 'update-refund-status',
      text: `UPDATE refunds SET status = v.status, updated_at = now()
             FROM unnest($1::text[], $2::text[]) AS v(id, status) WHERE refunds.id = v.id AND refunds.status <> 'succeeded'`,
      values: [[...last.keys()], [...last.values()]],
    });
  }
  if (w.emails.length) {
    await client.query<NoRows>({
      name: 'insert-emails',
      text: `INSERT INTO email_outbox (dedupe_key, user_id, template, payload)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) ON CONFLICT (dedupe_key) DO NOTHING`,
      values: [
        w.emails.map((e) => e.dedupeKey),
        w.emails.map((e) => e.userId),
        w.emails.map((e) => e.template),
        w.emails.map((e) => JSON.stringify(e.payload)),
      ],
    });
  }
}
