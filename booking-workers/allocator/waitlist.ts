import type { BookCommand, BookingRequest } from '../../shared/contracts/messages';
import { decideBook, type Limits } from './allocate';
import type { BookingState, EventInventory } from './inventory';

/**
 * The waitlist, decided by the single writer (pure). Inventory that came back (an expired or released
 * hold, a declined payment, a cancellation, added seats) is offered in entry order: the first entry
 * whose request the free inventory satisfies gets a hold of its own; an entry it does not satisfy keeps
 * waiting. Offers only take inventory that is free, so nothing is ever offered twice or oversold.
 */

export interface WaitlistEntry {
  id: string;
  userId: string;
  request: BookingRequest;
  status: 'waiting' | 'offered' | 'left';
}

export interface WaitlistOffer {
  entryId: string;
  booking: BookingState;
}

/** Offers free inventory to waiting entries, in order; returns the offers made (holds with `source: "waitlist"`). */
export function offerToWaitlist(
  inv: EventInventory,
  entries: WaitlistEntry[],
  now: number,
  limits: Limits & { holdSeconds: number },
  newId: () => string,
): WaitlistOffer[] {
  const offers: WaitlistOffer[] = [];
  if (!inv.ready || inv.cancelled || now < inv.onSaleAt) return offers;
  const at = new Date(now).toISOString();
  for (const entry of entries) {
    if (inv.available <= 0) break;
    if (entry.status !== 'waiting') continue;
    const cmd: BookCommand = {
      type: 'book',
      event_id: inv.eventId,
      booking_id: newId(),
      user_id: entry.userId,
      seq: 0,
      requested_at: at,
      request: entry.request,
    };
    const b = decideBook(inv, cmd, now, limits);
    if (b.status !== 'held') {
      // Not satisfied now (or the user holds something already): the entry keeps its place.
      inv.bookings.delete(b.id);
      continue;
    }
    b.source = 'waitlist';
    entry.status = 'offered';
    offers.push({ entryId: entry.id, booking: b });
  }
  return offers;
}
