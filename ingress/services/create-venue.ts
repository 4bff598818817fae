import { randomUUID } from 'node:crypto';
import { withTransaction, type Pool, type PoolClient } from '../../shared/db/pool';
import type { CreateVenueBody, VenueSectionBody } from '../../shared/contracts/catalog';
import { MAX_SEATS_PER_EVENT } from '../../shared/contracts/events';
import { AppError } from '../../shared/errors';
import { expandLayout } from '../../booking-workers/allocator/layout';

/** A venue's seated section as stored in venues.layout. */
export interface VenueSection {
  name: string;
  /** Seats in row 1, 2, … */
  row_lengths: number[];
  x: number;
  y: number;
  seat_spacing: number;
}

export interface VenueSeat {
  id: string;
  section: string;
  row: number;
  number: number;
  rank: number;
  x: number;
  y: number;
  accessible: boolean;
}

/**
 * Turns the sections of a venue body into its stored layout and every seat, with coordinates and
 * ranks. Ranks and ids come from the single writer's own expansion (`expandLayout`), so the seats
 * of an event at this venue have the same ids, in the same order. Pure.
 */
export function venueSeats(sections: VenueSectionBody[]): { layout: VenueSection[]; seats: VenueSeat[] } {
  const layout: VenueSection[] = [];
  const accessible = new Set<string>();
  const problems: Array<{ path: string; message: string }> = [];
  let nextY = 0;
  sections.forEach((s, i) => {
    const rowLengths =
      typeof s.rows === 'number' ? Array.from({ length: s.rows }, () => s.seats_per_row!) : s.rows.map((r) => r.seats);
    const spacing = s.seat_spacing ?? 1;
    const y = s.y ?? nextY;
    nextY = y + (rowLengths.length + 2) * spacing;
    layout.push({ name: s.name, row_lengths: rowLengths, x: s.x ?? 0, y, seat_spacing: spacing });
    const mark = (row: number, seat: number, path: string) => {
      if (row > rowLengths.length || seat > rowLengths[row - 1]!)
        problems.push({ path, message: `row ${row} seat ${seat} is not in section ${s.name}` });
      else accessible.add(`${s.name}-${row}-${seat}`);
    };
    if (typeof s.rows !== 'number')
      s.rows.forEach((r, ri) =>
        r.accessible?.forEach((seat, k) => mark(ri + 1, seat, `sections.${i}.rows.${ri}.accessible.${k}`)),
      );
    s.accessible?.forEach((a, k) => mark(a.row, a.seat, `sections.${i}.accessible.${k}`));
  });
  const total = layout.reduce((n, s) => n + s.row_lengths.reduce((m, l) => m + l, 0), 0);
  if (total > MAX_SEATS_PER_EVENT)
    problems.push({ path: 'sections', message: `at most ${MAX_SEATS_PER_EVENT} seats per venue (got ${total})` });
  if (problems.length) throw new AppError('invalid_layout', undefined, problems);

  const bySection = new Map(layout.map((s) => [s.name, s]));
  const expanded = expandLayout({
    kind: 'reserved',
    sections: layout.map((s) => ({
      name: s.name,
      rows: s.row_lengths.length,
      seats_per_row: Math.max(...s.row_lengths),
      row_lengths: s.row_lengths,
      price_cents: 0,
      price_tier: '',
    })),
  });
  const seats = expanded.map((seat): VenueSeat => {
    const s = bySection.get(seat.section)!;
    const length = s.row_lengths[seat.row - 1]!;
    return {
      id: seat.id,
      section: seat.section,
      row: seat.row,
      number: seat.number,
      rank: seat.rank,
      // Row 1 nearest the stage; seats centred on the section's x.
      x: s.x + (seat.number - (length + 1) / 2) * s.seat_spacing,
      y: s.y + (seat.row - 1) * s.seat_spacing,
      accessible: accessible.has(seat.id),
    };
  });
  return { layout, seats };
}

const SEAT_CHUNK = 20_000;

/** Creates a venue and all its seats in one transaction. */
export async function createVenue(pool: Pool, organizerId: string, body: CreateVenueBody): Promise<string> {
  const { layout, seats } = venueSeats(body.sections);
  const id = randomUUID();
  await withTransaction(pool, async (client) => {
    await client.query({
      name: 'insert-venue',
      text: `INSERT INTO venues (id, organizer_id, name, address, city, country, lat, lon, layout, seated_capacity, standing_capacity)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      values: [
        id,
        organizerId,
        body.name,
        body.address,
        body.city,
        body.country,
        body.lat,
        body.lon,
        JSON.stringify({ sections: layout }),
        seats.length,
        body.standing_capacity,
      ],
    });
    await insertVenueSeats(client, id, seats);
  });
  return id;
}

/** Bulk-inserts seats with unnest, in chunks (also used by the catalog generator). */
export async function insertVenueSeats(client: Pool | PoolClient, venueId: string, seats: VenueSeat[]): Promise<void> {
  for (let i = 0; i < seats.length; i += SEAT_CHUNK) {
    const chunk = seats.slice(i, i + SEAT_CHUNK);
    await client.query({
      name: 'insert-venue-seats',
      text: `INSERT INTO venue_seats (venue_id, id, section, row_number, seat_number, rank, x, y, accessible)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::real[], $8::real[], $9::bool[])`,
      values: [
        venueId,
        chunk.map((s) => s.id),
        chunk.map((s) => s.section),
        chunk.map((s) => s.row),
        chunk.map((s) => s.number),
        chunk.map((s) => s.rank),
        chunk.map((s) => s.x),
        chunk.map((s) => s.y),
        chunk.map((s) => s.accessible),
      ],
    });
  }
}
