import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { names } from '../../shared/amqp/topology';
import { drawPermutation } from '../../booking-workers/allocator/draw';
import { chiSquareBuckets, spearmanRho } from '../../shared/stats/fairness';
import type { BookingResultPush } from '../../shared/contracts/socket';
import { sleep, TestEnv, waitFor, type ClientSocket } from '../support/env';
import { bookingFromDatabase, pendingBooking } from '../../shared/read/booking-status';
import { redisKeys } from '../../shared/redis/keys';

/**
 * The draw (issue 12 §1), through the real partition: the waiting room's order is a uniformly random
 * permutation, drawn once, committed before anyone is decided, and kept across a kill -9 of the worker.
 */
describe('the draw at the on-sale time', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create({ WAITING_ROOM_MINUTES: '120' });
    await env.startIngress();
  });
  afterAll(() => env.cleanup());

  const counts = async (eventId: string) =>
    (
      await env.pool.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM bookings WHERE event_id = $1 GROUP BY status',
        [eventId],
      )
    ).rows;

  /**
   * waitFor that says, every 30 s and on timeout, where the event stands (statuses, the partition queue,
   * the partition's owner): this test once timed out in CI, and a bare timeout told nothing.
   */
  const waitReporting = async (eventId: string, check: () => Promise<boolean>, ms: number, what: string) => {
    const report = async () => {
      const n = names(env.config.AMQP_PREFIX);
      const { rows } = await env.pool.query<{ partition: number }>('SELECT partition FROM events WHERE id = $1', [
        eventId,
      ]);
      const partition = rows[0]!.partition;
      const owner = (await env.pool.query('SELECT * FROM partitions WHERE id = $1', [partition])).rows[0] as unknown;
      const conn = await amqp.connect(env.config.AMQP_URL);
      try {
        const ch = await conn.createChannel();
        const q = await ch.checkQueue(n.partitionQueue(partition));
        console.warn(
          `[draw test] still waiting for ${what}: ${JSON.stringify(await counts(eventId))}, queue ${JSON.stringify(q)}, partition ${JSON.stringify(owner)}`,
        );
      } finally {
        await conn.close().catch(() => undefined);
      }
    };
    const timer = setInterval(() => void report().catch(() => undefined), 30_000);
    try {
      await waitFor(check, ms, what);
    } catch (err) {
      await report().catch(() => undefined);
      throw err;
    } finally {
      clearInterval(timer);
    }
  };

  it('draws 10,000 entries uniformly, keeps the order across kill -9 right after the draw, and decides in drawn order', async () => {
    const N = 10_000;
    const CAPACITY = 2_000;
    const worker = await env.startWorker();
    const eventId = await env.createEvent({
      on_sale_at: new Date(Date.now() + 3600_000).toISOString(),
      general_admission: { capacity: CAPACITY, price: 10 },
    });
    const { rows } = await env.pool.query('SELECT partition FROM events WHERE id = $1', [eventId]);
    const n = names(env.config.AMQP_PREFIX);
    const conn = await amqp.connect(env.config.AMQP_URL);
    const ch = await conn.createConfirmChannel();
    const key = n.partitionKey(rows[0].partition);
    const arrivedAt = new Date().toISOString();
    const ids: string[] = [];
    for (let seq = 1; seq <= N; seq++) {
      const id = randomUUID();
      ids.push(id);
      const cmd = {
        type: 'book',
        event_id: eventId,
        booking_id: id,
        user_id: `draw-${seq}`,
        seq,
        requested_at: arrivedAt,
        request: { quantity: 1 },
      };
      ch.publish(n.bookings, key, Buffer.from(JSON.stringify(cmd)), { persistent: true, messageId: id, type: 'book' });
    }
    await ch.waitForConfirms();
    await conn.close();
    // All of them wait in the waiting room (parked, durable).
    await waitReporting(
      eventId,
      async () => (await counts(eventId)).find((r) => r.status === 'queued')?.n === N,
      // Generous: 10,000 durable parks on two shared cores (once seen to need more than 120 s in CI).
      300_000,
      'all parked',
    );
    expect(
      (await env.pool.query('SELECT count(*)::int AS n FROM event_draws WHERE event_id = $1', [eventId])).rows[0].n,
    ).toBe(0);

    // The on-sale time comes (moved to now while no worker runs); a worker in its own process draws, and dies at once.
    await worker.close();
    await env.pool.query("UPDATE events SET on_sale_at = now() - interval '1 second' WHERE id = $1", [eventId]);
    const first = await env.spawnWorker();
    await waitReporting(
      eventId,
      async () => (await env.pool.query('SELECT 1 FROM event_draws WHERE event_id = $1', [eventId])).rowCount === 1,
      300_000,
      'drawn',
    );
    first.kill('SIGKILL');
    const drawRow = (await env.pool.query('SELECT * FROM event_draws WHERE event_id = $1', [eventId])).rows[0];
    const drawn = (
      await env.pool.query<{ id: string; seq: string; arrival_seq: string }>(
        'SELECT id, seq, arrival_seq FROM bookings WHERE event_id = $1',
        [eventId],
      )
    ).rows;
    expect(drawRow.entries).toBe(N);
    expect(drawn).toHaveLength(N);
    // Every entry got a drawn number, the drawn numbers are the waiting room's own (1 … N), and arrival numbers were kept.
    const arrivalRank = drawn.map((b) => Number(b.arrival_seq) - 1);
    const drawnRank = drawn.map((b) => Number(b.seq) - 1);
    expect([...drawnRank].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect([...arrivalRank].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));

    // Fair: no correlation between arrival and drawn position, and arrival decile is independent of drawn decile.
    const rho = spearmanRho(arrivalRank, drawnRank);
    const chi = chiSquareBuckets(arrivalRank, drawnRank);
    expect(Math.abs(rho)).toBeLessThan(0.05);
    expect(chi.pValue).toBeGreaterThan(0.01);

    // Auditable: the recorded seed and the entries in arrival order reproduce the order exactly.
    const byArrival = [...drawn].sort((a, b) => Number(a.arrival_seq) - Number(b.arrival_seq)).map((b) => b.id);
    const perm = drawPermutation(Buffer.from(drawRow.seed as string, 'hex'), N);
    const byDrawn = [...drawn].sort((a, b) => Number(a.seq) - Number(b.seq)).map((b) => b.id);
    expect(perm.map((i) => byArrival[i])).toEqual(byDrawn);

    // A new worker takes over: no second draw, the same order, and decisions follow it (first CAPACITY drawn hold).
    await env.spawnWorker();
    await waitReporting(
      eventId,
      async () => !(await counts(eventId)).some((r) => r.status === 'queued'),
      180_000,
      'all decided',
    );
    const after = (await env.pool.query('SELECT * FROM event_draws WHERE event_id = $1', [eventId])).rows;
    expect(after).toHaveLength(1);
    expect(after[0].seed).toBe(drawRow.seed);
    const decided = (
      await env.pool.query<{ id: string; seq: string; status: string }>(
        'SELECT id, seq, status FROM bookings WHERE event_id = $1',
        [eventId],
      )
    ).rows;
    const seqBefore = new Map(drawn.map((b) => [b.id, b.seq]));
    for (const b of decided) {
      expect(b.seq).toBe(seqBefore.get(b.id));
      expect(b.status).toBe(Number(b.seq) <= CAPACITY ? 'held' : 'rejected');
    }
    console.log(
      `draw of ${N}: spearman rho ${rho.toFixed(4)}, chi-square ${chi.statistic.toFixed(1)} (df ${chi.degreesOfFreedom}, p ${chi.pValue.toFixed(3)})`,
    );
  }, 600_000);

  it('says a waiting-room request has no position until the draw, then gives it one', async () => {
    await env.startWorker();
    await env.startNotifier();
    const opensAt = Date.now() + 5_000;
    const eventId = await env.createEvent({
      on_sale_at: new Date(opensAt).toISOString(),
      general_admission: { capacity: 1, price: 10 },
    });
    const tokens = ['wr-1', 'wr-2', 'wr-3'].map((u) => env.token(u));
    const accepted: Array<{ booking_id: string; position: number | null; queue: string; draw_at: string }> = [];
    for (const token of tokens) {
      const res = await env.http('POST', '/v1/bookings', { token, body: { event_id: eventId, quantity: 1 } });
      expect(res.status).toBe(202);
      accepted.push(res.body);
    }
    for (const a of accepted)
      expect(a).toMatchObject({ position: null, queue: 'waiting_room', draw_at: new Date(opensAt).toISOString() });
    const got = await env.http('GET', `/v1/bookings/${accepted[0]!.booking_id}`, { token: tokens[0] });
    expect(got.body).toMatchObject({ status: 'queued', position: null, queue: 'waiting_room' });
    // No number of its own before the draw: not in ingress's Redis record, not from PostgreSQL, not on the socket.
    const pending = await pendingBooking(env.redis, redisKeys(env.config.REDIS_PREFIX), accepted[0]!.booking_id);
    expect(pending).toMatchObject({ status: 'queued', seq: null });
    await waitFor(
      async () =>
        (await env.pool.query("SELECT 1 FROM bookings WHERE id = $1 AND status = 'queued'", [accepted[0]!.booking_id]))
          .rowCount === 1,
      10_000,
      'parked',
    );
    expect(await bookingFromDatabase(env.pool, accepted[0]!.booking_id)).toMatchObject({ status: 'queued', seq: null });
    const socket = await env.socket(tokens[0]!);
    expect(await socket.emitWithAck('booking.watch', { booking_id: accepted[0]!.booking_id })).toMatchObject({
      ok: true,
      status: 'queued',
      seq: null,
      position: null,
    });

    // After the opening: drawn and decided; exactly one of three holds the one unit.
    await waitFor(
      async () => (await env.pool.query('SELECT 1 FROM event_draws WHERE event_id = $1', [eventId])).rowCount === 1,
      20_000,
      'drawn',
    );
    for (const [i, token] of tokens.entries()) {
      await waitFor(
        async () =>
          (await env.http('GET', `/v1/bookings/${accepted[i]!.booking_id}`, { token })).body.status !== 'queued',
        20_000,
        'decided',
      );
    }
    const final = await Promise.all(
      tokens.map(
        async (token, i) => (await env.http('GET', `/v1/bookings/${accepted[i]!.booking_id}`, { token })).body,
      ),
    );
    expect(final.filter((b) => b.status === 'held')).toHaveLength(1);
    // The one drawn first holds it.
    const first = final.find((b) => b.status === 'held');
    expect(Math.min(...final.map((b) => b.seq as number))).toBe(first.seq);

    // A request after the opening is not drawn: it queues behind, with a position.
    const late = await env.http('POST', '/v1/bookings', {
      token: env.token('wr-late'),
      body: { event_id: eventId, quantity: 1 },
    });
    expect(late.status).toBe(202);
    expect(late.body.queue).toBe('line');
    expect(typeof late.body.position).toBe('number');
    await sleep(10);
  }, 120_000);
});

describe('queue mode and the draw record over HTTP', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create({ WAITING_ROOM_MINUTES: '30' });
    await env.startIngress();
    await env.startWorker();
    await env.startNotifier();
  });
  afterAll(() => env.cleanup());

  it('lets the organizer switch to fifo before the on-sale time, refuses after, and shows the draw to its organizer and operators only', async () => {
    const organizer = env.token('organizer-1', 'organizer');
    const future = await env.createEvent({
      on_sale_at: new Date(Date.now() + 3600_000).toISOString(),
      general_admission: { capacity: 5, price: 10 },
    });
    const bad = await env.http('PUT', `/v1/events/${future}/queue-mode`, {
      token: organizer,
      body: { queue_mode: 'random' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(
      (await env.http('PUT', `/v1/events/not-a-uuid/queue-mode`, { token: organizer, body: { queue_mode: 'fifo' } }))
        .body.error.code,
    ).toBe('invalid_id');
    expect(
      (
        await env.http('PUT', `/v1/events/${future}/queue-mode`, {
          token: env.token('other-org', 'organizer'),
          body: { queue_mode: 'fifo' },
        })
      ).status,
    ).toBe(403);
    const ok = await env.http('PUT', `/v1/events/${future}/queue-mode`, {
      token: organizer,
      body: { queue_mode: 'fifo' },
    });
    expect(ok.status).toBe(202);
    await waitFor(
      async () =>
        (await env.pool.query('SELECT queue_mode FROM events WHERE id = $1', [future])).rows[0].queue_mode === 'fifo',
      10_000,
      'fifo applied',
    );
    const pending = await env.http('GET', `/v1/ops/events/${future}/draw`, { token: env.token('op', 'operator') });
    expect(pending.body).toMatchObject({ queue_mode: 'fifo', state: 'not_drawn_fifo', waiting_room: 0 });

    const onSale = await env.createEvent({ general_admission: { capacity: 5, price: 10 } });
    const locked = await env.http('PUT', `/v1/events/${onSale}/queue-mode`, {
      token: organizer,
      body: { queue_mode: 'fifo' },
    });
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('queue_mode_locked');

    // A drawn event: the record says when, how many, and how to re-check it.
    const sockets = new Map<string, { socket: ClientSocket; got: BookingResultPush[] }>();
    for (const u of ['d-1', 'd-2']) {
      const socket = await env.socket(env.token(u));
      const got: BookingResultPush[] = [];
      socket.on('booking.result', (p) => got.push(p));
      sockets.set(u, { socket, got });
    }
    const opensAt = Date.now() + 8_000;
    const drawn = await env.createEvent({
      on_sale_at: new Date(opensAt).toISOString(),
      general_admission: { capacity: 5, price: 10 },
    });
    const bookingOf = new Map<string, string>();
    for (const u of ['d-1', 'd-2']) {
      const res = await env.http('POST', '/v1/bookings', {
        token: env.token(u),
        body: { event_id: drawn, quantity: 1 },
      });
      expect(res.status).toBe(202);
      bookingOf.set(u, res.body.booking_id);
      // Watching from the waiting room (the ack's seq, if any, is the arrival number, not the drawn one).
      const ack = await sockets.get(u)!.socket.emitWithAck('booking.watch', { booking_id: res.body.booking_id });
      expect(ack).toMatchObject({ ok: true, status: 'queued' });
    }
    await waitFor(
      async () => (await env.http('GET', `/v1/ops/events/${drawn}/draw`, { token: organizer })).body.waiting_room === 2,
      10_000,
      'in the waiting room',
    );
    await waitFor(
      async () => (await env.http('GET', `/v1/ops/events/${drawn}/draw`, { token: organizer })).body.state === 'drawn',
      30_000,
      'drawn',
    );
    // Each watching socket is pushed its drawn number at once, before any decision on it.
    const drawnSeqs = new Map(
      (
        await env.pool.query<{ id: string; seq: string }>('SELECT id, seq FROM bookings WHERE event_id = $1', [drawn])
      ).rows.map((r) => [r.id, Number(r.seq)]),
    );
    for (const [u, { got }] of sockets) {
      await waitFor(() => got.some((p) => p.status === 'queued'), 10_000, `drawn seq pushed to ${u}`);
      const queued = got.find((p) => p.status === 'queued')!;
      expect(queued).toMatchObject({
        booking_id: bookingOf.get(u),
        queue: 'drawn',
        seq: drawnSeqs.get(bookingOf.get(u)!),
      });
      expect(got.indexOf(queued)).toBe(0);
    }
    expect(new Set([...sockets.values()].map((x) => x.got[0]!.seq)).size).toBe(2);
    const rec = (await env.http('GET', `/v1/ops/events/${drawn}/draw`, { token: env.token('op', 'operator') })).body;
    expect(rec).toMatchObject({
      queue_mode: 'draw',
      state: 'drawn',
      entries: 2,
      audit: { algorithm: 'fisher-yates/sha256-ctr/rejection-v1' },
    });
    expect(rec.audit.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(rec.drawn_at)).toBeGreaterThanOrEqual(opensAt - 5);
    expect((await env.http('GET', `/v1/ops/events/${drawn}/draw`, { token: env.token('b', 'buyer') })).status).toBe(
      403,
    );
    expect(
      (await env.http('GET', `/v1/ops/events/${drawn}/draw`, { token: env.token('other-org', 'organizer') })).status,
    ).toBe(403);
  }, 120_000);
});
