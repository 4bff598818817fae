import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger';
import { withTransaction, type Pool } from '../../shared/db/pool';
import type { RedisKeys } from '../../shared/redis/keys';
import type { EventLayout } from '../../shared/contracts/events';
import type { EventInventory, InventorySource, TicketState } from '../allocator/inventory';
import { writeFullSnapshot } from '../seat-snapshot';
import { activatePartition } from './activate-partition';
import { listEventsWithPendingWork } from './list-partition-events';
import { loadEventInventory } from './load-event-inventory';
import { loadTickets } from './load-tickets';
import { commitBatch, type BatchWrite } from './commit-batch';
import { loadPresales } from './presale-rows';
import { loadWaitlist } from './waitlist-rows';
import type { WaitlistEntry } from '../allocator/waitlist';
import type { PresaleState } from '../allocator/presale';

/**
 * The single writer's I/O with PostgreSQL (and the snapshot of freshly loaded events), passed in as
 * functions so the batch loop runs in a unit test without any service.
 */
export interface PartitionStore {
  /** Becomes the partition's owner; returns the new epoch (fencing token). */
  activate(partition: number, workerId: string): Promise<number>;
  /** Events of the partition with work pending (holds to expire, parked requests). */
  listPending(partition: number): Promise<string[]>;
  loadEvent(eventId: string): Promise<{ layout: EventLayout; source: InventorySource } | null>;
  loadTickets(
    eventId: string,
    bookingIds: string[],
    ticketIds: string[],
  ): Promise<{ bookingIds: string[]; tickets: TicketState[] }>;
  /** Loads what a batch's presale bookings need into the event's presale state (see `presale-rows.ts`). */
  loadPresales?(
    eventId: string,
    state: PresaleState,
    want: { codeHashes: string[]; presaleIds: string[]; users: string[] },
  ): Promise<void>;
  /** The event's waitlist entries still waiting, in entry order. */
  loadWaitlist?(eventId: string): Promise<WaitlistEntry[]>;
  /** Writes one batch in one transaction (fenced by its epoch). */
  commit(write: BatchWrite): Promise<void>;
  /** Writes the seat-map snapshot of events just loaded; failures are the store's to log. */
  snapshot(events: EventInventory[]): Promise<void>;
}

/** The store of a real worker: PostgreSQL through the pool, snapshots to Redis. */
export function pgPartitionStore(d: { pool: Pool; redis: Redis; keys: RedisKeys; logger: Logger }): PartitionStore {
  return {
    activate: (partition, workerId) => activatePartition(d.pool, partition, workerId),
    listPending: (partition) => listEventsWithPendingWork(d.pool, partition),
    loadEvent: async (eventId) => {
      const found = await loadEventInventory(d.pool, eventId);
      return found && { layout: found.event.layout, source: found.source };
    },
    loadTickets: (eventId, bookingIds, ticketIds) => loadTickets(d.pool, eventId, bookingIds, ticketIds),
    loadPresales: (eventId, state, want) => loadPresales(d.pool, eventId, state, want),
    loadWaitlist: (eventId) => loadWaitlist(d.pool, eventId),
    commit: (write) => withTransaction(d.pool, (client) => commitBatch(client, write)),
    snapshot: async (events) => {
      if (!events.length) return;
      const pipe = d.redis.pipeline();
      const asOf = new Date().toISOString();
      for (const inv of events) writeFullSnapshot(pipe, d.keys, inv, asOf);
      await pipe
        .exec()
        .catch((err: unknown) => d.logger.warn('seat snapshot write failed', { err: (err as Error).message }));
    },
  };
}
