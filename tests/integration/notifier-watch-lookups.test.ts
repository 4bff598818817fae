import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_MARGIN_MS } from '../../notifier/recent-results';
import { sleep, TestEnv, waitFor } from '../support/env';

/**
 * Issue 10, "a watch costs no database round trip on the hot path": a `booking.watch` right after the
 * `202` finds its owner in ingress's Redis record (or the outcome already in the message stream), never
 * in PostgreSQL; a booking made before the notifier began reading the stream is still answered
 * correctly, from PostgreSQL. Counted by the notifier's `onsale_notifier_watch_lookups_total`.
 */
describe('where booking.watch finds its booking', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  const lookups = async (port: number) => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const of = (source: string) =>
      Number(
        new RegExp(`^onsale_notifier_watch_lookups_total\\{source="${source}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0,
      );
    return { stream: of('stream'), redis: of('redis'), postgres: of('postgres') };
  };

  it('answers watches of fresh bookings without PostgreSQL, and older ones from it', async () => {
    const eventId = await env.createEvent({ general_admission: { capacity: 100, price: 10 } });
    const book = async (user: string) => {
      const res = await env.http('POST', '/v1/bookings', {
        token: env.token(user),
        body: { event_id: eventId, quantity: 1 },
      });
      expect(res.status).toBe(202);
      return res.body.booking_id as string;
    };

    // Made before the notifier reads the stream: only PostgreSQL knows how it ended.
    const early = await book('early');
    await waitFor(
      async () =>
        (await env.pool.query("SELECT 1 FROM bookings WHERE id = $1 AND status <> 'queued'", [early])).rowCount === 1,
      20_000,
      'early booking decided',
    );
    const notifier = await env.startNotifier();
    const earlySocket = await env.socket(env.token('early'));
    const earlyAck = await earlySocket.emitWithAck('booking.watch', { booking_id: early });
    expect(earlyAck).toMatchObject({ ok: true, status: 'held' });
    expect((await lookups(notifier.port)).postgres).toBe(1);

    // Past the clock margin after the stream began: fresh bookings are watched at once after their 202.
    await sleep(CLOCK_MARGIN_MS + 200);
    const users = Array.from({ length: 20 }, (_, i) => `fresh-${i}`);
    // Told its outcome: pushed, or already decided in the watch's answer.
    const told = new Set<string>();
    const ids: string[] = [];
    for (const user of users) {
      const socket = await env.socket(env.token(user));
      socket.on('booking.result', (r) => {
        if (r.status !== 'queued') told.add(r.booking_id);
      });
      const id = await book(user);
      ids.push(id);
      const ack = await socket.emitWithAck('booking.watch', { booking_id: id });
      expect(ack.ok).toBe(true);
      if (ack.ok && ack.status !== undefined && ack.status !== 'queued') told.add(id);
    }
    await waitFor(() => ids.every((id) => told.has(id)), 20_000, 'every fresh booking told its outcome');
    const after = await lookups(notifier.port);
    expect(after.postgres).toBe(1); // still only the early one
    expect(after.redis + after.stream).toBe(users.length);
    expect(after.redis).toBeGreaterThan(0);
  }, 60_000);
});
