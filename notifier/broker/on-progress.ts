import type { EventCoalescer } from './coalesce';
import type { ParsedEventProgress } from './schemas';

/**
 * An event's progress: kept for the next tick, when it is broadcast once to the event's watchers and
 * to the sockets waiting on one of its bookings (each client turns it into its own position).
 */
export function onProgress(coalescer: EventCoalescer) {
  return (p: ParsedEventProgress): void => coalescer.addProgress(p);
}
