import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { BookingResult, PartitionCommand, PartitionMessage } from '../shared/contracts/messages';
import type { EventLayout } from '../shared/contracts/events';
import { seatLabel, signBarcode, type TicketKeys } from '../shared/tickets/barcode';
import {
  buildInventory,
  cacheTickets,
  seatStatus,
  type BookingState,
  type EventInventory,
} from './allocator/inventory';
import type { Effects, PaymentPolicy } from './allocator/payments';
import { decideBook, expiredHolds, nextExpiry, parkedCommand, release, waitsForOnSale } from './allocator/allocate';
import { applyDraw, drawDue, DRAW_ALGORITHM } from './allocator/draw';
import { emptyPresaleState, type PresaleState } from './allocator/presale';
import { offerToWaitlist, type WaitlistEntry } from './allocator/waitlist';
import { hasWrites } from './sql/commit-batch';
import type { PartitionStore } from './sql/partition-store';
import { msUntilToken, newBucket, take, type Bucket } from './throttle';
import type { Announce } from './announcer';
import { markSeatsChanged, newBatch, type Batch } from './batch';
import { decide, type Writer } from './command-handlers';
import type { BatchRunner, Delivery } from './subscriber-session';
import type { WorkerMetrics } from './metrics';

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
  >;
  logger: Logger;
  metrics: WorkerMetrics;
  ticketKeys: TicketKeys;
  store: PartitionStore;
  announce: Announce;
  /** Called when the partition's state is dropped (the announcer forgets its rates). */
  onReset?: () => void;
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
    for (const id of new Set([...batch.named, ...batch.touched])) {
      this.events.delete(id);
      this.layouts.delete(id);
      this.buckets.delete(id);
      this.presales.delete(id);
      this.waitlists.delete(id);
    }
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
    this.expireDue(now, batch);
    this.offerToWaitlists(now, batch);

    // 4. Decide, serially, in arrival order.
    for (const cmd of commands) decide(this, cmd, now, batch);

    // 5. Internal work of the single writer: expire holds, draw waiting rooms, drain parked requests.
    // A drawn event is not drained in the batch that draws it: the order is committed (and its
    // positions pushed) before any of its requests is decided.
    this.expireDue(now, batch);
    for (const inv of this.events.values()) {
      if (drawDue(inv, now)) this.drawWaitingRoom(inv, now, batch);
      else this.drainBacklog(inv, now, batch);
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
    const eventId = inv.eventId;
    const w = batch.write;
    const corr = correlationId ? { correlation_id: correlationId } : {};
    const sink = <T>(each: (item: T) => void) => ({ push: (...items: T[]) => items.forEach(each) });
    return {
      bookings: sink((b) => this.record(inv, b, batch, true)),
      unchanged: sink((b) => this.announceAgain(eventId, b, batch)),
      charges: sink((c) =>
        batch.payments.set(c.id, {
          kind: 'charge',
          id: c.id,
          booking_id: c.bookingId,
          event_id: eventId,
          partition: this.d.partition,
          amount_cents: c.amountCents,
          payment_method: c.paymentMethod,
          ...corr,
        }),
      ),
      refunds: sink((r) => {
        w.refunds.push({ eventId, refund: r });
        batch.payments.set(r.id, {
          kind: 'refund',
          id: r.id,
          booking_id: r.bookingId,
          event_id: eventId,
          partition: this.d.partition,
          charge_id: r.chargeId,
          amount_cents: r.amountCents,
          reason: r.reason,
          ...corr,
        });
      }),
      refundStatus: w.refundStatus,
      orders: sink((o) => w.orders.push({ eventId, order: o })),
      orderStatus: w.orderStatus,
      voidBookings: w.voidBookings,
      tickets: sink((t) =>
        w.tickets.push({
          ticket: t,
          barcode: signBarcode(this.d.ticketKeys, { t: t.id, e: t.eventId, s: seatLabel(t), v: t.version }),
        }),
      ),
      transfers: w.transfers,
      emails: w.emails,
      cancelledEvents: sink((id) => {
        w.cancelledEvents.push(id);
        batch.touched.add(eventId);
      }),
      refused: sink((r) =>
        this.log.info('command refused by the single writer', {
          event_id: eventId,
          id: r.id,
          why: r.why,
          correlation_id: correlationId,
        }),
      ),
    };
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
    if (announce) batch.results.push(this.resultOf(inv.eventId, b));
  }

  announceAgain(eventId: string, b: BookingState, batch: Batch): void {
    batch.results.push(this.resultOf(eventId, b));
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

  private expireDue(now: number, batch: Batch): void {
    for (const inv of this.events.values()) {
      for (const id of expiredHolds(inv, now)) {
        const next = release(inv, id, 'expired', now, 'hold_expired');
        if (next) this.record(inv, next, batch, true);
      }
    }
  }

  /**
   * Offers what came back to each touched event's waitlist, in order (see `allocator/waitlist.ts`):
   * each offer is a hold of WAITLIST_OFFER_SECONDS, announced (also to the user's own socket room) and e-mailed.
   */
  private offerToWaitlists(now: number, batch: Batch): void {
    for (const eventId of batch.touched) {
      const inv = this.events.get(eventId);
      const entries = this.waitlists.get(eventId);
      if (!inv || !entries?.length || inv.available <= 0) continue;
      const offers = offerToWaitlist(
        inv,
        entries,
        now,
        { maxPerRequest: this.maxPerRequest, holdSeconds: this.waitlistOfferSeconds },
        randomUUID,
      );
      for (const o of offers) {
        this.record(inv, o.booking, batch, true);
        batch.write.waitlistOffers.push({
          entryId: o.entryId,
          bookingId: o.booking.id,
          offeredAt: new Date(now).toISOString(),
        });
        batch.write.emails.push({
          dedupeKey: `waitlist_offer:${o.booking.id}`,
          userId: o.booking.userId,
          template: 'waitlist_offer',
          payload: {
            event_id: eventId,
            booking_id: o.booking.id,
            quantity: o.booking.quantity,
            hold_expires_at: new Date(o.booking.holdExpiresAt!).toISOString(),
          },
        });
      }
      if (offers.length)
        this.waitlists.set(
          eventId,
          entries.filter((e) => e.status === 'waiting'),
        );
    }
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

  /** Draws the event's waiting room with a fresh cryptographic seed (see `allocator/draw.ts`). */
  private drawWaitingRoom(inv: EventInventory, now: number, batch: Batch): void {
    const seed = randomBytes(32);
    const { result, states } = applyDraw(inv, seed, now);
    for (const b of states) this.record(inv, b, batch, true);
    batch.write.draws.push({
      eventId: inv.eventId,
      drawnAt: new Date(now).toISOString(),
      entries: states.length,
      algorithm: DRAW_ALGORITHM,
      seed: seed.toString('hex'),
      inputDigest: result.inputDigest,
      orderDigest: result.orderDigest,
      workerId: this.d.workerId,
      epoch: this.epoch!,
      arrival: result.drawn.map((d) => ({ bookingId: d.bookingId, arrivalSeq: d.arrivalSeq })),
    });
    this.log.info('waiting room drawn', {
      event_id: inv.eventId,
      entries: states.length,
      order_digest: result.orderDigest,
    });
  }

  private drainBacklog(inv: EventInventory, now: number, batch: Batch): void {
    // Parked requests wait for a pause to end and, in the waiting room, for the on-sale time.
    if (!inv.backlog.length || inv.settings.paused || waitsForOnSale(inv, now, this.waitingRoomMs)) return;
    let budget = inv.backlog.length;
    if (inv.settings.throttlePerS !== null) budget = take(this.bucket(inv, now), budget, now);
    while (budget-- > 0 && inv.backlog.length) {
      const id = inv.backlog.shift()!;
      const parked = inv.bookings.get(id);
      if (!parked || parked.status !== 'queued') continue;
      inv.bookings.delete(id);
      this.record(
        inv,
        decideBook(inv, parkedCommand(inv, parked), now, { maxPerRequest: this.maxPerRequest }),
        batch,
        true,
      );
    }
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
      ...(b.source ? { source: b.source } : {}),
    };
  }
}
