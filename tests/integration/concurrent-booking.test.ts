import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pLimit from 'p-limit';
import { TestEnv, waitFor, sleep, type ClientSocket } from '../support/env';
import type { BookingResultPush } from '../../shared/contracts/socket';

/**
 * Invariants 1 and 2 under contention: 2,000 concurrent requests from 500 users for 100 seats.
 */
describe('2,000 concurrent requests for 100 seats', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create({ WORKER_BATCH_MAX: '200' });
    await env.startIngress();
    await env.startNotifier();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  it('holds exactly 100 seats, none twice, and gives every request exactly one outcome on the socket and over HTTP', async () => {
    const eventId = await env.createEvent({
      max_per_user: 4,
      sections: [
        { name: 'Front', rows: 2, seats_per_row: 25, price: 120 },
        { name: 'Back', rows: 2, seats_per_row: 25, price: 60 },
      ],
    });

    const users = Array.from({ length: 500 }, (_, i) => `user-${i}`);
    const sockets = new Map<string, ClientSocket>();
    const results = new Map<string, BookingResultPush[]>();
    await Promise.all(
      users.map(async (u) => {
        const s = await env.socket(env.token(u));
        s.on('booking.result', (r) => {
          const list = results.get(r.booking_id) ?? [];
          list.push(r);
          results.set(r.booking_id, list);
        });
        sockets.set(u, s);
      }),
    );

    const limit = pLimit(250);
    const accepted: Array<{ user: string; booking_id: string }> = [];
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        limit(async () => {
          const user = users[i % users.length]!;
          const body =
            i % 3 === 0 ? { event_id: eventId, quantity: 1, section: 'Front' } : { event_id: eventId, quantity: 1 };
          const res = await env.http('POST', '/v1/bookings', { token: env.token(user), body });
          statuses.push(res.status);
          if (res.status !== 202) return;
          expect(res.body).toMatchObject({ status: 'queued', booking_id: expect.any(String) });
          expect(res.body.position).toBeGreaterThanOrEqual(1);
          accepted.push({ user, booking_id: res.body.booking_id });
          const ack = await sockets.get(user)!.emitWithAck('booking.watch', { booking_id: res.body.booking_id });
          expect(ack.ok).toBe(true);
        }),
      ),
    );
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    expect(accepted).toHaveLength(2000);

    await waitFor(() => accepted.every((a) => results.has(a.booking_id)), 90_000, 'an outcome for every request');
    await sleep(500); // let any duplicate arrive before counting

    const held = [];
    for (const a of accepted) {
      const pushed = results.get(a.booking_id)!;
      expect(pushed, a.booking_id).toHaveLength(1);
      const outcome = pushed[0]!;
      expect(['held', 'rejected']).toContain(outcome.status);
      const http = await env.http('GET', `/v1/bookings/${a.booking_id}`, { token: env.token(a.user) });
      expect(http.status).toBe(200);
      expect(http.body.status).toBe(outcome.status);
      expect(http.body.seats ?? []).toEqual(outcome.seats ?? []);
      if (outcome.status === 'held') held.push(outcome);
      else expect(['sold_out', 'active_request_exists']).toContain(outcome.reason);
    }

    const seats = held.flatMap((h) => h.seats ?? []);
    expect(seats).toHaveLength(100);
    expect(new Set(seats).size).toBe(100);

    // The database agrees: 100 seats held, each by exactly one held booking.
    const db = await env.pool.query(
      `SELECT (SELECT count(*)::int FROM seats WHERE event_id = $1 AND status = 'held') AS held_seats,
              (SELECT count(*)::int FROM bookings WHERE event_id = $1 AND status = 'held') AS held_bookings,
              (SELECT count(*)::int FROM (SELECT s FROM bookings, unnest(seat_ids) s WHERE event_id = $1 AND status = 'held'
                                          GROUP BY s HAVING count(*) > 1) d) AS doubles`,
      [eventId],
    );
    expect(db.rows[0]).toEqual({ held_seats: 100, held_bookings: 100, doubles: 0 });

    // The read side shows it too.
    const map = await env.http('GET', `/v1/events/${eventId}/seats`);
    expect(map.status).toBe(200);
    expect(map.body.seats.filter((s: { status: string }) => s.status === 'held')).toHaveLength(100);
    expect(map.body.as_of).toEqual(expect.any(String));
  });
});
