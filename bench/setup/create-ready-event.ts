import { createEvent } from '../../ingress/services/create-event';
import type { CreateEventBody } from '../../shared/contracts/events';
import { eventBody, type ScenarioSpec } from '../scenarios';
import type { BenchEnv } from './create-bench-env';

/**
 * Creates an event as an organizer would (the row, then `inventory.init` to its partition) and waits
 * until the worker has expanded and committed its inventory, so the measurement starts on a ready,
 * loaded event. `partition` pins it (as an operator pins a headline event), else it is hashed;
 * `overrides` change the organizer's settings (e.g. `max_per_user`).
 */
export async function createReadyEvent(
  env: BenchEnv,
  partitions: number,
  spec: ScenarioSpec,
  partition?: number,
  overrides: Partial<CreateEventBody> = {},
): Promise<{ id: string; partition: number }> {
  const ev = await createEvent({ pool: env.pool, publisher: env.publisher, partitions }, 'bench-organizer', {
    ...eventBody(spec, partition),
    ...overrides,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await env.pool.query<{ inventory_ready: boolean }>(
      'SELECT inventory_ready FROM events WHERE id = $1',
      [ev.id],
    );
    if (rows[0]?.inventory_ready) return ev;
    if (Date.now() > deadline) throw new Error(`event ${ev.id}: inventory not ready within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
