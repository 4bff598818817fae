import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { PartitionCommand, PartitionMessage } from '../shared/contracts/messages';
import type { EventLayout } from '../shared/contracts/events';
import type { TicketKeys } from '../shared/tickets/barcode';
import {
  buildInventory,
  cacheTickets,
  seatStatus,
  type BookingState,
  type EventInventory,
} from './allocator/inventory';
import type { Effects, PaymentPolicy } from './allocator/payments';
import { nextExpiry, waitsForOnSale } from './allocator/allocate';
import { drawDue } from './allocator/draw';
import { emptyPresaleState, type PresaleState } from './allocator/presale';
import type { WaitlistEntry } from './allocator/waitlist';
import { hasWrites } from './sql/commit-batch';
import type { PartitionStore } from './sql/partition-store';
import { msUntilToken, newBucket, type Bucket } from './throttle';
import type { Announce } from './announcer';
import { markSeatsChanged, newBatch, type Batch } from './batch';
import { decide, type Writer } from './command-handlers';
import type { BatchRunner, Delivery } from './subscriber-session';
import type { WorkerMetrics } from './metrics';
import { drainBacklog, drawWaitingRoom, expireDue, offerToWaitlists } from './internal-work';
import { effectSinks, resultOf } from './effect-sinks';

export interface PartitionRunnerDeps {
  partition: number;
  workerId: string;
  config: Pick<
    Config,
    | 'WAITING_ROOM_MINUTES'
    | 'WAITLIST_OFFER_SECONDS'
    | 'PAYMENT_GRACE_SECONDS'
    | 'FEE_PERCENT'
    | 'FEE_FIXED_CENTS'
    | 'MAX_PER_REQUEST'
    | 'WORKER_EVENT_IDLE_MS'
  >;
  logger: Logger;
  metrics: WorkerMetrics;
  ticketKeys: TicketKeys;
  store: PartitionStore;
  announce: Announce;
  /** Called when the partition's state is dropped (the announcer forgets its rates). */
  onReset?: () => void;
  /** Called when an idle event leaves memory (the announcer forgets its rate and gauges). */
  onEvict?: (eventId: string) => void;
}

/**
 * What one batch of a partition does: parse (a message that does not parse is poison), load the
 * events named, expire due holds, decide every command in arrival order with its handler, do the
 * single writer's own work (expiries, parked requests), commit the batch, then announce it. The
 * session acks it after that. Implements {@link Writer} for the command handlers.
 */
export class PartitionRunner implements BatchRunner<PartitionMessage>, Writer {
  readonly events = new Map<string, EventInventory>();
  readonly layouts = new Map<string, EventLayout>();
  readonly log: Logger;
  readonly policy: PaymentPolicy;
  readonly waitingRoomMs: number;
  readonly maxPerRequest: number;
  /** Non-null while this worker is the partition's active consumer (its fencing token). */
  private epoch: number | null = null;
  /** Events known not to exist (a request for them is rejected). */
  private readonly missing = new Set<string>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly presales = new Map<string, PresaleState>();
  /** Waitlist entries per loaded event, in entry order (loaded with the event, kept up to date by commands). */
  private readonly waitlists = new Map<string, WaitlistEntry[]>();
  /** When each loaded event was last named or changed by a batch (ms), for idle eviction. */
  private readonly lastUsed = new Map<string, number>();
  private nextIdleCheck = 0;
  /** The batch in flight (or last run): what to drop when it fails. */
  private current: Batch | null = null;
  private readonly waitlistOfferSeconds: number;

  constructor(private readonly d: PartitionRunnerDeps) {
    this.log = d.logger;
    this.waitingRoomMs = d.config.WAITING_ROOM_MINUTES * 60_000;
    this.maxPerRequest = d.config.MAX_PER_REQUEST;
    this.waitlistOfferSeconds = d.config.WAITLIST_OFFER_SECONDS;
    this.policy = {
      graceMs: d.config.PAYMENT_GRACE_SECONDS * 1000,
      feePercent: d.config.FEE_PERCENT,
      feeFixedCents: d.config.FEE_FIXED_CENTS,
    };
  }

  get active(): boolean {
    return this.epoch !== null;
  }

  /** Wakes the session's loop (set by the owner of the session). */
  kick: () => void = () => undefined;

  /** Applies an operator setting that arrived on the control exchange. */
  applySettings(eventId: string, throttlePerS: number | null, paused: boolean): void {
    const inv = this.events.get(eventId);
    if (!inv) return; // loaded later from PostgreSQL, where the setting is durable
    inv.settings = { throttlePerS, paused };
    this.buckets.delete(eventId);
    this.log.info('event settings applied', { event_id: eventId, throttle_per_s: throttlePerS, paused });
    this.kick();
  }

  reset(): void {
    this.epoch = null;
    this.lastUsed.clear();
    this.events.clear();
    this.missing.clear();
    this.buckets.clear();
    this.layouts.clear();
    this.presales.clear();
    this.waitlists.clear();
    this.d.onReset?.();
  }

  dropAll(): void {
    this.events.clear();
    this.missing.clear();
    this.layouts.clear();
    this.presales.clear();
    this.waitlists.clear();
  }

  dropTouched(): void {
    const batch = this.current;
    if (!batch) return;
    for (const id of new Set([...batch.named, ...batch.touched])) this.dropEvent(id);
  }

  hasInternalWork(now: number): boolean {
    if (!this.active) return false;
    for (const inv of this.events.values()) {
      const next = nextExpiry(inv);
      if (next !== null && next <= now) return true;
      if (drawDue(inv, now)) return true;
      if (inv.backlog.length && this.canDrain(inv, now)) return true;
    }
    return false;
  }

  bucket(inv: EventInventory, now: number): Bucket {
    let b = this.buckets.get(inv.eventId);
    if (!b || b.ratePerS !== inv.settings.throttlePerS) {
      b = newBucket(inv.settings.throttlePerS ?? 1, now);
      this.buckets.set(inv.eventId, b);
    }
    return b;
  }

  async run(msgs: Array<Delivery<PartitionMessage>>, now: number): Promise<void> {
    const started = performance.now();
    if (!this.active) await this.activate();
    const batch = (this.current = newBatch(this.d.partition, this.epoch!));

    // 1. Parsed on arrival; a message that did not parse is poison: dead-lettered with its reason, never decided.
    const commands: PartitionCommand[] = [];
    for (const { msg, value, invalid } of msgs) {
      if (invalid !== undefined) batch.poison.push({ msg, reason: invalid });
      else if (value.type !== 'tick') {
        commands.push(value);
        batch.named.add(value.event_id);
      }
    }

    // 2. Make sure every event named is in memory (loaded once, then owned here).
    await this.loadEvents(
      commands.map((c) => c.event_id),
      batch,
    );
    await this.loadTicketsFor(commands);
    await this.loadPresalesFor(commands);

    // 3. Holds whose time is up expire first, so a checkout or payment racing its expiry is decided once;
    // what they free goes to the waitlist before anyone in the line can take it.
    expireDue(this, now, batch);
    this.offerToWaitlists(now, batch);

    // 4. Decide, serially, in arrival order.
    for (const cmd of commands) decide(this, cmd, now, batch);

    // 5. Internal work of the single writer: expire holds, draw waiting rooms, drain parked requests.
    // A drawn event is not drained in the batch that draws it: the order is committed (and its
    // positions pushed) before any of its requests is decided.
    expireDue(this, now, batch);
    for (const inv of this.events.values()) {
      if (drawDue(inv, now)) drawWaitingRoom(this, inv, now, batch, { workerId: this.d.workerId, epoch: this.epoch! });
      else drainBacklog(this, inv, now, batch);
    }
    this.offerToWaitlists(now, batch);

    if (hasWrites(batch.write)) await this.d.store.commit(batch.write);
    const committed = performance.now();

    // 6. Queue provider calls and announce (with confirms), refresh the read snapshot; the session acks.
    await this.d.announce(batch, { events: this.events, epoch: this.epoch }, now);

    const decided = batch.results.filter((r) => r.status !== 'queued').length;
    const m = this.d.metrics;
    const labels = { partition: String(this.d.partition) };
    m.batchSize.observe(labels, msgs.length);
    m.decisions.inc(labels, decided);
    if (msgs.length || decided) {
      m.commitSeconds.observe(labels, (committed - started) / 1000);
      m.batchSeconds.observe(labels, (performance.now() - started) / 1000);
    }
    for (const id of batch.named) this.lastUsed.set(id, now);
    for (const id of batch.touched) this.lastUsed.set(id, now);
    if (now >= this.nextIdleCheck) {
      this.evictIdle(now);
      this.nextIdleCheck = now + Math.min(30_000, this.d.config.WORKER_EVENT_IDLE_MS);
    }
  }

  /**
   * Drops events that had no command for WORKER_EVENT_IDLE_MS and hold nothing that the single writer
   * must act on by itself (a hold or payment to expire, a parked request, a draw). Everything else is
   * in PostgreSQL, committed before each ack: the next command reloads the event exactly as a standby
   * does after a failover. Without this, every event a worker ever decided stayed in its memory with
   * every booking it ever decided (a 30-minute soak grew the active worker by ~60 %).
   */
  evictIdle(now: number): string[] {
    const evicted: string[] = [];
    for (const [id, inv] of this.events) {
      const last = this.lastUsed.get(id);
      if (last === undefined) this.lastUsed.set(id, now); // loaded at activation: idle from now on
      if (last === undefined || now - last < this.d.config.WORKER_EVENT_IDLE_MS) continue;
      if (inv.holds.size || inv.expiries.length || inv.backlog.length || drawDue(inv, now)) continue;
      this.dropEvent(id);
      this.d.onEvict?.(id);
      evicted.push(id);
    }
    if (evicted.length) {
      this.d.metrics.eventEvictions.inc({ partition: String(this.d.partition) }, evicted.length);
      this.log.info('idle events left memory', { events: evicted.length, loaded: this.events.size });
    }
    // Ids of events that do not exist are remembered only to spare PostgreSQL; forget them now and then.
    if (this.missing.size > 10_000) this.missing.clear();
    return evicted;
  }

  waitlist(eventId: string): WaitlistEntry[] | undefined {
    return this.waitlists.get(eventId);
  }

  presaleState(eventId: string): PresaleState {
    let s = this.presales.get(eventId);
    if (!s) this.presales.set(eventId, (s = emptyPresaleState()));
    return s;
  }

  effects(inv: EventInventory, batch: Batch, correlationId: string | undefined): Effects {
    return effectSinks(this, this.d, inv, batch, correlationId);
  }

  record(inv: EventInventory, b: BookingState, batch: Batch, announce: boolean): void {
    const seatIds = b.seatIdx.map((i) => inv.seats[i]!.id);
    batch.write.bookings.push({ eventId: inv.eventId, state: b, seatIds });
    batch.touched.add(inv.eventId);
    if (inv.kind === 'reserved' && b.seatIdx.length) {
      markSeatsChanged(batch, inv.eventId, b.seatIdx);
      // The seat rows say what the inventory says now: a booking released long ago (refunded later)
      // never overwrites the seat another booking holds since.
      for (const idx of b.seatIdx) {
        batch.write.seats.push({
          eventId: inv.eventId,
          seatId: inv.seats[idx]!.id,
          status: seatStatus(inv, idx),
          bookingId: inv.holder[idx] ?? null,
        });
      }
    }
    if (inv.kind === 'general_admission' && b.quantity)
      batch.write.gaAvailable.push({ eventId: inv.eventId, available: inv.available });
    if (announce) batch.results.push(resultOf(this.events.get(inv.eventId), inv.eventId, b));
  }

  announceAgain(eventId: string, b: BookingState, batch: Batch): void {
    batch.results.push(resultOf(this.events.get(eventId), eventId, b));
  }

  private dropEvent(id: string): void {
    this.events.delete(id);
    this.layouts.delete(id);
    this.buckets.delete(id);
    this.presales.delete(id);
    this.waitlists.delete(id);
    this.lastUsed.delete(id);
  }

  /** Offers what came back to the touched events' waitlists (see `internal-work.ts`). */
  private offerToWaitlists(now: number, batch: Batch): void {
    offerToWaitlists(this, this.waitlists, this.waitlistOfferSeconds, now, batch);
  }

  private canDrain(inv: EventInventory, now: number): boolean {
    if (inv.settings.paused || waitsForOnSale(inv, now, this.waitingRoomMs)) return false;
    if (inv.settings.throttlePerS === null) return true;
    return msUntilToken(this.bucket(inv, now), now) === 0;
  }

  private async activate(): Promise<void> {
    const epoch = await this.d.store.activate(this.d.partition, this.d.workerId);
    this.reset();
    this.epoch = epoch;
    const pending = await this.d.store.listPending(this.d.partition);
    await this.loadEvents(pending, null);
    this.log.info('active consumer of partition', { epoch, events_loaded: pending.length });
    this.d.metrics.activations.inc({ partition: String(this.d.partition) });
  }

  private async loadEvents(ids: Iterable<string>, batch: Batch | null): Promise<void> {
    const todo = [...new Set(ids)].filter((id) => !this.events.has(id) && !this.missing.has(id));
    if (!todo.length) return;
    const [loaded, waitlists] = await Promise.all([
      Promise.all(todo.map((id) => this.d.store.loadEvent(id))),
      Promise.all(todo.map((id) => this.d.store.loadWaitlist?.(id) ?? Promise.resolve([]))),
    ]);
    const ready: EventInventory[] = [];
    todo.forEach((id, i) => {
      const found = loaded[i];
      if (!found) {
        this.missing.add(id);
        return;
      }
      this.d.metrics.eventLoads.inc({ partition: String(this.d.partition) });
      const inv = buildInventory(found.source);
      this.events.set(id, inv);
      this.waitlists.set(id, waitlists[i] ?? []);
      if (inv.ready) ready.push(inv);
      else this.layouts.set(id, found.layout);
      batch?.touched.add(id);
    });
    await this.d.store.snapshot(ready);
  }

  /** Loads the presale codes, presales and per-account uses the batch's presale bookings need, per event. */
  private async loadPresalesFor(commands: PartitionCommand[]): Promise<void> {
    const load = this.d.store.loadPresales?.bind(this.d.store);
    if (!load) return;
    const want = new Map<string, { codeHashes: string[]; presaleIds: string[]; users: string[] }>();
    for (const cmd of commands) {
      if (cmd.type !== 'book' || !cmd.presale || !this.events.has(cmd.event_id)) continue;
      let w = want.get(cmd.event_id);
      if (!w) want.set(cmd.event_id, (w = { codeHashes: [], presaleIds: [], users: [] }));
      if ('code_hash' in cmd.presale) w.codeHashes.push(cmd.presale.code_hash);
      else w.presaleIds.push(cmd.presale.presale_id);
      w.users.push(cmd.user_id);
    }
    await Promise.all([...want].map(([eventId, w]) => load(eventId, this.presaleState(eventId), w)));
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
      if (
        cmd.type === 'cancel' &&
        inv.bookings.get(cmd.booking_id)?.status === 'confirmed' &&
        !inv.bookingTickets.has(cmd.booking_id)
      )
        of(inv.eventId).bookings.add(cmd.booking_id);
      if (cmd.type === 'ticket.transfer' && !inv.tickets.has(cmd.ticket_id)) of(inv.eventId).tickets.add(cmd.ticket_id);
    }
    await Promise.all(
      [...want].map(async ([eventId, w]) => {
        const loaded = await this.d.store.loadTickets(eventId, [...w.bookings], [...w.tickets]);
        const inv = this.events.get(eventId);
        if (inv) cacheTickets(inv, loaded.bookingIds, loaded.tickets);
      }),
    );
  }
}
