import type { EventCoalescer } from './coalesce';
import type { EventProgress } from '../../shared/contracts/messages';

/**
 * An event's progress: kept for the next tick, when it is broadcast once to the event's watchers and
 * to the sockets waiting on one of its bookings (each client turns it into its own position).
 */
export function onProgress(coalescer: EventCoalescer) {
  return (p: EventProgress): void => coalescer.addProgress(p);
}
