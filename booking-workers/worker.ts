import { randomUUID } from 'node:crypto';
import type { Channel } from 'amqplib';
import http from 'node:http';
import express from 'express';
import type { Config } from '../shared/config';
import { createLogger, type Logger } from '../shared/logger';
import { createPool } from '../shared/db/pool';
import { connectAmqp } from '../shared/amqp/connect';
import { ConfirmPublisher } from '../shared/amqp/publisher';
import { assertTopology, buildTopology } from '../shared/amqp/topology';
import { connectRedis } from '../shared/redis/connect';
import { redisKeys } from '../shared/redis/keys';
import { healthRouter, migrationCheck } from '../shared/http/health';
import { pendingMigrations } from '../shared/db/migrate';
import { metricsGuard } from '../shared/http/metrics-guard';
import { once } from '../shared/shutdown';
import { controlMessageSchema } from '../shared/contracts/messages';
import { subscribe } from '../shared/amqp/subscribe';
import { ticketKeys } from '../shared/tickets/barcode';
import { PartitionConsumer } from './partition-consumer';
import { createWorkerMetrics } from './metrics';
import { PaymentStage } from './payments/payment-stage';
import { SimulatorGateway } from './payments/simulator-gateway';
import type { PaymentGateway } from './payments/gateway';
import { OutboxRelay } from './outbox-relay';
import { DeadLetterConsumer } from './dead-letter-consumer';
import { createEmailSender, type EmailSender } from './email-sender';

export interface RunningWorker {
  id: string;
  port: number;
  consumers: PartitionConsumer[];
  payments: PaymentStage;
  outbox: OutboxRelay;
  emailSender: EmailSender;
  close(): Promise<void>;
}

/** What a worker may be given instead of what configuration says (tests, other providers). */
export interface WorkerOptions {
  /** @defaultValue the simulator's HTTP client at PAYMENT_PROVIDER_URL */
  gateway?: PaymentGateway;
  /** @defaultValue SMTP when SMTP_URL is set, else the log sender */
  emailSender?: EmailSender;
  /** @defaultValue PAYMENT_RECONCILE_AFTER_MS (see {@link PaymentStageDeps.reconcileAfterMs}) */
  reconcileAfterMs?: number;
}

/**
 * A booking-worker process: a standby or active consumer of every partition queue (the broker's
 * single-active-consumer picks one per partition), the control subscription, the liveness ticker,
 * and a small HTTP server with /healthz, /readyz and /metrics.
 */
export async function startWorker(
  config: Config,
  logger: Logger = createLogger('worker'),
  options: WorkerOptions = {},
): Promise<RunningWorker> {
  const id = `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
  const log = logger.child({ worker_id: id });
  const pool = createPool(config.DATABASE_URL, Math.min(20, config.PARTITIONS + 4), id, (err) =>
    // The batch in flight (if any) fails with the same error and is retried in place.
    log.warn('PostgreSQL connection lost; retrying in place', { err: err.message, code: err.code }),
  );
  const redis = await connectRedis(config.REDIS_URL, id);
  const conn = await connectAmqp(config.AMQP_URL, id);
  let shuttingDown = false;
  conn.on('error', (err: Error) => log.error('broker connection error', { err: err.message }));
  conn.on('close', () => {
    if (!shuttingDown) {
      // Crash-only: the broker requeues our unacked messages and a standby takes over; the supervisor restarts us.
      log.error('broker connection lost; exiting');
      process.exitCode = 1;
      setTimeout(() => process.exit(1), 100).unref();
    }
  });

  const setup = await conn.createChannel();
  await assertTopology(setup, buildTopology(config));
  const publisher = await ConfirmPublisher.open(conn, config.AMQP_PREFIX);
  const keys = redisKeys(config.REDIS_PREFIX);
  const metrics = createWorkerMetrics();

  const keysForTickets = ticketKeys(config.TICKET_SIGNING_SEED);
  const consumers: PartitionConsumer[] = [];
  for (let p = 0; p < config.PARTITIONS; p++) {
    consumers.push(
      new PartitionConsumer({
        partition: p,
        config,
        pool,
        redis,
        keys,
        conn,
        publisher,
        logger: log,
        workerId: id,
        metrics,
        ticketKeys: keysForTickets,
      }),
    );
  }
  // Against a database this code's migrations have not reached, consume nothing (every batch would fail
  // and its commands be dead-lettered): /readyz says to run `npm run migrate`; start once it is done.
  let consumersStarted = false;
  let migrationWait: NodeJS.Timeout | null = null;
  const startConsumers = async () => {
    for (const c of consumers) await c.start();
    consumersStarted = true;
  };
  const pending = await pendingMigrations(pool);
  if (pending.length === 0) await startConsumers();
  else {
    log.error('database not migrated: run `npm run migrate`; partitions are not consumed until it is', { pending });
    const checkAgain = async () => {
      const still = await pendingMigrations(pool).catch(() => ['?']);
      if (shuttingDown) return;
      if (still.length) {
        poll();
        return;
      }
      log.info('database migrated; consuming partitions');
      await startConsumers().catch((err: unknown) =>
        log.error('partition consumers failed to start', { err: (err as Error).message }),
      );
    };
    const poll = () => {
      migrationWait = setTimeout(() => void checkAgain(), 2000);
      migrationWait.unref();
    };
    poll();
  }

  // The payment stage (competing consumers of `payments`) and the e-mail outbox relay run in every worker.
  const gateway = options.gateway ?? new SimulatorGateway(config.PAYMENT_PROVIDER_URL, config.PAYMENT_TIMEOUT_MS);
  const payments = new PaymentStage({
    config,
    conn,
    publisher,
    pool,
    redis,
    keys,
    logger: log,
    metrics,
    workerId: id,
    gateway,
    reconcileAfterMs: options.reconcileAfterMs ?? config.PAYMENT_RECONCILE_AFTER_MS,
  });
  await payments.start();
  const deadLetters = new DeadLetterConsumer({ config, conn, publisher, pool, redis, keys, logger: log, metrics });
  await deadLetters.start();
  const emailSender = options.emailSender ?? createEmailSender(config, log);
  const outbox = new OutboxRelay({ config, pool, logger: log, sender: emailSender, metrics });
  outbox.start();

  // Operator settings reach every worker; the active one applies them at once.
  const { queue: controlQueue } = await setup.assertQueue('', { exclusive: true, autoDelete: true });
  await setup.bindQueue(controlQueue, publisher.names.control, '');
  await subscribe(
    setup,
    controlQueue,
    controlMessageSchema,
    (m) => {
      consumers[m.partition]?.applySettings(m.event_id, m.throttle_per_s, m.paused);
    },
    (_msg, reason) => log.warn('bad control message ignored', { err: reason }),
    { noAck: true, label: 'control message' },
  );

  // A channel of its own for the queue checks: a failed check closes it, so it is opened again on the
  // next tick (a closed channel left in place would silence every tick, and a standby that never gets
  // a message would never learn it became active).
  let tickChannel: Channel | null = null;
  let ticking = false;
  const tickIdlePartitions = async () => {
    if (ticking || shuttingDown) return;
    ticking = true;
    try {
      if (!tickChannel) {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        ch.on('close', () => {
          if (tickChannel === ch) tickChannel = null;
        });
        tickChannel = ch;
      }
      for (let p = 0; p < config.PARTITIONS; p++) {
        const { messageCount } = await tickChannel.checkQueue(publisher.names.partitionQueue(p));
        if (messageCount === 0) await publisher.publishTick(p);
      }
    } catch (err) {
      // Broker trouble: the connection handler decides what happens next; the next tick tries again.
      log.debug('tick skipped', { err: (err as Error).message });
    } finally {
      ticking = false;
    }
  };
  const ticker = setInterval(() => void tickIdlePartitions(), config.TICK_MS);
  ticker.unref();

  const app = express();
  app.use(
    healthRouter(
      {
        postgres: () => pool.query<{ ok: number }>('SELECT 1 AS ok'),
        migrations: migrationCheck(pool),
        partitions: () =>
          consumersStarted ? Promise.resolve() : Promise.reject(new Error('partition consumers not started')),
        redis: () => redis.ping(),
        rabbitmq: () => (publisher.isOpen ? Promise.resolve() : Promise.reject(new Error('channel closed'))),
      },
      metrics.registry,
      () => shuttingDown,
      metricsGuard(config),
    ),
  );
  app.get('/status', metricsGuard(config), (_req, res) => {
    res.json({
      worker_id: id,
      active_partitions: consumers.flatMap((c, i) => (c.active ? [i] : [])),
      payment_breaker: payments.breakerState,
    });
  });
  const server = http.createServer(app);
  const port = await listenForStatus(server, config.WORKER_PORT, log);
  log.info('worker started', { partitions: config.PARTITIONS, port });

  const close = once(async () => {
    shuttingDown = true;
    clearInterval(ticker);
    if (migrationWait) clearTimeout(migrationWait);
    // Stop intake, finish and ack the batches in flight, then close connections.
    await Promise.all(consumers.map((c) => c.stop()));
    await payments.stop();
    await deadLetters.stop();
    await outbox.stop();
    await publisher.close();
    await setup.close().catch(() => undefined);
    await tickChannel?.close().catch(() => undefined);
    await conn.close().catch(() => undefined);
    redis.disconnect();
    await pool.end();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    log.info('worker stopped');
  });
  return { id, port, consumers, payments, outbox, emailSender, close };
}

/**
 * Listens on WORKER_PORT; when another process (a second worker on this host) has it, says so in one
 * line and serves /status, /readyz and /metrics on an ephemeral port instead: the worker itself (a
 * standby consumer of every partition) is as useful as the first.
 */
async function listenForStatus(server: http.Server, port: number, log: Logger): Promise<number> {
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (err: Error) => {
        server.off('listening', onListening);
        reject(err);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve((server.address() as { port: number }).port);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(p, '0.0.0.0');
    });
  try {
    return await listen(port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
    const actual = await listen(0);
    log.warn(`WORKER_PORT ${port} is in use (another worker on this host?); status server on port ${actual} instead`, {
      wanted_port: port,
      port: actual,
    });
    return actual;
  }
}
