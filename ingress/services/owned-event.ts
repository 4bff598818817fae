import type { Request } from 'express';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { assertOwner } from '../middleware/owner';
import { uuidParam } from '../../shared/contracts/http';
import type { PartitionCommand } from '../../shared/contracts/messages';
import { AppError } from '../../shared/errors';
import { getEventRow, type EventRow } from '../../shared/sql/get-event';

/**
 * The event named by `:id`, which the caller may change (its organizer or an operator):
 * `400 invalid_id`, `404 event_not_found` or `403 forbidden` otherwise.
 */
export async function ownedEvent(ctx: IngressContext, req: Request): Promise<EventRow> {
  const id = uuidParam.safeParse(req.params.id);
  if (!id.success) throw new AppError('invalid_id');
  const ev = await getEventRow(ctx.pool, id.data);
  if (!ev) throw new AppError('event_not_found');
  assertOwner(principalOf(req), ev.organizer_id, 'event');
  return ev;
}

/**
 * Sends an inventory change to the event's partition, whose single writer applies it. Resolves once
 * the broker confirmed; `503 queue_unavailable` when it did not (the change may still apply: repeating it is safe).
 */
export async function sendToPartition(
  ctx: IngressContext,
  partition: number,
  command: PartitionCommand,
): Promise<void> {
  await ctx.broker
    .publisher()
    .publishCommand(partition, command)
    .catch(() => {
      throw new AppError(
        'queue_unavailable',
        'The broker did not confirm the change; it may or may not apply. Retrying the same change is safe.',
        undefined,
        1,
      );
    });
}
