import type { EventCoalescer } from './coalesce';
import type { ParsedSeatsChanged } from './schemas';

/**
 * A seat change, consumed by one instance from the shared queue, merged into the event's next tick
 * and broadcast through the Redis adapter to every instance's sockets in the event's room (only this
 * instance's while Redis is down).
 */
export function onSeatsChanged(coalescer: EventCoalescer) {
  return (change: ParsedSeatsChanged): void => coalescer.addSeats(change);
}
