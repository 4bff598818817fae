import { randomUUID } from 'node:crypto';
import type { Pool } from '../../shared/db/pool';
import type { ConfirmPublisher } from '../../shared/amqp/publisher';
import type { CreateEventBody, EventLayout } from '../../shared/contracts/events';
import { partitionFor } from '../../shared/partition';
import { toCents } from '../../shared/money';

/**
 * Creates an event: the row (metadata and compact layout) in PostgreSQL, then an `inventory.init`
 * command to the event's partition. From then on only the partition's single writer touches its
 * inventory: it expands the layout into seats and commits them.
 */
export async function createEvent(
  deps: { pool: Pool; publisher: ConfirmPublisher; partitions: number },
  organizerId: string,
  body: CreateEventBody,
  correlationId?: string,
): Promise<{ id: string; partition: number }> {
  const id = randomUUID();
  const partition = partitionFor(id, deps.partitions);
  const layout: EventLayout =
    'general_admission' in body
      ? { kind: 'general_admission', capacity: body.general_admission.capacity, price_cents: toCents(body.general_admission.price) }
      : {
          kind: 'reserved',
          sections: body.sections.map((s) => ({
            name: s.name,
            rows: s.rows,
            seats_per_row: s.seats_per_row,
            price_cents: toCents(s.price),
            price_tier: s.price_tier ?? s.name,
          })),
        };
  const capacity = layout.kind === 'general_admission' ? layout.capacity : layout.sections.reduce((n, s) => n + s.rows * s.seats_per_row, 0);
  await deps.pool.query({
    name: 'insert-event',
    text: `INSERT INTO events (id, organizer_id, name, starts_at, on_sale_at, hold_seconds, max_per_user, partition, kind, layout, capacity)
           VALUES ($1, $2, $3, $4, COALESCE($5::timestamptz, now()), $6, $7, $8, $9, $10, $11)`,
    values: [id, organizerId, body.name, body.starts_at, body.on_sale_at ?? null, body.hold_seconds, body.max_per_user, partition, layout.kind, JSON.stringify(layout), capacity],
  });
  try {
    await deps.publisher.publishCommand(partition, { type: 'inventory.init', event_id: id, ...(correlationId ? { correlation_id: correlationId } : {}) });
  } catch (err) {
    // Without its init command the event could never get inventory: undo, and let the caller retry.
    await deps.pool.query('DELETE FROM events WHERE id = $1', [id]);
    throw err;
  }
  return { id, partition };
}
