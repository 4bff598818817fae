import http from 'node:http';
import type { Config } from '../shared/config';
import { createLogger, type Logger } from '../shared/logger';
import { createPool } from '../shared/db/pool';
import { connectRedis, createRedis } from '../shared/redis/connect';
import { redisKeys } from '../shared/redis/keys';
import { once } from '../shared/shutdown';
import { BrokerLink } from './broker-link';
import { createApp } from './app';
import { createReadPool } from './read-model/read-pool';
import type { IngressContext } from './context';

export interface RunningIngress {
  port: number;
  ctx: IngressContext;
  close(): Promise<void>;
}

/** Starts the ingress role: connects to PostgreSQL, Redis and RabbitMQ and listens on `port`. */
export async function startIngress(
  config: Config,
  logger: Logger = createLogger('ingress'),
  port = config.PORT,
): Promise<RunningIngress> {
  const pool = createPool(config.DATABASE_URL, 20, 'ingress');
  await pool.query('SELECT 1').catch((err: unknown) => {
    throw new Error(
      `PostgreSQL is not reachable (${(err as Error).message}). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   (or: docker compose up postgres)`,
    );
  });
  const redis = await connectRedis(config.REDIS_URL, 'ingress');
  const broker = new BrokerLink(config, logger);
  await broker.start();
  // The read side's own pool and Redis connection; Redis may be down (reads fall back to PostgreSQL).
  const readPool = createReadPool(config);
  const readRedis = createRedis(config.REDIS_URL, 'ingress-read');
  readRedis.connect().catch(() => undefined);
  const ctx: IngressContext = {
    config,
    pool,
    redis,
    keys: redisKeys(config.REDIS_PREFIX),
    broker,
    logger,
    read: { pool: readPool, redis: readRedis },
  };
  const state = { shuttingDown: false };
  const server = http.createServer(createApp(ctx, state));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
  const actual = (server.address() as { port: number }).port;
  logger.info('ingress listening', { port: actual });
  const close = once(async () => {
    state.shuttingDown = true;
    // Stop accepting, let in-flight requests finish (their publishes are confirmed or fail), then close.
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await broker.close();
    redis.disconnect();
    readRedis.disconnect();
    await Promise.all([pool.end(), readPool.end()]);
    logger.info('ingress stopped');
  });
  return { port: actual, ctx, close };
}
