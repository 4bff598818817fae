import type { NoRows, PoolClient } from '../../shared/db/pool';

/** A waiting room drawn by the single writer: written in the batch that gives the drawn sequence numbers. */
export interface DrawWrite {
  eventId: string;
  drawnAt: string;
  entries: number;
  algorithm: string;
  /** The draw's random seed, hex: with the entries in arrival order it reproduces the permutation. */
  seed: string;
  inputDigest: string;
  orderDigest: string;
  workerId: string;
  epoch: number;
  /** Each drawn booking's arrival sequence number (its `seq` becomes the drawn one). */
  arrival: Array<{ bookingId: string; arrivalSeq: number }>;
}

/**
 * Records draws inside the batch transaction, after the bookings upsert. The primary key on
 * `event_draws` makes a second draw of one event fail the whole batch instead of reordering anyone.
 */
export async function recordDraws(client: PoolClient, draws: readonly DrawWrite[]): Promise<void> {
  for (const d of draws) {
    await client.query<NoRows>({
      name: 'insert-draw',
      text: `INSERT INTO event_draws (event_id, drawn_at, entries, algorithm, seed, input_digest, order_digest, worker_id, epoch)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      values: [d.eventId, d.drawnAt, d.entries, d.algorithm, d.seed, d.inputDigest, d.orderDigest, d.workerId, d.epoch],
    });
    await client.query<NoRows>({
      name: 'set-arrival-seqs',
      text: `UPDATE bookings SET arrival_seq = v.arrival_seq
             FROM unnest($1::uuid[], $2::bigint[]) AS v(id, arrival_seq)
             WHERE bookings.id = v.id AND bookings.event_id = $3`,
      values: [d.arrival.map((a) => a.bookingId), d.arrival.map((a) => a.arrivalSeq), d.eventId],
    });
  }
}

/** Queue modes the single writer accepted (before the on-sale time). */
export async function recordQueueModes(
  client: PoolClient,
  modes: ReadonlyArray<{ eventId: string; queueMode: 'draw' | 'fifo' }>,
): Promise<void> {
  const last = new Map(modes.map((m) => [m.eventId, m.queueMode]));
  await client.query<NoRows>({
    name: 'set-queue-modes',
    text: `UPDATE events SET queue_mode = v.queue_mode, updated_at = now()
           FROM unnest($1::uuid[], $2::text[]) AS v(id, queue_mode) WHERE events.id = v.id`,
    values: [[...last.keys()], [...last.values()]],
  });
}
