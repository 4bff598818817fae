import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { bookCommand } from './book-command';
import type { CeilingJob, CeilingResult, CeilingTrial } from './jobs';
import { round } from '../stats';
import { withCpu } from '../report/cpu-usage';

/**
 * The broker's own ceiling on this machine: persistent messages of a book command's size published
 * with confirms (a bounded confirm window) into one quorum queue, and consumed with acks at the same
 * time, through amqplib, on separate connections for the publisher and the consumer (as the load
 * generator and the worker have). Acks are sent `multiple` once per socket read, as a batching
 * consumer does. Nothing else is done with the messages. A few confirm windows and prefetches are
 * tried and the best is the ceiling Onsale's pipeline is judged against (the best, so the judgement
 * is not flattered by an unlucky setting).
 */
export async function loadCeiling(job: CeilingJob): Promise<CeilingResult> {
  const pubConn = await amqp.connect(job.amqpUrl);
  const subConn = await amqp.connect(job.amqpUrl);
  try {
    const pub = await pubConn.createConfirmChannel();
    await pub.assertQueue(job.queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await pub.purgeQueue(job.queue);
    const body = Buffer.from(
      JSON.stringify(bookCommand(randomUUID(), randomUUID(), { user: 'u12345', quantity: 3, section: 'S1' }, 123_456)),
    );

    // Publish only (nobody consuming): the rate the broker takes messages in.
    const publishOnly = await publishAll(pub, job.queue, job.trials[0]!.window, body, Math.min(job.count, 20_000));
    await pub.purgeQueue(job.queue);

    const trials: CeilingTrial[] = [];
    for (const t of job.trials) {
      const sub = await subConn.createChannel();
      const { result: msgsPerS, cpu_cores } = await withCpu({}, () =>
        publishAndConsume(pub, sub, job.queue, t, body, job.count),
      );
      await sub.close();
      trials.push({ ...t, msgs_per_s: msgsPerS, cpu_cores });
    }
    await pub.deleteQueue(job.queue);
    const best = trials.reduce((a, b) => (b.msgs_per_s > a.msgs_per_s ? b : a));
    return {
      msgs_per_s: best.msgs_per_s,
      messages: job.count,
      message_bytes: body.length,
      confirm_window: best.window,
      prefetch: best.prefetch,
      publish_only_msgs_per_s: publishOnly,
      trials,
    };
  } finally {
    await pubConn.close().catch(() => undefined);
    await subConn.close().catch(() => undefined);
  }
}

async function publishAndConsume(
  pub: amqp.ConfirmChannel,
  sub: amqp.Channel,
  queue: string,
  t: { window: number; prefetch: number },
  body: Buffer,
  count: number,
): Promise<number> {
  await sub.prefetch(t.prefetch);
  let consumed = 0;
  let pendingAck: amqp.ConsumeMessage | null = null;
  let flushQueued = false;
  const flush = () => {
    flushQueued = false;
    if (pendingAck) sub.ack(pendingAck, true);
    pendingAck = null;
  };
  let resolveDone!: (t: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const { consumerTag } = await sub.consume(queue, (msg) => {
    if (!msg) return;
    pendingAck = msg;
    if (!flushQueued) {
      flushQueued = true;
      setImmediate(flush);
    }
    if (++consumed === count) {
      flush();
      resolveDone(performance.now());
    }
  });
  const started = performance.now();
  await publishAll(pub, queue, t.window, body, count);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>(
    (_, reject) => (timer = setTimeout(() => reject(new Error('ceiling: consumer did not finish in 120 s')), 120_000)),
  );
  const ended = await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
  await sub.cancel(consumerTag);
  return Math.round(count / ((ended - started) / 1000));
}

/** Publishes `count` messages keeping at most `window` unconfirmed; resolves with msgs/s once all are confirmed. */
async function publishAll(
  ch: amqp.ConfirmChannel,
  queue: string,
  window: number,
  body: Buffer,
  count: number,
): Promise<number> {
  const started = performance.now();
  let inFlight = 0;
  // Set from the confirm callback, which TypeScript's narrowing does not follow.
  let failed = null as Error | null;
  let wake: (() => void) | null = null;
  const confirmed = (err: unknown) => {
    if (err) failed = new Error('ceiling: broker nacked a publish');
    inFlight--;
    const w = wake;
    wake = null;
    w?.();
  };
  for (let i = 0; i < count; i++) {
    while (inFlight >= window) await new Promise<void>((r) => (wake = r));
    if (failed) throw failed;
    inFlight++;
    const ok = ch.publish('', queue, body, { persistent: true, contentType: 'application/json' }, confirmed);
    if (!ok) await new Promise<void>((r) => ch.once('drain', () => r()));
  }
  while (inFlight > 0) await new Promise<void>((r) => (wake = r));
  if (failed) throw failed;
  return round(count / ((performance.now() - started) / 1000), 0);
}
