import type { Redis } from 'ioredis';
import type { Pool } from '../../shared/db/pool';
import type { RedisKeys } from '../../shared/redis/keys';

/** [id, section, row, seat number, price_cents, price_tier] in rank order (the worker's Redis layout). */
type LayoutRow = [string, string, number, number, number, string];

/**
 * A run of seats next to each other in the seat index (rank order): same section, row, price and
 * tier, consecutive numbers. `[section index, row, first seat number, count, price_cents, tier index]`.
 * A 20,000-seat stadium is a few hundred runs instead of 20,000 objects.
 */
export type SeatRun = [number, number, number, number, number, number];

export interface CompactLayout {
  event_id: string;
  /** Changes when prices or inventory change; the status answer names the version it fits. */
  version: string;
  sections: string[];
  tiers: string[];
  runs: SeatRun[];
  /** Seat ids only where they are not `${section}-${row}-${number}`: index → id. */
  ids: Record<string, string>;
  /** Where the venue draws each section (venue layout units; row 1 nearest the stage at y). */
  boxes: Array<{ name: string; x: number; y: number; seat_spacing: number; row_lengths: number[] }>;
}

export interface CompactStatus {
  event_id: string;
  version: string;
  as_of: string | null;
  /** One character per seat in the layout's index order: `a` available, `h` held, `s` sold. */
  status: string;
}

const STATUS_CHAR: Record<string, string> = { available: 'a', held: 'h', sold: 's' };

export const defaultSeatId = (section: string, row: number, number: number) => `${section}-${row}-${number}`;

function compact(eventId: string, version: string, layout: LayoutRow[]): Omit<CompactLayout, 'boxes'> {
  const sections: string[] = [];
  const tiers: string[] = [];
  const sIdx = new Map<string, number>();
  const tIdx = new Map<string, number>();
  const runs: SeatRun[] = [];
  const ids: Record<string, string> = {};
  layout.forEach(([id, section, row, number, cents, tier], i) => {
    let s = sIdx.get(section);
    if (s === undefined) sIdx.set(section, (s = sections.push(section) - 1));
    let t = tIdx.get(tier);
    if (t === undefined) tIdx.set(tier, (t = tiers.push(tier) - 1));
    if (id !== defaultSeatId(section, row, number)) ids[i] = id;
    const last = runs[runs.length - 1];
    if (last && last[0] === s && last[1] === row && last[2] + last[3] === number && last[4] === cents && last[5] === t)
      last[3]++;
    else runs.push([s, row, number, 1, cents, t]);
  });
  return { event_id: eventId, version, sections, tiers, runs, ids };
}

async function layoutFromDatabase(pool: Pool, eventId: string): Promise<{ layout: LayoutRow[]; status: string }> {
  const { rows } = await pool.query<{
    id: string;
    section: string;
    row_number: number;
    seat_number: number;
    price_cents: number;
    price_tier: string;
    status: string;
  }>({
    name: 'compact-seats',
    text: 'SELECT id, section, row_number, seat_number, price_cents, price_tier, status FROM seats WHERE event_id = $1 ORDER BY rank',
    values: [eventId],
  });
  return {
    layout: rows.map((r) => [r.id, r.section, r.row_number, r.seat_number, r.price_cents, r.price_tier]),
    status: rows.map((r) => STATUS_CHAR[r.status] ?? 'h').join(''),
  };
}

async function venueBoxes(pool: Pool, eventId: string): Promise<CompactLayout['boxes']> {
  const { rows } = await pool.query<{ layout: { sections: CompactLayout['boxes'] } | null }>({
    name: 'compact-seats-venue',
    text: 'SELECT v.layout FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.id = $1',
    values: [eventId],
  });
  return (rows[0]?.layout?.sections ?? []).map((s) => ({
    name: s.name,
    x: s.x,
    y: s.y,
    seat_spacing: s.seat_spacing,
    row_lengths: s.row_lengths,
  }));
}

const layoutCache = new Map<string, CompactLayout>();
const LAYOUT_CACHE_MAX = 32;

/** The event's seat layout, compacted; from the worker's Redis snapshot, else PostgreSQL. */
export async function getCompactLayout(
  pool: Pool,
  redis: Redis,
  keys: RedisKeys,
  eventId: string,
): Promise<CompactLayout | null> {
  const version = (await redis.get(keys.seatLayoutVersion(eventId)).catch(() => null)) ?? null;
  const cached = layoutCache.get(eventId);
  if (cached && version !== null && cached.version === version) return cached;
  let raw: LayoutRow[] | null = null;
  if (version !== null) {
    const json = await redis.get(keys.seatLayout(eventId)).catch(() => null);
    raw = json ? (JSON.parse(json) as LayoutRow[]) : null;
  }
  const fromDb = raw ? null : await layoutFromDatabase(pool, eventId);
  const layout = raw ?? fromDb!.layout;
  if (!layout.length) return null;
  const result: CompactLayout = {
    ...compact(eventId, version ?? `db-${layout.length}`, layout),
    boxes: await venueBoxes(pool, eventId),
  };
  if (version !== null) {
    if (layoutCache.size >= LAYOUT_CACHE_MAX) layoutCache.delete(layoutCache.keys().next().value!);
    layoutCache.set(eventId, result);
  }
  return result;
}

/** Every seat's status as one character, in the layout's order; from Redis, else PostgreSQL. */
export async function getCompactStatus(
  pool: Pool,
  redis: Redis,
  keys: RedisKeys,
  eventId: string,
): Promise<CompactStatus | null> {
  try {
    const [status, asOf, version] = await redis.mget(
      keys.seatStatus(eventId),
      keys.seatAsOf(eventId),
      keys.seatLayoutVersion(eventId),
    );
    if (status && version) return { event_id: eventId, version, as_of: asOf ?? null, status };
  } catch {
    // Redis down: PostgreSQL answers.
  }
  const { layout, status } = await layoutFromDatabase(pool, eventId);
  if (!layout.length) return null;
  return { event_id: eventId, version: `db-${layout.length}`, as_of: new Date().toISOString(), status };
}
