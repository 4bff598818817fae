import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, TestEnv, waitFor } from '../support/env';
import { SocketPool } from '../support/notifier';
import { createLogger } from '../../shared/logger';
import { redisKeys } from '../../shared/redis/keys';
import { names as amqpNames } from '../../shared/amqp/topology';
import { loadNotifierSettings } from '../../notifier/settings';
import { startNotifier, type RunningNotifier } from '../../notifier/server';
import { positionOf, type EventProgressPush, type EventUpdatePush } from '../../shared/contracts/socket';
import type { SeatStatus } from '../../shared/contracts/messages';

/**
 * Crowd-scale fan-out (issue 10): an event's progress and seat changes reach its room together, as one
 * coalesced `event.update` per tick on a clock that slows as the room grows, and each waiting client
 * computes its own position from `event.progress`.
 */
describe('notifier broadcasts', () => {
  let env: TestEnv;
  let notifier: RunningNotifier;
  let broker: amqp.ChannelModel;
  let ch: amqp.Channel;
  const sockets = new SocketPool();

  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startWorker();
    notifier = await startNotifier(
      env.config,
      createLogger('notifier', 'warn'),
      0,
      loadNotifierSettings({}, { NOTIFIER_COALESCE_MS: 200, NOTIFIER_EVENT_ROOM_MS: 600 }),
    );
    broker = await amqp.connect(env.config.AMQP_URL);
    ch = await broker.createChannel();
  }, 120_000);
  afterAll(async () => {
    sockets.closeAll();
    // Each may be unset when beforeAll failed, whatever its declared type says.
    await (notifier as RunningNotifier | undefined)?.close();
    await (broker as amqp.ChannelModel | undefined)?.close().catch(() => undefined);
    await (env as TestEnv | undefined)?.cleanup();
  });

  const publish = (kind: 'event.progress' | 'seats.changed', eventId: string, body: object) =>
    ch.publish(
      amqpNames(env.config.AMQP_PREFIX).bookingEvents,
      `${kind}.${eventId}`,
      Buffer.from(JSON.stringify(body)),
      { type: kind },
    );

  it('sends waiting clients one progress message per tick, from which each computes its own position', async () => {
    const eventId = randomUUID();
    const seqs = [10, 25];
    const clients = await Promise.all(
      seqs.map(async (seq, i) => {
        const bookingId = randomUUID();
        await env.redis.hset(redisKeys(env.config.REDIS_PREFIX).pendingBooking(bookingId), {
          event_id: eventId,
          user_id: `waiting-${i}`,
          seq: String(seq),
          requested_at: new Date().toISOString(),
        });
        const s = await sockets.connect(notifier.port, env.token(`waiting-${i}`));
        const seen: EventProgressPush[] = [];
        s.on('event.progress', (p) => seen.push(p));
        const ack = await s.emitWithAck('booking.watch', { booking_id: bookingId });
        expect(ack).toEqual({ ok: true, status: 'queued', position: seq, seq, event_id: eventId });
        return { seen, seq };
      }),
    );
    // 40 progress messages in a burst: far fewer broadcasts, the last state wins.
    for (let wm = 1; wm <= 40; wm++)
      publish('event.progress', eventId, {
        event_id: eventId,
        watermark: wm,
        rate_per_s: 20,
        paused: wm === 40,
        throttle_per_s: null,
        at: new Date().toISOString(),
      });
    for (const c of clients) await waitFor(() => c.seen.at(-1)?.watermark === 40, 10_000, 'the last progress');
    await sleep(400);
    for (const c of clients) {
      expect(c.seen.length).toBeLessThan(10);
      expect(c.seen.at(-1)).toEqual({
        event_id: eventId,
        watermark: 40,
        rate_per_s: 20,
        paused: true,
        throttle_per_s: null,
      });
      expect(positionOf(c.seq, c.seen.at(-1)!)).toEqual({ position: 1, eta_seconds: 1 });
    }
    // A client that starts waiting now is told where the queue stands at once (paused), not at the next move:
    // the ack carries it.
    const late = randomUUID();
    await env.redis.hset(redisKeys(env.config.REDIS_PREFIX).pendingBooking(late), {
      event_id: eventId,
      user_id: 'late',
      seq: '60',
      requested_at: new Date().toISOString(),
    });
    const s = await sockets.connect(notifier.port, env.token('late'));
    const ack = await s.emitWithAck('booking.watch', { booking_id: late });
    // The ack carries it (one write, not a separate event.progress).
    expect(ack).toEqual({
      ok: true,
      status: 'queued',
      seq: 60,
      position: 20,
      event_id: eventId,
      progress: { watermark: 40, rate_per_s: 20, paused: true, throttle_per_s: null },
    });
    expect(ack.ok && ack.progress && positionOf(60, ack.progress).position).toBe(20);
  });

  it("sends an event's idle watchers progress on the room's slower clock, and only when it changed", async () => {
    const eventId = await env.createEvent({ general_admission: { capacity: 50, price: 10 } });
    const s = await sockets.connect(notifier.port, env.token('room-viewer'));
    const seen: Array<EventUpdatePush['progress']> = [];
    s.on('event.update', (u) => u.progress && seen.push(u.progress));
    // A watcher of the room is not waiting on a booking: it never gets the fast clock's `event.progress`.
    let fast = 0;
    s.on('event.progress', () => fast++);
    expect(await s.emitWithAck('event.watch', { event_id: eventId })).toEqual({ ok: true });
    const progress = (wm: number) => ({
      event_id: eventId,
      watermark: wm,
      rate_per_s: 5,
      paused: false,
      throttle_per_s: null,
      at: new Date().toISOString(),
    });
    // 2 s of progress every 50 ms: at most one message per 600 ms tick reaches the room, the last state wins.
    const started = performance.now();
    for (let wm = 1; wm <= 40; wm++) {
      publish('event.progress', eventId, progress(wm));
      await sleep(50);
    }
    await waitFor(() => seen.at(-1)?.watermark === 40, 10_000, 'the last progress');
    const elapsed = performance.now() - started;
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(elapsed / 600) + 1);
    // The same state again is not sent again.
    const before = seen.length;
    publish('event.progress', eventId, progress(40));
    await sleep(1500);
    expect(seen.length).toBe(before);
    expect(fast).toBe(0);
  });

  it("sends the room's progress and seat changes of one tick in one message", async () => {
    const eventId = await env.createEvent({ sections: [{ name: 'B', rows: 1, seats_per_row: 4, price: 10 }] });
    const s = await sockets.connect(notifier.port, env.token('one-message'));
    const updates: EventUpdatePush[] = [];
    s.on('event.update', (u) => updates.push(u));
    expect(await s.emitWithAck('event.watch', { event_id: eventId })).toEqual({ ok: true });
    const at = () => new Date().toISOString();
    // A first change opens the room's clock; what follows within its 600 ms interval waits for the next tick.
    publish('seats.changed', eventId, { event_id: eventId, seats: [['B-1-1', 'held']], as_of: at() });
    await waitFor(() => updates.some((u) => u.seats?.length), 10_000, 'the first seat change');
    publish('event.progress', eventId, {
      event_id: eventId,
      watermark: 7,
      rate_per_s: 3,
      paused: false,
      throttle_per_s: 10,
      at: at(),
    });
    publish('seats.changed', eventId, { event_id: eventId, seats: [['B-1-2', 'sold']], as_of: at() });
    await waitFor(() => updates.some((u) => u.progress && u.seats), 10_000, 'progress and seats together');
    expect(updates.find((u) => u.progress && u.seats)).toEqual({
      event_id: eventId,
      progress: { watermark: 7, rate_per_s: 3, paused: false, throttle_per_s: 10 },
      seats: [['B-1-2', 'sold']],
      as_of: expect.any(String),
    });
    // A socket that starts watching now is told where the queue stands at once.
    const late = await sockets.connect(notifier.port, env.token('one-message-late'));
    const first: EventUpdatePush[] = [];
    late.on('event.update', (u) => first.push(u));
    expect(await late.emitWithAck('event.watch', { event_id: eventId })).toEqual({ ok: true });
    await waitFor(() => first.length > 0, 5_000, 'current progress');
    expect(first[0]).toEqual({
      event_id: eventId,
      progress: { watermark: 7, rate_per_s: 3, paused: false, throttle_per_s: 10 },
    });
  });

  it("slows a big room's clock to its writes budget, and keeps the waiting sockets' fast clock", async () => {
    // A budget of 2 writes a second (below what the environment may set, for the test): a room of 4
    // sockets is updated every 2 s instead of every 600 ms.
    const slow = await startNotifier(
      env.config,
      createLogger('notifier', 'warn'),
      0,
      loadNotifierSettings(
        {},
        { NOTIFIER_COALESCE_MS: 200, NOTIFIER_EVENT_ROOM_MS: 600, NOTIFIER_ROOM_WRITES_PER_S: 2 },
      ),
    );
    try {
      const eventId = await env.createEvent({ general_admission: { capacity: 50, price: 10 } });
      const bookingId = randomUUID();
      await env.redis.hset(redisKeys(env.config.REDIS_PREFIX).pendingBooking(bookingId), {
        event_id: eventId,
        user_id: 'slow-waiting',
        seq: '100',
        requested_at: new Date().toISOString(),
      });
      const room: EventUpdatePush[] = [];
      for (let i = 0; i < 4; i++) {
        const s = await sockets.connect(slow.port, env.token(`slow-viewer-${i}`));
        if (i === 0) s.on('event.update', (u) => room.push(u));
        expect(await s.emitWithAck('event.watch', { event_id: eventId })).toEqual({ ok: true });
      }
      const waiting = await sockets.connect(slow.port, env.token('slow-waiting'));
      const fast: EventProgressPush[] = [];
      waiting.on('event.progress', (p) => fast.push(p));
      expect(await waiting.emitWithAck('booking.watch', { booking_id: bookingId })).toMatchObject({ ok: true });
      const started = performance.now();
      for (let wm = 1; wm <= 60; wm++) {
        publish('event.progress', eventId, {
          event_id: eventId,
          watermark: wm,
          rate_per_s: 5,
          paused: false,
          throttle_per_s: null,
          at: new Date().toISOString(),
        });
        await sleep(50);
      }
      await waitFor(() => room.at(-1)?.progress?.watermark === 60, 10_000, 'the last progress in the room');
      const elapsed = performance.now() - started;
      expect(room.length).toBeLessThanOrEqual(Math.ceil(elapsed / 2000) + 1);
      // The waiting socket's progress kept the 200 ms clock.
      expect(fast.length).toBeGreaterThan(room.length * 2);
    } finally {
      await slow.close();
    }
  });

  it('writes a room bigger than its slice threshold slice by slice, each socket once, and unwatching leaves every slice', async () => {
    // Rooms above 3 local sockets go out slice by slice (16 slices, one per event-loop turn).
    const sliced = await startNotifier(
      env.config,
      createLogger('notifier', 'warn'),
      0,
      loadNotifierSettings({}, { NOTIFIER_EVENT_ROOM_MS: 100, NOTIFIER_ROOM_SLICE_ABOVE: 3 }),
    );
    try {
      const eventId = await env.createEvent({ general_admission: { capacity: 50, price: 10 } });
      const got: EventUpdatePush[][] = [];
      const viewers = [];
      for (let i = 0; i < 20; i++) {
        const s = await sockets.connect(sliced.port, env.token(`slice-viewer-${i}`));
        const mine: EventUpdatePush[] = [];
        got.push(mine);
        s.on('event.update', (u) => mine.push(u));
        expect(await s.emitWithAck('event.watch', { event_id: eventId })).toEqual({ ok: true });
        viewers.push(s);
      }
      const send = (watermark: number) =>
        publish('event.progress', eventId, {
          event_id: eventId,
          watermark,
          rate_per_s: 5,
          paused: false,
          throttle_per_s: null,
          at: new Date().toISOString(),
        });
      send(1);
      await waitFor(() => got.every((m) => m.at(-1)?.progress?.watermark === 1), 10_000, 'every viewer told 1');
      // The last viewer unwatches: it leaves the room and its slice, and hears nothing more.
      viewers.at(-1)!.emit('event.unwatch', { event_id: eventId });
      await sleep(200);
      send(2);
      await waitFor(() => got.slice(0, -1).every((m) => m.at(-1)?.progress?.watermark === 2), 10_000, 'told 2');
      await sleep(300);
      // Each told 1 and 2 once (the worker's own progress of the new event may come first).
      const mine = (m: EventUpdatePush[]) =>
        m.map((u) => u.progress?.watermark).filter((w) => w !== undefined && w > 0);
      for (const m of got.slice(0, -1)) expect(mine(m)).toEqual([1, 2]);
      expect(mine(got.at(-1)!)).toEqual([1]);
    } finally {
      await sliced.close();
    }
  });

  it('merges seat changes of an event into one message per tick, the last status of each seat winning', async () => {
    const eventId = await env.createEvent({ sections: [{ name: 'A', rows: 1, seats_per_row: 4, price: 10 }] });
    const s = await sockets.connect(notifier.port, env.token('map-viewer'));
    const changes: EventUpdatePush[] = [];
    s.on('event.update', (c) => changes.push(c));
    expect(await s.emitWithAck('event.watch', { event_id: eventId })).toEqual({ ok: true });
    const steps: Array<Array<[string, SeatStatus]>> = [
      [['A-1-1', 'held']],
      [
        ['A-1-2', 'held'],
        ['A-1-1', 'sold'],
      ],
      [['A-1-3', 'held']],
      [['A-1-2', 'available']],
    ];
    for (let round = 0; round < 10; round++)
      for (const seats of steps)
        publish('seats.changed', eventId, { event_id: eventId, seats, as_of: new Date().toISOString() });
    const map = new Map<string, SeatStatus>();
    await waitFor(
      () => {
        for (const c of changes.splice(0)) for (const [id, st] of c.seats ?? []) map.set(id, st);
        return map.get('A-1-2') === 'available' && map.get('A-1-3') === 'held';
      },
      10_000,
      'the merged seat map',
    );
    expect(Object.fromEntries(map)).toEqual({ 'A-1-1': 'sold', 'A-1-2': 'available', 'A-1-3': 'held' });
  });
});
