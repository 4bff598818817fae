import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { connectAmqp, type AmqpConnection } from '../shared/amqp/connect';
import { ConfirmPublisher } from '../shared/amqp/publisher';
import { assertTopology, buildTopology } from '../shared/amqp/topology';
import { AppError } from '../shared/errors';

/**
 * Ingress's link to RabbitMQ. It reconnects in the background; while it is down, or while too many
 * publishes await a confirm, `publisher()` throws a 503 `queue_unavailable` with Retry-After, so a
 * client never gets a 202 for a request that was not queued.
 */
export class BrokerLink {
  private conn: AmqpConnection | null = null;
  private pub: ConfirmPublisher | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private reopening: Promise<void> | null = null;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  get connected(): boolean {
    return this.pub !== null && this.pub.isOpen;
  }

  /** Connects once (throws if the broker is unreachable at start-up), then keeps reconnecting. */
  async start(): Promise<void> {
    await this.connect();
  }

  publisher(): ConfirmPublisher {
    const pub = this.pub;
    if (pub && !pub.isOpen && this.conn) this.reopenChannel();
    if (!pub || !pub.isOpen)
      throw new AppError('queue_unavailable', 'The booking queue is unreachable; nothing was queued.', undefined, 2);
    if (pub.inFlight >= this.config.PUBLISH_MAX_IN_FLIGHT)
      throw new AppError(
        'queue_unavailable',
        'The booking queue is applying backpressure; nothing was queued.',
        undefined,
        1,
      );
    return pub;
  }

  /** A short-lived plain channel (for inspection such as checkQueue). */
  async channel() {
    if (!this.conn) throw new AppError('queue_unavailable', 'The broker is unreachable.', undefined, 2);
    return this.conn.createChannel();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.pub?.close();
    await this.conn?.close().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const conn = await connectAmqp(this.config.AMQP_URL, 'ingress');
    conn.on('error', (err: Error) => this.logger.warn('broker connection error', { err: err.message }));
    conn.on('close', () => {
      this.pub = null;
      this.conn = null;
      if (!this.closed) {
        this.logger.error('broker connection lost; reconnecting');
        this.scheduleReconnect();
      }
    });
    const ch = await conn.createChannel();
    await assertTopology(ch, buildTopology(this.config));
    await ch.close();
    this.pub = await ConfirmPublisher.open(conn, this.config.AMQP_PREFIX, this.config.PUBLISH_CONFIRM_TIMEOUT_MS);
    this.conn = conn;
  }

  private scheduleReconnect(): void {
    if (this.retry || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect().then(
        () => this.logger.info('broker connection restored'),
        () => this.scheduleReconnect(),
      );
    }, 1000);
    this.retry.unref();
  }

  /**
   * The broker closed the confirm channel (a channel error, an unconfirmed publish) but kept the
   * connection: open a new one, so ingress recovers without waiting for the connection to drop.
   */
  private reopenChannel(): void {
    if (this.reopening || this.closed || !this.conn) return;
    const conn = this.conn;
    this.reopening = ConfirmPublisher.open(conn, this.config.AMQP_PREFIX, this.config.PUBLISH_CONFIRM_TIMEOUT_MS)
      .then((pub) => {
        if (this.closed || this.conn !== conn) return void pub.close();
        this.pub = pub;
        this.logger.info('broker channel reopened');
      })
      .catch((err: unknown) => void this.logger.warn('broker channel reopen failed', { err: (err as Error).message }))
      .finally(() => {
        this.reopening = null;
      });
  }
}
