import { z } from 'zod';
import { presaleCodeSchema, proofSchema } from './fair-onsale';

/** Bodies and queries of the HTTP API that are validated at the edge. Prices are in currency units. */

export const uuidParam = z.string().uuid();

export const bookingBodySchema = z
  .object({
    event_id: z.string().uuid(),
    seat_ids: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
    accept_alternatives: z.boolean().optional(),
    quantity: z.number().int().optional(),
    section: z.string().min(1).max(40).optional(),
    price_tier: z.string().min(1).max(40).optional(),
    max_price: z.number().nonnegative().max(1_000_000).optional(),
    /** A solved proof-of-work challenge, when the event asks for one (`pow_bits` > 0). */
    proof: proofSchema.optional(),
    /** A presale code, during its presale window (before the general on-sale). */
    presale_code: presaleCodeSchema.optional(),
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
