import { z } from 'zod';
import { BOOKING_REASONS, FAILURE_REASONS, type FailureReason } from '../errors';

/**
 * Message contracts of the booking pipeline, in one place. Every message type is a zod schema and its
 * TypeScript type is inferred from it; publishers and consumers both import from here, and every
 * consumer parses through `subscribe` (`shared/amqp/subscribe.ts`), so a malformed message is
 * dead-lettered (or ignored) rather than decided, and nothing is cast.
 */

const uuid = z.uuid();

/**
 * Characters PostgreSQL cannot store in `text` (NUL) or that break our own encodings (the unit
 * separator joins seat ids in the batch upsert): every C0 control character and DEL.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's whole purpose.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** True when `s` holds no control character (see {@link CONTROL_CHARACTERS}). */
export function isStorableText(s: string): boolean {
  return !CONTROL_CHARACTERS.test(s);
}

/**
 * A string a command may carry: bounded and free of control characters, so a command that would fail
 * the batch's commit is refused when it is parsed (poison, dead-lettered, failed) instead.
 */
export function text(min: number, max: number) {
  return z.string().min(min).max(max).refine(isStorableText, { error: 'must not contain control characters' });
}

/** What a buyer asks for. Exactly one of `seat_ids` or `quantity`. */
export const bookingRequestSchema = z.object({
  seat_ids: z.array(text(1, 64)).min(1).max(1000).optional(),
  accept_alternatives: z.boolean().optional(),
  quantity: z.number().int().positive().max(1000).optional(),
  section: text(1, 100).optional(),
  price_tier: text(1, 100).optional(),
  /** In cents. */
  max_price_cents: z.number().int().nonnegative().optional(),
});
export type BookingRequest = z.infer<typeof bookingRequestSchema>;

const base = {
  event_id: uuid,
  correlation_id: text(0, 128).optional(),
};

export const partitionCommandSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('book'),
    ...base,
    booking_id: uuid,
    user_id: text(1, 128),
    /** Per-event sequence number stamped by ingress (Redis INCR); drives queue positions. */
    seq: z.number().int().nonnegative(),
    requested_at: z.iso.datetime({ offset: true }),
    request: bookingRequestSchema,
    /**
     * A presale booking, decided at once during its presale window: the SHA-256 (hex) of the code the
     * buyer gave, or the presale the buyer's account is invited to.
     */
    presale: z
      .union([
        z.object({ code_hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
        z.object({ presale_id: uuid }).strict(),
      ])
      .optional(),
  }),
  z.object({
    type: z.literal('cancel'),
    ...base,
    booking_id: uuid,
    user_id: text(1, 128),
  }),
  z.object({
    /** The event's inventory was created: the single writer generates and owns its seats from now on. */
    type: z.literal('inventory.init'),
    ...base,
  }),
  z.object({
    /**
     * An organizer's new prices for what is still unsold: seats available when the single writer
     * decides this (held and sold seats keep the price they were taken at), or the GA unit price.
     */
    type: z.literal('inventory.reprice'),
    ...base,
    sections: z
      .array(z.object({ name: text(1, 40), price_cents: z.number().int().nonnegative() }))
      .max(200)
      .optional(),
    ga_price_cents: z.number().int().nonnegative().optional(),
  }),
  z.object({
    /**
     * Inventory added to an existing event: new reserved sections (ranked after every existing seat;
     * a section the event already has is skipped) or a general-admission capacity raised to `ga_capacity`.
     */
    type: z.literal('inventory.add'),
    ...base,
    sections: z
      .array(
        z.object({
          name: text(1, 40),
          rows: z.number().int().min(1).max(500),
          seats_per_row: z.number().int().min(1).max(500),
          price_cents: z.number().int().nonnegative(),
          price_tier: text(1, 40),
        }),
      )
      .max(200)
      .optional(),
    ga_capacity: z.number().int().min(1).max(10_000_000).optional(),
  }),
  z.object({
    /** The owner of a `held` booking starts paying: it becomes `payment_pending` and a charge is requested. */
    type: z.literal('checkout'),
    ...base,
    booking_id: uuid,
    user_id: text(1, 128),
    payment_method: text(1, 64),
  }),
  z.object({
    /**
     * What happened to a charge: from a verified provider callback (`succeeded` / `failed`) or from the
     * payment stage when the provider could not be reached (`unavailable`: breaker open, retries spent).
     */
    type: z.literal('payment.result'),
    ...base,
    booking_id: uuid,
    outcome: z.enum(['succeeded', 'failed', 'unavailable']),
    /** The charge attempt (= idempotency key `<booking id>:a<n>`). */
    attempt_id: text(1, 128),
    charge_id: text(1, 128).optional(),
    provider_event_id: text(1, 128).optional(),
    amount_cents: z.number().int().nonnegative().optional(),
    reason: text(0, 200).optional(),
  }),
  z.object({
    /** The provider refunded (or refused to refund) a charge. */
    type: z.literal('refund.result'),
    ...base,
    booking_id: uuid,
    outcome: z.enum(['succeeded', 'failed']),
    refund_id: text(1, 200),
    charge_id: text(1, 128),
    provider_event_id: text(1, 128).optional(),
  }),
  z.object({
    /** A ticket changes owner: its version is bumped, so its old barcode stops verifying. */
    type: z.literal('ticket.transfer'),
    ...base,
    ticket_id: uuid,
    from_user_id: text(1, 128),
    to_user_id: text(1, 128),
  }),
  z.object({
    /** A user joined the event's waitlist (ingress wrote the entry; the single writer keeps it in order). */
    type: z.literal('waitlist.join'),
    ...base,
    waitlist_id: uuid,
    user_id: text(1, 128),
    request: bookingRequestSchema,
  }),
  z.object({
    /** A user left the event's waitlist. */
    type: z.literal('waitlist.leave'),
    ...base,
    waitlist_id: uuid,
    user_id: text(1, 128),
  }),
  z.object({
    /** How the event's waiting room is ordered at the on-sale time; refused by the single writer once drawn or on sale. */
    type: z.literal('event.queue_mode'),
    ...base,
    queue_mode: z.enum(['draw', 'fifo']),
  }),
  z.object({
    /** The organizer cancelled the event: holds are released, confirmed bookings refunded, parked ones rejected. */
    type: z.literal('event.cancel'),
    ...base,
  }),
  z.object({
    /**
     * A command naming this booking was dead-lettered (malformed, or the delivery limit was reached):
     * the single writer gives the booking the terminal outcome `failed` unless it is decided already.
     * Published by the worker's dead-letter consumer, never by ingress.
     */
    type: z.literal('booking.fail'),
    ...base,
    booking_id: uuid,
    user_id: text(1, 128),
    reason: z.enum(Object.keys(FAILURE_REASONS) as [FailureReason, ...FailureReason[]]),
    /** The sequence number of the dead-lettered request when it could be read (drives the watermark). */
    seq: z.number().int().nonnegative().optional(),
  }),
]);
export type PartitionCommand = z.infer<typeof partitionCommandSchema>;
export type BookCommand = Extract<PartitionCommand, { type: 'book' }>;
export type CancelCommand = Extract<PartitionCommand, { type: 'cancel' }>;
export type CheckoutCommand = Extract<PartitionCommand, { type: 'checkout' }>;
export type PaymentResultCommand = Extract<PartitionCommand, { type: 'payment.result' }>;
export type RefundResultCommand = Extract<PartitionCommand, { type: 'refund.result' }>;
export type TicketTransferCommand = Extract<PartitionCommand, { type: 'ticket.transfer' }>;
export type EventCancelCommand = Extract<PartitionCommand, { type: 'event.cancel' }>;
export type BookingFailCommand = Extract<PartitionCommand, { type: 'booking.fail' }>;
/** Why a dead-lettered booking failed. */
export type FailReason = FailureReason;

/** A partition queue carries commands and, when it is empty, liveness ticks (see `publishTick`). */
export const partitionMessageSchema = z.discriminatedUnion('type', [
  partitionCommandSchema,
  z.object({ type: z.literal('tick') }),
]);
export type PartitionMessage = z.infer<typeof partitionMessageSchema>;

/** Lifecycle of a booking. */
export const BOOKING_STATUSES = [
  'queued',
  'held',
  'rejected',
  'payment_pending',
  'confirmed',
  'expired',
  'cancelled',
  'refunded',
  'failed',
] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
/** States that hold inventory. */
export const ACTIVE_STATUSES: ReadonlySet<BookingStatus> = new Set(['held', 'payment_pending', 'confirmed']);
/** States after which nothing more happens to a booking (in this pipeline). */
export const TERMINAL_STATUSES: ReadonlySet<BookingStatus> = new Set([
  'rejected',
  'expired',
  'cancelled',
  'refunded',
  'failed',
]);

export const bookingStatusSchema = z.enum(BOOKING_STATUSES);
/** Every reason an outcome may carry: rejection, payment and failure reasons (`shared/errors.ts`). */
export const bookingReasonSchema = z.enum(BOOKING_REASONS);

/** A decided outcome, published on `booking-events` (in a `booking.results` batch) and pushed as `booking.result`. */
export const bookingResultSchema = z.object({
  booking_id: uuid,
  event_id: uuid,
  user_id: z.string().min(1).max(128),
  status: bookingStatusSchema,
  seq: z.number().int().nonnegative().optional(),
  seats: z.array(z.string().min(1).max(64)).max(1000).optional(),
  quantity: z.number().int().nonnegative().optional(),
  amount_cents: z.number().int().nonnegative().optional(),
  /** Set from checkout on: fees and the total charged (amount + fees), in cents. */
  fees_cents: z.number().int().nonnegative().optional(),
  total_cents: z.number().int().nonnegative().optional(),
  hold_expires_at: z.iso.datetime({ offset: true }).optional(),
  reason: bookingReasonSchema.optional(),
  correlation_id: z.string().max(128).optional(),
  /** ISO time of the decision: the notifier orders a booking's outcomes by it. */
  decided_at: z.iso.datetime({ offset: true }),
  /** `waitlist`: a hold offered to the user's waitlist entry (also pushed to the user's own room). */
  source: z.literal('waitlist').optional(),
});
export type BookingResult = z.infer<typeof bookingResultSchema>;

/**
 * A call the payment stage must make to the provider, published by the single writer after its batch
 * commits (on the `payments` queue, competing consumers). Its id is the provider idempotency key, so
 * publishing it twice (a redelivered command re-announces it) charges or refunds at most once.
 */
export const paymentRequestSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('charge'),
    /** `<booking id>:a<n>`: idempotency key and provider reference. */
    id: text(1, 200),
    booking_id: uuid,
    event_id: uuid,
    partition: z.number().int().nonnegative(),
    amount_cents: z.number().int().nonnegative(),
    payment_method: text(1, 64),
    correlation_id: text(0, 128).optional(),
  }),
  z.object({
    kind: z.literal('refund'),
    /** `<booking id>:r:<charge id>`: idempotency key and provider reference. */
    id: text(1, 200),
    booking_id: uuid,
    event_id: uuid,
    partition: z.number().int().nonnegative(),
    charge_id: text(1, 128),
    amount_cents: z.number().int().nonnegative(),
    reason: text(0, 200),
    correlation_id: text(0, 128).optional(),
  }),
]);
export type PaymentRequest = z.infer<typeof paymentRequestSchema>;

/** Every outcome one batch decided for one event. */
export const bookingResultsSchema = z.object({ event_id: uuid, results: z.array(bookingResultSchema) });
export type BookingResults = z.infer<typeof bookingResultsSchema>;

/** Per-event progress, published after each commit: the processed watermark drives positions. */
export const eventProgressSchema = z.object({
  event_id: uuid,
  /** Highest sequence number decided so far. */
  watermark: z.number().int().nonnegative(),
  /** Decisions per second for this event over the last few seconds. */
  rate_per_s: z.number().nonnegative(),
  paused: z.boolean(),
  throttle_per_s: z.number().positive().nullable(),
  at: z.string(),
});
export type EventProgress = z.infer<typeof eventProgressSchema>;

/** A seat's visible status. */
export const seatStatusSchema = z.enum(['available', 'held', 'sold']);
export type SeatStatus = z.infer<typeof seatStatusSchema>;

export const seatsChangedSchema = z.object({
  event_id: uuid,
  /** [seat_id, status] pairs, for reserved seating. */
  seats: z
    .array(z.tuple([z.string().min(1).max(64), seatStatusSchema]))
    .max(100_000)
    .optional(),
  /** Units left, for general admission. */
  available: z.number().int().nonnegative().optional(),
  as_of: z.string(),
});
export type SeatsChanged = z.infer<typeof seatsChangedSchema>;

/** Routing keys on the `booking-events` topic exchange, typed with their payloads. */
export interface BookingEventMap {
  /**
   * Every outcome one batch decided for one event, in one message: the broker carries one message
   * per event per batch instead of one per booking (the pipeline's throughput depends on it).
   */
  'booking.results': BookingResults;
  'event.progress': EventProgress;
  'seats.changed': SeatsChanged;
}
export type BookingEventKind = keyof BookingEventMap;

/** The schema of each routing key's payload on `booking-events` (consumers parse with these). */
export const bookingEventSchemas: { [K in BookingEventKind]: z.ZodType<BookingEventMap[K]> } = {
  'booking.results': bookingResultsSchema,
  'event.progress': eventProgressSchema,
  'seats.changed': seatsChangedSchema,
};

/** Operator commands on the control exchange; every worker process receives every one. */
export const controlMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('event.settings'),
    event_id: uuid,
    partition: z.number().int().nonnegative(),
    throttle_per_s: z.number().positive().nullable(),
    paused: z.boolean(),
  }),
]);
export type ControlMessage = z.infer<typeof controlMessageSchema>;
