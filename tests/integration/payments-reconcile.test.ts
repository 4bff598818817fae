import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor, type ClientSocket } from '../support/env';
import type { RunningPaymentSim } from '../../payment-sim/server';
import { SimulatorGateway } from '../../booking-workers/payments/simulator-gateway';
import { GatewayError, type ChargeCall, type PaymentGateway } from '../../booking-workers/payments/gateway';
import type { BookingResultPush } from '../../shared/contracts/socket';

/**
 * A charge the provider took but whose answer or webhook was lost (a provider crash right after
 * accepting it) is reconciled by looking it up by its idempotency key: the booking is confirmed in
 * seconds instead of sitting in `payment_pending` until its hold runs out.
 */
describe('payments: reconcile with the provider by idempotency key', () => {
  let env: TestEnv;
  let sim: RunningPaymentSim;
  /** Charges whose answer the "network" loses after the provider took them. */
  const loseAnswers = new Set<string>();
  /** Charges the "provider" answers `pending` for and then loses (it has no record of them afterwards). */
  const forget = new Set<string>();

  beforeAll(async () => {
    env = await TestEnv.create({
      PAYMENT_RETRIES: '1',
      PAYMENT_RETRY_BASE_MS: '50',
      PAYMENT_TIMEOUT_MS: '2000',
      PAYMENT_BREAKER_VOLUME: '100',
    });
    await env.startIngress();
    await env.startNotifier();
    sim = await env.startPaymentSim({ latency_ms: 50 });
    const real = new SimulatorGateway(sim.url, 2000);
    // The real simulator behind a link that loses the answer (not the request) for chosen bookings.
    const gateway: PaymentGateway = {
      name: 'simulator',
      charge: async (req: ChargeCall) => {
        if (forget.has(req.reference.split(':')[0]!)) return { providerId: 'ch_forgotten', status: 'pending' };
        const answer = await real.charge(req);
        if (loseAnswers.has(req.reference.split(':')[0]!)) throw new GatewayError('socket hang up (answer lost)', true);
        return answer;
      },
      refund: (req) => real.refund(req),
      lookup: (key) => real.lookup(key),
    };
    await env.startWorker(env.paymentWorkerConfig(sim), { gateway, reconcileAfterMs: 1000 });
  }, 60_000);
  afterAll(() => env.cleanup());

  const status = async (token: string, id: string) => (await env.http('GET', `/v1/bookings/${id}`, { token })).body;

  async function heldBooking(
    user: string,
  ): Promise<{ token: string; bookingId: string; socket: ClientSocket; pushes: BookingResultPush[] }> {
    const eventId = await env.createEvent({ hold_seconds: 600, general_admission: { capacity: 10, price: 25 } });
    const token = env.token(user);
    const booked = await env.http('POST', '/v1/bookings', { token, body: { event_id: eventId, quantity: 1 } });
    expect(booked.status).toBe(202);
    const bookingId = booked.body.booking_id as string;
    await waitFor(async () => (await status(token, bookingId)).status === 'held', 15_000, 'held');
    const socket = await env.socket(token);
    const pushes: BookingResultPush[] = [];
    socket.on('booking.result', (r) => pushes.push(r));
    expect((await socket.emitWithAck('booking.watch', { booking_id: bookingId })).ok).toBe(true);
    return { token, bookingId, socket, pushes };
  }

  it('confirms a charge whose webhook was lost, long before the hold runs out', async () => {
    const { token, bookingId, pushes } = await heldBooking('lost-webhook');
    // The provider takes the charge and then "crashes": its webhook is never sent.
    sim.configure({ latency_ms: 60_000 });
    try {
      expect(
        (
          await env.http('POST', `/v1/bookings/${bookingId}/checkout`, {
            token,
            body: { payment_method: 'pm_card_visa' },
          })
        ).status,
      ).toBe(202);
      await waitFor(
        async () => (await status(token, bookingId)).status === 'payment_pending',
        15_000,
        'payment_pending',
      );
      // `payment_pending` is committed before the payment stage calls the provider: wait for the call.
      const chargeOf = () => [...sim.charges.values()].find((c) => c.reference.startsWith(bookingId));
      await waitFor(() => chargeOf() !== undefined, 15_000, 'charge taken by the provider');
      const charge = chargeOf();
      expect(charge?.status).toBe('pending');
      // It recovers with the charge settled but the webhook lost.
      charge!.status = 'succeeded';
      const started = Date.now();
      await waitFor(
        async () => (await status(token, bookingId)).status === 'confirmed',
        20_000,
        'confirmed by reconciliation',
      );
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(sim.webhooks.filter((w) => w.body.includes(bookingId))).toHaveLength(0);
      await waitFor(() => pushes.some((p) => p.status === 'confirmed'), 10_000, 'confirmed pushed');
      const tickets = await env.pool.query('SELECT count(*)::int AS n FROM tickets WHERE booking_id = $1', [bookingId]);
      expect(tickets.rows[0].n).toBe(1);
    } finally {
      sim.configure({ latency_ms: 50 });
    }
  }, 60_000);

  it('looks a charge up before giving up on it when only its answer was lost', async () => {
    const { token, bookingId, pushes } = await heldBooking('lost-answer');
    loseAnswers.add(bookingId);
    expect(
      (
        await env.http('POST', `/v1/bookings/${bookingId}/checkout`, {
          token,
          body: { payment_method: 'pm_card_visa' },
        })
      ).status,
    ).toBe(202);
    await waitFor(async () => (await status(token, bookingId)).status === 'confirmed', 20_000, 'confirmed');
    // The retries charged once (idempotency key), and the buyer was never told the payment was unavailable.
    expect([...sim.charges.values()].filter((c) => c.reference.startsWith(bookingId))).toHaveLength(1);
    expect(pushes.map((p) => p.reason)).not.toContain('payment_unavailable');
    const row = await env.pool.query('SELECT status, provider_id FROM payments WHERE booking_id = $1', [bookingId]);
    expect(row.rows).toEqual([{ status: 'pending', provider_id: expect.stringMatching(/^ch/) }]);
  }, 60_000);

  it('puts a booking back to held, to pay again, when the provider has no record of its pending charge', async () => {
    const { token, bookingId, pushes } = await heldBooking('forgotten-charge');
    forget.add(bookingId);
    expect(
      (
        await env.http('POST', `/v1/bookings/${bookingId}/checkout`, {
          token,
          body: { payment_method: 'pm_card_visa' },
        })
      ).status,
    ).toBe(202);
    await waitFor(async () => (await status(token, bookingId)).status === 'payment_pending', 15_000, 'pending');
    // The sweep asks the provider after a second, hears 404, and ends the attempt: back to held, not stuck.
    await waitFor(async () => (await status(token, bookingId)).status === 'held', 20_000, 'back to held');
    const row = await env.pool.query('SELECT status, error FROM payments WHERE booking_id = $1', [bookingId]);
    expect(row.rows).toEqual([{ status: 'unavailable', error: 'unknown to the provider at reconciliation' }]);
    await waitFor(() => pushes.at(-1)?.status === 'held', 10_000, 'held pushed');
    // Paying again (a new attempt, a new idempotency key) goes through.
    forget.delete(bookingId);
    expect(
      (
        await env.http('POST', `/v1/bookings/${bookingId}/checkout`, {
          token,
          body: { payment_method: 'pm_card_visa' },
        })
      ).status,
    ).toBe(202);
    await waitFor(async () => (await status(token, bookingId)).status === 'confirmed', 20_000, 'confirmed');
  }, 60_000);
});
