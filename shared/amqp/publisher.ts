import type { ConfirmChannel, Options } from 'amqplib';
import type { AmqpConnection } from './connect';
import type { BookingEventKind, BookingEventMap, ControlMessage, PartitionCommand } from '../contracts/messages';
import { names, type Names } from './topology';

/**
 * Publishes with publisher confirms. Every publish resolves only when the broker has taken
 * responsibility for the message (and rejects on a nack, e.g. a full partition queue). When the
 * channel's write buffer is full, publishes wait for `drain`: that is the backpressure.
 */
export class ConfirmPublisher {
  readonly names: Names;
  inFlight = 0;
  private waitingDrain: Promise<void> | null = null;
  private closed = false;

  /**
   * @param confirmTimeoutMs when set, a publish not confirmed within it rejects (the message may still
   *   be taken later): a slow broker (a node stopping, a leader election) becomes an answer, not a hang.
   */
  private constructor(
    private readonly channel: ConfirmChannel,
    prefix: string,
    private readonly confirmTimeoutMs?: number,
  ) {
    this.names = names(prefix);
    channel.on('drain', () => {
      this.waitingDrain = null;
    });
    channel.on('close', () => {
      this.closed = true;
    });
    channel.on('error', () => {
      this.closed = true;
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  static async open(conn: AmqpConnection, prefix: string, confirmTimeoutMs?: number): Promise<ConfirmPublisher> {
    const channel = await conn.createConfirmChannel();
    return new ConfirmPublisher(channel, prefix, confirmTimeoutMs);
  }

  /** Publishes raw bytes and waits for the broker's confirm (at most `confirmTimeoutMs`, if set). */
  publish(exchange: string, routingKey: string, body: Buffer, options: Options.Publish = {}): Promise<void> {
    const confirmed = this.publishConfirmed(exchange, routingKey, body, options);
    const limit = this.confirmTimeoutMs;
    if (limit === undefined) return confirmed;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no broker confirm within ${limit} ms`)), limit);
    });
    // The confirm may still come (or fail) after the timeout: nobody waits for it any more.
    confirmed.catch(() => undefined);
    return Promise.race([confirmed, late]).finally(() => clearTimeout(timer));
  }

  /** Sends a command into the partition queue that owns its event (persistent). */
  publishCommand(partition: number, command: PartitionCommand, options: Options.Publish = {}): Promise<void> {
    return this.publish(this.names.bookings, this.names.partitionKey(partition), Buffer.from(JSON.stringify(command)), {
      persistent: true,
      messageId: 'booking_id' in command ? command.booking_id : undefined,
      correlationId: command.correlation_id,
      type: command.type,
      ...options,
    });
  }

  /** Publishes an outcome or progress message on the booking-events exchange. */
  publishEvent<K extends BookingEventKind>(kind: K, eventId: string, payload: BookingEventMap[K]): Promise<void> {
    return this.publish(this.names.bookingEvents, `${kind}.${eventId}`, Buffer.from(JSON.stringify(payload)), {
      persistent: kind === 'booking.results',
      type: kind,
    });
  }

  /**
   * A liveness tick into a partition queue: it tells whichever worker is the active consumer that it
   * is active (so it expires holds after a failover even when no request arrives). Callers send one
   * only when the queue is empty, so ticks never pile up (and, having no TTL, never dead-letter).
   */
  publishTick(partition: number): Promise<void> {
    return this.publish(this.names.bookings, this.names.partitionKey(partition), Buffer.from('{"type":"tick"}'), {
      persistent: false,
      type: 'tick',
    });
  }

  publishControl(message: ControlMessage): Promise<void> {
    return this.publish(this.names.control, '', Buffer.from(JSON.stringify(message)), {
      persistent: false,
      type: message.type,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.channel.close().catch(() => undefined);
  }

  private async publishConfirmed(
    exchange: string,
    routingKey: string,
    body: Buffer,
    options: Options.Publish,
  ): Promise<void> {
    if (this.closed) throw new Error('channel closed');
    if (this.waitingDrain) await this.waitingDrain;
    // Counted until the broker answers, also past a confirm timeout: that is the backpressure signal.
    this.inFlight++;
    try {
      await new Promise<void>((resolve, reject) => {
        const ok = this.channel.publish(
          exchange,
          routingKey,
          body,
          { contentType: 'application/json', ...options },
          (err) => (err ? reject(err instanceof Error ? err : new Error('broker nacked the message')) : resolve()),
        );
        if (!ok && !this.waitingDrain) {
          this.waitingDrain = new Promise((r) => this.channel.once('drain', () => r()));
        }
      });
    } finally {
      this.inFlight--;
    }
  }
}
