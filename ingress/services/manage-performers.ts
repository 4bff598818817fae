import { randomUUID } from 'node:crypto';
import type { Principal } from '../../shared/auth';
import type { Pool } from '../../shared/db/pool';
import type { z } from 'zod';
import type { createPerformerSchema, updatePerformerSchema } from '../../shared/contracts/catalog';
import { AppError } from '../../shared/errors';
import { refreshEventSearch } from '../../shared/sql/refresh-event-search';
import { assertOwner } from '../middleware/owner';

export interface PerformerRow {
  id: string;
  organizer_id: string;
  name: string;
  type: string;
  genre: string | null;
  created_at: Date;
  updated_at: Date;
}

export function publicPerformer(p: PerformerRow) {
  return {
    id: p.id,
    organizer_id: p.organizer_id,
    name: p.name,
    type: p.type,
    genre: p.genre,
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at.toISOString(),
  };
}

export async function getPerformer(pool: Pool, id: string): Promise<PerformerRow | null> {
  const { rows } = await pool.query<PerformerRow>({
    name: 'get-performer',
    text: 'SELECT * FROM performers WHERE id = $1',
    values: [id],
  });
  return rows[0] ?? null;
}

export async function createPerformer(
  pool: Pool,
  organizerId: string,
  body: z.infer<typeof createPerformerSchema>,
): Promise<PerformerRow> {
  const { rows } = await pool.query<PerformerRow>({
    name: 'insert-performer',
    text: 'INSERT INTO performers (id, organizer_id, name, type, genre) VALUES ($1, $2, $3, $4, $5) RETURNING *',
    values: [randomUUID(), organizerId, body.name, body.type, body.genre ?? null],
  });
  return rows[0]!;
}

/**
 * Renames or retypes a performer (owner or operator). Every event it performs at gets its search
 * document rebuilt; the caller drops their cached pages (returned ids).
 */
export async function updatePerformer(
  pool: Pool,
  principal: Principal,
  id: string,
  body: z.infer<typeof updatePerformerSchema>,
): Promise<{ performer: PerformerRow; eventIds: string[] }> {
  const current = await getPerformer(pool, id);
  if (!current) throw new AppError('performer_not_found');
  assertOwner(principal, current.organizer_id, 'performer');
  const { rows } = await pool.query<PerformerRow>({
    name: 'update-performer',
    text: `UPDATE performers SET name = COALESCE($2, name), type = COALESCE($3, type),
                                 genre = CASE WHEN $4::boolean THEN $5 ELSE genre END, updated_at = now()
           WHERE id = $1 RETURNING *`,
    values: [id, body.name ?? null, body.type ?? null, body.genre !== undefined, body.genre ?? null],
  });
  const { rows: events } = await pool.query<{ event_id: string }>({
    name: 'performer-events',
    text: 'SELECT event_id FROM event_performers WHERE performer_id = $1',
    values: [id],
  });
  const eventIds = events.map((e) => e.event_id);
  await refreshEventSearch(pool, eventIds);
  return { performer: rows[0]!, eventIds };
}
