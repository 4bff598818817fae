import type { Channel, ConsumeMessage } from 'amqplib';
import type { Redis } from 'ioredis';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { Pool } from '../shared/db/pool';
import type { AmqpConnection } from '../shared/amqp/connect';
import type { ConfirmPublisher } from '../shared/amqp/publisher';
import type { RedisKeys } from '../shared/redis/keys';
import { isStorableText, type BookingFailCommand, type FailReason } from '../shared/contracts/messages';
import { partitionFor } from '../shared/partition';
import { subscribe } from '../shared/amqp/subscribe';
import { z } from 'zod';
import type { WorkerMetrics } from './metrics';

export interface DeadLetterConsumerDeps {
  config: Config;
  conn: AmqpConnection;
  publisher: ConfirmPublisher;
  pool: Pool;
  redis: Redis;
  keys: RedisKeys;
  logger: Logger;
  metrics: WorkerMetrics;
}

/** What could be read from a dead-lettered body, whatever shape it is in. */
export interface DeadLetterIds {
  type?: string;
  bookingId?: string;
  eventId?: string;
  userId?: string;
  seq?: number;
  correlationId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Invariant 2 for what the partition could not decide. Every command dead-lettered from a partition
 * queue (malformed, or the delivery limit reached) reaches the dead-letter exchange, which copies it to
 * `bookings.dlq` (kept for audit) and to `bookings.dlq.outcomes`, consumed here by every worker
 * (competing consumers). For each one that names a booking, a minimal well-formed `booking.fail` goes
 * to the event's partition, where the single writer fails the booking unless it decided it already,
 * and announces the outcome like any other.
 */
export class DeadLetterConsumer {
  private channel: Channel | null = null;
  private readonly log: Logger;

  constructor(private readonly d: DeadLetterConsumerDeps) {
    this.log = d.logger.child({ consumer: 'dead-letters' });
  }

  async start(): Promise<void> {
    const channel = await this.d.conn.createChannel();
    this.channel = channel;
    channel.on('error', (err: Error) => this.log.warn('dead-letter channel error', { err: err.message }));
    await channel.prefetch(50);
    // Any body at all: a dead letter is read defensively from its raw bytes either way (see readIds).
    await subscribe(
      channel,
      this.d.publisher.names.deadLetterOutcomes,
      z.unknown(),
      (_body, msg) => void this.handle(channel, msg),
      (msg) => void this.handle(channel, msg),
      { label: 'dead letter' },
    );
  }

  async stop(): Promise<void> {
    const channel = this.channel;
    this.channel = null;
    if (channel) await channel.close().catch(() => undefined);
  }

  /** The `booking.fail` command a dead letter calls for, with its partition, or null when it names no booking. */
  async failCommandFor(msg: ConsumeMessage): Promise<{ partition: number; command: BookingFailCommand } | null> {
    const ids = readIds(msg);
    if (ids.type === 'tick') return null;
    if (ids.type === 'booking.fail') {
      // Never answer a failed fail with another fail: that would loop. The audit copy says what happened.
      this.log.error('a booking.fail command was dead-lettered', { booking_id: ids.bookingId });
      return null;
    }
    if (!ids.bookingId) {
      this.log.warn('dead letter names no booking; kept for audit only', { type: ids.type, event_id: ids.eventId });
      return null;
    }
    // The record ingress wrote when the broker confirmed the request knows the event and the owner.
    if (!ids.eventId || !ids.userId) {
      const pending = await this.d.redis.hgetall(this.d.keys.pendingBooking(ids.bookingId));
      if (!ids.eventId && pending.event_id && UUID.test(pending.event_id)) ids.eventId = pending.event_id.toLowerCase();
      if (!ids.userId && pending.user_id && usable(pending.user_id)) ids.userId = pending.user_id;
      if (ids.seq === undefined && pending.seq && /^\d+$/.test(pending.seq)) ids.seq = Number(pending.seq);
    }
    if (!ids.eventId || !ids.userId) {
      this.log.error('dead letter names a booking but not its event or owner; kept for audit only', {
        booking_id: ids.bookingId,
      });
      return null;
    }
    const partition =
      (await this.partitionOf(ids.eventId)) ??
      partitionOfQueue(msg, this.d.publisher.names.partitionQueue(0).slice(0, -1));
    const reason: FailReason =
      msg.properties.headers?.['x-onsale-error'] !== undefined ? 'malformed_command' : 'delivery_limit';
    const command: BookingFailCommand = {
      type: 'booking.fail',
      event_id: ids.eventId,
      booking_id: ids.bookingId,
      user_id: ids.userId,
      reason,
      ...(ids.seq !== undefined ? { seq: ids.seq } : {}),
      ...(ids.correlationId ? { correlation_id: ids.correlationId } : {}),
    };
    this.log.info('failing the booking of a dead letter', {
      booking_id: ids.bookingId,
      event_id: ids.eventId,
      reason,
      partition,
    });
    return { partition: partition ?? partitionFor(ids.eventId, this.d.config.PARTITIONS), command };
  }

  private async handle(channel: Channel, msg: ConsumeMessage): Promise<void> {
    try {
      const command = await this.failCommandFor(msg);
      if (command) {
        await this.d.publisher.publishCommand(command.partition, command.command);
        this.d.metrics.deadLetterFailures.inc();
      }
      channel.ack(msg);
    } catch (err) {
      // PostgreSQL, Redis or the broker is away: try again later (the audit copy is safe either way).
      this.log.warn('dead letter not handled yet; requeued', { err: (err as Error).message });
      setTimeout(() => channel.nack(msg, false, true), 1000).unref();
    }
  }

  private async partitionOf(eventId: string): Promise<number | null> {
    const { rows } = await this.d.pool.query<{ partition: number }>({
      name: 'dead-letter-event-partition',
      text: 'SELECT partition FROM events WHERE id = $1',
      values: [eventId],
    });
    return rows[0]?.partition ?? null;
  }
}

function usable(s: unknown): s is string {
  return typeof s === 'string' && s.length > 0 && s.length <= 128 && isStorableText(s);
}

/**
 * Reads ids from a dead-lettered body defensively: the JSON fields when it parses and they are
 * well-formed, else the same fields found in the raw text (a body with a raw NUL byte, or cut short,
 * still names its booking), else the booking id the publisher set as the message id.
 */
export function readIds(msg: Pick<ConsumeMessage, 'content' | 'properties'>): DeadLetterIds {
  const raw = msg.content.toString('utf8');
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: read the fields from the text below
  }
  const field = (name: string): string | undefined => {
    const v = body[name];
    if (typeof v === 'string') return v;
    return new RegExp(`"${name}"\\s*:\\s*"([^"\\\\]{1,200})"`).exec(raw)?.[1];
  };
  const uuid = (v: string | undefined) => (v && UUID.test(v) ? v.toLowerCase() : undefined);
  const seqRaw = typeof body.seq === 'number' ? body.seq : Number(/"seq"\s*:\s*(\d{1,15})[,}\s]/.exec(raw)?.[1] ?? NaN);
  const type = field('type') ?? (typeof msg.properties.type === 'string' ? msg.properties.type : undefined);
  const userId = field('user_id');
  const correlationId = field('correlation_id');
  const messageId = typeof msg.properties.messageId === 'string' ? msg.properties.messageId : undefined;
  return {
    ...(type !== undefined ? { type } : {}),
    ...optional('bookingId', uuid(field('booking_id')) ?? uuid(messageId)),
    ...optional('eventId', uuid(field('event_id'))),
    ...optional('userId', usable(userId) ? userId : undefined),
    ...(Number.isSafeInteger(seqRaw) && seqRaw >= 0 ? { seq: seqRaw } : {}),
    ...optional('correlationId', usable(correlationId) ? correlationId : undefined),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** The partition queue a message was dead-lettered from, from the broker's `x-death` or our own header. */
function partitionOfQueue(msg: ConsumeMessage, queuePrefix: string): number | null {
  const ours: unknown = msg.properties.headers?.['x-onsale-partition'];
  if (typeof ours === 'number') return ours;
  const deaths = msg.properties.headers?.['x-death'] as Array<{ queue?: string }> | undefined;
  const queue: unknown = deaths?.[0]?.queue ?? msg.properties.headers?.['x-first-death-queue'];
  if (typeof queue === 'string' && queue.startsWith(queuePrefix)) {
    const n = Number(queue.slice(queuePrefix.length));
    if (Number.isInteger(n)) return n;
  }
  return null;
}
