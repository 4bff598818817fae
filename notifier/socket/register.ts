import type { Gauge } from 'prom-client';
import type { NotifierContext, NotifierSocket } from '../context';
import { authenticate } from './authenticate';
import { rateLimitEvents } from './rate-limit';
import { unwatchBooking, watchBooking } from './watch-booking';
import { unwatchEvent, watchEvent } from './watch-event';
import { joinUserRoom } from '../broker/user-offers';

/** Authenticates every socket, limits its events and wires the handlers of the client events. */
export function registerSocketHandlers(ctx: NotifierContext, connected: Gauge): void {
  const auth = authenticate(ctx);
  const limits = rateLimitEvents(ctx);
  ctx.io.use(auth.middleware);
  ctx.io.on('connection', (socket: NotifierSocket) => {
    connected.inc();
    joinUserRoom(socket);
    limits.attach(socket);
    socket.on('booking.watch', watchBooking(ctx, socket));
    socket.on('booking.unwatch', unwatchBooking(ctx, socket));
    socket.on('event.watch', watchEvent(ctx, socket));
    socket.on('event.unwatch', unwatchEvent(ctx, socket));
    socket.on('disconnect', () => {
      connected.dec();
      ctx.watchers.dropSocket(socket.id);
      auth.release(socket);
    });
  });
}
