import type { BookingStatus } from '../shared/contracts/messages';

/** One booking watched by sockets of this notifier instance. */
export interface WatchedBooking {
  bookingId: string;
  eventId: string;
  seq: number | null;
  status: BookingStatus;
  /** socket id → last position sent (Infinity before the first). */
  sockets: Map<string, number>;
  /** When a position was last pushed for this booking (ms; 0 before the first). */
  lastPositionAt: number;
}

/**
 * The bookings watched by this instance's sockets, indexed by booking and by event, plus which
 * (booking, status) pairs each socket has been sent, so a redelivered or raced result is pushed once.
 */
export class Watchers {
  private readonly byBooking = new Map<string, WatchedBooking>();
  private readonly byEvent = new Map<string, Set<string>>();
  private readonly sent = new Map<string, Set<string>>();
  /** socket id → the bookings it watches (so a disconnect costs what the socket watched, not everything). */
  private readonly bySocket = new Map<string, Set<string>>();

  watch(socketId: string, bookingId: string, eventId: string, seq: number | null, status: BookingStatus): WatchedBooking {
    let w = this.byBooking.get(bookingId);
    if (!w) {
      w = { bookingId, eventId, seq, status, sockets: new Map(), lastPositionAt: 0 };
      this.byBooking.set(bookingId, w);
      let set = this.byEvent.get(eventId);
      if (!set) this.byEvent.set(eventId, (set = new Set()));
      set.add(bookingId);
    }
    if (!w.sockets.has(socketId)) w.sockets.set(socketId, Infinity);
    let mine = this.bySocket.get(socketId);
    if (!mine) this.bySocket.set(socketId, (mine = new Set()));
    mine.add(bookingId);
    return w;
  }

  unwatch(socketId: string, bookingId: string): void {
    this.bySocket.get(socketId)?.delete(bookingId);
    const w = this.byBooking.get(bookingId);
    if (!w) return;
    w.sockets.delete(socketId);
    if (w.sockets.size === 0) {
      this.byBooking.delete(bookingId);
      const set = this.byEvent.get(w.eventId);
      set?.delete(bookingId);
      if (set?.size === 0) this.byEvent.delete(w.eventId);
    }
  }

  dropSocket(socketId: string): void {
    for (const bookingId of [...(this.bySocket.get(socketId) ?? [])]) this.unwatch(socketId, bookingId);
    this.bySocket.delete(socketId);
    this.sent.delete(socketId);
  }

  get(bookingId: string): WatchedBooking | undefined {
    return this.byBooking.get(bookingId);
  }

  ofEvent(eventId: string): WatchedBooking[] {
    return [...(this.byEvent.get(eventId) ?? [])].map((id) => this.byBooking.get(id)!).filter(Boolean);
  }

  /** True the first time a socket is told of this outcome (a status at a decision time) of a booking. */
  firstTime(socketId: string, bookingId: string, outcome: string): boolean {
    let s = this.sent.get(socketId);
    if (!s) this.sent.set(socketId, (s = new Set()));
    const key = `${bookingId}:${outcome}`;
    if (s.has(key)) return false;
    s.add(key);
    return true;
  }

  get size(): number {
    return this.byBooking.size;
  }
}

/** Position of a queued request given the event's watermark; never below 1. */
export function positionFor(seq: number, watermark: number): number {
  return Math.max(1, seq - watermark);
}

/** Rough seconds to wait at the event's recent decision rate, or null when nothing is moving. */
export function etaFor(position: number, ratePerS: number): number | null {
  return ratePerS > 0 ? Math.ceil(position / ratePerS) : null;
}
