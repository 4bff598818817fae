import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor } from '../support/env';

/** Price changes of unsold inventory go through the partition; what is held or sold keeps its price. */
describe('repricing unsold inventory', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  const decided = async (token: string, id: string) => {
    await waitFor(
      async () => (await env.http('GET', `/v1/bookings/${id}`, { token })).body.status !== 'queued',
      10_000,
      'decision',
    );
    return (await env.http('GET', `/v1/bookings/${id}`, { token })).body;
  };

  it('reprices available seats only, and new bookings pay the new price', async () => {
    const eventId = await env.createEvent({
      sections: [
        { name: 'A', rows: 1, seats_per_row: 4, price: 100 },
        { name: 'B', rows: 1, seats_per_row: 4, price: 50 },
      ],
    });
    const alice = env.token('alice');
    const first = await env.http('POST', '/v1/bookings', {
      token: alice,
      body: { event_id: eventId, seat_ids: ['A-1-1'] },
    });
    expect((await decided(alice, first.body.booking_id)).amount_cents).toBe(10000);

    const org = env.token('organizer-1', 'organizer');
    const res = await env.http('PUT', `/v1/events/${eventId}/prices`, {
      token: org,
      body: { sections: [{ name: 'A', price: 180 }] },
    });
    expect(res.status).toBe(202);
    await waitFor(
      async () =>
        (await env.pool.query("SELECT price_cents FROM seats WHERE event_id = $1 AND id = 'A-1-2'", [eventId])).rows[0]
          .price_cents === 18000,
      10_000,
      'repriced',
    );

    const seats = (await env.pool.query('SELECT id, price_cents FROM seats WHERE event_id = $1 ORDER BY id', [eventId]))
      .rows;
    expect(Object.fromEntries(seats.map((s) => [s.id, s.price_cents]))).toEqual({
      'A-1-1': 10000,
      'A-1-2': 18000,
      'A-1-3': 18000,
      'A-1-4': 18000,
      'B-1-1': 5000,
      'B-1-2': 5000,
      'B-1-3': 5000,
      'B-1-4': 5000,
    });
    const bob = env.token('bob');
    const second = await env.http('POST', '/v1/bookings', {
      token: bob,
      body: { event_id: eventId, seat_ids: ['A-1-2', 'A-1-3'] },
    });
    expect((await decided(bob, second.body.booking_id)).amount_cents).toBe(36000);
    expect((await decided(alice, first.body.booking_id)).amount_cents).toBe(10000);

    const map = await env.http('GET', `/v1/events/${eventId}/seats?section=A`);
    expect(map.body.seats.find((s: { id: string }) => s.id === 'A-1-4').price).toBe(180);
    const page = await env.http('GET', `/v1/events/${eventId}`);
    expect(JSON.stringify(page.body)).toContain('180');
  });

  it('reprices general admission, and refuses bad input, other organizers and buyers', async () => {
    const eventId = await env.createEvent({ general_admission: { capacity: 10, price: 20 } });
    const org = env.token('organizer-1', 'organizer');
    expect(
      (
        await env.http('PUT', `/v1/events/${eventId}/prices`, {
          token: org,
          body: { general_admission: { price: 25 } },
        })
      ).status,
    ).toBe(202);
    await waitFor(
      async () =>
        (await env.pool.query("SELECT layout->>'price_cents' AS p FROM events WHERE id = $1", [eventId])).rows[0].p ===
        '2500',
      10_000,
      'ga repriced',
    );
    const carol = env.token('carol');
    const b = await env.http('POST', '/v1/bookings', { token: carol, body: { event_id: eventId, quantity: 2 } });
    expect((await decided(carol, b.body.booking_id)).amount_cents).toBe(5000);

    const bad = await env.http('PUT', `/v1/events/${eventId}/prices`, {
      token: org,
      body: { sections: [{ name: 'Nope', price: 1 }] },
    });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'validation_failed']);
    const other = await env.http('PUT', `/v1/events/${eventId}/prices`, {
      token: env.token('organizer-2', 'organizer'),
      body: { general_admission: { price: 1 } },
    });
    expect([other.status, other.body.error.code]).toEqual([403, 'forbidden']);
    const buyer = await env.http('PUT', `/v1/events/${eventId}/prices`, {
      token: carol,
      body: { general_admission: { price: 1 } },
    });
    expect([buyer.status, buyer.body.error.code]).toEqual([403, 'forbidden']);
  });
});
