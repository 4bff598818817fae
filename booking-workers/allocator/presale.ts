import type { BookCommand } from '../../shared/contracts/messages';
import type { RejectionReason } from '../../shared/errors';
import { bookingFromCommand, decideBook, type Limits } from './allocate';
import type { BookingState, EventInventory } from './inventory';

/**
 * Presales, decided by the single writer (pure; the runner loads what a batch needs first). A code's
 * uses and an account's presale bookings are counted here, serially, so 1,000 concurrent uses of a
 * 100-use code give exactly 100 holds.
 */

export interface PresaleInfo {
  id: string;
  startsAt: number;
  endsAt: number;
  /** Presale bookings (holds granted) per account; null: only the event's limits. */
  maxPerUser: number | null;
}

export interface PresaleCode {
  presale: PresaleInfo;
  usesPerCode: number;
  /** Holds granted with the code so far. */
  uses: number;
}

/** What the single writer knows of one event's presales: loaded on demand, then kept up to date here. */
export interface PresaleState {
  /** Code hash → code, or null when no such code exists for the event. */
  codes: Map<string, PresaleCode | null>;
  /** Presale id → presale (for invited accounts), or null when the event has no such presale. */
  presales: Map<string, PresaleInfo | null>;
  /** `<presale id>\u0000<user id>` → holds granted to the account in the presale. */
  userUses: Map<string, number>;
}

export function emptyPresaleState(): PresaleState {
  return { codes: new Map(), presales: new Map(), userUses: new Map() };
}

export const userKey = (presaleId: string, userId: string) => `${presaleId}\u0000${userId}`;

/** A presale booking's use, recorded on the booking row when it got a hold. */
export interface PresaleUse {
  bookingId: string;
  presaleId: string;
  codeHash: string | null;
}

/**
 * Decides a presale booking now, before the general on-sale: a wrong code, a closed window, a used-up
 * code or an account over the presale's limit is a terminal rejection with its reason; otherwise the
 * allocator decides it as it would at the on-sale, and a hold uses the code once.
 */
export function decidePresale(
  inv: EventInventory,
  state: PresaleState,
  cmd: BookCommand,
  now: number,
  limits: Limits,
): { booking: BookingState; use: PresaleUse | null } {
  const reject = (reason: RejectionReason) => {
    const b = bookingFromCommand(cmd, 'rejected', new Date(now).toISOString(), reason);
    inv.bookings.set(b.id, b);
    return { booking: b, use: null };
  };
  const p = cmd.presale!;
  const code = 'code_hash' in p ? (state.codes.get(p.code_hash) ?? null) : null;
  const presale = 'code_hash' in p ? (code?.presale ?? null) : (state.presales.get(p.presale_id) ?? null);
  if (!presale) return reject('presale_code_invalid');
  if (now < presale.startsAt || now >= presale.endsAt) return reject('presale_not_open');
  if (code && code.uses >= code.usesPerCode) return reject('presale_code_used_up');
  const key = userKey(presale.id, cmd.user_id);
  if (presale.maxPerUser !== null && (state.userUses.get(key) ?? 0) >= presale.maxPerUser)
    return reject('presale_limit_exceeded');
  const booking = decideBook(inv, cmd, now, { ...limits, presale: true });
  if (booking.status !== 'held') return { booking, use: null };
  if (code) code.uses++;
  state.userUses.set(key, (state.userUses.get(key) ?? 0) + 1);
  return {
    booking,
    use: { bookingId: booking.id, presaleId: presale.id, codeHash: 'code_hash' in p ? p.code_hash : null },
  };
}
