import { createHash } from 'node:crypto';
import type { BookingState, EventInventory } from './inventory';

/**
 * The draw: a uniformly random order of an event's waiting room, decided once by the single writer at
 * the on-sale time. Pure and deterministic given its seed, so an auditor who is given the seed and the
 * entries (in arrival order) recomputes the same order; the seed itself comes from `crypto.randomBytes`
 * at draw time, so nobody knows it before the draw.
 */

/** The name recorded with each draw; an auditor's recomputation must follow it exactly. */
export const DRAW_ALGORITHM = 'fisher-yates/sha256-ctr/rejection-v1';

/**
 * A stream of uniformly random 32-bit words: SHA-256 of `seed ‖ counter` (counter a 64-bit
 * big-endian block index), each digest read as eight big-endian words. A cryptographic hash in counter
 * mode over a 256-bit secret seed is a cryptographically secure generator.
 */
export class SeededWords {
  private block = 0n;
  private words: Uint32Array = new Uint32Array(0);
  private next = 0;

  constructor(private readonly seed: Buffer) {}

  word(): number {
    if (this.next >= this.words.length) {
      const ctr = Buffer.alloc(8);
      ctr.writeBigUInt64BE(this.block++);
      const d = createHash('sha256').update(this.seed).update(ctr).digest();
      this.words = new Uint32Array(8);
      for (let i = 0; i < 8; i++) this.words[i] = d.readUInt32BE(i * 4);
      this.next = 0;
    }
    return this.words[this.next++]!;
  }

  /** A uniform integer in [0, bound) by rejection sampling (no modulo bias). `bound` ≤ 2^32. */
  below(bound: number): number {
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const w = this.word();
      if (w < limit) return w % bound;
    }
  }
}

/**
 * A uniformly random permutation of `0 … n-1` (Fisher–Yates, Durstenfeld's form): `order[k]` is the
 * index, in arrival order, of the entry drawn k-th.
 */
export function drawPermutation(seed: Buffer, n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = new SeededWords(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** SHA-256 (hex) of booking ids joined by newlines: the draw's input (arrival order) and output (drawn order). */
export function digestIds(ids: readonly string[]): string {
  return createHash('sha256').update(ids.join('\n')).digest('hex');
}

export interface DrawEntry {
  bookingId: string;
  /** The sequence number ingress stamped on arrival. */
  seq: number;
}

export interface DrawResult {
  /** In drawn order: each entry with its drawn sequence number. */
  drawn: Array<{ bookingId: string; arrivalSeq: number; seq: number }>;
  inputDigest: string;
  orderDigest: string;
}

/**
 * Draws the order of `entries` (in any order; sorted by arrival here) with `seed`. The drawn entries get
 * the waiting room's own sequence numbers in drawn order, so the k-th drawn holds the k-th smallest
 * arrival number: positions (`seq - watermark`) count from the drawn order and everyone who arrives
 * after the opening (a higher number) queues behind the whole drawn block.
 */
export function drawOrder(seed: Buffer, entries: readonly DrawEntry[]): DrawResult {
  const arrival = [...entries].sort((a, b) => a.seq - b.seq || (a.bookingId < b.bookingId ? -1 : 1));
  const perm = drawPermutation(seed, arrival.length);
  const drawn = perm.map((from, k) => ({
    bookingId: arrival[from]!.bookingId,
    arrivalSeq: arrival[from]!.seq,
    seq: arrival[k]!.seq,
  }));
  return {
    drawn,
    inputDigest: digestIds(arrival.map((e) => e.bookingId)),
    orderDigest: digestIds(drawn.map((e) => e.bookingId)),
  };
}

/** True when the single writer must draw the event's waiting room now (once, at or after the on-sale time). */
export function drawDue(inv: EventInventory, now: number): boolean {
  if (inv.queueMode !== 'draw' || inv.drawnAt !== null || !inv.ready || inv.cancelled || now < inv.onSaleAt)
    return false;
  return inv.backlog.some((id) => inWaitingRoom(inv, inv.bookings.get(id)));
}

/** A parked request that arrived before the on-sale time (stamped by ingress), so it takes part in the draw. */
function inWaitingRoom(inv: EventInventory, b: BookingState | undefined): b is BookingState & { seq: number } {
  return b !== undefined && b.status === 'queued' && b.seq !== null && Date.parse(b.requestedAt) < inv.onSaleAt;
}

/**
 * Draws the waiting room in memory: every parked request that arrived before the on-sale time gets its
 * drawn sequence number, the backlog becomes the drawn block followed by everything else in arrival
 * order, and the event is marked drawn. Returns the drawn bookings' new states (to persist and
 * announce) and the draw (to record); the caller commits both in one batch before deciding any of them.
 */
export function applyDraw(
  inv: EventInventory,
  seed: Buffer,
  now: number,
): { result: DrawResult; states: BookingState[] } {
  const entries: DrawEntry[] = [];
  for (const id of inv.backlog) {
    const b = inv.bookings.get(id);
    if (inWaitingRoom(inv, b)) entries.push({ bookingId: b.id, seq: b.seq });
  }
  const result = drawOrder(seed, entries);
  const states = result.drawn.map((d) => {
    const next: BookingState = { ...inv.bookings.get(d.bookingId)!, seq: d.seq };
    inv.bookings.set(next.id, next);
    return next;
  });
  const drawnIds = new Set(states.map((b) => b.id));
  inv.backlog = [...states.map((b) => b.id), ...inv.backlog.filter((id) => !drawnIds.has(id))];
  inv.drawnAt = now;
  return { result, states };
}
