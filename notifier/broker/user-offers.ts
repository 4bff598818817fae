import type { Server, Socket } from 'socket.io';
import type { BookingResult } from '../../shared/contracts/messages';
import type {
  ClientToServerEvents,
  ServerToClientEvents,
  SocketData,
  WaitlistOfferPush,
} from '../../shared/contracts/socket';

type NotifierServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type NotifierSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** The room of one user's sockets: waitlist offers reach a user who watches no booking. */
export const userRoom = (userId: string) => `user:${userId}`;

/** Every authenticated socket joins its user's room on connection. */
export function joinUserRoom(socket: NotifierSocket): void {
  void socket.join(userRoom(socket.data.user_id));
}

/**
 * Pushes a waitlist offer (a `held` result with `source: "waitlist"`) to its user's room on this
 * notifier: every notifier consumes every result, so each pushes to its own sockets only.
 */
export function pushUserOffer(io: NotifierServer, r: BookingResult): boolean {
  if (r.source !== 'waitlist' || r.status !== 'held') return false;
  const push: WaitlistOfferPush = {
    booking_id: r.booking_id,
    event_id: r.event_id,
    status: 'held',
    source: 'waitlist',
    ...(r.seats ? { seats: r.seats } : {}),
    ...(r.quantity !== undefined ? { quantity: r.quantity } : {}),
    ...(r.amount_cents !== undefined ? { amount_cents: r.amount_cents } : {}),
    ...(r.hold_expires_at ? { hold_expires_at: r.hold_expires_at } : {}),
    decided_at: r.decided_at,
  };
  io.local.to(userRoom(r.user_id)).emit('waitlist.offer', push);
  return true;
}
