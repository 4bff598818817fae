import type { Config } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import type { Pool } from '../../shared/db/pool';
import { connectAmqp } from '../../shared/amqp/connect';
import { ConfirmPublisher } from '../../shared/amqp/publisher';
import { assertTopology, buildTopology } from '../../shared/amqp/topology';
import { insertVenueSeats } from '../../ingress/services/create-venue';
import { generateEvents, generatePerformers, generateVenues, prng } from './generate';

/**
 * A realistic synthetic catalog for demos, tests and benchmarks: cities, venues with seat layouts
 * (clubs with standing room, theatres, arenas, stadiums), performers with types and genres, and events
 * with categories, dates, on-sale times and price tiers mapped to the venues' sections. Written in
 * bulk (unnest), 100,000 events in seconds.
 *
 * Catalog events get no seat inventory: `inventory_ready` stays false and they show their full
 * capacity as available (source `layout`) until something sends their `inventory.init` into their
 * partition (`--init N` does it for the N soonest), after which the single writer creates the seats
 * like for any event. A catalog of 100,000 events × thousands of seats would be hundreds of millions
 * of seat rows nobody books.
 *
 * @example npm run seed:catalog -- --events 100000 --seed 7
 */

export interface SeedCatalogOptions {
  events: number;
  /** @defaultValue events / 250, at least 10 */
  venues?: number;
  /** @defaultValue events / 20, at least 20 */
  performers?: number;
  /** PRNG seed: the same seed gives the same names, places, dates and prices. @defaultValue 1 */
  seed?: number;
  /** organizer_id of everything created. @defaultValue `catalog-seed` */
  organizer?: string;
  /** Partition count used to place events. */
  partitions: number;
  /** Event dates spread from now over this many days. @defaultValue 365 */
  days?: number;
}

export interface SeedCatalogResult {
  events: number;
  venues: number;
  performers: number;
  venueSeats: number;
  ms: number;
  /** Ids of the created events, soonest first. */
  eventIds: string[];
}

/** Generates the catalog in memory and writes it in bulk. Safe to run again (adds another catalog). */
export async function seedCatalog(pool: Pool, opts: SeedCatalogOptions, logger?: Logger): Promise<SeedCatalogResult> {
  const started = performance.now();
  const rng = prng(opts.seed ?? 1);
  const organizer = opts.organizer ?? 'catalog-seed';
  const nVenues = opts.venues ?? Math.max(10, Math.round(opts.events / 250));
  const nPerformers = opts.performers ?? Math.max(20, Math.round(opts.events / 20));
  const days = opts.days ?? 365;

  // Venues and their seats (generated now, seats written later alongside the events).
  const { venues, seatsByVenue, seatCount, venueRows } = generateVenues(rng, nVenues);
  const vcol = (k: number) => venueRows.map((r) => r[k]);
  await pool.query({
    name: 'seed-venues',
    text: `INSERT INTO venues (id, organizer_id, name, address, city, country, lat, lon, layout, seated_capacity, standing_capacity)
           SELECT v.id, $1, v.name, v.address, v.city, v.country, v.lat, v.lon, v.layout, v.seated, v.standing
           FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::jsonb[], $10::int[], $11::int[])
                AS v(id, name, address, city, country, lat, lon, layout, seated, standing)`,
    values: [organizer, ...Array.from({ length: 10 }, (_, k) => vcol(k))],
  });
  logger?.debug('catalog venues written', {
    venues: venues.length,
    seats: seatCount,
    ms: Math.round(performance.now() - started),
  });

  // Performers.
  const performers = generatePerformers(rng, nPerformers);
  for (let i = 0; i < performers.length; i += 5000) {
    const chunk = performers.slice(i, i + 5000);
    await pool.query({
      name: 'seed-performers',
      text: `INSERT INTO performers (id, organizer_id, name, type, genre) SELECT p.id, $1, p.name, p.type, p.genre
             FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS p(id, name, type, genre)`,
      values: [
        organizer,
        chunk.map((p) => p.id),
        chunk.map((p) => p.name),
        chunk.map((p) => p.type),
        chunk.map((p) => p.genre),
      ],
    });
  }

  // Events.
  const events = generateEvents(rng, {
    count: opts.events,
    venues,
    performers,
    partitions: opts.partitions,
    days,
    now: Date.now(),
  });
  logger?.debug('catalog events generated', { events: events.length, ms: Math.round(performance.now() - started) });
  const col = (chunk: typeof events, k: number) => chunk.map((e) => e.row[k]);
  let written = 0;
  const writeEvents = async (chunk: typeof events) => {
    // The search document is computed in the same statement (onsale_search_document, as ingress
    // does), and its words go to the spelling lexicon: one write per event.
    await pool.query({
      name: 'seed-events',
      text: `WITH inserted AS (
               INSERT INTO events (id, organizer_id, name, description, category, venue_id, starts_at, ends_at, on_sale_at, partition, kind, layout, capacity,
                                   min_price_cents, max_price_cents, search_document)
               SELECT e.id, $1, e.name, e.description, e.category, e.venue_id, e.starts_at, e.ends_at, e.on_sale_at, e.partition, e.kind, e.layout, e.capacity,
                      e.min_price_cents, e.max_price_cents, onsale_search_document(e.name, e.performers, v.name, v.city, e.category, e.genres)
               FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::int[], $11::text[], $12::jsonb[], $13::int[],
                           $14::int[], $15::int[], $16::text[], $17::text[])
                    AS e(id, name, description, category, venue_id, starts_at, ends_at, on_sale_at, partition, kind, layout, capacity, min_price_cents, max_price_cents, performers, genres)
               JOIN venues v ON v.id = e.venue_id
               RETURNING search_document
             )
             INSERT INTO search_lexicon (word)
             SELECT DISTINCT lexeme FROM inserted, unnest(inserted.search_document) WHERE lexeme ~ '^[[:alnum:]]+$'
             ORDER BY 1 -- one lock order: concurrent writers never deadlock on the lexicon
             ON CONFLICT DO NOTHING`,
      values: [
        organizer,
        ...Array.from({ length: 14 }, (_, k) => col(chunk, k)),
        chunk.map((e) => e.performers.map((p) => p.name).join(' ')),
        chunk.map((e) => e.performers.map((p) => p.genre).join(' ')),
      ],
    });
    const links = chunk.flatMap((e) => e.performers.map((p, pos) => [e.id, p.id, pos] as const));
    await pool.query({
      name: 'seed-event-performers',
      text: `INSERT INTO event_performers (event_id, performer_id, position) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[])`,
      values: [links.map((l) => l[0]), links.map((l) => l[1]), links.map((l) => l[2])],
    });
    written += chunk.length;
    logger?.debug('catalog events written', {
      done: written,
      of: events.length,
      ms: Math.round(performance.now() - started),
    });
  };

  // Two writers share the event chunks while a third writes the venues' seats: PostgreSQL works on
  // both cores while this process prepares the next chunk. Not one transaction: a failed run leaves
  // a partial catalog, which `--reset` removes.
  const chunks: Array<typeof events> = [];
  for (let i = 0; i < events.length; i += 5000) chunks.push(events.slice(i, i + 5000));
  const eventWriter = async () => {
    for (let c = chunks.shift(); c; c = chunks.shift()) await writeEvents(c);
  };
  const seatWriter = async () => {
    for (const [venueId, seats] of seatsByVenue) await insertVenueSeats(pool, venueId, seats);
  };
  // The search index has no pending list for the read side's sake; a bulk load is faster with one,
  // merged once at the end.
  await pool.query('ALTER INDEX events_search_idx SET (fastupdate = on)');
  try {
    await Promise.all([eventWriter(), eventWriter(), seatWriter()]);
  } finally {
    await pool.query(
      `SELECT gin_clean_pending_list('events_search_idx'); ALTER INDEX events_search_idx SET (fastupdate = off)`,
    );
  }
  logger?.debug('catalog search index merged', { ms: Math.round(performance.now() - started) });
  await pool.query(
    'ANALYZE events; ANALYZE venues; ANALYZE venue_seats; ANALYZE event_performers; ANALYZE search_lexicon',
  );
  const eventIds = events.sort((a, b) => a.starts - b.starts).map((e) => e.id);
  return {
    events: events.length,
    venues: venues.length,
    performers: performers.length,
    venueSeats: seatCount,
    ms: Math.round(performance.now() - started),
    eventIds,
  };
}

/** Sends `inventory.init` for some events, so the single writer creates their seats. */
export async function initInventory(config: Config, pool: Pool, eventIds: readonly string[]): Promise<void> {
  if (!eventIds.length) return;
  const conn = await connectAmqp(config.AMQP_URL, 'seed-catalog');
  try {
    const ch = await conn.createChannel();
    await assertTopology(ch, buildTopology(config));
    await ch.close();
    const publisher = await ConfirmPublisher.open(conn, config.AMQP_PREFIX);
    const { rows } = await pool.query<{ id: string; partition: number }>(
      'SELECT id, partition FROM events WHERE id = ANY($1::uuid[])',
      [eventIds],
    );
    for (const r of rows) await publisher.publishCommand(r.partition, { type: 'inventory.init', event_id: r.id });
    await publisher.close();
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** Removes a catalog made by this generator (everything whose organizer is `organizer`). */
export async function resetCatalog(pool: Pool, organizer: string): Promise<void> {
  await pool.query('DELETE FROM events WHERE organizer_id = $1', [organizer]);
  await pool.query(
    'DELETE FROM performers WHERE organizer_id = $1 AND NOT EXISTS (SELECT 1 FROM event_performers ep WHERE ep.performer_id = performers.id)',
    [organizer],
  );
  await pool.query(
    'DELETE FROM venues WHERE organizer_id = $1 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.venue_id = venues.id)',
    [organizer],
  );
}
