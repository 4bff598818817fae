import { loadConfigOrExit } from '../shared/config';
import { createLogger } from '../shared/logger';
import { migrate } from '../shared/db/migrate';
import { ensureDatabase } from './ensure-database';

const config = loadConfigOrExit();
const logger = createLogger('migrate', config.LOG_LEVEL);
try {
  await ensureDatabase(config.DATABASE_URL);
  const applied = await migrate(config.DATABASE_URL, logger);
  logger.info(applied.length ? 'database migrated' : 'database up to date', { applied });
} catch (err) {
  logger.error((err as Error).message);
  process.exit(1);
}
