import type { BookingState, TicketState } from './inventory';

/*
 * What the payment transitions (checkout.ts, cancellation.ts, transfer.ts) hand back besides the
 * changed inventory: intents for the payment stage, rows to write, e-mails, as typed sinks.
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
