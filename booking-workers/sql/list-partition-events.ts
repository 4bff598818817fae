import type { Pool } from '../../shared/db/pool';

/** Events of a partition with holds to expire or parked requests: a newly active worker loads them at once. */
export async function listEventsWithPendingWork(pool: Pool, partition: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>({
    name: 'list-events-with-pending-work',
    text: `SELECT e.id FROM events e
           WHERE e.partition = $1
             AND EXISTS (SELECT 1 FROM bookings b WHERE b.event_id = e.id AND b.status IN ('queued', 'held', 'payment_pending'))`,
    values: [partition],
  });
  return rows.map((r) => r.id);
}
