import { loadConfigOrExit } from '../shared/config';
import { createLogger } from '../shared/logger';
import { onShutdownSignals } from '../shared/shutdown';
import { startWorker } from './worker';

const config = loadConfigOrExit();
const logger = createLogger('worker', config.LOG_LEVEL);
try {
  const worker = await startWorker(config, logger);
  onShutdownSignals(worker.close, logger, config.SHUTDOWN_TIMEOUT_MS);
} catch (err) {
  logger.error((err as Error).message);
  process.exit(1);
}
