import { describe, expect, it } from 'vitest';
import { createEvents, runFault } from './support/fault-run';
import { expectInvariants, faultSuite } from './support/suite';
import { sleep } from './support/roles';

/**
 * How long the payment provider stays down. The issue asks for 30 s; CI uses 10 s by default
 * (`FAULTS_PAYMENT_OUTAGE_S=30` for the full figure) to keep the suite under its time budget.
 */
const OUTAGE_S = Number(process.env.FAULTS_PAYMENT_OUTAGE_S ?? 10);
/** After the provider is back, every checkout must have settled within this. */
const SETTLE_MS = 60_000;

describe('faults: payment provider down', () => {
  const ctx = faultSuite({
    env: { PAYMENT_BREAKER_RESET_MS: '3000', PAYMENT_TIMEOUT_MS: '2000', PAYMENT_RECONCILE_AFTER_MS: '10000' },
  });

  it(`payment provider down ${OUTAGE_S} s while buyers check out`, async () => {
    const events = await createEvents(ctx.stack, 'payments');
    const checkedOut = new Set<string>();
    const checkoutAnswers: Record<string, number> = {};
    let paying = true;
    // Every buyer whose booking is pushed `held` pays for it at once, as the web page lets them.
    const payer = (async () => {
      // `paying` is cleared by the test body below once the load is over.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      while (paying) {
        for (const t of ctx.crowd.bookings(events)) {
          if (checkedOut.has(t.id) || t.pushes[0]?.status !== 'held') continue;
          checkedOut.add(t.id);
          void (async () => {
            for (let attempt = 0; attempt < 20; attempt++) {
              const res = await fetch(`${ctx.stack.baseUrl}/v1/bookings/${t.id}/checkout`, {
                method: 'POST',
                headers: { authorization: `Bearer ${ctx.crowd.token(t.user)}`, 'content-type': 'application/json' },
                body: JSON.stringify({ payment_method: 'card' }),
              }).catch(() => null);
              const code = String(res?.status ?? 'network');
              checkoutAnswers[code] = (checkoutAnswers[code] ?? 0) + 1;
              if (res && res.status !== 503) return;
              await sleep(1000);
            }
          })();
        }
        await sleep(200);
      }
    })();
    let restoredAt = 0;
    const pendingCount = async () =>
      (
        await ctx.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM bookings WHERE event_id = ANY($1::uuid[]) AND status = 'payment_pending'`,
          [events],
        )
      ).rows[0]!.n;

    const sim = ctx.stack.roles['payment-sim'];
    const r = await runFault({
      name: `payment provider down ${OUTAGE_S} s`,
      ...ctx,
      events,
      inject: async () => {
        await sim.kill9({ restart: false });
        await sleep(OUTAGE_S * 1000);
        sim.start();
        await sim.waitReady();
        restoredAt = Date.now();
      },
      settle: async () => {
        paying = false;
        await payer;
        // No booking may stay payment_pending once the provider is back: paid, or its payment failed.
        const deadline = restoredAt + SETTLE_MS;
        while ((await pendingCount()) > 0 && Date.now() < deadline) await sleep(1000);
        // The last push of every settled booking must have arrived.
        await sleep(2000);
      },
    });
    process.stdout.write(
      `[fault] payments: checkouts ${checkedOut.size}, answers ${JSON.stringify(checkoutAnswers)}\n`,
    );
    expect(checkedOut.size, 'buyers checked out').toBeGreaterThan(50);
    expect(
      await pendingCount(),
      `bookings still payment_pending ${SETTLE_MS / 1000} s after the provider came back`,
    ).toBe(0);
    const { rows } = await ctx.pool.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM bookings WHERE id = ANY($1::uuid[]) GROUP BY status',
      [[...checkedOut]],
    );
    process.stdout.write(`[fault] payments: checked-out bookings by status ${JSON.stringify(rows)}\n`);
    expect(rows.find((x) => x.status === 'confirmed')?.n ?? 0, 'some payments went through').toBeGreaterThan(0);
    // Tickets exist exactly for confirmed bookings (one per seat or unit).
    const tickets = await ctx.pool.query<{ missing: number }>(
      `SELECT count(*)::int AS missing FROM bookings b WHERE b.id = ANY($1::uuid[]) AND b.status = 'confirmed'
         AND (SELECT count(*) FROM tickets t WHERE t.booking_id = b.id) <> COALESCE(array_length(b.seat_ids, 1), b.quantity)`,
      [[...checkedOut]],
    );
    expect(tickets.rows[0]!.missing, 'confirmed bookings without their tickets').toBe(0);
    expectInvariants(r);
  });
});
