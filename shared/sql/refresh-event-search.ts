import type { Pool, PoolClient, NoRows } from '../db/pool';

/**
 * Rebuilds the search document of some events from their name, performers, venue, city, category and
 * performers' genres (accent-folded, `simple` configuration: names are not stemmed), and adds their
 * words to the spelling lexicon. Called after any change to an event, or to a venue or performer it
 * names; the seeder calls it in bulk.
 */
export async function refreshEventSearch(db: Pool | PoolClient, eventIds: readonly string[]): Promise<void> {
  if (!eventIds.length) return;
  await db.query<NoRows>({
    name: 'refresh-event-search',
    text: `WITH docs AS (
             SELECT e.id, onsale_search_document(e.name, p.names, v.name, v.city, e.category, p.genres) AS doc
             FROM events e
             LEFT JOIN venues v ON v.id = e.venue_id
             LEFT JOIN LATERAL (
               SELECT string_agg(pf.name, ' ') AS names, string_agg(pf.genre, ' ') AS genres
               FROM event_performers ep JOIN performers pf ON pf.id = ep.performer_id
               WHERE ep.event_id = e.id
             ) p ON true
             WHERE e.id = ANY($1::uuid[])
           ), updated AS (
             UPDATE events e SET search_document = docs.doc FROM docs WHERE e.id = docs.id RETURNING docs.doc
           )
           INSERT INTO search_lexicon (word)
           SELECT DISTINCT lexeme FROM updated, unnest(updated.doc) WHERE lexeme ~ '^[[:alnum:]]+$'
           ORDER BY 1 -- one lock order: concurrent writers never deadlock on the lexicon
           ON CONFLICT DO NOTHING`,
    values: [eventIds],
  });
}
