import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pLimit from 'p-limit';
import { TestEnv, waitFor, sleep, type ClientSocket } from '../support/env';
import type { BookingResultPush } from '../../shared/contracts/socket';
import { withTransaction } from '../../shared/db/pool';
import { FencedError } from '../../shared/errors';
import { activatePartition } from '../../booking-workers/sql/activate-partition';
import { commitBatch, emptyBatchWrite } from '../../booking-workers/sql/commit-batch';

/**
 * Invariants 1–3 across a worker crash: two worker processes on the same partitions, kill -9 the
 * active one mid-load; the standby takes over; no outcome lost or duplicated, no seat held twice.
 */
describe('worker failover', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create({ WORKER_BATCH_MAX: '50' });
    await env.startIngress();
    await env.startNotifier();
  });
  afterAll(() => env.cleanup());

  it('survives kill -9 of the active worker mid-load', async () => {
    const a = await env.spawnWorker();
    const b = await env.spawnWorker();
    const eventId = await env.createEvent({
      max_per_user: 6,
      sections: [
        { name: 'A', rows: 10, seats_per_row: 40, price: 90 },
        { name: 'B', rows: 10, seats_per_row: 40, price: 50 },
      ],
    });
    const { rows } = await env.pool.query('SELECT partition FROM events WHERE id = $1', [eventId]);
    const partition = rows[0].partition as number;

    const users = Array.from({ length: 600 }, (_, i) => `fo-user-${i}`);
    const sockets = new Map<string, ClientSocket>();
    const results = new Map<string, BookingResultPush[]>();
    await Promise.all(
      users.map(async (u) => {
        const s = await env.socket(env.token(u));
        s.on('booking.result', (r) => results.set(r.booking_id, [...(results.get(r.booking_id) ?? []), r]));
        sockets.set(u, s);
      }),
    );

    const accepted: Array<{ user: string; id: string }> = [];
    let killed: number | null = null;
    const limit = pLimit(50);
    await Promise.all(
      Array.from({ length: 2400 }, (_, i) =>
        limit(async () => {
          if (i === 900) {
            const owner = (await env.pool.query('SELECT owner FROM partitions WHERE id = $1', [partition])).rows[0]
              ?.owner as string;
            killed = Number(/^worker-(\d+)-/.exec(owner)![1]);
            process.kill(killed, 'SIGKILL');
          }
          const user = users[i % users.length]!;
          const res = await env.http('POST', '/v1/bookings', {
            token: env.token(user),
            body: { event_id: eventId, quantity: 1 + (i % 3) },
          });
          expect(res.status).toBe(202);
          accepted.push({ user, id: res.body.booking_id });
          await sockets.get(user)!.emitWithAck('booking.watch', { booking_id: res.body.booking_id });
        }),
      ),
    );
    expect(killed).toBeTypeOf('number');
    expect([a.pid, b.pid]).toContain(killed);

    await waitFor(() => accepted.every((x) => results.has(x.id)), 90_000, 'an outcome for every request');
    await sleep(1000);

    // The standby took over with a newer epoch.
    const part = (await env.pool.query('SELECT owner, epoch FROM partitions WHERE id = $1', [partition])).rows[0];
    expect(part.owner).not.toContain(`worker-${killed}-`);
    expect(part.epoch).toBeGreaterThanOrEqual(2);

    let heldSeats = 0;
    for (const x of accepted) {
      const pushed = results.get(x.id)!;
      expect(pushed, `outcomes of ${x.id}`).toHaveLength(1);
      const http = await env.http('GET', `/v1/bookings/${x.id}`, { token: env.token(x.user) });
      expect(http.body.status).toBe(pushed[0]!.status);
      if (pushed[0]!.status === 'held') heldSeats += pushed[0]!.seats!.length;
    }
    const db = await env.pool.query(
      `SELECT (SELECT count(*)::int FROM bookings WHERE event_id = $1) AS bookings,
              (SELECT count(*)::int FROM bookings WHERE event_id = $1 AND status = 'queued') AS undecided,
              (SELECT count(*)::int FROM seats WHERE event_id = $1 AND status = 'held') AS held_seats,
              (SELECT count(*)::int FROM (SELECT s FROM bookings, unnest(seat_ids) s WHERE event_id = $1 AND status = 'held'
                                          GROUP BY s HAVING count(*) > 1) d) AS doubles,
              (SELECT count(*)::int FROM bookings b CROSS JOIN LATERAL unnest(b.seat_ids) AS s(id) JOIN seats st ON st.event_id = b.event_id AND st.id = s.id
                 WHERE b.event_id = $1 AND b.status = 'held' AND st.booking_id <> b.id) AS mismatched`,
      [eventId],
    );
    expect(db.rows[0]).toEqual({ bookings: 2400, undecided: 0, held_seats: heldSeats, doubles: 0, mismatched: 0 });
    expect(heldSeats).toBe(800); // more demand than seats: the event sold out exactly
  });

  it('refuses a commit from a worker whose epoch is stale', async () => {
    const zombie = await activatePartition(env.pool, 1, 'zombie');
    const current = await activatePartition(env.pool, 1, 'successor');
    expect(current).toBe(zombie + 1);
    await expect(withTransaction(env.pool, (c) => commitBatch(c, emptyBatchWrite(1, zombie)))).rejects.toBeInstanceOf(
      FencedError,
    );
    await expect(
      withTransaction(env.pool, (c) => commitBatch(c, emptyBatchWrite(1, current))),
    ).resolves.toBeUndefined();
  });
});
