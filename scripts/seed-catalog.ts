import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../shared/config';
import { createLogger } from '../shared/logger';
import { createPool } from '../shared/db/pool';
import { initInventory, resetCatalog, seedCatalog } from './catalog/write';

/**
 * `npm run seed:catalog`: a realistic synthetic catalog (see scripts/catalog/write.ts). The generator
 * is scripts/catalog/generate.ts (names from scripts/catalog/names.ts); this file is the command line.
 *
 * @example npm run seed:catalog -- --events 100000 --seed 7
 */
export { initInventory, resetCatalog, seedCatalog };
export type { SeedCatalogOptions, SeedCatalogResult } from './catalog/write';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000' },
      venues: { type: 'string' },
      performers: { type: 'string' },
      seed: { type: 'string', default: '1' },
      organizer: { type: 'string', default: 'catalog-seed' },
      days: { type: 'string', default: '365' },
      init: { type: 'string', default: '0' },
      reset: { type: 'boolean', default: false },
    },
  });
  const num = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      process.stderr.write(`--${name} must be a whole number from ${min} to ${max} (got ${v})\n`);
      process.exit(2);
    }
    return n;
  };
  const config = loadConfigOrExit();
  const logger = createLogger('seed-catalog', config.LOG_LEVEL);
  const pool = createPool(config.DATABASE_URL, 3, 'seed-catalog');
  try {
    if (values.reset) await resetCatalog(pool, values.organizer);
    const result = await seedCatalog(
      pool,
      {
        events: num('events', values.events, 1, 5_000_000)!,
        venues: num('venues', values.venues, 1, 100_000),
        performers: num('performers', values.performers, 1, 1_000_000),
        seed: num('seed', values.seed, 0, 2 ** 31),
        organizer: values.organizer,
        partitions: config.PARTITIONS,
        days: num('days', values.days, 1, 3650),
      },
      logger,
    );
    const init = num('init', values.init, 0, result.events)!;
    if (init) await initInventory(config, pool, result.eventIds.slice(0, init));
    const { eventIds, ...summary } = result;
    logger.info('catalog created', { ...summary, inventory_init_sent: init, first_event: eventIds[0] });
  } catch (err) {
    logger.error((err as Error).message);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}
