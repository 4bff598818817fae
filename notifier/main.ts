import { loadConfigOrExit } from '../shared/config';
import { createLogger } from '../shared/logger';
import { onShutdownSignals } from '../shared/shutdown';
import { startNotifier } from './server';

const config = loadConfigOrExit();
const logger = createLogger('notifier', config.LOG_LEVEL);
try {
  const notifier = await startNotifier(config, logger);
  onShutdownSignals(notifier.close, logger, config.SHUTDOWN_TIMEOUT_MS);
} catch (err) {
  logger.error((err as Error).message);
  process.exit(1);
}
