import { money } from '../lib/format';
import { AVAILABLE, HELD, type SeatData } from '../lib/seat-data';

/* How the seat map (seat-map.ts) draws: colours, SVG helpers, seat symbols, row and seat numbers, seat labels. */

const SVG = 'http://www.w3.org/2000/svg';
/** Price-zone colours, dark enough for 3:1 against white as graphics (WCAG 1.4.11). */
export const TIER_COLOURS = ['#6d28d9', '#b45309', '#0f766e', '#be123c', '#1d4ed8', '#4d7c0f', '#a21caf', '#0e7490'];
export const HELD_COLOUR = '#9ca3af';
export const SOLD_COLOUR = '#4b5563';

/** An SVG element with its attributes. */
export const svg = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
};

export const seatStatusWord = (data: SeatData, i: number, picked: boolean) =>
  picked
    ? 'selected'
    : data.status[i] === AVAILABLE
      ? 'available'
      : data.status[i] === HELD
        ? 'held by another buyer'
        : 'sold';
/** "Floor, row 3, seat 12, €249.00, available" */
export const seatLabel = (data: SeatData, i: number, picked: boolean) =>
  `${data.sections[data.section[i]!]!.name}, row ${data.row[i]}, seat ${data.number[i]}, ${money(data.price[i]! / 100)}, ${seatStatusWord(data, i, picked)}`;

/** The seat shapes a section view uses: available ●, held ○ (ring), sold ✕, selected ■. */
export function seatSymbols(): SVGDefsElement {
  const defs = svg('defs');
  const sym = (id: string, ...shapes: SVGElement[]) => {
    const g = svg('symbol', { id, viewBox: '-0.5 -0.5 1 1', width: 0.9, height: 0.9 });
    g.append(...shapes);
    defs.append(g);
  };
  sym('seat-available', svg('circle', { r: 0.42, fill: 'currentColor' }));
  sym('seat-held', svg('circle', { r: 0.34, fill: 'none', stroke: HELD_COLOUR, 'stroke-width': 0.14 }));
  sym(
    'seat-sold',
    svg('path', { d: 'M-0.3 -0.3 L0.3 0.3 M0.3 -0.3 L-0.3 0.3', stroke: SOLD_COLOUR, 'stroke-width': 0.14 }),
  );
  sym(
    'seat-picked',
    svg('rect', { x: -0.42, y: -0.42, width: 0.84, height: 0.84, rx: 0.1, fill: '#111827' }),
    svg('path', { d: 'M-0.22 0 L-0.05 0.18 L0.25 -0.18', stroke: '#fff', 'stroke-width': 0.12, fill: 'none' }),
  );
  return defs;
}

/** Row numbers at both ends of every row, and seat numbers above the first row. */
export function rowAndSeatNumbers(data: SeatData, seats: readonly number[]): SVGGElement {
  const labels = svg('g', { class: 'row-labels', 'aria-hidden': 'true' });
  const rowsSeen = new Map<number, { minX: number; maxX: number; y: number }>();
  for (const i of seats) {
    const r = rowsSeen.get(data.row[i]!) ?? { minX: Infinity, maxX: -Infinity, y: data.y[i]! };
    r.minX = Math.min(r.minX, data.x[i]!);
    r.maxX = Math.max(r.maxX, data.x[i]!);
    rowsSeen.set(data.row[i]!, r);
  }
  for (const [row, r] of rowsSeen) {
    for (const [x, anchor] of [
      [r.minX - 1, 'end'],
      [r.maxX + 1, 'start'],
    ] as const) {
      const t = svg('text', { x, y: r.y, 'text-anchor': anchor, 'dominant-baseline': 'central', 'font-size': 0.6 });
      t.textContent = String(row);
      labels.append(t);
    }
  }
  // Seat numbers above the first row.
  for (const i of seats) {
    if (data.row[i] !== 1) continue;
    const t = svg('text', {
      x: data.x[i]!,
      y: data.y[i]! - 0.75,
      'text-anchor': 'middle',
      'font-size': 0.4,
    });
    t.textContent = String(data.number[i]);
    labels.append(t);
  }
  return labels;
}
