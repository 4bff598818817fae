import type { Redis } from 'ioredis';
import type { Pool } from '../../shared/db/pool';
import type { RedisKeys } from '../../shared/redis/keys';

export interface Availability {
  capacity: number;
  available: number;
  held: number;
  sold: number;
  /** When the single writer last wrote the numbers; null when its inventory does not exist yet. */
  as_of: string | null;
  /** `snapshot`: the worker's Redis snapshot; `database`: PostgreSQL (Redis down or no snapshot); `layout`: inventory not created yet. */
  source: 'snapshot' | 'database' | 'layout';
}

/** What availability is computed from: an event's static facts. */
export interface AvailabilityTarget {
  id: string;
  kind: 'reserved' | 'general_admission';
  capacity: number;
  inventory_ready: boolean;
  /** General admission: units left as PostgreSQL has them (the Redis-down fallback). */
  ga_available: number | null;
}

/**
 * Availability of many events at once (a page of search hits): counts cached a few seconds in Redis
 * (one MGET), else derived from the worker's seat snapshot (one pipeline) and cached, else read from
 * PostgreSQL (one query) when Redis is down or holds no snapshot. May be seconds old; never blocks on
 * the booking path. Events whose inventory the worker has not created (no snapshot, row not ready)
 * show their full capacity, source `layout`.
 */
export async function availabilityOfMany(
  pool: Pool,
  redis: Redis,
  keys: RedisKeys,
  targets: readonly AvailabilityTarget[],
  cache: { readSummary: boolean; summaryTtlS: number },
): Promise<Map<string, Availability>> {
  const out = new Map<string, Availability>();
  if (!targets.length) return out;
  let missing: readonly AvailabilityTarget[] = targets;
  try {
    // Events whose row says "not ready" are looked up too: the worker's snapshot appears as soon as it
    // has committed the inventory, before a cached page learns of it.
    missing = await fromRedis(redis, keys, targets, cache, out);
  } catch {
    // Redis down: everything from PostgreSQL.
  }
  const fallback: AvailabilityTarget[] = [];
  for (const t of missing) {
    if (t.inventory_ready) fallback.push(t);
    else out.set(t.id, fromLayout(t));
  }
  if (fallback.length) await fromDatabase(pool, fallback, out);
  return out;
}

async function fromRedis(
  redis: Redis,
  keys: RedisKeys,
  targets: readonly AvailabilityTarget[],
  cache: { readSummary: boolean; summaryTtlS: number },
  out: Map<string, Availability>,
): Promise<AvailabilityTarget[]> {
  const cached = cache.readSummary ? await redis.mget(...targets.map((t) => keys.availabilitySummary(t.id))) : [];
  const misses: AvailabilityTarget[] = [];
  targets.forEach((t, i) => {
    const hit = cached[i];
    if (hit) out.set(t.id, { ...(JSON.parse(hit) as Omit<Availability, 'capacity'>), capacity: t.capacity });
    else misses.push(t);
  });
  if (!misses.length) return [];
  const read = redis.pipeline();
  for (const t of misses) {
    read.get(t.kind === 'general_admission' ? keys.gaAvailable(t.id) : keys.seatStatus(t.id));
    read.get(keys.seatAsOf(t.id));
  }
  const results = (await read.exec()) ?? [];
  const write = redis.pipeline();
  const noSnapshot: AvailabilityTarget[] = [];
  misses.forEach((t, i) => {
    const [err, value] = results[2 * i] ?? [null, null];
    const asOf = (results[2 * i + 1]?.[1] as string | null) ?? null;
    if (err || value === null || value === undefined) return void noSnapshot.push(t);
    const a = fromSnapshot(t, value as string, asOf);
    out.set(t.id, a);
    if (cache.summaryTtlS > 0) {
      const { capacity: _c, ...summary } = a;
      write.set(keys.availabilitySummary(t.id), JSON.stringify(summary), 'EX', cache.summaryTtlS);
    }
  });
  if (write.length) await write.exec();
  return noSnapshot;
}

/**
 * Counts from the worker's snapshot value: units left (general admission) or one status character per
 * seat, 'a' available, 'h' held, 's' sold (booking-workers/seat-snapshot.ts).
 */
export function fromSnapshot(
  t: Pick<AvailabilityTarget, 'kind' | 'capacity'>,
  value: string,
  asOf: string | null,
): Availability {
  if (t.kind === 'general_admission') {
    const available = Number(value);
    return { capacity: t.capacity, available, held: 0, sold: t.capacity - available, as_of: asOf, source: 'snapshot' };
  }
  let available = 0,
    held = 0,
    sold = 0;
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    if (c === 97)
      available++; // 'a'
    else if (c === 104)
      held++; // 'h'
    else sold++;
  }
  return { capacity: t.capacity, available, held, sold, as_of: asOf, source: 'snapshot' };
}

/** An event whose inventory the worker has not created: its full capacity, from the layout. */
export function fromLayout(t: Pick<AvailabilityTarget, 'capacity'>): Availability {
  return { capacity: t.capacity, available: t.capacity, held: 0, sold: 0, as_of: null, source: 'layout' };
}

export async function fromDatabase(
  pool: Pool,
  targets: readonly AvailabilityTarget[],
  out: Map<string, Availability>,
): Promise<void> {
  const now = new Date().toISOString();
  const reserved: string[] = [];
  for (const t of targets) {
    if (t.kind === 'general_admission') {
      const available = t.ga_available ?? 0;
      out.set(t.id, {
        capacity: t.capacity,
        available,
        held: 0,
        sold: t.capacity - available,
        as_of: now,
        source: 'database',
      });
    } else reserved.push(t.id);
  }
  if (!reserved.length) return;
  const { rows } = await pool.query<{ event_id: string; a: number; h: number; s: number }>({
    name: 'seat-availability-many',
    text: `SELECT event_id, count(*) FILTER (WHERE status = 'available')::int AS a, count(*) FILTER (WHERE status = 'held')::int AS h,
                  count(*) FILTER (WHERE status = 'sold')::int AS s
           FROM seats WHERE event_id = ANY($1::uuid[]) GROUP BY event_id`,
    values: [reserved],
  });
  const byId = new Map(rows.map((r) => [r.event_id, r]));
  for (const t of targets) {
    if (t.kind !== 'reserved') continue;
    const r = byId.get(t.id);
    out.set(t.id, {
      capacity: t.capacity,
      available: r?.a ?? 0,
      held: r?.h ?? 0,
      sold: r?.s ?? 0,
      as_of: now,
      source: 'database',
    });
  }
}
