import { LRUCache } from 'lru-cache';
import type { EventProgress, SeatsChanged, SeatStatus } from '../../shared/contracts/messages';
import type { EventProgressPush } from '../../shared/contracts/socket';
import { queueRoom, type NotifierContext } from '../context';

interface PendingSeats {
  seats: Map<string, SeatStatus>;
  available?: number;
  as_of: string;
}

/** The room of an event's watchers (seat map and progress). */
export const eventRoom = (eventId: string) => `event:${eventId}`;

const sameProgress = (a: EventProgressPush | undefined, b: EventProgressPush): boolean =>
  a !== undefined &&
  a.watermark === b.watermark &&
  a.rate_per_s === b.rate_per_s &&
  a.paused === b.paused &&
  a.throttle_per_s === b.throttle_per_s;

/**
 * Gathers progress and seat changes per event and broadcasts each at most once per tick, the latest
 * progress and the last status of every seat that changed, on two clocks:
 * - the **queue room** (sockets waiting on one of the event's bookings: their position moves) gets
 *   progress every NOTIFIER_COALESCE_MS;
 * - the **event room** (everyone with the event open: the seat map, often thousands of idle sockets)
 *   gets progress and seat changes every NOTIFIER_EVENT_ROOM_MS, and progress only when it changed.
 *
 * Every message is one write per socket (a system call each), so the cost of a tick grows with the
 * room: the slower clock of the big room is what keeps the notifier's CPU per booking from growing
 * with the people watching. A socket in both rooms gets progress on the queue room's clock only.
 */
export class EventCoalescer {
  private queueProgress = new Map<string, EventProgressPush>();
  private roomProgress = new Map<string, EventProgressPush>();
  private seats = new Map<string, PendingSeats>();
  /** What each room was last sent, so an unchanged state is not sent again. */
  private readonly sentToQueue = new LRUCache<string, EventProgressPush>({ max: 10_000 });
  private readonly sentToRoom = new LRUCache<string, EventProgressPush>({ max: 10_000 });
  private readonly timers: NodeJS.Timeout[];

  constructor(
    private readonly ctx: NotifierContext,
    queueIntervalMs: number,
    roomIntervalMs: number = queueIntervalMs,
  ) {
    this.timers = [
      setInterval(() => this.flushQueues(), queueIntervalMs),
      setInterval(() => this.flushRooms(), roomIntervalMs),
    ];
    for (const t of this.timers) t.unref();
  }

  addProgress(p: EventProgress): void {
    const push: EventProgressPush = {
      event_id: p.event_id,
      watermark: p.watermark,
      rate_per_s: p.rate_per_s,
      paused: p.paused,
      throttle_per_s: p.throttle_per_s,
    };
    this.queueProgress.set(p.event_id, push);
    this.roomProgress.set(p.event_id, push);
    this.ctx.lastProgress.set(p.event_id, push);
  }

  addSeats(c: SeatsChanged): void {
    let pending = this.seats.get(c.event_id);
    if (!pending) this.seats.set(c.event_id, (pending = { seats: new Map(), as_of: c.as_of }));
    for (const [seatId, status] of c.seats ?? []) pending.seats.set(seatId, status);
    if (c.available !== undefined) pending.available = c.available;
    pending.as_of = c.as_of;
  }

  /** Progress to the sockets waiting on a booking of each event (this instance's own). */
  flushQueues(): void {
    const { io, pushed } = this.ctx;
    const progress = this.queueProgress;
    this.queueProgress = new Map();
    for (const [eventId, p] of progress) {
      if (sameProgress(this.sentToQueue.get(eventId), p)) continue;
      this.sentToQueue.set(eventId, p);
      io.local.to(queueRoom(eventId)).emit('event.progress', p);
      pushed.inc({ event: 'event.progress' });
    }
  }

  /** Progress (when it changed) and seat changes to each event's room. */
  flushRooms(): void {
    const { io, pushed } = this.ctx;
    const progress = this.roomProgress;
    const seats = this.seats;
    this.roomProgress = new Map();
    this.seats = new Map();
    // Progress arrives on every instance's own queue: each tells its own sockets.
    for (const [eventId, p] of progress) {
      if (sameProgress(this.sentToRoom.get(eventId), p)) continue;
      this.sentToRoom.set(eventId, p);
      io.local.to(eventRoom(eventId)).except(queueRoom(eventId)).emit('event.progress', p);
      pushed.inc({ event: 'event.progress' });
    }
    // A seat change is consumed by one instance: it broadcasts through the adapter to all of them.
    for (const [eventId, s] of seats) {
      io.to(eventRoom(eventId)).emit('seats.changed', {
        event_id: eventId,
        ...(s.seats.size ? { seats: [...s.seats] } : {}),
        ...(s.available !== undefined ? { available: s.available } : {}),
        as_of: s.as_of,
      });
      pushed.inc({ event: 'seats.changed' });
    }
  }

  /** Sends what is pending and stops the ticks. */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.flushQueues();
    this.flushRooms();
  }
}
