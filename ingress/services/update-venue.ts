import type { Principal } from '../../shared/auth';
import type { Pool } from '../../shared/db/pool';
import type { z } from 'zod';
import type { updateVenueSchema } from '../../shared/contracts/catalog';
import { AppError } from '../../shared/errors';
import { refreshEventSearch } from '../../shared/sql/refresh-event-search';
import { assertOwner } from '../middleware/owner';
import { getVenueRow } from '../read-model/venue-details';

/**
 * Changes a venue's name, address or location (owner or operator). Its seat layout is fixed: events
 * were generated from it. Every event at the venue gets its search document rebuilt; the caller drops
 * their cached pages (returned ids).
 */
export async function updateVenue(
  pool: Pool,
  principal: Principal,
  id: string,
  body: z.infer<typeof updateVenueSchema>,
): Promise<string[]> {
  const venue = await getVenueRow(pool, id);
  if (!venue) throw new AppError('venue_not_found');
  assertOwner(principal, venue.organizer_id, 'venue');
  await pool.query({
    name: 'update-venue',
    text: `UPDATE venues SET name = COALESCE($2, name), address = COALESCE($3, address), city = COALESCE($4, city), country = COALESCE($5, country),
                             lat = COALESCE($6, lat), lon = COALESCE($7, lon), updated_at = now()
           WHERE id = $1`,
    values: [
      id,
      body.name ?? null,
      body.address ?? null,
      body.city ?? null,
      body.country ?? null,
      body.lat ?? null,
      body.lon ?? null,
    ],
  });
  const { rows } = await pool.query<{ id: string }>({
    name: 'venue-events',
    text: 'SELECT id FROM events WHERE venue_id = $1',
    values: [id],
  });
  const eventIds = rows.map((r) => r.id);
  for (let i = 0; i < eventIds.length; i += 5000) await refreshEventSearch(pool, eventIds.slice(i, i + 5000));
  return eventIds;
}
