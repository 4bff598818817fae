import { money } from '../lib/format';
import { AVAILABLE, HELD, type SeatData, type SectionInfo } from '../lib/seat-data';
import {
  HELD_COLOUR,
  rowAndSeatNumbers,
  seatLabel,
  seatSymbols,
  SOLD_COLOUR,
  svg,
  TIER_COLOURS,
} from './seat-map-draw';
import { seatNavigation, zoomAndPan } from './seat-map-interaction';

export { seatLabel, seatStatusWord, TIER_COLOURS } from './seat-map-draw';

export interface SeatMapOptions {
  /** Whether a seat is in the buyer's selection. */
  isPicked(i: number): boolean;
  /** The buyer clicked or pressed Space on a seat. */
  onToggle(i: number): void;
  /** Seats above this price are dimmed and cannot be picked; null: no filter. */
  maxPriceCents(): number | null;
  /** Heading-level announcements (a section opened). */
  announce(text: string): void;
}

/**
 * The venue seat map: the whole venue first (stage, every section drawn at its place and every seat
 * as a dot on a canvas, coloured by price zone), then one section as numbered rows and seats (SVG,
 * zoom with the wheel or the buttons, pan by dragging). Status shows by shape as well as colour:
 * available ●, held ○ (ring), sold ✕, selected ■.
 */
export class SeatMap {
  readonly root = document.createElement('div');
  private readonly canvas = document.createElement('canvas');
  private readonly overlay = svg('svg');
  private readonly overview = document.createElement('div');
  private readonly detail = document.createElement('div');
  private open: SectionInfo | null = null;
  private seatNodes = new Map<number, SVGUseElement>();
  private scale = 1;
  private bounds = { x: 0, y: 0, w: 1, h: 1 };
  private sectionLabels = new Map<number, SVGGElement>();
  private sectionTitle: HTMLHeadingElement | null = null;

  constructor(
    private readonly data: SeatData,
    private readonly opts: SeatMapOptions,
  ) {
    this.root.className = 'seatmap';
    this.overview.className = 'venue';
    this.canvas.setAttribute('aria-hidden', 'true');
    this.overview.append(this.canvas, this.overlay);
    this.detail.className = 'section-view';
    this.detail.hidden = true;
    this.root.append(this.overview, this.detail);
    this.drawOverview();
  }

  /** Venue bounds (layout units) including the stage. */
  /** @internal */
  computeBounds() {
    let x0 = Infinity;
    let y0 = -8;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const s of this.data.sections) {
      x0 = Math.min(x0, s.box.x);
      x1 = Math.max(x1, s.box.x + s.box.w);
      y0 = Math.min(y0, s.box.y - 8);
      y1 = Math.max(y1, s.box.y + s.box.h);
    }
    this.bounds = { x: x0 - 2, y: y0, w: x1 - x0 + 4, h: y1 - y0 + 2 };
  }

  /** @internal */
  drawOverview() {
    this.computeBounds();
    const b = this.bounds;
    const cssWidth = Math.min(900, Math.max(300, this.root.clientWidth || 900));
    this.scale = cssWidth / b.w;
    const cssHeight = b.h * this.scale;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(cssWidth * dpr);
    this.canvas.height = Math.round(cssHeight * dpr);
    this.canvas.style.aspectRatio = `${b.w} / ${b.h}`;
    this.paintAll();
    const o = this.overlay;
    o.replaceChildren();
    o.setAttribute('viewBox', `${b.x} ${b.y} ${b.w} ${b.h}`);
    o.setAttribute('role', 'group');
    o.setAttribute('aria-label', 'Venue map: choose a section to see its seats');
    const stageW = Math.min(b.w * 0.5, 60);
    const stage = svg('g', { class: 'stage', 'aria-hidden': 'true' });
    stage.append(svg('rect', { x: -stageW / 2, y: b.y + 1, width: stageW, height: 4, rx: 1 }));
    const label = svg('text', { x: 0, y: b.y + 3.9, 'text-anchor': 'middle' });
    label.textContent = 'STAGE';
    stage.append(label);
    o.append(stage);
    for (const s of this.data.sections) {
      const g = svg('g', { class: 'section', role: 'button', tabindex: 0, 'data-section': s.name });
      g.append(svg('rect', { x: s.box.x - 0.5, y: s.box.y - 0.5, width: s.box.w + 1, height: s.box.h + 1, rx: 1 }));
      const t = svg('text', {
        x: s.box.x + s.box.w / 2,
        y: s.box.y + s.box.h / 2,
        'text-anchor': 'middle',
        'dominant-baseline': 'middle',
        'font-size': Math.max(2, Math.min(s.box.h / 3, s.box.w / 8, 6)),
      });
      g.append(t);
      this.sectionLabels.set(s.index, g);
      g.addEventListener('click', () => this.openSection(s));
      g.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.openSection(s);
        }
      });
      o.append(g);
    }
    this.updateSectionLabels();
  }

  /** @internal */
  updateSectionLabels() {
    const max = this.opts.maxPriceCents();
    for (const s of this.data.sections) {
      const g = this.sectionLabels.get(s.index)!;
      const price =
        s.minPriceCents === s.maxPriceCents
          ? money(s.minPriceCents / 100)
          : `${money(s.minPriceCents / 100)}–${money(s.maxPriceCents / 100)}`;
      // The visible label starts the accessible name (WCAG 2.5.3).
      const visible = `${s.name} · ${s.available.toLocaleString('en')} left`;
      g.setAttribute(
        'aria-label',
        `${visible}: ${price}, ${s.available.toLocaleString('en')} of ${s.seats.length.toLocaleString('en')} seats available. Show the seats`,
      );
      g.classList.toggle('filtered', max !== null && s.minPriceCents > max);
      g.classList.toggle('full', s.available === 0);
      g.querySelector('text')!.textContent = visible;
    }
  }

  /** @internal */
  colourOf(i: number): string {
    const st = this.data.status[i];
    if (st === AVAILABLE) {
      const max = this.opts.maxPriceCents();
      if (max !== null && this.data.price[i]! > max) return '#d1d5db';
      return TIER_COLOURS[this.data.tier[i]! % TIER_COLOURS.length]!;
    }
    return st === HELD ? HELD_COLOUR : SOLD_COLOUR;
  }

  /** @internal */
  paintSeat(ctx: CanvasRenderingContext2D, i: number, px: number) {
    const x = (this.data.x[i]! - this.bounds.x) * px;
    const y = (this.data.y[i]! - this.bounds.y) * px;
    const size = Math.max(1, px * 0.8);
    ctx.clearRect(x - px / 2, y - px / 2, px, px);
    ctx.fillStyle = this.opts.isPicked(i) ? '#111827' : this.colourOf(i);
    // Taken seats are drawn smaller, so the map reads without colour too.
    const s = this.data.status[i] === AVAILABLE ? size : size * 0.5;
    ctx.fillRect(x - s / 2, y - s / 2, s, s);
  }

  /** @internal */
  paintAll() {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const px = this.canvas.width / this.bounds.w;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    for (let i = 0; i < this.data.count; i++) this.paintSeat(ctx, i, px);
  }

  /** Applies changed seats (indexes) to whatever is drawn. */
  update(changed: number[]) {
    const ctx = this.canvas.getContext('2d');
    if (ctx) {
      const px = this.canvas.width / this.bounds.w;
      for (const i of changed) this.paintSeat(ctx, i, px);
    }
    for (const i of changed) {
      const node = this.seatNodes.get(i);
      if (node) this.styleSeat(node, i);
    }
    if (changed.length) this.updateSectionLabels();
    if (changed.length && this.open) this.titleOf(this.open);
  }

  /** @internal */
  titleOf(s: SectionInfo) {
    if (this.sectionTitle)
      this.sectionTitle.textContent = `${s.name}: ${s.available.toLocaleString('en')} of ${s.seats.length.toLocaleString('en')} available`;
  }

  /** The price filter or the selection changed: repaint everything (cheap: one canvas pass). */
  refresh() {
    this.paintAll();
    this.updateSectionLabels();
    for (const [i, node] of this.seatNodes) this.styleSeat(node, i);
  }

  /** @internal */
  styleSeat(node: SVGUseElement, i: number) {
    const picked = this.opts.isPicked(i);
    const st = this.data.status[i];
    const max = this.opts.maxPriceCents();
    const dim = st === AVAILABLE && max !== null && this.data.price[i]! > max;
    const shape = picked ? 'picked' : st === AVAILABLE ? 'available' : st === HELD ? 'held' : 'sold';
    node.setAttribute('href', `#seat-${shape}`);
    node.setAttribute('class', `seat ${shape}${dim ? ' dim' : ''}`);
    node.setAttribute('aria-checked', String(picked));
    node.setAttribute('aria-disabled', String(!picked && (st !== AVAILABLE || dim)));
    node.setAttribute('aria-label', seatLabel(this.data, i, picked));
    if (!picked && st === AVAILABLE && !dim) node.style.color = TIER_COLOURS[this.data.tier[i]! % TIER_COLOURS.length]!;
    else node.style.removeProperty('color');
  }

  /** The whole venue again. */
  showVenue() {
    this.open = null;
    this.seatNodes.clear();
    this.detail.hidden = true;
    this.detail.replaceChildren();
    this.overview.hidden = false;
    this.overlay.querySelector<SVGGElement>('.section')?.focus();
  }

  /** One section: numbered rows and seats, zoomable and pannable. */
  openSection(s: SectionInfo) {
    this.open = s;
    this.overview.hidden = true;
    this.detail.hidden = false;
    const bar = document.createElement('div');
    bar.className = 'section-bar';
    const back = document.createElement('button');
    back.type = 'button';
    back.className = 'secondary';
    back.textContent = '← Whole venue';
    back.addEventListener('click', () => this.showVenue());
    const title = document.createElement('h3');
    this.sectionTitle = title;
    this.titleOf(s);
    const zoomIn = document.createElement('button');
    zoomIn.type = 'button';
    zoomIn.className = 'secondary';
    zoomIn.textContent = '+';
    zoomIn.setAttribute('aria-label', 'Zoom in');
    const zoomOut = document.createElement('button');
    zoomOut.type = 'button';
    zoomOut.className = 'secondary';
    zoomOut.textContent = '−';
    zoomOut.setAttribute('aria-label', 'Zoom out');
    bar.append(back, title, zoomOut, zoomIn);

    const pad = 3;
    const vb = { x: s.box.x - pad, y: s.box.y - 1, w: s.box.w + 2 * pad, h: s.box.h + 2 };
    const area = svg('svg', {
      viewBox: `${vb.x} ${vb.y} ${vb.w} ${vb.h}`,
      class: 'seats',
      role: 'group',
      'aria-label': `Seats of ${s.name}. Arrow keys move between seats, Space selects.`,
    });
    area.append(seatSymbols());
    const seats = svg('g');
    this.seatNodes.clear();
    for (const i of s.seats) {
      const node = svg('use', {
        x: this.data.x[i]! - 0.45,
        y: this.data.y[i]! - 0.45,
        width: 0.9,
        height: 0.9,
        role: 'checkbox',
        tabindex: -1,
        'data-seat': this.data.id(i),
      });
      this.styleSeat(node, i);
      this.seatNodes.set(i, node);
      seats.append(node);
    }
    area.append(rowAndSeatNumbers(this.data, s.seats), seats);

    seatNavigation(seats, this.data, s.seats, this.seatNodes, (i) => this.opts.onToggle(i));
    zoomAndPan(area, vb, zoomIn, zoomOut);

    area.style.aspectRatio = `${vb.w} / ${vb.h}`;
    this.detail.replaceChildren(bar, area);
    this.opts.announce(`${s.name} opened: ${s.available} seats available.`);
    back.focus();
  }
}
