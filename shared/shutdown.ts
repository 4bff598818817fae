import type { Logger } from './logger';

/**
 * Graceful shutdown for a role: the first SIGTERM/SIGINT runs `close()` once (bounded by a timeout),
 * a second signal forces exit.
 */
export function onShutdownSignals(close: () => Promise<void>, logger: Logger, timeoutMs: number): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) {
      logger.warn('second signal: forcing exit', { signal });
      process.exit(1);
    }
    closing = true;
    logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; forcing exit', { timeout_ms: timeoutMs });
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { err: (err as Error).message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

/** Wraps an async close so that calling it twice returns the same promise. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | null = null;
  return () => (p ??= fn());
}
