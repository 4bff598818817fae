import type { Redis } from 'ioredis';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Logger } from '../shared/logger';

/**
 * The Socket.IO Redis adapter, made to survive Redis going away. The adapter publishes every
 * broadcast (and join/leave/disconnect request) without handling the returned promise: with Redis
 * down each one was an unhandled rejection, which killed the notifier and every socket on it. Here a
 * failed publish is logged (once per outage) and dropped; the adapter still emits to this instance's
 * own sockets, and ioredis reconnects and resubscribes when Redis returns. (Un)subscribe calls are
 * guarded the same way.
 */
export function resilientRedisAdapter(
  pubClient: Redis,
  subClient: Redis,
  key: string,
  logger: Logger,
): ReturnType<typeof createAdapter> {
  const publish =
    pubClient.publish.bind<(channel: string | Buffer, message: string | Buffer) => Promise<number>>(pubClient);
  let failing = false;
  const guarded = (channel: string | Buffer, message: string | Buffer): Promise<number> =>
    publish(channel, message).then(
      (receivers) => {
        if (failing) logger.info('Redis adapter publishing again; broadcasts reach other notifier instances');
        failing = false;
        return receivers;
      },
      (err: unknown) => {
        if (!failing)
          logger.error('Redis adapter cannot publish; broadcasts reach only this instance until Redis returns', {
            err: (err as Error).message,
          });
        failing = true;
        return 0;
      },
    );
  Object.assign(pubClient, { publish: guarded });
  // (Un)subscribing happens at start and close; closing while Redis is down must not crash either.
  for (const name of ['psubscribe', 'punsubscribe', 'subscribe', 'unsubscribe'] as const) {
    const original = (subClient[name] as (...args: unknown[]) => Promise<unknown>).bind(subClient);
    Object.assign(subClient, {
      [name]: (...args: unknown[]) =>
        original(...args).catch((err: unknown) => {
          logger.warn(`Redis adapter ${name} failed`, { err: (err as Error).message });
          return 0;
        }),
    });
  }
  return createAdapter(pubClient, subClient, { key });
}
