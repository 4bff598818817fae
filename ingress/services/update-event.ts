import type { Principal } from '../../shared/auth';
import { withTransaction, type Pool } from '../../shared/db/pool';
import type { UpdateEventBody } from '../../shared/contracts/events';
import { AppError } from '../../shared/errors';
import { refreshEventSearch } from '../../shared/sql/refresh-event-search';
import { assertOwner } from '../middleware/owner';
import { assertPerformersExist, setEventPerformers } from './create-event';

/**
 * Changes an event's catalog fields (name, description, category, dates, performers) and rebuilds its
 * search document, in one transaction. Owner or operator only; a cancelled event is not editable.
 * Nothing here touches inventory: on-sale time, hold, limits, layout and prices belong to the
 * partition's single writer and would change through its queue.
 */
export async function updateEvent(
  pool: Pool,
  principal: Principal,
  eventId: string,
  body: UpdateEventBody,
): Promise<void> {
  await withTransaction(pool, async (client) => {
    const { rows } = await client.query<{
      organizer_id: string;
      status: string;
      starts_at: Date;
      ends_at: Date | null;
      cancelled_at?: Date | null;
    }>({
      name: 'event-for-update',
      text: 'SELECT * FROM events WHERE id = $1 FOR UPDATE',
      values: [eventId],
    });
    const ev = rows[0];
    if (!ev) throw new AppError('event_not_found');
    assertOwner(principal, ev.organizer_id, 'event');
    if (ev.status === 'cancelled' || ev.cancelled_at)
      throw new AppError('event_not_editable', 'The event is cancelled.');
    const startsAt = body.starts_at !== undefined ? Date.parse(body.starts_at) : ev.starts_at.getTime();
    const endsAt =
      body.ends_at !== undefined
        ? body.ends_at === null
          ? null
          : Date.parse(body.ends_at)
        : (ev.ends_at?.getTime() ?? null);
    if (endsAt !== null && endsAt <= startsAt) throw new AppError('invalid_range', 'ends_at must be after starts_at');
    if (body.performer_ids) await assertPerformersExist(pool, [...new Set(body.performer_ids)]);
    await client.query({
      name: 'update-event',
      text: `UPDATE events SET name = COALESCE($2, name), description = COALESCE($3, description), category = COALESCE($4, category),
                               starts_at = COALESCE($5::timestamptz, starts_at),
                               ends_at = CASE WHEN $6::boolean THEN $7::timestamptz ELSE ends_at END,
                               updated_at = now()
             WHERE id = $1`,
      values: [
        eventId,
        body.name ?? null,
        body.description ?? null,
        body.category ?? null,
        body.starts_at ?? null,
        body.ends_at !== undefined,
        body.ends_at ?? null,
      ],
    });
    if (body.performer_ids) await setEventPerformers(client, eventId, [...new Set(body.performer_ids)]);
    await refreshEventSearch(client, [eventId]);
  });
}
