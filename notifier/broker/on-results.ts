import { bookingResultSchema, type BookingResult, type BookingResults } from '../../shared/contracts/messages';
import { deliver, type NotifierContext } from '../context';
import { toPush } from '../to-push';
import { pushUserOffer } from './user-offers';

/**
 * A batch's outcomes: each is remembered (to answer later watches) and pushed to the sockets
 * watching its booking if it is newer than what they were told.
 */
export function onResults(ctx: NotifierContext) {
  return (batch: BookingResults): void => {
    for (const r of batch.results) onResult(ctx, r);
  };
}

/**
 * A batch that did not parse as a whole: its outcomes are parsed one by one, so one malformed entry
 * is dropped without losing its neighbours.
 */
export function salvageResults(ctx: NotifierContext) {
  return (raw: unknown): void => {
    const results = typeof raw === 'object' && raw !== null && 'results' in raw ? raw.results : undefined;
    if (!Array.isArray(results)) return;
    for (const entry of results as unknown[]) {
      const parsed = bookingResultSchema.safeParse(entry);
      if (parsed.success) onResult(ctx, parsed.data);
    }
  };
}

function onResult(ctx: NotifierContext, r: BookingResult): void {
  if (pushUserOffer(ctx.io, r)) ctx.pushed.inc({ event: 'waitlist.offer' });
  const push = toPush(r);
  ctx.recent.remember(r.user_id, r.seq ?? null, push);
  deliver(ctx, ctx.watchers.offer(push));
  // winston builds and pipes a debug line even when the level is off: asked first, it costs nothing per result.
  if (ctx.logger.isDebugEnabled())
    ctx.logger.debug('result pushed', { booking_id: r.booking_id, correlation_id: r.correlation_id, status: r.status });
}
