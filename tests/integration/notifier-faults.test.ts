import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, TestEnv, waitFor, type ClientSocket } from '../support/env';
import { CLOCK_MARGIN_MS } from '../../notifier/recent-results';
import { SocketPool } from '../support/notifier';
import { PrivateRedis } from '../support/private-redis';
import { createLogger } from '../../shared/logger';
import { redisKeys } from '../../shared/redis/keys';
import { names as amqpNames } from '../../shared/amqp/topology';
import { loadNotifierSettings } from '../../notifier/settings';
import { startNotifier, type RunningNotifier } from '../../notifier/server';
import type { BookingResultPush, EventUpdatePush } from '../../shared/contracts/socket';
import type { SeatsChanged } from '../../shared/contracts/messages';

const settings = loadNotifierSettings({}, {});
const quiet = () => createLogger('notifier', 'error');

async function readyz(n: RunningNotifier): Promise<{ status: number; body: { checks: Record<string, string> } }> {
  const res = await fetch(`http://127.0.0.1:${n.port}/readyz`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
}

/** The notifier's faults (issue 9 §3): Redis lost and back, PostgreSQL lost and back, outcomes out of order. */
describe('notifier faults', () => {
  let env: TestEnv;
  let broker: amqp.ChannelModel;
  let ch: amqp.Channel;
  const sockets = new SocketPool();
  const notifiers: RunningNotifier[] = [];

  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startWorker();
    broker = await amqp.connect(env.config.AMQP_URL);
    ch = await broker.createChannel();
  }, 120_000);
  afterAll(async () => {
    sockets.closeAll();
    for (const n of notifiers) await n.close().catch(() => undefined);
    // Both may be unset when beforeAll failed, whatever its declared type says.
    await (broker as amqp.ChannelModel | undefined)?.close().catch(() => undefined);
    await (env as TestEnv | undefined)?.cleanup();
  });

  const exchange = () => amqpNames(env.config.AMQP_PREFIX).bookingEvents;
  function publishSeats(change: SeatsChanged): void {
    ch.publish(exchange(), `seats.changed.${change.event_id}`, Buffer.from(JSON.stringify(change)), {
      type: 'seats.changed',
    });
  }
  function publishResults(eventId: string, results: Array<Record<string, unknown>>): void {
    ch.publish(exchange(), `booking.results.${eventId}`, Buffer.from(JSON.stringify({ event_id: eventId, results })), {
      type: 'booking.results',
    });
  }

  it("survives losing Redis: keeps its sockets, and every change still reaches both instances' sockets", async () => {
    const redis = await PrivateRedis.start();
    try {
      const config = Object.freeze({ ...env.config, REDIS_URL: redis.url });
      const a = await startNotifier(config, quiet(), 0, settings);
      notifiers.push(a);
      const b = await startNotifier(config, quiet(), 0, settings);
      notifiers.push(b);
      const eventId = await env.createEvent({ general_admission: { capacity: 100, price: 10 } });
      const buyer = env.token('redis-buyer');
      const onA = await sockets.connect(a.port, buyer);
      const onB = await sockets.connect(b.port, env.token('redis-watcher'));
      let disconnects = 0;
      const seen = { a: [] as EventUpdatePush[], b: [] as EventUpdatePush[] };
      for (const [s, list] of [
        [onA, seen.a],
        [onB, seen.b],
      ] as const) {
        s.on('disconnect', () => disconnects++);
        s.on('event.update', (c) => list.push(c));
        expect(await s.emitWithAck('event.watch', { event_id: eventId })).toEqual({ ok: true });
      }
      const results: BookingResultPush[] = [];
      onA.on('booking.result', (r) => results.push(r));

      await redis.kill();
      await waitFor(async () => (await readyz(a)).status === 503, 10_000, 'notifier A not ready without Redis');
      expect((await readyz(a)).body.checks.redis).toMatch(/^down/);

      // Mid-outage: the pipeline decides, and the notifiers keep consuming and pushing what they can locally.
      for (let i = 0; i < 20; i++)
        publishSeats({ event_id: eventId, available: 1000 + i, as_of: new Date().toISOString() });
      // Each instance reads every change from its own queue and pushes it (coalesced) to its own sockets:
      // the last one reaches both, Redis or not (before a booking's own change replaces it).
      await waitFor(
        () => [seen.a, seen.b].every((l) => l.some((c) => c.available === 1019)),
        10_000,
        'pushes on both instances during the outage',
      );
      const booked = await env.http('POST', '/v1/bookings', { token: buyer, body: { event_id: eventId, quantity: 2 } });
      expect(booked.status).toBe(202);
      await waitFor(
        async () =>
          (await env.http('GET', `/v1/bookings/${booked.body.booking_id}`, { token: buyer })).body.status === 'held',
        20_000,
        'held',
      );
      expect(await onA.emitWithAck('booking.watch', { booking_id: booked.body.booking_id })).toEqual({
        ok: true,
        status: 'held',
      });
      await waitFor(() => results.length > 0, 10_000, 'held pushed during the outage');
      expect(results[0]).toMatchObject({ booking_id: booked.body.booking_id, status: 'held', quantity: 2 });

      await redis.restart();
      await waitFor(
        async () => (await readyz(a)).status === 200 && (await readyz(b)).status === 200,
        20_000,
        'ready again',
      );
      const marks = Array.from({ length: 20 }, (_, i) => 5000 + i);
      for (const m of marks) publishSeats({ event_id: eventId, available: m, as_of: new Date().toISOString() });
      // After the outage too, coalesced per event: the newest state reaches the sockets of both instances, in fewer
      // messages than changes.
      await waitFor(
        () => [seen.a, seen.b].every((l) => l.some((c) => c.available === 5019)),
        10_000,
        'the last change on both instances',
      );
      expect(seen.a.filter((c) => (c.available ?? 0) >= 5000).length).toBeLessThan(marks.length);
      // In the order they were published: nothing older arrives after the newest.
      for (const l of [seen.a, seen.b]) expect(l.filter((c) => c.available !== undefined).at(-1)?.available).toBe(5019);
      expect(disconnects).toBe(0);
      expect(onA.connected && onB.connected).toBe(true);
    } finally {
      // Each test's notifiers leave with it.
      for (const n of notifiers.splice(0)) await n.close().catch(() => undefined);
      await redis.kill();
    }
  }, 120_000);

  it('never pushes an outcome older than one already pushed for the booking', async () => {
    const n = await startNotifier(env.config, quiet(), 0, settings);
    notifiers.push(n);
    const eventId = randomUUID();
    const bookingId = randomUUID();
    await env.redis.hset(redisKeys(env.config.REDIS_PREFIX).pendingBooking(bookingId), {
      event_id: eventId,
      user_id: 'ordered',
      seq: '7',
      requested_at: new Date().toISOString(),
    });
    const s: ClientSocket = await sockets.connect(n.port, env.token('ordered'));
    const pushed: BookingResultPush[] = [];
    s.on('booking.result', (r) => pushed.push(r));
    expect(await s.emitWithAck('booking.watch', { booking_id: bookingId })).toMatchObject({
      ok: true,
      status: 'queued',
    });

    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    const result = (status: string, decidedAt: string) => ({
      booking_id: bookingId,
      event_id: eventId,
      user_id: 'ordered',
      status,
      seq: 7,
      quantity: 1,
      decided_at: decidedAt,
    });
    publishResults(eventId, [result('held', at(0))]);
    await waitFor(() => pushed.length === 1, 10_000, 'held');
    // The hold expires; then a stale `held` (a redelivery, an older read) and a duplicate `expired` arrive.
    publishResults(eventId, [result('expired', at(2000))]);
    publishResults(eventId, [result('held', at(0)), result('expired', at(2000))]);
    publishResults(eventId, [result('held', at(1000))]);
    await waitFor(() => pushed.length >= 2, 10_000, 'expired');
    // A marker behind the stale messages on the same queue: once it is pushed, they were all handled.
    const marker = randomUUID();
    await env.redis.hset(redisKeys(env.config.REDIS_PREFIX).pendingBooking(marker), {
      event_id: eventId,
      user_id: 'ordered',
      seq: '8',
      requested_at: new Date().toISOString(),
    });
    expect(await s.emitWithAck('booking.watch', { booking_id: marker })).toMatchObject({ ok: true });
    publishResults(eventId, [{ ...result('rejected', at(0)), booking_id: marker, seq: 8 }]);
    await waitFor(() => pushed.some((p) => p.booking_id === marker), 10_000, 'marker');
    const mine = pushed.filter((p) => p.booking_id === bookingId);
    expect(mine.map((p) => p.status)).toEqual(['held', 'expired']);
    const late: BookingResultPush[] = [];
    const watcher = await sockets.connect(n.port, env.token('ordered'));
    watcher.on('booking.result', (r) => late.push(r));
    // A socket that watches afterwards is told the newest outcome only.
    expect(await watcher.emitWithAck('booking.watch', { booking_id: bookingId })).toEqual({
      ok: true,
      status: 'expired',
    });
    await waitFor(() => late.length === 1, 10_000, 'late watcher told');
    expect(late.map((p) => p.status)).toEqual(['expired']);
    for (const n of notifiers.splice(0)) await n.close();
  }, 60_000);

  it('parses every broker message: malformed ones are dropped, their valid neighbours still pushed', async () => {
    const n = await startNotifier(env.config, quiet(), 0, settings);
    notifiers.push(n);
    try {
      const eventId = randomUUID();
      const bookingId = randomUUID();
      await env.redis.hset(redisKeys(env.config.REDIS_PREFIX).pendingBooking(bookingId), {
        event_id: eventId,
        user_id: 'parsed',
        seq: '1',
        requested_at: new Date().toISOString(),
      });
      const s = await sockets.connect(n.port, env.token('parsed'));
      const pushed: BookingResultPush[] = [];
      s.on('booking.result', (r) => pushed.push(r));
      expect(await s.emitWithAck('booking.watch', { booking_id: bookingId })).toMatchObject({
        ok: true,
        status: 'queued',
      });
      ch.publish(exchange(), `booking.results.${eventId}`, Buffer.from('{not json'), { type: 'booking.results' });
      ch.publish(
        exchange(),
        `booking.results.${eventId}`,
        Buffer.from(JSON.stringify({ event_id: eventId, results: 'nope' })),
        { type: 'booking.results' },
      );
      ch.publish(
        exchange(),
        `event.progress.${eventId}`,
        Buffer.from(JSON.stringify({ event_id: eventId, watermark: 'high' })),
        { type: 'event.progress' },
      );
      const good = {
        booking_id: bookingId,
        event_id: eventId,
        user_id: 'parsed',
        status: 'held',
        seq: 1,
        quantity: 1,
        decided_at: new Date().toISOString(),
      };
      publishResults(eventId, [{ ...good, status: 'teleported' }, { ...good, decided_at: 'yesterday' }, good]);
      await waitFor(() => pushed.length > 0, 10_000, 'the valid result');
      await new Promise((r) => setTimeout(r, 300));
      expect(pushed).toEqual([
        expect.objectContaining({ booking_id: bookingId, status: 'held', decided_at: good.decided_at }),
      ]);
      expect((await readyz(n)).status).toBe(200);
    } finally {
      for (const x of notifiers.splice(0)) await x.close();
    }
  }, 60_000);

  it('loses no outcome while its PostgreSQL is unreachable, and joins no room it could not check', async () => {
    // The notifier connects as its own role, so the test can lock it out without touching anyone else.
    const role = `${env.dbName}_notifier`;
    await env.pool.query(`CREATE ROLE ${role} LOGIN`);
    try {
      await env.pool.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
      const url = new URL(env.config.DATABASE_URL);
      url.username = role;
      const op = env.token('pg-operator', 'operator');
      const watched = await env.createEvent({ general_admission: { capacity: 100, price: 10 } });
      const unchecked = await env.createEvent({ general_admission: { capacity: 100, price: 10 } });
      const held = await env.createEvent({ general_admission: { capacity: 100, price: 10 } });
      const alice = env.token('pg-alice');
      const bob = env.token('pg-bob');
      const carol = env.token('pg-carol');
      // Queued (its event paused) before the notifier reads the stream: only PostgreSQL could say it waits.
      expect((await env.http('POST', `/v1/ops/events/${held}/pause`, { token: op })).status).toBe(200);
      const parked = await env.http('POST', '/v1/bookings', { token: bob, body: { event_id: held, quantity: 1 } });
      expect(parked.status).toBe(202);

      const n = await startNotifier(
        Object.freeze({ ...env.config, DATABASE_URL: url.toString() }),
        quiet(),
        0,
        settings,
      );
      notifiers.push(n);
      const s = await sockets.connect(n.port, alice);
      const pushed: BookingResultPush[] = [];
      s.on('booking.result', (r) => pushed.push(r));
      expect(await s.emitWithAck('event.watch', { event_id: watched })).toEqual({ ok: true });

      // Decided just before the outage, watched only during it.
      const early = await env.http('POST', '/v1/bookings', { token: alice, body: { event_id: watched, quantity: 1 } });
      await waitFor(
        async () =>
          (await env.http('GET', `/v1/bookings/${early.body.booking_id}`, { token: alice })).body.status === 'held',
        20_000,
        'early held',
      );
      // Queued while the notifier reads the stream (past its clock margin): Redis names its owner, and
      // the stream would have carried its outcome, so it needs no PostgreSQL.
      await sleep(CLOCK_MARGIN_MS + 200);
      const fresh = await env.http('POST', '/v1/bookings', { token: carol, body: { event_id: held, quantity: 1 } });
      expect(fresh.status).toBe(202);

      await env.pool.query(`ALTER ROLE ${role} NOLOGIN`);
      await env.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
      await waitFor(async () => (await readyz(n)).status === 503, 10_000, 'not ready without PostgreSQL');
      expect((await readyz(n)).body.checks.postgres).toMatch(/^down/);

      expect(await s.emitWithAck('booking.watch', { booking_id: early.body.booking_id })).toEqual({
        ok: true,
        status: 'held',
      });
      await waitFor(() => pushed.some((p) => p.booking_id === early.body.booking_id), 10_000, 'early outcome pushed');

      const b = await sockets.connect(n.port, bob);
      const bobs: BookingResultPush[] = [];
      b.on('booking.result', (r) => bobs.push(r));
      const ack = await b.emitWithAck('booking.watch', { booking_id: parked.body.booking_id });
      expect(ack).toMatchObject({ ok: false, code: 'dependency_unavailable', retry_after: expect.any(Number) });
      const c = await sockets.connect(n.port, carol);
      const carols: BookingResultPush[] = [];
      c.on('booking.result', (r) => carols.push(r));
      expect(await c.emitWithAck('booking.watch', { booking_id: fresh.body.booking_id })).toMatchObject({
        ok: true,
        status: 'queued',
        event_id: held,
      });
      // A known event is still answered (from memory); an unchecked one is refused and not joined.
      expect(await b.emitWithAck('event.watch', { event_id: watched })).toEqual({ ok: true });
      const seats: EventUpdatePush[] = [];
      b.on('event.update', (c) => seats.push(c));
      expect(await b.emitWithAck('event.watch', { event_id: unchecked })).toMatchObject({
        ok: false,
        code: 'dependency_unavailable',
        retry_after: expect.any(Number),
      });
      publishSeats({ event_id: unchecked, available: 1, as_of: new Date().toISOString() });
      publishSeats({ event_id: watched, available: 2, as_of: new Date().toISOString() });
      await waitFor(
        () => seats.some((c) => c.event_id === watched && c.available === 2),
        10_000,
        'watched event change',
      );
      expect(seats.filter((c) => c.event_id === unchecked)).toEqual([]);

      // The kept watches deliver the outcomes decided during the outage.
      expect((await env.http('POST', `/v1/ops/events/${held}/resume`, { token: op })).status).toBe(200);
      await waitFor(() => bobs.length > 0 && carols.length > 0, 20_000, 'parked outcomes pushed');
      expect(bobs[0]).toMatchObject({ booking_id: parked.body.booking_id, status: 'held' });
      expect(carols[0]).toMatchObject({ booking_id: fresh.body.booking_id, status: 'held' });

      await env.pool.query(`ALTER ROLE ${role} LOGIN`);
      await waitFor(async () => (await readyz(n)).status === 200, 20_000, 'ready again');
      expect(await b.emitWithAck('event.watch', { event_id: unchecked })).toEqual({ ok: true });
      expect(bobs).toHaveLength(1);
    } finally {
      await env.pool.query(`ALTER ROLE ${role} LOGIN`).catch(() => undefined);
      for (const n of notifiers.splice(0)) await n.close().catch(() => undefined);
      await env.pool.query(`DROP OWNED BY ${role}`);
      await env.pool.query(`DROP ROLE ${role}`);
    }
  }, 120_000);
});
