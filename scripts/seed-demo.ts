import type { Config } from '../shared/config';
import { loadConfigOrExit } from '../shared/config';
import { createLogger, type Logger } from '../shared/logger';
import { createPool } from '../shared/db/pool';
import { connectAmqp } from '../shared/amqp/connect';
import { ConfirmPublisher } from '../shared/amqp/publisher';
import { assertTopology, buildTopology } from '../shared/amqp/topology';
import { createEvent } from '../ingress/services/create-event';
import { createEventSchema } from '../shared/contracts/events';

export const DEMO_ORGANIZER = 'demo-organizer';

/**
 * Creates the demo data on first run (when there are no events): a reserved-seating stadium show of
 * 20,000 seats in five sections and price tiers, and a general-admission club night. Goes through the
 * same path as `POST /v1/events`, so the single writer creates the inventory.
 */
export async function seedDemo(config: Config, logger: Logger): Promise<string[]> {
  const pool = createPool(config.DATABASE_URL, 2, 'seed');
  const conn = await connectAmqp(config.AMQP_URL, 'seed');
  try {
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM events');
    if (rows[0].n > 0) {
      logger.info('demo data present; skipping');
      return [];
    }
    const ch = await conn.createChannel();
    await assertTopology(ch, buildTopology(config));
    await ch.close();
    const publisher = await ConfirmPublisher.open(conn, config.AMQP_PREFIX);
    const inAMonth = new Date(Date.now() + 30 * 86400_000).toISOString();
    const stadium = createEventSchema.parse({
      name: 'Aurora Skies — Stadium Tour 2027',
      starts_at: inAMonth,
      hold_seconds: 600,
      max_per_user: 6,
      sections: [
        { name: 'Floor', rows: 20, seats_per_row: 100, price: 249, price_tier: 'platinum' },
        { name: 'Lower-A', rows: 30, seats_per_row: 100, price: 149, price_tier: 'gold' },
        { name: 'Lower-B', rows: 30, seats_per_row: 100, price: 149, price_tier: 'gold' },
        { name: 'Upper-A', rows: 60, seats_per_row: 100, price: 79, price_tier: 'silver' },
        { name: 'Upper-B', rows: 60, seats_per_row: 100, price: 79, price_tier: 'silver' },
      ],
    });
    const club = createEventSchema.parse({
      name: 'Night Shift — Warehouse Party',
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = loadConfigOrExit();
  const logger = createLogger('seed', config.LOG_LEVEL);
  seedDemo(config, logger).catch((err) => {
    logger.error((err as Error).message);
    process.exit(1);
  });
}
