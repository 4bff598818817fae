import type { BookingState, EventInventory, TicketState } from './inventory';
import { addUserQty, cacheTickets, freeSeat, scheduleExpiry, ticketsOf } from './inventory';
import { release } from './allocate';
import { attemptId, refundId } from '../../shared/payments/references';

export { attemptId, refundId };

/**
 * Checkout, payment, refund, cancellation and transfer decisions: pure transitions over one event's
 * in-memory inventory, like the allocator. No I/O and no clock (callers pass `now`), no randomness
 * (callers pass `newId`). Each function mutates the inventory and records what must be persisted and
 * published in an {@link Effects} accumulator; the partition consumer turns that into one batch.
 *
 * Every transition is idempotent against a redelivered or duplicated command: a command that finds
 * the booking already past it changes nothing and re-announces the current state (and, for a
 * pending payment or refund, re-requests it: the provider dedupes by idempotency key).
 */

export interface PaymentPolicy {
  /** Added once to the hold at the first checkout. */
  graceMs: number;
  feePercent: number;
  feeFixedCents: number;
}

/** A charge the payment stage must request. */
export interface ChargeIntent {
  id: string;
  bookingId: string;
  amountCents: number;
  paymentMethod: string;
}

/** A refund the payment stage must request (and the single writer records). */
export interface RefundIntent {
  id: string;
  bookingId: string;
  chargeId: string;
  amountCents: number;
  reason: string;
}

export interface OrderIntent {
  id: string;
  bookingId: string;
  userId: string;
  amountCents: number;
  feesCents: number;
  totalCents: number;
  chargeId: string;
}

export type EmailTemplate = 'booking_confirmed' | 'payment_refunded' | 'ticket_received' | 'waitlist_offer';

export interface EmailIntent {
  /** Unique per e-mail: a re-decided batch inserts nothing twice. */
  dedupeKey: string;
  userId: string;
  template: EmailTemplate;
  payload: Record<string, unknown>;
}

/** Where one kind of effect goes: an array in a unit test, straight into the batch in the worker. */
export interface Sink<T> {
  push(...items: T[]): unknown;
}

/**
 * What a decision does besides changing the inventory, pushed as it is decided. The worker passes
 * sinks that write into its one batch accumulator (`PartitionRunner.effects`); tests pass arrays.
 */
export interface Effects {
  /** New booking states, in decision order (persist, then announce). */
  bookings: Sink<BookingState>;
  /** Current states to announce again (duplicate or stale command). */
  unchanged: Sink<BookingState>;
  charges: Sink<ChargeIntent>;
  refunds: Sink<RefundIntent>;
  refundStatus: Sink<{ id: string; status: 'succeeded' | 'failed' }>;
  orders: Sink<OrderIntent>;
  orderStatus: Sink<{ bookingId: string; status: 'cancelled' | 'refunded' }>;
  /** New or changed tickets (upserted whole). */
  tickets: Sink<TicketState>;
  /** Bookings whose every ticket becomes void. */
  voidBookings: Sink<string>;
  transfers: Sink<{ ticketId: string; version: number; fromUserId: string; toUserId: string }>;
  emails: Sink<EmailIntent>;
  /** Events cancelled by their organizer in this batch. */
  cancelledEvents: Sink<string>;
  /** Commands that were refused, for the log (ingress validated them; the writer never trusts twice). */
  refused: Sink<{ id: string; why: string }>;
}

/** Effects gathered in arrays (to inspect them). */
export type RecordedEffects = { [K in keyof Effects]: Effects[K] extends Sink<infer T> ? T[] : never };

export function newEffects(): RecordedEffects {
  return {
    bookings: [],
    unchanged: [],
    charges: [],
    refunds: [],
    refundStatus: [],
    orders: [],
    orderStatus: [],
    tickets: [],
    voidBookings: [],
    transfers: [],
    emails: [],
    cancelledEvents: [],
    refused: [],
  };
}

/** Fees and total of a booking: a percentage of the seats' price plus a fixed fee per ticket. */
export function priceOf(
  amountCents: number,
  quantity: number,
  policy: Pick<PaymentPolicy, 'feePercent' | 'feeFixedCents'>,
): { feesCents: number; totalCents: number } {
  const feesCents = Math.round((amountCents * policy.feePercent) / 100) + policy.feeFixedCents * quantity;
  return { feesCents, totalCents: amountCents + feesCents };
}

const iso = (ms: number) => new Date(ms).toISOString();

function chargeOf(b: BookingState): ChargeIntent {
  return {
    id: attemptId(b.id, b.paymentAttempts ?? 0),
    bookingId: b.id,
    amountCents: b.totalCents ?? 0,
    paymentMethod: b.paymentMethod ?? 'unknown',
  };
}

function refundOf(b: BookingState, chargeId: string, amountCents: number, reason: string): RefundIntent {
  return { id: refundId(b.id, chargeId), bookingId: b.id, chargeId, amountCents, reason };
}

function set(inv: EventInventory, next: BookingState, fx: Effects): BookingState {
  inv.bookings.set(next.id, next);
  fx.bookings.push(next);
  return next;
}

/**
 * A hold whose time is up is expired before anything else is decided about it, so a checkout or a
 * payment racing the expiry is decided once, by the clock of the single writer.
 */
function expireIfDue(inv: EventInventory, b: BookingState, now: number, fx: Effects): BookingState {
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
function reRequestRefund(b: BookingState, fx: Effects): void {
  if (b.status === 'cancelled' && b.chargeId)
    fx.refunds.push(refundOf(b, b.chargeId, b.totalCents ?? 0, b.reason ?? 'cancelled'));
}

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
  if (inv.userActive.get(b.userId) === b.id) inv.userActive.delete(b.userId);
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
 * Hands a valid ticket of a confirmed booking to another account: the version goes up (the old
 * barcode no longer verifies) and the new owner is e-mailed. A repeated transfer finds the ticket
 * already moved and changes nothing.
 */
export function transferTicket(
  inv: EventInventory,
  cmd: { ticketId: string; fromUserId: string; toUserId: string },
  now: number,
  fx: Effects,
): TicketState | null {
  const t = inv.tickets.get(cmd.ticketId);
  const b = t ? inv.bookings.get(t.bookingId) : undefined;
  const why = !t
    ? 'unknown ticket'
    : t.status !== 'valid' || b?.status !== 'confirmed'
      ? 'ticket is void'
      : t.ownerUserId !== cmd.fromUserId
        ? 'not the owner'
        : cmd.toUserId === cmd.fromUserId
          ? 'same owner'
          : null;
  if (why || !t) {
    fx.refused.push({ id: cmd.ticketId, why: why ?? 'unknown ticket' });
    return null;
  }
  const next: TicketState = { ...t, ownerUserId: cmd.toUserId, version: t.version + 1, ownedSince: iso(now) };
  inv.tickets.set(t.id, next);
  fx.tickets.push(next);
  fx.transfers.push({ ticketId: t.id, version: next.version, fromUserId: cmd.fromUserId, toUserId: cmd.toUserId });
  fx.emails.push({
    dedupeKey: `ticket_received:${t.id}:${next.version}`,
    userId: cmd.toUserId,
    template: 'ticket_received',
    payload: { ticket_id: t.id, event_id: inv.eventId, from_user_id: cmd.fromUserId, seat_id: t.seatId, unit: t.unit },
  });
  return next;
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

/** Asks again for whatever a booking is waiting on (redelivered command: outbox-like re-publish). */
export function reRequestPending(b: BookingState, fx: Effects): void {
  if (b.status === 'payment_pending') fx.charges.push(chargeOf(b));
  reRequestRefund(b, fx);
}
