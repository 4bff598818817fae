import { LRUCache } from 'lru-cache';
import type { BookingResultPush } from '../shared/contracts/socket';
import { isNewer } from './watchers';

/** An outcome with its owner, as the message stream carried it. */
export interface RecentResult {
  user_id: string;
  seq: number | null;
  push: BookingResultPush;
}

/**
 * The newest outcome of each booking this instance saw on the message stream, most recent first,
 * bounded in number and in age. A watch that arrives after its booking was decided is answered from
 * here without asking PostgreSQL, and still is while PostgreSQL is down.
 */
export class RecentResults {
  private readonly cache: LRUCache<string, RecentResult>;

  constructor(max: number, ttlMs: number) {
    this.cache = new LRUCache({ max, ttl: ttlMs, updateAgeOnGet: false });
  }

  get size(): number {
    return this.cache.size;
  }

  /** Frees outcomes past their age (lru-cache only drops them lazily); the notifier calls it every few seconds. */
  purgeStale(): void {
    this.cache.purgeStale();
  }

  /** Keeps `r` unless an outcome at least as new is already known. */
  remember(userId: string, seq: number | null, push: BookingResultPush): void {
    const known = this.cache.peek(push.booking_id);
    if (known && !isNewer(push, known.push)) return;
    this.cache.set(push.booking_id, { user_id: userId, seq: seq ?? known?.seq ?? null, push });
  }

  get(bookingId: string): RecentResult | undefined {
    return this.cache.get(bookingId);
  }
}
