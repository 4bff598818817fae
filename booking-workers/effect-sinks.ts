import type { BookingResult } from '../shared/contracts/messages';
import { seatLabel, signBarcode, type TicketKeys } from '../shared/tickets/barcode';
import type { BookingState, EventInventory } from './allocator/inventory';
import type { Effects } from './allocator/payments';
import type { Batch } from './batch';
import type { Writer } from './command-handlers';

/**
 * Sinks for a payment-side decision that write its effects straight into the batch: booking rows and
 * announcements through the {@link Writer}, provider calls into `batch.payments`, the rest into
 * `batch.write` (see `allocator/effects.ts`).
 */
export function effectSinks(
  w: Writer,
  ctx: { partition: number; ticketKeys: TicketKeys },
  inv: EventInventory,
  batch: Batch,
  correlationId: string | undefined,
): Effects {
  const eventId = inv.eventId;
  const write = batch.write;
  const corr = correlationId ? { correlation_id: correlationId } : {};
  const sink = <T>(each: (item: T) => void) => ({ push: (...items: T[]) => items.forEach(each) });
  return {
    bookings: sink((b) => w.record(inv, b, batch, true)),
    unchanged: sink((b) => w.announceAgain(eventId, b, batch)),
    charges: sink((c) =>
      batch.payments.set(c.id, {
        kind: 'charge',
        id: c.id,
        booking_id: c.bookingId,
        event_id: eventId,
        partition: ctx.partition,
        amount_cents: c.amountCents,
        payment_method: c.paymentMethod,
        ...corr,
      }),
    ),
    refunds: sink((r) => {
      write.refunds.push({ eventId, refund: r });
      batch.payments.set(r.id, {
        kind: 'refund',
        id: r.id,
        booking_id: r.bookingId,
        event_id: eventId,
        partition: ctx.partition,
        charge_id: r.chargeId,
        amount_cents: r.amountCents,
        reason: r.reason,
        ...corr,
      });
    }),
    refundStatus: write.refundStatus,
    orders: sink((o) => write.orders.push({ eventId, order: o })),
    orderStatus: write.orderStatus,
    voidBookings: write.voidBookings,
    tickets: sink((t) =>
      write.tickets.push({
        ticket: t,
        barcode: signBarcode(ctx.ticketKeys, { t: t.id, e: t.eventId, s: seatLabel(t), v: t.version }),
      }),
    ),
    transfers: write.transfers,
    emails: write.emails,
    cancelledEvents: sink((id) => {
      write.cancelledEvents.push(id);
      batch.touched.add(eventId);
    }),
    refused: sink((r) =>
      w.log.info('command refused by the single writer', {
        event_id: eventId,
        id: r.id,
        why: r.why,
        correlation_id: correlationId,
      }),
    ),
  };
}

/** The announced outcome of a booking state (what the notifier pushes and ingress stores). */
export function resultOf(inv: EventInventory | undefined, eventId: string, b: BookingState): BookingResult {
  return {
    booking_id: b.id,
    event_id: eventId,
    user_id: b.userId,
    status: b.status,
    ...(b.seq !== null ? { seq: b.seq } : {}),
    ...(b.seatIdx.length && inv ? { seats: b.seatIdx.map((i) => inv.seats[i]!.id) } : {}),
    ...(b.quantity ? { quantity: b.quantity, amount_cents: b.amountCents } : {}),
    ...(b.totalCents !== undefined ? { fees_cents: b.feesCents ?? 0, total_cents: b.totalCents } : {}),
    ...(b.holdExpiresAt !== null ? { hold_expires_at: new Date(b.holdExpiresAt).toISOString() } : {}),
    ...(b.reason ? { reason: b.reason } : {}),
    ...(b.correlationId ? { correlation_id: b.correlationId } : {}),
    decided_at: b.decidedAt ?? new Date().toISOString(),
    ...(b.source ? { source: b.source } : {}),
  };
}
