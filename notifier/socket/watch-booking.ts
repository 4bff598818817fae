import { z } from 'zod';
import { bookingFromDatabase, pendingBooking, type BookingView } from '../../shared/read/booking-status';
import { positionOf, type WatchAck } from '../../shared/contracts/socket';
import { queueState } from '../broker/event-update';
import { deliver, queueRoom, RETRY_AFTER_S, type NotifierContext, type NotifierSocket } from '../context';
import type { Delivery } from '../watchers';
import { toPush } from '../to-push';
import { mayWatch } from './authenticate';

export const bookingWatchSchema = z.object({ booking_id: z.uuid() });
type Reply = (r: WatchAck) => void;

const NOT_FOUND: WatchAck = { ok: false, code: 'booking_not_found', message: 'no such booking' };

/**
 * `booking.watch`: the owner (or an operator) is told the booking's current state and then every
 * newer outcome; while it waits, the socket is in the event's queue room (its progress broadcasts)
 * and the ack gives it `seq` to compute its position. The watch is registered before anything is read, so an outcome published meanwhile
 * is not missed (it is held back until ownership is known). A recent outcome from the message stream
 * answers without PostgreSQL, and so does a request recent enough that the stream must hold its
 * outcome if it has one (`RecentResults.covers`: ingress's Redis record names the owner); otherwise one
 * query. Another user's booking and an unknown id get the same answer.
 */
export function watchBooking(ctx: NotifierContext, socket: NotifierSocket) {
  return async (payload: unknown, ack: unknown): Promise<void> => {
    const reply: Reply = typeof ack === 'function' ? (ack as Reply) : () => undefined;
    const parsed = bookingWatchSchema.safeParse(payload);
    if (!parsed.success) {
      reply({ ok: false, code: 'validation_failed', message: 'booking_id must be a uuid' });
      return;
    }
    const id = parsed.data.booking_id;
    const { watchers } = ctx;
    const again = watchers.watching(socket.id, id);
    const refused = again ? null : await mayWatch(ctx, socket);
    if (refused) {
      reply({ ok: false, code: 'unauthorized', message: refused });
      return;
    }
    // Decided watches (told their outcome) give way to new ones; only pending ones count against the cap.
    if (!again && !watchers.makeRoom(socket.id, ctx.settings.NOTIFIER_MAX_BOOKING_WATCHES)) {
      reply({
        ok: false,
        code: 'too_many_watches',
        message: `at most ${ctx.settings.NOTIFIER_MAX_BOOKING_WATCHES} pending bookings per socket`,
      });
      return;
    }
    const w = watchers.add(socket.id, id);
    // Built only when something is logged: a winston logger (and each debug line, even when the level is
    // off) costs more than the rest of a watch.
    const log = () => ctx.logger.child({ user_id: socket.data.user_id, socket_id: socket.id, booking_id: id });
    try {
      const recent = ctx.recent.get(id);
      let fromDb: BookingView | null = null;
      let dbDown = false;
      let owner: { user_id: string; event_id: string; seq: number | null } | null = recent
        ? { user_id: recent.user_id, event_id: recent.push.event_id, seq: recent.seq }
        : null;
      if (!owner) {
        const pending = await pendingBooking(ctx.redis, ctx.keys, id);
        // The hot path (a watch right after the 202): ingress's Redis record names the owner, and no
        // outcome in the stream means none yet, so PostgreSQL is not asked.
        if (pending && ctx.recent.covers(Date.parse(pending.requested_at))) {
          owner = pending;
          ctx.watchLookups.inc({ source: 'redis' });
        } else {
          ctx.watchLookups.inc({ source: 'postgres' });
          try {
            fromDb = await bookingFromDatabase(ctx.pool, id);
          } catch (err) {
            dbDown = true;
            log().warn('booking.watch: PostgreSQL did not answer', { err: (err as Error).message });
          }
          owner = fromDb ?? pending;
        }
      } else ctx.watchLookups.inc({ source: 'stream' });
      // Gone while we looked: its watches were dropped with it (and it must join no room).
      if (socket.disconnected) {
        watchers.remove(socket.id, id);
        return;
      }
      if (!owner || (owner.user_id !== socket.data.user_id && socket.data.role !== 'operator')) {
        if (!again) watchers.remove(socket.id, id);
        reply(owner || !dbDown ? NOT_FOUND : unavailable('the booking could not be looked up'));
        return;
      }
      watchers.confirm(socket.id, id, owner.event_id);
      const out: Delivery[] = [];
      if (recent) out.push(...watchers.offer(recent.push));
      if (fromDb && fromDb.status !== 'queued')
        out.push(...watchers.offer(toPush({ ...fromDb, decided_at: fromDb.decided_at ?? fromDb.requested_at })));
      const mine = watchers.latestFor(socket.id, w);
      if (mine) out.push(mine);
      if (w.latest && w.latest.status !== 'queued') {
        reply({ ok: true, status: w.latest.status });
        deliver(ctx, out);
        return;
      }
      if (dbDown) {
        // The owner is known (Redis), the state is not: keep the watch and push the outcome when it is known.
        reply(unavailable('the booking state could not be read; the watch is kept and its outcome will be pushed'));
        recheckLater(ctx, socket.id, id);
        return;
      }
      // Join the event's queue room before reading the watermark, so no progress falls in between.
      await socket.join(queueRoom(owner.event_id));
      // The event's last progress from the stream has its watermark (no round trip); else Redis: no
      // watermark yet means nothing decided yet (0), Redis not answering means no position (null).
      const known = ctx.lastProgress.get(owner.event_id);
      const wm =
        known !== undefined
          ? String(known.watermark)
          : await ctx.redis.get(ctx.keys.eventWatermark(owner.event_id)).then(
              (v) => v ?? '0',
              () => null,
            );
      if (w.latest && w.latest.status !== 'queued') {
        reply({ ok: true, status: w.latest.status });
        return;
      }
      const position =
        owner.seq !== null && wm !== null
          ? positionOf(owner.seq, { watermark: Number(wm), rate_per_s: 0 }).position
          : null;
      // Where the queue stands now (paused, throttled, its rate) rides on the ack: one write, not two.
      reply({
        ok: true,
        status: 'queued',
        position,
        seq: owner.seq,
        event_id: owner.event_id,
        ...(known ? { progress: queueState(known) } : {}),
      });
      if (ctx.logger.isDebugEnabled()) log().debug('watching booking');
    } catch (err) {
      if (!again) watchers.remove(socket.id, id);
      log().error('booking.watch failed', { err: (err as Error).message });
      reply({ ok: false, code: 'internal_error', message: 'try again' });
    }
  };
}

export function unwatchBooking(ctx: NotifierContext, socket: NotifierSocket) {
  return (payload: unknown): void => {
    const parsed = bookingWatchSchema.safeParse(payload);
    if (!parsed.success) return;
    const eventId = ctx.watchers.get(parsed.data.booking_id)?.eventId;
    ctx.watchers.remove(socket.id, parsed.data.booking_id);
    if (eventId && !ctx.watchers.waitsOn(socket.id, eventId)) void socket.leave(queueRoom(eventId));
  };
}

function unavailable(message: string): WatchAck {
  return { ok: false, code: 'dependency_unavailable', message, retry_after: RETRY_AFTER_S };
}

/**
 * Re-reads a kept watch's booking from PostgreSQL with backoff until it answers (or the watch ends),
 * then pushes its outcome if it has one; one still queued is pushed from the message stream.
 */
function recheckLater(ctx: NotifierContext, socketId: string, bookingId: string, attempt = 0): void {
  if (attempt >= 40) return;
  const recheck = async (): Promise<void> => {
    ctx.timers.delete(timer);
    if (!ctx.watchers.watching(socketId, bookingId)) return;
    try {
      const view = await bookingFromDatabase(ctx.pool, bookingId);
      if (view && view.status !== 'queued')
        deliver(ctx, ctx.watchers.offer(toPush({ ...view, decided_at: view.decided_at ?? view.requested_at })));
    } catch {
      recheckLater(ctx, socketId, bookingId, attempt + 1);
    }
  };
  const timer = setTimeout(() => void recheck(), Math.min(1000 * 2 ** Math.min(attempt, 3), 8000));
  timer.unref();
  ctx.timers.add(timer);
}
