import { randomUUID } from 'node:crypto';
import type { ConfirmChannel } from 'amqplib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor } from '../support/env';

/**
 * Ingress under broker and Redis faults: a publish the broker took but never confirmed is answered
 * with the booking id it may have, and an Idempotency-Key retry returns the real outcome; a Redis that
 * lost an event's sequence counter never makes ingress reuse a number or understate a position.
 */
describe('ingress faults', () => {
  let env: TestEnv;
  let eventId: string;

  beforeAll(async () => {
    env = await TestEnv.create({ WORKER_PREFETCH: '20', PUBLISH_CONFIRM_TIMEOUT_MS: '3000' });
    await env.startIngress();
    await env.startWorker();
    eventId = await env.createEvent({ max_per_user: 10, general_admission: { capacity: 500, price: 10 } });
  }, 120_000);
  afterAll(() => env.cleanup());

  /**
   * Sabotages the ingress's confirm channel for its next publish: the real channel closes right after
   * the publish frame was written (`deliver`: the broker gets the message, the confirm is lost) or
   * instead of writing it (`drop`: the broker never gets it). Either way the publish rejects unconfirmed.
   */
  const sabotageNextPublish = (mode: 'deliver' | 'drop') => {
    const channel = (env.ingress!.ctx.broker.publisher() as unknown as { channel: ConfirmChannel }).channel;
    const original = channel.publish.bind(channel);
    channel.publish = ((...args: Parameters<ConfirmChannel['publish']>) => {
      channel.publish = original;
      // The callback is registered either way, so closing the channel rejects the publish ("channel closed").
      const ok =
        mode === 'deliver'
          ? original(...args)
          : (args[4] && (channel as unknown as { unconfirmed: unknown[] }).unconfirmed.push(args[4]), true);
      void channel.close().catch(() => undefined);
      return ok;
    }) as ConfirmChannel['publish'];
  };
  const waitPublisherBack = () =>
    waitFor(
      () => {
        try {
          env.ingress!.ctx.broker.publisher();
          return true;
        } catch {
          return false;
        }
      },
      10_000,
      'confirm channel reopened',
    );
  const post = (token: string, key?: string) =>
    env.http('POST', '/v1/bookings', {
      token,
      body: { event_id: eventId, quantity: 1 },
      headers: key ? { 'idempotency-key': key } : {},
    });
  const statusOf = async (token: string, id: string) =>
    (await env.http('GET', `/v1/bookings/${id}`, { token })).body.status as string | undefined;

  it('a publish taken but not confirmed: 503 with the booking id, then the Idempotency-Key retry answers the real outcome', async () => {
    const token = env.token(randomUUID());
    sabotageNextPublish('deliver');
    const first = await post(token, 'key-deliver');
    expect(first.status).toBe(503);
    expect(first.body.error.code).toBe('queue_unavailable');
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    const bookingId = first.body.error.details.booking_id as string;
    expect(bookingId).toMatch(/^[0-9a-f-]{36}$/);
    // It was in fact queued and decided: the buyer can learn it.
    await waitFor(async () => (await statusOf(token, bookingId)) === 'held', 20_000, 'the unconfirmed request decided');
    await waitPublisherBack();
    const retry = await post(token, 'key-deliver');
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ booking_id: bookingId, event_id: eventId, status: 'held' });
    // Replays stay the same; exactly one booking exists for this buyer.
    expect((await post(token, 'key-deliver')).body.booking_id).toBe(bookingId);
    const { rows } = await env.pool.query('SELECT id FROM bookings WHERE user_id = $1', [jwtSub(token)]);
    expect(rows.map((r) => r.id)).toEqual([bookingId]);
  });

  it('a publish the broker never got: the retry publishes it again under the same booking id', async () => {
    const token = env.token(randomUUID());
    await waitPublisherBack();
    sabotageNextPublish('drop');
    const first = await post(token, 'key-drop');
    expect([first.status, first.body.error.code]).toEqual([503, 'queue_unavailable']);
    const bookingId = first.body.error.details.booking_id as string;
    await waitPublisherBack();
    const retry = await post(token, 'key-drop');
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ booking_id: bookingId, status: expect.stringMatching(/^(queued|held)$/) });
    await waitFor(async () => (await statusOf(token, bookingId)) === 'held', 20_000, 'the republished request decided');
    const { rows } = await env.pool.query('SELECT id FROM bookings WHERE user_id = $1', [jwtSub(token)]);
    expect(rows.map((r) => r.id)).toEqual([bookingId]);
  });

  it('a confirm that never comes: 503 with the booking id after PUBLISH_CONFIRM_TIMEOUT_MS, and a retry sent meanwhile gets that booking', async () => {
    const token = env.token(randomUUID());
    await waitPublisherBack();
    // The next publish is swallowed: nothing reaches the broker and no confirm (nor error) ever comes.
    const channel = (env.ingress!.ctx.broker.publisher() as unknown as { channel: ConfirmChannel }).channel;
    const original = channel.publish.bind(channel);
    channel.publish = (() => {
      channel.publish = original;
      return true;
    }) as ConfirmChannel['publish'];
    const started = Date.now();
    const firstP = post(token, 'key-hold');
    // The retry, while the first attempt waits for its confirm: once the first has its booking id it
    // is answered with that booking (a 409 only in the moment before).
    let retry = await post(token, 'key-hold');
    for (let i = 0; retry.status === 409 && i < 50; i++) {
      expect(retry.body.error.code).toBe('idempotency_key_in_progress');
      expect(Number(retry.headers.get('retry-after'))).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 100));
      retry = await post(token, 'key-hold');
    }
    expect(retry.status).toBe(202);
    const bookingId = retry.body.booking_id as string;
    const first = await firstP;
    expect([first.status, first.body.error.code]).toEqual([503, 'queue_unavailable']);
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(first.body.error.details.booking_id).toBe(bookingId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    await waitFor(async () => (await statusOf(token, bookingId)) === 'held', 20_000, 'the retried request decided');
    // The key now answers the decided booking; exactly one booking exists for this buyer.
    const again = await post(token, 'key-hold');
    expect([again.status, again.body.booking_id]).toEqual([202, bookingId]);
    const { rows } = await env.pool.query('SELECT id FROM bookings WHERE user_id = $1', [jwtSub(token)]);
    expect(rows.map((r) => r.id)).toEqual([bookingId]);
  });

  it('without an Idempotency-Key the 503 still names the booking, which GET then finds', async () => {
    const token = env.token(randomUUID());
    await waitPublisherBack();
    sabotageNextPublish('deliver');
    const first = await post(token);
    expect(first.status).toBe(503);
    const bookingId = first.body.error.details.booking_id as string;
    await waitFor(async () => (await statusOf(token, bookingId)) === 'held', 20_000, 'decided');
  });

  it('PostgreSQL unreachable: 503 with Retry-After, not a 500 or a hang', async () => {
    const token = env.token(randomUUID());
    const ctx = env.ingress!.ctx;
    const real = ctx.pool;
    // Nothing listens on port 1: every query fails to connect, as during a PostgreSQL restart.
    const dead = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/onsale',
      connectionTimeoutMillis: 2000,
    });
    dead.on('error', () => undefined);
    ctx.pool = dead;
    try {
      const started = Date.now();
      const res = await env.http('GET', `/v1/bookings/${randomUUID()}`, { token });
      expect([res.status, res.body.error.code]).toEqual([503, 'dependency_unavailable']);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      ctx.pool = real;
      await dead.end();
    }
  });

  it('Redis losing the sequence counter: numbers are never reused and positions never understated', async () => {
    await waitPublisherBack();
    const worker = env.workers[0]!;
    const before = (
      await env.pool.query<{ n: number }>('SELECT coalesce(max(seq), 0)::int AS n FROM bookings WHERE event_id = $1', [
        eventId,
      ])
    ).rows[0]!.n;
    // Requests wait in the queue (no worker), then Redis loses the event's keys.
    await worker.close();
    env.workers.length = 0;
    const waiting: Array<{ token: string; id: string }> = [];
    for (let i = 0; i < 5; i++) {
      const token = env.token(randomUUID());
      const res = await post(token);
      expect(res.status).toBe(202);
      waiting.push({ token, id: res.body.booking_id });
    }
    await env.redis.del(env.ingress!.ctx.keys.eventSeq(eventId), env.ingress!.ctx.keys.eventWatermark(eventId));

    const token = env.token(randomUUID());
    const after = await post(token);
    expect(after.status).toBe(202);
    // Five requests are ahead of it: it may say more, never fewer.
    expect(after.body.position).toBeGreaterThanOrEqual(6);

    await env.startWorker();
    const all = [...waiting, { token, id: after.body.booking_id as string }];
    await waitFor(
      async () => (await Promise.all(all.map((a) => statusOf(a.token, a.id)))).every((s) => s === 'held'),
      30_000,
      'all decided',
    );
    const { rows } = await env.pool.query<{ seq: number }>(
      'SELECT seq FROM bookings WHERE event_id = $1 AND seq > $2 ORDER BY requested_at',
      [eventId, before],
    );
    const seqs = rows.map((r) => r.seq);
    expect(seqs).toHaveLength(6);
    expect(new Set(seqs).size).toBe(6);
    // The request stamped after the loss is numbered above every request stamped before it.
    const last = (
      await env.pool.query<{ seq: number }>('SELECT seq FROM bookings WHERE id = $1', [after.body.booking_id])
    ).rows[0]!.seq;
    expect(last).toBeGreaterThan(Math.max(...seqs.filter((s) => s !== last)));
  }, 90_000);
});

function jwtSub(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
}
