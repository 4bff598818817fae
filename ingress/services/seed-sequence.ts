import type { IngressContext } from '../context';

/**
 * Where an event's sequence counter restarts when Redis lost it: above every number that may already
 * have been stamped. PostgreSQL holds the highest stamped number of every decided or parked request;
 * requests stamped but not yet committed are still in the partition queue (ready, counted by the
 * broker) or held unacknowledged by its consumer (at most WORKER_PREFETCH). Starting above all of
 * them may overstate the first positions a little, never understate them, and never reuses a number.
 * The watermark restarts at the highest decided number.
 */
export async function seedSequence(ctx: IngressContext, eventId: string, partition: number): Promise<{ seq: number; watermark: number }> {
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
  const seq = Number(stamped) + queued + ctx.config.WORKER_PREFETCH;
  ctx.logger.warn('event sequence counter missing in Redis: reseeded', { event_id: eventId, partition, stamped, queued, seq, watermark: decided });
  return { seq, watermark: Number(decided) };
}
