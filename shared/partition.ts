import { createHash } from 'node:crypto';

/**
 * The partition an event belongs to: a stable hash of its id modulo the partition count. Stored on
 * the event at creation (events.partition), so changing PARTITIONS later never moves an event.
 */
export function partitionFor(eventId: string, partitions: number): number {
  const digest = createHash('sha1').update(eventId).digest();
  return digest.readUInt32BE(0) % partitions;
}
