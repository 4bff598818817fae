import { z } from 'zod';
import type { WatchAck } from '../../shared/contracts/socket';
import { RETRY_AFTER_S, type NotifierContext, type NotifierSocket } from '../context';
import { eventUpdate } from '../broker/event-update';
import { mayWatch } from './authenticate';
import { eventRoom, joinEventRoom, leaveEventRoom } from '../rooms';

export const eventWatchSchema = z.object({ event_id: z.uuid() });
type Reply = (r: WatchAck) => void;

/**
 * `event.watch`: joins the event's room (`event.update`: seat changes and progress), and is told where
 * the event's queue stands at once. Whether the event exists comes
 * from the {@link EventDirectory} cache, not a query per call; when PostgreSQL cannot answer, the
 * socket does not join and is told to retry.
 */
export function watchEvent(ctx: NotifierContext, socket: NotifierSocket) {
  return async (payload: unknown, ack: unknown): Promise<void> => {
    const reply: Reply = typeof ack === 'function' ? (ack as Reply) : () => undefined;
    const parsed = eventWatchSchema.safeParse(payload);
    if (!parsed.success) {
      reply({ ok: false, code: 'validation_failed', message: 'event_id must be a uuid' });
      return;
    }
    const room = eventRoom(parsed.data.event_id);
    if (socket.rooms.has(room)) {
      reply({ ok: true });
      return;
    }
    const refused = await mayWatch(ctx, socket);
    if (refused) {
      reply({ ok: false, code: 'unauthorized', message: refused });
      return;
    }
    if (eventRooms(socket) >= ctx.settings.NOTIFIER_MAX_EVENT_WATCHES) {
      reply({
        ok: false,
        code: 'too_many_watches',
        message: `at most ${ctx.settings.NOTIFIER_MAX_EVENT_WATCHES} events per socket`,
      });
      return;
    }
    let exists: boolean;
    try {
      exists = await ctx.events.exists(parsed.data.event_id);
    } catch (err) {
      ctx.logger.warn('event.watch: PostgreSQL did not answer', {
        event_id: parsed.data.event_id,
        err: (err as Error).message,
      });
      reply({
        ok: false,
        code: 'dependency_unavailable',
        message: 'the event could not be looked up; not watching',
        retry_after: RETRY_AFTER_S,
      });
      return;
    }
    if (!exists) {
      reply({ ok: false, code: 'event_not_found', message: 'no such event' });
      return;
    }
    if (socket.disconnected) return;
    // Re-check after the lookup: concurrent watches may have filled the cap meanwhile.
    if (!socket.rooms.has(room) && eventRooms(socket) >= ctx.settings.NOTIFIER_MAX_EVENT_WATCHES) {
      reply({
        ok: false,
        code: 'too_many_watches',
        message: `at most ${ctx.settings.NOTIFIER_MAX_EVENT_WATCHES} events per socket`,
      });
      return;
    }
    await joinEventRoom(socket, parsed.data.event_id);
    reply({ ok: true });
    const now = eventUpdate(parsed.data.event_id, ctx.lastProgress.get(parsed.data.event_id), undefined);
    if (now) socket.emit('event.update', now);
  };
}

export function unwatchEvent(_ctx: NotifierContext, socket: NotifierSocket) {
  return (payload: unknown): void => {
    const parsed = eventWatchSchema.safeParse(payload);
    if (parsed.success) leaveEventRoom(socket, parsed.data.event_id);
  };
}

/** Events the socket watches (its other rooms are its own and the queue rooms of its bookings; all capped). */
function eventRooms(socket: NotifierSocket): number {
  let n = 0;
  for (const room of socket.rooms) if (room.startsWith('event:')) n++;
  return n;
}
