import type { Channel, ConsumeMessage } from 'amqplib';
import type { Redis } from 'ioredis';
import type { Config } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import type { Pool } from '../../shared/db/pool';
import type { AmqpConnection } from '../../shared/amqp/connect';
import type { ConfirmPublisher } from '../../shared/amqp/publisher';
import type { RedisKeys } from '../../shared/redis/keys';
import { paymentRequestSchema, type PaymentRequest } from '../../shared/contracts/messages';
import { subscribe } from '../../shared/amqp/subscribe';
import type { WorkerMetrics } from '../metrics';
import type { ChargeLookup, PaymentGateway } from './gateway';
import { listStaleCharges, touchPayment } from './stale-charges';
import { BREAKER_GAUGE, GuardedProvider, type BreakerState } from './breaker';
import { recordPayment } from './record-payment';

export interface PaymentStageDeps {
  config: Config;
  conn: AmqpConnection;
  publisher: ConfirmPublisher;
  pool: Pool;
  redis: Redis;
  keys: RedisKeys;
  logger: Logger;
  metrics: WorkerMetrics;
  workerId: string;
  gateway: PaymentGateway;
  /**
   * A charge still waiting for its webhook this long after it was asked for is looked up at the
   * provider by its idempotency key (the webhook may have been lost in a provider crash).
   * @defaultValue PAYMENT_RECONCILE_AFTER_MS
   */
  reconcileAfterMs?: number;
}

/**
 * The payment stage: competing consumers of the `payments` queue (every worker process runs one).
 * It never changes a booking: it calls the provider (through {@link GuardedProvider}), records the
 * call in `payments`, and, when the provider cannot be reached, tells the event's partition
 * (`payment.result` `unavailable`) so the single writer puts the booking back to `held`.
 * - Charges fail fast while the breaker is open: the buyer can retry before the hold expires.
 * - Refunds are never given up: the message stays unacked and the refund is retried (with backoff)
 *   until the provider takes it; a crash hands it to another worker.
 */
export class PaymentStage {
  readonly provider: GuardedProvider;
  private channel: Channel | null = null;
  private consumerTag: string | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private sweep: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(private readonly d: PaymentStageDeps) {
    this.log = d.logger.child({ stage: 'payments' });
    this.provider = new GuardedProvider(d.config, (state) => this.onBreakerState(state));
  }

  get breakerState(): BreakerState {
    return this.provider.state;
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.onBreakerState(this.provider.state);
    const channel = await this.d.conn.createChannel();
    this.channel = channel;
    channel.on('error', (err: Error) => this.log.warn('payments channel error', { err: err.message }));
    // Unacked refunds wait here while the provider is down: leave room for charges beside them.
    await channel.prefetch(this.d.config.PAYMENT_CONCURRENCY * 4);
    this.consumerTag = await subscribe(
      channel,
      this.d.publisher.names.payments,
      paymentRequestSchema,
      (req, msg) => {
        const p = this.onMessage(channel, msg, req).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      },
      (msg, reason) => {
        this.log.error('malformed payment request dead-lettered', { err: reason });
        channel.nack(msg, false, false);
      },
      { label: 'payment request' },
    );
    const after = this.d.reconcileAfterMs ?? this.d.config.PAYMENT_RECONCILE_AFTER_MS;
    this.sweep = setInterval(
      () => {
        this.sweeping ??= this.reconcile(after)
          .then(
            () => undefined,
            (err: unknown) =>
              void this.log.warn('charge reconciliation failed; will try again', { err: (err as Error).message }),
          )
          .finally(() => (this.sweeping = null));
      },
      Math.max(100, Math.min(after / 2, 5000)),
    );
    this.sweep.unref();
  }

  /** Stops taking requests and waits for the calls in flight (refunds waiting out an outage give up and go back to the queue). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
    await this.sweeping;
    const ch = this.channel;
    if (ch && this.consumerTag) await ch.cancel(this.consumerTag).catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    this.channel = null;
    if (ch) await ch.close().catch(() => undefined);
    this.provider.shutdown();
    await this.d.redis.hdel(this.d.keys.paymentBreaker, this.d.workerId).catch(() => undefined);
  }

  /**
   * Charges whose booking still waits in `payment_pending` well after the charge was asked for: the
   * webhook may be lost (a provider crash right after accepting it). Ask the provider by idempotency
   * key and route what it says, long before the hold would otherwise run out. A charge the provider
   * has no record of was never taken (or the provider lost it): the attempt ends as `unavailable`, so
   * the booking goes back to `held` and the buyer can pay again, instead of waiting out the hold.
   */
  async reconcile(olderThanMs: number): Promise<number> {
    const stale = await listStaleCharges(this.d.pool, olderThanMs);
    let settled = 0;
    for (const c of stale) {
      if (this.stopping) break;
      const found = await this.lookup(c.id);
      await touchPayment(this.d.pool, c.id);
      if (found === undefined) continue; // the provider cannot be asked now: the next sweep asks again
      if (found === null) {
        this.log.warn('charge unknown to the provider; the attempt ends unavailable', {
          booking_id: c.bookingId,
          payment_id: c.id,
        });
        this.d.metrics.paymentCalls.inc({ kind: 'charge', outcome: 'reconciled_unknown' });
        await this.endAttempt(
          { id: c.id, bookingId: c.bookingId, eventId: c.eventId, partition: c.partition, amountCents: c.amountCents },
          'unavailable',
          'unknown to the provider at reconciliation',
          'unknown_to_provider',
        );
        settled++;
        continue;
      }
      this.log.info('charge reconciled with the provider', {
        booking_id: c.bookingId,
        payment_id: c.id,
        status: found.status,
      });
      await this.settleFromLookup(c, found);
      if (found.status !== 'pending') settled++;
    }
    return settled;
  }

  private onBreakerState(state: BreakerState): void {
    this.d.metrics.paymentBreakerState.set({ provider: this.d.gateway.name }, BREAKER_GAUGE[state]);
    if (state !== 'closed' || !this.stopping)
      this.log[state === 'open' ? 'warn' : 'info']('payment provider circuit breaker', {
        state,
        provider: this.d.gateway.name,
      });
    void this.d.redis
      .hset(
        this.d.keys.paymentBreaker,
        this.d.workerId,
        JSON.stringify({ state, provider: this.d.gateway.name, at: new Date().toISOString() }),
      )
      .catch(() => undefined);
  }

  private async onMessage(channel: Channel, msg: ConsumeMessage, req: PaymentRequest): Promise<void> {
    try {
      if (req.kind === 'charge') await this.charge(req);
      else await this.refund(req);
      channel.ack(msg);
    } catch (err) {
      // PostgreSQL or broker trouble (or shutting down): the request goes back to the queue; its id keeps it idempotent.
      this.log.warn('payment request failed; requeued', { payment_id: req.id, err: (err as Error).message });
      await new Promise((r) => setTimeout(r, 200));
      if (this.channel === channel) channel.nack(msg, false, true);
    }
  }

  private callbackUrl(): string {
    return new URL('/v1/payments/callback', this.d.config.PUBLIC_BASE_URL).toString();
  }

  private async charge(req: Extract<PaymentRequest, { kind: 'charge' }>): Promise<void> {
    const log = this.log.child({ booking_id: req.booking_id, payment_id: req.id, correlation_id: req.correlation_id });
    const out = await this.provider.call(() =>
      this.d.gateway.charge({
        idempotencyKey: req.id,
        amountCents: req.amount_cents,
        reference: req.id,
        paymentMethod: req.payment_method,
        callbackUrl: this.callbackUrl(),
      }),
    );
    if (out.ok) {
      this.d.metrics.paymentCalls.inc({ kind: 'charge', outcome: 'pending' });
      await recordPayment(this.d.pool, {
        id: req.id,
        kind: 'charge',
        bookingId: req.booking_id,
        eventId: req.event_id,
        amountCents: req.amount_cents,
        status: 'pending',
        providerId: out.value.providerId,
      });
      log.info('charge requested', { provider_id: out.value.providerId });
      return;
    }
    this.d.metrics.paymentCalls.inc({ kind: 'charge', outcome: out.kind });
    if (out.kind === 'unavailable') {
      // Before giving up: the provider may have taken the charge and lost only its answer.
      const found = await this.lookup(req.id);
      if (found) {
        log.warn('charge found at the provider after its call failed', {
          provider_id: found.providerId,
          status: found.status,
        });
        await recordPayment(this.d.pool, {
          id: req.id,
          kind: 'charge',
          bookingId: req.booking_id,
          eventId: req.event_id,
          amountCents: req.amount_cents,
          status: 'pending',
          providerId: found.providerId,
        });
        await this.settleFromLookup(
          {
            id: req.id,
            bookingId: req.booking_id,
            eventId: req.event_id,
            partition: req.partition,
            correlationId: req.correlation_id,
          },
          found,
        );
        return;
      }
    }
    log.warn('charge not taken by the provider', { outcome: out.kind, err: out.error });
    await this.endAttempt(
      {
        id: req.id,
        bookingId: req.booking_id,
        eventId: req.event_id,
        partition: req.partition,
        amountCents: req.amount_cents,
        correlationId: req.correlation_id,
      },
      out.kind === 'refused' ? 'failed' : 'unavailable',
      out.error,
      out.error.slice(0, 200),
    );
  }

  /**
   * Ends a charge attempt that took no money: records it (`failed` or `unavailable`) and tells the
   * event's partition, whose single writer puts the booking back to `held` (or declines it).
   */
  private async endAttempt(
    charge: {
      id: string;
      bookingId: string;
      eventId: string;
      partition: number;
      amountCents: number;
      correlationId?: string | undefined;
    },
    outcome: 'failed' | 'unavailable',
    error: string,
    reason: string,
  ): Promise<void> {
    await recordPayment(this.d.pool, {
      id: charge.id,
      kind: 'charge',
      bookingId: charge.bookingId,
      eventId: charge.eventId,
      amountCents: charge.amountCents,
      status: outcome,
      error,
    });
    await this.d.publisher.publishCommand(charge.partition, {
      type: 'payment.result',
      event_id: charge.eventId,
      booking_id: charge.bookingId,
      outcome,
      attempt_id: charge.id,
      reason,
      ...(charge.correlationId ? { correlation_id: charge.correlationId } : {}),
    });
  }

  /** The provider's record of a charge, null when it has none, undefined when it cannot be asked right now. */
  private async lookup(idempotencyKey: string): Promise<ChargeLookup | null | undefined> {
    try {
      return await this.d.gateway.lookup(idempotencyKey);
    } catch (err) {
      this.log.warn('charge lookup failed', { payment_id: idempotencyKey, err: (err as Error).message });
      return undefined;
    }
  }

  /**
   * Routes a charge's outcome learnt by lookup into its partition, as the webhook would have: the
   * single writer deduplicates by attempt and charge, so a webhook arriving as well changes nothing.
   */
  private async settleFromLookup(
    charge: { id: string; bookingId: string; eventId: string; partition: number; correlationId?: string | undefined },
    found: ChargeLookup,
  ): Promise<void> {
    if (found.status === 'pending') return; // the provider will call back (or the next sweep asks again)
    this.d.metrics.paymentCalls.inc({ kind: 'charge', outcome: `reconciled_${found.status}` });
    await this.d.publisher.publishCommand(charge.partition, {
      type: 'payment.result',
      event_id: charge.eventId,
      booking_id: charge.bookingId,
      outcome: found.status,
      attempt_id: charge.id,
      charge_id: found.providerId,
      amount_cents: found.amountCents,
      ...(found.status === 'failed' ? { reason: 'reconciled' } : {}),
      ...(charge.correlationId ? { correlation_id: charge.correlationId } : {}),
    });
  }

  private async refund(req: Extract<PaymentRequest, { kind: 'refund' }>): Promise<void> {
    const log = this.log.child({ booking_id: req.booking_id, payment_id: req.id, correlation_id: req.correlation_id });
    for (let attempt = 0; ; attempt++) {
      const out = await this.provider.call(() =>
        this.d.gateway.refund({
          idempotencyKey: req.id,
          chargeId: req.charge_id,
          amountCents: req.amount_cents,
          reference: req.id,
          callbackUrl: this.callbackUrl(),
        }),
      );
      if (out.ok) {
        this.d.metrics.paymentCalls.inc({ kind: 'refund', outcome: 'pending' });
        await recordPayment(this.d.pool, {
          id: req.id,
          kind: 'refund',
          bookingId: req.booking_id,
          eventId: req.event_id,
          amountCents: req.amount_cents,
          status: 'pending',
          providerId: out.value.providerId,
        });
        log.info('refund requested', { provider_id: out.value.providerId, reason: req.reason });
        return;
      }
      this.d.metrics.paymentCalls.inc({ kind: 'refund', outcome: out.kind });
      if (out.kind === 'refused') {
        await recordPayment(this.d.pool, {
          id: req.id,
          kind: 'refund',
          bookingId: req.booking_id,
          eventId: req.event_id,
          amountCents: req.amount_cents,
          status: 'failed',
          error: out.error,
        });
        log.error('provider refused a refund; an operator must look at it', { err: out.error });
        await this.d.publisher.publishCommand(req.partition, {
          type: 'refund.result',
          event_id: req.event_id,
          booking_id: req.booking_id,
          outcome: 'failed',
          refund_id: req.id,
          charge_id: req.charge_id,
        });
        return;
      }
      if (this.stopping) throw new Error('shutting down with a refund outstanding');
      const delay = Math.min(
        this.d.config.PAYMENT_BREAKER_RESET_MS,
        this.d.config.PAYMENT_RETRY_BASE_MS * 2 ** Math.min(attempt, 8),
      );
      log.warn('refund waits for the provider', { attempt, delay_ms: delay, err: out.error });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
