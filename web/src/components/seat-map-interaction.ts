import { AVAILABLE, type SeatData } from '../lib/seat-data';

/* How the buyer moves through a section of the seat map (seat-map.ts): focus and selection, zoom and pan. */

/**
 * Keyboard and pointer on a section's seats: one seat is in the tab order (the first available), arrow
 * keys move between neighbours by row and number, Space or Enter (or a click) toggles a seat.
 */
export function seatNavigation(
  seats: SVGGElement,
  data: SeatData,
  sectionSeats: readonly number[],
  seatNodes: ReadonlyMap<number, SVGUseElement>,
  onToggle: (i: number) => void,
): void {
  const byRowNumber = new Map<string, number>();
  for (const i of sectionSeats) byRowNumber.set(`${data.row[i]}:${data.number[i]}`, i);
  const first = sectionSeats.find((i) => data.status[i] === AVAILABLE) ?? sectionSeats[0];
  let focusIndex = first ?? -1;
  if (first !== undefined) seatNodes.get(first)!.setAttribute('tabindex', '0');
  const moveFocus = (to: number | undefined) => {
    if (to === undefined) return;
    seatNodes.get(focusIndex)?.setAttribute('tabindex', '-1');
    focusIndex = to;
    const node = seatNodes.get(to)!;
    node.setAttribute('tabindex', '0');
    node.focus();
  };
  seats.addEventListener('click', (e) => {
    const node = (e.target as Element).closest('use');
    const id = node?.getAttribute('data-seat');
    const i = id ? data.indexOf(id) : undefined;
    if (i !== undefined) {
      moveFocus(i);
      onToggle(i);
    }
  });
  seats.addEventListener('keydown', (e) => {
    const i = focusIndex;
    if (i < 0) return;
    const row = data.row[i]!;
    const num = data.number[i]!;
    const at = (r: number, n: number) => byRowNumber.get(`${r}:${n}`);
    const moves: Record<string, [number, number]> = {
      ArrowRight: [0, 1],
      ArrowLeft: [0, -1],
      ArrowDown: [1, 0],
      ArrowUp: [-1, 0],
    };
    if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      onToggle(i);
    } else if (e.key in moves) {
      e.preventDefault();
      const [dr, dn] = moves[e.key]!;
      moveFocus(at(row + dr, num + dn));
    }
  });
}

/** Zoom (wheel, buttons) and pan (drag), by moving the section's viewBox `vb`. */
export function zoomAndPan(
  area: SVGSVGElement,
  vb: { x: number; y: number; w: number; h: number },
  zoomIn: HTMLButtonElement,
  zoomOut: HTMLButtonElement,
): void {
  const full = { ...vb };
  const apply = () => area.setAttribute('viewBox', `${vb.x} ${vb.y} ${vb.w} ${vb.h}`);
  const zoom = (f: number, cx = vb.x + vb.w / 2, cy = vb.y + vb.h / 2) => {
    const w = Math.min(full.w * 1.5, Math.max(6, vb.w * f));
    const k = w / vb.w;
    vb.x = cx - (cx - vb.x) * k;
    vb.y = cy - (cy - vb.y) * k;
    vb.w = w;
    vb.h *= k;
    apply();
  };
  zoomIn.addEventListener('click', () => zoom(0.7));
  zoomOut.addEventListener('click', () => zoom(1 / 0.7));
  area.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const rect = area.getBoundingClientRect();
      zoom(
        e.deltaY < 0 ? 0.85 : 1 / 0.85,
        vb.x + ((e.clientX - rect.left) / rect.width) * vb.w,
        vb.y + ((e.clientY - rect.top) / rect.height) * vb.h,
      );
    },
    { passive: false },
  );
  let drag: { x: number; y: number; moved: boolean } | null = null;
  area.addEventListener('pointerdown', (e) => (drag = { x: e.clientX, y: e.clientY, moved: false }));
  area.addEventListener('pointermove', (e) => {
    if (!drag || (e.buttons & 1) === 0) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag.moved = true;
    const rect = area.getBoundingClientRect();
    vb.x -= (dx / rect.width) * vb.w;
    vb.y -= (dy / rect.height) * vb.h;
    drag.x = e.clientX;
    drag.y = e.clientY;
    apply();
  });
  area.addEventListener('pointerup', () => setTimeout(() => (drag = null)));
  area.addEventListener('click', (e) => drag?.moved && e.stopPropagation(), true);
}
