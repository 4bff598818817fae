import { z } from 'zod';
import { BOOKING_STATUSES, bookingReasonSchema } from '../../shared/contracts/messages';

/**
 * Schemas of the broker messages the notifier consumes (`booking-events`), so every message is
 * parsed and typed, never cast. Local to the notifier until the shared message schemas
 * (`shared/contracts/messages.ts`) and the shared subscribe path replace them.
 */
const uuid = z.string().uuid();
const isoTime = z.iso.datetime({ offset: true });

export const bookingResultSchema = z.object({
  booking_id: uuid,
  event_id: uuid,
  user_id: z.string().min(1).max(128),
  status: z.enum([...BOOKING_STATUSES, 'failed']),
  seq: z.number().int().nonnegative().optional(),
  seats: z.array(z.string().min(1).max(64)).max(1000).optional(),
  quantity: z.number().int().positive().optional(),
  amount_cents: z.number().int().nonnegative().optional(),
  fees_cents: z.number().int().nonnegative().optional(),
  total_cents: z.number().int().nonnegative().optional(),
  hold_expires_at: isoTime.optional(),
  reason: bookingReasonSchema.optional(),
  correlation_id: z.string().max(128).optional(),
  decided_at: isoTime,
});
export type ParsedBookingResult = z.infer<typeof bookingResultSchema>;

/**
 * One batch's outcomes for one event. Each result is parsed on its own, so one malformed entry is
 * dropped without losing its neighbours.
 */
export const bookingResultsSchema = z.object({
  event_id: uuid,
  results: z.array(z.unknown()).max(100_000),
});

export const eventProgressSchema = z.object({
  event_id: uuid,
  watermark: z.number().int().nonnegative(),
  rate_per_s: z.number().nonnegative(),
  paused: z.boolean(),
  throttle_per_s: z.number().nonnegative().nullable(),
  at: isoTime,
});
export type ParsedEventProgress = z.infer<typeof eventProgressSchema>;

export const seatsChangedSchema = z.object({
  event_id: uuid,
  seats: z.array(z.tuple([z.string().min(1).max(64), z.enum(['available', 'held', 'sold'])])).max(100_000).optional(),
  available: z.number().int().nonnegative().optional(),
  as_of: isoTime,
});
export type ParsedSeatsChanged = z.infer<typeof seatsChangedSchema>;
