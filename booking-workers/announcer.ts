import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger';
import type { ConfirmPublisher } from '../shared/amqp/publisher';
import type { RedisKeys } from '../shared/redis/keys';
import type { BookingResult, SeatStatus } from '../shared/contracts/messages';
import { seatStatus, type EventInventory } from './allocator/inventory';
import { publishPayment } from './payments/publish-payment';
import { writeFullSnapshot, writeSeatChanges } from './seat-snapshot';
import type { Batch } from './batch';
import type { WorkerMetrics } from './metrics';

/** "Holds expiring" on the console and in Grafana: those due within this window. */
const HOLDS_EXPIRING_MS = 60_000;

/** Holds due within `windowMs` of `now`; stale entries (released, or extended by checkout) are skipped as `expiredHolds` does. */
export function holdsExpiringWithin(
  inv: Pick<EventInventory, 'expiries' | 'bookings'>,
  now: number,
  windowMs: number,
): number {
  let n = 0;
  for (const e of inv.expiries) {
    if (e.at > now + windowMs) break;
    const b = inv.bookings.get(e.id);
    if (b && (b.status === 'held' || b.status === 'payment_pending') && b.holdExpiresAt === e.at) n++;
  }
  return n;
}

export interface AnnouncerDeps {
  partition: number;
  workerId: string;
  publisher: ConfirmPublisher;
  redis: Redis;
  keys: RedisKeys;
  logger: Logger;
  metrics: WorkerMetrics;
}

/** What the announcer reads of the single writer's state. */
export interface AnnounceContext {
  events: ReadonlyMap<string, EventInventory>;
  epoch: number | null;
}

/** Announces a committed batch; the partition consumer is given this as a function. */
export type Announce = (batch: Batch, ctx: AnnounceContext, now: number) => Promise<void>;

/**
 * Everything said after a batch is committed: provider calls queued, outcomes (`booking.results`),
 * progress and watermarks (`event.progress`), seat deltas (`seats.changed`) and the Redis seat-map
 * snapshot, dead letters of malformed messages, and the per-event and per-partition decision rates.
 */
export class Announcer {
  private readonly decidedAt: number[] = [];
  private readonly eventRates = new Map<string, number[]>();

  constructor(private readonly d: AnnouncerDeps) {}

  /** Forgets the per-event rates and gauges (the partition was lost). */
  reset(): void {
    // A standby must not go on reporting the figures of events it no longer decides.
    for (const eventId of [...this.eventRates.keys()]) this.forget(eventId);
    this.eventRates.clear();
  }

  /** Forgets one event's rate and gauges (it left the worker's memory). */
  forget(eventId: string): void {
    const labels = { partition: String(this.d.partition), event: eventId };
    for (const g of [this.d.metrics.eventParked, this.d.metrics.eventHolds, this.d.metrics.eventHoldsExpiring])
      g.remove(labels);
    this.eventRates.delete(eventId);
  }

  readonly announce: Announce = async (batch, ctx, now) => {
    const pub = this.d.publisher;
    const asOf = new Date().toISOString();
    const sends: Promise<void>[] = [];
    // Provider calls first: a result announcing `payment_pending` never goes out without its charge queued.
    await Promise.all([...batch.payments.values()].map((p) => publishPayment(pub, p)));
    const byEvent = new Map<string, BookingResult[]>();
    for (const r of batch.results) {
      const list = byEvent.get(r.event_id);
      if (list) list.push(r);
      else byEvent.set(r.event_id, [r]);
    }
    for (const [eventId, results] of byEvent)
      sends.push(pub.publishEvent('booking.results', eventId, { event_id: eventId, results }));
    for (const { msg, reason } of batch.poison) {
      sends.push(
        pub.publish(pub.names.deadLetterExchange, '', msg.content, {
          persistent: true,
          headers: { ...msg.properties.headers, 'x-onsale-error': reason, 'x-onsale-partition': this.d.partition },
          messageId: msg.properties.messageId as string | undefined,
          type: msg.properties.type as string | undefined,
        }),
      );
      this.d.logger.warn('malformed message dead-lettered', { reason });
      this.d.metrics.deadLettered.inc({ partition: String(this.d.partition) });
    }
    const pipe = this.d.redis.pipeline();
    for (const eventId of batch.touched) {
      const inv = ctx.events.get(eventId);
      if (!inv) continue;
      const watermark = this.updateWatermark(inv, batch);
      const rate = this.rateOf(eventId, batch, now);
      pipe.set(this.d.keys.eventWatermark(eventId), String(watermark));
      const progress = {
        event_id: eventId,
        watermark,
        rate_per_s: rate,
        paused: inv.settings.paused,
        throttle_per_s: inv.settings.throttlePerS,
        at: asOf,
      };
      const expiring = holdsExpiringWithin(inv, now, HOLDS_EXPIRING_MS);
      pipe.hset(this.d.keys.eventProgress(eventId), {
        watermark,
        rate_per_s: rate,
        paused: String(inv.settings.paused),
        backlog: inv.backlog.length,
        holds: inv.holds.size,
        holds_expiring: expiring,
      });
      const labels = { partition: String(this.d.partition), event: eventId };
      this.d.metrics.eventParked.set(labels, inv.backlog.length);
      this.d.metrics.eventHolds.set(labels, inv.holds.size);
      this.d.metrics.eventHoldsExpiring.set(labels, expiring);
      sends.push(pub.publishEvent('event.progress', eventId, progress));
      if (batch.fullSnapshots.has(eventId)) writeFullSnapshot(pipe, this.d.keys, inv, asOf);
      if (batch.stalePages.has(eventId))
        pipe.del(this.d.keys.eventCache(eventId), this.d.keys.availabilitySummary(eventId));
      const changed = batch.seatChanges.get(eventId);
      if (changed?.size || inv.kind === 'general_admission') {
        writeSeatChanges(pipe, this.d.keys, inv, changed ?? [], asOf);
        sends.push(
          pub.publishEvent('seats.changed', eventId, {
            event_id: eventId,
            ...(inv.kind === 'reserved'
              ? { seats: [...(changed ?? [])].map((i): [string, SeatStatus] => [inv.seats[i]!.id, seatStatus(inv, i)]) }
              : { available: inv.available }),
            as_of: asOf,
          }),
        );
      }
    }
    pipe.hset(this.d.keys.partitionStats(this.d.partition), {
      owner: this.d.workerId,
      epoch: ctx.epoch ?? 0,
      rate_per_s: this.partitionRate(batch, now),
      updated_at: asOf,
    });
    // A failed snapshot write must not hold back acks: readers fall back to PostgreSQL.
    const snapshot = pipe
      .exec()
      .catch((err: unknown) => this.d.logger.warn('snapshot write failed', { err: (err as Error).message }));
    await Promise.all(sends);
    await snapshot;
  };

  private updateWatermark(inv: EventInventory, batch: Batch): number {
    for (const r of batch.results)
      if (r.event_id === inv.eventId && r.status !== 'queued' && r.seq !== undefined)
        inv.watermark = Math.max(inv.watermark, r.seq);
    return inv.watermark;
  }

  private rateOf(eventId: string, batch: Batch, now: number): number {
    const stamps = this.eventRates.get(eventId) ?? [];
    // A drawn request is announced `queued` with its drawn number: not a decision.
    for (const r of batch.results) if (r.event_id === eventId && r.status !== 'queued') stamps.push(now);
    while (stamps.length && stamps[0]! < now - 5000) stamps.shift();
    this.eventRates.set(eventId, stamps);
    return Math.round((stamps.length / 5) * 10) / 10;
  }

  private partitionRate(batch: Batch, now: number): number {
    for (const r of batch.results) if (r.status !== 'queued') this.decidedAt.push(now);
    while (this.decidedAt.length && this.decidedAt[0]! < now - 5000) this.decidedAt.shift();
    return Math.round((this.decidedAt.length / 5) * 10) / 10;
  }
}
