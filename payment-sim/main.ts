import { loadConfigOrExit } from '../shared/config';
import { createLogger } from '../shared/logger';
import { onShutdownSignals } from '../shared/shutdown';
import { startPaymentSim } from './server';

/** `npm run start:payment-sim`: the development payment provider on PAYMENT_SIM_PORT. */
const config = loadConfigOrExit();
const logger = createLogger('payment-sim', config.LOG_LEVEL);
try {
  const sim = await startPaymentSim(
    { secret: config.PAYMENT_WEBHOOK_SECRET, latency_ms: config.PAYMENT_SIM_LATENCY_MS, decline_rate: config.PAYMENT_SIM_DECLINE_RATE },
    config.PAYMENT_SIM_PORT,
    logger,
  );
  onShutdownSignals(sim.close, logger, config.SHUTDOWN_TIMEOUT_MS);
} catch (err) {
  logger.error((err as Error).message);
  process.exit(1);
}
