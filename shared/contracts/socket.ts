import type { BookingResult, SeatsChanged, EventProgress } from './messages';

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

export type BookingResultPush = Pick<
  BookingResult,
  'booking_id' | 'event_id' | 'status' | 'seats' | 'quantity' | 'amount_cents' | 'hold_expires_at' | 'reason' | 'decided_at'
>;

/**
 * A waitlist offer: a hold made for the user's waitlist entry, pushed to every socket of the user
 * (each socket joins its user's room on connection), whether or not it watches anything. Pay before
 * `hold_expires_at` (WAITLIST_OFFER_SECONDS) or it passes to the next entry.
 */
export type WaitlistOfferPush = Pick<BookingResult, 'booking_id' | 'event_id' | 'seats' | 'quantity' | 'amount_cents' | 'hold_expires_at' | 'decided_at'> & {
  status: 'held';
  source: 'waitlist';
};

export type WatchAck =
  | { ok: true; status?: string; position?: number | null }
  | { ok: false; code: 'validation_failed' | 'booking_not_found' | 'forbidden' | 'event_not_found' | 'internal_error'; message: string };

export interface ServerToClientEvents {
  'booking.position': (payload: BookingPosition) => void;
  'booking.result': (payload: BookingResultPush) => void;
  'waitlist.offer': (payload: WaitlistOfferPush) => void;
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
}
