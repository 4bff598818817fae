import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, TestEnv, waitFor } from '../support/env';

/**
 * The waiting room: requests sent shortly before the on-sale time are accepted and wait in the queue
 * (durably, across a worker restart), then are decided in arrival order from the on-sale time; earlier
 * ones are rejected `not_on_sale`.
 */
describe('waiting room before the on-sale time', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create({ WAITING_ROOM_MINUTES: '30' });
    await env.startIngress();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  const booking = async (token: string, id: string) => (await env.http('GET', `/v1/bookings/${id}`, { token })).body;

  it('queues early requests, keeps them across a worker restart, and decides them in arrival order at opening (fifo)', async () => {
    const opensAt = Date.now() + 4_000;
    // `fifo`: the waiting room keeps arrival order exactly (the default, `draw`, is tested in draw.test.ts).
    const eventId = await env.createEvent({
      on_sale_at: new Date(opensAt).toISOString(),
      queue_mode: 'fifo',
      general_admission: { capacity: 3, price: 30 },
    });
    const page = (await env.http('GET', `/v1/events/${eventId}`)).body;
    expect(page.status).toBe('scheduled');
    expect(page.on_sale).toMatchObject({ open: false, queue_open: true });
    expect(Date.parse(page.on_sale.queue_opens_at)).toBe(Date.parse(page.on_sale.at) - 30 * 60_000);
    const users = ['early-1', 'early-2', 'early-3'].map((u) => env.token(u));
    const accepted: Array<{ booking_id: string; position: number }> = [];
    for (const [i, token] of users.entries()) {
      const res = await env.http('POST', '/v1/bookings', {
        token,
        body: { event_id: eventId, quantity: i === 2 ? 2 : 1 },
      });
      expect(res.status).toBe(202);
      accepted.push(res.body);
    }
    expect(accepted.map((a) => a.position)).toEqual([1, 2, 3]);

    // Still waiting, durably (parked as queued in PostgreSQL), also after the worker restarts.
    await waitFor(
      async () =>
        (
          await env.pool.query("SELECT count(*)::int AS n FROM bookings WHERE event_id = $1 AND status = 'queued'", [
            eventId,
          ])
        ).rows[0].n === 3,
      5_000,
      'parked',
    );
    await env.workers[0]!.close();
    await env.startWorker();
    await sleep(300);
    for (const [i, token] of users.entries()) {
      const b = await booking(token, accepted[i]!.booking_id);
      expect(b.status).toBe('queued');
      expect(b.position).toBe(i + 1);
    }

    // Opening: decided in arrival order (the third asks for 2 of the 1 unit left).
    for (const [i, token] of users.entries())
      await waitFor(
        async () => (await booking(token, accepted[i]!.booking_id)).status !== 'queued',
        15_000,
        `decision ${i}`,
      );
    const decided = await Promise.all(users.map((token, i) => booking(token, accepted[i]!.booking_id)));
    expect(decided.map((b) => b.status)).toEqual(['held', 'held', 'rejected']);
    expect(decided[2].reason).toBe('sold_out');
    for (const b of decided) expect(Date.parse(b.decided_at)).toBeGreaterThanOrEqual(opensAt - 5);
  });

  it('rejects requests sent before the waiting room opens', async () => {
    const eventId = await env.createEvent({
      on_sale_at: new Date(Date.now() + 2 * 3600_000).toISOString(),
      general_admission: { capacity: 3, price: 30 },
    });
    expect((await env.http('GET', `/v1/events/${eventId}`)).body.on_sale).toMatchObject({
      open: false,
      queue_open: false,
    });
    const token = env.token('too-early');
    const res = await env.http('POST', '/v1/bookings', { token, body: { event_id: eventId, quantity: 1 } });
    expect(res.status).toBe(202);
    await waitFor(async () => (await booking(token, res.body.booking_id)).status !== 'queued', 10_000, 'decision');
    expect(await booking(token, res.body.booking_id)).toMatchObject({ status: 'rejected', reason: 'not_on_sale' });
  });
});
