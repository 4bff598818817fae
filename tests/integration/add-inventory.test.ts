import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initInventory, seedCatalog } from '../../scripts/seed-catalog';
import { TestEnv, waitFor } from '../support/env';

/**
 * Seats added to an existing event go through its partition: the single writer puts them on sale at
 * once, writes them in its batch, rewrites the seat snapshot, and a restarted worker finds them.
 */
describe('adding inventory to an existing event', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  const org = () => env.token('organizer-1', 'organizer');
  const decided = async (token: string, id: string) => {
    await waitFor(
      async () => (await env.http('GET', `/v1/bookings/${id}`, { token })).body.status !== 'queued',
      10_000,
      'decision',
    );
    return (await env.http('GET', `/v1/bookings/${id}`, { token })).body;
  };
  const book = async (user: string, body: Record<string, unknown>) => {
    const token = env.token(user);
    const res = await env.http('POST', '/v1/bookings', { token, body });
    expect(res.status).toBe(202);
    return decided(token, res.body.booking_id);
  };

  it('adds a section to a sold-out reserved event: it sells at once, shows on the map and page, and survives a restart', async () => {
    const eventId = await env.createEvent({ sections: [{ name: 'Floor', rows: 1, seats_per_row: 2, price: 100 }] });
    expect((await book('u1', { event_id: eventId, quantity: 2 })).status).toBe('held');
    expect((await book('u2', { event_id: eventId, quantity: 1 })).reason).toBe('sold_out');

    const res = await env.http('POST', `/v1/events/${eventId}/inventory`, {
      token: org(),
      body: { sections: [{ name: 'Balcony', rows: 2, seats_per_row: 3, price: 40, price_tier: 'cheap' }] },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ event_id: eventId, inventory: 'queued', capacity: 8 });
    await waitFor(
      async () =>
        (await env.pool.query('SELECT count(*)::int AS n FROM seats WHERE event_id = $1', [eventId])).rows[0].n === 8,
      10_000,
      'seats added',
    );

    const { rows } = await env.pool.query(
      "SELECT capacity, layout->'sections'->1->>'name' AS added FROM events WHERE id = $1",
      [eventId],
    );
    expect(rows[0]).toEqual({ capacity: 8, added: 'Balcony' });
    const ranks = (
      await env.pool.query("SELECT min(rank)::int AS lo FROM seats WHERE event_id = $1 AND section = 'Balcony'", [
        eventId,
      ])
    ).rows[0];
    expect(ranks.lo).toBe(2);

    const u3 = await book('u3', { event_id: eventId, quantity: 3 });
    expect([u3.status, u3.amount_cents, [...u3.seats].sort()]).toEqual([
      'held',
      12000,
      ['Balcony-1-1', 'Balcony-1-2', 'Balcony-1-3'],
    ]);

    await waitFor(
      async () => (await env.http('GET', `/v1/events/${eventId}/seats`)).body.seats.length === 8,
      10_000,
      'seat map',
    );
    const map = (await env.http('GET', `/v1/events/${eventId}/seats?section=Balcony`)).body;
    expect(
      map.seats
        .filter((s: { status: string }) => s.status === 'available')
        .map((s: { id: string }) => s.id)
        .sort(),
    ).toEqual(['Balcony-2-1', 'Balcony-2-2', 'Balcony-2-3']);
    expect(map.seats[0].price).toBe(40);
    const page = (await env.http('GET', `/v1/events/${eventId}`)).body;
    expect(JSON.stringify(page)).toContain('Balcony');

    // A fresh worker rebuilds the event from PostgreSQL with the added section and its holds.
    await env.workers[0]!.close();
    await env.startWorker();
    expect((await book('u4', { event_id: eventId, seat_ids: ['Balcony-2-2'] })).status).toBe('held');
    expect((await book('u5', { event_id: eventId, seat_ids: ['Balcony-1-1'] })).reason).toBe('seats_unavailable');
    const taken = (
      await env.pool.query("SELECT count(*)::int AS n FROM seats WHERE event_id = $1 AND status <> 'available'", [
        eventId,
      ])
    ).rows[0].n;
    expect(taken).toBe(6);
  });

  it('raises a general-admission capacity', async () => {
    const eventId = await env.createEvent({ general_admission: { capacity: 2, price: 10 } });
    expect((await book('g1', { event_id: eventId, quantity: 2 })).status).toBe('held');
    expect((await book('g2', { event_id: eventId, quantity: 3 })).reason).toBe('sold_out');
    const res = await env.http('POST', `/v1/events/${eventId}/inventory`, {
      token: org(),
      body: { general_admission: { capacity: 5 } },
    });
    expect([res.status, res.body.capacity]).toEqual([202, 5]);
    await waitFor(
      async () =>
        (await env.pool.query('SELECT ga_available FROM events WHERE id = $1', [eventId])).rows[0].ga_available === 3,
      10_000,
      'capacity raised',
    );
    expect((await book('g3', { event_id: eventId, quantity: 3 })).status).toBe('held');
    expect((await book('g4', { event_id: eventId, quantity: 1 })).reason).toBe('sold_out');
    const { rows } = await env.pool.query(
      "SELECT capacity, layout->>'capacity' AS layout_capacity FROM events WHERE id = $1",
      [eventId],
    );
    expect(rows[0]).toEqual({ capacity: 5, layout_capacity: '5' });
  });

  it('adds to an event whose inventory is not created yet: its creation includes the addition', async () => {
    await seedCatalog(env.pool, { events: 60, partitions: env.config.PARTITIONS, organizer: 'organizer-1', seed: 3 });
    const { rows } = await env.pool.query(
      "SELECT id, capacity FROM events WHERE organizer_id = 'organizer-1' AND kind = 'reserved' AND NOT inventory_ready AND on_sale_at <= now() LIMIT 1",
    );
    expect(rows).toHaveLength(1);
    const { id, capacity } = rows[0] as { id: string; capacity: number };
    const res = await env.http('POST', `/v1/events/${id}/inventory`, {
      token: org(),
      body: { sections: [{ name: 'Extra', rows: 1, seats_per_row: 5, price: 15 }] },
    });
    expect([res.status, res.body.capacity]).toEqual([202, capacity + 5]);
    await waitFor(
      async () =>
        (await env.pool.query('SELECT capacity FROM events WHERE id = $1', [id])).rows[0].capacity === capacity + 5,
      10_000,
      'layout extended',
    );
    await initInventory(env.config, env.pool, [id]);
    await waitFor(
      async () =>
        (await env.pool.query('SELECT inventory_ready FROM events WHERE id = $1', [id])).rows[0].inventory_ready ===
        true,
      20_000,
      'inventory ready',
    );
    const seats = (
      await env.pool.query(
        "SELECT count(*)::int AS n, count(*) FILTER (WHERE section = 'Extra')::int AS extra, max(rank)::int AS last FROM seats WHERE event_id = $1",
        [id],
      )
    ).rows[0];
    expect(seats).toEqual({ n: capacity + 5, extra: 5, last: capacity + 4 });
    expect((await book('c1', { event_id: id, seat_ids: ['Extra-1-3'] })).status).toBe('held');
  });

  it('refuses bad additions, other organizers, buyers and cancelled events, and queues nothing', async () => {
    const reserved = await env.createEvent({ sections: [{ name: 'A', rows: 1, seats_per_row: 2, price: 10 }] });
    const ga = await env.createEvent({ general_admission: { capacity: 10, price: 10 } });
    const cases: Array<[string, unknown, string, number, string]> = [
      [reserved, { sections: [{ name: 'A', rows: 1, seats_per_row: 1, price: 1 }] }, org(), 400, 'validation_failed'],
      [
        reserved,
        {
          sections: [
            { name: 'B', rows: 1, seats_per_row: 1, price: 1 },
            { name: 'B', rows: 1, seats_per_row: 1, price: 1 },
          ],
        },
        org(),
        400,
        'validation_failed',
      ],
      [
        reserved,
        { sections: [{ name: 'B', rows: 500, seats_per_row: 500, price: 1 }] },
        org(),
        400,
        'validation_failed',
      ],
      [reserved, { general_admission: { capacity: 5 } }, org(), 400, 'validation_failed'],
      [reserved, { sections: [{ name: 'B', rows: -1, seats_per_row: 1, price: 1 }] }, org(), 400, 'validation_failed'],
      [ga, { general_admission: { capacity: 10 } }, org(), 400, 'validation_failed'],
      [ga, { general_admission: { capacity: 20 }, sections: [] }, org(), 400, 'validation_failed'],
      [ga, { general_admission: { capacity: 20 } }, env.token('organizer-2', 'organizer'), 403, 'forbidden'],
      [ga, { general_admission: { capacity: 20 } }, env.token('buyer-1'), 403, 'forbidden'],
      ['not-a-uuid', { general_admission: { capacity: 20 } }, org(), 400, 'invalid_id'],
      ['00000000-0000-4000-8000-000000000000', { general_admission: { capacity: 20 } }, org(), 404, 'event_not_found'],
    ];
    for (const [id, body, token, status, code] of cases) {
      const res = await env.http('POST', `/v1/events/${id}/inventory`, { token, body });
      expect([JSON.stringify(body), res.status, res.body.error?.code]).toEqual([JSON.stringify(body), status, code]);
    }
    expect((await env.http('POST', `/v1/events/${ga}/cancel`, { token: org() })).status).toBeLessThan(300);
    await waitFor(
      async () =>
        (await env.pool.query('SELECT cancelled_at FROM events WHERE id = $1', [ga])).rows[0].cancelled_at !== null,
      10_000,
      'cancelled',
    );
    const late = await env.http('POST', `/v1/events/${ga}/inventory`, {
      token: org(),
      body: { general_admission: { capacity: 20 } },
    });
    expect([late.status, late.body.error.code]).toEqual([409, 'event_not_editable']);
    const { rows } = await env.pool.query(
      'SELECT id, capacity FROM events WHERE id = ANY($1::uuid[]) ORDER BY capacity',
      [[reserved, ga]],
    );
    expect(rows.map((r) => r.capacity)).toEqual([2, 10]);
  });
});
