import type { EventInventory, TicketState } from './inventory';
import type { Effects } from './effects';
import { iso } from './transition-steps';

/**
 * Hands a valid ticket of a confirmed booking to another account: the version goes up (the old
 * barcode no longer verifies) and the new owner is e-mailed. A repeated transfer finds the ticket
 * already moved and changes nothing.
 */
export function transferTicket(
  inv: EventInventory,
  cmd: { ticketId: string; fromUserId: string; toUserId: string },
  now: number,
  fx: Effects,
): TicketState | null {
  const t = inv.tickets.get(cmd.ticketId);
  const b = t ? inv.bookings.get(t.bookingId) : undefined;
  const why = !t
    ? 'unknown ticket'
    : t.status !== 'valid' || b?.status !== 'confirmed'
      ? 'ticket is void'
      : t.ownerUserId !== cmd.fromUserId
        ? 'not the owner'
        : cmd.toUserId === cmd.fromUserId
          ? 'same owner'
          : null;
  if (why || !t) {
    fx.refused.push({ id: cmd.ticketId, why: why ?? 'unknown ticket' });
    return null;
  }
  const next: TicketState = { ...t, ownerUserId: cmd.toUserId, version: t.version + 1, ownedSince: iso(now) };
  inv.tickets.set(t.id, next);
  fx.tickets.push(next);
  fx.transfers.push({ ticketId: t.id, version: next.version, fromUserId: cmd.fromUserId, toUserId: cmd.toUserId });
  fx.emails.push({
    dedupeKey: `ticket_received:${t.id}:${next.version}`,
    userId: cmd.toUserId,
    template: 'ticket_received',
    payload: { ticket_id: t.id, event_id: inv.eventId, from_user_id: cmd.fromUserId, seat_id: t.seatId, unit: t.unit },
  });
  return next;
}
