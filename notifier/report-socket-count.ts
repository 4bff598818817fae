import type { NotifierContext } from './context';

/** How often each instance writes its count; the console treats an entry older than 3× this as gone. */
export const SOCKET_COUNT_INTERVAL_MS = 5000;

/**
 * Writes this instance's connected-socket count to Redis every few seconds, so the operations
 * console (through ingress) sees every notifier instance without scraping each one's `/metrics`.
 * The Prometheus gauge `onsale_notifier_sockets` says the same to Prometheus.
 * @returns a stop function that removes this instance's entry.
 */
export function reportSocketCount(
  ctx: Pick<NotifierContext, 'io' | 'redis' | 'keys' | 'logger'>,
  instanceId: string,
): () => Promise<void> {
  const write = () =>
    ctx.redis
      .hset(
        ctx.keys.notifierSockets,
        instanceId,
        JSON.stringify({ sockets: ctx.io.engine.clientsCount, at: new Date().toISOString() }),
      )
      .catch((err: unknown) =>
        ctx.logger.warn('socket count not written', { err: err instanceof Error ? err.message : String(err) }),
      );
  void write();
  const timer = setInterval(() => void write(), SOCKET_COUNT_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await ctx.redis.hdel(ctx.keys.notifierSockets, instanceId).catch(() => undefined);
  };
}
