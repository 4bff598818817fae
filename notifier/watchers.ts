import type { BookingResultPush, PushStatus } from '../shared/contracts/socket';

/** One socket's view of a watched booking. */
interface SocketWatch {
  /** False until ownership is checked: outcomes are collected but not sent before that. */
  confirmed: boolean;
  /** The outcome last sent (`status@decided_at`), so a redelivered or raced result is pushed once. */
  sentKey: string | null;
}

/** One booking watched by sockets of this notifier instance. */
export interface WatchedBooking {
  bookingId: string;
  eventId: string | null;
  /** The newest outcome known; only ever replaced by a newer one (see {@link isNewer}). */
  latest: BookingResultPush | null;
  sockets: Map<string, SocketWatch>;
}

export interface Delivery {
  socketId: string;
  push: BookingResultPush;
}

/**
 * After these nothing more happens to a booking: its watches end once they are told. (`expired` and
 * `cancelled` are not final: a payment that lands after the hold expired still cancels and refunds.)
 */
const FINAL: ReadonlySet<PushStatus> = new Set(['rejected', 'refunded', 'failed']);

/** One socket's watches, in the order they started, and those already decided, in the order they were. */
interface SocketWatches {
  all: Set<string>;
  /** Watches whose latest outcome is not `queued` and was sent to the socket: evictable, oldest first. */
  decided: Set<string>;
}

/**
 * The bookings watched by this instance's sockets, indexed by booking and by socket. Every operation
 * costs O(1) per watch it touches (a socket's own watches are capped): a socket with many watches never
 * makes another socket's watch slower. Positions are not computed here (the event's progress is
 * broadcast and each client computes its own). A booking that reached a final outcome leaves the
 * index as soon as its sockets are told; one that was decided but may still change (held, confirmed,
 * expired, cancelled) stays watched until the socket needs its place under the cap ({@link makeRoom}),
 * so memory follows what is still pending plus at most the cap of decided watches per socket.
 */
export class Watchers {
  private readonly byBooking = new Map<string, WatchedBooking>();
  private readonly bySocket = new Map<string, SocketWatches>();

  get size(): number {
    return this.byBooking.size;
  }

  /** Starts watching for a socket, unconfirmed: outcomes arriving from now on are kept, not sent. */
  add(socketId: string, bookingId: string): WatchedBooking {
    let w = this.byBooking.get(bookingId);
    if (!w) this.byBooking.set(bookingId, (w = { bookingId, eventId: null, latest: null, sockets: new Map() }));
    if (!w.sockets.has(socketId)) w.sockets.set(socketId, { confirmed: false, sentKey: null });
    let mine = this.bySocket.get(socketId);
    if (!mine) this.bySocket.set(socketId, (mine = { all: new Set(), decided: new Set() }));
    mine.all.add(bookingId);
    return w;
  }

  /** The socket may see this booking: from now on its outcomes are sent to it. */
  confirm(socketId: string, bookingId: string, eventId: string): void {
    const w = this.byBooking.get(bookingId);
    const s = w?.sockets.get(socketId);
    if (!w || !s) return;
    s.confirmed = true;
    w.eventId ??= eventId;
  }

  remove(socketId: string, bookingId: string): void {
    const mine = this.bySocket.get(socketId);
    mine?.all.delete(bookingId);
    mine?.decided.delete(bookingId);
    if (mine?.all.size === 0) this.bySocket.delete(socketId);
    const w = this.byBooking.get(bookingId);
    if (!w) return;
    w.sockets.delete(socketId);
    if (w.sockets.size === 0) this.byBooking.delete(bookingId);
  }

  dropSocket(socketId: string): void {
    for (const bookingId of [...(this.bySocket.get(socketId)?.all ?? [])]) this.remove(socketId, bookingId);
  }

  get(bookingId: string): WatchedBooking | undefined {
    return this.byBooking.get(bookingId);
  }

  watching(socketId: string, bookingId: string): boolean {
    return this.bySocket.get(socketId)?.all.has(bookingId) ?? false;
  }

  /** Bookings this socket watches (decided ones included). */
  countOf(socketId: string): number {
    return this.bySocket.get(socketId)?.all.size ?? 0;
  }

  /** Watches of this socket still waiting for an outcome (or for one to be sent): what the cap limits. */
  pendingOf(socketId: string): number {
    const mine = this.bySocket.get(socketId);
    return mine ? mine.all.size - mine.decided.size : 0;
  }

  /**
   * Makes room for one more watch under `max`: while the socket is at the cap, its oldest decided
   * watch ends (O(1) each; the socket was told that outcome, and may watch the booking again for later
   * ones). False when every watch is still pending: the new watch must be refused.
   */
  makeRoom(socketId: string, max: number): boolean {
    const mine = this.bySocket.get(socketId);
    while (mine && mine.all.size >= max) {
      const oldest = mine.decided.values().next();
      if (oldest.done) return false;
      this.remove(socketId, oldest.value);
    }
    return true;
  }

  /** Whether the socket still waits for the outcome of a booking of this event (O(its watches)). */
  waitsOn(socketId: string, eventId: string): boolean {
    for (const bookingId of this.bySocket.get(socketId)?.all ?? []) {
      const w = this.byBooking.get(bookingId);
      if (w?.eventId === eventId && (w.latest === null || w.latest.status === 'queued')) return true;
    }
    return false;
  }

  /**
   * An outcome from the message stream or from PostgreSQL. Kept if it is newer than what is known
   * (older ones are dropped: pushes never go back in a booking's history); returns what to send.
   */
  offer(push: BookingResultPush): Delivery[] {
    const w = this.byBooking.get(push.booking_id);
    if (!w || !isNewer(push, w.latest)) return [];
    w.latest = push;
    const out: Delivery[] = [];
    for (const socketId of [...w.sockets.keys()]) {
      const d = this.latestFor(socketId, w);
      if (d) out.push(d);
    }
    return out;
  }

  /**
   * The newest outcome for one socket, unless it was already sent or the socket is not confirmed.
   * A final outcome ends the socket's watch once handed out; any other non-queued one makes it decided
   * (evictable under the cap).
   */
  latestFor(socketId: string, w: WatchedBooking): Delivery | null {
    const s = w.sockets.get(socketId);
    if (!s?.confirmed || !w.latest) return null;
    const key = outcomeKey(w.latest);
    if (s.sentKey === key) return null;
    s.sentKey = key;
    if (FINAL.has(w.latest.status)) this.remove(socketId, w.bookingId);
    else if (w.latest.status !== 'queued') this.bySocket.get(socketId)?.decided.add(w.bookingId);
    return { socketId, push: w.latest };
  }
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
  return STEP[a.status] > STEP[b.status];
}
