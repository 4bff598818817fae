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
 * How far apart the clocks of ingress (which stamps `requested_at`) and the notifier may be, and how
 * late a message may still be on its way, for {@link RecentResults.covers}.
 */
export const CLOCK_MARGIN_MS = 5_000;

/**
 * The newest outcome of each booking this instance saw on the message stream, most recent first,
 * bounded in number and in age. A watch that arrives after its booking was decided is answered from
 * here without asking PostgreSQL, and still is while PostgreSQL is down.
 */
export class RecentResults {
  private readonly cache: LRUCache<string, RecentResult>;
  /** When this instance began reading the outcome stream (null: not yet). */
  private streamSince: number | null = null;
  /** When an outcome last left for want of room (not of age): what came before may be gone. */
  private lastEvictedAt = -Infinity;

  constructor(
    max: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new LRUCache({
      max,
      ttl: ttlMs,
      updateAgeOnGet: false,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.lastEvictedAt = this.now();
      },
    });
  }

  get size(): number {
    return this.cache.size;
  }

  /** The outcome stream is being read from now on (the notifier exits when it loses it). */
  streamStarted(at = this.now()): void {
    this.streamSince = at;
  }

  /**
   * True when this cache must hold the outcome of a request made at `requestedAt` if there is one yet:
   * the stream was read since before the request, nothing was evicted for room since, and the outcome
   * cannot have aged out. A watch of such a request needs no PostgreSQL: the booking is either here
   * (decided) or still queued, and its outcome reaches the watch that is registered first. Margins cover
   * clock differences between ingress and the notifier.
   */
  covers(requestedAt: number): boolean {
    if (this.streamSince === null || !Number.isFinite(requestedAt)) return false;
    return (
      requestedAt >= this.streamSince + CLOCK_MARGIN_MS &&
      requestedAt >= this.lastEvictedAt + CLOCK_MARGIN_MS &&
      this.now() - requestedAt < this.ttlMs - CLOCK_MARGIN_MS
    );
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
