import { z } from 'zod';
import { presaleCodeSchema, proofSchema } from './fair-onsale';
import { BOOKING_STATUSES } from './messages';

/** Bodies and queries of the HTTP API that are validated at the edge. Prices are in currency units. */

/**
 * A UUID, canonicalised to lower case: an id that enters in upper case must name the same event,
 * Redis sequence counter and positions as its lower-case spelling.
 */
export const uuidSchema = z.uuid().toLowerCase();
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

/** Body of `POST /v1/bookings/{id}/checkout`. */
export const checkoutBodySchema = z
  .object({
    /** The provider's payment method token (the simulator declines `pm_card_declined`). */
    payment_method: z.string().min(1).max(64),
  })
  .strict();
/** Body of `POST /v1/tickets/verify`. */
export const verifyTicketBodySchema = z.object({ barcode: z.string().min(1).max(1024) }).strict();
/** Body of `POST /v1/tickets/{id}/transfer`. */
export const transferTicketBodySchema = z.object({ email: z.string().trim().pipe(z.email().max(254)) }).strict();
/** `?limit=&cursor=` of the caller's history pages. */
export const pageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const seatsQuerySchema = z.object({ section: z.string().min(1).max(40).optional() }).strict();

// ---------- responses (documented from these schemas) ----------

/** `202` of `POST /v1/bookings` (also a replay, or an Idempotency-Key retry that found the decided booking). */
export const bookingAcceptedSchema = z.object({
  booking_id: z.uuid(),
  event_id: z.uuid(),
  status: z.enum(BOOKING_STATUSES),
  position: z
    .number()
    .int()
    .min(1)
    .nullable()
    .optional()
    .describe(
      'Requests of the event ahead of this one (queued only); 1 means next. null in a drawn waiting room until the draw, and for a presale booking.',
    ),
  queue: z
    .enum(['waiting_room', 'line', 'presale'])
    .optional()
    .describe('While queued: waiting for the draw (see draw_at), in line, or a presale booking being decided.'),
  draw_at: z.string().optional().describe('When the waiting room is drawn (the on-sale time).'),
});

/** `202` of `DELETE /v1/bookings/{id}`. */
export const bookingCancelAcceptedSchema = z.object({
  booking_id: z.uuid(),
  status: z.enum(BOOKING_STATUSES),
  cancellation: z.literal('queued'),
  releases_inventory: z.boolean(),
  refund: z.literal('queued').optional(),
});

/** `202` of `PUT /v1/events/{id}/prices`. */
export const repriceAcceptedSchema = z.object({ event_id: z.uuid(), reprice: z.literal('queued') });
/** `202` of `POST /v1/events/{id}/inventory`. */
export const inventoryAcceptedSchema = z.object({
  event_id: z.uuid(),
  inventory: z.literal('queued'),
  capacity: z.number().int(),
});
/** `202` of `POST /v1/events/{id}/cancel`. */
export const eventCancelAcceptedSchema = z.object({ event_id: z.uuid(), cancellation: z.enum(['queued', 'done']) });

/** `202` of `POST /v1/bookings/{id}/checkout`. */
export const checkoutAcceptedSchema = z.object({
  booking_id: z.uuid(),
  status: z.enum(BOOKING_STATUSES),
  checkout: z.enum(['queued', 'in_progress']),
});
/** `200` of `POST /v1/tickets/verify`. */
export const verifyTicketAnswerSchema = z.object({
  valid: z.boolean(),
  reason: z.enum(['bad_signature', 'unknown_ticket', 'void', 'superseded']).optional(),
  ticket_id: z.string().optional(),
  event_id: z.uuid().optional(),
  event_name: z.string().optional(),
  seat_id: z.string().optional(),
  unit: z.number().int().optional(),
  version: z.number().int().optional(),
});
/** `202` of `POST /v1/tickets/{id}/transfer`. */
export const transferAcceptedSchema = z.object({
  ticket_id: z.uuid(),
  transfer: z.literal('queued'),
  recipient: z.string(),
});
/** `200` of the operators' event settings routes. */
export const eventSettingsSchema = z.object({
  event_id: z.uuid(),
  throttle_per_s: z.number().nullable(),
  paused: z.boolean(),
});
