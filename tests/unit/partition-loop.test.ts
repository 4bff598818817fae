import { randomUUID } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/logger';
import { partitionMessageSchema, type BookingResult } from '../../shared/contracts/messages';
import { createWorkerMetrics } from '../../booking-workers/metrics';
import { PartitionRunner } from '../../booking-workers/partition-runner';
import { SubscriberSession, type SessionChannel } from '../../booking-workers/subscriber-session';
import type { PartitionStore } from '../../booking-workers/sql/partition-store';
import type { BatchWrite } from '../../booking-workers/sql/commit-batch';
import { ticketKeys } from '../../shared/tickets/barcode';

/**
 * The partition loop with commit and announce passed in as functions: batching, deciding, bisection
 * of a failing batch and retry in place, without PostgreSQL, RabbitMQ or Redis.
 */

const EVENT = '6f1c1d3e-8a8b-4c1e-9a51-0c7f7d1e2a01';

function harness(opts: { capacity: number; failCommitFor?: Set<string>; retryableFailures?: number; idleMs?: number }) {
  const commits: BatchWrite[] = [];
  const announced: BookingResult[] = [];
  let loads = 0;
  let retryable = opts.retryableFailures ?? 0;
  const store: PartitionStore = {
    activate: () => Promise.resolve(1),
    listPending: () => Promise.resolve([]),
    loadEvent: (eventId) => {
      loads++;
      return Promise.resolve({
        layout: { kind: 'general_admission', capacity: opts.capacity, price_cents: 1000 },
        source: {
          eventId,
          kind: 'general_admission',
          ready: true,
          holdSeconds: 600,
          maxPerUser: 10,
          onSaleAt: 0,
          settings: { throttlePerS: null, paused: false },
          capacity: opts.capacity,
          gaPriceCents: 1000,
          gaAvailable: opts.capacity,
          seats: [],
          bookings: [],
        },
      });
    },
    loadTickets: () => Promise.resolve({ bookingIds: [], tickets: [] }),
    commit: (write) => {
      if (retryable > 0) {
        retryable--;
        return Promise.reject(
          Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
        );
      }
      if (write.bookings.some((b) => opts.failCommitFor?.has(b.state.id)))
        return Promise.reject(new Error('value too long for type character varying'));
      commits.push(write);
      return Promise.resolve();
    },
    snapshot: () => Promise.resolve(),
  };
  const logger = createLogger('test', 'error');
  logger.silent = true; // the failures below are on purpose
  const metrics = createWorkerMetrics();
  const runner = new PartitionRunner({
    partition: 0,
    workerId: 'w',
    logger,
    metrics,
    ticketKeys: ticketKeys('11'.repeat(32)),
    store,
    config: {
      WAITING_ROOM_MINUTES: 0,
      WAITLIST_OFFER_SECONDS: 900,
      PAYMENT_GRACE_SECONDS: 60,
      FEE_PERCENT: 0,
      FEE_FIXED_CENTS: 0,
      MAX_PER_REQUEST: 10,
      WORKER_EVENT_IDLE_MS: opts.idleMs ?? 300_000,
    },
    announce: (batch) => {
      announced.push(...batch.results);
      return Promise.resolve();
    },
  });
  const acked: number[] = [];
  const nacked: Array<{ tag: number; requeue: boolean | undefined }> = [];
  let deliver: (msg: ConsumeMessage) => void = () => undefined;
  const channel: SessionChannel = {
    prefetch: () => Promise.resolve({}),
    consume: (_q: string, onMessage: (msg: ConsumeMessage | null) => void) => {
      deliver = onMessage;
      return Promise.resolve({ consumerTag: 'ctag' });
    },
    cancel: () => Promise.resolve({}),
    ack: (msg: ConsumeMessage, allUpTo?: boolean) =>
      void acked.push(allUpTo ? -msg.fields.deliveryTag : msg.fields.deliveryTag),
    nack: (msg: ConsumeMessage, _allUpTo?: boolean, requeue?: boolean) =>
      void nacked.push({ tag: msg.fields.deliveryTag, requeue }),
    close: () => Promise.resolve(),
    on: () => channel as never,
  };
  const session = new SubscriberSession(() => Promise.resolve(channel), runner, {
    queue: 'q',
    schema: partitionMessageSchema,
    label: 'command',
    prefetch: 500,
    batchMax: 500,
    logger,
    tickMs: 5,
  });
  runner.kick = () => session.kick();
  let tag = 0;
  const book = (bookingId = randomUUID()) => {
    const body = {
      type: 'book',
      event_id: EVENT,
      booking_id: bookingId,
      user_id: `u-${bookingId}`,
      seq: tag + 1,
      requested_at: new Date().toISOString(),
      request: { quantity: 1 },
    };
    const msg = {
      content: Buffer.from(JSON.stringify(body)),
      fields: { deliveryTag: ++tag, redelivered: false },
      properties: { type: 'book', headers: {} },
    } as unknown as ConsumeMessage;
    return { bookingId, msg };
  };
  return {
    session,
    runner,
    commits,
    announced,
    acked,
    nacked,
    book,
    deliver: (m: ConsumeMessage) => deliver(m),
    loads: () => loads,
    metrics,
    retriesLeft: () => retryable,
  };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('partition loop (session + runner, no services)', () => {
  it('decides a batch in order, commits it once, announces every outcome and acks the last message', async () => {
    const h = harness({ capacity: 3 });
    await h.session.start();
    const msgs = Array.from({ length: 5 }, () => h.book());
    for (const m of msgs) h.deliver(m.msg);
    await until(() => h.announced.length === 5);
    expect(h.announced.map((r) => r.status)).toEqual(['held', 'held', 'held', 'rejected', 'rejected']);
    expect(h.announced.map((r) => r.booking_id)).toEqual(msgs.map((m) => m.bookingId));
    expect(h.commits.flatMap((c) => c.bookings.map((b) => b.state.id))).toEqual(msgs.map((m) => m.bookingId));
    await until(() => h.acked.includes(-5));
    expect(h.nacked).toEqual([]);
    await h.session.stop();
  });

  it('bisects a batch whose commit fails: the others are decided once, the culprit alone goes back, the event reloads log2(n) times at most', async () => {
    const culprit = randomUUID();
    const h = harness({ capacity: 100, failCommitFor: new Set([culprit]) });
    await h.session.start();
    const msgs = Array.from({ length: 32 }, (_, i) => (i === 13 ? h.book(culprit) : h.book()));
    for (const m of msgs) h.deliver(m.msg);
    await until(() => h.nacked.length === 1);
    await until(() => h.announced.length === 31);
    const others = msgs.filter((m) => m.bookingId !== culprit).map((m) => m.bookingId);
    expect(h.announced.map((r) => r.booking_id)).toEqual(others);
    expect(h.announced.every((r) => r.status === 'held')).toBe(true);
    expect(h.nacked).toEqual([{ tag: 14, requeue: true }]);
    // The last message of every settled part was acked (multiple), the culprit never.
    expect(h.acked.map(Math.abs)).not.toContain(14);
    expect(Math.max(...h.acked.map(Math.abs))).toBe(32);
    // One load, then one per level of the bisection path: never once per message.
    expect(h.loads()).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(32)) + 1);
    await h.session.stop();
  });

  it('retries the same batch in place on a retryable error, without nacking', async () => {
    const h = harness({ capacity: 10, retryableFailures: 2 });
    await h.session.start();
    const msgs = Array.from({ length: 4 }, () => h.book());
    for (const m of msgs) h.deliver(m.msg);
    await until(() => h.announced.length === 4, 10_000);
    // Each booking committed exactly once, although two commits failed on the way.
    expect(h.commits.flatMap((c) => c.bookings.map((b) => b.state.id))).toEqual(msgs.map((m) => m.bookingId));
    expect(h.retriesLeft()).toBe(0);
    expect(h.nacked).toEqual([]);
    await h.session.stop();
  });

  it('drops an idle event from memory only when nothing is pending in it, and reloads it on its next command', async () => {
    const h = harness({ capacity: 2, idleMs: 60_000 });
    const run = (msg: ConsumeMessage, now: number) =>
      h.runner.run([{ msg, value: partitionMessageSchema.parse(JSON.parse(msg.content.toString())) }], now);
    const T0 = Date.parse('2026-12-02T00:00:00Z');
    await run(h.book().msg, T0); // held for 600 s
    expect(h.runner.events.has(EVENT)).toBe(true);
    // Idle far longer than 60 s, but a hold is pending: it stays (its expiry is the single writer's to make).
    expect(h.runner.evictIdle(T0 + 300_000)).toEqual([]);
    // The hold expires in a batch at T0 + 601 s (internal work); 60 s after that the event is idle and empty.
    await h.runner.run([], T0 + 601_000);
    expect(h.announced.map((r) => r.status)).toEqual(['held', 'expired']);
    expect(h.runner.evictIdle(T0 + 630_000)).toEqual([]);
    expect(h.runner.evictIdle(T0 + 662_000)).toEqual([EVENT]);
    expect(h.runner.events.has(EVENT)).toBe(false);
    expect((await h.metrics.eventEvictions.get()).values[0]?.value).toBe(1);
    // The next command loads it again from the store, as after a failover.
    expect(h.loads()).toBe(1);
    await run(h.book().msg, T0 + 700_000);
    expect(h.loads()).toBe(2);
    expect(h.announced.at(-1)?.status).toBe('held');
  });
});
