import { z } from 'zod';

/** Sales of one event, as its organizer sees them (`GET /v1/organizer/overview`). */
export const eventSalesSchema = z.object({
  event_id: z.uuid(),
  name: z.string(),
  status: z.enum(['scheduled', 'cancelled']),
  starts_at: z.string(),
  on_sale_at: z.string(),
  kind: z.enum(['reserved', 'general_admission']),
  capacity: z.number().int().nonnegative(),
  /** Seats or units in confirmed bookings. */
  sold: z.number().int().nonnegative(),
  /** Seats or units held for a buyer who has not paid yet. */
  held: z.number().int().nonnegative(),
  /** Capacity minus sold and held. */
  available: z.number().int().nonnegative(),
  /** Requests still waiting for a decision. */
  queued: z.number().int().nonnegative(),
  /** Paid orders (not cancelled or refunded). */
  orders: z.number().int().nonnegative(),
  /** Totals of the paid orders (seats plus fees), in cents. */
  revenue_cents: z.number().int().nonnegative(),
  refunded_orders: z.number().int().nonnegative(),
});

export const organizerVenueSchema = z.object({
  venue_id: z.uuid(),
  name: z.string(),
  city: z.string(),
  seated_capacity: z.number().int().nonnegative(),
  /** Section names in rank order (best first), for price tiers. */
  sections: z.array(z.string()),
});

export const organizerOverviewSchema = z.object({
  venues: z.array(organizerVenueSchema),
  events: z.array(eventSalesSchema),
});

export type EventSales = z.infer<typeof eventSalesSchema>;
export type OrganizerVenue = z.infer<typeof organizerVenueSchema>;
export type OrganizerOverview = z.infer<typeof organizerOverviewSchema>;
