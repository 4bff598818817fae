import type { Redis } from 'ioredis';
import type { Pool } from '../../shared/db/pool';
import type { RedisKeys } from '../../shared/redis/keys';
import type { EventRow } from '../../shared/sql/get-event';
import { sectionSeatCount } from '../../shared/contracts/events';
import { fromCents } from '../../shared/money';
import { fromDatabase, fromLayout, fromSnapshot, type Availability } from './availability';

export type { Availability } from './availability';

/** @defaultValue 30 seconds: the cache is also invalidated on every organizer change. */
const DEFAULT_CACHE_TTL_S = 30;

interface EventPageRow extends EventRow {
  description: string;
  category: string;
  venue_id: string | null;
  ends_at: Date | null;
  min_price_cents: number;
  max_price_cents: number;
  partition_pinned: boolean;
  venue: { id: string; name: string; address: string; city: string; country: string; lat: number; lon: number } | null;
  performers: Array<{ id: string; name: string; type: string; genre: string | null }>;
}

/** The event with its venue and performers, in one statement. */
async function getEventPageRow(pool: Pool, eventId: string): Promise<EventPageRow | null> {
  const { rows } = await pool.query<EventPageRow>({
    name: 'get-event-page-row',
    text: `SELECT e.*,
                  CASE WHEN v.id IS NULL THEN NULL
                       ELSE json_build_object('id', v.id, 'name', v.name, 'address', v.address, 'city', v.city, 'country', v.country, 'lat', v.lat, 'lon', v.lon) END AS venue,
                  coalesce((SELECT json_agg(json_build_object('id', p.id, 'name', p.name, 'type', p.type, 'genre', p.genre) ORDER BY ep.position, p.name)
                            FROM event_performers ep JOIN performers p ON p.id = ep.performer_id WHERE ep.event_id = e.id), '[]') AS performers
           FROM events e LEFT JOIN venues v ON v.id = e.venue_id
           WHERE e.id = $1`,
    values: [eventId],
  });
  return rows[0] ?? null;
}

export type PublicEvent = ReturnType<typeof publicEvent>;

/**
 * Public view of an event: its static part (metadata, venue, performers, price tiers) cached aside in
 * Redis, joined with live availability and the on-sale state. With Redis down both come from
 * PostgreSQL (slower, same answer).
 */
export async function getEventDetails(
  pool: Pool,
  redis: Redis,
  keys: RedisKeys,
  eventId: string,
  cacheTtlS = DEFAULT_CACHE_TTL_S,
  waitingRoomMs = 0,
) {
  // One round trip for the cached page and the worker's snapshot, whichever kind the event is.
  const got = await redis
    .mget(keys.eventCache(eventId), keys.seatStatus(eventId), keys.gaAvailable(eventId), keys.seatAsOf(eventId))
    .catch(() => null);
  let ev: PublicEvent;
  if (got?.[0]) ev = JSON.parse(got[0]) as PublicEvent;
  else {
    const row = await getEventPageRow(pool, eventId);
    if (!row) return null;
    ev = publicEvent(row);
    if (got) await redis.set(keys.eventCache(eventId), JSON.stringify(ev), 'EX', cacheTtlS).catch(() => undefined);
  }
  const snapshot = got ? (ev.kind === 'general_admission' ? got[2] : got[1]) : null;
  let availability: Availability;
  if (snapshot !== null && snapshot !== undefined) {
    availability = fromSnapshot(ev, snapshot, got?.[3] ?? null);
    if (!ev.inventory_ready) {
      // The worker created the inventory after this page was cached: show it, and cache afresh next time.
      ev = { ...ev, inventory_ready: true };
      await invalidateEvent(redis, keys, eventId);
    }
  } else if (ev.inventory_ready) {
    // Redis down, or no snapshot yet: PostgreSQL.
    const out = new Map<string, Availability>();
    await fromDatabase(
      pool,
      [{ id: ev.id, kind: ev.kind, capacity: ev.capacity, inventory_ready: true, ga_available: ev.ga_available }],
      out,
    );
    availability = out.get(ev.id)!;
  } else availability = fromLayout(ev);
  const { ga_available: _internal, ...shown } = ev;
  return { ...shown, ...liveState(ev, availability, Date.now(), waitingRoomMs), availability };
}

/** Status and on-sale state, derived when read (they change with the clock and with sales). */
export function liveState(
  ev: { cancelled: boolean; inventory_ready: boolean; on_sale_at: string },
  availability: Pick<Availability, 'available'>,
  now: number,
  waitingRoomMs = 0,
) {
  const at = Date.parse(ev.on_sale_at);
  const opened = now >= at;
  // The queue (waiting room) opens WAITING_ROOM_MINUTES before the on-sale time: requests from then on wait their turn.
  const queueOpensAt = new Date(at - waitingRoomMs).toISOString();
  const queueOpen = now >= at - waitingRoomMs && ev.inventory_ready && !ev.cancelled;
  const status: 'cancelled' | 'scheduled' | 'on_sale' | 'sold_out' = ev.cancelled
    ? 'cancelled'
    : !ev.inventory_ready || !opened
      ? 'scheduled'
      : availability.available === 0
        ? 'sold_out'
        : 'on_sale';
  return {
    status,
    on_sale: {
      at: ev.on_sale_at,
      open: opened && ev.inventory_ready && !ev.cancelled,
      queue_opens_at: queueOpensAt,
      queue_open: queueOpen,
    },
  };
}

/** Drops the cached page of an event; the next read rebuilds it from PostgreSQL. */
export function invalidateEvent(redis: Redis, keys: RedisKeys, eventId: string): Promise<unknown> {
  return redis.del(keys.eventCache(eventId)).catch(() => undefined);
}

/** Drops the cached pages of many events (a venue or performer every one of them shows changed). */
export async function invalidateEvents(redis: Redis, keys: RedisKeys, eventIds: readonly string[]): Promise<void> {
  for (let i = 0; i < eventIds.length; i += 500) {
    await redis.del(...eventIds.slice(i, i + 500).map((id) => keys.eventCache(id))).catch(() => undefined);
  }
}

function publicEvent(row: EventPageRow) {
  const layout = row.layout;
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    category: row.category,
    organizer_id: row.organizer_id,
    starts_at: row.starts_at.toISOString(),
    ends_at: row.ends_at ? row.ends_at.toISOString() : null,
    on_sale_at: row.on_sale_at.toISOString(),
    hold_seconds: row.hold_seconds,
    max_per_user: row.max_per_user,
    partition: row.partition,
    partition_pinned: row.partition_pinned,
    kind: row.kind,
    capacity: row.capacity,
    inventory_ready: row.inventory_ready,
    /** Static part of the status; `status` itself is derived when read. */
    cancelled: row.status === 'cancelled' || row.cancelled_at != null,
    venue: row.venue
      ? {
          id: row.venue.id,
          name: row.venue.name,
          address: row.venue.address,
          city: row.venue.city,
          country: row.venue.country,
          location: { lat: row.venue.lat, lon: row.venue.lon },
        }
      : null,
    performers: row.performers,
    ...(layout.kind === 'general_admission'
      ? { general_admission: { capacity: layout.capacity, price: fromCents(layout.price_cents) } }
      : {
          sections: layout.sections.map((s) => ({
            name: s.name,
            rows: s.rows,
            seats_per_row: s.seats_per_row,
            ...(s.row_lengths ? { row_lengths: s.row_lengths } : {}),
            seats: sectionSeatCount(s),
            price: fromCents(s.price_cents),
            price_tier: s.price_tier,
          })),
        }),
    price_tiers: priceTiers(row),
    price_range: { min: fromCents(row.min_price_cents), max: fromCents(row.max_price_cents) },
    // Kept for the read side only: the Redis-down availability fallback of general admission.
    ga_available: row.ga_available,
  };
}

function priceTiers(row: EventRow): Array<{ name: string; price: number; sections?: string[] }> {
  const layout = row.layout;
  if (layout.kind === 'general_admission') return [{ name: 'general_admission', price: fromCents(layout.price_cents) }];
  const tiers = new Map<string, { cents: number; sections: string[] }>();
  for (const s of layout.sections) {
    const t = tiers.get(s.price_tier) ?? { cents: s.price_cents, sections: [] };
    t.cents = Math.min(t.cents, s.price_cents);
    t.sections.push(s.name);
    tiers.set(s.price_tier, t);
  }
  return [...tiers].map(([name, t]) => ({ name, price: fromCents(t.cents), sections: t.sections }));
}
