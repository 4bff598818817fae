import type { WaitlistOfferPush } from '../../shared/contracts/socket';
import type { NotifierServer, NotifierSocket } from '../context';
import type { BookingResult } from '../../shared/contracts/messages';

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
