import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Event } from 'socket.io';
import type { WatchAck } from '../../shared/contracts/socket';
import type { NotifierContext, NotifierSocket } from '../context';

/** A socket that sends this many times its allowance in one second is not a client but a flood. */
const FLOOD_FACTOR = 5;

/**
 * Per-socket limit on the events a client sends (NOTIFIER_EVENTS_PER_SECOND). An event over the limit
 * is not handled: its ack, if any, gets `rate_limited` with `retry_after` (seconds) — for up to twice
 * the allowance; past that nothing is answered (answering a flood costs as much as serving it), and a
 * socket that sends FLOOD_FACTOR times its allowance within one second is disconnected.
 */
export function rateLimitEvents(ctx: NotifierContext): {
  attach: (socket: NotifierSocket) => void;
  release: (socket: NotifierSocket) => void;
} {
  const points = ctx.settings.NOTIFIER_EVENTS_PER_SECOND;
  const limiter = new RateLimiterMemory({ points, duration: 1 });
  const attach = (socket: NotifierSocket) => {
    socket.use((packet: Event, next) => {
      limiter.consume(socket.id).then(
        () => next(),
        (rejection: unknown) => {
          if (!(rejection instanceof RateLimiterRes)) {
            ctx.logger.warn('socket rate limiter failed', {
              err: rejection instanceof Error ? rejection.message : String(rejection),
            });
            return;
          }
          if (rejection.consumedPoints > points * FLOOD_FACTOR) {
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
          if (typeof ack === 'function' && rejection.consumedPoints <= points * 2) {
            (ack as (r: WatchAck) => void)({
              ok: false,
              code: 'rate_limited',
              message: 'too many events; slow down',
              retry_after: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
            });
          }
        },
      );
    });
  };
  const release = (socket: NotifierSocket) => {
    void limiter.delete(socket.id);
  };
  return { attach, release };
}
