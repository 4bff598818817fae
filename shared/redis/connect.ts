import { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../amqp/connect';

/**
 * Creates an ioredis client that keeps reconnecting in the background. Commands fail fast while
 * Redis is down (no offline queue), so callers can fall back instead of hanging.
 */
export function createRedis(url: string, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', () => {
    // ioredis reconnects by itself; errors surface on the commands that fail.
  });
  return redis;
}

/** Connects and pings once, naming Redis and how to start it when it does not answer. */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const redis = createRedis(url, name);
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new ServiceUnavailableError(
      'Redis',
      url,
      err,
      'redis-server --daemonize yes   (or: docker compose up redis)',
    );
  }
}
