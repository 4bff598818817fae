import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../ingress/app';
import type { IngressContext } from '../../ingress/context';
import { createRedis } from '../../shared/redis/connect';
import { TestEnv, waitFor } from '../support/env';

/**
 * The read side with Redis down: event pages, seat maps and search still answer, from PostgreSQL
 * (slower, same content), and organizer changes still work. A second app instance shares the test's
 * PostgreSQL and broker but talks to a Redis that refuses every connection.
 */
describe('reads with Redis down', () => {
  let env: TestEnv;
  let server: http.Server;
  let base: string;
  const deadRedis = createRedis('redis://127.0.0.1:1', 'dead');
  let reservedId: string;
  let gaId: string;

  const get = async (path: string, token?: string, method = 'GET', body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    env = await TestEnv.create();
    const ingress = await env.startIngress();
    await env.startWorker();
    const org = env.token('organizer-r', 'organizer');
    const venue = await env.http('POST', '/v1/venues', {
      token: org,
      body: {
        name: 'Olympiastadion',
        city: 'Berlin',
        lat: 52.5147,
        lon: 13.2395,
        sections: [{ name: 'A', rows: 2, seats_per_row: 3 }],
      },
    });
    reservedId = (
      await env.http('POST', '/v1/events', {
        token: org,
        body: {
          name: 'Berlin Philharmonic',
          starts_at: new Date(Date.now() + 86400_000).toISOString(),
          venue_id: venue.body.id,
          price_tiers: [{ name: 'all', price: 70, sections: ['A'] }],
        },
      })
    ).body.id;
    gaId = (
      await env.http('POST', '/v1/events', {
        token: org,
        body: {
          name: 'Berlin Techno Night',
          starts_at: new Date(Date.now() + 2 * 86400_000).toISOString(),
          venue_id: venue.body.id,
          general_admission: { capacity: 5, price: 20 },
        },
      })
    ).body.id;
    await waitFor(
      async () => (await env.pool.query('SELECT bool_and(inventory_ready) AS ok FROM events')).rows[0].ok === true,
      20_000,
      'inventory',
    );
    const buyer = env.token('buyer-r');
    for (const body of [
      { event_id: reservedId, seat_ids: ['A-1-1', 'A-1-2'] },
      { event_id: gaId, quantity: 2 },
    ]) {
      const b = await env.http('POST', '/v1/bookings', { token: buyer, body });
      await waitFor(
        async () =>
          (await env.http('GET', `/v1/bookings/${b.body.booking_id}`, { token: buyer })).body.status === 'held',
        20_000,
        'held',
      );
    }
    const ctx: IngressContext = {
      ...ingress.ctx,
      redis: deadRedis,
      read: { pool: ingress.ctx.read!.pool, redis: deadRedis },
    };
    server = http.createServer(createApp(ctx, { shuttingDown: false }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    deadRedis.disconnect();
    await env.cleanup();
  });

  it('serves event pages from PostgreSQL, with the same content and live availability', async () => {
    const healthy = await env.http('GET', `/v1/events/${reservedId}`);
    const down = await get(`/v1/events/${reservedId}`);
    expect(down.status).toBe(200);
    expect(down.body.availability).toMatchObject({ capacity: 6, available: 4, held: 2, source: 'database' });
    const strip = (e: Record<string, unknown>) => ({ ...e, availability: undefined });
    expect(strip(down.body)).toEqual(strip(healthy.body));
    const ga = await get(`/v1/events/${gaId}`);
    expect(ga.body).toMatchObject({
      status: 'on_sale',
      availability: { capacity: 5, available: 3, source: 'database' },
    });
  });

  it('serves the seat map from PostgreSQL', async () => {
    const map = await get(`/v1/events/${reservedId}/seats`);
    expect(map.status).toBe(200);
    expect(map.body.source).toBe('database');
    expect(
      map.body.seats
        .filter((s: { status: string }) => s.status === 'held')
        .map((s: { id: string }) => s.id)
        .sort(),
    ).toEqual(['A-1-1', 'A-1-2']);
  });

  it('searches, with availability from PostgreSQL', async () => {
    const res = await get('/v1/events/search?q=berlin&sort=date');
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([reservedId, gaId]);
    expect(res.body.items[0].availability).toMatchObject({ available: 4, source: 'database' });
    expect(res.body.items[1].availability).toMatchObject({ available: 3, source: 'database' });
  });

  it('still takes organizer changes, and the next read shows them', async () => {
    const res = await get(`/v1/events/${gaId}`, env.token('organizer-r', 'organizer'), 'PATCH', {
      name: 'Berlin Techno Marathon',
    });
    expect(res).toMatchObject({ status: 200, body: { name: 'Berlin Techno Marathon' } });
    expect((await get(`/v1/events/${gaId}`)).body.name).toBe('Berlin Techno Marathon');
    // /readyz says what is wrong.
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
  });
});
