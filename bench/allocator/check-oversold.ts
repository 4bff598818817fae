import type { BookingState, EventInventory } from '../../booking-workers/allocator/inventory';

export interface AllocationTotals {
  decisions: number;
  held: number;
  rejected: number;
  /** Units (GA) or seats (reserved) in held bookings. */
  unitsHeld: number;
  /** Units or seats sold beyond the inventory or twice; must be 0. */
  oversold: number;
}

/**
 * The benchmark's oversold check (bench/report/pipeline-oversold.ts) on the in-memory result instead
 * of PostgreSQL, plus "totals add up": every command got exactly one decision, held + rejected =
 * decisions, and the inventory's counters agree with the bookings.
 * - GA: units in held bookings ≤ capacity, and `available` = capacity − those units.
 * - Reserved: no seat in two held bookings; every seat of a held booking is marked by it in `holder`;
 *   no seat marked without a held booking holding it; `available` = seats − seats held.
 */
export function checkAllocation(
  inv: EventInventory,
  decisions: readonly BookingState[],
  commands: number,
): AllocationTotals {
  let held = 0;
  let rejected = 0;
  let unitsHeld = 0;
  let oversold = 0;
  const owner = new Map<number, string>();
  const ids = new Set<string>();
  for (const b of decisions) {
    ids.add(b.id);
    if (b.status === 'rejected') {
      rejected++;
      if (b.quantity !== 0 || b.seatIdx.length) oversold++;
      continue;
    }
    if (b.status !== 'held') throw new Error(`booking ${b.id}: unexpected status ${b.status}`);
    held++;
    unitsHeld += b.quantity;
    if (inv.kind === 'reserved') {
      if (b.seatIdx.length !== b.quantity) oversold++;
      for (const idx of b.seatIdx) {
        if (owner.has(idx)) oversold++;
        else owner.set(idx, b.id);
        if (inv.holder[idx] !== b.id) oversold++;
      }
    }
  }
  if (inv.kind === 'general_admission') {
    oversold += Math.max(0, unitsHeld - inv.capacity) + Math.abs(inv.capacity - unitsHeld - inv.available);
  } else {
    inv.holder.forEach((h, idx) => {
      if (h !== null && owner.get(idx) !== h) oversold++;
    });
    oversold += Math.abs(inv.seats.length - owner.size - inv.available);
  }
  if (decisions.length !== commands || ids.size !== commands || held + rejected !== commands) {
    throw new Error(
      `totals do not add up: ${commands} commands, ${decisions.length} decisions (${ids.size} distinct), ${held} held + ${rejected} rejected`,
    );
  }
  return { decisions: decisions.length, held, rejected, unitsHeld, oversold };
}
