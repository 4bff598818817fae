import type { Pool } from '../db/pool';
import type { EventLayout } from '../contracts/events';

export interface EventRow {
  id: string;
  organizer_id: string;
  name: string;
  starts_at: Date;
  on_sale_at: Date;
  hold_seconds: number;
  max_per_user: number;
  partition: number;
  kind: 'reserved' | 'general_admission';
  layout: EventLayout;
  capacity: number;
  ga_available: number | null;
  inventory_ready: boolean;
  throttle_per_s: number | null;
  paused: boolean;
  /** Catalog status (migration 002); `cancelled` once the organizer cancelled. */
  status: 'scheduled' | 'cancelled';
  /** When the event's inventory was cancelled (migration 003). */
  cancelled_at: Date | null;
  /** Whether buyers may cancel (and be refunded) (migration 003). */
  refundable: boolean;
  /** How the waiting room is ordered at the on-sale time (migration 007). */
  queue_mode: 'draw' | 'fifo';
  created_at: Date;
  updated_at: Date;
}

export async function getEventRow(pool: Pool, eventId: string): Promise<EventRow | null> {
  const { rows } = await pool.query<EventRow>({
    name: 'get-event-row',
    text: 'SELECT * FROM events WHERE id = $1',
    values: [eventId],
  });
  return rows[0] ?? null;
}
