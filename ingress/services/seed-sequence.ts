import type { IngressContext } from '../context';

/**
 * Where an event's sequence counter restarts when Redis lost it: above every number that may already
 * have been stamped. PostgreSQL holds the highest stamped number of every decided or parked request;
 * requests stamped but not yet committed are still in the partition queue (ready, counted by the
 * broker) or held unacknowledged by its consumer (at most WORKER_PREFETCH). Starting above all of
 * them may overstate the first positions a little, never understate them, and never reuses a number.
 * The watermark restarts at the highest decided number. (Ingress starts every new event's counter at
 * creation, so a missing counter means a lost one, or an event older than that.)
 */
export function seedSequence(ctx: IngressContext, eventId: string, partition: number): Promise<Seed> {
  // One computation per event at a time in this process: a crowd that finds the counter missing at
  // once (hundreds of requests in a bench's first second) shares it instead of each running the query
  // and opening a channel. Each caller then stamps with the seed; the script sets it only if missing.
  let seeds = inFlight.get(ctx);
  if (!seeds) inFlight.set(ctx, (seeds = new Map<string, Promise<Seed>>()));
  const running = seeds.get(eventId);
  if (running) return running;
  const seed = computeSeed(ctx, eventId, partition).finally(() => seeds.delete(eventId));
  seeds.set(eventId, seed);
  return seed;
}

export interface Seed {
  seq: number;
  watermark: number;
}

const inFlight = new WeakMap<IngressContext, Map<string, Promise<Seed>>>();

async function computeSeed(ctx: IngressContext, eventId: string, partition: number): Promise<Seed> {
  const { rows } = await ctx.pool.query<{ stamped: number; decided: number }>({
    name: 'event-highest-seq',
    text: `SELECT coalesce(max(seq), 0)::bigint AS stamped, coalesce(max(seq) FILTER (WHERE status <> 'queued'), 0)::bigint AS decided
           FROM bookings WHERE event_id = $1`,
    values: [eventId],
  });
  const { stamped, decided } = rows[0] ?? { stamped: 0, decided: 0 };
  let queued = 0;
  const ch = await ctx.broker.channel();
  try {
    queued = (await ch.checkQueue(ctx.broker.publisher().names.partitionQueue(partition))).messageCount;
  } finally {
    await ch.close().catch(() => undefined);
  }
  // No trace of any request (none in PostgreSQL for this event, none waiting in its partition): an
  // event that never had a counter (created before counters were started at creation), not a lost one.
  const traces = stamped > 0 || queued > 0;
  const seq = stamped + (traces ? queued + ctx.config.WORKER_PREFETCH : 0);
  ctx.logger.warn('event sequence counter missing in Redis: reseeded', {
    event_id: eventId,
    partition,
    stamped,
    queued,
    seq,
    watermark: decided,
  });
  return { seq, watermark: decided };
}
