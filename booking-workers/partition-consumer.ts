import type { Redis } from 'ioredis';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { Pool } from '../shared/db/pool';
import type { AmqpConnection } from '../shared/amqp/connect';
import type { ConfirmPublisher } from '../shared/amqp/publisher';
import type { RedisKeys } from '../shared/redis/keys';
import type { TicketKeys } from '../shared/tickets/barcode';
import { partitionMessageSchema } from '../shared/contracts/messages';
import { pgPartitionStore } from './sql/partition-store';
import { Announcer } from './announcer';
import { PartitionRunner } from './partition-runner';
import { SubscriberSession } from './subscriber-session';
import type { WorkerMetrics } from './metrics';

export interface PartitionConsumerDeps {
  partition: number;
  config: Config;
  pool: Pool;
  redis: Redis;
  keys: RedisKeys;
  conn: AmqpConnection;
  publisher: ConfirmPublisher;
  logger: Logger;
  workerId: string;
  metrics: WorkerMetrics;
  /** Signs ticket barcodes (TICKET_SIGNING_SEED). */
  ticketKeys: TicketKeys;
}

/**
 * The single writer of one partition: a {@link SubscriberSession} on `bookings.p<n>` (quorum, single
 * active consumer) running {@link PartitionRunner} batches. See the runner for what one batch does.
 */
export class PartitionConsumer {
  readonly runner: PartitionRunner;
  private readonly session: SubscriberSession<typeof partitionMessageSchema>;

  constructor(d: PartitionConsumerDeps) {
    const log = d.logger.child({ partition: d.partition });
    const announcer = new Announcer({
      partition: d.partition,
      workerId: d.workerId,
      publisher: d.publisher,
      redis: d.redis,
      keys: d.keys,
      logger: log,
      metrics: d.metrics,
    });
    this.runner = new PartitionRunner({
      partition: d.partition,
      workerId: d.workerId,
      config: d.config,
      logger: log,
      metrics: d.metrics,
      ticketKeys: d.ticketKeys,
      store: pgPartitionStore({ ...d, logger: log }),
      announce: announcer.announce,
      onReset: () => announcer.reset(),
      onEvict: (eventId) => announcer.forget(eventId),
    });
    this.session = new SubscriberSession(() => d.conn.createChannel(), this.runner, {
      queue: d.publisher.names.partitionQueue(d.partition),
      schema: partitionMessageSchema,
      label: 'command',
      prefetch: d.config.WORKER_PREFETCH,
      batchMax: d.config.WORKER_BATCH_MAX,
      logger: log,
      onBatchFailure: () => d.metrics.batchFailures.inc({ partition: String(d.partition) }),
    });
    this.runner.kick = () => this.session.kick();
  }

  get active(): boolean {
    return this.runner.active;
  }

  start(): Promise<void> {
    return this.session.start();
  }

  /** Stops taking messages, finishes the batch in flight (committed, announced, acked), then closes. */
  stop(): Promise<void> {
    return this.session.stop();
  }

  /** Applies an operator setting that arrived on the control exchange. */
  applySettings(eventId: string, throttlePerS: number | null, paused: boolean): void {
    this.runner.applySettings(eventId, throttlePerS, paused);
  }
}
