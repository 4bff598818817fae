import type { NotifierContext } from '../context';
import type { ParsedSeatsChanged } from './schemas';

/**
 * A seat change, consumed by one instance from the shared queue and broadcast through the Redis
 * adapter to every instance's sockets in the event's room (only this instance's while Redis is down).
 */
export function onSeatsChanged(ctx: NotifierContext) {
  return (change: ParsedSeatsChanged): void => {
    ctx.io.to(`event:${change.event_id}`).emit('seats.changed', change);
    ctx.pushed.inc({ event: 'seats.changed' });
  };
}
