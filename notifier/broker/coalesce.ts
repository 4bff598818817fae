import { LRUCache } from 'lru-cache';
import type { EventProgress, SeatsChanged } from '../../shared/contracts/messages';
import type { EventProgressPush } from '../../shared/contracts/socket';
import { queueRoom, type NotifierContext } from '../context';
import { eventUpdate, mergeSeats, type PendingSeats } from './event-update';
import { roomIntervalMs } from './room-interval';
import { emitToEventRoom, eventRoomSize } from '../rooms';

const sameProgress = (a: EventProgressPush | undefined, b: EventProgressPush): boolean =>
  a !== undefined &&
  a.watermark === b.watermark &&
  a.rate_per_s === b.rate_per_s &&
  a.paused === b.paused &&
  a.throttle_per_s === b.throttle_per_s;

export interface RoomClock {
  /** The shortest interval between two updates of an event's room (NOTIFIER_EVENT_ROOM_MS). */
  minMs: number;
  /** Socket writes per second one event room may cost (NOTIFIER_ROOM_WRITES_PER_S). */
  writesPerS: number;
  /** A room with more local sockets than this is written slice by slice (NOTIFIER_ROOM_SLICE_ABOVE). */
  sliceAbove: number;
}

/** What an event's room has not been told yet, and when it may be told next. */
interface Room {
  progress?: EventProgressPush;
  seats?: PendingSeats;
  timer?: NodeJS.Timeout;
}

/**
 * Gathers progress and seat changes per event and sends them on two clocks, each at most one message
 * per tick with the latest state:
 * - the **queue room** (sockets waiting on one of the event's bookings: their position moves) gets
 *   `event.progress` every NOTIFIER_COALESCE_MS when it changed;
 * - the **event room** (everyone with the event open: the seat map, often thousands of idle sockets)
 *   gets **one** `event.update` carrying both the progress (when it changed) and the seat changes,
 *   only when something changed, at most once per {@link roomIntervalMs} of its local size.
 *
 * Every message is one write per socket (a system call each), so the room's cost is its size times its
 * updates a second: the room's clock slows as it grows, keeping that product within a budget, and a
 * crowd watching no longer makes the notifier's CPU per booking grow with it. A room is sent its first
 * change after a quiet spell at once, then waits out its interval.
 */
export class EventCoalescer {
  private queueProgress = new Map<string, EventProgressPush>();
  private readonly rooms = new Map<string, Room>();
  /** What each room was last sent, so an unchanged state is not sent again. */
  private readonly sentToQueue = new LRUCache<string, EventProgressPush>({ max: 10_000 });
  private readonly sentToRoom = new LRUCache<string, EventProgressPush>({ max: 10_000 });
  /** When each room was last sent an update (`performance.now()`). */
  private readonly roomSentAt = new LRUCache<string, number>({ max: 10_000 });
  private readonly queueTimer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly ctx: NotifierContext,
    queueIntervalMs: number,
    private readonly clock: RoomClock = {
      minMs: queueIntervalMs,
      writesPerS: Number.POSITIVE_INFINITY,
      sliceAbove: Number.POSITIVE_INFINITY,
    },
  ) {
    this.queueTimer = setInterval(() => this.flushQueues(), queueIntervalMs);
    this.queueTimer.unref();
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
    this.ctx.lastProgress.set(p.event_id, push);
    if (sameProgress(this.sentToRoom.get(p.event_id), push)) {
      // Back to what the room was last told: nothing to send for it (seats may still be pending).
      const room = this.rooms.get(p.event_id);
      if (room) delete room.progress;
      return;
    }
    this.room(p.event_id).progress = push;
  }

  addSeats(c: SeatsChanged): void {
    const room = this.room(c.event_id);
    room.seats = mergeSeats(room.seats, c);
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

  /** Sends each event room what is pending for it now, whatever its clock (shutdown, tests). */
  flushRooms(): void {
    for (const eventId of [...this.rooms.keys()]) this.flushRoom(eventId);
  }

  /** Sends what is pending and stops the ticks. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.queueTimer);
    this.flushQueues();
    this.flushRooms();
  }

  /** The event's pending state, its next update scheduled on the room's clock. */
  private room(eventId: string): Room {
    let room = this.rooms.get(eventId);
    if (!room) this.rooms.set(eventId, (room = {}));
    if (!room.timer && !this.stopped) {
      const sentAt = this.roomSentAt.get(eventId);
      const wait = sentAt === undefined ? 0 : sentAt + this.intervalMs(eventId) - performance.now();
      room.timer = setTimeout(() => this.flushRoom(eventId), Math.max(0, wait));
      room.timer.unref();
    }
    return room;
  }

  /** The room's interval, from its size on this instance now. */
  private intervalMs(eventId: string): number {
    return roomIntervalMs(eventRoomSize(this.ctx.io, eventId), this.clock.minMs, this.clock.writesPerS);
  }

  /** One `event.update` to the room's sockets on this instance, when there is something to tell. */
  private flushRoom(eventId: string): void {
    const room = this.rooms.get(eventId);
    if (!room) return;
    clearTimeout(room.timer);
    this.rooms.delete(eventId);
    const update = eventUpdate(eventId, room.progress, room.seats);
    if (!update) return;
    if (room.progress) this.sentToRoom.set(eventId, room.progress);
    this.roomSentAt.set(eventId, performance.now());
    const { io, pushed } = this.ctx;
    emitToEventRoom(io, eventId, update, this.clock.sliceAbove);
    pushed.inc({ event: 'event.update' });
  }
}
