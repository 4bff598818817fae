import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { z } from 'zod';
import type { Config } from '../shared/config';
import { createLogger, type Logger } from '../shared/logger';
import { createPool } from '../shared/db/pool';
import { connectAmqp } from '../shared/amqp/connect';
import { assertTopology, buildTopology, names as amqpNames } from '../shared/amqp/topology';
import { connectRedis } from '../shared/redis/connect';
import { redisKeys } from '../shared/redis/keys';
import { healthRouter } from '../shared/http/health';
import { once } from '../shared/shutdown';
import { bearer, verifyToken } from '../shared/auth';
import { bookingFromDatabase, pendingBooking } from '../shared/read/booking-status';
import { joinUserRoom, pushUserOffer } from './broker/user-offers';
import type { BookingResult, BookingResults, EventProgress, SeatsChanged } from '../shared/contracts/messages';
import type { BookingResultPush, ClientToServerEvents, ServerToClientEvents, SocketData, WatchAck } from '../shared/contracts/socket';
import { etaFor, positionFor, Watchers } from './watchers';

type NotifierSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RunningNotifier {
  port: number;
  io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  close(): Promise<void>;
}

const bookingWatch = z.object({ booking_id: z.string().uuid() });
const eventWatch = z.object({ event_id: z.string().uuid() });
/** Positions up to this one are pushed at every move, whatever NOTIFIER_POSITION_INTERVAL_MS says. */
const FRONT_OF_QUEUE = 5;

/**
 * The notifier role: Socket.IO with the Redis adapter (several instances work together).
 * - Results and progress arrive on a queue of this instance's own (every instance sees every message)
 *   because positions and "push each result once" need this instance's own sockets' state.
 * - Seat changes are identical for every watcher: one shared queue, and one instance broadcasts each
 *   change to the event's room through the adapter.
 */
export async function startNotifier(config: Config, logger: Logger = createLogger('notifier'), port = config.NOTIFIER_PORT): Promise<RunningNotifier> {
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

  const app = express();
  app.use(
    healthRouter(
      {
        postgres: () => pool.query('SELECT 1'),
        redis: () => redis.ping(),
        rabbitmq: async () => {
          if (shuttingDown) throw new Error('closing');
        },
      },
      registry,
      () => shuttingDown,
    ),
  );
  const server = http.createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(server, {
    cors: { origin: true },
    adapter: createAdapter(pubClient, subClient, { key: keys.socketIo }),
  });
  const watchers = new Watchers();

  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: string } | undefined)?.token ?? bearer(socket.handshake.headers.authorization);
    const principal = verifyToken(config.JWT_SECRET, token);
    if (!principal) return next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized' } }));
    socket.data.user_id = principal.user_id;
    socket.data.role = principal.role;
    next();
  });

  const sendResult = (socketId: string, r: BookingResultPush) => {
    // Keyed by status and decision time: a booking may return to `held` (declined payment) and that is news,
    // while a redelivered result carries the stored decision time and is not.
    if (!watchers.firstTime(socketId, r.booking_id, `${r.status}@${r.decided_at}`)) return;
    io.local.to(socketId).emit('booking.result', r);
    pushed.inc({ event: 'booking.result' });
  };

  io.on('connection', (socket: NotifierSocket) => {
    connected.inc();
    const log = logger.child({ user_id: socket.data.user_id, socket_id: socket.id });
    joinUserRoom(socket);

    socket.on('booking.watch', async (payload, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const parsed = bookingWatch.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, code: 'validation_failed', message: 'booking_id must be a uuid' });
      try {
        const id = parsed.data.booking_id;
        // Just after the 202 the request is only in Redis: ask there first, PostgreSQL once (below).
        const booking = (await pendingBooking(redis, keys, id)) ?? (await bookingFromDatabase(pool, id));
        if (!booking) return reply({ ok: false, code: 'booking_not_found', message: 'no such booking' });
        if (booking.user_id !== socket.data.user_id && socket.data.role !== 'operator') return reply({ ok: false, code: 'forbidden', message: 'only the owner may watch a booking' });
        // Register before reading progress, so a result published in between still reaches the socket.
        const w = watchers.watch(socket.id, id, booking.event_id, booking.seq, booking.status);
        const latest = await bookingFromDatabase(pool, id);
        if (latest && latest.status !== 'queued') {
          w.status = latest.status;
          reply({ ok: true, status: latest.status });
          sendResult(socket.id, toPush({ ...latest, decided_at: latest.decided_at ?? new Date().toISOString() }));
          return;
        }
        const wm = Number((await redis.get(keys.eventWatermark(booking.event_id)).catch(() => null)) ?? 0);
        const position = booking.seq !== null ? positionFor(booking.seq, wm) : null;
        reply({ ok: true, status: 'queued', position });
        // A progress broadcast may have reached this socket while we read the watermark: never repeat or go up.
        if (position !== null && w.status === 'queued' && position < (w.sockets.get(socket.id) ?? Infinity)) {
          w.sockets.set(socket.id, position);
          w.lastPositionAt = Date.now();
          socket.emit('booking.position', { booking_id: id, position, eta_seconds: null });
        }
        log.debug('watching booking', { booking_id: id });
      } catch (err) {
        log.error('booking.watch failed', { err: (err as Error).message });
        reply({ ok: false, code: 'internal_error', message: 'try again' });
      }
    });

    socket.on('booking.unwatch', (payload) => {
      const parsed = bookingWatch.safeParse(payload);
      if (parsed.success) watchers.unwatch(socket.id, parsed.data.booking_id);
    });

    socket.on('event.watch', async (payload, ack) => {
      const reply: (r: WatchAck) => void = typeof ack === 'function' ? ack : () => undefined;
      const parsed = eventWatch.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, code: 'validation_failed', message: 'event_id must be a uuid' });
      const { rowCount } = await pool.query('SELECT 1 FROM events WHERE id = $1', [parsed.data.event_id]).catch(() => ({ rowCount: -1 }));
      if (rowCount === 0) return reply({ ok: false, code: 'event_not_found', message: 'no such event' });
      await socket.join(`event:${parsed.data.event_id}`);
      reply({ ok: true });
    });

    socket.on('event.unwatch', (payload) => {
      const parsed = eventWatch.safeParse(payload);
      if (parsed.success) void socket.leave(`event:${parsed.data.event_id}`);
    });

    socket.on('disconnect', () => {
      connected.dec();
      watchers.dropSocket(socket.id);
    });
  });

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

  const onResult = (r: BookingResult) => {
    if (pushUserOffer(io, r)) pushed.inc({ event: 'waitlist.offer' });
    const w = watchers.get(r.booking_id);
    if (!w) return;
    if (r.status === 'queued') {
      // Drawn at the on-sale time: a new number, from which event.progress gives the first real
      // position (any earlier one was not a position yet).
      if (r.seq !== undefined) w.seq = r.seq;
      for (const socketId of w.sockets.keys()) w.sockets.set(socketId, Infinity);
      return;
    }
    w.status = r.status;
    for (const socketId of w.sockets.keys()) sendResult(socketId, toPush(r));
    logger.debug('result pushed', { booking_id: r.booking_id, correlation_id: r.correlation_id, status: r.status });
  };
  const onProgress = (p: EventProgress) => {
    io.local.to(`event:${p.event_id}`).emit('event.progress', { event_id: p.event_id, watermark: p.watermark, rate_per_s: p.rate_per_s, paused: p.paused });
    const now = Date.now();
    for (const w of watchers.ofEvent(p.event_id)) {
      if (w.status !== 'queued' || w.seq === null) continue;
      const position = positionFor(w.seq, p.watermark);
      // At most one push per booking per interval (the queue may move hundreds of times a second),
      // except at the very front, where every step is news.
      if (position > FRONT_OF_QUEUE && now - w.lastPositionAt < config.NOTIFIER_POSITION_INTERVAL_MS) continue;
      for (const [socketId, last] of w.sockets) {
        // Positions only ever move forward for a waiting client.
        if (position >= last) continue;
        w.sockets.set(socketId, position);
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

function toPush(r: Pick<BookingResult, 'booking_id' | 'event_id' | 'status' | 'decided_at'> & Partial<Omit<BookingResult, 'seq'>>): BookingResultPush {
  return {
    booking_id: r.booking_id,
    event_id: r.event_id,
    status: r.status,
    ...(r.seats ? { seats: r.seats } : {}),
    ...(r.quantity ? { quantity: r.quantity } : {}),
    ...(r.amount_cents !== undefined ? { amount_cents: r.amount_cents } : {}),
    ...(r.hold_expires_at ? { hold_expires_at: r.hold_expires_at } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    decided_at: r.decided_at,
  };
}
