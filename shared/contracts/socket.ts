import type { Role } from '../auth';
import type { BookingResult, BookingStatus, SeatStatus } from './messages';

/**
 * Socket.IO contracts between the notifier and its clients, typed once for both sides
 * (`new Server<ClientToServerEvents, ServerToClientEvents>()` and `io<ServerToClientEvents, ClientToServerEvents>()`).
 * Clients authenticate with `auth: { token }` (the same bearer JWT as the HTTP API).
 */

/**
 * An event's queue, sent to the sockets waiting on one of its bookings when it changed, at most one
 * per NOTIFIER_COALESCE_MS (the latest state wins), whatever the number of people waiting. (The
 * event's room gets the same state inside {@link EventUpdatePush}.) A waiting client computes its own position from the
 * `seq` its `booking.watch` ack gave it: `position = max(1, seq - watermark)`, and its wait as
 * `ceil(position / rate_per_s)` when `rate_per_s > 0` (see {@link positionOf}).
 */
export interface EventProgressPush {
  event_id: string;
  /** Every request of the event with `seq <= watermark` is decided. */
  watermark: number;
  /** Decisions per second over the last few seconds. */
  rate_per_s: number;
  /** An operator paused the event: nothing is decided until it resumes. */
  paused: boolean;
  /** An operator's rate cap (decisions per second), or null. */
  throttle_per_s: number | null;
}

/**
 * Everything that changed in an event since its room's last update, in **one** message per tick: the
 * event's room (`event.watch`: a seat map open, often thousands of idle sockets) costs one socket write
 * per watcher per tick, so its progress and seat changes travel together. Sent only when something
 * changed, at most once per the room's interval: NOTIFIER_EVENT_ROOM_MS, longer for a big room (room
 * size ÷ NOTIFIER_ROOM_WRITES_PER_S seconds). Watching an event also sends its last known `progress` at once.
 */
export interface EventUpdatePush {
  event_id: string;
  /** The event's queue, when it changed since the room's last update (paused, throttled, its rate). */
  progress?: Omit<EventProgressPush, 'event_id'>;
  /** [seat_id, status] of every seat that changed since the last update, its last status (reserved seating). */
  seats?: Array<[string, SeatStatus]>;
  /** Units left, when a change carried it (general admission). */
  available?: number;
  /** When the newest seat change included was made; present with `seats` or `available`. */
  as_of?: string;
}

/** A waiting request's position (1 means next) and rough wait in seconds (null when nothing moves). */
export function positionOf(
  seq: number,
  progress: Pick<EventProgressPush, 'watermark' | 'rate_per_s'>,
): { position: number; eta_seconds: number | null } {
  const position = Math.max(1, seq - progress.watermark);
  return { position, eta_seconds: progress.rate_per_s > 0 ? Math.ceil(position / progress.rate_per_s) : null };
}

/**
 * A waitlist offer: a hold made for the user's waitlist entry, pushed to every socket of the user
 * (each socket joins its user's room on connection), whether or not it watches anything. Pay before
 * `hold_expires_at` (WAITLIST_OFFER_SECONDS) or it passes to the next entry.
 */
export type WaitlistOfferPush = Pick<
  BookingResult,
  'booking_id' | 'event_id' | 'seats' | 'quantity' | 'amount_cents' | 'hold_expires_at' | 'decided_at'
> & {
  status: 'held';
  source: 'waitlist';
};

/** A status pushed to a socket: every booking status, `failed` included (a command dead-lettered by the pipeline). */
export type PushStatus = BookingStatus;

/**
 * One outcome of a booking. Pushed once per outcome and never older than one already pushed for the
 * same booking (outcomes are ordered by `decided_at`, then by lifecycle step).
 */
export type BookingResultPush = Pick<
  BookingResult,
  | 'booking_id'
  | 'event_id'
  | 'status'
  | 'seats'
  | 'quantity'
  | 'amount_cents'
  | 'hold_expires_at'
  | 'reason'
  | 'decided_at'
> & {
  /**
   * On a `queued` push only: the request's sequence number, drawn at the on-sale time (`queue: 'drawn'`).
   * The client's position is then `positionOf(seq, progress)` from `event.progress`. A `queued` push never
   * follows a decided one (ordering above).
   */
  seq?: number;
  queue?: 'drawn';
};

/**
 * Why a watch was refused. `booking_not_found` covers both an unknown booking and another user's
 * (the answers are the same, so ids cannot be probed); `unauthorized`: the socket's token has expired
 * (reconnect with a fresh one; existing watches go on) or was revoked (the socket is then also
 * disconnected, after `session.revoked`); `too_many_watches` / `rate_limited`: the
 * per-socket caps (NOTIFIER_MAX_*_WATCHES, NOTIFIER_EVENTS_PER_SECOND); `dependency_unavailable`:
 * PostgreSQL or Redis could not answer, retry after `retry_after` seconds (a booking watch whose
 * owner was known is kept, and its outcome is pushed as soon as it is known).
 */
export type WatchErrorCode =
  | 'validation_failed'
  | 'unauthorized'
  | 'booking_not_found'
  | 'event_not_found'
  | 'too_many_watches'
  | 'rate_limited'
  | 'dependency_unavailable'
  | 'internal_error';

/**
 * Answer to a watch. For a waiting booking: `status: 'queued'`, its `event_id`, its `seq` (null while
 * in the waiting room before the draw), its current `position` and, when the notifier has seen the
 * event's queue move, where it stands now (`progress`: paused, throttled, its rate; the same state
 * `event.progress` carries); follow `event.progress` from there.
 */
export type WatchAck =
  | {
      ok: true;
      status?: PushStatus;
      position?: number | null;
      seq?: number | null;
      event_id?: string;
      progress?: Omit<EventProgressPush, 'event_id'>;
    }
  | { ok: false; code: WatchErrorCode; message: string; retry_after?: number };

export interface ServerToClientEvents {
  'booking.result': (payload: BookingResultPush) => void;
  'waitlist.offer': (payload: WaitlistOfferPush) => void;
  /** To a watched event's room (`event.watch`): its progress and seat changes, one message per room tick. */
  'event.update': (payload: EventUpdatePush) => void;
  /** To the sockets waiting on one of the event's bookings (`booking.watch`), on the fast clock. */
  'event.progress': (payload: EventProgressPush) => void;
  /**
   * The socket's token was revoked (logout, password or role change): sent just before the server
   * disconnects it. Sign in again and reconnect with the new token; the old one is refused.
   */
  'session.revoked': (payload: { code: 'token_revoked'; message: string }) => void;
}

export interface ClientToServerEvents {
  'booking.watch': (payload: { booking_id: string }, ack: (res: WatchAck) => void) => void;
  'booking.unwatch': (payload: { booking_id: string }) => void;
  'event.watch': (payload: { event_id: string }, ack: (res: WatchAck) => void) => void;
  'event.unwatch': (payload: { event_id: string }) => void;
}

export interface SocketData {
  user_id: string;
  role: Role;
  /** When the socket's token expires (ms since the epoch); after it the socket may watch nothing new. */
  token_expires_at: number;
  /** The account's token version the token was issued under (absent: 0); a higher current version ends the socket. */
  token_version?: number;
}
