import type { Redis } from 'ioredis';
import type { RedisKeys } from '../shared/redis/keys';
import type { SeatStatus } from '../shared/contracts/messages';
import { seatStatus, type EventInventory } from './allocator/inventory';

/**
 * The read side's seat map, kept in Redis by the single writer after each commit: a static layout
 * (JSON, written once) and one status character per seat in rank order, patched with SETRANGE.
 */
export const STATUS_CHAR: Record<SeatStatus, string> = { available: 'a', held: 'h', sold: 's' };
export const CHAR_STATUS: Record<string, SeatStatus> = { a: 'available', h: 'held', s: 'sold' };

/** Layout rows: [id, section, row, seat number, price_cents, price_tier], in rank order. */
export type LayoutRow = [string, string, number, number, number, string];

export function layoutOf(inv: EventInventory): LayoutRow[] {
  return inv.seats.map((s) => [s.id, s.section, s.row, s.number, s.priceCents, s.tier]);
}

/** Writes the whole snapshot of an event (after it is loaded or created). */
export function writeFullSnapshot(
  pipe: ReturnType<Redis['pipeline']>,
  keys: RedisKeys,
  inv: EventInventory,
  asOf: string,
): void {
  if (inv.kind === 'general_admission') {
    pipe.set(keys.gaAvailable(inv.eventId), String(inv.available));
  } else {
    pipe.set(keys.seatLayout(inv.eventId), JSON.stringify(layoutOf(inv)));
    pipe.set(keys.seatLayoutVersion(inv.eventId), asOf);
    let status = '';
    for (let i = 0; i < inv.seats.length; i++) status += STATUS_CHAR[seatStatus(inv, i)];
    pipe.set(keys.seatStatus(inv.eventId), status);
  }
  pipe.set(keys.seatAsOf(inv.eventId), asOf);
}

/** Patches the snapshot with the seats a batch changed. */
export function writeSeatChanges(
  pipe: ReturnType<Redis['pipeline']>,
  keys: RedisKeys,
  inv: EventInventory,
  changedSeatIdx: Iterable<number>,
  asOf: string,
): void {
  if (inv.kind === 'general_admission') {
    pipe.set(keys.gaAvailable(inv.eventId), String(inv.available));
  } else {
    for (const idx of changedSeatIdx)
      pipe.setrange(keys.seatStatus(inv.eventId), idx, STATUS_CHAR[seatStatus(inv, idx)]);
  }
  pipe.set(keys.seatAsOf(inv.eventId), asOf);
}
