import type { IngressContext } from '../context';

/** Event id → partition, for routing. An event's partition is fixed at creation, so it is cached in memory. */
const cache = new Map<string, number>();
const CACHE_MAX = 100_000;

export async function eventPartition(ctx: Pick<IngressContext, 'pool'>, eventId: string): Promise<number | null> {
  const hit = cache.get(eventId);
  if (hit !== undefined) return hit;
  const { rows } = await ctx.pool.query<{ partition: number }>({
    name: 'event-partition',
    text: 'SELECT partition FROM events WHERE id = $1',
    values: [eventId],
  });
  const p = rows[0]?.partition;
  if (p === undefined) return null;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(eventId, p);
  return p;
}
