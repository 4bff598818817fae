import type { SeatStatus } from '../../../shared/contracts/messages';

/** The compact answers of `/v1/events/:id/seat-layout` and `/seat-status` (ingress/read-model/compact-seats.ts). */
export interface CompactLayout {
  event_id: string;
  version: string;
  sections: string[];
  tiers: string[];
  runs: [number, number, number, number, number, number][];
  ids: Record<string, string>;
  boxes: Array<{ name: string; x: number; y: number; seat_spacing: number; row_lengths: number[] }>;
}
export interface CompactStatus {
  event_id: string;
  version: string;
  as_of: string | null;
  status: string;
}

export const AVAILABLE = 0;
export const HELD = 1;
export const SOLD = 2;
const CODE: Record<string, number> = { a: AVAILABLE, h: HELD, s: SOLD, available: AVAILABLE, held: HELD, sold: SOLD };
export const STATUS_WORD = ['available', 'held', 'sold'] as const;

export interface SectionInfo {
  index: number;
  name: string;
  /** Seat indexes of the section. */
  seats: number[];
  rows: number;
  maxRowLength: number;
  minPriceCents: number;
  maxPriceCents: number;
  tier: number;
  available: number;
  /** Layout position (seat units): left, top, width, height. */
  box: { x: number; y: number; w: number; h: number };
}

/**
 * Every seat of an event in typed arrays, indexed like the server's status string: 20,000 seats
 * decode in a few milliseconds and a burst of changes is a map lookup and a byte write each.
 */
export class SeatData {
  readonly count: number;
  readonly section: Uint16Array;
  readonly row: Uint16Array;
  readonly number: Uint16Array;
  readonly price: Int32Array;
  readonly tier: Uint8Array;
  readonly status: Uint8Array;
  /** Seat position in layout units (x across, y away from the stage). */
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly sections: SectionInfo[];
  readonly tiers: string[];
  readonly version: string;
  available = 0;
  private readonly idIndex = new Map<string, number>();
  private readonly customIds: Record<string, string>;

  constructor(layout: CompactLayout) {
    this.version = layout.version;
    this.tiers = layout.tiers;
    this.customIds = layout.ids;
    const n = layout.runs.reduce((t, r) => t + r[3], 0);
    this.count = n;
    this.section = new Uint16Array(n);
    this.row = new Uint16Array(n);
    this.number = new Uint16Array(n);
    this.price = new Int32Array(n);
    this.tier = new Uint8Array(n);
    this.status = new Uint8Array(n);
    this.x = new Float32Array(n);
    this.y = new Float32Array(n);
    this.sections = layout.sections.map((name, index) => ({
      index,
      name,
      seats: [],
      rows: 0,
      maxRowLength: 0,
      minPriceCents: Infinity,
      maxPriceCents: 0,
      tier: 0,
      available: 0,
      box: { x: 0, y: 0, w: 0, h: 0 },
    }));
    let i = 0;
    for (const [s, row, first, count, cents, tier] of layout.runs) {
      const sec = this.sections[s]!;
      for (let k = 0; k < count; k++, i++) {
        this.section[i] = s;
        this.row[i] = row;
        this.number[i] = first + k;
        this.price[i] = cents;
        this.tier[i] = tier;
        sec.seats.push(i);
        this.idIndex.set(this.id(i), i);
      }
      sec.rows = Math.max(sec.rows, row);
      sec.maxRowLength = Math.max(sec.maxRowLength, first + count - 1);
      sec.minPriceCents = Math.min(sec.minPriceCents, cents);
      sec.maxPriceCents = Math.max(sec.maxPriceCents, cents);
      sec.tier = tier;
    }
    this.place(layout.boxes);
  }

  id(i: number): string {
    return this.customIds[i] ?? `${this.sections[this.section[i]!]!.name}-${this.row[i]}-${this.number[i]}`;
  }

  indexOf(id: string): number | undefined {
    return this.idIndex.get(id);
  }

  /** Loads every status from the compact string (same index order as the layout). */
  setAll(status: string) {
    let available = 0;
    for (const sec of this.sections) sec.available = 0;
    for (let i = 0; i < this.count; i++) {
      const c = CODE[status[i] ?? 'h'] ?? HELD;
      this.status[i] = c;
      if (c === AVAILABLE) {
        available++;
        this.sections[this.section[i]!]!.available++;
      }
    }
    this.available = available;
  }

  /** Applies pushed changes; returns the indexes that changed. */
  apply(changes: ReadonlyArray<readonly [string, SeatStatus]>): number[] {
    const changed: number[] = [];
    for (const [id, st] of changes) {
      const i = this.idIndex.get(id);
      const c = CODE[st];
      if (i === undefined || c === undefined || this.status[i] === c) continue;
      const sec = this.sections[this.section[i]!]!;
      const delta = (c === AVAILABLE ? 1 : 0) - (this.status[i] === AVAILABLE ? 1 : 0);
      sec.available += delta;
      this.available += delta;
      this.status[i] = c;
      changed.push(i);
    }
    return changed;
  }

  /**
   * Section boxes from the venue's coordinates; when the venue gave none (every section at the same x),
   * the first section faces the stage and the others follow two abreast.
   */
  private place(boxes: CompactLayout['boxes']) {
    const byName = new Map(boxes.map((b) => [b.name, b]));
    const distinctX = new Set(boxes.map((b) => b.x)).size;
    const gap = 4;
    if (boxes.length === this.sections.length && distinctX > 1) {
      for (const sec of this.sections) {
        const b = byName.get(sec.name)!;
        const sp = b.seat_spacing || 1;
        const w = sec.maxRowLength + 1;
        sec.box = { x: b.x / sp - w / 2, y: b.y / sp, w, h: sec.rows + 1 };
      }
    } else {
      let y = 0;
      const [first, ...rest] = this.sections;
      if (first) {
        first.box = { x: -(first.maxRowLength + 1) / 2, y, w: first.maxRowLength + 1, h: first.rows + 1 };
        y += first.rows + 1 + gap;
      }
      for (let k = 0; k < rest.length; k += 2) {
        const a = rest[k]!;
        const b = rest[k + 1];
        const aw = a.maxRowLength + 1;
        a.box = { x: b ? -aw - gap / 2 : -aw / 2, y, w: aw, h: a.rows + 1 };
        if (b) b.box = { x: gap / 2, y, w: b.maxRowLength + 1, h: b.rows + 1 };
        y += Math.max(a.rows, b?.rows ?? 0) + 1 + gap;
      }
    }
    // Seats centred on their row within the box.
    const rowLength = new Map<string, number>();
    for (let i = 0; i < this.count; i++) {
      const key = `${this.section[i]}:${this.row[i]}`;
      rowLength.set(key, Math.max(rowLength.get(key) ?? 0, this.number[i]!));
    }
    for (let i = 0; i < this.count; i++) {
      const sec = this.sections[this.section[i]!]!;
      const len = rowLength.get(`${this.section[i]}:${this.row[i]}`)!;
      this.x[i] = sec.box.x + (sec.box.w - len) / 2 + this.number[i]! - 0.5;
      this.y[i] = sec.box.y + this.row[i]! - 0.5;
    }
  }
}
