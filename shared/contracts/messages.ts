import { z } from 'zod';

/**
 * Message contracts of the booking pipeline, in one place. Publishers and consumers both import from
 * here: a partition command is validated with {@link partitionCommandSchema} when it is consumed, so a
 * malformed message is dead-lettered rather than decided.
 */

const uuid = z.string().uuid();

/** What a buyer asks for. Exactly one of `seat_ids` or `quantity`. */
export const bookingRequestSchema = z.object({
  seat_ids: z.array(z.string().min(1).max(64)).min(1).max(1000).optional(),
  accept_alternatives: z.boolean().optional(),
  quantity: z.number().int().positive().max(1000).optional(),
  section: z.string().min(1).max(100).optional(),
  price_tier: z.string().min(1).max(100).optional(),
  /** In cents. */
  max_price_cents: z.number().int().nonnegative().optional(),
});
export type BookingRequest = z.infer<typeof bookingRequestSchema>;

const base = {
  event_id: uuid,
  correlation_id: z.string().max(128).optional(),
};

export const partitionCommandSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('book'),
    ...base,
    booking_id: uuid,
    user_id: z.string().min(1).max(128),
    /** Per-event sequence number stamped by ingress (Redis INCR); drives queue positions. */
    seq: z.number().int().nonnegative(),
    requested_at: z.iso.datetime({ offset: true }),
    request: bookingRequestSchema,
  }),
  z.object({
    type: z.literal('cancel'),
    ...base,
    booking_id: uuid,
    user_id: z.string().min(1).max(128),
  }),
  z.object({
    /** The event's inventory was created: the single writer generates and owns its seats from now on. */
    type: z.literal('inventory.init'),
    ...base,
  }),
]);
export type PartitionCommand = z.infer<typeof partitionCommandSchema>;
export type BookCommand = Extract<PartitionCommand, { type: 'book' }>;
export type CancelCommand = Extract<PartitionCommand, { type: 'cancel' }>;

/** Lifecycle of a booking. */
export const BOOKING_STATUSES = ['queued', 'held', 'rejected', 'payment_pending', 'confirmed', 'expired', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
/** States that hold inventory. */
export const ACTIVE_STATUSES: ReadonlySet<BookingStatus> = new Set(['held', 'payment_pending', 'confirmed']);
/** States after which nothing more happens to a booking (in this pipeline). */
export const TERMINAL_STATUSES: ReadonlySet<BookingStatus> = new Set(['rejected', 'expired', 'cancelled']);

/** A decided outcome, published on `booking-events` and pushed as `booking.result`. */
export interface BookingResult {
  booking_id: string;
  event_id: string;
  user_id: string;
  status: BookingStatus;
  seq?: number;
  seats?: string[];
  quantity?: number;
  amount_cents?: number;
  hold_expires_at?: string;
  reason?: string;
  correlation_id?: string;
  decided_at: string;
}

/** Per-event progress, published after each commit: the processed watermark drives positions. */
export interface EventProgress {
  event_id: string;
  /** Highest sequence number decided so far. */
  watermark: number;
  /** Decisions per second for this event over the last few seconds. */
  rate_per_s: number;
  paused: boolean;
  throttle_per_s: number | null;
  at: string;
}

/** A seat's visible status. */
export type SeatStatus = 'available' | 'held' | 'sold';

export interface SeatsChanged {
  event_id: string;
  /** [seat_id, status] pairs, for reserved seating. */
  seats?: Array<[string, SeatStatus]>;
  /** Units left, for general admission. */
  available?: number;
  as_of: string;
}

/** Routing keys on the `booking-events` topic exchange, typed with their payloads. */
export interface BookingEventMap {
  'booking.result': BookingResult;
  'event.progress': EventProgress;
  'seats.changed': SeatsChanged;
}
export type BookingEventKind = keyof BookingEventMap;

/** Operator commands on the control exchange; every worker process receives every one. */
export interface ControlMessage {
  type: 'event.settings';
  event_id: string;
  partition: number;
  throttle_per_s: number | null;
  paused: boolean;
}
