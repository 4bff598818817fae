import http from 'node:http';
import { hostname } from 'node:os';
import express from 'express';
import { LRUCache } from 'lru-cache';
import helmet from 'helmet';
import { Server } from 'socket.io';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import type { Config } from '../shared/config';
import type { Pool } from '../shared/db/pool';
import { createLogger, type Logger } from '../shared/logger';
import { createPool } from '../shared/db/pool';
import { connectAmqp } from '../shared/amqp/connect';
import { assertTopology, buildTopology } from '../shared/amqp/topology';
import { connectRedis } from '../shared/redis/connect';
import { redisKeys } from '../shared/redis/keys';
import { healthRouter, migrationCheck } from '../shared/http/health';
import { metricsGuard } from '../shared/http/metrics-guard';
import { once } from '../shared/shutdown';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from '../shared/contracts/socket';
import type { NotifierContext, NotifierServer } from './context';
import { EventDirectory } from './event-directory';
import { RecentResults } from './recent-results';
import { resilientRedisAdapter } from './redis-adapter';
import { loadNotifierSettings, type NotifierSettings } from './settings';
import { registerSocketHandlers } from './socket/register';
import { startRevocationSweep, type TokenVersionSource } from './socket/revocation';
import { tokenVersionKey, tokenVersions } from '../shared/token-versions';
import { subscribeBookingEvents, type BrokerSubscription } from './broker/subscribe';
import { Watchers } from './watchers';
import { reportSocketCount } from './report-socket-count';

export interface RunningNotifier {
  port: number;
  io: NotifierServer;
  close(): Promise<void>;
}

/** Clients send small JSON events; anything bigger is refused by the transport. */
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

/**
 * The notifier role: Socket.IO with the Redis adapter (several instances work together). This is the
 * wiring; the socket handlers live in `socket/`, the broker consumers in `broker/`.
 *
 * @param settings - the notifier's limits; read from the environment unless given (tests).
 */
export async function startNotifier(
  config: Config,
  logger: Logger = createLogger('notifier'),
  port = config.NOTIFIER_PORT,
  settings: NotifierSettings = loadNotifierSettings(),
): Promise<RunningNotifier> {
  const keys = redisKeys(config.REDIS_PREFIX);
  const pool = createPool(config.DATABASE_URL, 5, 'notifier');
  const redis = await connectRedis(config.REDIS_URL, 'notifier');
  const pubClient = await connectRedis(config.REDIS_URL, 'notifier-adapter-pub');
  const subClient = await connectRedis(config.REDIS_URL, 'notifier-adapter-sub');
  const conn = await connectAmqp(config.AMQP_URL, 'notifier');
  let shuttingDown = false;
  const exitOnLoss = (what: string) => () => {
    if (shuttingDown) return;
    logger.error(`${what} lost; exiting so clients reconnect to a healthy instance`);
    setTimeout(() => process.exit(1), 100).unref();
  };
  conn.on('error', (err: Error) => logger.error('broker connection error', { err: err.message }));
  conn.on('close', exitOnLoss('broker connection'));

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const connected = new Gauge({ name: 'onsale_notifier_sockets', help: 'Connected sockets', registers: [registry] });
  const pushed = new Counter({
    name: 'onsale_notifier_pushes_total',
    help: 'Messages pushed to sockets',
    labelNames: ['event'],
    registers: [registry],
  });

  const watchLookups = new Counter({
    name: 'onsale_notifier_watch_lookups_total',
    help: 'booking.watch calls by where the owner was found: stream (recent outcome), redis, postgres',
    labelNames: ['source'],
    registers: [registry],
  });

  let broker: BrokerSubscription | null = null;
  const app = express();
  app.use(helmet());
  app.use(
    healthRouter(
      {
        postgres: () => pool.query('SELECT 1'),
        migrations: migrationCheck(pool),
        redis: () => redis.ping(),
        rabbitmq: async () => {
          if (shuttingDown) throw new Error('closing');
          if (!broker) throw new Error('not subscribed yet');
          await broker.check();
        },
      },
      registry,
      () => shuttingDown,
      // /metrics is not public in production: METRICS_TOKEN, as on every role.
      metricsGuard(config),
    ),
  );
  const server = http.createServer(app);
  const io: NotifierServer = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(
    server,
    {
      cors: { origin: true },
      maxHttpBufferSize: MAX_CLIENT_MESSAGE_BYTES,
      adapter: resilientRedisAdapter(pubClient, subClient, keys.socketIo, logger),
    },
  );
  // Socket.IO answers its own HTTP requests (handshake, polling, its client script) outside Express.
  io.engine.on('headers', (headers: Record<string, string>) => {
    headers['X-Content-Type-Options'] = 'nosniff';
    headers['Referrer-Policy'] = 'no-referrer';
  });

  const ctx: NotifierContext = {
    config,
    settings,
    logger,
    pool,
    redis,
    keys,
    io,
    watchers: new Watchers(),
    recent: new RecentResults(settings.NOTIFIER_RECENT_RESULTS, settings.NOTIFIER_RECENT_RESULTS_TTL_MS),
    events: new EventDirectory(pool),
    lastProgress: new LRUCache({ max: 10_000 }),
    pushed,
    watchLookups,
    timers: new Set(),
    tokens: revocationSource(config, pool, redis),
  };
  registerSocketHandlers(ctx, connected);
  const purge = setInterval(
    () => ctx.recent.purgeStale(),
    Math.min(30_000, settings.NOTIFIER_RECENT_RESULTS_TTL_MS),
  ).unref();
  ctx.timers.add(purge);
  const sweep = ctx.tokens
    ? startRevocationSweep(io, redis, ctx.tokens, settings.NOTIFIER_REVOCATION_SWEEP_MS, logger)
    : null;

  const ch = await conn.createChannel();
  ch.on('error', (err: Error) => logger.error('broker channel error', { err: err.message }));
  ch.on('close', exitOnLoss('broker channel'));
  await assertTopology(ch, buildTopology(config));
  broker = await subscribeBookingEvents(ctx, ch);
  ctx.recent.streamStarted();

  await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
  const actual = (server.address() as { port: number }).port;
  logger.info('notifier listening', { port: actual });
  const stopReporting = reportSocketCount(ctx, `${hostname()}:${process.pid}:${actual}`);

  const close = once(async () => {
    shuttingDown = true;
    await stopReporting();
    for (const t of ctx.timers) clearTimeout(t);
    sweep?.stop();
    await broker.cancel();
    await ch.close().catch(() => undefined);
    await conn.close().catch(() => undefined);
    // Clients reconnect elsewhere and re-watch; what they missed comes back as the current state.
    io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      void io.close(() => resolve());
    });
    redis.disconnect();
    pubClient.disconnect();
    subClient.disconnect();
    await pool.end();
    logger.info('notifier stopped');
  });
  return { port: actual, io, close };
}

/** The token versions ingress checks, read the same way (per-process cache, Redis mirror, PostgreSQL). */
function revocationSource(config: Config, pool: Pool, redis: Redis): TokenVersionSource {
  const versions = tokenVersions({ pool, redis, prefix: config.REDIS_PREFIX, cacheMs: config.TOKEN_VERSION_CACHE_MS });
  return {
    isCurrent: (principal) => versions.isCurrent(principal),
    key: (userId) => tokenVersionKey(config.REDIS_PREFIX, userId),
  };
}
