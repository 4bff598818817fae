import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Event } from 'socket.io';
import type { NotifierContext, NotifierSocket } from '../context';

/**
 * Per-socket limit on the events a client sends (NOTIFIER_EVENTS_PER_SECOND). An event over the limit
 * is not handled: its ack, if any, gets `rate_limited` with `retry_after` (seconds).
 */
export function rateLimitEvents(ctx: NotifierContext): { attach: (socket: NotifierSocket) => void; release: (socket: NotifierSocket) => void } {
  const limiter = new RateLimiterMemory({ points: ctx.settings.NOTIFIER_EVENTS_PER_SECOND, duration: 1 });
  const attach = (socket: NotifierSocket) => {
    socket.use((packet: Event, next) => {
      limiter.consume(socket.id).then(
        () => next(),
        (rejection: unknown) => {
          const ack = packet[packet.length - 1];
          const ms = rejection instanceof RateLimiterRes ? rejection.msBeforeNext : 1000;
          if (typeof ack === 'function') ack({ ok: false, code: 'rate_limited', message: 'too many events; slow down', retry_after: Math.max(1, Math.ceil(ms / 1000)) });
          if (!(rejection instanceof RateLimiterRes)) ctx.logger.warn('socket rate limiter failed', { err: (rejection as Error)?.message });
        },
      );
    });
  };
  const release = (socket: NotifierSocket) => {
    void limiter.delete(socket.id);
  };
  return { attach, release };
}
