import type { Event } from 'socket.io';
import type { WatchAck } from '../../shared/contracts/socket';
import type { NotifierContext, NotifierSocket } from '../context';

/** A socket that sends this many times its allowance in one second is not a client but a flood. */
const FLOOD_FACTOR = 5;
const WINDOW_MS = 1000;

/**
 * Per-socket limit on the events a client sends (NOTIFIER_EVENTS_PER_SECOND). An event over the limit
 * is not handled: its ack, if any, gets `rate_limited` with `retry_after` (seconds) — for up to twice
 * the allowance; past that nothing is answered (answering a flood costs as much as serving it), and a
 * socket that sends FLOOD_FACTOR times its allowance within one second is disconnected.
 *
 * The count is a fixed one-second window kept on the socket's own middleware (two numbers, no timer,
 * no promise, gone with the socket): every `booking.watch` of a crowd passes here, and a shared
 * limiter store (`rate-limiter-flexible`, one timer and one promise per socket and second) cost the
 * notifier about 5 % of its CPU per booking in the crowd benchmark.
 */
export function rateLimitEvents(ctx: NotifierContext): { attach: (socket: NotifierSocket) => void } {
  const points = ctx.settings.NOTIFIER_EVENTS_PER_SECOND;
  const attach = (socket: NotifierSocket) => {
    let windowStart = 0;
    let used = 0;
    socket.use((packet: Event, next) => {
      const now = performance.now();
      if (now - windowStart >= WINDOW_MS) {
        windowStart = now;
        used = 0;
      }
      used++;
      if (used <= points) {
        next();
        return;
      }
      if (used > points * FLOOD_FACTOR) {
        if (socket.connected) {
          ctx.logger.warn('socket flooding events; disconnected', {
            user_id: socket.data.user_id,
            socket_id: socket.id,
          });
          socket.disconnect(true);
        }
        return;
      }
      const ack: unknown = packet[packet.length - 1];
      if (typeof ack === 'function' && used <= points * 2) {
        (ack as (r: WatchAck) => void)({
          ok: false,
          code: 'rate_limited',
          message: 'too many events; slow down',
          retry_after: Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)),
        });
      }
    });
  };
  return { attach };
}
