import type { BookingResult, BookingStatus, SeatsChanged, EventProgress } from './messages';

/**
 * Socket.IO contracts between the notifier and its clients, typed once for both sides
 * (`new Server<ClientToServerEvents, ServerToClientEvents>()` and `io<ServerToClientEvents, ClientToServerEvents>()`).
 * Clients authenticate with `auth: { token }` (the same bearer JWT as the HTTP API).
 */

/**
 * Pushed as the queue moves: at most once per NOTIFIER_POSITION_INTERVAL_MS per booking, except for
 * the last five positions, which are pushed at every step.
 */
export interface BookingPosition {
  booking_id: string;
  /** 1 means "next". Never goes up for one booking. */
  position: number;
  /** Rough wait, from the event's recent decision rate; null when nothing has been decided yet. */
  eta_seconds: number | null;
}

/** A status pushed to a socket: every booking status, and `failed` (a command dead-lettered by the pipeline). */
export type PushStatus = BookingStatus | 'failed';

/**
 * One outcome of a booking. Pushed once per outcome and never older than one already pushed for the
 * same booking (outcomes are ordered by `decided_at`, then by lifecycle step).
 */
export type BookingResultPush = Pick<BookingResult, 'booking_id' | 'event_id' | 'seats' | 'quantity' | 'amount_cents' | 'hold_expires_at' | 'reason' | 'decided_at'> & {
  status: PushStatus;
};

/**
 * Why a watch was refused. `booking_not_found` covers both an unknown booking and another user's
 * (the answers are the same, so ids cannot be probed); `unauthorized`: the socket's token has expired
 * (reconnect with a fresh one; existing watches go on); `too_many_watches` / `rate_limited`: the
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

export type WatchAck =
  | { ok: true; status?: PushStatus; position?: number | null }
  | { ok: false; code: WatchErrorCode; message: string; retry_after?: number };

export interface ServerToClientEvents {
  'booking.position': (payload: BookingPosition) => void;
  'booking.result': (payload: BookingResultPush) => void;
  'seats.changed': (payload: SeatsChanged) => void;
  'event.progress': (payload: Pick<EventProgress, 'event_id' | 'watermark' | 'rate_per_s' | 'paused'>) => void;
}

export interface ClientToServerEvents {
  'booking.watch': (payload: { booking_id: string }, ack: (res: WatchAck) => void) => void;
  'booking.unwatch': (payload: { booking_id: string }) => void;
  'event.watch': (payload: { event_id: string }, ack: (res: WatchAck) => void) => void;
  'event.unwatch': (payload: { event_id: string }) => void;
}

export interface SocketData {
  user_id: string;
  role: string;
  /** When the socket's token expires (ms since the epoch); after it the socket may watch nothing new. */
  token_expires_at: number;
}
