import type { BookingState, EventInventory } from './inventory';
import { release } from './allocate';
import { attemptId, refundId } from '../../shared/payments/references';
import type { ChargeIntent, Effects, PaymentPolicy, RefundIntent } from './effects';

/*
 * Steps the payment transitions share: pricing, the charge and refund intents, storing a new booking
 * state, expiring a hold that is due, and asking again for what a booking waits on.
 */

/** Fees and total of a booking: a percentage of the seats' price plus a fixed fee per ticket. */
export function priceOf(
  amountCents: number,
  quantity: number,
  policy: Pick<PaymentPolicy, 'feePercent' | 'feeFixedCents'>,
): { feesCents: number; totalCents: number } {
  const feesCents = Math.round((amountCents * policy.feePercent) / 100) + policy.feeFixedCents * quantity;
  return { feesCents, totalCents: amountCents + feesCents };
}

export const iso = (ms: number) => new Date(ms).toISOString();

export function chargeOf(b: BookingState): ChargeIntent {
  return {
    id: attemptId(b.id, b.paymentAttempts ?? 0),
    bookingId: b.id,
    amountCents: b.totalCents ?? 0,
    paymentMethod: b.paymentMethod ?? 'unknown',
  };
}

export function refundOf(b: BookingState, chargeId: string, amountCents: number, reason: string): RefundIntent {
  return { id: refundId(b.id, chargeId), bookingId: b.id, chargeId, amountCents, reason };
}

export function set(inv: EventInventory, next: BookingState, fx: Effects): BookingState {
  inv.bookings.set(next.id, next);
  fx.bookings.push(next);
  return next;
}

/**
 * A hold whose time is up is expired before anything else is decided about it, so a checkout or a
 * payment racing the expiry is decided once, by the clock of the single writer.
 */
export function expireIfDue(inv: EventInventory, b: BookingState, now: number, fx: Effects): BookingState {
  if ((b.status === 'held' || b.status === 'payment_pending') && b.holdExpiresAt !== null && b.holdExpiresAt <= now) {
    const next = release(inv, b.id, 'expired', now, 'hold_expired');
    if (next) {
      fx.bookings.push(next);
      return next;
    }
  }
  return b;
}

/** A cancelled booking whose charge is being refunded asks for the refund again (idempotent). */
export function reRequestRefund(b: BookingState, fx: Effects): void {
  if (b.status === 'cancelled' && b.chargeId)
    fx.refunds.push(refundOf(b, b.chargeId, b.totalCents ?? 0, b.reason ?? 'cancelled'));
}

/** Asks again for whatever a booking is waiting on (redelivered command: outbox-like re-publish). */
export function reRequestPending(b: BookingState, fx: Effects): void {
  if (b.status === 'payment_pending') fx.charges.push(chargeOf(b));
  reRequestRefund(b, fx);
}
