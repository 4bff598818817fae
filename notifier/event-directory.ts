import { LRUCache } from 'lru-cache';
import type { Pool } from '../shared/db/pool';

/**
 * Which events exist, cached: `event.watch` asks PostgreSQL at most once per event id (events are
 * never deleted), and an unknown id is remembered as unknown for a few seconds so a client cannot
 * turn the watch into a query per call. Concurrent lookups of one id share one query.
 */
export class EventDirectory {
  private readonly known: LRUCache<string, true>;
  private readonly unknown: LRUCache<string, true>;
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly pool: Pool,
    max = 100_000,
    unknownTtlMs = 5_000,
  ) {
    this.known = new LRUCache({ max });
    this.unknown = new LRUCache({ max, ttl: unknownTtlMs });
  }

  /** True if the event exists; rejects when PostgreSQL cannot answer (nothing is cached then). */
  async exists(eventId: string): Promise<boolean> {
    if (this.known.has(eventId)) return true;
    if (this.unknown.has(eventId)) return false;
    let lookup = this.inFlight.get(eventId);
    if (!lookup) {
      lookup = this.query(eventId).finally(() => this.inFlight.delete(eventId));
      this.inFlight.set(eventId, lookup);
    }
    return lookup;
  }

  private async query(eventId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query<{ one: number }>({
      name: 'notifier-event-exists',
      text: 'SELECT 1 AS one FROM events WHERE id = $1',
      values: [eventId],
    });
    const found = (rowCount ?? 0) > 0;
    (found ? this.known : this.unknown).set(eventId, true);
    return found;
  }
}
