import express from 'express';
import type { IngressContext } from '../context';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { principalOf } from '../middleware/auth';
import type { OrganizerOverview } from '../../shared/contracts/organizer';

/** Most recent events first; an organizer with more pages through search. */
const EVENT_LIMIT = 100;

interface SalesRow {
  id: string;
  name: string;
  status: 'scheduled' | 'cancelled';
  starts_at: Date;
  on_sale_at: Date;
  kind: 'reserved' | 'general_admission';
  capacity: number;
  sold: number;
  held: number;
  queued: number;
  orders: number;
  revenue_cents: string;
  refunded_orders: number;
}

/**
 * `GET /v1/organizer/overview`: the organizer's venues and the sales of its events, counted in
 * PostgreSQL (bookings by status, paid orders). An operator (`organizer_id` filter off) sees all.
 */
export function organizerOverviewRouter(ctx: IngressContext) {
  const r = express.Router();
  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.organizerOverview, async (req, res) => {
    const me = principalOf(req);
    const owner = me.role === 'operator' ? null : me.user_id;
    const [venues, events] = await Promise.all([
      ctx.pool.query<{ id: string; name: string; city: string; seated_capacity: number; sections: string[] | null }>(
        `SELECT id, name, city, seated_capacity, ARRAY(SELECT s->>'name' FROM jsonb_array_elements(layout->'sections') s) AS sections
           FROM venues WHERE $1::text IS NULL OR organizer_id = $1 ORDER BY name LIMIT 200`,
        [owner],
      ),
      ctx.pool.query<SalesRow>(
        `SELECT e.id, e.name, e.status, e.starts_at, e.on_sale_at, e.kind, e.capacity,
                coalesce(b.sold, 0)::int AS sold, coalesce(b.held, 0)::int AS held, coalesce(b.queued, 0)::int AS queued,
                coalesce(o.orders, 0)::int AS orders, coalesce(o.revenue_cents, 0)::text AS revenue_cents,
                coalesce(o.refunded_orders, 0)::int AS refunded_orders
           FROM events e
           LEFT JOIN LATERAL (
             SELECT sum(coalesce(quantity, cardinality(seat_ids))) FILTER (WHERE status = 'confirmed') AS sold,
                    sum(coalesce(quantity, cardinality(seat_ids))) FILTER (WHERE status IN ('held', 'payment_pending')) AS held,
                    count(*) FILTER (WHERE status = 'queued') AS queued
               FROM bookings WHERE event_id = e.id) b ON true
           LEFT JOIN LATERAL (
             SELECT count(*) FILTER (WHERE status = 'paid') AS orders,
                    sum(total_cents) FILTER (WHERE status = 'paid') AS revenue_cents,
                    count(*) FILTER (WHERE status = 'refunded') AS refunded_orders
               FROM orders WHERE event_id = e.id) o ON true
          WHERE $1::text IS NULL OR e.organizer_id = $1
          ORDER BY e.created_at DESC LIMIT $2`,
        [owner, EVENT_LIMIT],
      ),
    ]);
    const body: OrganizerOverview = {
      venues: venues.rows.map((v) => ({
        venue_id: v.id,
        name: v.name,
        city: v.city,
        seated_capacity: v.seated_capacity,
        sections: v.sections ?? [],
      })),
      events: events.rows.map((e) => ({
        event_id: e.id,
        name: e.name,
        status: e.status,
        starts_at: e.starts_at.toISOString(),
        on_sale_at: e.on_sale_at.toISOString(),
        kind: e.kind,
        capacity: e.capacity,
        sold: e.sold,
        held: e.held,
        available: Math.max(0, e.capacity - e.sold - e.held),
        queued: e.queued,
        orders: e.orders,
        revenue_cents: Number(e.revenue_cents),
        refunded_orders: e.refunded_orders,
      })),
    };
    res.json(body);
  });
  return r;
}
