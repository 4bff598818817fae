import type { EventCoalescer } from './coalesce';
import type { SeatsChanged } from '../../shared/contracts/messages';

/**
 * A seat change, read from this instance's own queue (every instance reads every change, in the
 * event's order) and merged into the event's next `event.update` to this instance's sockets.
 */
export function onSeatsChanged(coalescer: EventCoalescer) {
  return (change: SeatsChanged): void => coalescer.addSeats(change);
}
