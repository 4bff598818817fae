import { loadConfigOrExit, type Config } from './config';
import { createLogger, type Logger } from './logger';
import { onShutdownSignals } from './shutdown';

/**
 * Entry point of a role process: validated config, a JSON logger, start, and graceful shutdown on
 * SIGTERM/SIGINT. A failure to start (a service down, a bad setting) exits with its message.
 */
export async function runRole(
  role: string,
  start: (config: Config, logger: Logger) => Promise<{ close(): Promise<void> }>,
): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(role, config.LOG_LEVEL);
  try {
    const running = await start(config, logger);
    onShutdownSignals(() => running.close(), logger, config.SHUTDOWN_TIMEOUT_MS);
  } catch (err) {
    logger.error((err as Error).message);
    process.exit(1);
  }
}
