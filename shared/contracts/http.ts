import { z } from 'zod';

/** Bodies and queries of the HTTP API that are validated at the edge. Prices are in currency units. */

/**
 * A UUID, canonicalised to lower case: an id that enters in upper case must name the same event,
 * Redis sequence counter and positions as its lower-case spelling.
 */
export const uuidSchema = z.string().uuid().toLowerCase();
export const uuidParam = uuidSchema;

export const bookingBodySchema = z
  .object({
    event_id: uuidSchema,
    seat_ids: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
    accept_alternatives: z.boolean().optional(),
    quantity: z.number().int().optional(),
    section: z.string().min(1).max(40).optional(),
    price_tier: z.string().min(1).max(40).optional(),
    max_price: z.number().nonnegative().max(1_000_000).optional(),
  })
  .strict();
export type BookingBody = z.infer<typeof bookingBodySchema>;

export const throttleBodySchema = z
  .object({
    /** Decisions per second for the event; null removes the throttle. */
    per_second: z.number().positive().max(1_000_000).nullable(),
  })
  .strict();

export const seatsQuerySchema = z.object({ section: z.string().min(1).max(40).optional() }).strict();
