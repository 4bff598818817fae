import { z } from 'zod';
import type { WatchAck } from '../../shared/contracts/socket';
import { RETRY_AFTER_S, type NotifierContext, type NotifierSocket } from '../context';
import { tokenValid } from './authenticate';

export const eventWatchSchema = z.object({ event_id: z.string().uuid() });
type Reply = (r: WatchAck) => void;

/**
 * `event.watch`: joins the event's room (seat changes and progress). Whether the event exists comes
 * from the {@link EventDirectory} cache, not a query per call; when PostgreSQL cannot answer, the
 * socket does not join and is told to retry.
 */
export function watchEvent(ctx: NotifierContext, socket: NotifierSocket) {
  return async (payload: unknown, ack: unknown): Promise<void> => {
    const reply: Reply = typeof ack === 'function' ? (ack as Reply) : () => undefined;
    const parsed = eventWatchSchema.safeParse(payload);
    if (!parsed.success) return reply({ ok: false, code: 'validation_failed', message: 'event_id must be a uuid' });
    const room = `event:${parsed.data.event_id}`;
    if (socket.rooms.has(room)) return reply({ ok: true });
    if (!tokenValid(socket)) return reply({ ok: false, code: 'unauthorized', message: 'token expired; reconnect with a fresh token' });
    if (eventRooms(socket) >= ctx.settings.NOTIFIER_MAX_EVENT_WATCHES) {
      return reply({ ok: false, code: 'too_many_watches', message: `at most ${ctx.settings.NOTIFIER_MAX_EVENT_WATCHES} events per socket` });
    }
    let exists: boolean;
    try {
      exists = await ctx.events.exists(parsed.data.event_id);
    } catch (err) {
      ctx.logger.warn('event.watch: PostgreSQL did not answer', { event_id: parsed.data.event_id, err: (err as Error).message });
      return reply({ ok: false, code: 'dependency_unavailable', message: 'the event could not be looked up; not watching', retry_after: RETRY_AFTER_S });
    }
    if (!exists) return reply({ ok: false, code: 'event_not_found', message: 'no such event' });
    if (socket.disconnected) return;
    // Re-check after the lookup: concurrent watches may have filled the cap meanwhile.
    if (!socket.rooms.has(room) && eventRooms(socket) >= ctx.settings.NOTIFIER_MAX_EVENT_WATCHES) {
      return reply({ ok: false, code: 'too_many_watches', message: `at most ${ctx.settings.NOTIFIER_MAX_EVENT_WATCHES} events per socket` });
    }
    await socket.join(room);
    reply({ ok: true });
    const progress = ctx.lastProgress.get(parsed.data.event_id);
    if (progress) socket.emit('event.progress', progress);
  };
}

export function unwatchEvent(_ctx: NotifierContext, socket: NotifierSocket) {
  return (payload: unknown): void => {
    const parsed = eventWatchSchema.safeParse(payload);
    if (parsed.success) void socket.leave(`event:${parsed.data.event_id}`);
  };
}

/** Events the socket watches (its other rooms are its own and the queue rooms of its bookings; all capped). */
function eventRooms(socket: NotifierSocket): number {
  let n = 0;
  for (const room of socket.rooms) if (room.startsWith('event:')) n++;
  return n;
}
