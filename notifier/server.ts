import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import helmet from 'helmet';
import { Server } from 'socket.io';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Config } from '../shared/config';
import { createLogger, type Logger } from '../shared/logger';
import { createPool } from '../shared/db/pool';
import type { Channel } from 'amqplib';
import { connectAmqp } from '../shared/amqp/connect';
import { assertTopology, buildTopology, names as amqpNames } from '../shared/amqp/topology';
import { connectRedis } from '../shared/redis/connect';
import { redisKeys } from '../shared/redis/keys';
import { healthRouter } from '../shared/http/health';
import { once } from '../shared/shutdown';
import type { BookingResult, BookingResults, EventProgress, SeatsChanged } from '../shared/contracts/messages';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from '../shared/contracts/socket';
import { deliver, type NotifierContext, type NotifierServer } from './context';
import { EventDirectory } from './event-directory';
import { RecentResults } from './recent-results';
import { loadNotifierSettings, type NotifierSettings } from './settings';
import { registerSocketHandlers } from './socket/register';
import { resilientRedisAdapter } from './redis-adapter';
import { toPush } from './to-push';
import { etaFor, positionFor, Watchers } from './watchers';

export interface RunningNotifier {
  port: number;
  io: NotifierServer;
  close(): Promise<void>;
}

/** Positions up to this one are pushed at every move, whatever NOTIFIER_POSITION_INTERVAL_MS says. */
const FRONT_OF_QUEUE = 5;
/** Clients send small JSON events; anything bigger is refused by the transport. */
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

/**
 * The notifier role: Socket.IO with the Redis adapter (several instances work together).
 * - Results and progress arrive on a queue of this instance's own (every instance sees every message)
 *   because positions and "push each result once" need this instance's own sockets' state.
 * - Seat changes are identical for every watcher: one shared queue, and one instance broadcasts each
 *   change to the event's room through the adapter.
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
  conn.on('error', (err: Error) => logger.error('broker connection error', { err: err.message }));
  conn.on('close', () => {
    if (!shuttingDown) {
      logger.error('broker connection lost; exiting so clients reconnect to a healthy instance');
      setTimeout(() => process.exit(1), 100).unref();
    }
  });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const connected = new Gauge({ name: 'onsale_notifier_sockets', help: 'Connected sockets', registers: [registry] });
  const pushed = new Counter({ name: 'onsale_notifier_pushes_total', help: 'Messages pushed to sockets', labelNames: ['event'], registers: [registry] });

  let broker: { ch: Channel; queue: string } | null = null;
  const app = express();
  app.use(helmet());
  app.use(
    healthRouter(
      {
        postgres: () => pool.query('SELECT 1'),
        redis: () => redis.ping(),
        // A round trip to the broker on the consuming channel: its queue exists as long as this instance consumes.
        rabbitmq: async () => {
          if (shuttingDown) throw new Error('closing');
          if (!broker) throw new Error('not subscribed yet');
          await broker.ch.checkQueue(broker.queue);
        },
      },
      registry,
      () => shuttingDown,
    ),
  );
  const server = http.createServer(app);
  const io: NotifierServer = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(server, {
    cors: { origin: true },
    maxHttpBufferSize: MAX_CLIENT_MESSAGE_BYTES,
    adapter: resilientRedisAdapter(pubClient, subClient, keys.socketIo, logger),
  });
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
    recent: new RecentResults(settings.NOTIFIER_RECENT_RESULTS),
    events: new EventDirectory(pool),
    pushed,
    timers: new Set(),
  };
  const { watchers } = ctx;
  registerSocketHandlers(ctx, connected);

  // --- broker subscriptions ---
  const n = amqpNames(config.AMQP_PREFIX);
  const ch = await conn.createChannel();
  await assertTopology(ch, buildTopology(config));
  await ch.prefetch(1000);
  const own = await ch.assertQueue(`${config.AMQP_PREFIX}notifier.${randomUUID()}`, { exclusive: true, autoDelete: true, arguments: { 'x-queue-type': 'classic' } });
  await ch.bindQueue(own.queue, n.bookingEvents, 'booking.results.*');
  await ch.bindQueue(own.queue, n.bookingEvents, 'event.progress.*');
  const shared = await ch.assertQueue(`${config.AMQP_PREFIX}notifier.seats-changed`, {
    durable: true,
    arguments: { 'x-message-ttl': 10_000, 'x-expires': 3_600_000 },
  });
  await ch.bindQueue(shared.queue, n.bookingEvents, 'seats.changed.*');
  ch.on('error', (err: Error) => logger.error('broker channel error', { err: err.message }));
  ch.on('close', () => {
    if (!shuttingDown) {
      logger.error('broker channel closed; exiting so clients reconnect to a healthy instance');
      setTimeout(() => process.exit(1), 100).unref();
    }
  });
  broker = { ch, queue: own.queue };

  const onResult = (r: BookingResult) => {
    const push = toPush(r);
    ctx.recent.remember(r.user_id, r.seq ?? null, push);
    deliver(ctx, watchers.offer(push));
    logger.debug('result pushed', { booking_id: r.booking_id, correlation_id: r.correlation_id, status: r.status });
  };
  const onProgress = (p: EventProgress) => {
    io.local.to(`event:${p.event_id}`).emit('event.progress', { event_id: p.event_id, watermark: p.watermark, rate_per_s: p.rate_per_s, paused: p.paused });
    const now = Date.now();
    for (const w of watchers.queuedOf(p.event_id)) {
      if (w.seq === null) continue;
      const position = positionFor(w.seq, p.watermark);
      // At most one push per booking per interval (the queue may move hundreds of times a second),
      // except at the very front, where every step is news.
      if (position > FRONT_OF_QUEUE && now - w.lastPositionAt < config.NOTIFIER_POSITION_INTERVAL_MS) continue;
      for (const socketId of watchers.socketsOf(w)) {
        // Positions only ever move forward for a waiting client.
        if (!watchers.advance(socketId, w, position)) continue;
        w.lastPositionAt = now;
        io.local.to(socketId).emit('booking.position', { booking_id: w.bookingId, position, eta_seconds: etaFor(position, p.rate_per_s) });
        pushed.inc({ event: 'booking.position' });
      }
    }
  };

  const { consumerTag: ownTag } = await ch.consume(own.queue, (msg) => {
    if (!msg) return;
    try {
      const body = JSON.parse(msg.content.toString());
      if (msg.properties.type === 'booking.results') (body as BookingResults).results.forEach(onResult);
      else if (msg.properties.type === 'event.progress') onProgress(body as EventProgress);
    } catch (err) {
      logger.warn('unreadable booking event dropped', { err: (err as Error).message });
    }
    ch.ack(msg);
  });
  const { consumerTag: sharedTag } = await ch.consume(shared.queue, (msg) => {
    if (!msg) return;
    try {
      const body = JSON.parse(msg.content.toString()) as SeatsChanged;
      io.to(`event:${body.event_id}`).emit('seats.changed', body);
      pushed.inc({ event: 'seats.changed' });
    } catch (err) {
      logger.warn('unreadable seat change dropped', { err: (err as Error).message });
    }
    ch.ack(msg);
  });

  await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
  const actual = (server.address() as { port: number }).port;
  logger.info('notifier listening', { port: actual });

  const close = once(async () => {
    shuttingDown = true;
    for (const t of ctx.timers) clearTimeout(t);
    await ch.cancel(ownTag).catch(() => undefined);
    await ch.cancel(sharedTag).catch(() => undefined);
    await ch.close().catch(() => undefined);
    await conn.close().catch(() => undefined);
    // Clients reconnect elsewhere and re-watch; what they missed comes back as the current state.
    io.disconnectSockets(true);
    await new Promise<void>((resolve) => io.close(() => resolve()));
    redis.disconnect();
    pubClient.disconnect();
    subClient.disconnect();
    await pool.end();
    logger.info('notifier stopped');
  });
  return { port: actual, io, close };
}
