import { randomUUID } from 'node:crypto';
import type { Logger } from '../shared/logger';
import type { BookCommand, CancelCommand, PartitionCommand } from '../shared/contracts/messages';
import { sectionSeatCount, type EventLayout } from '../shared/contracts/events';
import { rebuildInventory, type BookingState, type EventInventory } from './allocator/inventory';
import {
  applyPaymentResult,
  applyRefundResult,
  cancelConfirmed,
  cancelEvent,
  reRequestPending,
  startCheckout,
  transferTicket,
  type Effects,
  type PaymentPolicy,
} from './allocator/payments';
import {
  addSections,
  bookingFromCommand,
  decideBook,
  park,
  raiseCapacity,
  release,
  repriceUnsold,
  waitsForOnSale,
  withdraw,
} from './allocator/allocate';
import { expandLayout } from './allocator/layout';
import { decidePresale, type PresaleState } from './allocator/presale';
import type { WaitlistEntry } from './allocator/waitlist';
import { take, type Bucket } from './throttle';
import { markSeatsChanged, type Batch } from './batch';

/** What a command handler may use of the single writer: its in-memory state and the ways to record into a batch. */
export interface Writer {
  readonly events: Map<string, EventInventory>;
  /** Layouts of events whose inventory is not created yet (`inventory.init` expands them). */
  readonly layouts: Map<string, EventLayout>;
  readonly policy: PaymentPolicy;
  readonly waitingRoomMs: number;
  readonly maxPerRequest: number;
  readonly log: Logger;
  bucket(inv: EventInventory, now: number): Bucket;
  /** Adds a booking's new state to the batch: its row, its seats and (if `announce`) its outcome. */
  record(inv: EventInventory, b: BookingState, batch: Batch, announce: boolean): void;
  /** Announces a booking's stored outcome again (a redelivered or stale command). */
  announceAgain(eventId: string, b: BookingState, batch: Batch): void;
  /** Sinks for a payment-side decision that write its effects straight into the batch (rows, announcements, provider calls). */
  effects(inv: EventInventory, batch: Batch, correlationId: string | undefined): Effects;
  /** The event's waiting waitlist entries, in order (undefined: the event is not loaded). */
  waitlist(eventId: string): WaitlistEntry[] | undefined;
  /** What the single writer knows of the event's presales (loaded for the batch before deciding). */
  presaleState(eventId: string): PresaleState;
}

type Command<K extends PartitionCommand['type']> = Extract<PartitionCommand, { type: K }>;
type Handler<K extends PartitionCommand['type']> = (
  w: Writer,
  cmd: Command<K>,
  inv: EventInventory | undefined,
  now: number,
  batch: Batch,
) => void;

/**
 * Handles a command that needs its event in memory with one of the payment-side pure functions,
 * which push their effects straight into the batch.
 */
function onEvent<K extends PartitionCommand['type']>(
  decide: (inv: EventInventory, cmd: Command<K>, now: number, fx: Effects, w: Writer, batch: Batch) => void,
): Handler<K> {
  return (w, cmd, inv, now, batch) => {
    if (!inv) {
      w.log.warn('command for an unknown event dropped', { type: cmd.type, event_id: cmd.event_id });
      return;
    }
    decide(inv, cmd, now, w.effects(inv, batch, cmd.correlation_id), w, batch);
  };
}

/** One handler per command type: the single writer's decisions, each taking the batch to fill. */
export const commandHandlers: { [K in PartitionCommand['type']]: Handler<K> } = {
  book(w, cmd, inv, now, batch) {
    const existing = inv?.bookings.get(cmd.booking_id);
    if (existing) {
      // A redelivery of something already decided (or parked): announce the stored outcome again.
      if (existing.status !== 'queued') w.announceAgain(cmd.event_id, existing, batch);
      return;
    }
    if (!inv) {
      const rejected = rejectedUnknown(cmd, now);
      batch.write.bookings.push({ eventId: cmd.event_id, seatIds: [], state: rejected });
      w.announceAgain(cmd.event_id, rejected, batch);
      return;
    }
    if (cmd.presale && inv.ready && !inv.cancelled && now < inv.onSaleAt) {
      // A presale booking is decided at once in its window, ahead of the waiting room.
      const { booking, use } = decidePresale(inv, w.presaleState(inv.eventId), cmd, now, {
        maxPerRequest: w.maxPerRequest,
      });
      if (use) batch.write.presaleUses.push(use);
      w.record(inv, booking, batch, true);
      return;
    }
    if (
      inv.backlog.length ||
      inv.settings.paused ||
      waitsForOnSale(inv, now, w.waitingRoomMs) ||
      (inv.settings.throttlePerS !== null && take(w.bucket(inv, now), 1, now) === 0)
    ) {
      w.record(inv, park(inv, cmd), batch, false);
      return;
    }
    w.record(inv, decideBook(inv, cmd, now, { maxPerRequest: w.maxPerRequest }), batch, true);
  },

  cancel(w, cmd, inv, now, batch) {
    if (!inv) return;
    const existing = inv.bookings.get(cmd.booking_id);
    if (existing && existing.userId !== cmd.user_id) return; // ingress checks ownership; never trust twice
    if (!existing) {
      // The cancel overtook its request (a redelivery): leave a tombstone the request will find.
      const tomb = withdrawUnseen(cmd, now);
      inv.bookings.set(tomb.id, tomb);
      w.record(inv, tomb, batch, true);
      return;
    }
    if (existing.status === 'confirmed') {
      // Cancel and refund (when the event allows it); the seats go back on sale.
      cancelConfirmed(inv, existing.id, { userId: cmd.user_id }, now, w.effects(inv, batch, cmd.correlation_id));
      return;
    }
    const next =
      existing.status === 'queued'
        ? withdraw(inv, existing.id, now)
        : release(inv, existing.id, 'cancelled', now, 'cancelled_by_user');
    if (next) w.record(inv, next, batch, true);
    else {
      w.announceAgain(inv.eventId, existing, batch);
      reRequestPending(existing, w.effects(inv, batch, cmd.correlation_id));
    }
  },

  checkout: onEvent<'checkout'>((inv, cmd, now, fx, w) =>
    startCheckout(
      inv,
      { bookingId: cmd.booking_id, userId: cmd.user_id, paymentMethod: cmd.payment_method },
      now,
      w.policy,
      fx,
    ),
  ),

  'payment.result': onEvent<'payment.result'>((inv, cmd, now, fx) =>
    applyPaymentResult(
      inv,
      {
        bookingId: cmd.booking_id,
        outcome: cmd.outcome,
        attemptId: cmd.attempt_id,
        ...(cmd.charge_id ? { chargeId: cmd.charge_id } : {}),
        ...(cmd.amount_cents !== undefined ? { amountCents: cmd.amount_cents } : {}),
      },
      now,
      randomUUID,
      fx,
    ),
  ),

  'refund.result': onEvent<'refund.result'>((inv, cmd, now, fx) =>
    applyRefundResult(
      inv,
      { bookingId: cmd.booking_id, refundId: cmd.refund_id, chargeId: cmd.charge_id, outcome: cmd.outcome },
      now,
      fx,
    ),
  ),

  'ticket.transfer': onEvent<'ticket.transfer'>(
    (inv, cmd, now, fx) =>
      void transferTicket(
        inv,
        { ticketId: cmd.ticket_id, fromUserId: cmd.from_user_id, toUserId: cmd.to_user_id },
        now,
        fx,
      ),
  ),

  'waitlist.join'(w, cmd, inv, _now, batch) {
    const entries = inv && w.waitlist(inv.eventId);
    if (!inv || !entries) return;
    // Loading the event read the entry already when ingress wrote it first: keep one.
    if (!entries.some((e) => e.id === cmd.waitlist_id))
      entries.push({ id: cmd.waitlist_id, userId: cmd.user_id, request: cmd.request, status: 'waiting' });
    batch.touched.add(inv.eventId); // free inventory (if any) is offered in this batch
  },

  'waitlist.leave'(w, cmd, inv) {
    const entries = inv && w.waitlist(inv.eventId);
    const entry = entries?.find((e) => e.id === cmd.waitlist_id && e.userId === cmd.user_id);
    if (entry) entry.status = 'left';
  },

  'event.queue_mode'(w, cmd, inv, now, batch) {
    if (!inv) return;
    // Settable until the on-sale time: after it (or once drawn) the order is decided and stays.
    if (inv.drawnAt !== null || now >= inv.onSaleAt) {
      w.log.info('queue mode change refused: the event is on sale', {
        event_id: inv.eventId,
        queue_mode: cmd.queue_mode,
        correlation_id: cmd.correlation_id,
      });
      return;
    }
    inv.queueMode = cmd.queue_mode;
    batch.write.queueModes.push({ eventId: inv.eventId, queueMode: cmd.queue_mode });
    batch.stalePages.add(inv.eventId);
  },

  'event.cancel': onEvent<'event.cancel'>((inv, _cmd, now, fx, _w, batch) => {
    cancelEvent(inv, now, fx);
    batch.stalePages.add(inv.eventId);
  }),

  /**
   * A command for this booking was dead-lettered: the booking ends `failed` unless the single writer
   * decided it already (the first outcome stands; a parked request is taken out of the backlog).
   */
  'booking.fail'(w, cmd, inv, now, batch) {
    const existing = inv?.bookings.get(cmd.booking_id);
    if (existing && existing.status !== 'queued') return;
    const at = new Date(now).toISOString();
    const failed: BookingState = {
      id: cmd.booking_id,
      userId: existing?.userId ?? cmd.user_id,
      status: 'failed',
      seq: existing?.seq ?? cmd.seq ?? null,
      request: existing?.request ?? {},
      seatIdx: [],
      quantity: 0,
      amountCents: 0,
      holdExpiresAt: null,
      reason: cmd.reason,
      correlationId: existing?.correlationId ?? cmd.correlation_id ?? null,
      requestedAt: existing?.requestedAt ?? at,
      decidedAt: at,
    };
    w.log.warn('booking failed: its command was dead-lettered', {
      event_id: cmd.event_id,
      booking_id: cmd.booking_id,
      reason: cmd.reason,
      correlation_id: failed.correlationId,
    });
    if (!inv) {
      batch.write.bookings.push({ eventId: cmd.event_id, seatIds: [], state: failed });
      w.announceAgain(cmd.event_id, failed, batch);
      return;
    }
    if (existing) inv.backlog = inv.backlog.filter((id) => id !== existing.id);
    inv.bookings.set(failed.id, failed);
    w.record(inv, failed, batch, true);
  },

  'inventory.reprice'(_w, cmd, inv, _now, batch) {
    if (!inv || !inv.ready) return;
    const sections = cmd.sections ?? [];
    const changed = repriceUnsold(inv, sections, cmd.ga_price_cents);
    for (const idx of changed)
      batch.write.seatPrices.push({
        eventId: inv.eventId,
        seatId: inv.seats[idx]!.id,
        priceCents: inv.seats[idx]!.priceCents,
      });
    batch.write.layoutPrices.push({
      eventId: inv.eventId,
      sections,
      ...(cmd.ga_price_cents !== undefined ? { gaPriceCents: cmd.ga_price_cents } : {}),
    });
    // The snapshot's layout carries prices, and the cached page shows the price range.
    batch.fullSnapshots.add(inv.eventId);
    batch.stalePages.add(inv.eventId);
    batch.touched.add(inv.eventId);
  },

  'inventory.add'(w, cmd, inv, _now, batch) {
    if (!inv || inv.cancelled) return;
    addInventory(w, inv, cmd, batch);
  },

  'inventory.init'(w, _cmd, inv, _now, batch) {
    if (!inv || inv.ready) return;
    const ready = initInventory(w, inv);
    if (!ready) return;
    batch.write.readyEvents.push(ready.eventId);
    if (ready.kind === 'reserved') batch.write.newSeats.push({ eventId: ready.eventId, seats: ready.seats });
    else batch.write.gaAvailable.push({ eventId: ready.eventId, available: ready.available });
    batch.fullSnapshots.add(inv.eventId);
    batch.touched.add(inv.eventId);
  },
};

/** Decides one command with its handler. */
export function decide(w: Writer, cmd: PartitionCommand, now: number, batch: Batch): void {
  const handler = commandHandlers[cmd.type] as Handler<PartitionCommand['type']>;
  handler(w, cmd, w.events.get(cmd.event_id), now, batch);
}

/**
 * Seats or capacity added to an event. Ready inventory is extended in memory (the new seats go on
 * sale at once, ranked after the existing ones); an event whose inventory is not created yet gets
 * the additions in the layout that `inventory.init` will expand.
 */
function addInventory(w: Writer, inv: EventInventory, cmd: Command<'inventory.add'>, batch: Batch): void {
  const eventId = inv.eventId;
  const sections = cmd.sections ?? [];
  if (!inv.ready) {
    const layout = w.layouts.get(eventId);
    if (!layout) return;
    if (layout.kind === 'reserved') {
      const known = new Set(layout.sections.map((x) => x.name));
      const fresh = sections.filter((x) => !known.has(x.name));
      if (!fresh.length) return;
      layout.sections.push(...fresh);
      inv.capacity += fresh.reduce((n, x) => n + sectionSeatCount(x), 0);
      batch.write.layoutAdditions.push({ eventId, capacity: inv.capacity, sections: fresh });
    } else {
      if (cmd.ga_capacity === undefined || cmd.ga_capacity <= layout.capacity) return;
      layout.capacity = inv.capacity = cmd.ga_capacity;
      batch.write.layoutAdditions.push({ eventId, capacity: inv.capacity, sections: [] });
    }
  } else if (inv.kind === 'reserved') {
    const r = addSections(inv, sections);
    if (!r.added.length) return;
    w.events.set(eventId, r.inv);
    batch.write.newSeats.push({ eventId, seats: r.added });
    batch.write.layoutAdditions.push({ eventId, capacity: r.inv.capacity, sections: r.sections });
    batch.fullSnapshots.add(eventId);
    // Watchers of the seat map learn of the new seats as they would of any other change.
    markSeatsChanged(
      batch,
      eventId,
      r.added.map((s) => s.rank),
    );
  } else {
    if (cmd.ga_capacity === undefined || !raiseCapacity(inv, cmd.ga_capacity)) return;
    batch.write.gaAvailable.push({ eventId, available: inv.available });
    batch.write.layoutAdditions.push({ eventId, capacity: inv.capacity, sections: [] });
  }
  w.log.info('inventory added', {
    event_id: eventId,
    capacity: w.events.get(eventId)!.capacity,
    correlation_id: cmd.correlation_id,
  });
  batch.stalePages.add(eventId);
  batch.touched.add(eventId);
}

/** Expands a new event's layout into inventory, in memory; the batch commit makes it durable. */
function initInventory(w: Writer, inv: EventInventory): EventInventory | null {
  const layout = w.layouts.get(inv.eventId);
  if (!layout) return null;
  w.layouts.delete(inv.eventId);
  const rebuilt = rebuildInventory(inv, {
    ready: true,
    gaPriceCents: layout.kind === 'general_admission' ? layout.price_cents : 0,
    gaAvailable: layout.kind === 'general_admission' ? layout.capacity : null,
    seats: layout.kind === 'reserved' ? expandLayout(layout) : [],
  });
  w.events.set(inv.eventId, rebuilt);
  return rebuilt;
}

function rejectedUnknown(cmd: BookCommand, now: number): BookingState {
  return bookingFromCommand(cmd, 'rejected', new Date(now).toISOString(), 'event_not_found');
}

function withdrawUnseen(cmd: CancelCommand, now: number): BookingState {
  return {
    id: cmd.booking_id,
    userId: cmd.user_id,
    status: 'cancelled',
    seq: null,
    request: {},
    seatIdx: [],
    quantity: 0,
    amountCents: 0,
    holdExpiresAt: null,
    reason: 'withdrawn',
    correlationId: cmd.correlation_id ?? null,
    requestedAt: new Date(now).toISOString(),
    decidedAt: new Date(now).toISOString(),
  };
}
