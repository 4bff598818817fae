import type { NotifierContext } from '../context';
import { etaFor, positionFor } from '../watchers';
import type { ParsedEventProgress } from './schemas';

/** Positions up to this one are pushed at every move, whatever NOTIFIER_POSITION_INTERVAL_MS says. */
const FRONT_OF_QUEUE = 5;

/**
 * An event's progress: broadcast to its room, and turned into positions for this instance's
 * watched bookings that are still waiting (decided ones are not in that index).
 */
export function onProgress(ctx: NotifierContext) {
  return (p: ParsedEventProgress): void => {
    const { io, watchers } = ctx;
    io.local.to(`event:${p.event_id}`).emit('event.progress', { event_id: p.event_id, watermark: p.watermark, rate_per_s: p.rate_per_s, paused: p.paused });
    const now = Date.now();
    for (const w of watchers.queuedOf(p.event_id)) {
      if (w.seq === null) continue;
      const position = positionFor(w.seq, p.watermark);
      // At most one push per booking per interval (the queue may move hundreds of times a second),
      // except at the very front, where every step is news.
      if (position > FRONT_OF_QUEUE && now - w.lastPositionAt < ctx.config.NOTIFIER_POSITION_INTERVAL_MS) continue;
      for (const socketId of watchers.socketsOf(w)) {
        // Positions only ever move forward for a waiting client.
        if (!watchers.advance(socketId, w, position)) continue;
        w.lastPositionAt = now;
        io.local.to(socketId).emit('booking.position', { booking_id: w.bookingId, position, eta_seconds: etaFor(position, p.rate_per_s) });
        ctx.pushed.inc({ event: 'booking.position' });
      }
    }
  };
}
