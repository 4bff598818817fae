import type { IngressContext } from '../context';

/** What ingress needs to know about an event's queue: its on-sale time, how the waiting room is ordered, whether it was drawn. */
export interface EventQueueState {
  onSaleAt: number;
  queueMode: 'draw' | 'fifo';
  drawnAt: number | null;
  /** Proof-of-work bits a booking must carry (0: none). */
  powBits: number;
}

/**
 * Kept for a second: the on-sale time and queue mode change rarely (and only before the on-sale), and
 * the draw happens once, so a second's staleness at most shows a drawn request as waiting a moment longer.
 */
const TTL_MS = 1000;
const CACHE_MAX = 10_000;
const cache = new Map<string, { at: number; state: EventQueueState | null }>();

export async function eventQueueState(
  ctx: Pick<IngressContext, 'pool'>,
  eventId: string,
  now = Date.now(),
): Promise<EventQueueState | null> {
  const hit = cache.get(eventId);
  if (hit && now - hit.at < TTL_MS) return hit.state;
  const { rows } = await ctx.pool.query<{
    on_sale_at: Date;
    queue_mode: 'draw' | 'fifo';
    drawn_at: Date | null;
    pow_bits: number;
  }>({
    name: 'event-queue-state',
    text: 'SELECT e.on_sale_at, e.queue_mode, e.pow_bits, d.drawn_at FROM events e LEFT JOIN event_draws d ON d.event_id = e.id WHERE e.id = $1',
    values: [eventId],
  });
  const r = rows[0];
  const state = r
    ? {
        onSaleAt: r.on_sale_at.getTime(),
        queueMode: r.queue_mode,
        drawnAt: r.drawn_at ? r.drawn_at.getTime() : null,
        powBits: r.pow_bits,
      }
    : null;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(eventId, { at: now, state });
  return state;
}

/**
 * A queued request that waits for the draw: it arrived before the on-sale time of an event whose waiting
 * room is drawn, and the draw has not happened. It has no position yet; `draw_at` says when it gets one.
 */
export function waitsForDraw(state: EventQueueState | null, requestedAt: number): state is EventQueueState {
  return state !== null && state.queueMode === 'draw' && state.drawnAt === null && requestedAt < state.onSaleAt;
}

/** The queue fields of a queued request's answer: a position, or none yet in a waiting room that is drawn. */
export function queueFields(state: EventQueueState | null, requestedAt: number, position: () => number) {
  if (waitsForDraw(state, requestedAt))
    return { position: null, queue: 'waiting_room' as const, draw_at: new Date(state.onSaleAt).toISOString() };
  return { position: position(), queue: 'line' as const };
}
