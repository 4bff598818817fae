import type { Pool } from '../../shared/db/pool';
import type { VenueSection } from '../services/create-venue';

export interface VenueRow {
  id: string;
  organizer_id: string;
  name: string;
  address: string;
  city: string;
  country: string;
  lat: number;
  lon: number;
  layout: { sections: VenueSection[] };
  seated_capacity: number;
  standing_capacity: number;
  created_at: Date;
  updated_at: Date;
}

export async function getVenueRow(pool: Pool, id: string): Promise<VenueRow | null> {
  const { rows } = await pool.query<VenueRow>({
    name: 'get-venue-row',
    text: 'SELECT * FROM venues WHERE id = $1',
    values: [id],
  });
  return rows[0] ?? null;
}

/** A venue as the API shows it: location, capacity and its sections (rows, seats, accessible seats). */
export async function getVenue(pool: Pool, id: string) {
  const row = await getVenueRow(pool, id);
  if (!row) return null;
  const { rows: accessible } = await pool.query<{ section: string; n: number }>({
    name: 'venue-accessible-seats',
    text: 'SELECT section, count(*)::int AS n FROM venue_seats WHERE venue_id = $1 AND accessible GROUP BY section',
    values: [id],
  });
  const accessibleBySection = new Map(accessible.map((a) => [a.section, a.n]));
  return {
    id: row.id,
    organizer_id: row.organizer_id,
    name: row.name,
    address: row.address,
    city: row.city,
    country: row.country,
    location: { lat: row.lat, lon: row.lon },
    capacity: row.seated_capacity + row.standing_capacity,
    seated_capacity: row.seated_capacity,
    standing_capacity: row.standing_capacity,
    sections: row.layout.sections.map((s) => ({
      name: s.name,
      rows: s.row_lengths.length,
      row_lengths: s.row_lengths,
      seats: s.row_lengths.reduce((n, l) => n + l, 0),
      accessible_seats: accessibleBySection.get(s.name) ?? 0,
    })),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** Every seat of a venue (or one section) in rank order, with drawing coordinates and accessibility. */
export async function getVenueSeats(pool: Pool, id: string, section?: string) {
  const { rows } = await pool.query<{
    id: string;
    section: string;
    row_number: number;
    seat_number: number;
    rank: number;
    x: number | null;
    y: number | null;
    accessible: boolean;
  }>({
    name: 'venue-seats',
    text: `SELECT id, section, row_number, seat_number, rank, x, y, accessible FROM venue_seats
           WHERE venue_id = $1 AND ($2::text IS NULL OR section = $2) ORDER BY rank`,
    values: [id, section ?? null],
  });
  return rows.map((s) => ({
    id: s.id,
    section: s.section,
    row: s.row_number,
    number: s.seat_number,
    rank: s.rank,
    x: s.x,
    y: s.y,
    accessible: s.accessible,
  }));
}
