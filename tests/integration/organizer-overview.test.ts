import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor } from '../support/env';
import { organizerOverviewSchema, type OrganizerOverview } from '../../shared/contracts/organizer';

/**
 * `GET /v1/organizer/overview`: an organizer's venues (section names for price tiers) and its events'
 * sales, counted from bookings and orders; nobody else's; operators see all.
 */
describe('GET /v1/organizer/overview', () => {
  let env: TestEnv;
  const org = () => env.token('organizer-1', 'organizer');
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startWorker();
  }, 60_000);
  afterAll(() => env.cleanup());

  const overview = async (token: string): Promise<OrganizerOverview> => {
    const res = await env.http('GET', '/v1/organizer/overview', { token });
    expect(res.status).toBe(200);
    return organizerOverviewSchema.parse(res.body);
  };

  it('lists venues with their sections and events with sold, held, available and queued', async () => {
    const venue = await env.http('POST', '/v1/venues', {
      token: org(),
      body: {
        name: 'Arena',
        city: 'Oslo',
        lat: 59.9,
        lon: 10.7,
        sections: [
          { name: 'Floor', rows: 2, seats_per_row: 5 },
          { name: 'Balcony', rows: 1, seats_per_row: 4 },
        ],
      },
    });
    expect(venue.status).toBe(201);
    const eventId = await env.createEvent({ max_per_user: 4, general_admission: { capacity: 50, price: 10 } });
    for (const [i, quantity] of [2, 3].entries()) {
      const res = await env.http('POST', '/v1/bookings', {
        token: env.token(`fan-${i}`),
        body: { event_id: eventId, quantity },
      });
      expect(res.status).toBe(202);
    }
    let mine = await overview(org());
    await waitFor(
      async () => {
        mine = await overview(org());
        return mine.events.find((e) => e.event_id === eventId)?.held === 5;
      },
      20_000,
      'five held',
    );
    expect(mine.venues).toEqual([
      { venue_id: venue.body.id, name: 'Arena', city: 'Oslo', seated_capacity: 14, sections: ['Floor', 'Balcony'] },
    ]);
    expect(mine.events.find((e) => e.event_id === eventId)).toMatchObject({
      status: 'scheduled',
      kind: 'general_admission',
      capacity: 50,
      sold: 0,
      held: 5,
      available: 45,
      queued: 0,
      orders: 0,
      revenue_cents: 0,
    });

    // Another organizer sees none of it; an operator sees it; a buyer may not ask.
    expect(await overview(env.token('organizer-2', 'organizer'))).toEqual({ venues: [], events: [] });
    expect((await overview(env.token('op-1', 'operator'))).events.map((e) => e.event_id)).toContain(eventId);
    expect((await env.http('GET', '/v1/organizer/overview', { token: env.token('fan-9') })).status).toBe(403);
  }, 90_000);
});
