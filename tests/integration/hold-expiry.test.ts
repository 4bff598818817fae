import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor } from '../support/env';
import type { BookingResultPush } from '../../shared/contracts/socket';

/** Holds expire, decided by the single writer, and the inventory sells again. */
describe('hold expiry', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startNotifier();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  it('expires a reserved hold, pushes `expired`, and sells the same seats again', async () => {
    const eventId = await env.createEvent({
      hold_seconds: 2,
      sections: [{ name: 'A', rows: 1, seats_per_row: 2, price: 50 }],
    });
    const alice = env.token('alice');
    const socket = await env.socket(alice);
    const pushed: BookingResultPush[] = [];
    socket.on('booking.result', (r) => pushed.push(r));

    const first = await env.http('POST', '/v1/bookings', {
      token: alice,
      body: { event_id: eventId, seat_ids: ['A-1-1', 'A-1-2'] },
    });
    expect(first.status).toBe(202);
    await socket.emitWithAck('booking.watch', { booking_id: first.body.booking_id });
    await waitFor(() => pushed.some((r) => r.status === 'held'), 10_000, 'held');
    expect(pushed[0]).toMatchObject({ status: 'held', seats: ['A-1-1', 'A-1-2'], hold_expires_at: expect.any(String) });

    // While held, nobody else gets them.
    const bob = env.token('bob');
    const blocked = await env.http('POST', '/v1/bookings', { token: bob, body: { event_id: eventId, quantity: 1 } });
    await waitFor(
      async () =>
        (await env.http('GET', `/v1/bookings/${blocked.body.booking_id}`, { token: bob })).body.status !== 'queued',
      10_000,
      'bob decided',
    );
    expect((await env.http('GET', `/v1/bookings/${blocked.body.booking_id}`, { token: bob })).body).toMatchObject({
      status: 'rejected',
      reason: 'sold_out',
    });

    await waitFor(() => pushed.some((r) => r.status === 'expired'), 10_000, 'expired');
    expect(pushed.map((r) => r.status)).toEqual(['held', 'expired']);
    const after = await env.http('GET', `/v1/bookings/${first.body.booking_id}`, { token: alice });
    expect(after.body).toMatchObject({ status: 'expired', reason: 'hold_expired' });

    const again = await env.http('POST', '/v1/bookings', {
      token: bob,
      body: { event_id: eventId, seat_ids: ['A-1-2'] },
    });
    await waitFor(
      async () =>
        (await env.http('GET', `/v1/bookings/${again.body.booking_id}`, { token: bob })).body.status === 'held',
      10_000,
      'resold',
    );
    const seats = await env.pool.query('SELECT id, status, booking_id FROM seats WHERE event_id = $1 ORDER BY id', [
      eventId,
    ]);
    expect(seats.rows).toEqual([
      { id: 'A-1-1', status: 'available', booking_id: null },
      { id: 'A-1-2', status: 'held', booking_id: again.body.booking_id },
    ]);
  });

  it('expires general-admission holds and a cancelled hold returns its units at once', async () => {
    const eventId = await env.createEvent({ hold_seconds: 2, general_admission: { capacity: 3, price: 10 } });
    const carol = env.token('carol');
    const dave = env.token('dave');
    const c = await env.http('POST', '/v1/bookings', { token: carol, body: { event_id: eventId, quantity: 2 } });
    const d = await env.http('POST', '/v1/bookings', { token: dave, body: { event_id: eventId, quantity: 1 } });
    await waitFor(
      async () => (await env.http('GET', `/v1/bookings/${d.body.booking_id}`, { token: dave })).body.status === 'held',
      10_000,
      'dave held',
    );
    const cancel = await env.http('DELETE', `/v1/bookings/${d.body.booking_id}`, { token: dave });
    expect(cancel.status).toBe(202);
    await waitFor(
      async () =>
        (await env.http('GET', `/v1/bookings/${d.body.booking_id}`, { token: dave })).body.status === 'cancelled',
      10_000,
      'dave cancelled',
    );
    const again = await env.http('DELETE', `/v1/bookings/${d.body.booking_id}`, { token: dave });
    expect([again.status, again.body.error.code]).toEqual([409, 'booking_not_cancellable']);
    expect((await env.http('GET', `/v1/events/${eventId}`)).body.availability.available).toBe(1);
    await waitFor(
      async () =>
        (await env.http('GET', `/v1/bookings/${c.body.booking_id}`, { token: carol })).body.status === 'expired',
      10_000,
      'carol expired',
    );
    await waitFor(
      async () => (await env.http('GET', `/v1/events/${eventId}`)).body.availability.available === 3,
      5_000,
      'units back',
    );
    const { rows } = await env.pool.query('SELECT ga_available FROM events WHERE id = $1', [eventId]);
    expect(rows[0].ga_available).toBe(3);
  });
});
