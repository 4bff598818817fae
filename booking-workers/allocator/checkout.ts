import type { BookingState, EventInventory, TicketState } from './inventory';
import { cacheTickets, clearActive, scheduleExpiry } from './inventory';
import type { Effects, OrderIntent, PaymentPolicy } from './effects';
import { chargeOf, expireIfDue, iso, priceOf, refundOf, reRequestRefund, set } from './transition-steps';

/* Checkout and the payment result: `held` → `payment_pending` → `confirmed` (or back to held/expired). */

/**
 * `held` → `payment_pending`: prices the booking (seats + fees), extends the hold by the payment grace
 * (at the first checkout only, so retries cannot stretch a hold forever) and asks for a charge.
 */
export function startCheckout(
  inv: EventInventory,
  cmd: { bookingId: string; userId: string; paymentMethod: string },
  now: number,
  policy: PaymentPolicy,
  fx: Effects,
): void {
  const found = inv.bookings.get(cmd.bookingId);
  if (!found || found.userId !== cmd.userId) {
    fx.refused.push({ id: cmd.bookingId, why: 'checkout of an unknown booking or by another user' });
    return;
  }
  const b = expireIfDue(inv, found, now, fx);
  if (b.status === 'payment_pending') {
    // A second checkout (double click, redelivery): the attempt in flight stands; ask for it again.
    fx.unchanged.push(b);
    fx.charges.push(chargeOf(b));
    return;
  }
  if (b.status !== 'held' || b.holdExpiresAt === null) {
    if (b === found) fx.unchanged.push(b);
    return;
  }
  const attempts = (b.paymentAttempts ?? 0) + 1;
  const { feesCents, totalCents } = priceOf(b.amountCents, b.quantity, policy);
  const holdExpiresAt = attempts === 1 ? b.holdExpiresAt + policy.graceMs : b.holdExpiresAt;
  const next = set(
    inv,
    {
      ...b,
      status: 'payment_pending',
      paymentMethod: cmd.paymentMethod,
      paymentAttempts: attempts,
      feesCents,
      totalCents,
      holdExpiresAt,
      reason: null,
      decidedAt: iso(now),
    },
    fx,
  );
  if (holdExpiresAt !== b.holdExpiresAt) scheduleExpiry(inv, next.id, holdExpiresAt);
  fx.charges.push(chargeOf(next));
}

/**
 * A charge's outcome.
 * - `failed` / `unavailable` of the attempt in flight: back to `held` (reason `payment_declined` /
 *   `payment_unavailable`) until the hold expires; a stale attempt's failure changes nothing.
 * - `succeeded` while the booking still holds its inventory (held or pending, any of its attempts, the
 *   right amount): `confirmed`, with an order, one ticket per seat or unit, and a confirmation e-mail.
 * - `succeeded` again for the confirming charge: a duplicate, nothing changes.
 * - `succeeded` for any other charge (hold expired, booking cancelled, paid twice): that charge is
 *   refunded; an expired or cancelled booking records the charge and says why (`payment_after_expiry`).
 */
export function applyPaymentResult(
  inv: EventInventory,
  cmd: {
    bookingId: string;
    outcome: 'succeeded' | 'failed' | 'unavailable';
    attemptId: string;
    chargeId?: string;
    amountCents?: number;
  },
  now: number,
  newId: () => string,
  fx: Effects,
): void {
  const found = inv.bookings.get(cmd.bookingId);
  if (!found) {
    fx.refused.push({ id: cmd.bookingId, why: 'payment result for an unknown booking' });
    return;
  }
  const b = expireIfDue(inv, found, now, fx);
  if (cmd.outcome !== 'succeeded') {
    if (b.status === 'payment_pending' && chargeOf(b).id === cmd.attemptId) {
      set(
        inv,
        {
          ...b,
          status: 'held',
          reason: cmd.outcome === 'failed' ? 'payment_declined' : 'payment_unavailable',
          decidedAt: iso(now),
        },
        fx,
      );
    } else if (b === found) {
      fx.unchanged.push(b);
    }
    return;
  }
  const chargeId = cmd.chargeId;
  if (!chargeId) {
    fx.refused.push({ id: cmd.bookingId, why: 'succeeded without a charge id' });
    return;
  }
  if (b.chargeId === chargeId) {
    if (b === found) fx.unchanged.push(b);
    reRequestRefund(b, fx);
    return;
  }
  const ownAttempt = cmd.attemptId.startsWith(`${b.id}:a`);
  const paid = cmd.amountCents ?? 0;
  if (
    (b.status === 'held' || b.status === 'payment_pending') &&
    ownAttempt &&
    (b.paymentAttempts ?? 0) >= 1 &&
    paid === b.totalCents
  ) {
    confirm(inv, b, chargeId, now, newId, fx);
    return;
  }
  // Money arrived that buys nothing: give it back, and tell the buyer why.
  const lateForBooking = !b.chargeId && (b.status === 'expired' || b.status === 'cancelled');
  const reason = lateForBooking
    ? b.status === 'expired'
      ? 'payment_after_expiry'
      : (b.reason ?? 'cancelled_by_user')
    : 'duplicate_payment';
  if (lateForBooking) set(inv, { ...b, status: 'cancelled', reason, chargeId, decidedAt: iso(now) }, fx);
  else if (b === found) fx.unchanged.push(b);
  fx.refunds.push(refundOf(b, chargeId, paid, reason));
  fx.emails.push({
    dedupeKey: `payment_refunded:${chargeId}`,
    userId: b.userId,
    template: 'payment_refunded',
    payload: { booking_id: b.id, event_id: inv.eventId, charge_id: chargeId, amount_cents: paid, reason },
  });
}

function confirm(
  inv: EventInventory,
  b: BookingState,
  chargeId: string,
  now: number,
  newId: () => string,
  fx: Effects,
): void {
  if (inv.kind === 'reserved') {
    for (const idx of b.seatIdx)
      if (inv.holder[idx] !== b.id)
        throw new Error(`invariant: confirming ${b.id} on seat ${inv.seats[idx]?.id} it does not hold`);
  }
  inv.holds.delete(b.id);
  clearActive(inv, b.userId, b.id);
  const next = set(
    inv,
    { ...b, status: 'confirmed', chargeId, holdExpiresAt: null, reason: null, decidedAt: iso(now) },
    fx,
  );
  const order: OrderIntent = {
    id: newId(),
    bookingId: b.id,
    userId: b.userId,
    amountCents: b.amountCents,
    feesCents: b.feesCents ?? 0,
    totalCents: b.totalCents ?? b.amountCents,
    chargeId,
  };
  fx.orders.push(order);
  const base = {
    orderId: order.id,
    bookingId: b.id,
    eventId: inv.eventId,
    ownerUserId: b.userId,
    version: 1,
    status: 'valid' as const,
    issuedAt: iso(now),
    ownedSince: iso(now),
  };
  const tickets: TicketState[] =
    inv.kind === 'reserved'
      ? b.seatIdx.map((idx) => ({ ...base, id: newId(), seatId: inv.seats[idx]!.id, unit: null }))
      : Array.from({ length: b.quantity }, (_, i) => ({ ...base, id: newId(), seatId: null, unit: i + 1 }));
  cacheTickets(inv, [b.id], tickets);
  fx.tickets.push(...tickets);
  fx.emails.push({
    dedupeKey: `booking_confirmed:${b.id}`,
    userId: b.userId,
    template: 'booking_confirmed',
    payload: {
      booking_id: b.id,
      event_id: inv.eventId,
      order_id: order.id,
      total_cents: next.totalCents,
      ticket_ids: tickets.map((t) => t.id),
    },
  });
}
