import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor, sleep, type ClientSocket } from '../support/env';
import { positionOf, type BookingResultPush, type EventProgressPush } from '../../shared/contracts/socket';

/**
 * Operator control, live and durable: throttle holds the rate, pause stops decisions, resume continues,
 * and all of it survives a worker restart. Also: a waiting client's positions never go up.
 */
describe('throttle, pause and resume', () => {
  let env: TestEnv;
  let op: string;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startNotifier();
    await env.startWorker();
    op = env.token('op-1', 'operator');
  });
  afterAll(() => env.cleanup());

  const submit = async (eventId: string, n: number, prefix: string) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await env.http('POST', '/v1/bookings', {
        token: env.token(`${prefix}-${i}`),
        body: { event_id: eventId, quantity: 1 },
      });
      expect(res.status).toBe(202);
      ids.push(res.body.booking_id);
    }
    return ids;
  };
  const decidedTimes = async (ids: string[]) =>
    (
      await env.pool.query(
        "SELECT decided_at FROM bookings WHERE id = ANY($1::uuid[]) AND status <> 'queued' ORDER BY decided_at",
        [ids],
      )
    ).rows.map((r) => new Date(r.decided_at).getTime());
  const rateOf = (times: number[]) => (times.length - 1) / ((times[times.length - 1]! - times[0]!) / 1000);

  it('holds the throttled rate within tolerance, pauses, resumes, and keeps both across a worker restart', async () => {
    const eventId = await env.createEvent({ max_per_user: 2, general_admission: { capacity: 1000, price: 5 } });

    const throttled = await env.http('PUT', `/v1/ops/events/${eventId}/throttle`, {
      token: op,
      body: { per_second: 20 },
    });
    expect(throttled.body).toEqual({ event_id: eventId, throttle_per_s: 20, paused: false });
    const batch1 = await submit(eventId, 60, 'r1');
    await waitFor(async () => (await decidedTimes(batch1)).length === 60, 20_000, 'throttled decisions');
    const rate1 = rateOf(await decidedTimes(batch1));
    expect(rate1).toBeGreaterThan(20 * 0.75);
    expect(rate1).toBeLessThan(20 * 1.25);

    // The operator view shows the setting and the progress.
    const view = await env.http('GET', '/v1/ops/partitions', { token: op });
    const ev = view.body.partitions
      .flatMap((p: { events: unknown[] }) => p.events)
      .find((e: { event_id: string }) => e.event_id === eventId);
    expect(ev).toMatchObject({ throttle_per_s: 20, paused: false, sequence: 60, watermark: 60 });
    expect(view.body.partitions.some((p: { active_consumer_present: boolean }) => p.active_consumer_present)).toBe(
      true,
    );

    // Pause: nothing is decided; requests wait, durably, as queued.
    expect((await env.http('POST', `/v1/ops/events/${eventId}/pause`, { token: op })).body.paused).toBe(true);
    const batch2 = await submit(eventId, 10, 'r2');
    await sleep(1000);
    expect(await decidedTimes(batch2)).toHaveLength(0);
    const queued = await env.http('GET', `/v1/bookings/${batch2[0]}`, { token: env.token('r2-0') });
    expect(queued.body).toMatchObject({ status: 'queued' });

    // Restart the worker: the pause is durable and holds.
    await env.workers[0]!.close();
    await env.startWorker();
    await sleep(1500);
    expect(await decidedTimes(batch2)).toHaveLength(0);

    // Resume: the parked requests are decided, in order, still at the throttled rate.
    await env.http('POST', `/v1/ops/events/${eventId}/resume`, { token: op });
    const batch3 = await submit(eventId, 30, 'r3');
    await waitFor(
      async () => (await decidedTimes([...batch2, ...batch3])).length === 40,
      20_000,
      'decisions after resume',
    );
    const rate2 = rateOf(await decidedTimes([...batch2, ...batch3]));
    expect(rate2).toBeGreaterThan(20 * 0.75);
    expect(rate2).toBeLessThan(20 * 1.25);
    const order = await env.pool.query('SELECT seq FROM bookings WHERE id = ANY($1::uuid[]) ORDER BY decided_at, seq', [
      batch2,
    ]);
    expect(order.rows.map((r) => r.seq)).toEqual([...order.rows.map((r) => r.seq)].sort((a, b) => a - b));

    // Lifting the throttle lets the backlog through at full speed.
    await env.http('PUT', `/v1/ops/events/${eventId}/throttle`, { token: op, body: { per_second: null } });
    const batch4 = await submit(eventId, 40, 'r4');
    await waitFor(async () => (await decidedTimes(batch4)).length === 40, 10_000, 'unthrottled');
  });

  it("never moves a waiting client's position up, and the client gets its outcome", async () => {
    const eventId = await env.createEvent({ general_admission: { capacity: 1000, price: 5 } });
    await env.http('POST', `/v1/ops/events/${eventId}/pause`, { token: op });
    const ahead = await submit(eventId, 40, 'ahead');
    expect(ahead).toHaveLength(40);

    const me = env.token('waiting-client');
    const socket: ClientSocket = await env.socket(me);
    // The event's progress is broadcast; the client turns it into its own position from its seq.
    let seq: number | null = null;
    const positions: Array<{ position: number; eta_seconds: number | null }> = [];
    const broadcasts: EventProgressPush[] = [];
    const results: BookingResultPush[] = [];
    socket.on('event.progress', (p) => {
      broadcasts.push(p);
      if (seq === null || p.event_id !== eventId || results.length) return;
      const mine = positionOf(seq, p);
      if (mine.position < (positions.at(-1)?.position ?? Infinity)) positions.push(mine);
    });
    socket.on('booking.result', (r) => results.push(r));
    const mine = await env.http('POST', '/v1/bookings', { token: me, body: { event_id: eventId, quantity: 2 } });
    expect(mine.body.position).toBe(41);
    const ack = await socket.emitWithAck('booking.watch', { booking_id: mine.body.booking_id });
    // Paused: the ack says so (where the queue stands rides on it).
    expect(ack).toEqual({
      ok: true,
      status: 'queued',
      position: 41,
      seq: 41,
      event_id: eventId,
      progress: expect.objectContaining({ paused: true }) as unknown,
    });
    seq = ack.ok ? (ack.seq ?? null) : null;

    const started = performance.now();
    await env.http('PUT', `/v1/ops/events/${eventId}/throttle`, { token: op, body: { per_second: 25 } });
    await env.http('POST', `/v1/ops/events/${eventId}/resume`, { token: op });
    await waitFor(() => results.length > 0, 20_000, 'outcome');
    const elapsed = performance.now() - started;
    await sleep(300);

    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ booking_id: mine.body.booking_id, status: 'held', quantity: 2 });
    expect(positions.length).toBeGreaterThan(3);
    // Near the front: the last broadcast before the outcome is at most a tick's worth of decisions away.
    expect(positions.at(-1)!.position).toBeLessThanOrEqual(10);
    expect(positions.some((p) => p.eta_seconds !== null && p.eta_seconds > 0)).toBe(true);
    expect(broadcasts.some((b) => b.throttle_per_s === 25 && !b.paused)).toBe(true);
    // Coalesced: at most one broadcast per NOTIFIER_COALESCE_MS (200 ms by default; some slack).
    expect(broadcasts.length).toBeLessThanOrEqual(Math.ceil(elapsed / 150) + 3);

    // Watching after the outcome gets it at once, and only once per socket.
    const late = await env.socket(me);
    const lateResults: BookingResultPush[] = [];
    late.on('booking.result', (r) => lateResults.push(r));
    expect(await late.emitWithAck('booking.watch', { booking_id: mine.body.booking_id })).toEqual({
      ok: true,
      status: 'held',
    });
    await late.emitWithAck('booking.watch', { booking_id: mine.body.booking_id });
    await waitFor(() => lateResults.length === 1, 5_000, 'late result');
    await sleep(200);
    expect(lateResults).toHaveLength(1);

    // Only the owner may watch.
    const stranger = await env.socket(env.token('stranger'));
    expect(await stranger.emitWithAck('booking.watch', { booking_id: mine.body.booking_id })).toMatchObject({
      ok: false,
      code: 'booking_not_found',
    });
    expect(await stranger.emitWithAck('booking.watch', { booking_id: 'nope' })).toMatchObject({
      ok: false,
      code: 'validation_failed',
    });
  });
});
