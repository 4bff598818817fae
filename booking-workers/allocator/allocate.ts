import type { BookCommand, BookingRequest, BookingStatus } from '../../shared/contracts/messages';
import type { BookingReason, RejectionReason } from '../../shared/errors';
import type { ReservedSectionLayout } from '../../shared/contracts/events';
import {
  addUserQty,
  clearActive,
  freeSeat,
  rebuildInventory,
  scheduleExpiry,
  takeSeat,
  type BookingState,
  type EventInventory,
  type RowInfo,
  type SeatInfo,
  type UserState,
} from './inventory';
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
export function bookingFromCommand(
  cmd: BookCommand,
  status: BookingStatus,
  decidedAt: string | null,
  reason: BookingReason | null = null,
): BookingState {
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

let isoNow = NaN;
let isoText = '';
/**
 * `now` as an ISO string. A batch decides everything at one `now`, so this is formatted once per batch,
 * not once per decision (it was a tenth of a decision's time).
 */
export function isoAt(now: number): string {
  if (now !== isoNow) {
    isoText = new Date(now).toISOString();
    isoNow = now;
  }
  return isoText;
}

/**
 * Why a request cannot even be tried, or how many units or seats it asks for. (The per-user total is
 * checked by the caller, which needs the user's current count again to add the new hold to it.)
 */
function refusal(
  inv: EventInventory,
  cmd: BookCommand,
  now: number,
  limits: Limits,
  user: UserState | undefined,
): RejectionReason | number {
  if (inv.cancelled) return 'event_cancelled';
  if (!inv.ready || (now < inv.onSaleAt && !limits.presale)) return 'not_on_sale';
  const req = cmd.request;
  const wanted = req.seat_ids ? new Set(req.seat_ids).size : (req.quantity ?? 0);
  if ((req.seat_ids === undefined) === (req.quantity === undefined) || wanted < 1) return 'invalid_request';
  if (inv.kind === 'general_admission' && req.seat_ids) return 'invalid_request';
  if (wanted > limits.maxPerRequest || wanted > inv.maxPerUser) return 'limit_exceeded';
  if (user !== undefined && user.active !== null) return 'active_request_exists';
  return wanted;
}

function rejected(inv: EventInventory, booking: BookingState, reason: RejectionReason): BookingState {
  booking.reason = reason;
  inv.bookings.set(booking.id, booking);
  return booking;
}

/** Decides a booking request. Returns the booking's new state (held or rejected). */
export function decideBook(inv: EventInventory, cmd: BookCommand, now: number, limits: Limits): BookingState {
  // No closures in here: tsx (esbuild keepNames) wraps each one in a naming call, on every decision.
  const booking = bookingFromCommand(cmd, 'rejected', isoAt(now));
  const user = inv.users.get(cmd.user_id);
  const wanted = refusal(inv, cmd, now, limits, user);
  if (typeof wanted === 'string') return rejected(inv, booking, wanted);
  const userHas = user?.qty ?? 0;
  if (userHas + wanted > inv.maxPerUser) return rejected(inv, booking, 'limit_exceeded');

  if (inv.kind === 'general_admission') {
    // Nothing at or under the buyer's price is the same answer as nothing left (as for reserved seats).
    const maxPrice = cmd.request.max_price_cents;
    if (inv.available < wanted || (maxPrice !== undefined && inv.gaPriceCents > maxPrice))
      return rejected(inv, booking, 'sold_out');
    inv.available -= wanted;
    booking.quantity = wanted;
    booking.amountCents = wanted * inv.gaPriceCents;
  } else {
    const req = cmd.request;
    const picked = req.seat_ids ? pickExact(inv, req) : pickBestAvailable(inv, req, wanted);
    if (typeof picked === 'string') return rejected(inv, booking, picked);
    let amount = 0;
    for (const idx of picked) {
      takeSeat(inv, idx, booking.id);
      amount += inv.seats[idx]!.priceCents;
    }
    booking.seatIdx = picked;
    booking.quantity = picked.length;
    booking.amountCents = amount;
  }
  booking.status = 'held';
  booking.holdExpiresAt = now + (limits.holdSeconds ?? inv.holdSeconds) * 1000;
  inv.bookings.set(booking.id, booking);
  inv.holds.add(booking.id);
  scheduleExpiry(inv, booking.id, booking.holdExpiresAt);
  if (user) {
    user.active = booking.id;
    user.qty = userHas + booking.quantity;
  } else inv.users.set(booking.userId, { qty: booking.quantity, active: booking.id });
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
  const tier = req.price_tier;
  const maxPrice = req.max_price_cents;
  // A section filter walks only that section's rows (the same rows, in the same order, as filtering
  // `rowOrder` by section), and knows at once when the section has too few seats left.
  let order = inv.rowOrder;
  if (req.section !== undefined) {
    const group = inv.sectionRows.get(req.section);
    if (group === undefined || group.available < q) return 'sold_out';
    order = group.rows;
  }

  let matching = 0;
  for (let k = 0; k < order.length; k++) {
    const row = inv.rows[order[k]!]!;
    if (
      row.available === 0 ||
      (tier !== undefined && row.tier !== tier) ||
      (maxPrice !== undefined && row.priceCents > maxPrice)
    )
      continue;
    matching += row.available;
    if (row.available < q || row.maxRun < q) continue;
    const block = bestBlock(inv, row, q);
    if (block) return block;
  }
  if (matching < q) return 'sold_out';
  // Nobody can sit together: take the q best free seats that match.
  const scattered: number[] = [];
  for (const r of order) {
    const row = inv.rows[r]!;
    if (
      row.available === 0 ||
      (tier !== undefined && row.tier !== tier) ||
      (maxPrice !== undefined && row.priceCents > maxPrice)
    )
      continue;
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
  const holder = inv.holder;
  const number = inv.seatNumber;
  let bestEnd = -1;
  let bestScore = Infinity;
  let runStart = 0;
  let runScore = 0;
  let longest = 0;
  for (let i = 0; i < rowSeats.length; i++) {
    const idx = rowSeats[i]!;
    if (holder[idx] !== null) {
      runStart = i + 1;
      runScore = 0;
      continue;
    }
    // A gap in the numbering (a venue row with an aisle or a missing seat) also ends a run.
    if (i === 0 || number[idx] !== number[rowSeats[i - 1]!]! + 1) {
      runStart = i;
      runScore = 0;
    }
    runScore += idx;
    const run = i - runStart + 1;
    if (run > longest) longest = run;
    if (run > q) runScore -= rowSeats[i - q]!;
    if (run >= q && runScore < bestScore) {
      bestScore = runScore;
      bestEnd = i;
    }
  }
  row.maxRun = longest;
  return bestEnd < 0 ? null : rowSeats.slice(bestEnd - q + 1, bestEnd + 1);
}

/**
 * Releases a booking's inventory and moves it to `status` (expired or cancelled). Returns the new
 * state, or null when the booking holds nothing (already terminal).
 */
export function release(
  inv: EventInventory,
  bookingId: string,
  status: 'expired' | 'cancelled',
  now: number,
  reason?: BookingReason,
): BookingState | null {
  const b = inv.bookings.get(bookingId);
  if (!b || (b.status !== 'held' && b.status !== 'payment_pending')) return null;
  if (inv.kind === 'general_admission') inv.available += b.quantity;
  else for (const idx of b.seatIdx) freeSeat(inv, idx);
  addUserQty(inv, b.userId, -b.quantity);
  clearActive(inv, b.userId, b.id);
  inv.holds.delete(b.id);
  const next: BookingState = { ...b, status, holdExpiresAt: null, reason: reason ?? null, decidedAt: isoAt(now) };
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
export function repriceUnsold(
  inv: EventInventory,
  sections: Array<{ name: string; price_cents: number }>,
  gaPriceCents?: number,
): number[] {
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
export function addSections(
  inv: EventInventory,
  sections: ReservedSectionLayout[],
): { inv: EventInventory; added: SeatInfo[]; sections: ReservedSectionLayout[] } {
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
