import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, TestEnv, waitFor, type ClientSocket } from '../support/env';
import { SocketPool } from '../support/notifier';
import { signToken } from '../../shared/auth';
import { createLogger } from '../../shared/logger';
import { redisKeys } from '../../shared/redis/keys';
import { names as amqpNames } from '../../shared/amqp/topology';
import { loadNotifierSettings } from '../../notifier/settings';
import { startNotifier, type RunningNotifier } from '../../notifier/server';
import type { BookingResultPush, WatchAck } from '../../shared/contracts/socket';

/**
 * The notifier as an attacker meets it: caps per socket and per account, a rate limit on socket
 * events, expired tokens, probing other users' bookings, and security headers (issue 9 §2).
 */
describe('notifier security', () => {
  let env: TestEnv;
  let notifier: RunningNotifier;
  let broker: amqp.ChannelModel;
  let ch: amqp.Channel;
  const sockets = new SocketPool();
  let eventIds: string[];
  const settings = loadNotifierSettings(
    {},
    {
      NOTIFIER_MAX_BOOKING_WATCHES: 3,
      NOTIFIER_MAX_EVENT_WATCHES: 2,
      NOTIFIER_MAX_SOCKETS_PER_USER: 2,
      NOTIFIER_EVENTS_PER_SECOND: 30,
    },
  );

  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startWorker();
    notifier = await startNotifier(env.config, createLogger('notifier', 'warn'), 0, settings);
    broker = await amqp.connect(env.config.AMQP_URL);
    ch = await broker.createChannel();
    eventIds = [];
    for (let i = 0; i < 3; i++)
      eventIds.push(await env.createEvent({ general_admission: { capacity: 50, price: 10 } }));
  }, 120_000);
  afterAll(async () => {
    sockets.closeAll();
    // Both may be unset when beforeAll failed, whatever its declared type says.
    await (notifier as RunningNotifier | undefined)?.close();
    await (broker as amqp.ChannelModel | undefined)?.close().catch(() => undefined);
    await (env as TestEnv | undefined)?.cleanup();
  });

  /** A request as ingress records it right after the broker confirmed it (status `queued`). */
  async function pending(userId: string, seq: number): Promise<string> {
    const id = randomUUID();
    await env.redis.hset(redisKeys(env.config.REDIS_PREFIX).pendingBooking(id), {
      event_id: eventIds[0]!,
      user_id: userId,
      seq: String(seq),
      requested_at: new Date().toISOString(),
    });
    return id;
  }

  it('sends security headers on its HTTP responses', async () => {
    const res = await fetch(`http://127.0.0.1:${notifier.port}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('caps sockets per account, bookings and events per socket, with stable codes', async () => {
    const token = env.token('capped');
    const a = await sockets.connect(notifier.port, token);
    const b = await sockets.connect(notifier.port, token);
    const refused = await sockets.connect(notifier.port, token).then(
      () => null,
      (err: unknown) => (err as Error & { data?: { code: string } }).data?.code,
    );
    expect(refused).toBe('too_many_sockets');
    b.close();
    await waitFor(
      async () =>
        await sockets.connect(notifier.port, token).then(
          (s) => (s.close(), true),
          () => false,
        ),
      10_000,
      'a socket slot freed',
    );

    const ids = [
      await pending('capped', 1),
      await pending('capped', 2),
      await pending('capped', 3),
      await pending('capped', 4),
    ];
    const acks: WatchAck[] = [];
    for (const id of ids) acks.push(await a.emitWithAck('booking.watch', { booking_id: id }));
    expect(acks.slice(0, 3)).toEqual([0, 1, 2].map(() => expect.objectContaining({ ok: true, status: 'queued' })));
    expect(acks[3]).toMatchObject({ ok: false, code: 'too_many_watches' });
    // Watching one again is not a new watch; unwatching frees a place.
    expect(await a.emitWithAck('booking.watch', { booking_id: ids[0]! })).toMatchObject({ ok: true });
    a.emit('booking.unwatch', { booking_id: ids[0]! });
    expect(await a.emitWithAck('booking.watch', { booking_id: ids[3]! })).toMatchObject({ ok: true, status: 'queued' });

    expect(await a.emitWithAck('event.watch', { event_id: eventIds[0]! })).toEqual({ ok: true });
    expect(await a.emitWithAck('event.watch', { event_id: eventIds[1]! })).toEqual({ ok: true });
    expect(await a.emitWithAck('event.watch', { event_id: eventIds[2]! })).toMatchObject({
      ok: false,
      code: 'too_many_watches',
    });
    a.emit('event.unwatch', { event_id: eventIds[0]! });
    expect(await a.emitWithAck('event.watch', { event_id: eventIds[2]! })).toEqual({ ok: true });
    a.emit('event.unwatch', { event_id: eventIds[1]! });
    expect(await a.emitWithAck('event.watch', { event_id: randomUUID() })).toMatchObject({
      ok: false,
      code: 'event_not_found',
    });
  });

  it('lets a long-lived socket watch booking after booking: decided watches give way, every outcome is pushed', async () => {
    const cap = settings.NOTIFIER_MAX_BOOKING_WATCHES;
    const s = await sockets.connect(notifier.port, env.token('long-lived'));
    const pushed: BookingResultPush[] = [];
    s.on('booking.result', (r) => pushed.push(r));
    const ids: string[] = [];
    // One after another, as a busy booker's tab does: watch, get the outcome, book again.
    for (let i = 0; i < 3 * cap; i++) {
      const id = await pending('long-lived', 100 + i);
      ids.push(id);
      expect(await s.emitWithAck('booking.watch', { booking_id: id })).toMatchObject({ ok: true, status: 'queued' });
      const result = {
        booking_id: id,
        event_id: eventIds[0]!,
        user_id: 'long-lived',
        status: 'held',
        quantity: 1,
        decided_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      };
      ch.publish(
        amqpNames(env.config.AMQP_PREFIX).bookingEvents,
        `booking.results.${eventIds[0]!}`,
        Buffer.from(JSON.stringify({ event_id: eventIds[0]!, results: [result] })),
        { type: 'booking.results' },
      );
      await waitFor(() => pushed.some((p) => p.booking_id === id), 10_000, `the outcome of booking ${i + 1}`);
    }
    expect(pushed.map((p) => p.booking_id)).toEqual(ids);
    expect(pushed.every((p) => p.status === 'held')).toBe(true);
    // The watches still kept (the newest ones) are still told what comes next.
    const last = ids[ids.length - 1]!;
    ch.publish(
      amqpNames(env.config.AMQP_PREFIX).bookingEvents,
      `booking.results.${eventIds[0]!}`,
      Buffer.from(
        JSON.stringify({
          event_id: eventIds[0]!,
          results: [
            {
              booking_id: last,
              event_id: eventIds[0]!,
              user_id: 'long-lived',
              status: 'expired',
              decided_at: new Date(Date.UTC(2026, 0, 1, 1)).toISOString(),
            },
          ],
        }),
      ),
      { type: 'booking.results' },
    );
    await waitFor(() => pushed.some((p) => p.booking_id === last && p.status === 'expired'), 10_000, 'the expiry');
    // Pending watches still count: with `cap` of them, the next is refused.
    for (let i = 0; i < cap; i++)
      expect(await s.emitWithAck('booking.watch', { booking_id: await pending('long-lived', 200 + i) })).toMatchObject({
        ok: true,
        status: 'queued',
      });
    expect(await s.emitWithAck('booking.watch', { booking_id: await pending('long-lived', 300) })).toMatchObject({
      ok: false,
      code: 'too_many_watches',
    });
  });

  it("answers another user's booking and an unknown id the same way", async () => {
    const mallory = await sockets.connect(notifier.port, env.token('mallory'));
    const victims = await pending('victim', 10);
    const theirs = await mallory.emitWithAck('booking.watch', { booking_id: victims });
    const unknown = await mallory.emitWithAck('booking.watch', { booking_id: randomUUID() });
    expect(theirs).toEqual({ ok: false, code: 'booking_not_found', message: 'no such booking' });
    expect(unknown).toEqual(theirs);
    // An operator may watch anyone's.
    const op = await sockets.connect(notifier.port, env.token('op', 'operator'));
    expect(await op.emitWithAck('booking.watch', { booking_id: victims })).toMatchObject({
      ok: true,
      status: 'queued',
    });
  });

  it('lets a socket whose token expired keep its watches but start no new one', async () => {
    const token = signToken(env.config.JWT_SECRET, { user_id: 'shortlived', role: 'buyer' }, '3s');
    const s = await sockets.connect(notifier.port, token);
    const mine = await pending('shortlived', 20);
    expect(await s.emitWithAck('booking.watch', { booking_id: mine })).toMatchObject({ ok: true });
    expect(await s.emitWithAck('event.watch', { event_id: eventIds[0]! })).toEqual({ ok: true });
    await sleep(3500);
    expect(await s.emitWithAck('event.watch', { event_id: eventIds[1]! })).toMatchObject({
      ok: false,
      code: 'unauthorized',
    });
    expect(await s.emitWithAck('booking.watch', { booking_id: await pending('shortlived', 21) })).toMatchObject({
      ok: false,
      code: 'unauthorized',
    });
    expect(s.connected).toBe(true);
    const refused = await sockets.connect(notifier.port, token).then(
      () => null,
      (err: unknown) => (err as Error & { data?: { code: string } }).data?.code,
    );
    expect(refused).toBe('unauthorized');
  });

  it('rate-limits socket events, disconnects a flood, and a flooding socket does not stop another client getting its outcome', async () => {
    const flood = async (events: 'booking.watch' | 'event.watch', user: string) => {
      const flooder = await sockets.connect(notifier.port, env.token(user));
      const dropped = new Promise<string>((resolve) => flooder.on('disconnect', (reason) => resolve(reason)));
      const acks = await Promise.allSettled(
        Array.from({ length: 2000 }, () =>
          events === 'booking.watch'
            ? flooder.timeout(5_000).emitWithAck('booking.watch', { booking_id: randomUUID() })
            : flooder.timeout(5_000).emitWithAck('event.watch', { event_id: randomUUID() }),
        ),
      );
      return { reason: await dropped, answers: acks.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : [])) };
    };

    const first = await flood('booking.watch', 'flooder');
    // Told to slow down (with when to retry), then cut off: the server answers a flood only so far.
    expect(first.reason).toBe('io server disconnect');
    const limited = first.answers.filter((a) => !a.ok && a.code === 'rate_limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.length).toBeLessThanOrEqual(2 * settings.NOTIFIER_EVENTS_PER_SECOND);
    expect(limited[0]).toMatchObject({ retry_after: expect.any(Number) });
    expect(first.answers.filter((a) => a.ok)).toEqual([]);
    expect(first.answers.length).toBeLessThan(2000);

    // Meanwhile a buyer books and is told the outcome.
    const buyer = env.token('patient-buyer');
    const s: ClientSocket = await sockets.connect(notifier.port, buyer);
    const pushed: BookingResultPush[] = [];
    s.on('booking.result', (r) => pushed.push(r));
    const second = flood('event.watch', 'flooder-2');
    const res = await env.http('POST', '/v1/bookings', { token: buyer, body: { event_id: eventIds[1]!, quantity: 1 } });
    expect(res.status).toBe(202);
    expect(await s.emitWithAck('booking.watch', { booking_id: res.body.booking_id })).toMatchObject({ ok: true });
    await waitFor(() => pushed.length > 0, 20_000, 'the buyer result');
    expect(pushed[0]).toMatchObject({ booking_id: res.body.booking_id, status: 'held' });
    const { reason, answers } = await second;
    expect(reason).toBe('io server disconnect');
    expect(answers.filter((a) => a.ok)).toEqual([]);
    expect(s.connected).toBe(true);
  });
});
