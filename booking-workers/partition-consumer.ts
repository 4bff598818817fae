import { createHash, randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Redis } from 'ioredis';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { withTransaction, type Pool } from '../shared/db/pool';
import type { AmqpConnection } from '../shared/amqp/connect';
import type { ConfirmPublisher } from '../shared/amqp/publisher';
import type { RedisKeys } from '../shared/redis/keys';
import { FencedError, isRetryable, PoisonMessageError } from '../shared/errors';
import {
  partitionCommandSchema,
  type BookCommand,
  type BookingFailCommand,
  type BookingResult,
  type PartitionCommand,
  type PaymentRequest,
  type SeatStatus,
} from '../shared/contracts/messages';
import { seatLabel, signBarcode, type TicketKeys } from '../shared/tickets/barcode';
import { buildInventory, cacheTickets, rebuildInventory, seatStatus, type BookingState, type EventInventory } from './allocator/inventory';
import {
  applyPaymentResult,
  applyRefundResult,
  cancelConfirmed,
  cancelEvent,
  newEffects,
  reRequestPending,
  startCheckout,
  transferTicket,
  type Effects,
  type PaymentPolicy,
} from './allocator/payments';
import { loadTickets } from './sql/load-tickets';
import { publishPayment } from './payments/publish-payment';
import { addSections, bookingFromCommand, decideBook, waitsForOnSale, expiredHolds, nextExpiry, park, parkedCommand, raiseCapacity, release, repriceUnsold, withdraw } from './allocator/allocate';
import { expandLayout } from './allocator/layout';
import { sectionSeatCount, type EventLayout } from '../shared/contracts/events';
import { activatePartition } from './sql/activate-partition';
import { listEventsWithPendingWork } from './sql/list-partition-events';
import { loadEventInventory } from './sql/load-event-inventory';
import { commitBatch, emptyBatchWrite, hasWrites, type BatchWrite } from './sql/commit-batch';
import { msUntilToken, newBucket, take, type Bucket } from './throttle';
import { writeFullSnapshot, writeSeatChanges } from './seat-snapshot';
import type { WorkerMetrics } from './metrics';

export interface PartitionConsumerDeps {
  partition: number;
  config: Config;
  pool: Pool;
  redis: Redis;
  keys: RedisKeys;
  conn: AmqpConnection;
  publisher: ConfirmPublisher;
  logger: Logger;
  workerId: string;
  metrics: WorkerMetrics;
  /** Signs ticket barcodes (TICKET_SIGNING_SEED). */
  ticketKeys: TicketKeys;
}

/** What one batch did, gathered while deciding and used after the commit. */
interface BatchEffects {
  write: BatchWrite;
  results: BookingResult[];
  /** Per event: seat indexes whose status changed. */
  seatChanges: Map<string, Set<number>>;
  touched: Set<string>;
  fullSnapshots: Set<string>;
  /** Events whose cached public page no longer tells the truth (cancelled). */
  stalePages: Set<string>;
  poison: Array<{ msg: ConsumeMessage; reason: string }>;
  /** Every event the batch's commands named: their in-memory state is void if the batch fails. */
  named: Set<string>;
  /** Provider calls to queue once the batch is committed (by id: a charge or refund is asked once per batch). */
  payments: Map<string, PaymentRequest>;
}

/**
 * The single writer of one partition. It consumes `bookings.p<n>` (quorum, single active consumer),
 * decides every command of the partition's events serially with the pure allocator, writes each
 * batch in one transaction, publishes the outcomes with confirms, and only then acks.
 */
export class PartitionConsumer {
  private channel: Channel | null = null;
  private consumerTag: string | null = null;
  /** Non-null while this worker is the partition's active consumer (its fencing token). */
  private epoch: number | null = null;
  private readonly events = new Map<string, EventInventory>();
  /** Events known not to exist (a request for them is rejected). */
  private readonly missing = new Set<string>();
  private readonly buckets = new Map<string, Bucket>();
  private inbox: ConsumeMessage[] = [];
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  /** Set for a moment after internal work failed on its own, so the loop does not spin on it. */
  private paused = false;
  private readonly log: Logger;
  private readonly decidedAt: number[] = [];
  /**
   * Messages (by content digest) that failed alone: when one is redelivered it is decided in a batch
   * of its own, so it keeps failing alone (until the delivery limit) without taking its neighbours down.
   */
  private readonly suspects = new Set<string>();
  private readonly eventRates = new Map<string, number[]>();
  private readonly policy: PaymentPolicy;
  private readonly waitingRoomMs: number;

  constructor(private readonly d: PartitionConsumerDeps) {
    this.log = d.logger.child({ partition: d.partition });
    this.waitingRoomMs = d.config.WAITING_ROOM_MINUTES * 60_000;
    this.policy = { graceMs: d.config.PAYMENT_GRACE_SECONDS * 1000, feePercent: d.config.FEE_PERCENT, feeFixedCents: d.config.FEE_FIXED_CENTS };
  }

  get active(): boolean {
    return this.epoch !== null;
  }

  get queue(): string {
    return this.d.publisher.names.partitionQueue(this.d.partition);
  }

  async start(): Promise<void> {
    this.stopping = false;
    const channel = await this.d.conn.createChannel();
    this.channel = channel;
    channel.on('error', (err) => this.log.warn('partition channel error', { err: err.message }));
    channel.on('close', () => {
      if (this.channel === channel) this.onChannelLost();
    });
    await channel.prefetch(this.d.config.WORKER_PREFETCH);
    const { consumerTag } = await channel.consume(this.queue, (msg) => {
      if (!msg) return; // consumer cancelled by the broker (queue deleted)
      this.inbox.push(msg);
      this.kick();
    });
    this.consumerTag = consumerTag;
    this.timer = setInterval(() => this.kick(), 50);
    this.timer.unref();
  }

  /** Stops taking messages, finishes the batch in flight (committed, announced, acked), then closes. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const channel = this.channel;
    if (channel && this.consumerTag) await channel.cancel(this.consumerTag).catch(() => undefined);
    await this.running;
    // Messages delivered but not yet taken into a batch go back to the queue when the channel closes.
    this.channel = null;
    this.inbox = [];
    if (channel) await channel.close().catch(() => undefined);
    this.reset();
  }

  private reset(): void {
    this.epoch = null;
    this.events.clear();
    this.missing.clear();
    this.buckets.clear();
    this.layouts.clear();
    this.eventRates.clear();
  }

  private onChannelLost(): void {
    this.log.warn('partition channel closed; dropping in-memory state');
    this.channel = null;
    this.inbox = [];
    this.reset();
    if (!this.stopping) {
      // Come back as a standby consumer; the broker decides who is active.
      setTimeout(() => {
        if (!this.stopping) this.start().catch((err) => this.log.error('re-subscribe failed', { err: err.message }));
      }, 1000).unref();
    }
  }

  /** Applies an operator setting that arrived on the control exchange. */
  applySettings(eventId: string, throttlePerS: number | null, paused: boolean): void {
    const inv = this.events.get(eventId);
    if (!inv) return; // loaded later from PostgreSQL, where the setting is durable
    inv.settings = { throttlePerS, paused };
    this.buckets.delete(eventId);
    this.log.info('event settings applied', { event_id: eventId, throttle_per_s: throttlePerS, paused });
    this.kick();
  }

  private kick(): void {
    if (this.running || this.paused || (this.stopping && this.inbox.length === 0)) return;
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  private async loop(): Promise<void> {
    while (this.channel) {
      const msgs = this.inbox.splice(0, this.d.config.WORKER_BATCH_MAX);
      if (msgs.length === 0 && (!this.active || !this.hasInternalWork(Date.now()))) return;
      if (!(await this.settle(this.splitSuspects(msgs)))) return;
    }
  }

  /**
   * Runs batches in order until each is committed, announced and acked; false when the partition was
   * lost (fenced) and the loop must stop.
   *
   * Isolation by bisection. A batch that fails for a reason retrying will not fix is split in two
   * halves, each run as a batch of its own, recursively, so a culprit is found in log2(n) small
   * batches while everything around it is decided and acked at full batch size. Only the events the
   * failed batch named or changed are dropped from memory (their decisions were never committed) and
   * reloaded by the next batch that needs them; every other event stays loaded. The alternative, one
   * message per batch for a whole prefetch with every event reloaded, made 20 poison requests among
   * 4,000 delay the last decision from 9 ms to 7.6 s. The culprit alone goes back to the queue (its
   * delivery count grows, the broker dead-letters it at the limit and its booking then ends `failed`)
   * and is remembered, so when it comes back it runs alone again.
   */
  private async settle(batches: ConsumeMessage[][]): Promise<boolean> {
    for (const msgs of batches) {
      for (let attempt = 1; ; attempt++) {
        const effects = this.newBatchEffects();
        try {
          await this.processBatch(msgs, Date.now(), effects);
          break;
        } catch (err) {
          this.d.metrics.batchFailures.inc({ partition: String(this.d.partition) });
          if (err instanceof FencedError) {
            this.dropEventState();
            await this.onFenced(err);
            return false;
          }
          if (isRetryable(err) && !this.stopping) {
            // Database or connection trouble: the same batch again, after backoff, for as long as it
            // takes. Nothing is nacked, so no delivery count burns while PostgreSQL restarts. Every
            // event is rebuilt from PostgreSQL: the connection may have died mid-commit.
            this.dropEventState();
            const delay = Math.min(5000, 100 * 2 ** Math.min(attempt, 6));
            this.log.warn('batch failed on a retryable error; retrying', { attempt, delay_ms: delay, err: (err as Error).message });
            await new Promise((r) => setTimeout(r, delay));
            continue;
          }
          this.forgetEvents([...effects.named, ...effects.touched]);
          if (msgs.length > 1) {
            this.log.warn('batch failed; bisecting it to isolate the culprit', { err: (err as Error).message, messages: msgs.length });
            const half = Math.ceil(msgs.length / 2);
            if (!(await this.settle([msgs.slice(0, half), msgs.slice(half)]))) return false;
          } else this.onPoisonMessage(err, msgs[0]);
          break;
        }
      }
    }
    return true;
  }

  private newBatchEffects(): BatchEffects {
    return {
      write: emptyBatchWrite(this.d.partition, this.epoch ?? 0),
      results: [],
      seatChanges: new Map(),
      touched: new Set(),
      fullSnapshots: new Set(),
      stalePages: new Set(),
      poison: [],
      named: new Set(),
      payments: new Map(),
    };
  }

  /** Splits a batch around redelivered messages that failed alone before, so each runs alone again. */
  private splitSuspects(msgs: ConsumeMessage[]): ConsumeMessage[][] {
    if (this.suspects.size === 0) return [msgs];
    const batches: ConsumeMessage[][] = [];
    let current: ConsumeMessage[] = [];
    for (const msg of msgs) {
      if (msg.fields.redelivered && this.suspects.has(digest(msg))) {
        if (current.length) batches.push(current);
        batches.push([msg]);
        current = [];
      } else current.push(msg);
    }
    if (current.length) batches.push(current);
    return batches;
  }

  /**
   * One message failed alone for a reason retrying will not fix. It goes back to the queue (its
   * delivery count grows; at the limit the broker dead-letters it and the dead-letter consumer fails
   * its booking); with no message (internal work failed) the next batch tries again after a pause.
   */
  private onPoisonMessage(err: unknown, msg: ConsumeMessage | undefined): void {
    this.log.error('message failed alone; it goes back to the queue', { err: (err as Error).message, stack: (err as Error).stack, type: msg?.properties.type });
    if (!msg) return void this.pauseBriefly();
    if (this.suspects.size > 10_000) this.suspects.clear();
    this.suspects.add(digest(msg));
    if (this.channel) this.channel.nack(msg, false, true);
  }

  private pauseBriefly(): void {
    this.paused = true;
    setTimeout(() => {
      this.paused = false;
      this.kick();
    }, 1000).unref();
  }

  private async onFenced(err: FencedError): Promise<void> {
    this.log.warn('fenced: another worker owns this partition now; resubscribing as standby', { err: err.message });
    const channel = this.channel;
    if (channel) {
      this.channel = null;
      await channel.close().catch(() => undefined);
      this.onChannelLost();
    }
  }

  /** Drops some events from memory; the next batch naming one reloads it from PostgreSQL. */
  private forgetEvents(ids: Iterable<string>): void {
    for (const id of ids) {
      this.events.delete(id);
      this.layouts.delete(id);
      this.buckets.delete(id);
    }
  }

  private dropEventState(): void {
    this.events.clear();
    this.missing.clear();
    this.layouts.clear();
  }

  private hasInternalWork(now: number): boolean {
    for (const inv of this.events.values()) {
      const next = nextExpiry(inv);
      if (next !== null && next <= now) return true;
      if (inv.backlog.length && this.canDrain(inv, now)) return true;
    }
    return false;
  }

  private canDrain(inv: EventInventory, now: number): boolean {
    if (inv.settings.paused || waitsForOnSale(inv, now, this.waitingRoomMs)) return false;
    if (inv.settings.throttlePerS === null) return true;
    return msUntilToken(this.bucket(inv, now), now) === 0;
  }

  private bucket(inv: EventInventory, now: number): Bucket {
    let b = this.buckets.get(inv.eventId);
    if (!b || b.ratePerS !== inv.settings.throttlePerS) {
      b = newBucket(inv.settings.throttlePerS ?? 1, now);
      this.buckets.set(inv.eventId, b);
    }
    return b;
  }

  private async activate(): Promise<void> {
    const epoch = await activatePartition(this.d.pool, this.d.partition, this.d.workerId);
    this.reset();
    this.epoch = epoch;
    const pending = await listEventsWithPendingWork(this.d.pool, this.d.partition);
    await this.loadEvents(pending, null);
    this.log.info('active consumer of partition', { epoch, events_loaded: pending.length });
    this.d.metrics.activations.inc({ partition: String(this.d.partition) });
  }

  private async loadEvents(ids: Iterable<string>, effects: BatchEffects | null): Promise<void> {
    const todo = [...new Set(ids)].filter((id) => !this.events.has(id) && !this.missing.has(id));
    const loaded = await Promise.all(todo.map((id) => loadEventInventory(this.d.pool, id)));
    const pipe = this.d.redis.pipeline();
    const asOf = new Date().toISOString();
    todo.forEach((id, i) => {
      const found = loaded[i];
      if (!found) {
        this.missing.add(id);
        return;
      }
      this.d.metrics.eventLoads.inc({ partition: String(this.d.partition) });
      const inv = buildInventory(found.source);
      this.events.set(id, inv);
      if (!inv.ready) this.layouts.set(id, found.event.layout);
      if (inv.ready) writeFullSnapshot(pipe, this.d.keys, inv, asOf);
      effects?.touched.add(id);
    });
    await pipe.exec().catch((err) => this.log.warn('seat snapshot write failed', { err: err.message }));
  }

  private async processBatch(msgs: ConsumeMessage[], now: number, effects: BatchEffects): Promise<void> {
    const started = performance.now();
    if (!this.active) await this.activate();
    effects.write.epoch = this.epoch!;

    // 1. Parse. A message that does not parse is poison: dead-lettered with its reason, never decided.
    const commands: PartitionCommand[] = [];
    for (const msg of msgs) {
      if (msg.properties.type === 'tick') continue;
      try {
        const cmd = parseCommand(msg);
        commands.push(cmd);
        effects.named.add(cmd.event_id);
      } catch (err) {
        effects.poison.push({ msg, reason: (err as Error).message });
      }
    }

    // 2. Make sure every event named is in memory (loaded once, then owned here).
    await this.loadEvents(
      commands.map((c) => c.event_id),
      effects,
    );

    await this.loadTicketsFor(commands);

    // 3. Holds whose time is up expire first, so a checkout or payment racing its expiry is decided once.
    this.expireDue(now, effects);

    // 4. Decide, serially, in arrival order.
    for (const cmd of commands) this.decide(cmd, now, effects);

    // 5. Internal work of the single writer: expire holds, drain parked requests.
    this.expireDue(now, effects);
    for (const inv of this.events.values()) this.drainBacklog(inv, now, effects);

    if (hasWrites(effects.write)) await this.commit(effects.write);
    const committed = performance.now();

    // 6. Queue provider calls and announce (with confirms), refresh the read snapshot, then ack.
    await this.announce(effects, now);
    const last = msgs[msgs.length - 1];
    if (last && this.channel) this.channel.ack(last, true);

    const decided = effects.results.filter((r) => r.status !== 'queued').length;
    const m = this.d.metrics;
    const labels = { partition: String(this.d.partition) };
    m.batchSize.observe(labels, msgs.length);
    m.decisions.inc(labels, decided);
    if (msgs.length || decided) {
      m.commitSeconds.observe(labels, (committed - started) / 1000);
      m.batchSeconds.observe(labels, (performance.now() - started) / 1000);
    }
  }

  private expireDue(now: number, effects: BatchEffects): void {
    for (const inv of this.events.values()) {
      for (const id of expiredHolds(inv, now)) {
        const next = release(inv, id, 'expired', now, 'hold_expired');
        if (next) this.record(inv, next, effects, true);
      }
    }
  }

  /** Caches the tickets a cancellation of a confirmed booking or a transfer needs, per event. */
  private async loadTicketsFor(commands: PartitionCommand[]): Promise<void> {
    const want = new Map<string, { bookings: Set<string>; tickets: Set<string> }>();
    const of = (eventId: string) => {
      let w = want.get(eventId);
      if (!w) want.set(eventId, (w = { bookings: new Set(), tickets: new Set() }));
      return w;
    };
    for (const cmd of commands) {
      const inv = this.events.get(cmd.event_id);
      if (!inv) continue;
      if (cmd.type === 'cancel' && inv.bookings.get(cmd.booking_id)?.status === 'confirmed' && !inv.bookingTickets.has(cmd.booking_id)) of(inv.eventId).bookings.add(cmd.booking_id);
      if (cmd.type === 'ticket.transfer' && !inv.tickets.has(cmd.ticket_id)) of(inv.eventId).tickets.add(cmd.ticket_id);
    }
    await Promise.all(
      [...want].map(async ([eventId, w]) => {
        const loaded = await loadTickets(this.d.pool, eventId, [...w.bookings], [...w.tickets]);
        const inv = this.events.get(eventId);
        if (inv) cacheTickets(inv, loaded.bookingIds, loaded.tickets);
      }),
    );
  }

  /** Turns the effects of one payment-side decision into the batch's writes, announcements and provider calls. */
  private apply(inv: EventInventory, fx: Effects, effects: BatchEffects, correlationId: string | undefined): void {
    for (const b of fx.bookings) this.record(inv, b, effects, true);
    for (const b of fx.unchanged) effects.results.push(this.resultOf(inv.eventId, b));
    const w = effects.write;
    const corr = correlationId ? { correlation_id: correlationId } : {};
    for (const c of fx.charges) {
      effects.payments.set(c.id, {
        kind: 'charge', id: c.id, booking_id: c.bookingId, event_id: inv.eventId, partition: this.d.partition, amount_cents: c.amountCents, payment_method: c.paymentMethod, ...corr,
      });
    }
    for (const r of fx.refunds) {
      w.refunds.push({ eventId: inv.eventId, refund: r });
      effects.payments.set(r.id, {
        kind: 'refund', id: r.id, booking_id: r.bookingId, event_id: inv.eventId, partition: this.d.partition, charge_id: r.chargeId, amount_cents: r.amountCents, reason: r.reason, ...corr,
      });
    }
    w.refundStatus.push(...fx.refundStatus);
    for (const o of fx.orders) w.orders.push({ eventId: inv.eventId, order: o });
    w.orderStatus.push(...fx.orderStatus);
    w.voidBookings.push(...fx.voidBookings);
    for (const t of fx.tickets) w.tickets.push({ ticket: t, barcode: signBarcode(this.d.ticketKeys, { t: t.id, e: t.eventId, s: seatLabel(t), v: t.version }) });
    w.transfers.push(...fx.transfers);
    w.emails.push(...fx.emails);
    w.cancelledEvents.push(...fx.cancelledEvents);
    if (fx.cancelledEvents.length) effects.touched.add(inv.eventId);
    for (const r of fx.refused) this.log.info('command refused by the single writer', { event_id: inv.eventId, id: r.id, why: r.why, correlation_id: correlationId });
  }

  private decide(cmd: PartitionCommand, now: number, effects: BatchEffects): void {
    const inv = this.events.get(cmd.event_id);
    switch (cmd.type) {
      case 'book': {
        const existing = inv?.bookings.get(cmd.booking_id);
        if (existing) {
          // A redelivery of something already decided (or parked): announce the stored outcome again.
          if (existing.status !== 'queued') effects.results.push(this.resultOf(cmd.event_id, existing));
          return;
        }
        if (!inv) {
          effects.write.bookings.push({ eventId: cmd.event_id, seatIds: [], state: rejectedUnknown(cmd, now) });
          effects.results.push(this.resultOf(cmd.event_id, rejectedUnknown(cmd, now)));
          return;
        }
        if (
          inv.backlog.length ||
          inv.settings.paused ||
          waitsForOnSale(inv, now, this.waitingRoomMs) ||
          (inv.settings.throttlePerS !== null && take(this.bucket(inv, now), 1, now) === 0)
        ) {
          this.record(inv, park(inv, cmd), effects, false);
          return;
        }
        this.record(inv, decideBook(inv, cmd, now, { maxPerRequest: this.d.config.MAX_PER_REQUEST }), effects, true);
        return;
      }
      case 'cancel': {
        if (!inv) return;
        const existing = inv.bookings.get(cmd.booking_id);
        if (existing && existing.userId !== cmd.user_id) return; // ingress checks ownership; never trust twice
        if (!existing) {
          // The cancel overtook its request (a redelivery): leave a tombstone the request will find.
          const tomb = withdrawUnseen(cmd, now);
          inv.bookings.set(tomb.id, tomb);
          this.record(inv, tomb, effects, true);
          return;
        }
        if (existing.status === 'confirmed') {
          // Cancel and refund (when the event allows it); the seats go back on sale.
          const fx = newEffects();
          cancelConfirmed(inv, existing.id, { userId: cmd.user_id }, now, fx);
          this.apply(inv, fx, effects, cmd.correlation_id);
          return;
        }
        const next = existing.status === 'queued' ? withdraw(inv, existing.id, now) : release(inv, existing.id, 'cancelled', now, 'cancelled_by_user');
        if (next) this.record(inv, next, effects, true);
        else {
          effects.results.push(this.resultOf(inv.eventId, existing));
          const fx = newEffects();
          reRequestPending(existing, fx);
          this.apply(inv, fx, effects, cmd.correlation_id);
        }
        return;
      }
      case 'checkout':
      case 'payment.result':
      case 'refund.result':
      case 'ticket.transfer':
      case 'event.cancel': {
        if (!inv) {
          this.log.warn('command for an unknown event dropped', { type: cmd.type, event_id: cmd.event_id });
          return;
        }
        const fx = newEffects();
        if (cmd.type === 'checkout') startCheckout(inv, { bookingId: cmd.booking_id, userId: cmd.user_id, paymentMethod: cmd.payment_method }, now, this.policy, fx);
        else if (cmd.type === 'payment.result') {
          applyPaymentResult(
            inv,
            { bookingId: cmd.booking_id, outcome: cmd.outcome, attemptId: cmd.attempt_id, ...(cmd.charge_id ? { chargeId: cmd.charge_id } : {}), ...(cmd.amount_cents !== undefined ? { amountCents: cmd.amount_cents } : {}) },
            now,
            randomUUID,
            fx,
          );
        } else if (cmd.type === 'refund.result') applyRefundResult(inv, { bookingId: cmd.booking_id, refundId: cmd.refund_id, chargeId: cmd.charge_id, outcome: cmd.outcome }, now, fx);
        else if (cmd.type === 'ticket.transfer') transferTicket(inv, { ticketId: cmd.ticket_id, fromUserId: cmd.from_user_id, toUserId: cmd.to_user_id }, now, fx);
        else {
          cancelEvent(inv, now, fx);
          effects.stalePages.add(inv.eventId);
        }
        this.apply(inv, fx, effects, cmd.correlation_id);
        return;
      }
      case 'booking.fail': {
        this.fail(inv, cmd, now, effects);
        return;
      }
      case 'inventory.reprice': {
        if (!inv || !inv.ready) return;
        const sections = cmd.sections ?? [];
        const changed = repriceUnsold(inv, sections, cmd.ga_price_cents);
        for (const idx of changed) effects.write.seatPrices.push({ eventId: inv.eventId, seatId: inv.seats[idx]!.id, priceCents: inv.seats[idx]!.priceCents });
        effects.write.layoutPrices.push({ eventId: inv.eventId, sections, ...(cmd.ga_price_cents !== undefined ? { gaPriceCents: cmd.ga_price_cents } : {}) });
        // The snapshot's layout carries prices, and the cached page shows the price range.
        effects.fullSnapshots.add(inv.eventId);
        effects.stalePages.add(inv.eventId);
        effects.touched.add(inv.eventId);
        return;
      }
      case 'inventory.add': {
        if (!inv || inv.cancelled) return;
        this.addInventory(inv, cmd, effects);
        return;
      }
      case 'inventory.init': {
        if (!inv || inv.ready) return;
        const ready = this.initInventory(inv);
        if (!ready) return;
        effects.write.readyEvents.push(ready.eventId);
        if (ready.kind === 'reserved') effects.write.newSeats.push({ eventId: ready.eventId, seats: ready.seats });
        else effects.write.gaAvailable.push({ eventId: ready.eventId, available: ready.available });
        effects.fullSnapshots.add(inv.eventId);
        effects.touched.add(inv.eventId);
        return;
      }
    }
  }

  /**
   * A command for this booking was dead-lettered: the booking ends `failed` unless the single writer
   * decided it already (the first outcome stands; a parked request is taken out of the backlog).
   */
  private fail(inv: EventInventory | undefined, cmd: BookingFailCommand, now: number, effects: BatchEffects): void {
    const existing = inv?.bookings.get(cmd.booking_id);
    if (existing && existing.status !== 'queued') return;
    const at = new Date(now).toISOString();
    const failed: BookingState = {
      id: cmd.booking_id, userId: existing?.userId ?? cmd.user_id, status: 'failed', seq: existing?.seq ?? cmd.seq ?? null, request: existing?.request ?? {},
      seatIdx: [], quantity: 0, amountCents: 0, holdExpiresAt: null, reason: cmd.reason, correlationId: existing?.correlationId ?? cmd.correlation_id ?? null,
      requestedAt: existing?.requestedAt ?? at, decidedAt: at,
    };
    this.log.warn('booking failed: its command was dead-lettered', { event_id: cmd.event_id, booking_id: cmd.booking_id, reason: cmd.reason, correlation_id: failed.correlationId });
    if (!inv) {
      effects.write.bookings.push({ eventId: cmd.event_id, seatIds: [], state: failed });
      effects.results.push(this.resultOf(cmd.event_id, failed));
      return;
    }
    if (existing) inv.backlog = inv.backlog.filter((id) => id !== existing.id);
    inv.bookings.set(failed.id, failed);
    this.record(inv, failed, effects, true);
  }

  /**
   * Seats or capacity added to an event. Ready inventory is extended in memory (the new seats go on
   * sale at once, ranked after the existing ones); an event whose inventory is not created yet gets
   * the additions in the layout that `inventory.init` will expand.
   */
  private addInventory(inv: EventInventory, cmd: Extract<PartitionCommand, { type: 'inventory.add' }>, effects: BatchEffects): void {
    const eventId = inv.eventId;
    const sections = cmd.sections ?? [];
    if (!inv.ready) {
      const layout = this.layouts.get(eventId);
      if (!layout) return;
      if (layout.kind === 'reserved') {
        const known = new Set(layout.sections.map((x) => x.name));
        const fresh = sections.filter((x) => !known.has(x.name));
        if (!fresh.length) return;
        layout.sections.push(...fresh);
        inv.capacity += fresh.reduce((n, x) => n + sectionSeatCount(x), 0);
        effects.write.layoutAdditions.push({ eventId, capacity: inv.capacity, sections: fresh });
      } else {
        if (cmd.ga_capacity === undefined || cmd.ga_capacity <= layout.capacity) return;
        layout.capacity = inv.capacity = cmd.ga_capacity;
        effects.write.layoutAdditions.push({ eventId, capacity: inv.capacity, sections: [] });
      }
    } else if (inv.kind === 'reserved') {
      const r = addSections(inv, sections);
      if (!r.added.length) return;
      this.events.set(eventId, r.inv);
      effects.write.newSeats.push({ eventId, seats: r.added });
      effects.write.layoutAdditions.push({ eventId, capacity: r.inv.capacity, sections: r.sections });
      effects.fullSnapshots.add(eventId);
      // Watchers of the seat map learn of the new seats as they would of any other change.
      markSeatsChanged(effects, eventId, r.added.map((s) => s.rank));
    } else {
      if (cmd.ga_capacity === undefined || !raiseCapacity(inv, cmd.ga_capacity)) return;
      effects.write.gaAvailable.push({ eventId, available: inv.available });
      effects.write.layoutAdditions.push({ eventId, capacity: inv.capacity, sections: [] });
    }
    this.log.info('inventory added', { event_id: eventId, capacity: this.events.get(eventId)!.capacity, correlation_id: cmd.correlation_id });
    effects.stalePages.add(eventId);
    effects.touched.add(eventId);
  }

  /** Expands a new event's layout into inventory, in memory; the batch commit makes it durable. */
  private initInventory(inv: EventInventory): EventInventory | null {
    const layout = this.layouts.get(inv.eventId);
    if (!layout) return null;
    this.layouts.delete(inv.eventId);
    const rebuilt = rebuildInventory(inv, {
      ready: true,
      gaPriceCents: layout.kind === 'general_admission' ? layout.price_cents : 0,
      gaAvailable: layout.kind === 'general_admission' ? layout.capacity : null,
      seats: layout.kind === 'reserved' ? expandLayout(layout) : [],
    });
    this.events.set(inv.eventId, rebuilt);
    return rebuilt;
  }

  private readonly layouts = new Map<string, EventLayout>();

  private drainBacklog(inv: EventInventory, now: number, effects: BatchEffects): void {
    // Parked requests wait for a pause to end and, in the waiting room, for the on-sale time.
    if (!inv.backlog.length || inv.settings.paused || waitsForOnSale(inv, now, this.waitingRoomMs)) return;
    let budget = inv.backlog.length;
    if (inv.settings.throttlePerS !== null) budget = take(this.bucket(inv, now), budget, now);
    while (budget-- > 0 && inv.backlog.length) {
      const id = inv.backlog.shift()!;
      const parked = inv.bookings.get(id);
      if (!parked || parked.status !== 'queued') continue;
      inv.bookings.delete(id);
      this.record(inv, decideBook(inv, parkedCommand(inv, parked), now, { maxPerRequest: this.d.config.MAX_PER_REQUEST }), effects, true);
    }
  }

  /** Adds a booking's new state to the batch: its row, its seats, its announcement. */
  private record(inv: EventInventory, b: BookingState, effects: BatchEffects, announce: boolean): void {
    const seatIds = b.seatIdx.map((i) => inv.seats[i]!.id);
    effects.write.bookings.push({ eventId: inv.eventId, state: b, seatIds });
    effects.touched.add(inv.eventId);
    if (inv.kind === 'reserved' && b.seatIdx.length) {
      markSeatsChanged(effects, inv.eventId, b.seatIdx);
      // The seat rows say what the inventory says now: a booking released long ago (refunded later)
      // never overwrites the seat another booking holds since.
      for (const idx of b.seatIdx) {
        effects.write.seats.push({ eventId: inv.eventId, seatId: inv.seats[idx]!.id, status: seatStatus(inv, idx), bookingId: inv.holder[idx] ?? null });
      }
    }
    if (inv.kind === 'general_admission' && b.quantity) effects.write.gaAvailable.push({ eventId: inv.eventId, available: inv.available });
    if (announce) effects.results.push(this.resultOf(inv.eventId, b));
  }

  private resultOf(eventId: string, b: BookingState): BookingResult {
    const inv = this.events.get(eventId);
    return {
      booking_id: b.id,
      event_id: eventId,
      user_id: b.userId,
      status: b.status,
      ...(b.seq !== null ? { seq: b.seq } : {}),
      ...(b.seatIdx.length && inv ? { seats: b.seatIdx.map((i) => inv.seats[i]!.id) } : {}),
      ...(b.quantity ? { quantity: b.quantity, amount_cents: b.amountCents } : {}),
      ...(b.totalCents !== undefined ? { fees_cents: b.feesCents ?? 0, total_cents: b.totalCents } : {}),
      ...(b.holdExpiresAt !== null ? { hold_expires_at: new Date(b.holdExpiresAt).toISOString() } : {}),
      ...(b.reason ? { reason: b.reason } : {}),
      ...(b.correlationId ? { correlation_id: b.correlationId } : {}),
      decided_at: b.decidedAt ?? new Date().toISOString(),
    };
  }

  private async commit(write: BatchWrite): Promise<void> {
    await withTransaction(this.d.pool, (client) => commitBatch(client, write));
  }

  private async announce(effects: BatchEffects, now: number): Promise<void> {
    const pub = this.d.publisher;
    const asOf = new Date().toISOString();
    const sends: Promise<void>[] = [];
    // Provider calls first: a result announcing `payment_pending` never goes out without its charge queued.
    await Promise.all([...effects.payments.values()].map((p) => publishPayment(pub, p)));
    const byEvent = new Map<string, BookingResult[]>();
    for (const r of effects.results) {
      const list = byEvent.get(r.event_id);
      if (list) list.push(r);
      else byEvent.set(r.event_id, [r]);
    }
    for (const [eventId, results] of byEvent) sends.push(pub.publishEvent('booking.results', eventId, { event_id: eventId, results }));
    for (const { msg, reason } of effects.poison) {
      sends.push(
        pub.publish(pub.names.deadLetterExchange, '', msg.content, {
          persistent: true,
          headers: { ...msg.properties.headers, 'x-onsale-error': reason, 'x-onsale-partition': this.d.partition },
          messageId: msg.properties.messageId,
          type: msg.properties.type,
        }),
      );
      this.log.warn('malformed message dead-lettered', { reason });
      this.d.metrics.deadLettered.inc({ partition: String(this.d.partition) });
    }
    const pipe = this.d.redis.pipeline();
    for (const eventId of effects.touched) {
      const inv = this.events.get(eventId);
      if (!inv) continue;
      const watermark = this.updateWatermark(inv, effects);
      const rate = this.rateOf(eventId, effects, now);
      pipe.set(this.d.keys.eventWatermark(eventId), String(watermark));
      const progress = { event_id: eventId, watermark, rate_per_s: rate, paused: inv.settings.paused, throttle_per_s: inv.settings.throttlePerS, at: asOf };
      pipe.hset(this.d.keys.eventProgress(eventId), { watermark, rate_per_s: rate, paused: String(inv.settings.paused), backlog: inv.backlog.length });
      sends.push(pub.publishEvent('event.progress', eventId, progress));
      if (effects.fullSnapshots.has(eventId)) writeFullSnapshot(pipe, this.d.keys, inv, asOf);
      if (effects.stalePages.has(eventId)) pipe.del(this.d.keys.eventCache(eventId), this.d.keys.availabilitySummary(eventId));
      const changed = effects.seatChanges.get(eventId);
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
      epoch: this.epoch ?? 0,
      rate_per_s: this.partitionRate(effects, now),
      updated_at: asOf,
    });
    // A failed snapshot write must not hold back acks: readers fall back to PostgreSQL.
    const snapshot = pipe.exec().catch((err) => this.log.warn('snapshot write failed', { err: err.message }));
    await Promise.all(sends);
    await snapshot;
  }

  private updateWatermark(inv: EventInventory, effects: BatchEffects): number {
    for (const r of effects.results) if (r.event_id === inv.eventId && r.status !== 'queued' && r.seq !== undefined) inv.watermark = Math.max(inv.watermark, r.seq);
    return inv.watermark;
  }

  private rateOf(eventId: string, effects: BatchEffects, now: number): number {
    const stamps = this.eventRates.get(eventId) ?? [];
    for (const r of effects.results) if (r.event_id === eventId) stamps.push(now);
    while (stamps.length && stamps[0]! < now - 5000) stamps.shift();
    this.eventRates.set(eventId, stamps);
    return Math.round((stamps.length / 5) * 10) / 10;
  }

  private partitionRate(effects: BatchEffects, now: number): number {
    for (let i = 0; i < effects.results.length; i++) this.decidedAt.push(now);
    while (this.decidedAt.length && this.decidedAt[0]! < now - 5000) this.decidedAt.shift();
    return Math.round((this.decidedAt.length / 5) * 10) / 10;
  }
}

function parseCommand(msg: ConsumeMessage): PartitionCommand {
  let raw: unknown;
  try {
    raw = JSON.parse(msg.content.toString('utf8'));
  } catch {
    throw new PoisonMessageError('body is not JSON');
  }
  const parsed = partitionCommandSchema.safeParse(raw);
  if (!parsed.success) throw new PoisonMessageError(`invalid command: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Identifies a message across redeliveries (the broker keeps its body byte for byte). */
function digest(msg: ConsumeMessage): string {
  return createHash('sha1').update(msg.content).digest('base64');
}

/** Notes seats (by index) whose status the batch changed, for the snapshot patch and `seats.changed`. */
function markSeatsChanged(effects: BatchEffects, eventId: string, seatIdx: Iterable<number>): void {
  let changed = effects.seatChanges.get(eventId);
  if (!changed) effects.seatChanges.set(eventId, (changed = new Set()));
  for (const idx of seatIdx) changed.add(idx);
}

function rejectedUnknown(cmd: BookCommand, now: number): BookingState {
  return bookingFromCommand(cmd, 'rejected', new Date(now).toISOString(), 'event_not_found');
}

function withdrawUnseen(cmd: Extract<PartitionCommand, { type: 'cancel' }>, now: number): BookingState {
  return {
    id: cmd.booking_id, userId: cmd.user_id, status: 'cancelled', seq: null, request: {}, seatIdx: [], quantity: 0, amountCents: 0,
    holdExpiresAt: null, reason: 'withdrawn', correlationId: cmd.correlation_id ?? null, requestedAt: new Date(now).toISOString(),
    decidedAt: new Date(now).toISOString(),
  };
}
