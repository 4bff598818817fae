import type { EventLayout } from '../../shared/contracts/events';
import type { SeatInfo } from './inventory';

/**
 * Expands a reserved layout into seats with stable ids (`<section>-<row>-<seat>`) and ranks.
 * Sections are listed best first; inside a section, front rows first and, within a row, seats
 * nearest the centre first. Pure: the same layout always gives the same seats.
 */
export function expandLayout(layout: Extract<EventLayout, { kind: 'reserved' }>): SeatInfo[] {
  const seats: Omit<SeatInfo, 'rank'>[] = [];
  const order: number[] = [];
  layout.sections.forEach((section, sIdx) => {
    for (let row = 1; row <= section.rows; row++) {
      // A venue's real layout has rows of different lengths; a compact section has equal rows.
      const length = section.row_lengths?.[row - 1] ?? section.seats_per_row;
      const centre = (length + 1) / 2;
      for (let n = 1; n <= length; n++) {
        seats.push({
          id: `${section.name}-${row}-${n}`,
          section: section.name,
          row,
          number: n,
          priceCents: section.price_cents,
          tier: section.price_tier,
        });
        // Sort key: section, row, distance from the centre, seat number.
        order.push(sIdx * 1e9 + row * 1e5 + Math.abs(n - centre) * 2 * 100 + (n % 100));
      }
    }
  });
  const byRank = seats.map((_, i) => i).sort((a, b) => order[a]! - order[b]!);
  return byRank.map((i, rank) => ({ ...seats[i]!, rank }));
}
