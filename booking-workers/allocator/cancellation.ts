import type { EventInventory, TicketState } from './inventory';
import { addUserQty, freeSeat, ticketsOf } from './inventory';
import { release } from './allocate';
import type { Effects } from './effects';
import { iso, refundOf, reRequestRefund, set } from './transition-steps';

/* Cancellation and refunds: a confirmed booking cancelled and refunded, a refund's outcome, a cancelled event. */

/**
 * Cancels a confirmed booking: its tickets become void, its seats or units go back on sale, its
 * charge is refunded. A buyer may do this only when the event is refundable, has not started, and
 * none of the booking's tickets was transferred away; an organizer's event cancellation always may.
 * Tickets must be cached for the booking (the consumer loads them before deciding).
 */
export function cancelConfirmed(
  inv: EventInventory,
  bookingId: string,
  by: { userId: string } | 'organizer',
  now: number,
  fx: Effects,
): boolean {
  const b = inv.bookings.get(bookingId);
  if (!b || b.status !== 'confirmed') return false;
  const tickets = ticketsOf(inv, b.id);
  if (by !== 'organizer') {
    const why =
      b.userId !== by.userId
        ? 'not the owner'
        : !inv.refundable
          ? 'event not refundable'
          : now >= inv.startsAt
            ? 'event started'
            : !inv.bookingTickets.has(b.id)
              ? 'tickets not loaded'
              : tickets.some((t) => t.ownerUserId !== b.userId)
                ? 'a ticket was transferred'
                : null;
    if (why) {
      fx.refused.push({ id: b.id, why });
      fx.unchanged.push(b);
      return false;
    }
  }
  if (inv.kind === 'general_admission') inv.available += b.quantity;
  else for (const idx of b.seatIdx) freeSeat(inv, idx);
  addUserQty(inv, b.userId, -b.quantity);
  const reason = by === 'organizer' ? 'event_cancelled' : 'cancelled_by_user';
  const next = set(inv, { ...b, status: 'cancelled', reason, holdExpiresAt: null, decidedAt: iso(now) }, fx);
  for (const t of tickets) {
    if (t.status !== 'valid') continue;
    const voided: TicketState = { ...t, status: 'void' };
    inv.tickets.set(t.id, voided);
    fx.tickets.push(voided);
  }
  fx.voidBookings.push(b.id);
  fx.orderStatus.push({ bookingId: b.id, status: 'cancelled' });
  const amount = b.totalCents ?? b.amountCents;
  if (b.chargeId) {
    fx.refunds.push(refundOf(next, b.chargeId, amount, reason));
    fx.emails.push({
      dedupeKey: `payment_refunded:${b.chargeId}`,
      userId: b.userId,
      template: 'payment_refunded',
      payload: { booking_id: b.id, event_id: inv.eventId, charge_id: b.chargeId, amount_cents: amount, reason },
    });
  }
  return true;
}

/** A refund's outcome: the cancelled booking it pays back becomes `refunded`; duplicates change nothing. */
export function applyRefundResult(
  inv: EventInventory,
  cmd: { bookingId: string; refundId: string; chargeId: string; outcome: 'succeeded' | 'failed' },
  now: number,
  fx: Effects,
): void {
  fx.refundStatus.push({ id: cmd.refundId, status: cmd.outcome });
  const b = inv.bookings.get(cmd.bookingId);
  if (!b) return;
  if (cmd.outcome === 'failed') {
    fx.refused.push({ id: cmd.refundId, why: 'the provider refused the refund; an operator must look at it' });
    return;
  }
  if (b.status === 'cancelled' && b.chargeId === cmd.chargeId) {
    set(inv, { ...b, status: 'refunded', decidedAt: iso(now) }, fx);
    fx.orderStatus.push({ bookingId: b.id, status: 'refunded' });
  } else if (b.chargeId === cmd.chargeId) {
    fx.unchanged.push(b);
  }
}

/**
 * The organizer cancels the event: parked requests are rejected, holds released, confirmed bookings
 * cancelled and refunded, and every later request is rejected (`event_cancelled`). Redelivered, it
 * asks again for the refunds still pending.
 */
export function cancelEvent(inv: EventInventory, now: number, fx: Effects): void {
  if (inv.cancelled) {
    for (const b of inv.bookings.values()) if (b.reason === 'event_cancelled') reRequestRefund(b, fx);
    return;
  }
  inv.cancelled = true;
  fx.cancelledEvents.push(inv.eventId);
  for (const b of [...inv.bookings.values()]) {
    if (b.status === 'queued') {
      set(inv, { ...b, status: 'rejected', reason: 'event_cancelled', decidedAt: iso(now) }, fx);
    } else if (b.status === 'held' || b.status === 'payment_pending') {
      const next = release(inv, b.id, 'cancelled', now, 'event_cancelled');
      if (next) fx.bookings.push(next);
    } else if (b.status === 'confirmed') {
      cancelConfirmed(inv, b.id, 'organizer', now, fx);
    }
  }
  inv.backlog = [];
}
