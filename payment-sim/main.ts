import { loadConfigOrExit } from '../shared/config';
import { createLogger } from '../shared/logger';
import { onShutdownSignals } from '../shared/shutdown';
import { startPaymentSim } from './server';

/**
 * `npm run start:payment-sim`: the development payment provider on PAYMENT_SIM_HOST:PAYMENT_SIM_PORT
 * (loopback by default). It refuses to run with NODE_ENV=production, calls back only
 * PAYMENT_SIM_WEBHOOK_URL (default `<PUBLIC_BASE_URL>/v1/payments/callback`), its control routes
 * need PAYMENT_SIM_CONTROL_TOKEN, and with PAYMENT_SIM_JOURNAL it survives a crash.
 */
const config = loadConfigOrExit();
const logger = createLogger('payment-sim', config.LOG_LEVEL);
if (config.NODE_ENV === 'production') {
  process.stderr.write('The payment simulator is a development tool: it does not run with NODE_ENV=production.\n');
  process.exit(78); // EX_CONFIG
}
try {
  const sim = await startPaymentSim(
    {
      secret: config.PAYMENT_WEBHOOK_SECRET,
      latency_ms: config.PAYMENT_SIM_LATENCY_MS,
      decline_rate: config.PAYMENT_SIM_DECLINE_RATE,
    },
    config.PAYMENT_SIM_PORT,
    logger,
    {
      host: config.PAYMENT_SIM_HOST,
      webhook_url:
        config.PAYMENT_SIM_WEBHOOK_URL ?? new URL('/v1/payments/callback', config.PUBLIC_BASE_URL).toString(),
      ...(config.PAYMENT_SIM_CONTROL_TOKEN ? { control_token: config.PAYMENT_SIM_CONTROL_TOKEN } : {}),
    },
    config.PAYMENT_SIM_JOURNAL ? { journal_file: config.PAYMENT_SIM_JOURNAL } : {},
  );
  onShutdownSignals(() => sim.close(), logger, config.SHUTDOWN_TIMEOUT_MS);
} catch (err) {
  logger.error((err as Error).message);
  process.exit(1);
}
