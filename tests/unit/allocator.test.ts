import { describe, expect, it } from 'vitest';
import { buildInventory, scheduleExpiry, type EventInventory } from '../../booking-workers/allocator/inventory';
import {
  addSections,
  decideBook,
  expiredHolds,
  park,
  pickBestAvailable,
  raiseCapacity,
  release,
  waitsForOnSale,
  withdraw,
} from '../../booking-workers/allocator/allocate';
import { expandLayout } from '../../booking-workers/allocator/layout';
import type { BookCommand, BookingRequest } from '../../shared/contracts/messages';

const NOW = Date.parse('2027-01-01T10:00:00Z');
const limits = { maxPerRequest: 10 };

function reserved(
  sections = [
    { name: 'A', rows: 2, seats_per_row: 6, price_cents: 10000, price_tier: 'gold' },
    { name: 'B', rows: 2, seats_per_row: 6, price_cents: 5000, price_tier: 'silver' },
  ],
  maxPerUser = 8,
): EventInventory {
  return buildInventory({
    eventId: 'e1',
    kind: 'reserved',
    ready: true,
    holdSeconds: 600,
    maxPerUser,
    onSaleAt: 0,
    settings: { throttlePerS: null, paused: false },
    capacity: 24,
    gaPriceCents: 0,
    gaAvailable: null,
    seats: expandLayout({ kind: 'reserved', sections }),
    bookings: [],
  });
}
function ga(capacity: number, maxPerUser = 8): EventInventory {
  return buildInventory({
    eventId: 'e2',
    kind: 'general_admission',
    ready: true,
    holdSeconds: 60,
    maxPerUser,
    onSaleAt: 0,
    settings: { throttlePerS: null, paused: false },
    capacity,
    gaPriceCents: 2500,
    gaAvailable: capacity,
    seats: [],
    bookings: [],
  });
}
let n = 0;
function cmd(user: string, request: BookingRequest): BookCommand {
  n++;
  return {
    type: 'book',
    event_id: 'e1',
    booking_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    user_id: user,
    seq: n,
    requested_at: new Date(NOW).toISOString(),
    request,
  };
}
const seatIds = (inv: EventInventory, idx: number[]) => idx.map((i) => inv.seats[i]!.id);

describe('layout', () => {
  it('gives stable ids and ranks best first: section order, front rows, centre seats', () => {
    const seats = expandLayout({
      kind: 'reserved',
      sections: [{ name: 'A', rows: 2, seats_per_row: 5, price_cents: 1, price_tier: 't' }],
    });
    expect(seats.map((s) => s.id).slice(0, 5)).toEqual(['A-1-3', 'A-1-2', 'A-1-4', 'A-1-1', 'A-1-5']);
    expect(seats.map((s) => s.rank)).toEqual(seats.map((_, i) => i));
    expect(new Set(seats.map((s) => s.id)).size).toBe(10);
    expect(
      expandLayout({
        kind: 'reserved',
        sections: [{ name: 'A', rows: 2, seats_per_row: 5, price_cents: 1, price_tier: 't' }],
      }),
    ).toEqual(seats);
  });
});

describe('decideBook — reserved', () => {
  it('seats a party together in the best row, centred', () => {
    const inv = reserved();
    const b = decideBook(inv, cmd('u1', { quantity: 3 }), NOW, limits);
    expect(b.status).toBe('held');
    expect(seatIds(inv, b.seatIdx).sort()).toEqual(['A-1-2', 'A-1-3', 'A-1-4']);
    expect(b.amountCents).toBe(30000);
    expect(b.holdExpiresAt).toBe(NOW + 600_000);
  });

  it('exact seats are all or nothing', () => {
    const inv = reserved();
    expect(decideBook(inv, cmd('u1', { seat_ids: ['A-1-1', 'A-1-2'] }), NOW, limits).status).toBe('held');
    const clash = decideBook(inv, cmd('u2', { seat_ids: ['A-1-2', 'A-1-3'] }), NOW, limits);
    expect([clash.status, clash.reason]).toEqual(['rejected', 'seats_unavailable']);
    expect(inv.holder[inv.seatIndex.get('A-1-3')!]).toBeNull();
    expect(decideBook(inv, cmd('u3', { seat_ids: ['Z-9-9'] }), NOW, limits).reason).toBe('unknown_seats');
  });

  it('falls back to the best alternative in the same section when asked', () => {
    const inv = reserved();
    decideBook(inv, cmd('u1', { seat_ids: ['A-1-3'] }), NOW, limits);
    const alt = decideBook(inv, cmd('u2', { seat_ids: ['A-1-3', 'A-1-4'], accept_alternatives: true }), NOW, limits);
    expect(alt.status).toBe('held');
    // Row 1 of A is 1 2 [3 taken] 4 5 6; ranks from the centre: 3, 4, 2, 5, 1, 6. The adjacent pair with
    // the best ranks is 4–5 (1 + 3), ahead of 1–2 (4 + 2) and 5–6.
    expect(seatIds(inv, alt.seatIdx).sort()).toEqual(['A-1-4', 'A-1-5']);
    // Without accept_alternatives the same clash is refused.
    expect(decideBook(inv, cmd('u3', { seat_ids: ['A-1-3'] }), NOW, limits).reason).toBe('seats_unavailable');
    // The alternative stays in the asked seat's section even when that section is full.
    const full = reserved([
      { name: 'A', rows: 1, seats_per_row: 2, price_cents: 1, price_tier: 't' },
      { name: 'B', rows: 1, seats_per_row: 2, price_cents: 1, price_tier: 't' },
    ]);
    decideBook(full, cmd('f1', { seat_ids: ['A-1-1', 'A-1-2'] }), NOW, limits);
    expect(decideBook(full, cmd('f2', { seat_ids: ['A-1-1'], accept_alternatives: true }), NOW, limits).reason).toBe(
      'seats_unavailable',
    );
  });

  it('filters by section, tier and max price', () => {
    const inv = reserved();
    // Section A is better ranked: without a filter a pair lands there. Each filter moves it to B (the
    // checks below would also pass on an empty pick, hence the exact seats).
    expect(seatIds(inv, decideBook(inv, cmd('u0', { quantity: 2 }), NOW, limits).seatIdx).sort()).toEqual([
      'A-1-3',
      'A-1-4',
    ]);
    expect(seatIds(inv, decideBook(inv, cmd('u1', { quantity: 2, section: 'B' }), NOW, limits).seatIdx).sort()).toEqual(
      ['B-1-3', 'B-1-4'],
    );
    const bySilver = decideBook(inv, cmd('u2', { quantity: 2, price_tier: 'silver' }), NOW, limits);
    // B row 1 is now 1 2 [3 4 taken] 5 6: the pair 1–2 ranks better than 5–6.
    expect(seatIds(inv, bySilver.seatIdx).sort()).toEqual(['B-1-1', 'B-1-2']);
    expect(bySilver.seatIdx.map((i) => inv.seats[i]!.tier)).toEqual(['silver', 'silver']);
    const byPrice = decideBook(inv, cmd('u3', { quantity: 2, max_price_cents: 6000 }), NOW, limits);
    expect(seatIds(inv, byPrice.seatIdx).sort()).toEqual(['B-1-5', 'B-1-6']);
    expect(byPrice.seatIdx.map((i) => inv.seats[i]!.priceCents)).toEqual([5000, 5000]);
    expect(decideBook(inv, cmd('u4', { quantity: 2, max_price_cents: 100 }), NOW, limits).reason).toBe('sold_out');
    expect(decideBook(inv, cmd('u5', { quantity: 2, section: 'Z' }), NOW, limits).reason).toBe('sold_out');
  });

  it('scatters a party only when no row can seat it together', () => {
    const inv = reserved([{ name: 'A', rows: 2, seats_per_row: 3, price_cents: 1, price_tier: 't' }]);
    decideBook(inv, cmd('u1', { seat_ids: ['A-1-2'] }), NOW, limits);
    decideBook(inv, cmd('u2', { seat_ids: ['A-2-2'] }), NOW, limits);
    const b = decideBook(inv, cmd('u3', { quantity: 3 }), NOW, limits);
    expect(b.status).toBe('held');
    // Both rows are split by their taken centre seat: the party gets the three best free seats.
    expect(seatIds(inv, b.seatIdx).sort()).toEqual(['A-1-1', 'A-1-3', 'A-2-1']);
    expect(pickBestAvailable(inv, {}, 2)).toBe('sold_out');
    // Had a row room for all three, they would sit together there.
    const roomy = reserved([{ name: 'A', rows: 2, seats_per_row: 3, price_cents: 1, price_tier: 't' }]);
    decideBook(roomy, cmd('r1', { seat_ids: ['A-1-2'] }), NOW, limits);
    expect(seatIds(roomy, decideBook(roomy, cmd('r2', { quantity: 3 }), NOW, limits).seatIdx).sort()).toEqual([
      'A-2-1',
      'A-2-2',
      'A-2-3',
    ]);
  });

  it('enforces per-request and per-user limits and one active request per user', () => {
    const inv = reserved(undefined, 4);
    expect(decideBook(inv, cmd('u1', { quantity: 5 }), NOW, limits).reason).toBe('limit_exceeded');
    expect(decideBook(inv, cmd('u1', { quantity: 11 }), NOW, { maxPerRequest: 10 }).reason).toBe('limit_exceeded');
    const first = decideBook(inv, cmd('u1', { quantity: 3 }), NOW, limits);
    expect(first.status).toBe('held');
    expect(decideBook(inv, cmd('u1', { quantity: 1 }), NOW, limits).reason).toBe('active_request_exists');
    release(inv, first.id, 'cancelled', NOW);
    expect(decideBook(inv, cmd('u1', { quantity: 4 }), NOW, limits).status).toBe('held');
  });

  it('never holds a seat twice, whatever the order of requests', () => {
    const inv = reserved();
    const held = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const b = decideBook(
        inv,
        cmd(
          `u${i}`,
          i % 2
            ? { quantity: 1 + (i % 4) }
            : { seat_ids: [`A-${1 + (i % 2)}-${1 + (i % 6)}`], accept_alternatives: i % 3 === 0 },
        ),
        NOW,
        limits,
      );
      for (const idx of b.seatIdx) {
        expect(held.has(idx)).toBe(false);
        held.add(idx);
      }
    }
    expect(held.size).toBe(24 - inv.available);
    for (let i = 0; inv.available > 0; i++) {
      const b = decideBook(inv, cmd(`last${i}`, { quantity: 1 }), NOW, limits);
      expect(held.has(b.seatIdx[0]!)).toBe(false);
      held.add(b.seatIdx[0]!);
    }
    expect(held.size).toBe(24);
    expect(decideBook(inv, cmd('late', { quantity: 1 }), NOW, limits).reason).toBe('sold_out');
  });

  it('rejects before on-sale and before inventory is ready', () => {
    const inv = reserved();
    inv.onSaleAt = NOW + 1000;
    expect(decideBook(inv, cmd('u1', { quantity: 1 }), NOW, limits).reason).toBe('not_on_sale');
    expect(decideBook(inv, cmd('u1', { quantity: 1 }), NOW + 1000, limits).status).toBe('held');

    // On sale by the clock, but the inventory is not ready yet (seats still being created).
    const notReady = reserved();
    notReady.ready = false;
    const early = decideBook(notReady, cmd('u2', { quantity: 2 }), NOW, limits);
    expect([early.status, early.reason, early.seatIdx]).toEqual(['rejected', 'not_on_sale', []]);
    expect(decideBook(notReady, cmd('u3', { seat_ids: ['A-1-1'] }), NOW, limits).reason).toBe('not_on_sale');
    const gaNotReady = ga(10);
    gaNotReady.ready = false;
    expect(decideBook(gaNotReady, cmd('u4', { quantity: 1 }), NOW, limits).reason).toBe('not_on_sale');
    // Nothing was taken, and no user is left with an active request.
    expect([notReady.available, gaNotReady.available, notReady.holder.every((h) => h === null)]).toEqual([
      24,
      10,
      true,
    ]);
    expect(notReady.users.size + gaNotReady.users.size).toBe(0);
    notReady.ready = true;
    expect(decideBook(notReady, cmd('u2', { quantity: 2 }), NOW, limits).status).toBe('held');
  });

  it('keeps the waiting room open only in the window before the on-sale time', () => {
    const inv = reserved();
    const window = 30 * 60_000;
    inv.onSaleAt = NOW + 10 * 60_000;
    expect(waitsForOnSale(inv, NOW, window)).toBe(true);
    expect(waitsForOnSale(inv, NOW, 0)).toBe(false);
    expect(waitsForOnSale(inv, inv.onSaleAt, window)).toBe(false);
    inv.onSaleAt = NOW + 31 * 60_000;
    expect(waitsForOnSale(inv, NOW, window)).toBe(false);
    inv.onSaleAt = NOW + 60_000;
    inv.ready = false;
    expect(waitsForOnSale(inv, NOW, window)).toBe(false);
    inv.ready = true;
    inv.cancelled = true;
    expect(waitsForOnSale(inv, NOW, window)).toBe(false);
  });
});

describe('decideBook — general admission', () => {
  it('sells exactly the capacity, all or nothing per request', () => {
    const inv = ga(10);
    const sold = [3, 4, 2, 2, 1].map((q, i) => decideBook(inv, cmd(`g${i}`, { quantity: q }), NOW, limits));
    expect(sold.map((b) => b.status)).toEqual(['held', 'held', 'held', 'rejected', 'held']);
    expect(sold[3]!.reason).toBe('sold_out');
    expect(inv.available).toBe(0);
    expect(sold[0]!.amountCents).toBe(7500);
    expect(decideBook(inv, cmd('g9', { seat_ids: ['x'] }), NOW, limits).reason).toBe('invalid_request');
  });
  it('honours a maximum price: nothing at or under it is sold out, and takes nothing', () => {
    const inv = ga(10);
    const over = decideBook(inv, cmd('p1', { quantity: 1, max_price_cents: 2499 }), NOW, limits);
    expect(over).toMatchObject({ status: 'rejected', reason: 'sold_out' });
    expect(inv.available).toBe(10);
    expect(decideBook(inv, cmd('p2', { quantity: 2, max_price_cents: 2500 }), NOW, limits).status).toBe('held');
    expect(inv.available).toBe(8);
  });
});

describe('holds, backlog and withdrawals', () => {
  it('expires holds in order and returns their inventory', () => {
    const inv = ga(4);
    const a = decideBook(inv, cmd('a', { quantity: 2 }), NOW, limits);
    const b = decideBook(inv, cmd('b', { quantity: 2 }), NOW + 1000, limits);
    expect(expiredHolds(inv, NOW + 59_999)).toEqual([]);
    expect(expiredHolds(inv, NOW + 60_000)).toEqual([a.id]);
    expect(release(inv, a.id, 'expired', NOW + 60_000)!.status).toBe('expired');
    expect(inv.available).toBe(2);
    release(inv, b.id, 'cancelled', NOW + 60_500);
    expect(expiredHolds(inv, NOW + 120_000)).toEqual([]); // a cancelled hold does not expire again
    expect(release(inv, b.id, 'cancelled', NOW)).toBeNull();
  });

  it('parks requests in arrival order and withdraws them', () => {
    const inv = ga(4);
    const p1 = park(inv, cmd('p1', { quantity: 1 }));
    const p2 = park(inv, cmd('p2', { quantity: 1 }));
    expect(inv.backlog).toEqual([p1.id, p2.id]);
    expect(withdraw(inv, p1.id, NOW)!.reason).toBe('withdrawn');
    expect(inv.backlog).toEqual([p2.id]);
  });

  it('rebuilds the same state from what PostgreSQL holds', () => {
    const inv = reserved();
    const b = decideBook(inv, cmd('u1', { quantity: 2 }), NOW, limits);
    const rebuilt = buildInventory({
      eventId: 'e1',
      kind: 'reserved',
      ready: true,
      holdSeconds: 600,
      maxPerUser: 8,
      onSaleAt: 0,
      settings: { throttlePerS: null, paused: false },
      capacity: 24,
      gaPriceCents: 0,
      gaAvailable: null,
      seats: inv.seats,
      bookings: [b],
    });
    expect(rebuilt.available).toBe(22);
    expect(rebuilt.users.get('u1')?.active).toBe(b.id);
    expect(decideBook(rebuilt, cmd('u2', { seat_ids: seatIds(inv, b.seatIdx) }), NOW, limits).reason).toBe(
      'seats_unavailable',
    );
  });
});

describe('adding inventory', () => {
  it('adds sections ranked after every existing seat, keeping holds, ids and ranks, and sells them', () => {
    const inv = reserved();
    const held = decideBook(inv, cmd('u1', { quantity: 4 }), NOW, limits);
    const before = inv.seats.map((s) => [s.id, s.rank]);
    const {
      inv: next,
      added,
      sections,
    } = addSections(inv, [
      { name: 'A', rows: 1, seats_per_row: 2, price_cents: 1, price_tier: 'dup' },
      { name: 'C', rows: 2, seats_per_row: 3, price_cents: 2000, price_tier: 'bronze' },
    ]);
    expect(sections.map((s) => s.name)).toEqual(['C']);
    expect(added.map((s) => s.rank)).toEqual([24, 25, 26, 27, 28, 29]);
    expect(added[0]!.id).toBe('C-1-2');
    expect(next.seats.slice(0, 24).map((s) => [s.id, s.rank])).toEqual(before);
    expect([next.capacity, next.available]).toEqual([30, 26]);
    expect(next.users.get('u1')?.active).toBe(held.id);
    expect(next.seatIndex.get('C-2-3')).toBe(29);
    // Best available still starts with the better sections; the added section sells once they are gone.
    expect(seatIds(next, decideBook(next, cmd('u2', { quantity: 2 }), NOW, limits).seatIdx)[0]).toMatch(/^A-/);
    const c = decideBook(next, cmd('u3', { quantity: 3, section: 'C' }), NOW, limits);
    expect([c.status, c.amountCents, seatIds(next, c.seatIdx).sort()]).toEqual([
      'held',
      6000,
      ['C-1-1', 'C-1-2', 'C-1-3'],
    ]);
    // A redelivered addition changes nothing.
    expect(
      addSections(next, [{ name: 'C', rows: 2, seats_per_row: 3, price_cents: 2000, price_tier: 'bronze' }]).added,
    ).toEqual([]);
  });

  it('keeps the event settings across the rebuild', () => {
    const inv = reserved();
    inv.refundable = false;
    inv.startsAt = NOW + 1000;
    inv.settings.throttlePerS = 5;
    const { inv: next } = addSections(inv, [{ name: 'Z', rows: 1, seats_per_row: 1, price_cents: 1, price_tier: 'z' }]);
    expect([next.refundable, next.startsAt, next.settings.throttlePerS]).toEqual([false, NOW + 1000, 5]);
  });

  it('raises a general-admission capacity, never lowers it', () => {
    const inv = ga(10);
    decideBook(inv, { ...cmd('u1', { quantity: 4 }), event_id: 'e2' }, NOW, limits);
    expect(raiseCapacity(inv, 15)).toBe(5);
    expect([inv.capacity, inv.available]).toEqual([15, 11]);
    expect(raiseCapacity(inv, 15)).toBe(0);
    expect(raiseCapacity(inv, 3)).toBe(0);
    expect([inv.capacity, inv.available]).toEqual([15, 11]);
  });
});

describe('best available over fragmented rows', () => {
  const longestFreeRun = (inv: EventInventory, r: number) => {
    let best = 0;
    let run = 0;
    let prev = -1;
    for (const idx of inv.rows[r]!.seats) {
      const n = inv.seats[idx]!.number;
      run = inv.holder[idx] === null ? (n === prev + 1 ? run + 1 : 1) : 0;
      prev = n;
      best = Math.max(best, run);
    }
    return best;
  };

  it("keeps each row's free-run bound above the truth through random takes and releases, and still seats parties together", () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const inv = reserved([{ name: 'A', rows: 3, seats_per_row: 8, price_cents: 100, price_tier: 't' }], 1000);
    const live: string[] = [];
    for (let step = 0; step < 400; step++) {
      if (live.length && rand() < 0.4) {
        const id = live.splice(Math.floor(rand() * live.length), 1)[0]!;
        release(inv, id, 'cancelled', NOW);
      } else {
        const q = 1 + Math.floor(rand() * 4);
        const b = decideBook(inv, cmd(`u${step}`, { quantity: q }), NOW, limits);
        if (b.status === 'held') {
          live.push(b.id);
          // Adjacent whenever some row had room for the party.
          const rows = new Set(b.seatIdx.map((i) => inv.seatRow[i]));
          const numbers = b.seatIdx.map((i) => inv.seats[i]!.number).sort((x, y) => x - y);
          if (rows.size === 1 && numbers.every((n, k) => k === 0 || n === numbers[k - 1]! + 1)) continue;
          inv.rows.forEach((_, r) => expect(longestFreeRun(inv, r)).toBeLessThan(q));
        }
      }
      inv.rows.forEach((row, r) => expect(row.maxRun).toBeGreaterThanOrEqual(longestFreeRun(inv, r)));
    }
  });
});

describe('allocator internals kept fast', () => {
  /** Best available as first written: scan `rowOrder` with the filters, best rank sum per row, else scatter. */
  function referencePick(inv: EventInventory, req: BookingRequest, q: number): number[] | 'sold_out' {
    const fits = (s: { section: string; tier: string; priceCents: number }) =>
      (req.section === undefined || s.section === req.section) &&
      (req.price_tier === undefined || s.tier === req.price_tier) &&
      (req.max_price_cents === undefined || s.priceCents <= req.max_price_cents);
    const rows = inv.rowOrder.map((r) => inv.rows[r]!).filter(fits);
    for (const row of rows) {
      let best: number[] | null = null;
      let bestScore = Infinity;
      for (let start = 0; start + q <= row.seats.length; start++) {
        const block = row.seats.slice(start, start + q);
        const free = block.every((idx) => inv.holder[idx] === null);
        const adjacent = block.every(
          (idx, k) => k === 0 || inv.seats[idx]!.number === inv.seats[block[k - 1]!]!.number + 1,
        );
        const score = block.reduce((a, b) => a + b, 0);
        if (free && adjacent && score < bestScore) [best, bestScore] = [block, score];
      }
      if (best) return best;
    }
    const scattered = rows.flatMap((row) =>
      [...row.seats].sort((a, b) => a - b).filter((idx) => inv.holder[idx] === null),
    );
    return scattered.length >= q ? scattered.slice(0, q) : 'sold_out';
  }

  it('picks exactly what the plain scan picks, with and without filters, through random takes and releases', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const inv = reserved(
      [
        { name: 'A', rows: 3, seats_per_row: 7, price_cents: 9000, price_tier: 'gold' },
        { name: 'B', rows: 2, seats_per_row: 5, price_cents: 5000, price_tier: 'silver' },
        { name: 'C', rows: 4, seats_per_row: 6, price_cents: 2000, price_tier: 'silver' },
      ],
      1000,
    );
    const live: string[] = [];
    const filters: BookingRequest[] = [
      {},
      { section: 'A' },
      { section: 'C' },
      { section: 'nope' },
      { price_tier: 'silver' },
      { max_price_cents: 5000 },
      { section: 'B', price_tier: 'gold' },
    ];
    let compared = 0;
    for (let step = 0; step < 600; step++) {
      if (live.length && rand() < 0.35) {
        release(inv, live.splice(Math.floor(rand() * live.length), 1)[0]!, 'cancelled', NOW);
        continue;
      }
      const q = 1 + Math.floor(rand() * 5);
      const filter = filters[Math.floor(rand() * filters.length)]!;
      const expected = referencePick(inv, filter, q);
      const b = decideBook(inv, cmd(`u${step}`, { quantity: q, ...filter }), NOW, limits);
      expect(b.status === 'held' ? b.seatIdx : b.reason, `step ${step}`).toEqual(expected);
      if (b.status === 'held') live.push(b.id);
      compared++;
      // Per-section free counts agree with the rows.
      for (const [name, group] of inv.sectionRows) {
        expect(group.available, name).toBe(group.rows.reduce((n, r) => n + inv.rows[r]!.available, 0));
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  it('treats a gap in seat numbers as the end of a run', () => {
    const seats = [1, 2, 4, 5, 6].map((n, rank) => ({
      id: `A-1-${n}`,
      section: 'A',
      row: 1,
      number: n,
      rank,
      priceCents: 100,
      tier: 't',
    }));
    const inv = buildInventory({
      eventId: 'e1',
      kind: 'reserved',
      ready: true,
      holdSeconds: 600,
      maxPerUser: 8,
      onSaleAt: 0,
      settings: { throttlePerS: null, paused: false },
      capacity: 5,
      gaPriceCents: 0,
      gaAvailable: null,
      seats,
      bookings: [],
    });
    expect(seatIds(inv, pickBestAvailable(inv, {}, 3) as number[])).toEqual(['A-1-4', 'A-1-5', 'A-1-6']);
    decideBook(inv, cmd('u1', { seat_ids: ['A-1-5'] }), NOW, limits);
    // 1–2 is the only adjacent pair left: 2 and 4 are not neighbours.
    expect(seatIds(inv, pickBestAvailable(inv, {}, 2) as number[])).toEqual(['A-1-1', 'A-1-2']);
    // No three together any more: the three best free seats.
    expect(seatIds(inv, pickBestAvailable(inv, {}, 3) as number[])).toEqual(['A-1-1', 'A-1-2', 'A-1-4']);
  });

  it('stamps each decision with its own time, even though the text is formatted once per time', () => {
    const inv = ga(10);
    const times = [NOW, NOW, NOW + 1, NOW - 5000, NOW];
    const decided = times.map((t, i) => decideBook(inv, cmd(`t${i}`, { quantity: 1 }), t, limits));
    expect(decided.map((b) => b.decidedAt)).toEqual(times.map((t) => new Date(t).toISOString()));
    expect(release(inv, decided[2]!.id, 'cancelled', NOW + 7)!.decidedAt).toBe(new Date(NOW + 7).toISOString());
  });

  it('keeps hold expiries sorted when one comes in earlier than the last', () => {
    const inv = ga(10);
    for (const [i, at] of [50, 10, 30, 30, 70, 20].entries()) scheduleExpiry(inv, `h${i}`, at);
    expect(inv.expiries).toEqual([
      { at: 10, id: 'h1' },
      { at: 20, id: 'h5' },
      { at: 30, id: 'h2' },
      { at: 30, id: 'h3' },
      { at: 50, id: 'h0' },
      { at: 70, id: 'h4' },
    ]);
  });
});
