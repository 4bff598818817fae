import type { Channel } from 'amqplib';
import type { Config } from '../config';

/**
 * The broker topology, declared as data and asserted (idempotently) at start-up by every role.
 * `rabbitmq/definitions.json` holds the same declarations for the default prefix and 8 partitions;
 * a test keeps the two in step.
 */
export interface ExchangeDecl {
  name: string;
  type: 'direct' | 'topic' | 'fanout';
  durable: boolean;
}
export interface QueueDecl {
  name: string;
  durable: boolean;
  arguments: Record<string, unknown>;
}
export interface BindingDecl {
  exchange: string;
  queue: string;
  routingKey: string;
}
export interface Topology {
  exchanges: ExchangeDecl[];
  queues: QueueDecl[];
  bindings: BindingDecl[];
}

/** Every name the pipeline uses, derived from AMQP_PREFIX and PARTITIONS. */
export interface Names {
  /** direct exchange; routing key = partitionKey(n) */
  bookings: string;
  partitionQueue: (n: number) => string;
  partitionKey: (n: number) => string;
  /** dead-letter exchange and queue for booking commands */
  deadLetterExchange: string;
  deadLetterQueue: string;
  /**
   * second queue on the dead-letter exchange, consumed by the workers: each dead-lettered command's
   * booking is failed through its partition, while `deadLetterQueue` keeps every message for audit
   */
  deadLetterOutcomes: string;
  /** topic exchange of outcomes and progress (`booking.result.<event>`, `event.progress.<event>`, `seats.changed.<event>`) */
  bookingEvents: string;
  /** fanout exchange of operator commands to every worker */
  control: string;
  /** quorum queue of provider calls (charges, refunds), competing consumers; published via the default exchange */
  payments: string;
  /** dead-letter exchange and queue of the payments queue */
  paymentsDeadLetterExchange: string;
  paymentsDeadLetterQueue: string;
}

export function names(prefix: string): Names {
  return {
    bookings: `${prefix}bookings`,
    partitionQueue: (n) => `${prefix}bookings.p${n}`,
    partitionKey: (n) => `p${n}`,
    deadLetterExchange: `${prefix}bookings.dlx`,
    deadLetterQueue: `${prefix}bookings.dlq`,
    deadLetterOutcomes: `${prefix}bookings.dlq.outcomes`,
    bookingEvents: `${prefix}booking-events`,
    control: `${prefix}control`,
    payments: `${prefix}payments`,
    paymentsDeadLetterExchange: `${prefix}payments.dlx`,
    paymentsDeadLetterQueue: `${prefix}payments.dlq`,
  };
}

/** Largest backlog a partition queue accepts before publishers get a nack (then 503 to the client). */
export const PARTITION_MAX_LENGTH = 2_000_000;

export function buildTopology(config: Pick<Config, 'AMQP_PREFIX' | 'PARTITIONS' | 'DELIVERY_LIMIT'>): Topology {
  const n = names(config.AMQP_PREFIX);
  const topology: Topology = {
    exchanges: [
      { name: n.bookings, type: 'direct', durable: true },
      { name: n.deadLetterExchange, type: 'fanout', durable: true },
      { name: n.bookingEvents, type: 'topic', durable: true },
      { name: n.control, type: 'fanout', durable: true },
    ],
    queues: [
      { name: n.deadLetterQueue, durable: true, arguments: { 'x-queue-type': 'quorum' } },
      { name: n.deadLetterOutcomes, durable: true, arguments: { 'x-queue-type': 'quorum' } },
    ],
    bindings: [
      { exchange: n.deadLetterExchange, queue: n.deadLetterQueue, routingKey: '' },
      { exchange: n.deadLetterExchange, queue: n.deadLetterOutcomes, routingKey: '' },
    ],
  };
  // Provider calls: any worker may make them (competing consumers); a call that keeps failing is dead-lettered.
  topology.exchanges.push({ name: n.paymentsDeadLetterExchange, type: 'fanout', durable: true });
  topology.queues.push(
    { name: n.paymentsDeadLetterQueue, durable: true, arguments: { 'x-queue-type': 'quorum' } },
    {
      name: n.payments,
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-dead-letter-exchange': n.paymentsDeadLetterExchange,
        'x-delivery-limit': config.DELIVERY_LIMIT,
      },
    },
  );
  topology.bindings.push({ exchange: n.paymentsDeadLetterExchange, queue: n.paymentsDeadLetterQueue, routingKey: '' });
  for (let p = 0; p < config.PARTITIONS; p++) {
    topology.queues.push({
      name: n.partitionQueue(p),
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-single-active-consumer': true,
        'x-dead-letter-exchange': n.deadLetterExchange,
        'x-delivery-limit': config.DELIVERY_LIMIT,
        'x-max-length': PARTITION_MAX_LENGTH,
        'x-overflow': 'reject-publish',
      },
    });
    topology.bindings.push({ exchange: n.bookings, queue: n.partitionQueue(p), routingKey: n.partitionKey(p) });
  }
  validateTopology(topology);
  return topology;
}

/** Rejects a topology that binds to something it does not declare or declares a name twice. */
export function validateTopology(t: Topology): void {
  const exchanges = new Set(t.exchanges.map((e) => e.name));
  const queues = new Set(t.queues.map((q) => q.name));
  if (exchanges.size !== t.exchanges.length) throw new Error('topology: duplicate exchange name');
  if (queues.size !== t.queues.length) throw new Error('topology: duplicate queue name');
  for (const b of t.bindings) {
    if (!exchanges.has(b.exchange)) throw new Error(`topology: binding to undeclared exchange ${b.exchange}`);
    if (!queues.has(b.queue)) throw new Error(`topology: binding of undeclared queue ${b.queue}`);
  }
  for (const q of t.queues) {
    const dlx = q.arguments['x-dead-letter-exchange'];
    if (typeof dlx === 'string' && !exchanges.has(dlx))
      throw new Error(`topology: ${q.name} dead-letters to undeclared ${dlx}`);
  }
}

export async function assertTopology(channel: Channel, t: Topology): Promise<void> {
  for (const e of t.exchanges) await channel.assertExchange(e.name, e.type, { durable: e.durable });
  for (const q of t.queues) await channel.assertQueue(q.name, { durable: q.durable, arguments: q.arguments });
  for (const b of t.bindings) await channel.bindQueue(b.queue, b.exchange, b.routingKey);
}

/** Deletes every queue and exchange of a topology (tests clean up their own prefix with this). */
export async function deleteTopology(channel: Channel, t: Topology): Promise<void> {
  for (const q of t.queues) await channel.deleteQueue(q.name);
  for (const e of t.exchanges) await channel.deleteExchange(e.name);
}
