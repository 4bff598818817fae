import type { SeatsChanged, SeatStatus } from '../../shared/contracts/messages';
import type { EventProgressPush, EventUpdatePush } from '../../shared/contracts/socket';

/** Seat changes of one event gathered since its room's last update: the last status of each seat. */
export interface PendingSeats {
  seats: Map<string, SeatStatus>;
  available?: number;
  as_of: string;
}

/** Folds a seat change into what is pending for its event (a later status of a seat replaces the earlier one). */
export function mergeSeats(pending: PendingSeats | undefined, change: SeatsChanged): PendingSeats {
  const into = pending ?? { seats: new Map<string, SeatStatus>(), as_of: change.as_of };
  for (const [seatId, status] of change.seats ?? []) into.seats.set(seatId, status);
  if (change.available !== undefined) into.available = change.available;
  into.as_of = change.as_of;
  return into;
}

/** Where an event's queue stands, without the event id (inside an `event.update` or a watch ack). */
export function queueState(p: EventProgressPush): Omit<EventProgressPush, 'event_id'> {
  return { watermark: p.watermark, rate_per_s: p.rate_per_s, paused: p.paused, throttle_per_s: p.throttle_per_s };
}

/**
 * The one message an event's room gets for a tick: the progress (when it changed) and the seat
 * changes together, or null when there is nothing to tell.
 */
export function eventUpdate(
  eventId: string,
  progress: EventProgressPush | undefined,
  seats: PendingSeats | undefined,
): EventUpdatePush | null {
  const hasSeats = seats !== undefined && (seats.seats.size > 0 || seats.available !== undefined);
  if (!progress && !hasSeats) return null;
  const update: EventUpdatePush = { event_id: eventId };
  if (progress) update.progress = queueState(progress);
  if (hasSeats) {
    if (seats.seats.size) update.seats = [...seats.seats];
    if (seats.available !== undefined) update.available = seats.available;
    update.as_of = seats.as_of;
  }
  return update;
}
