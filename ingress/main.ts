import { loadConfigOrExit } from '../shared/config';
import { createLogger } from '../shared/logger';
import { onShutdownSignals } from '../shared/shutdown';
import { startIngress } from './server';

const config = loadConfigOrExit();
const logger = createLogger('ingress', config.LOG_LEVEL);
try {
  const ingress = await startIngress(config, logger);
  onShutdownSignals(ingress.close, logger, config.SHUTDOWN_TIMEOUT_MS);
} catch (err) {
  logger.error((err as Error).message);
  process.exit(1);
}
