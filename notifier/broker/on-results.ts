import { deliver, type NotifierContext } from '../context';
import { toPush } from '../to-push';
import { bookingResultSchema } from './schemas';
import { pushUserOffer } from './user-offers';

/**
 * A batch's outcomes: each is remembered (to answer later watches) and pushed to the sockets
 * watching its booking if it is newer than what they were told.
 */
export function onResults(ctx: NotifierContext) {
  return (batch: { event_id: string; results: unknown[] }): void => {
    for (const raw of batch.results) {
      const parsed = bookingResultSchema.safeParse(raw);
      if (!parsed.success) {
        ctx.logger.warn('invalid booking result dropped', { event_id: batch.event_id, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) });
        continue;
      }
      const r = parsed.data;
      if (pushUserOffer(ctx.io, r)) ctx.pushed.inc({ event: 'waitlist.offer' });
      const push = toPush(r);
      ctx.recent.remember(r.user_id, r.seq ?? null, push);
      deliver(ctx, ctx.watchers.offer(push));
      ctx.logger.debug('result pushed', { booking_id: r.booking_id, correlation_id: r.correlation_id, status: r.status });
    }
  };
}
