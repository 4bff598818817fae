import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor } from '../support/env';

/**
 * The organizer API: venues with real seat layouts, performers, events at venues priced by tier (the
 * single writer still creates the seats, with the venue's ids), owner-only changes, and the event
 * page cache following every change.
 */
describe('organizer API', () => {
  let env: TestEnv;
  const ana = () => env.token('organizer-ana', 'organizer');
  const ben = () => env.token('organizer-ben', 'organizer');
  const ops = () => env.token('operator-1', 'operator');
  const buyer = () => env.token('buyer-1', 'buyer');
  let venueId: string;
  let performerId: string;

  beforeAll(async () => {
    env = await TestEnv.create({ EVENT_CACHE_TTL_S: '300', SEARCH_CACHE_TTL_S: '0' });
    await env.startIngress();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  it('creates a venue with sections, rows of their own lengths, accessible seats and coordinates', async () => {
    const res = await env.http('POST', '/v1/venues', {
      token: ana(),
      body: {
        name: 'Hallenstadion',
        address: 'Wallisellenstrasse 45',
        city: 'Zürich',
        country: 'CH',
        lat: 47.4113,
        lon: 8.5517,
        standing_capacity: 500,
        sections: [
          { name: 'Parkett', rows: [{ seats: 4 }, { seats: 6, accessible: [1, 6] }] },
          { name: 'Rang', rows: 2, seats_per_row: 5, y: 20 },
          { name: 'Loge', rows: 1, seats_per_row: 2 },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      organizer_id: 'organizer-ana',
      seated_capacity: 22,
      standing_capacity: 500,
      capacity: 522,
      location: { lat: 47.4113, lon: 8.5517 },
    });
    expect(res.body.sections).toEqual([
      { name: 'Parkett', rows: 2, row_lengths: [4, 6], seats: 10, accessible_seats: 2 },
      { name: 'Rang', rows: 2, row_lengths: [5, 5], seats: 10, accessible_seats: 0 },
      { name: 'Loge', rows: 1, row_lengths: [2], seats: 2, accessible_seats: 0 },
    ]);
    venueId = res.body.id;
    const seats = await env.http('GET', `/v1/venues/${venueId}/seats?section=Parkett`);
    expect(seats.body.seats).toHaveLength(10);
    expect(seats.body.seats[0]).toEqual({
      id: 'Parkett-1-2',
      section: 'Parkett',
      row: 1,
      number: 2,
      rank: 0,
      x: -0.5,
      y: 0,
      accessible: false,
    });
    expect(seats.body.seats.find((s: { id: string }) => s.id === 'Parkett-2-6')).toMatchObject({
      accessible: true,
      x: 2.5,
      y: 1,
    });
    expect((await env.http('GET', `/v1/venues/${venueId}`)).body.name).toBe('Hallenstadion');
  });

  it('refuses impossible layouts with stable codes', async () => {
    const base = { name: 'Bad', city: 'Oslo', lat: 59.9, lon: 10.7 };
    const outside = await env.http('POST', '/v1/venues', {
      token: ana(),
      body: { ...base, sections: [{ name: 'A', rows: 1, seats_per_row: 3, accessible: [{ row: 2, seat: 1 }] }] },
    });
    expect(outside).toMatchObject({ status: 400, body: { error: { code: 'invalid_layout' } } });
    for (const body of [
      { ...base, sections: [{ name: 'A', rows: 2 }] },
      {
        ...base,
        sections: [
          { name: 'A', rows: 1, seats_per_row: 1 },
          { name: 'A', rows: 1, seats_per_row: 1 },
        ],
      },
      { ...base, sections: [] },
      { ...base, lat: 91, standing_capacity: 10 },
      { ...base, sections: [{ name: 'A/B', rows: 1, seats_per_row: 1 }] },
    ]) {
      const res = await env.http('POST', '/v1/venues', { token: ana(), body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const big = await env.http('POST', '/v1/venues', {
      token: ana(),
      body: {
        ...base,
        sections: Array.from({ length: 2 }, (_, i) => ({ name: `S${i}`, rows: 500, seats_per_row: 500 })),
      },
    });
    expect(big.body.error.code).toBe('invalid_layout');
  });

  it("creates performers and events at the venue; the worker generates the venue's seats, priced by tier", async () => {
    const p = await env.http('POST', '/v1/performers', {
      token: ana(),
      body: { name: 'Sophie Hunger', type: 'artist', genre: 'folk' },
    });
    expect(p).toMatchObject({
      status: 201,
      body: { name: 'Sophie Hunger', type: 'artist', genre: 'folk', organizer_id: 'organizer-ana' },
    });
    performerId = p.body.id;
    const starts = new Date(Date.now() + 7 * 86400_000).toISOString();
    const res = await env.http('POST', '/v1/events', {
      token: ana(),
      body: {
        name: 'Sophie Hunger live',
        description: 'Album release show',
        category: 'concert',
        starts_at: starts,
        ends_at: new Date(Date.parse(starts) + 3 * 3600_000).toISOString(),
        venue_id: venueId,
        performer_ids: [performerId],
        partition: 1,
        price_tiers: [
          { name: 'premium', price: 120, sections: ['Parkett'] },
          { name: 'standard', price: 60.5, sections: ['Rang'] },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'reserved',
      capacity: 20,
      partition: 1,
      partition_pinned: true,
      category: 'concert',
      venue: { id: venueId, name: 'Hallenstadion', city: 'Zürich' },
      performers: [{ id: performerId, name: 'Sophie Hunger' }],
      price_tiers: [
        { name: 'premium', price: 120, sections: ['Parkett'] },
        { name: 'standard', price: 60.5, sections: ['Rang'] },
      ],
      price_range: { min: 60.5, max: 120 },
    });
    const id = res.body.id;
    await waitFor(
      async () =>
        (await env.pool.query('SELECT inventory_ready FROM events WHERE id = $1', [id])).rows[0]?.inventory_ready ===
        true,
      20_000,
      'inventory',
    );
    const map = await env.http('GET', `/v1/events/${id}/seats`);
    const venueSeats = (await env.http('GET', `/v1/venues/${venueId}/seats`)).body.seats.filter(
      (s: { section: string }) => s.section !== 'Loge',
    );
    // Same ids, same best-first order: the event's seats are the venue's.
    expect(map.body.seats.map((s: { id: string }) => s.id)).toEqual(venueSeats.map((s: { id: string }) => s.id));
    expect(map.body.seats.find((s: { id: string }) => s.id === 'Rang-2-5')).toMatchObject({
      price: 60.5,
      price_tier: 'standard',
      status: 'available',
    });
    expect(map.body.venue_id).toBe(venueId);
    const page = await env.http('GET', `/v1/events/${id}`);
    expect(page.body).toMatchObject({
      status: 'on_sale',
      on_sale: { open: true },
      availability: { capacity: 20, available: 20 },
    });

    // The buyer books a venue seat by its id.
    const booking = await env.http('POST', '/v1/bookings', {
      token: buyer(),
      body: { event_id: id, seat_ids: ['Parkett-2-6'] },
    });
    expect(booking.status).toBe(202);
    await waitFor(
      async () =>
        (await env.http('GET', `/v1/bookings/${booking.body.booking_id}`, { token: buyer() })).body.status === 'held',
      20_000,
      'held',
    );
  });

  it('refuses events that do not fit their venue, performers or partitions', async () => {
    const starts = new Date(Date.now() + 86400_000).toISOString();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ venue_id: venueId, price_tiers: [{ name: 'a', price: 1, sections: ['Nope'] }] }, 400, 'invalid_layout'],
      [
        {
          venue_id: '00000000-0000-4000-8000-000000000000',
          price_tiers: [{ name: 'a', price: 1, sections: ['Rang'] }],
        },
        404,
        'venue_not_found',
      ],
      [
        { general_admission: { capacity: 10, price: 5 }, performer_ids: ['00000000-0000-4000-8000-000000000000'] },
        404,
        'performer_not_found',
      ],
      [{ general_admission: { capacity: 10, price: 5 }, partition: 2 }, 400, 'validation_failed'],
      [
        { general_admission: { capacity: 10, price: 5 }, ends_at: new Date(Date.parse(starts) - 1000).toISOString() },
        400,
        'invalid_range',
      ],
      [{ general_admission: { capacity: 10, price: 5 }, category: 'opera-ball' }, 400, 'validation_failed'],
      [
        {
          venue_id: venueId,
          price_tiers: [
            { name: 'a', price: 1, sections: ['Rang'] },
            { name: 'b', price: 2, sections: ['Rang'] },
          ],
        },
        400,
        'validation_failed',
      ],
    ];
    for (const [extra, status, code] of cases) {
      const res = await env.http('POST', '/v1/events', {
        token: ana(),
        body: { name: 'X', starts_at: starts, ...extra },
      });
      expect(res.status, JSON.stringify(extra)).toBe(status);
      expect(res.body.error.code, JSON.stringify(extra)).toBe(code);
    }
    // Nothing half-created.
    expect((await env.pool.query("SELECT count(*)::int AS n FROM events WHERE name = 'X'")).rows[0].n).toBe(0);
  });

  it('lets only organizers create, and only the owner (or an operator) change', async () => {
    const body = {
      name: 'Owned',
      starts_at: new Date(Date.now() + 86400_000).toISOString(),
      general_admission: { capacity: 5, price: 10 },
    };
    expect((await env.http('POST', '/v1/events', { body })).status).toBe(401);
    for (const [method, path, b] of [
      ['POST', '/v1/events', body],
      ['POST', '/v1/venues', { name: 'V', city: 'Oslo', lat: 1, lon: 1, standing_capacity: 1 }],
      ['POST', '/v1/performers', { name: 'P', type: 'band' }],
    ] as const) {
      const res = await env.http(method, path, { token: buyer(), body: b });
      expect(res, path).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    }
    const ev = await env.http('POST', '/v1/events', { token: ana(), body });
    const id = ev.body.id;
    const steal = await env.http('PATCH', `/v1/events/${id}`, { token: ben(), body: { name: 'Mine now' } });
    expect(steal).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    // Cancelling another organizer's event is refused the same way (README: 403 forbidden).
    expect(await env.http('POST', `/v1/events/${id}/cancel`, { token: ben() })).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    expect((await env.http('PATCH', `/v1/events/${id}`, { token: buyer(), body: { name: 'Mine now' } })).status).toBe(
      403,
    );
    expect(
      (await env.http('PATCH', `/v1/venues/${venueId}`, { token: ben(), body: { name: 'Mine now' } })).status,
    ).toBe(403);
    expect(
      (await env.http('PATCH', `/v1/performers/${performerId}`, { token: ben(), body: { name: 'Mine now' } })).status,
    ).toBe(403);
    expect((await env.http('GET', `/v1/events/${id}`)).body.name).toBe('Owned');
    const byOps = await env.http('PATCH', `/v1/events/${id}`, { token: ops(), body: { description: 'fixed by ops' } });
    expect(byOps).toMatchObject({ status: 200, body: { description: 'fixed by ops' } });
    expect(
      (
        await env.http('PATCH', '/v1/events/00000000-0000-4000-8000-000000000000', {
          token: ana(),
          body: { name: 'x' },
        })
      ).body.error.code,
    ).toBe('event_not_found');
    expect((await env.http('PATCH', `/v1/events/${id}`, { token: ana(), body: {} })).body.error.code).toBe(
      'validation_failed',
    );
    expect(
      (await env.http('PATCH', `/v1/events/${id}`, { token: ana(), body: { capacity: 10 } })).body.error.code,
    ).toBe('validation_failed');
    const inverted = await env.http('PATCH', `/v1/events/${id}`, {
      token: ana(),
      body: { ends_at: new Date(Date.now()).toISOString() },
    });
    expect(inverted).toMatchObject({ status: 400, body: { error: { code: 'invalid_range' } } });
  });

  it('drops the cached event page on every change: event, venue, performer', async () => {
    const ev = await env.http('POST', '/v1/events', {
      token: ana(),
      body: {
        name: 'Cached show',
        starts_at: new Date(Date.now() + 86400_000).toISOString(),
        venue_id: venueId,
        performer_ids: [performerId],
        general_admission: { capacity: 50, price: 20 },
      },
    });
    const id = ev.body.id;
    const key = env.config.REDIS_PREFIX + `event:${id}:cache`;
    await env.http('GET', `/v1/events/${id}`);
    expect(JSON.parse((await env.redis.get(key))!).name).toBe('Cached show');

    const renamed = await env.http('PATCH', `/v1/events/${id}`, {
      token: ana(),
      body: { name: 'Renamed show', category: 'festival', performer_ids: [] },
    });
    expect(renamed.body).toMatchObject({ name: 'Renamed show', category: 'festival', performers: [] });
    expect((await env.http('GET', `/v1/events/${id}`)).body.name).toBe('Renamed show');

    await env.http('PATCH', `/v1/events/${id}`, { token: ana(), body: { performer_ids: [performerId] } });
    await env.http('GET', `/v1/events/${id}`);
    await env.http('PATCH', `/v1/venues/${venueId}`, {
      token: ana(),
      body: { name: 'Hallenstadion Zürich', city: 'Zurich Oerlikon' },
    });
    expect((await env.http('GET', `/v1/events/${id}`)).body.venue).toMatchObject({
      name: 'Hallenstadion Zürich',
      city: 'Zurich Oerlikon',
    });
    await env.http('PATCH', `/v1/performers/${performerId}`, { token: ana(), body: { name: 'Sophie H.' } });
    expect((await env.http('GET', `/v1/events/${id}`)).body.performers).toEqual([
      expect.objectContaining({ name: 'Sophie H.' }),
    ]);
    // Search follows too.
    const hits = await env.http('GET', '/v1/events/search?q=oerlikon');
    expect(hits.body.items.map((i: { id: string }) => i.id)).toContain(id);

    // A cancelled event (the partition's single writer marks it) is not editable.
    await env.pool.query("UPDATE events SET status = 'cancelled' WHERE id = $1", [id]);
    const late = await env.http('PATCH', `/v1/events/${id}`, { token: ana(), body: { name: 'Too late' } });
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'event_not_editable' } } });
  });
});
