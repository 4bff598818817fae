import { describe, expect, it } from 'vitest';
import { expandLayout } from '../../booking-workers/allocator/layout';
import { venueSeats } from '../../ingress/services/create-venue';
import { layoutCapacity, resolveLayout } from '../../ingress/services/create-event';
import { decodeCursor, encodeCursor, filtersFingerprint } from '../../ingress/read-model/search-cursor';
import { allowedEdits } from '../../ingress/read-model/spelling';
import { createVenueSchema, searchQuerySchema } from '../../shared/contracts/catalog';
import { createEventSchema } from '../../shared/contracts/events';
import { AppError } from '../../shared/errors';

const venueBody = createVenueSchema.parse({
  name: 'Hall',
  city: 'Zürich',
  lat: 47.4,
  lon: 8.5,
  sections: [
    { name: 'Parkett', rows: [{ seats: 3 }, { seats: 5, accessible: [1, 5] }] },
    { name: 'Balkon', rows: 2, seats_per_row: 4, accessible: [{ row: 2, seat: 4 }], y: 100, seat_spacing: 2 },
  ],
});

describe('venue layouts', () => {
  const { layout, seats } = venueSeats(venueBody.sections);

  it('gives every seat the id and rank the single writer will give it', () => {
    expect(seats).toHaveLength(16);
    const expanded = expandLayout({
      kind: 'reserved',
      sections: layout.map((s) => ({
        name: s.name,
        rows: s.row_lengths.length,
        seats_per_row: Math.max(...s.row_lengths),
        row_lengths: s.row_lengths,
        price_cents: 1,
        price_tier: 't',
      })),
    });
    expect(seats.map((s) => [s.id, s.rank])).toEqual(expanded.map((s) => [s.id, s.rank]));
    expect(seats[0]).toMatchObject({ id: 'Parkett-1-2', rank: 0 });
  });

  it('places rows by their real length, centred, front row first, with accessibility', () => {
    const byId = new Map(seats.map((s) => [s.id, s]));
    expect(byId.get('Parkett-1-1')).toMatchObject({ x: -1, y: 0, accessible: false });
    expect(byId.get('Parkett-2-5')).toMatchObject({ x: 2, y: 1, accessible: true });
    expect(byId.get('Balkon-2-4')).toMatchObject({ x: 3, y: 102, accessible: true });
    expect(byId.has('Parkett-1-4')).toBe(false);
  });

  it('refuses an accessible seat outside its row', () => {
    const bad = createVenueSchema.parse({
      ...venueBody,
      sections: [{ name: 'A', rows: 1, seats_per_row: 2, accessible: [{ row: 1, seat: 3 }] }],
    });
    expect(() => venueSeats(bad.sections)).toThrow(AppError);
    expect(() => venueSeats(bad.sections)).toThrow(expect.objectContaining({ code: 'invalid_layout' }));
  });

  it('turns price tiers into the venue sections in rank order, unsold sections left out', () => {
    const body = createEventSchema.parse({
      name: 'Show',
      starts_at: '2030-01-01T20:00:00Z',
      venue_id: '00000000-0000-4000-8000-000000000000',
      price_tiers: [{ name: 'cheap', price: 10, sections: ['Balkon'] }],
    });
    const event = resolveLayout(body, layout);
    expect(event).toEqual({
      kind: 'reserved',
      sections: [{ name: 'Balkon', rows: 2, seats_per_row: 4, price_cents: 1000, price_tier: 'cheap' }],
    });
    expect(layoutCapacity(event)).toBe(8);
    const both = resolveLayout(
      { ...body, price_tiers: [{ name: 'a', price: 50, sections: ['Parkett', 'Balkon'] }] },
      layout,
    );
    expect(both.kind === 'reserved' && both.sections[0]).toMatchObject({ name: 'Parkett', row_lengths: [3, 5] });
    expect(layoutCapacity(both)).toBe(16);
    expect(() =>
      resolveLayout({ ...body, price_tiers: [{ name: 'a', price: 1, sections: ['Nope'] }] }, layout),
    ).toThrow(AppError);
  });

  it('expands a row-length layout into exactly those seats', () => {
    const seats = expandLayout({
      kind: 'reserved',
      sections: [{ name: 'A', rows: 2, seats_per_row: 3, row_lengths: [1, 3], price_cents: 1, price_tier: 't' }],
    });
    expect(seats.map((s) => s.id)).toEqual(['A-1-1', 'A-2-2', 'A-2-1', 'A-2-3']);
  });
});

describe('search query and cursor', () => {
  it('bounds limit and refuses inverted or malformed input at the edge', () => {
    expect(searchQuerySchema.parse({}).limit).toBe(20);
    for (const bad of [
      { limit: '0' },
      { limit: '101' },
      { limit: '1e9' },
      { near: '91,0' },
      { near: 'x' },
      { radius_km: '5' },
      { start_date: 'tomorrow' },
      { sort: 'name' },
      { foo: '1' },
      { q: ['a', 'b'] },
    ]) {
      expect(searchQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(searchQuerySchema.parse({ q: 'a\u0000b' }).q).toBe('a b');
    expect(searchQuerySchema.parse({ near: '47.37,8.54', radius_km: '10', available_only: 'true' })).toMatchObject({
      near: [47.37, 8.54],
      radius_km: 10,
      available_only: true,
    });
  });

  it('round-trips a cursor and refuses one that is tampered with or made for other filters', () => {
    const f = filtersFingerprint({ q: 'rock', sort: 'relevance' });
    const c = {
      s: 'relevance' as const,
      k: '0.607927',
      d: '2030-01-01 20:00:00+00',
      i: '00000000-0000-4000-8000-000000000001',
      t: new Date().toISOString(),
      f,
    };
    expect(decodeCursor(encodeCursor(c), 'relevance', f)).toEqual(c);
    expect(() => decodeCursor(encodeCursor(c), 'date', f)).toThrow(AppError);
    expect(() =>
      decodeCursor(encodeCursor(c), 'relevance', filtersFingerprint({ q: 'pop', sort: 'relevance' })),
    ).toThrow(AppError);
    expect(() => decodeCursor(encodeCursor({ ...c, k: "1'; DROP TABLE events; --" }), 'relevance', f)).toThrow(
      AppError,
    );
    expect(() => decodeCursor('not-a-cursor', 'relevance', f)).toThrow(AppError);
    expect(filtersFingerprint({ a: 1, b: 2 })).toBe(filtersFingerprint({ b: 2, a: 1 }));
  });

  it('allows more spelling edits for longer words', () => {
    expect([2, 3, 4, 5, 9].map(allowedEdits)).toEqual([0, 1, 1, 2, 2]);
  });
});
