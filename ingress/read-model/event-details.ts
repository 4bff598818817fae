import type { Redis } from 'ioredis';
import type { Pool } from '../../shared/db/pool';
import type { RedisKeys } from '../../shared/redis/keys';
import { getEventRow, type EventRow } from '../../shared/sql/get-event';
import { fromCents } from '../../shared/money';

const CACHE_TTL_S = 30;

export interface Availability {
  capacity: number;
  available: number;
  held: number;
  sold: number;
  as_of: string | null;
}

/** Public view of an event, cached aside in Redis (static part) and joined with live availability. */
export async function getEventDetails(pool: Pool, redis: Redis, keys: RedisKeys, eventId: string) {
  let ev: ReturnType<typeof publicEvent> | null = null;
  const cached = await redis.get(keys.eventCache(eventId)).catch(() => null);
  if (cached) ev = JSON.parse(cached);
  else {
    const row = await getEventRow(pool, eventId);
    if (!row) return null;
    ev = publicEvent(row);
    await redis.set(keys.eventCache(eventId), JSON.stringify(ev), 'EX', CACHE_TTL_S).catch(() => undefined);
  }
  const availability = await availabilityOf(pool, redis, keys, ev!.id, ev!.kind, ev!.capacity);
  const now = Date.now();
  const status = !ev!.inventory_ready ? 'scheduled' : now < Date.parse(ev!.on_sale_at) ? 'scheduled' : availability.available === 0 ? 'sold_out' : 'on_sale';
  return { ...ev!, status, availability };
}

export function invalidateEvent(redis: Redis, keys: RedisKeys, eventId: string): Promise<unknown> {
  return redis.del(keys.eventCache(eventId)).catch(() => undefined);
}

function publicEvent(row: EventRow) {
  const layout = row.layout;
  return {
    id: row.id,
    name: row.name,
    organizer_id: row.organizer_id,
    starts_at: row.starts_at.toISOString(),
    on_sale_at: row.on_sale_at.toISOString(),
    hold_seconds: row.hold_seconds,
    max_per_user: row.max_per_user,
    partition: row.partition,
    kind: row.kind,
    capacity: row.capacity,
    inventory_ready: row.inventory_ready,
    ...(layout.kind === 'general_admission'
      ? { general_admission: { capacity: layout.capacity, price: fromCents(layout.price_cents) } }
      : {
          sections: layout.sections.map((s) => ({ name: s.name, rows: s.rows, seats_per_row: s.seats_per_row, price: fromCents(s.price_cents), price_tier: s.price_tier })),
        }),
    price_tiers: priceTiers(row),
  };
}

function priceTiers(row: EventRow): Array<{ name: string; price: number }> {
  const layout = row.layout;
  if (layout.kind === 'general_admission') return [{ name: 'general_admission', price: fromCents(layout.price_cents) }];
  const tiers = new Map<string, number>();
  for (const s of layout.sections) tiers.set(s.price_tier, s.price_cents);
  return [...tiers].map(([name, cents]) => ({ name, price: fromCents(cents) }));
}

/** Availability from the worker's Redis snapshot (seconds old at most), or PostgreSQL when Redis has none. */
export async function availabilityOf(pool: Pool, redis: Redis, keys: RedisKeys, eventId: string, kind: string, capacity: number): Promise<Availability> {
  try {
    if (kind === 'general_admission') {
      const [avail, asOf] = await redis.mget(keys.gaAvailable(eventId), keys.seatAsOf(eventId));
      if (avail !== null) return { capacity, available: Number(avail), held: 0, sold: capacity - Number(avail), as_of: asOf ?? null };
    } else {
      const [status, asOf] = await redis.mget(keys.seatStatus(eventId), keys.seatAsOf(eventId));
      if (status) {
        let a = 0, h = 0, s = 0;
        for (let i = 0; i < status.length; i++) {
          const c = status.charCodeAt(i);
          if (c === 97) a++;
          else if (c === 104) h++;
          else s++;
        }
        return { capacity, available: a, held: h, sold: s, as_of: asOf ?? null };
      }
    }
  } catch {
    // Redis down: fall through to PostgreSQL.
  }
  if (kind === 'general_admission') {
    const { rows } = await pool.query('SELECT ga_available FROM events WHERE id = $1', [eventId]);
    const avail = rows[0]?.ga_available ?? 0;
    return { capacity, available: avail, held: 0, sold: capacity - avail, as_of: new Date().toISOString() };
  }
  const { rows } = await pool.query({
    name: 'seat-availability',
    text: `SELECT count(*) FILTER (WHERE status = 'available')::int AS a, count(*) FILTER (WHERE status = 'held')::int AS h,
                  count(*) FILTER (WHERE status = 'sold')::int AS s FROM seats WHERE event_id = $1`,
    values: [eventId],
  });
  return { capacity, available: rows[0].a, held: rows[0].h, sold: rows[0].s, as_of: new Date().toISOString() };
}
