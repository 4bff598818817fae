import type { BookingResultPush, PushStatus } from '../shared/contracts/socket';

/** One socket's view of a watched booking. */
interface SocketWatch {
  /** False until ownership is checked: outcomes are collected but not sent before that. */
  confirmed: boolean;
  /** Last position sent (Infinity before the first). */
  position: number;
  /** The outcome last sent (`status@decided_at`), so a redelivered or raced result is pushed once. */
  sentKey: string | null;
}

/** One booking watched by sockets of this notifier instance. */
export interface WatchedBooking {
  bookingId: string;
  eventId: string | null;
  seq: number | null;
  /** The newest outcome known; only ever replaced by a newer one (see {@link isNewer}). */
  latest: BookingResultPush | null;
  sockets: Map<string, SocketWatch>;
  /** When a position was last pushed for this booking (ms; 0 before the first). */
  lastPositionAt: number;
}

export interface Delivery {
  socketId: string;
  push: BookingResultPush;
}

/**
 * The bookings watched by this instance's sockets, indexed by booking, by socket and (while still
 * queued) by event. Every operation costs O(1) per watch it touches: a socket with many watches
 * never makes another socket's watch slower, and a decided booking leaves its event's index at once.
 */
export class Watchers {
  private readonly byBooking = new Map<string, WatchedBooking>();
  /** event id → its watched bookings still waiting (the only ones positions are computed for). */
  private readonly queuedByEvent = new Map<string, Set<WatchedBooking>>();
  private readonly bySocket = new Map<string, Set<string>>();

  /** Starts watching for a socket, unconfirmed: outcomes arriving from now on are kept, not sent. */
  add(socketId: string, bookingId: string): WatchedBooking {
    let w = this.byBooking.get(bookingId);
    if (!w) this.byBooking.set(bookingId, (w = { bookingId, eventId: null, seq: null, latest: null, sockets: new Map(), lastPositionAt: 0 }));
    if (!w.sockets.has(socketId)) w.sockets.set(socketId, { confirmed: false, position: Infinity, sentKey: null });
    let mine = this.bySocket.get(socketId);
    if (!mine) this.bySocket.set(socketId, (mine = new Set()));
    mine.add(bookingId);
    return w;
  }

  /** The socket may see this booking: from now on its outcomes and positions are sent to it. */
  confirm(socketId: string, bookingId: string, eventId: string, seq: number | null): WatchedBooking | undefined {
    const w = this.byBooking.get(bookingId);
    const s = w?.sockets.get(socketId);
    if (!w || !s) return undefined;
    s.confirmed = true;
    if (w.eventId === null) {
      w.eventId = eventId;
      w.seq = seq;
      if (isQueued(w)) this.index(w);
    }
    return w;
  }

  remove(socketId: string, bookingId: string): void {
    this.bySocket.get(socketId)?.delete(bookingId);
    const w = this.byBooking.get(bookingId);
    if (!w) return;
    w.sockets.delete(socketId);
    if (w.sockets.size === 0) {
      this.byBooking.delete(bookingId);
      this.unindex(w);
    }
  }

  dropSocket(socketId: string): void {
    for (const bookingId of this.bySocket.get(socketId) ?? []) {
      const w = this.byBooking.get(bookingId);
      if (!w) continue;
      w.sockets.delete(socketId);
      if (w.sockets.size === 0) {
        this.byBooking.delete(bookingId);
        this.unindex(w);
      }
    }
    this.bySocket.delete(socketId);
  }

  get(bookingId: string): WatchedBooking | undefined {
    return this.byBooking.get(bookingId);
  }

  watching(socketId: string, bookingId: string): boolean {
    return this.bySocket.get(socketId)?.has(bookingId) ?? false;
  }

  /** Bookings this socket watches. */
  countOf(socketId: string): number {
    return this.bySocket.get(socketId)?.size ?? 0;
  }

  /** Watched bookings of an event that are still waiting for their outcome. */
  queuedOf(eventId: string): Iterable<WatchedBooking> {
    return this.queuedByEvent.get(eventId) ?? [];
  }

  /**
   * An outcome from the message stream or from PostgreSQL. Kept if it is newer than what is known
   * (older ones are dropped: pushes never go back in a booking's history); returns what to send.
   */
  offer(push: BookingResultPush): Delivery[] {
    const w = this.byBooking.get(push.booking_id);
    if (!w || !isNewer(push, w.latest)) return [];
    w.latest = push;
    if (!isQueued(w)) this.unindex(w);
    const out: Delivery[] = [];
    for (const socketId of w.sockets.keys()) {
      const d = this.latestFor(socketId, w);
      if (d) out.push(d);
    }
    return out;
  }

  /** The newest outcome for one socket, unless it was already sent or the socket is not confirmed. */
  latestFor(socketId: string, w: WatchedBooking): Delivery | null {
    const s = w.sockets.get(socketId);
    if (!s?.confirmed || !w.latest) return null;
    const key = outcomeKey(w.latest);
    if (s.sentKey === key) return null;
    s.sentKey = key;
    return { socketId, push: w.latest };
  }

  /** Records a position for a socket if it moves the socket forward; false if it is not news. */
  advance(socketId: string, w: WatchedBooking, position: number): boolean {
    const s = w.sockets.get(socketId);
    if (!s?.confirmed || position >= s.position || !isQueued(w)) return false;
    s.position = position;
    return true;
  }

  /** Confirmed sockets watching a booking. */
  *socketsOf(w: WatchedBooking): Iterable<string> {
    for (const [socketId, s] of w.sockets) if (s.confirmed) yield socketId;
  }

  get size(): number {
    return this.byBooking.size;
  }

  private index(w: WatchedBooking): void {
    if (w.eventId === null) return;
    let set = this.queuedByEvent.get(w.eventId);
    if (!set) this.queuedByEvent.set(w.eventId, (set = new Set()));
    set.add(w);
  }

  private unindex(w: WatchedBooking): void {
    if (w.eventId === null) return;
    const set = this.queuedByEvent.get(w.eventId);
    if (!set?.delete(w)) return;
    if (set.size === 0) this.queuedByEvent.delete(w.eventId);
  }
}

function isQueued(w: WatchedBooking): boolean {
  return w.latest === null || w.latest.status === 'queued';
}

/**
 * Order of statuses reached at one decision time (one batch of the single writer decides with one
 * `now`): a later step of the lifecycle wins the tie.
 */
const STEP: Record<PushStatus, number> = {
  queued: 0,
  held: 1,
  payment_pending: 2,
  confirmed: 3,
  rejected: 4,
  expired: 4,
  cancelled: 4,
  failed: 4,
  refunded: 5,
};

function outcomeKey(p: BookingResultPush): string {
  return `${p.status}@${p.decided_at}`;
}

/**
 * Whether `a` comes after `b` in a booking's history. Every transition is stamped by the booking's
 * single writer with its decision time (`decided_at`), so a later time means a later step; within one
 * batch (the same time) the lifecycle order decides. A redelivered result carries its stored time and
 * is not newer than itself.
 */
export function isNewer(a: BookingResultPush, b: BookingResultPush | null): boolean {
  if (!b) return true;
  const ta = Date.parse(a.decided_at) || 0;
  const tb = Date.parse(b.decided_at) || 0;
  if (ta !== tb) return ta > tb;
  return (STEP[a.status] ?? 4) > (STEP[b.status] ?? 4);
}

/** Position of a queued request given the event's watermark; never below 1. */
export function positionFor(seq: number, watermark: number): number {
  return Math.max(1, seq - watermark);
}

/** Rough seconds to wait at the event's recent decision rate, or null when nothing is moving. */
export function etaFor(position: number, ratePerS: number): number | null {
  return ratePerS > 0 ? Math.ceil(position / ratePerS) : null;
}
