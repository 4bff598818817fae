import type { Redis } from 'ioredis';
import type { Pool } from '../../shared/db/pool';
import type { RedisKeys } from '../../shared/redis/keys';
import type { SeatStatus } from '../../shared/contracts/messages';
import { fromCents } from '../../shared/money';

type LayoutRow = [string, string, number, number, number, string];
const CHAR_STATUS: Record<string, SeatStatus> = { a: 'available', h: 'held', s: 'sold' };

/** Parsed layouts change only when prices do (a new layout version), so each ingress keeps a few in memory. */
const layoutCache = new Map<string, { version: string | null; layout: LayoutRow[] }>();
const LAYOUT_CACHE_MAX = 32;

export interface SeatView {
  id: string;
  section: string;
  row: number;
  number: number;
  price: number;
  price_tier: string;
  status: SeatStatus;
}

/**
 * The seat map of a reserved event: the worker's Redis snapshot with its `as_of`, or PostgreSQL
 * (source: "database") when the snapshot is missing.
 */
export async function getSeatMap(pool: Pool, redis: Redis, keys: RedisKeys, eventId: string, section?: string) {
  try {
    const [status, asOf, version] = await redis.mget(
      keys.seatStatus(eventId),
      keys.seatAsOf(eventId),
      keys.seatLayoutVersion(eventId),
    );
    if (status) {
      const cached = layoutCache.get(eventId);
      let layout = cached && cached.version === (version ?? null) ? cached.layout : undefined;
      if (!layout) {
        const raw = await redis.get(keys.seatLayout(eventId));
        if (raw) {
          layout = JSON.parse(raw) as LayoutRow[];
          if (layoutCache.size >= LAYOUT_CACHE_MAX) layoutCache.delete(layoutCache.keys().next().value!);
          layoutCache.set(eventId, { version: version ?? null, layout });
        }
      }
      if (layout && layout.length === status.length) {
        const seats: SeatView[] = [];
        layout.forEach(([id, sec, row, number, cents, tier], i) => {
          if (section === undefined || sec === section)
            seats.push({
              id,
              section: sec,
              row,
              number,
              price: fromCents(cents),
              price_tier: tier,
              status: CHAR_STATUS[status[i]!] ?? 'held',
            });
        });
        return { event_id: eventId, as_of: asOf, source: 'snapshot' as const, seats };
      }
    }
  } catch {
    // Redis down: serve from PostgreSQL.
  }
  const { rows } = await pool.query<{
    id: string;
    section: string;
    row_number: number;
    seat_number: number;
    price_cents: number;
    price_tier: string;
    status: string;
  }>({
    name: 'seat-map',
    text: `SELECT id, section, row_number, seat_number, price_cents, price_tier, status FROM seats
           WHERE event_id = $1 AND ($2::text IS NULL OR section = $2) ORDER BY rank`,
    values: [eventId, section ?? null],
  });
  return {
    event_id: eventId,
    as_of: new Date().toISOString(),
    source: 'database' as const,
    seats: rows.map((r) => ({
      id: r.id,
      section: r.section,
      row: r.row_number,
      number: r.seat_number,
      price: fromCents(r.price_cents),
      price_tier: r.price_tier,
      status: r.status as SeatStatus,
    })),
  };
}
