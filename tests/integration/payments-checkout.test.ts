import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, TestEnv, waitFor, type ClientSocket } from '../support/env';
import type { RunningPaymentSim } from '../../payment-sim/server';
import type { BookingResultPush } from '../../shared/contracts/socket';
import { signWebhook } from '../../shared/payments/webhook-signature';
import { verifyBarcode } from '../../shared/tickets/barcode';

/**
 * Checkout to ticket with the provider simulator as the payment provider, through real RabbitMQ,
 * PostgreSQL and Redis: happy path, signed and deduplicated callbacks, late payments, expiry races,
 * transfers, cancellations and the one-valid-ticket-per-seat guarantee.
 */
describe('payments: checkout, callbacks, tickets', () => {
  let env: TestEnv;
  let sim: RunningPaymentSim;
  const organizer = () => env.token('organizer-1', 'organizer');

  beforeAll(async () => {
    env = await TestEnv.create({ PAYMENT_GRACE_SECONDS: '2', OUTBOX_POLL_MS: '200', PAYMENT_RETRY_BASE_MS: '50' });
    await env.startIngress();
    await env.startNotifier();
    sim = await env.startPaymentSim({ latency_ms: 100 });
    await env.startWorker(env.paymentWorkerConfig(sim));
  });
  afterAll(() => env.cleanup());

  const status = async (token: string, id: string) => (await env.http('GET', `/v1/bookings/${id}`, { token })).body;
  const waitStatus = (token: string, id: string, want: string, ms = 15_000) =>
    waitFor(async () => (await status(token, id)).status === want, ms, `booking ${id} ${want}`);

  async function buyer(name: string) {
    const email = `${name}-${Math.random().toString(36).slice(2, 8)}@example.test`;
    const id = await env.createUser(email);
    return { id, email, token: env.token(id) };
  }

  async function watch(
    token: string,
    bookingId: string,
  ): Promise<{ socket: ClientSocket; pushed: BookingResultPush[] }> {
    const socket = await env.socket(token);
    const pushed: BookingResultPush[] = [];
    socket.on('booking.result', (r) => pushed.push(r));
    await socket.emitWithAck('booking.watch', { booking_id: bookingId });
    return { socket, pushed };
  }

  async function hold(token: string, body: Record<string, unknown>): Promise<string> {
    const res = await env.http('POST', '/v1/bookings', { token, body });
    expect(res.status).toBe(202);
    await waitStatus(token, res.body.booking_id, 'held');
    return res.body.booking_id;
  }

  async function pay(token: string, bookingId: string, method = 'pm_card_visa') {
    const res = await env.http('POST', `/v1/bookings/${bookingId}/checkout`, {
      token,
      body: { payment_method: method },
    });
    expect(res.status).toBe(202);
    return res;
  }

  const q = async (text: string, values: unknown[] = []) => (await env.pool.query(text, values)).rows;

  it('happy path: hold → checkout → confirmed (pushed), order, signed tickets with QR, e-mail, history', async () => {
    const eventId = await env.createEvent({
      hold_seconds: 30,
      sections: [{ name: 'A', rows: 1, seats_per_row: 4, price: 50 }],
    });
    const alice = await buyer('alice');
    const bookingId = await hold(alice.token, { event_id: eventId, quantity: 2 });
    const { pushed } = await watch(alice.token, bookingId);

    await pay(alice.token, bookingId);
    await waitStatus(alice.token, bookingId, 'confirmed');
    await waitFor(() => pushed.some((r) => r.status === 'confirmed'), 10_000, 'confirmed pushed');
    expect(pushed.map((r) => r.status)).toEqual(['held', 'payment_pending', 'confirmed']);

    const [order] = await q('SELECT * FROM orders WHERE booking_id = $1', [bookingId]);
    // 2 × 50.00 + 10% + 2 × 1.50
    expect(order).toMatchObject({
      user_id: alice.id,
      amount_cents: 10_000,
      fees_cents: 1_300,
      total_cents: 11_300,
      status: 'paid',
    });
    expect(sim.charges.get(order.charge_id)).toMatchObject({ amount_cents: 11_300, status: 'succeeded' });
    expect(await q('SELECT status FROM seats WHERE event_id = $1 AND booking_id = $2', [eventId, bookingId])).toEqual([
      { status: 'sold' },
      { status: 'sold' },
    ]);

    const mine = await env.http('GET', '/v1/me/tickets', { token: alice.token });
    expect(mine.body.items).toHaveLength(2);
    const ticket = (await env.http('GET', `/v1/tickets/${mine.body.items[0].ticket_id}`, { token: alice.token })).body;
    expect(ticket).toMatchObject({
      event_id: eventId,
      booking_id: bookingId,
      status: 'valid',
      version: 1,
      barcode: expect.any(String),
    });
    expect(
      (await env.http('GET', `/v1/tickets/${ticket.ticket_id}`, { token: env.token('someone-else') })).status,
    ).toBe(404);

    // A scanner verifies offline with the published key, and online.
    const { public_key_pem } = (await env.http('GET', '/v1/tickets/public-key')).body;
    expect(verifyBarcode(createPublicKey(public_key_pem), ticket.barcode)).toMatchObject({
      t: ticket.ticket_id,
      e: eventId,
      v: 1,
    });
    expect(
      (await env.http('POST', '/v1/tickets/verify', { token: organizer(), body: { barcode: ticket.barcode } })).body,
    ).toMatchObject({ valid: true, ticket_id: ticket.ticket_id });
    // Another organizer verifies only its own events' tickets: this one looks unknown to it.
    const stranger = env.token('organizer-2', 'organizer');
    expect(
      (await env.http('POST', '/v1/tickets/verify', { token: stranger, body: { barcode: ticket.barcode } })).body,
    ).toEqual({ valid: false, reason: 'unknown_ticket', ticket_id: ticket.ticket_id });
    expect(
      (
        await env.http('POST', '/v1/tickets/verify', {
          token: env.token('ops', 'operator'),
          body: { barcode: ticket.barcode },
        })
      ).body,
    ).toMatchObject({ valid: true });

    const qr = await fetch(`${env.baseUrl}/v1/tickets/${ticket.ticket_id}/qr.svg`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(qr.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect(await qr.text()).toMatch(/^<svg/);

    // The confirmation e-mail went through the outbox.
    await waitFor(
      async () =>
        (await q(`SELECT sent_at FROM email_outbox WHERE dedupe_key = $1`, [`booking_confirmed:${bookingId}`]))[0]
          ?.sent_at != null,
      10_000,
      'e-mail sent',
    );

    // History, newest first, paged.
    const second = await hold(alice.token, { event_id: eventId, quantity: 1 });
    const page1 = (await env.http('GET', '/v1/me/bookings?limit=1', { token: alice.token })).body;
    expect(page1.items.map((b: { booking_id: string }) => b.booking_id)).toEqual([second]);
    const page2 = (await env.http('GET', `/v1/me/bookings?limit=1&cursor=${page1.next_cursor}`, { token: alice.token }))
      .body;
    expect(page2.items[0]).toMatchObject({ booking_id: bookingId, status: 'confirmed', total_cents: 11_300 });
    expect(page2.next_cursor).toBeNull();
    expect((await env.http('GET', '/v1/me/bookings?cursor=nonsense', { token: alice.token })).body.error.code).toBe(
      'invalid_cursor',
    );
    await env.http('DELETE', `/v1/bookings/${second}`, { token: alice.token });
  });

  it('a forged, unsigned or stale callback gets 401 and changes nothing', async () => {
    const eventId = await env.createEvent({ hold_seconds: 30, general_admission: { capacity: 5, price: 20 } });
    const bob = await buyer('bob');
    const bookingId = await hold(bob.token, { event_id: eventId, quantity: 1 });
    const body = JSON.stringify({
      id: 'evt_forged_1',
      type: 'charge.succeeded',
      charge_id: 'ch_forged',
      reference: `${bookingId}:a1`,
      amount_cents: 2_365,
      created_at: new Date().toISOString(),
    });
    const post = (headers: Record<string, string>) =>
      env.http('POST', '/v1/payments/callback', {
        raw: body,
        headers: { 'content-type': 'application/json', ...headers },
      });

    for (const res of [
      await post({ 'x-onsale-signature': signWebhook('not-the-real-secret-at-all', body) }),
      await post({}),
      await post({
        'x-onsale-signature': signWebhook(
          env.config.PAYMENT_WEBHOOK_SECRET,
          body,
          Math.floor(Date.now() / 1000) - 3600,
        ),
      }),
      await post({ 'x-onsale-signature': signWebhook(env.config.PAYMENT_WEBHOOK_SECRET, body.replace('2365', '1')) }),
    ]) {
      expect([res.status, res.body.error.code]).toEqual([401, 'invalid_signature']);
    }
    await sleep(300);
    expect(await q('SELECT * FROM payment_callbacks WHERE provider_event_id = $1', ['evt_forged_1'])).toEqual([]);
    expect((await status(bob.token, bookingId)).status).toBe('held');
    expect(await q('SELECT * FROM orders WHERE booking_id = $1', [bookingId])).toEqual([]);
  });

  it('duplicate and out-of-order callbacks: exactly one confirmation and one set of tickets', async () => {
    const eventId = await env.createEvent({
      hold_seconds: 30,
      sections: [{ name: 'D', rows: 1, seats_per_row: 4, price: 10 }],
    });
    const carol = await buyer('carol');
    const bookingId = await hold(carol.token, { event_id: eventId, seat_ids: ['D-1-1', 'D-1-2'] });
    const { pushed } = await watch(carol.token, bookingId);
    sim.configure({ duplicate_rate: 1, reorder: true });
    try {
      // Attempt 1 is declined, attempt 2 succeeds; every webhook is delivered twice, in random order.
      await pay(carol.token, bookingId, 'pm_card_declined');
      await waitFor(
        async () => (await status(carol.token, bookingId)).reason === 'payment_declined',
        10_000,
        'declined',
      );
      await pay(carol.token, bookingId);
      await waitStatus(carol.token, bookingId, 'confirmed');
    } finally {
      sim.configure({ duplicate_rate: 0, reorder: false });
    }
    // Replay every webhook of this booking again, newest first, twice each; plus a stale failure of attempt 1 under a new event id.
    const hooks = sim.webhooks.filter((w) => JSON.parse(w.body).reference.startsWith(bookingId)).reverse();
    expect(hooks.map((h) => h.type).sort()).toEqual(['charge.failed', 'charge.succeeded']);
    const replies: number[] = [];
    for (const w of [...hooks, ...hooks]) {
      const res = await env.http('POST', '/v1/payments/callback', {
        raw: w.body,
        headers: {
          'content-type': 'application/json',
          'x-onsale-signature': signWebhook(env.config.PAYMENT_WEBHOOK_SECRET, w.body),
        },
      });
      replies.push(res.status);
      expect(res.body).toMatchObject({ received: true, duplicate: true });
    }
    const failed = JSON.parse(hooks.find((h) => h.type === 'charge.failed')!.body);
    const stale = JSON.stringify({ ...failed, id: 'evt_stale_failure' });
    const res = await env.http('POST', '/v1/payments/callback', {
      raw: stale,
      headers: {
        'content-type': 'application/json',
        'x-onsale-signature': signWebhook(env.config.PAYMENT_WEBHOOK_SECRET, stale),
      },
    });
    expect(res.status).toBe(200);
    await waitFor(
      async () =>
        (await q(`SELECT routed_at FROM payment_callbacks WHERE provider_event_id = 'evt_stale_failure'`))[0]
          ?.routed_at != null,
      5_000,
      'stale routed',
    );
    await sleep(500);

    expect(replies.every((s) => s === 200)).toBe(true);
    expect((await status(carol.token, bookingId)).status).toBe('confirmed');
    expect(await q('SELECT count(*)::int AS n FROM orders WHERE booking_id = $1', [bookingId])).toEqual([{ n: 1 }]);
    expect(await q('SELECT seat_id FROM tickets WHERE booking_id = $1 ORDER BY seat_id', [bookingId])).toEqual([
      { seat_id: 'D-1-1' },
      { seat_id: 'D-1-2' },
    ]);
    expect(
      await q(
        `SELECT count(*)::int AS n FROM email_outbox WHERE template = 'booking_confirmed' AND payload->>'booking_id' = $1`,
        [bookingId],
      ),
    ).toEqual([{ n: 1 }]);
    expect(pushed.filter((r) => r.status === 'confirmed')).toHaveLength(1);
    expect(await q('SELECT * FROM refunds WHERE booking_id = $1', [bookingId])).toEqual([]);
  });

  it('a payment that succeeds after the hold expired is refunded automatically and the buyer is told why', async () => {
    const eventId = await env.createEvent({ hold_seconds: 1, general_admission: { capacity: 3, price: 30 } });
    const dave = await buyer('dave');
    const res = await env.http('POST', '/v1/bookings', { token: dave.token, body: { event_id: eventId, quantity: 1 } });
    const bookingId = res.body.booking_id;
    const { pushed } = await watch(dave.token, bookingId);
    await waitFor(() => pushed.some((r) => r.status === 'held'), 10_000, 'held');
    sim.configure({ latency_ms: 4_500 }); // hold 1 s + grace 2 s < 4.5 s
    try {
      await pay(dave.token, bookingId);
      await waitFor(() => pushed.some((r) => r.status === 'expired'), 10_000, 'expired');
      await waitFor(() => pushed.some((r) => r.status === 'refunded'), 20_000, 'refunded');
    } finally {
      sim.configure({ latency_ms: 100 });
    }
    expect(pushed.map((r) => [r.status, r.reason ?? null])).toEqual([
      ['held', null],
      ['payment_pending', null],
      ['expired', 'hold_expired'],
      ['cancelled', 'payment_after_expiry'],
      ['refunded', 'payment_after_expiry'],
    ]);
    const [refund] = await q('SELECT * FROM refunds WHERE booking_id = $1', [bookingId]);
    expect(refund).toMatchObject({ status: 'succeeded', reason: 'payment_after_expiry', amount_cents: 3_450 });
    expect(sim.refunds.size).toBeGreaterThanOrEqual(1);
    expect([...sim.refunds.values()].filter((r) => r.charge_id === refund.charge_id)).toHaveLength(1);
    expect(await q('SELECT * FROM tickets WHERE booking_id = $1', [bookingId])).toEqual([]);
    expect(await q('SELECT ga_available FROM events WHERE id = $1', [eventId])).toEqual([{ ga_available: 3 }]);
    await waitFor(
      async () =>
        (
          await q(
            `SELECT 1 FROM email_outbox WHERE template = 'payment_refunded' AND user_id = $1 AND sent_at IS NOT NULL`,
            [dave.id],
          )
        ).length === 1,
      10_000,
      'refund e-mail',
    );
  });

  it('a checkout racing the expiry is decided once by the single writer', async () => {
    const eventId = await env.createEvent({
      hold_seconds: 2,
      sections: [{ name: 'R', rows: 1, seats_per_row: 6, price: 10 }],
    });
    const racers = await Promise.all(['r1', 'r2', 'r3'].map((n) => buyer(n)));
    const bookings = await Promise.all(racers.map((r) => hold(r.token, { event_id: eventId, quantity: 1 })));
    const views = await Promise.all(racers.map((r, i) => status(r.token, bookings[i]!)));
    // Each checkout lands a little before, at, or a little after its hold's expiry.
    await Promise.all(
      racers.map(async (r, i) => {
        const at = Date.parse(views[i].hold_expires_at) + (i - 1) * 40;
        await sleep(Math.max(0, at - Date.now()));
        await env.http('POST', `/v1/bookings/${bookings[i]}/checkout`, {
          token: r.token,
          body: { payment_method: 'pm_card_visa' },
        });
      }),
    );
    await sleep(4_000);
    for (const [i, r] of racers.entries()) {
      const final = (await status(r.token, bookings[i]!)).status;
      const tickets = await q('SELECT seat_id FROM tickets WHERE booking_id = $1', [bookings[i]]);
      const charges = [...sim.charges.values()].filter((c) => c.reference.startsWith(bookings[i]!));
      if (final === 'confirmed') {
        expect(tickets).toHaveLength(1);
        expect(charges).toHaveLength(1);
      } else {
        // The expiry won: nothing was charged, no ticket, the seat is free again.
        expect(final).toBe('expired');
        expect(tickets).toEqual([]);
        expect(charges).toEqual([]);
      }
    }
    const sold = await q(`SELECT count(*)::int AS n FROM seats WHERE event_id = $1 AND status = 'sold'`, [eventId]);
    const confirmed = await q(`SELECT count(*)::int AS n FROM bookings WHERE event_id = $1 AND status = 'confirmed'`, [
      eventId,
    ]);
    expect(sold).toEqual(confirmed);
    expect(await q(`SELECT count(*)::int AS n FROM seats WHERE event_id = $1 AND status = 'held'`, [eventId])).toEqual([
      { n: 0 },
    ]);
  });

  it('a transfer moves the ticket to another account and invalidates the old barcode', async () => {
    const eventId = await env.createEvent({
      hold_seconds: 30,
      sections: [{ name: 'T', rows: 1, seats_per_row: 2, price: 40 }],
    });
    const erin = await buyer('erin');
    const frank = await buyer('frank');
    const bookingId = await hold(erin.token, { event_id: eventId, quantity: 1 });
    await pay(erin.token, bookingId);
    await waitStatus(erin.token, bookingId, 'confirmed');
    const [ticket] = (await env.http('GET', '/v1/me/tickets', { token: erin.token })).body.items.filter(
      (t: { event_id: string }) => t.event_id === eventId,
    );

    expect(
      (
        await env.http('POST', `/v1/tickets/${ticket.ticket_id}/transfer`, {
          token: erin.token,
          body: { email: 'nobody@example.test' },
        })
      ).body.error.code,
    ).toBe('recipient_not_found');
    expect(
      (
        await env.http('POST', `/v1/tickets/${ticket.ticket_id}/transfer`, {
          token: frank.token,
          body: { email: frank.email },
        })
      ).status,
    ).toBe(404);
    const moved = await env.http('POST', `/v1/tickets/${ticket.ticket_id}/transfer`, {
      token: erin.token,
      body: { email: frank.email.toUpperCase() },
    });
    expect(moved.status).toBe(202);
    await waitFor(
      async () => (await env.http('GET', `/v1/tickets/${ticket.ticket_id}`, { token: frank.token })).status === 200,
      10_000,
      'transferred',
    );

    const now = (await env.http('GET', `/v1/tickets/${ticket.ticket_id}`, { token: frank.token })).body;
    expect(now).toMatchObject({ version: 2, status: 'valid' });
    expect(now.barcode).not.toBe(ticket.barcode);
    const verify = (barcode: string) =>
      env.http('POST', '/v1/tickets/verify', { token: organizer(), body: { barcode } });
    expect((await verify(ticket.barcode)).body).toMatchObject({ valid: false, reason: 'superseded' });
    expect((await verify(now.barcode)).body).toMatchObject({ valid: true });
    expect((await verify(`${ticket.barcode.split('.')[0]}.AAAA`)).body).toMatchObject({
      valid: false,
      reason: 'bad_signature',
    });
    expect(
      (await env.http('GET', '/v1/me/tickets', { token: erin.token })).body.items.some(
        (t: { ticket_id: string }) => t.ticket_id === ticket.ticket_id,
      ),
    ).toBe(false);
    expect(
      (await env.http('GET', '/v1/me/tickets', { token: frank.token })).body.items.map(
        (t: { ticket_id: string }) => t.ticket_id,
      ),
    ).toEqual([ticket.ticket_id]);
    // Erin can no longer cancel the booking: its ticket belongs to Frank now.
    expect((await env.http('DELETE', `/v1/bookings/${bookingId}`, { token: erin.token })).body.error.code).toBe(
      'booking_not_cancellable',
    );
    await waitFor(
      async () =>
        (await q(`SELECT 1 FROM email_outbox WHERE template = 'ticket_received' AND user_id = $1`, [frank.id]))
          .length === 1,
      5_000,
      'recipient e-mail',
    );
  });

  it('a cancelled confirmed booking is refunded, its tickets void, and its seats sell again', async () => {
    const eventId = await env.createEvent({
      hold_seconds: 30,
      sections: [{ name: 'C', rows: 1, seats_per_row: 2, price: 25 }],
    });
    const gina = await buyer('gina');
    const hank = await buyer('hank');
    const first = await hold(gina.token, { event_id: eventId, seat_ids: ['C-1-1'] });
    await pay(gina.token, first);
    await waitStatus(gina.token, first, 'confirmed');
    const cancel = await env.http('DELETE', `/v1/bookings/${first}`, { token: gina.token });
    expect(cancel).toMatchObject({ status: 202, body: { refund: 'queued' } });
    await waitStatus(gina.token, first, 'refunded');
    expect(await q('SELECT status FROM orders WHERE booking_id = $1', [first])).toEqual([{ status: 'refunded' }]);
    expect(await q('SELECT status FROM tickets WHERE booking_id = $1', [first])).toEqual([{ status: 'void' }]);

    const second = await hold(hank.token, { event_id: eventId, seat_ids: ['C-1-1'] });
    await pay(hank.token, second);
    await waitStatus(hank.token, second, 'confirmed');
    expect(
      await q(`SELECT booking_id, status FROM tickets WHERE event_id = $1 AND seat_id = 'C-1-1' ORDER BY issued_at`, [
        eventId,
      ]),
    ).toEqual([
      { booking_id: first, status: 'void' },
      { booking_id: second, status: 'valid' },
    ]);
  });

  it('an organizer cancelling an event refunds every order and rejects later requests', async () => {
    const eventId = await env.createEvent({ hold_seconds: 30, general_admission: { capacity: 10, price: 15 } });
    const ivy = await buyer('ivy');
    const jack = await buyer('jack');
    const paidId = await hold(ivy.token, { event_id: eventId, quantity: 2 });
    await pay(ivy.token, paidId);
    await waitStatus(ivy.token, paidId, 'confirmed');
    const heldId = await hold(jack.token, { event_id: eventId, quantity: 1 });

    expect(
      (await env.http('POST', `/v1/events/${eventId}/cancel`, { token: env.token('organizer-2', 'organizer') })).status,
    ).toBe(403); // README: another organizer's event is 403 forbidden
    expect((await env.http('POST', `/v1/events/${eventId}/cancel`, { token: organizer() })).status).toBe(202);
    await waitStatus(ivy.token, paidId, 'refunded');
    expect(await status(ivy.token, paidId)).toMatchObject({ reason: 'event_cancelled' });
    expect(await status(jack.token, heldId)).toMatchObject({ status: 'cancelled', reason: 'event_cancelled' });
    expect(
      await q(`SELECT count(*)::int AS n FROM tickets WHERE booking_id = $1 AND status = 'valid'`, [paidId]),
    ).toEqual([{ n: 0 }]);
    const late = await env.http('POST', '/v1/bookings', {
      token: jack.token,
      body: { event_id: eventId, quantity: 1 },
    });
    await waitFor(
      async () => (await status(jack.token, late.body.booking_id)).status === 'rejected',
      10_000,
      'rejected',
    );
    expect((await status(jack.token, late.body.booking_id)).reason).toBe('event_cancelled');
  });

  it('no seat ever has two valid tickets (checked by the data, and enforced by the database)', async () => {
    expect(
      await q(
        `SELECT event_id, seat_id FROM tickets WHERE status = 'valid' AND seat_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1`,
      ),
    ).toEqual([]);
    const [t] = await q(`SELECT * FROM tickets WHERE status = 'valid' AND seat_id IS NOT NULL LIMIT 1`);
    await expect(
      env.pool.query(
        `INSERT INTO tickets (id, order_id, booking_id, event_id, seat_id, owner_user_id, barcode) VALUES (gen_random_uuid(), $1, $2, $3, $4, 'x', 'dup')`,
        [t.order_id, t.booking_id, t.event_id, t.seat_id],
      ),
    ).rejects.toMatchObject({ code: '23505' });
  });
});
