import type pg from 'pg';

const ACTIVE = `('held', 'payment_pending', 'confirmed')`;

/**
 * Units or seats sold beyond the inventory or twice, read from Onsale's own tables after a run.
 * Must be 0.
 * - GA: units in active bookings ≤ capacity, and `events.ga_available` = capacity − those units.
 * - Reserved: no seat in two active bookings; every seat of an active booking is marked held/sold by
 *   that booking in `seats`; and no seat is marked taken without an active booking holding it.
 */
export async function pipelineOversold(pool: pg.Pool, eventId: string): Promise<number> {
  const { rows: ev } = await pool.query<{ kind: string; capacity: number; ga_available: number | null }>(
    'SELECT kind, capacity, ga_available FROM events WHERE id = $1',
    [eventId],
  );
  const e = ev[0];
  if (!e) throw new Error(`event ${eventId} not found`);
  if (e.kind === 'general_admission') {
    const { rows } = await pool.query<{ sold: number }>(
      `SELECT COALESCE(sum(quantity), 0)::int AS sold FROM bookings WHERE event_id = $1 AND status IN ${ACTIVE}`,
      [eventId],
    );
    const sold = rows[0]!.sold;
    return Math.max(0, sold - e.capacity) + Math.abs(e.capacity - sold - (e.ga_available ?? 0));
  }
  const { rows } = await pool.query<{ twice: number; unmarked: number; orphaned: number }>(
    `WITH taken AS (SELECT b.id AS booking_id, s.id AS seat_id FROM bookings b, unnest(b.seat_ids) s(id)
                    WHERE b.event_id = $1 AND b.status IN ${ACTIVE})
     SELECT (SELECT COALESCE(sum(c - 1), 0)::int FROM (SELECT count(*) AS c FROM taken GROUP BY seat_id HAVING count(*) > 1) d) AS twice,
            (SELECT count(*)::int FROM taken t LEFT JOIN seats st ON st.event_id = $1 AND st.id = t.seat_id
              WHERE st.id IS NULL OR st.status = 'available' OR st.booking_id IS DISTINCT FROM t.booking_id) AS unmarked,
            (SELECT count(*)::int FROM seats st WHERE st.event_id = $1 AND st.status <> 'available'
              AND NOT EXISTS (SELECT 1 FROM taken t WHERE t.seat_id = st.id AND t.booking_id = st.booking_id)) AS orphaned`,
    [eventId],
  );
  const r = rows[0]!;
  return r.twice + r.unmarked + r.orphaned;
}
