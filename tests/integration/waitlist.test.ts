import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WaitlistOfferPush } from '../../shared/contracts/socket';
import { TestEnv, waitFor } from '../support/env';

/** The waitlist (issue 12 §4): released inventory offered in entry order, offers that lapse pass on, nothing oversold. */
describe('waitlist of a sold-out event', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create({ WAITLIST_OFFER_SECONDS: '4' });
    await env.startIngress();
    await env.startNotifier();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  it('offers 5 released units to exactly the first 5 matching entries, in order; lapsed offers pass on; never oversold', async () => {
    const CAPACITY = 5;
    const eventId = await env.createEvent({ max_per_user: 4, general_admission: { capacity: CAPACITY, price: 25 } });
    const join = (user: string, body: Record<string, unknown> = { quantity: 1 }) =>
      env.http('POST', `/v1/events/${eventId}/waitlist`, { token: env.token(user), body });

    // Not sold out yet: book instead.
    const early = await join('too-early');
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_sold_out');

    const buyers = Array.from({ length: CAPACITY }, (_, i) => `buyer-${i}`);
    const holds: string[] = [];
    for (const b of buyers) {
      const res = await env.http('POST', '/v1/bookings', {
        token: env.token(b),
        body: { event_id: eventId, quantity: 1 },
      });
      holds.push(res.body.booking_id);
    }
    for (const [i, id] of holds.entries())
      await waitFor(
        async () =>
          (await env.http('GET', `/v1/bookings/${id}`, { token: env.token(buyers[i]!) })).body.status === 'held',
        15_000,
        'held',
      );
    await waitFor(
      async () =>
        (await env.pool.query('SELECT ga_available FROM events WHERE id = $1', [eventId])).rows[0].ga_available === 0,
      10_000,
      'sold out',
    );

    // Bad input, then 20 entries in order. The first asks for a price under the event's: whatever comes back
    // never satisfies it, and it is skipped, not blocking. (An entry for 4 units would be satisfied, correctly,
    // whenever four holds happen to lapse in one batch, which made the order below a matter of timing.)
    expect((await join('bad', { quantity: 0 })).body.error.code).toBe('validation_failed');
    expect((await join('bad', { quantity: 1, extra: true })).body.error.code).toBe('validation_failed');
    expect(
      (await env.http('POST', '/v1/events/nope/waitlist', { token: env.token('bad'), body: { quantity: 1 } })).body
        .error.code,
    ).toBe('invalid_id');
    const users = Array.from({ length: 20 }, (_, i) => `wl-${i}`);
    const sockets = new Map<string, WaitlistOfferPush[]>();
    for (const u of users.slice(0, 7)) {
      const s = await env.socket(env.token(u));
      const got: WaitlistOfferPush[] = [];
      s.on('waitlist.offer', (p) => got.push(p));
      sockets.set(u, got);
    }
    for (const [i, u] of users.entries()) {
      const res = await join(u, i === 0 ? { quantity: 1, max_price: 10 } : { quantity: 1 });
      expect(res.status).toBe(201);
      expect(res.body.position).toBe(i + 1);
    }
    const dup = await join('wl-3');
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('already_on_waitlist');
    // wl-19 leaves (and is never offered anything).
    expect((await env.http('DELETE', `/v1/events/${eventId}/waitlist`, { token: env.token('wl-19') })).status).toBe(
      200,
    );
    expect(
      (await env.http('DELETE', `/v1/events/${eventId}/waitlist`, { token: env.token('wl-19') })).body.error.code,
    ).toBe('waitlist_entry_not_found');
    const mine = await env.http('GET', '/v1/me/waitlist', { token: env.token('wl-5') });
    expect(mine.body.items[0]).toMatchObject({ event_id: eventId, status: 'waiting', position: 6 });

    // Never oversold, checked all along.
    let worst = 0;
    const oversold = setInterval(() => {
      void env.pool
        .query(
          "SELECT coalesce(sum(quantity), 0)::int AS n FROM bookings WHERE event_id = $1 AND status IN ('held', 'payment_pending', 'confirmed')",
          [eventId],
        )
        .then((r) => (worst = Math.max(worst, r.rows[0].n)))
        .catch(() => undefined);
    }, 50);
    try {
      // Five holds released (one at a time): the first five entries that one unit satisfies get offers, in order.
      for (const [i, id] of holds.entries())
        expect((await env.http('DELETE', `/v1/bookings/${id}`, { token: env.token(buyers[i]!) })).status).toBe(202);
      const offered = async () =>
        (
          await env.pool.query<{ user_id: string; offer_booking_id: string }>(
            "SELECT user_id, offer_booking_id FROM waitlist_entries WHERE event_id = $1 AND status = 'offered' ORDER BY offered_at, ord",
            [eventId],
          )
        ).rows;
      await waitFor(async () => (await offered()).length === 5, 20_000, 'five offers');
      const first = await offered();
      expect(first.map((o) => o.user_id)).toEqual(['wl-1', 'wl-2', 'wl-3', 'wl-4', 'wl-5']);
      for (const o of first) {
        const b = (await env.http('GET', `/v1/bookings/${o.offer_booking_id}`, { token: env.token(o.user_id) })).body;
        expect(b).toMatchObject({ status: 'held', source: 'waitlist', quantity: 1 });
        expect(Date.parse(b.hold_expires_at) - Date.parse(b.decided_at)).toBe(4000);
      }
      // Pushed to the user's own room (they watch no booking) and e-mailed.
      await waitFor(() => (sockets.get('wl-1') ?? []).length === 1, 10_000, 'offer pushed');
      expect(sockets.get('wl-1')![0]).toMatchObject({
        event_id: eventId,
        status: 'held',
        source: 'waitlist',
        booking_id: first[0]!.offer_booking_id,
      });
      expect(sockets.get('wl-6')).toEqual([]);
      expect(
        (await env.pool.query("SELECT count(*)::int AS n FROM email_outbox WHERE template = 'waitlist_offer'")).rows[0]
          .n,
      ).toBe(5);

      // Nobody pays: the offers lapse and pass on to the next five.
      await waitFor(async () => (await offered()).length === 10, 30_000, 'ten offers');
      expect((await offered()).slice(5).map((o) => o.user_id)).toEqual(['wl-6', 'wl-7', 'wl-8', 'wl-9', 'wl-10']);
      for (const o of first)
        expect(
          (await env.http('GET', `/v1/bookings/${o.offer_booking_id}`, { token: env.token(o.user_id) })).body.status,
        ).toBe('expired');
      await waitFor(() => (sockets.get('wl-6') ?? []).length === 1, 10_000, 'second offer pushed');
    } finally {
      clearInterval(oversold);
    }
    expect(worst).toBeLessThanOrEqual(CAPACITY);
    const left = (
      await env.pool.query("SELECT status FROM waitlist_entries WHERE event_id = $1 AND user_id = 'wl-19'", [eventId])
    ).rows[0];
    expect(left.status).toBe('left');
    // wl-0 (at most 10 for a 25 ticket) was never satisfied.
    expect(
      (await env.pool.query("SELECT status FROM waitlist_entries WHERE event_id = $1 AND user_id = 'wl-0'", [eventId]))
        .rows[0].status,
    ).toBe('waiting');

    // The operator's view of the event: the waitlist's length and offers, and presale use.
    const view = await env.http('GET', `/v1/ops/events/${eventId}/draw`, { token: env.token('op', 'operator') });
    expect(view.status).toBe(200);
    const wl = view.body.waitlist as { offers_active: number; offers_lapsed: number };
    expect(wl).toMatchObject({ waiting: 9, offers: 10, offers_taken: 0, left: 1 });
    expect(wl.offers_lapsed).toBeGreaterThanOrEqual(5);
    expect(wl.offers_active + wl.offers_lapsed).toBe(10);
    expect(view.body.presales).toEqual({ windows: 0, holds: 0 });
  }, 180_000);
});
