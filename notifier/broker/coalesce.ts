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

/**
 * Gathers progress and seat changes per event and sends each event's room at most one of each per
 * tick (NOTIFIER_COALESCE_MS): the latest progress, and the last status of every seat that changed.
 * The notifier's work per tick is one serialisation per event and kind, whatever the number of
 * bookings decided or of people watching.
 */
export class EventCoalescer {
  private progress = new Map<string, EventProgressPush>();
  private seats = new Map<string, PendingSeats>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly ctx: NotifierContext,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  addProgress(p: EventProgress): void {
    const push: EventProgressPush = {
      event_id: p.event_id,
      watermark: p.watermark,
      rate_per_s: p.rate_per_s,
      paused: p.paused,
      throttle_per_s: p.throttle_per_s,
    };
    this.progress.set(p.event_id, push);
    this.ctx.lastProgress.set(p.event_id, push);
  }

  addSeats(c: SeatsChanged): void {
    let pending = this.seats.get(c.event_id);
    if (!pending) this.seats.set(c.event_id, (pending = { seats: new Map(), as_of: c.as_of }));
    for (const [seatId, status] of c.seats ?? []) pending.seats.set(seatId, status);
    if (c.available !== undefined) pending.available = c.available;
    pending.as_of = c.as_of;
  }

  flush(): void {
    const { io, pushed } = this.ctx;
    const progress = this.progress;
    const seats = this.seats;
    this.progress = new Map();
    this.seats = new Map();
    // Progress arrives on every instance's own queue: each tells its own sockets.
    for (const [eventId, p] of progress) {
      io.local.to([eventRoom(eventId), queueRoom(eventId)]).emit('event.progress', p);
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
    clearInterval(this.timer);
    this.flush();
  }
}
