import type { BookCommand, BookingRequest, BookingStatus } from '../../shared/contracts/messages';
import type { BookingReason, RejectionReason } from '../../shared/errors';
import type { ReservedSectionLayout } from '../../shared/contracts/events';
import { addUserQty, freeSeat, rebuildInventory, scheduleExpiry, takeSeat, type BookingState, type EventInventory, type RowInfo, type SeatInfo } from './inventory';
import { expandLayout } from './layout';

/**
 * The allocator: pure decisions over one event's in-memory inventory. No I/O, no clock (callers pass
 * `now`), no locks: the partition's single writer calls these serially, so each decision sees every
 * earlier one. Each function mutates the inventory and returns the booking states to persist.
 */

export interface Limits {
  /** Global per-request cap (MAX_PER_REQUEST). */
  maxPerRequest: number;
  /** A presale booking in its window: decided before the on-sale time (`allocator/presale.ts`). */
  presale?: boolean;
  /** Hold time instead of the event's (a waitlist offer: WAITLIST_OFFER_SECONDS). */
  holdSeconds?: number;
}

/**
 * True while the event's waiting room is open: its inventory is ready and the on-sale time is at most
 * `windowMs` away. Requests then wait (parked, in arrival order) and are decided from the on-sale time.
 */
export function waitsForOnSale(inv: EventInventory, now: number, windowMs: number): boolean {
  return inv.ready && !inv.cancelled && now < inv.onSaleAt && now >= inv.onSaleAt - windowMs;
}

/** A booking as its `book` command creates it: nothing taken yet. */
export function bookingFromCommand(cmd: BookCommand, status: BookingStatus, decidedAt: string | null, reason: BookingReason | null = null): BookingState {
  return {
    id: cmd.booking_id,
    userId: cmd.user_id,
    status,
    seq: cmd.seq,
    request: cmd.request,
    seatIdx: [],
    quantity: 0,
    amountCents: 0,
    holdExpiresAt: null,
    reason,
    correlationId: cmd.correlation_id ?? null,
    requestedAt: cmd.requested_at,
    decidedAt,
  };
}

/** Decides a booking request. Returns the booking's new state (held or rejected). */
export function decideBook(inv: EventInventory, cmd: BookCommand, now: number, limits: Limits): BookingState {
  const booking = bookingFromCommand(cmd, 'rejected', new Date(now).toISOString());
  const reject = (reason: RejectionReason): BookingState => {
    booking.reason = reason;
    inv.bookings.set(booking.id, booking);
    return booking;
  };

  if (inv.cancelled) return reject('event_cancelled');
  if (!inv.ready || (now < inv.onSaleAt && !limits.presale)) return reject('not_on_sale');
  const req = cmd.request;
  const wanted = req.seat_ids ? new Set(req.seat_ids).size : (req.quantity ?? 0);
  if ((req.seat_ids === undefined) === (req.quantity === undefined) || wanted < 1) return reject('invalid_request');
  if (inv.kind === 'general_admission' && req.seat_ids) return reject('invalid_request');
  if (wanted > limits.maxPerRequest || wanted > inv.maxPerUser) return reject('limit_exceeded');
  if (inv.userActive.has(cmd.user_id)) return reject('active_request_exists');
  if ((inv.userQty.get(cmd.user_id) ?? 0) + wanted > inv.maxPerUser) return reject('limit_exceeded');

  if (inv.kind === 'general_admission') {
    if (inv.available < wanted) return reject('sold_out');
    inv.available -= wanted;
    booking.quantity = wanted;
    booking.amountCents = wanted * inv.gaPriceCents;
  } else {
    const picked = req.seat_ids ? pickExact(inv, req) : pickBestAvailable(inv, req, wanted);
    if (typeof picked === 'string') return reject(picked);
    for (const idx of picked) takeSeat(inv, idx, booking.id);
    booking.seatIdx = picked;
    booking.quantity = picked.length;
    booking.amountCents = picked.reduce((sum, idx) => sum + inv.seats[idx]!.priceCents, 0);
  }
  booking.status = 'held';
  booking.holdExpiresAt = now + (limits.holdSeconds ?? inv.holdSeconds) * 1000;
  inv.bookings.set(booking.id, booking);
  inv.holds.add(booking.id);
  scheduleExpiry(inv, booking.id, booking.holdExpiresAt);
  inv.userActive.set(booking.userId, booking.id);
  addUserQty(inv, booking.userId, booking.quantity);
  return booking;
}

/** Exact seats, all or nothing; optionally the best alternative in the same section and tier. */
function pickExact(inv: EventInventory, req: BookingRequest): number[] | RejectionReason {
  const ids = [...new Set(req.seat_ids)];
  const idx: number[] = [];
  for (const id of ids) {
    const i = inv.seatIndex.get(id);
    if (i === undefined) return 'unknown_seats';
    idx.push(i);
  }
  if (idx.every((i) => inv.holder[i] === null)) return idx;
  if (!req.accept_alternatives) return 'seats_unavailable';
  const first = inv.seats[idx[0]!]!;
  const alt = pickBestAvailable(inv, { ...req, section: first.section, price_tier: first.tier }, idx.length);
  return typeof alt === 'string' ? 'seats_unavailable' : alt;
}

/**
 * Best available: the best-ranked row (within the filters) holding `q` adjacent free seats, and in it
 * the block with the best total rank; if no row can seat the party together, the `q` best free seats.
 */
export function pickBestAvailable(inv: EventInventory, req: BookingRequest, q: number): number[] | RejectionReason {
  if (inv.available < q) return 'sold_out';
  const fits = (r: { section: string; tier: string; priceCents: number }) =>
    (req.section === undefined || r.section === req.section) &&
    (req.price_tier === undefined || r.tier === req.price_tier) &&
    (req.max_price_cents === undefined || r.priceCents <= req.max_price_cents);

  let matching = 0;
  for (const r of inv.rowOrder) {
    const row = inv.rows[r]!;
    if (row.available === 0 || !fits(row)) continue;
    matching += row.available;
    if (row.available < q || row.maxRun < q) continue;
    const block = bestBlock(inv, row, q);
    if (block) return block;
  }
  if (matching < q) return 'sold_out';
  // Nobody can sit together: take the q best free seats that match.
  const scattered: number[] = [];
  for (const r of inv.rowOrder) {
    const row = inv.rows[r]!;
    if (row.available === 0 || !fits(row)) continue;
    for (const idx of [...row.seats].sort((a, b) => a - b)) {
      if (inv.holder[idx] === null) scattered.push(idx);
      if (scattered.length === q) return scattered;
    }
  }
  return 'sold_out';
}

/**
 * In one row, the free block of `q` consecutive seats with the lowest rank sum. Records the row's
 * longest free run as it scans (`maxRun`), so a row too fragmented for `q` is skipped next time.
 */
function bestBlock(inv: EventInventory, row: RowInfo, q: number): number[] | null {
  const rowSeats = row.seats;
  let best: number[] | null = null;
  let bestScore = Infinity;
  let runStart = 0;
  let runScore = 0;
  let longest = 0;
  for (let i = 0; i < rowSeats.length; i++) {
    const idx = rowSeats[i]!;
    const prev = rowSeats[i - 1];
    const adjacent = prev !== undefined && inv.seats[idx]!.number === inv.seats[prev]!.number + 1;
    if (inv.holder[idx] !== null || !adjacent) {
      runStart = i;
      runScore = 0;
      if (inv.holder[idx] !== null) {
        runStart = i + 1;
        continue;
      }
    }
    runScore += idx;
    if (i - runStart + 1 > longest) longest = i - runStart + 1;
    if (i - runStart + 1 > q) runScore -= rowSeats[i - q]!;
    if (i - runStart + 1 >= q && runScore < bestScore) {
      bestScore = runScore;
      best = rowSeats.slice(i - q + 1, i + 1);
    }
  }
  row.maxRun = longest;
  return best;
}

/**
 * Releases a booking's inventory and moves it to `status` (expired or cancelled). Returns the new
 * state, or null when the booking holds nothing (already terminal).
 */
export function release(inv: EventInventory, bookingId: string, status: 'expired' | 'cancelled', now: number, reason?: BookingReason): BookingState | null {
  const b = inv.bookings.get(bookingId);
  if (!b || (b.status !== 'held' && b.status !== 'payment_pending')) return null;
  if (inv.kind === 'general_admission') inv.available += b.quantity;
  else for (const idx of b.seatIdx) freeSeat(inv, idx);
  addUserQty(inv, b.userId, -b.quantity);
  if (inv.userActive.get(b.userId) === b.id) inv.userActive.delete(b.userId);
  inv.holds.delete(b.id);
  const next: BookingState = { ...b, status, holdExpiresAt: null, reason: reason ?? null, decidedAt: new Date(now).toISOString() };
  inv.bookings.set(b.id, next);
  return next;
}

/** Takes the holds whose expiry has passed off the expiry queue, soonest first. */
export function expiredHolds(inv: EventInventory, now: number): string[] {
  const out: string[] = [];
  while (inv.expiries.length && inv.expiries[0]!.at <= now) {
    const { at, id } = inv.expiries.shift()!;
    const b = inv.bookings.get(id);
    // Skip entries made stale by a release or a later extension of the hold (checkout's payment grace).
    if (b && (b.status === 'held' || b.status === 'payment_pending') && b.holdExpiresAt === at) out.push(id);
  }
  return out;
}

/** When the next hold expires, or null. */
export function nextExpiry(inv: EventInventory): number | null {
  return inv.expiries[0]?.at ?? null;
}

/** Parks a request behind a pause or throttle: it stays `queued`, durably, in arrival order. */
export function park(inv: EventInventory, cmd: BookCommand): BookingState {
  const b = bookingFromCommand(cmd, 'queued', null);
  inv.bookings.set(b.id, b);
  inv.backlog.push(b.id);
  return b;
}

/** Withdraws a parked request (the user cancelled before it was decided). */
export function withdraw(inv: EventInventory, bookingId: string, now: number): BookingState | null {
  const b = inv.bookings.get(bookingId);
  if (!b || b.status !== 'queued') return null;
  inv.backlog = inv.backlog.filter((id) => id !== bookingId);
  const next: BookingState = { ...b, status: 'cancelled', reason: 'withdrawn', decidedAt: new Date(now).toISOString() };
  inv.bookings.set(b.id, next);
  return next;
}

/** Rebuilds the book command of a parked request, to decide it when the backlog drains. */
export function parkedCommand(inv: EventInventory, b: BookingState): BookCommand {
  return {
    type: 'book',
    event_id: inv.eventId,
    booking_id: b.id,
    user_id: b.userId,
    seq: b.seq ?? 0,
    requested_at: b.requestedAt,
    request: b.request,
    ...(b.correlationId ? { correlation_id: b.correlationId } : {}),
  };
}

/**
 * New prices for unsold inventory. Returns the seat indexes repriced (those available now); held
 * and sold seats keep the price their booking was decided at.
 */
export function repriceUnsold(inv: EventInventory, sections: Array<{ name: string; price_cents: number }>, gaPriceCents?: number): number[] {
  if (inv.kind === 'general_admission') {
    if (gaPriceCents !== undefined) inv.gaPriceCents = gaPriceCents;
    return [];
  }
  const price = new Map(sections.map((s) => [s.name, s.price_cents]));
  const changed: number[] = [];
  for (const row of inv.rows) {
    const next = price.get(row.section);
    if (next === undefined) continue;
    row.priceCents = next;
    for (const idx of row.seats) {
      if (inv.holder[idx] !== null) continue;
      inv.seats[idx] = { ...inv.seats[idx]!, priceCents: next };
      changed.push(idx);
    }
  }
  return changed;
}

/**
 * Seats added to a reserved event: new sections, ranked after every seat it already has (the existing
 * seats keep their ids and ranks). Sections the event already has are skipped, so a redelivered
 * command changes nothing. Returns the extended inventory and the seats added (none: nothing changed).
 */
export function addSections(inv: EventInventory, sections: ReservedSectionLayout[]): { inv: EventInventory; added: SeatInfo[]; sections: ReservedSectionLayout[] } {
  const known = new Set(inv.seats.map((s) => s.section));
  const fresh = sections.filter((s) => !known.has(s.name));
  if (!fresh.length || inv.kind !== 'reserved') return { inv, added: [], sections: [] };
  const offset = inv.seats.length;
  const added = expandLayout({ kind: 'reserved', sections: fresh }).map((s) => ({ ...s, rank: s.rank + offset }));
  const next = rebuildInventory(inv, { seats: [...inv.seats, ...added], capacity: inv.capacity + added.length });
  return { inv: next, added, sections: fresh };
}

/**
 * A general-admission event's capacity raised to `capacity`: the new units go on sale at once. A
 * capacity not above the current one changes nothing (capacity is never lowered below what was sold,
 * and a redelivered command is a no-op). Returns the units added.
 */
export function raiseCapacity(inv: EventInventory, capacity: number): number {
  if (inv.kind !== 'general_admission' || capacity <= inv.capacity) return 0;
  const added = capacity - inv.capacity;
  inv.capacity = capacity;
  inv.available += added;
  return added;
}
