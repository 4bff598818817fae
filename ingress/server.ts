import http from 'node:http';
import type { Config } from '../shared/config';
import { createLogger, type Logger } from '../shared/logger';
import { createPool } from '../shared/db/pool';
import { connectRedis } from '../shared/redis/connect';
import { redisKeys } from '../shared/redis/keys';
import { once } from '../shared/shutdown';
import { BrokerLink } from './broker-link';
import { createApp } from './app';
import type { IngressContext } from './context';

export interface RunningIngress {
  port: number;
  ctx: IngressContext;
  close(): Promise<void>;
}

/** Starts the ingress role: connects to PostgreSQL, Redis and RabbitMQ and listens on `port`. */
export async function startIngress(config: Config, logger: Logger = createLogger('ingress'), port = config.PORT): Promise<RunningIngress> {
  const pool = createPool(config.DATABASE_URL, 20, 'ingress');
  await pool.query('SELECT 1').catch((err) => {
    throw new Error(`PostgreSQL is not reachable (${err.message}). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   (or: docker compose up postgres)`);
  });
  const redis = await connectRedis(config.REDIS_URL, 'ingress');
  const broker = new BrokerLink(config, logger);
  await broker.start();
  const ctx: IngressContext = { config, pool, redis, keys: redisKeys(config.REDIS_PREFIX), broker, logger };
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
    await pool.end();
    logger.info('ingress stopped');
  });
  return { port: actual, ctx, close };
}
