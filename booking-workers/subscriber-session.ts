import { createHash } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { z } from 'zod';
import { subscribe } from '../shared/amqp/subscribe';
import type { Logger } from '../shared/logger';
import { FencedError, isRetryable } from '../shared/errors';

/** The part of an amqplib channel a session uses (a unit test passes a fake). */
export type SessionChannel = Pick<Channel, 'prefetch' | 'consume' | 'cancel' | 'ack' | 'nack' | 'close' | 'on'>;

/** One delivery as the session hands it on: parsed by the session's schema, or why it did not parse. */
export type Delivery<T> =
  { msg: ConsumeMessage; value: T; invalid?: undefined } | { msg: ConsumeMessage; value?: undefined; invalid: string };

/**
 * What a session runs: batches of messages, decided, committed and announced by the runner. The
 * session acks a batch once {@link BatchRunner.run} resolves and owns everything else: the channel,
 * fencing, retry and isolation of failures.
 */
export interface BatchRunner<T> {
  /** Decides, commits and announces one batch (possibly empty: internal work only). Throws when it failed. */
  run(batch: Array<Delivery<T>>, now: number): Promise<void>;
  /** Work of the runner's own that is due without any message (expiries, parked requests). */
  hasInternalWork(now: number): boolean;
  /** The last batch failed and runs again as is: drop every in-memory decision. */
  dropAll(): void;
  /** The last batch failed for good (it is bisected next): drop only what it named or changed. */
  dropTouched(): void;
  /** The channel is gone or the partition fenced: forget everything; the next batch starts afresh. */
  reset(): void;
}

export interface SessionOptions<S extends z.ZodType> {
  queue: string;
  /** Every delivery is parsed with it (through `subscribe`) before it joins a batch. */
  schema: S;
  /** Names the message kind in parse failures. @defaultValue 'message' */
  label?: string;
  prefetch: number;
  batchMax: number;
  logger: Logger;
  /** Called for every failed batch (metrics). */
  onBatchFailure?: () => void;
  /** @defaultValue 1000 */
  resubscribeDelayMs?: number;
  /** @defaultValue 50 */
  tickMs?: number;
}

/**
 * A subscriber session (rascal's term) on one queue: it consumes into an inbox, runs batches one at a
 * time through a {@link BatchRunner}, acks each once it is run, and handles failure:
 * - retryable (connection, `40001`, `57P01`, …): the same batch again after backoff, for as long as it
 *   takes; nothing is nacked, so no delivery count burns while PostgreSQL restarts;
 * - fenced: another worker owns the partition; the channel is closed and the session comes back as a
 *   standby;
 * - anything else: the batch is bisected (see {@link SubscriberSession.settle}).
 */
export class SubscriberSession<S extends z.ZodType> {
  private channel: SessionChannel | null = null;
  private consumerTag: string | null = null;
  private inbox: Array<Delivery<z.output<S>>> = [];
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  /** Set for a moment after internal work failed on its own, so the loop does not spin on it. */
  private paused = false;
  /**
   * Messages (by content digest) that failed alone: when one is redelivered it runs in a batch of its
   * own, so it keeps failing alone (until the delivery limit) without taking its neighbours down.
   */
  private readonly suspects = new Set<string>();

  constructor(
    private readonly openChannel: () => Promise<SessionChannel>,
    private readonly runner: BatchRunner<z.output<S>>,
    private readonly o: SessionOptions<S>,
  ) {}

  get isOpen(): boolean {
    return this.channel !== null;
  }

  async start(): Promise<void> {
    this.stopping = false;
    const channel = await this.openChannel();
    this.channel = channel;
    channel.on('error', (err: Error) => this.o.logger.warn('channel error', { queue: this.o.queue, err: err.message }));
    channel.on('close', () => {
      if (this.channel === channel) this.onChannelLost();
    });
    await channel.prefetch(this.o.prefetch);
    this.consumerTag = await subscribe(
      channel,
      this.o.queue,
      this.o.schema,
      (value, msg) => {
        this.inbox.push({ msg, value });
        this.kick();
      },
      (msg, invalid) => {
        this.inbox.push({ msg, invalid });
        this.kick();
      },
      {
        label: this.o.label ?? 'message',
        // Nothing more will come on this subscription: start again as a standby, as after a lost channel.
        onCancelled: () => {
          this.o.logger.warn('subscription cancelled by the broker; subscribing again', { queue: this.o.queue });
          void channel.close().catch(() => undefined);
        },
      },
    );
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.kick(), this.o.tickMs ?? 50);
    this.timer.unref();
  }

  /** Stops taking messages, finishes the batch in flight (run and acked), then closes. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const channel = this.channel;
    if (channel && this.consumerTag) await channel.cancel(this.consumerTag).catch(() => undefined);
    await this.running;
    // Messages delivered but not yet taken into a batch go back to the queue when the channel closes.
    this.channel = null;
    this.inbox = [];
    if (channel) await channel.close().catch(() => undefined);
    this.runner.reset();
  }

  /** Runs the loop now if it is idle (a message arrived, a setting changed, the tick). */
  kick(): void {
    if (this.running || this.paused || (this.stopping && this.inbox.length === 0)) return;
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  private onChannelLost(): void {
    this.o.logger.warn('channel closed; dropping in-memory state', { queue: this.o.queue });
    this.channel = null;
    this.inbox = [];
    this.runner.reset();
    if (!this.stopping) {
      // Come back as a standby consumer; the broker decides who is active.
      setTimeout(() => {
        if (!this.stopping)
          this.start().catch((err: unknown) =>
            this.o.logger.error('re-subscribe failed', { err: (err as Error).message }),
          );
      }, this.o.resubscribeDelayMs ?? 1000).unref();
    }
  }

  private async loop(): Promise<void> {
    while (this.channel) {
      const msgs = this.inbox.splice(0, this.o.batchMax);
      if (msgs.length === 0 && !this.runner.hasInternalWork(Date.now())) return;
      if (!(await this.settle(this.splitSuspects(msgs)))) return;
    }
  }

  /**
   * Runs batches in order until each is run and acked; false when the partition was lost (fenced).
   *
   * Isolation by bisection. A batch that fails for a reason retrying will not fix is split in two
   * halves, each run as a batch of its own, recursively, so a culprit is found in log2(n) small
   * batches while everything around it is decided and acked at full batch size. The runner drops only
   * what the failed batch named or changed; everything else stays loaded. The alternative, one message
   * per batch for a whole prefetch with every event reloaded, made 20 poison requests among 4,000
   * delay the last decision from 9 ms to 7.6 s. The culprit alone goes back to the queue (its delivery
   * count grows, the broker dead-letters it at the limit and its booking then ends `failed`) and is
   * remembered, so when it comes back it runs alone again.
   */
  private async settle(batches: Array<Array<Delivery<z.output<S>>>>): Promise<boolean> {
    for (const msgs of batches) {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.runner.run(msgs, Date.now());
          const last = msgs[msgs.length - 1];
          if (last && this.channel) this.channel.ack(last.msg, true);
          break;
        } catch (err) {
          this.o.onBatchFailure?.();
          if (err instanceof FencedError) {
            this.runner.dropAll();
            await this.onFenced(err);
            return false;
          }
          if (isRetryable(err) && !this.stopping) {
            // Every in-memory decision is rebuilt: the connection may have died mid-commit.
            this.runner.dropAll();
            const delay = Math.min(5000, 100 * 2 ** Math.min(attempt, 6));
            this.o.logger.warn('batch failed on a retryable error; retrying', {
              attempt,
              delay_ms: delay,
              err: (err as Error).message,
            });
            await new Promise((r) => setTimeout(r, delay));
            continue;
          }
          this.runner.dropTouched();
          if (msgs.length > 1) {
            this.o.logger.warn('batch failed; bisecting it to isolate the culprit', {
              err: (err as Error).message,
              messages: msgs.length,
            });
            const half = Math.ceil(msgs.length / 2);
            if (!(await this.settle([msgs.slice(0, half), msgs.slice(half)]))) return false;
          } else this.onPoisonMessage(err, msgs[0]?.msg);
          break;
        }
      }
    }
    return true;
  }

  /** Splits a batch around redelivered messages that failed alone before, so each runs alone again. */
  private splitSuspects(msgs: Array<Delivery<z.output<S>>>): Array<Array<Delivery<z.output<S>>>> {
    if (this.suspects.size === 0) return [msgs];
    const batches: Array<Array<Delivery<z.output<S>>>> = [];
    let current: Array<Delivery<z.output<S>>> = [];
    for (const d of msgs) {
      if (d.msg.fields.redelivered && this.suspects.has(digest(d.msg))) {
        if (current.length) batches.push(current);
        batches.push([d]);
        current = [];
      } else current.push(d);
    }
    if (current.length) batches.push(current);
    return batches;
  }

  /**
   * One message failed alone for a reason retrying will not fix: it goes back to the queue (its
   * delivery count grows; at the limit the broker dead-letters it). With no message (internal work
   * failed), the next batch tries again after a pause.
   */
  private onPoisonMessage(err: unknown, msg: ConsumeMessage | undefined): void {
    this.o.logger.error('message failed alone; it goes back to the queue', {
      err: (err as Error).message,
      stack: (err as Error).stack,
      type: msg?.properties.type as unknown,
    });
    if (!msg) {
      this.paused = true;
      setTimeout(() => {
        this.paused = false;
        this.kick();
      }, 1000).unref();
      return;
    }
    if (this.suspects.size > 10_000) this.suspects.clear();
    this.suspects.add(digest(msg));
    if (this.channel) this.channel.nack(msg, false, true);
  }

  private async onFenced(err: FencedError): Promise<void> {
    this.o.logger.warn('fenced: another worker owns this partition now; resubscribing as standby', {
      err: err.message,
    });
    const channel = this.channel;
    if (channel) {
      this.channel = null;
      await channel.close().catch(() => undefined);
      this.onChannelLost();
    }
  }
}

/** Identifies a message across redeliveries (the broker keeps its body byte for byte). */
function digest(msg: ConsumeMessage): string {
  return createHash('sha1').update(msg.content).digest('base64');
}
