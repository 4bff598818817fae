import type { EventCoalescer } from './coalesce';
import type { EventProgress } from '../../shared/contracts/messages';

/**
 * An event's progress: kept for the next ticks, when it is sent once to the sockets waiting on one of
 * its bookings (each client turns it into its own position) and, in the room's next `event.update`, to
 * the event's watchers.
 */
export function onProgress(coalescer: EventCoalescer) {
  return (p: EventProgress): void => coalescer.addProgress(p);
}
