import type pg from 'pg';
import { expandLayout } from '../../booking-workers/allocator/layout';
import { resolveLayout } from '../../ingress/services/create-event';
import type { SeatInfo } from '../../booking-workers/allocator/inventory';
import { eventBody, type ScenarioSpec } from '../scenarios';
import type { BaselineName } from './contender';

/**
 * The lock-based designs' own tables, in the benchmark database, filled with the very inventory the
 * pipeline gets: one GA counter, or the same seats (ids, sections, ranks: expanded from the same
 * layout by the pipeline's own expansion). Indexed as a careful engineer would: partial indexes on
 * the free seats, in rank order, per section and overall.
 */
export async function resetBaselineTables(pool: pg.Pool, spec: ScenarioSpec): Promise<void> {
  await pool.query(`
    DROP TABLE IF EXISTS bench_ga, bench_seats, bench_bookings;
    CREATE TABLE bench_ga (event text PRIMARY KEY, remaining integer NOT NULL);
    CREATE TABLE bench_seats (id text PRIMARY KEY, section text NOT NULL, row_number int NOT NULL, seat_number int NOT NULL,
                              rank integer NOT NULL, status text NOT NULL DEFAULT 'available', booking_id text);
    CREATE TABLE bench_bookings (id text PRIMARY KEY, user_id text NOT NULL, quantity integer NOT NULL,
                                 seat_ids text[], created_at timestamptz NOT NULL DEFAULT now());`);
  if (spec.kind === 'general_admission')
    await pool.query('INSERT INTO bench_ga VALUES ($1, $2)', [spec.name, spec.capacity]);
  const seats = inventoryRows(spec);
  await pool.query(
    `INSERT INTO bench_seats (id, section, row_number, seat_number, rank)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[])`,
    [
      seats.map((s) => s.id),
      seats.map((s) => s.section),
      seats.map((s) => s.row),
      seats.map((s) => s.number),
      seats.map((s) => s.rank),
    ],
  );
  await pool.query(`
    CREATE INDEX bench_seats_free_by_section ON bench_seats (section, rank) WHERE status = 'available';
    CREATE INDEX bench_seats_free ON bench_seats (rank) WHERE status = 'available';
    ANALYZE bench_seats;`);
}

/** Reserved: the pipeline's own seats. GA: one row per unit (only skip_locked uses them; the others use bench_ga). */
function inventoryRows(spec: ScenarioSpec): Array<Pick<SeatInfo, 'id' | 'section' | 'row' | 'number' | 'rank'>> {
  if (spec.kind === 'general_admission') {
    return Array.from({ length: spec.capacity }, (_, i) => ({
      id: `GA-${i + 1}`,
      section: 'GA',
      row: 0,
      number: i + 1,
      rank: i,
    }));
  }
  const layout = resolveLayout(eventBody(spec), null);
  if (layout.kind !== 'reserved') throw new Error('reserved scenario without a reserved layout');
  return expandLayout(layout);
}

/** Units or seats sold beyond the inventory or twice, in the baselines' tables. Must be 0. */
export async function baselineOversold(pool: pg.Pool, spec: ScenarioSpec, name: BaselineName): Promise<number> {
  if (spec.kind === 'general_admission' && name !== 'skip_locked') {
    const { rows } = await pool.query(
      'SELECT COALESCE(sum(quantity), 0)::int AS sold, (SELECT remaining FROM bench_ga) AS remaining FROM bench_bookings',
    );
    const { sold, remaining } = rows[0] as { sold: number; remaining: number };
    return Math.max(0, sold - spec.capacity) + Math.abs(spec.capacity - sold - remaining);
  }
  const { rows } = await pool.query(`
    SELECT (SELECT COALESCE(sum(c - 1), 0)::int FROM (SELECT count(*) AS c FROM bench_bookings, unnest(seat_ids) s GROUP BY s HAVING count(*) > 1) d) AS twice,
           (SELECT count(*)::int FROM bench_bookings b, unnest(b.seat_ids) s(id) JOIN bench_seats st ON st.id = s.id
             WHERE st.status <> 'held' OR st.booking_id IS DISTINCT FROM b.id) AS mismatched,
           (SELECT COALESCE(sum(cardinality(seat_ids)), 0)::int FROM bench_bookings) AS in_bookings,
           (SELECT count(*)::int FROM bench_seats WHERE status = 'held') AS held`);
  const r = rows[0] as { twice: number; mismatched: number; in_bookings: number; held: number };
  // GA units booked by quantity: the units held must add up to the quantities sold, within capacity.
  const { rows: q } = await pool.query('SELECT COALESCE(sum(quantity), 0)::int AS sold FROM bench_bookings');
  const sold = (q[0] as { sold: number }).sold;
  const beyond = Math.max(0, sold - spec.capacity) + (spec.kind === 'general_admission' ? Math.abs(sold - r.held) : 0);
  return r.twice + r.mismatched + Math.abs(r.in_bookings - r.held) + beyond;
}
