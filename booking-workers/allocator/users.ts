import type { EventInventory } from './inventory';

/**
 * What one user has in an event (see {@link EventInventory.users}), kept by the single writer: units
 * held, pending payment or confirmed (the per-user limit) and the one booking held or pending payment
 * (one active request per user).
 */
export interface UserState {
  qty: number;
  /** The booking held or pending payment, or null. */
  active: string | null;
}

export function addUserQty(inv: EventInventory, userId: string, delta: number): void {
  const u = inv.users.get(userId);
  if (!u) {
    if (delta > 0) inv.users.set(userId, { qty: delta, active: null });
    return;
  }
  u.qty += delta;
  if (u.qty <= 0 && u.active === null) inv.users.delete(userId);
}

export function setActive(inv: EventInventory, userId: string, bookingId: string): void {
  const u = inv.users.get(userId);
  if (u) u.active = bookingId;
  else inv.users.set(userId, { qty: 0, active: bookingId });
}

/** Ends the user's active booking if it is this one. */
export function clearActive(inv: EventInventory, userId: string, bookingId: string): void {
  const u = inv.users.get(userId);
  if (u?.active !== bookingId) return;
  u.active = null;
  if (u.qty <= 0) inv.users.delete(userId);
}
