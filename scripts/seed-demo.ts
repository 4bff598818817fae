import { pathToFileURL } from 'node:url';
import type { Config } from '../shared/config';
import { loadConfigOrExit } from '../shared/config';
import { createLogger, type Logger } from '../shared/logger';
import { createPool } from '../shared/db/pool';
import { connectAmqp } from '../shared/amqp/connect';
import { ConfirmPublisher } from '../shared/amqp/publisher';
import { assertTopology, buildTopology } from '../shared/amqp/topology';
import { createEvent } from '../ingress/services/create-event';
import { createEventSchema } from '../shared/contracts/events';
import { createVenueSchema } from '../shared/contracts/catalog';
import { createVenue } from '../ingress/services/create-venue';
import { createPerformer } from '../ingress/services/manage-performers';

export const DEMO_ORGANIZER = 'demo-organizer';

/**
 * Creates the demo data on first run (when there are no events): a venue (Aurora Arena, Oslo) with
 * 20,000 seats in five sections, its performers, a reserved-seating show there in three price tiers,
 * and a general-admission club night. Goes through the
 * same path as `POST /v1/events`, so the single writer creates the inventory.
 */
export async function seedDemo(config: Config, logger: Logger): Promise<string[]> {
  const pool = createPool(config.DATABASE_URL, 2, 'seed');
  const conn = await connectAmqp(config.AMQP_URL, 'seed');
  try {
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    if (rows[0]!.n > 0) {
      logger.info('demo data present; skipping');
      return [];
    }
    const ch = await conn.createChannel();
    await assertTopology(ch, buildTopology(config));
    await ch.close();
    const publisher = await ConfirmPublisher.open(conn, config.AMQP_PREFIX);
    // Catalog side: a venue with its seat layout and the performers, so search and event pages have
    // something to show (`npm run seed:catalog` makes a big synthetic catalog).
    const arena = await createVenue(
      pool,
      DEMO_ORGANIZER,
      createVenueSchema.parse({
        name: 'Aurora Arena',
        address: '1 Harbour Way',
        city: 'Oslo',
        country: 'NO',
        lat: 59.9075,
        lon: 10.7536,
        sections: [
          { name: 'Floor', rows: 20, seats_per_row: 100 },
          {
            name: 'Lower-A',
            rows: 30,
            seats_per_row: 100,
            accessible: [
              { row: 30, seat: 1 },
              { row: 30, seat: 2 },
            ],
          },
          {
            name: 'Lower-B',
            rows: 30,
            seats_per_row: 100,
            accessible: [
              { row: 30, seat: 1 },
              { row: 30, seat: 2 },
            ],
          },
          { name: 'Upper-A', rows: 60, seats_per_row: 100 },
          { name: 'Upper-B', rows: 60, seats_per_row: 100 },
        ],
        standing_capacity: 1500,
      }),
    );
    const band = await createPerformer(pool, DEMO_ORGANIZER, { name: 'Aurora Skies', type: 'band', genre: 'indie' });
    const dj = await createPerformer(pool, DEMO_ORGANIZER, { name: 'DJ Night Shift', type: 'artist', genre: 'techno' });
    const inAMonth = new Date(Date.now() + 30 * 86400_000).toISOString();
    const stadium = createEventSchema.parse({
      name: 'Aurora Skies — Stadium Tour 2027',
      description: 'The stadium tour, with the full light show.',
      category: 'concert',
      starts_at: inAMonth,
      hold_seconds: 600,
      max_per_user: 6,
      venue_id: arena,
      performer_ids: [band.id],
      price_tiers: [
        { name: 'platinum', price: 249, sections: ['Floor'] },
        { name: 'gold', price: 149, sections: ['Lower-A', 'Lower-B'] },
        { name: 'silver', price: 79, sections: ['Upper-A', 'Upper-B'] },
      ],
    });
    const club = createEventSchema.parse({
      name: 'Night Shift — Warehouse Party',
      category: 'concert',
      venue_id: arena,
      performer_ids: [dj.id],
      starts_at: inAMonth,
      hold_seconds: 300,
      max_per_user: 4,
      general_admission: { capacity: 1500, price: 35 },
    });
    const ids: string[] = [];
    for (const body of [stadium, club]) {
      const { id } = await createEvent({ pool, publisher, partitions: config.PARTITIONS }, DEMO_ORGANIZER, body);
      ids.push(id);
    }
    await publisher.close();
    logger.info('demo data created', { events: ids });
    return ids;
  } finally {
    await conn.close().catch(() => undefined);
    await pool.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfigOrExit();
  const logger = createLogger('seed', config.LOG_LEVEL);
  seedDemo(config, logger).catch((err: unknown) => {
    logger.error((err as Error).message);
    process.exit(1);
  });
}
