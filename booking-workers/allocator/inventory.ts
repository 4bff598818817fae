import type { BookingReason } from '../../shared/errors';
import type { BookingRequest, BookingStatus, SeatStatus } from '../../shared/contracts/messages';
import { addUserQty, setActive, type UserState } from './users';

export { addUserQty, clearActive, setActive, type UserState } from './users';

/**
 * The in-memory inventory of one event, owned by the single writer of its partition. Built from
 * PostgreSQL when the worker first sees the event, then changed only by the allocator's pure
 * functions (`allocate.ts`), which return what must be persisted.
 */

export interface SeatInfo {
  id: string;
  section: string;
  row: number;
  number: number;
  /** 0 = best seat of the event. Equals the seat's index in `EventInventory.seats`. */
  rank: number;
  priceCents: number;
  tier: string;
}

/** The seats of one physical row, used to find adjacent blocks. */
export interface RowInfo {
  section: string;
  tier: string;
  priceCents: number;
  /** Seat indexes (ranks) of the row, ordered by seat number. */
  seats: number[];
  available: number;
  /** Best (lowest) rank in the row: rows are tried in this order. */
  bestRank: number;
  /**
   * An upper bound of the row's longest run of adjacent free seats: exact after a best-available scan
   * of the row, still a bound after seats are taken, reset to the row length when a seat is freed. Lets
   * best available skip a fragmented row without scanning it again.
   */
  maxRun: number;
  /** The rows of the same section (shared by them): lets a section filter skip every other row. */
  group: SectionRows;
}

/** The rows of one section, best first, and the seats still free in them. */
export interface SectionRows {
  rows: number[];
  available: number;
}

export interface BookingState {
  id: string;
  userId: string;
  status: BookingStatus;
  seq: number | null;
  request: BookingRequest;
  seatIdx: number[];
  quantity: number;
  amountCents: number;
  holdExpiresAt: number | null;
  reason: BookingReason | null;
  correlationId: string | null;
  requestedAt: string;
  decidedAt: string | null;
  /** From checkout on: fees and total (amount + fees), in cents. */
  feesCents?: number;
  totalCents?: number;
  paymentMethod?: string | null;
  /** Checkouts so far; attempt n is charged with the idempotency key `<id>:a<n>`. */
  paymentAttempts?: number;
  /** The charge that paid (confirmed) or, once cancelled, the charge being refunded. */
  chargeId?: string | null;
  /** `waitlist`: a hold offered to a waitlist entry (absent: from the queue). */
  source?: 'waitlist';
}

/** A ticket as the single writer knows it (loaded on demand, per booking). */
export interface TicketState {
  id: string;
  orderId: string;
  bookingId: string;
  eventId: string;
  /** Reserved seating: the seat id; general admission: null (see `unit`). */
  seatId: string | null;
  unit: number | null;
  ownerUserId: string;
  version: number;
  status: 'valid' | 'void';
  issuedAt: string;
  ownedSince: string;
}

export interface EventSettings {
  throttlePerS: number | null;
  paused: boolean;
}

export interface EventInventory {
  eventId: string;
  kind: 'reserved' | 'general_admission';
  ready: boolean;
  holdSeconds: number;
  maxPerUser: number;
  onSaleAt: number;
  settings: EventSettings;

  // reserved seating
  seats: SeatInfo[];
  seatIndex: Map<string, number>;
  /** Booking holding each seat (by index), or null when available. */
  holder: Array<string | null>;
  rows: RowInfo[];
  /** Row indexes, best row first. */
  rowOrder: number[];
  seatRow: Int32Array;
  /** Seat number of each seat (by index): the adjacency test of best available, without object reads. */
  seatNumber: Int32Array;
  /** Section name → its rows (a subsequence of `rowOrder`) and free seats. */
  sectionRows: Map<string, SectionRows>;

  // general admission
  gaPriceCents: number;
  available: number;
  capacity: number;

  bookings: Map<string, BookingState>;
  /**
   * Per user: units held, pending payment or confirmed (the per-user limit), and the booking that is
   * held or pending payment (one active request per user). One map, so a decision reads and writes a
   * user once (it was two maps and four lookups per decision).
   */
  users: Map<string, UserState>;
  /** Bookings currently holding inventory with an expiry. */
  holds: Set<string>;
  /** Hold expiries, soonest first (appends are almost always at the end: hold times are per event). */
  expiries: Array<{ at: number; id: string }>;
  /** Requests parked behind a pause or throttle, oldest first (durable as status `queued`). */
  backlog: string[];
  /** Highest sequence number decided. */
  watermark: number;

  // checkout and tickets
  /** The organizer lets buyers cancel confirmed bookings for a refund. */
  refundable: boolean;
  /** Event start (ms); buyer cancellations close then. */
  startsAt: number;
  /** The organizer cancelled the event: every booking is rejected. */
  cancelled: boolean;
  /** How the waiting room is ordered at the on-sale time: drawn at random (`draw`) or by arrival (`fifo`). */
  queueMode: 'draw' | 'fifo';
  /** When the waiting room was drawn (durable in `event_draws`), or null before the draw. */
  drawnAt: number | null;
  /** Tickets of the bookings in `bookingTickets` (the single writer's cache, filled on demand). */
  tickets: Map<string, TicketState>;
  /** Booking id → its ticket ids; a booking present here has all its tickets cached. */
  bookingTickets: Map<string, string[]>;
}

export interface InventorySource {
  eventId: string;
  kind: 'reserved' | 'general_admission';
  ready: boolean;
  holdSeconds: number;
  maxPerUser: number;
  onSaleAt: number;
  settings: EventSettings;
  capacity: number;
  gaPriceCents: number;
  gaAvailable: number | null;
  /** Seats in rank order. */
  seats: SeatInfo[];
  bookings: BookingState[];
  /** @defaultValue true */
  refundable?: boolean;
  /** @defaultValue never (buyer cancellations stay open) */
  startsAt?: number;
  /** @defaultValue false */
  cancelled?: boolean;
  /** @defaultValue 'fifo' */
  queueMode?: 'draw' | 'fifo';
  /** @defaultValue null (not drawn) */
  drawnAt?: number | null;
}

/** Builds an event's inventory from what PostgreSQL holds: seats plus every booking. */
export function buildInventory(src: InventorySource): EventInventory {
  const inv: EventInventory = {
    eventId: src.eventId,
    kind: src.kind,
    ready: src.ready,
    holdSeconds: src.holdSeconds,
    maxPerUser: src.maxPerUser,
    onSaleAt: src.onSaleAt,
    settings: { ...src.settings },
    seats: src.seats,
    seatIndex: new Map(),
    holder: new Array<string | null>(src.seats.length).fill(null),
    rows: [],
    rowOrder: [],
    seatRow: new Int32Array(src.seats.length),
    seatNumber: new Int32Array(src.seats.length),
    sectionRows: new Map(),
    gaPriceCents: src.gaPriceCents,
    capacity: src.capacity,
    available: src.kind === 'general_admission' ? (src.gaAvailable ?? src.capacity) : src.seats.length,
    bookings: new Map(),
    users: new Map(),
    holds: new Set(),
    expiries: [],
    backlog: [],
    watermark: 0,
    refundable: src.refundable ?? true,
    startsAt: src.startsAt ?? Number.MAX_SAFE_INTEGER,
    cancelled: src.cancelled ?? false,
    queueMode: src.queueMode ?? 'fifo',
    drawnAt: src.drawnAt ?? null,
    tickets: new Map(),
    bookingTickets: new Map(),
  };
  indexSeats(inv);
  const queued: BookingState[] = [];
  for (const b of src.bookings) {
    inv.bookings.set(b.id, b);
    if (b.status === 'queued') {
      queued.push(b);
      continue;
    }
    if (b.seq !== null && b.decidedAt !== null) inv.watermark = Math.max(inv.watermark, b.seq);
    if (b.status === 'held' || b.status === 'payment_pending' || b.status === 'confirmed') {
      addUserQty(inv, b.userId, b.quantity);
      if (b.status !== 'confirmed') {
        setActive(inv, b.userId, b.id);
        inv.holds.add(b.id);
        if (b.holdExpiresAt !== null) scheduleExpiry(inv, b.id, b.holdExpiresAt);
      }
      if (inv.kind === 'reserved') {
        for (const idx of b.seatIdx) takeSeat(inv, idx, b.id);
      }
    }
  }
  queued.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  inv.backlog = queued.map((b) => b.id);
  return inv;
}

/**
 * The same event rebuilt from its bookings with some of its inventory changed (seats added, capacity
 * raised, inventory created): every setting and the ticket cache are carried over.
 */
export function rebuildInventory(
  inv: EventInventory,
  change: Partial<Pick<InventorySource, 'ready' | 'seats' | 'capacity' | 'gaPriceCents' | 'gaAvailable'>>,
): EventInventory {
  const next = buildInventory({
    eventId: inv.eventId,
    kind: inv.kind,
    ready: inv.ready,
    holdSeconds: inv.holdSeconds,
    maxPerUser: inv.maxPerUser,
    onSaleAt: inv.onSaleAt,
    settings: inv.settings,
    capacity: inv.capacity,
    gaPriceCents: inv.gaPriceCents,
    gaAvailable: inv.kind === 'general_admission' ? inv.available : null,
    seats: inv.seats,
    bookings: [...inv.bookings.values()],
    refundable: inv.refundable,
    startsAt: inv.startsAt,
    cancelled: inv.cancelled,
    queueMode: inv.queueMode,
    drawnAt: inv.drawnAt,
    ...change,
  });
  next.watermark = Math.max(next.watermark, inv.watermark);
  next.tickets = inv.tickets;
  next.bookingTickets = inv.bookingTickets;
  return next;
}

function indexSeats(inv: EventInventory): void {
  const rowKey = new Map<string, number>();
  inv.seats.forEach((s, idx) => {
    inv.seatIndex.set(s.id, idx);
    const key = `${s.section}\u0000${s.row}`;
    let r = rowKey.get(key);
    if (r === undefined) {
      r = inv.rows.length;
      rowKey.set(key, r);
      inv.rows.push({
        section: s.section,
        tier: s.tier,
        priceCents: s.priceCents,
        seats: [],
        available: 0,
        bestRank: idx,
        maxRun: 0,
        group: sectionGroup(inv, s.section),
      });
    }
    const row = inv.rows[r]!;
    row.seats.push(idx);
    row.available++;
    row.group.available++;
    row.bestRank = Math.min(row.bestRank, idx);
    inv.seatRow[idx] = r;
    inv.seatNumber[idx] = s.number;
  });
  for (const row of inv.rows) {
    row.seats.sort((a, b) => inv.seats[a]!.number - inv.seats[b]!.number);
    row.maxRun = row.seats.length;
  }
  inv.rowOrder = inv.rows.map((_, i) => i).sort((a, b) => inv.rows[a]!.bestRank - inv.rows[b]!.bestRank);
  for (const r of inv.rowOrder) inv.rows[r]!.group.rows.push(r);
}

function sectionGroup(inv: EventInventory, section: string): SectionRows {
  let group = inv.sectionRows.get(section);
  if (!group) {
    group = { rows: [], available: 0 };
    inv.sectionRows.set(section, group);
  }
  return group;
}

export function takeSeat(inv: EventInventory, idx: number, bookingId: string): void {
  if (inv.holder[idx] !== null) throw new Error(`invariant: seat ${inv.seats[idx]?.id} taken twice`);
  inv.holder[idx] = bookingId;
  const row = inv.rows[inv.seatRow[idx]!]!;
  row.available--;
  row.group.available--;
  inv.available--;
}

export function freeSeat(inv: EventInventory, idx: number): void {
  if (inv.holder[idx] === null) return;
  inv.holder[idx] = null;
  const row = inv.rows[inv.seatRow[idx]!]!;
  row.available++;
  row.group.available++;
  row.maxRun = row.seats.length;
  inv.available++;
}

/** Adds tickets loaded from PostgreSQL to the cache (all tickets of each booking named in `bookingIds`). */
export function cacheTickets(inv: EventInventory, bookingIds: Iterable<string>, tickets: TicketState[]): void {
  for (const id of bookingIds) if (!inv.bookingTickets.has(id)) inv.bookingTickets.set(id, []);
  for (const t of tickets) {
    if (inv.tickets.has(t.id)) continue;
    inv.tickets.set(t.id, t);
    const list = inv.bookingTickets.get(t.bookingId);
    if (list) list.push(t.id);
    else inv.bookingTickets.set(t.bookingId, [t.id]);
  }
}

/** The cached tickets of one booking. */
export function ticketsOf(inv: EventInventory, bookingId: string): TicketState[] {
  return (inv.bookingTickets.get(bookingId) ?? []).map((id) => inv.tickets.get(id)!).filter(Boolean);
}

/** The visible status of a seat: available, held (held or pending payment) or sold. */
export function seatStatus(inv: EventInventory, idx: number): SeatStatus {
  const holder = inv.holder[idx];
  if (holder == null) return 'available';
  return inv.bookings.get(holder)?.status === 'confirmed' ? 'sold' : 'held';
}

/** Records when a hold expires, keeping `expiries` sorted. */
export function scheduleExpiry(inv: EventInventory, id: string, at: number): void {
  const q = inv.expiries;
  // Hold times are per event, so a new expiry is almost always the latest.
  if (q.length === 0 || q[q.length - 1]!.at <= at) {
    q.push({ at, id });
    return;
  }
  let i = q.length;
  while (i > 0 && q[i - 1]!.at > at) i--;
  q.splice(i, 0, { at, id });
}
