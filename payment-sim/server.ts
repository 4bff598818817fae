import http from 'node:http';
import { createLogger, type Logger } from '../shared/logger';
import { once } from '../shared/shutdown';
import { openJournal, readJournal, replayJournal } from './journal';
import type { RunningPaymentSim, SimAccess, SimConfig, SimDurability, SimState } from './model';
import { configBody, simApp } from './routes';
import { outcomes, scheduler } from './webhooks';

export type { RunningPaymentSim, SentWebhook, SimAccess, SimConfig, SimDurability } from './model';

/**
 * A payment provider simulator that behaves like a real one: charges and refunds answer `pending` at
 * once (idempotent by `idempotency_key`), then the outcome arrives later as an HMAC-signed webhook,
 * retried with backoff until the receiver answers 2xx. Latency, decline rate, outage (503 on every
 * API call), duplicate and out-of-order webhooks are configurable live through `PUT /v1/sim/config`.
 * The payment method `pm_card_declined` is always declined (like a provider's test cards).
 * With a journal file it is durable like a real provider: what it accepted survives a crash, pending
 * charges are decided after the restart and undelivered webhooks are sent again.
 *
 * This file starts and stops it; the routes are in payment-sim/routes.ts, the journal in journal.ts,
 * outcomes and webhook delivery in webhooks.ts.
 */
export async function startPaymentSim(
  initial: Partial<SimConfig> & { secret: string },
  port = 0,
  logger: Logger = createLogger('payment-sim'),
  access: SimAccess = {},
  durability: SimDurability = {},
): Promise<RunningPaymentSim> {
  const config: SimConfig = {
    latency_ms: 300,
    decline_rate: 0,
    outage: false,
    duplicate_rate: 0,
    reorder: false,
    webhook_max_attempts: 10,
    ...initial,
  };
  const state: SimState = {
    config,
    charges: new Map(),
    chargesByKey: new Map(),
    refunds: new Map(),
    refundsByKey: new Map(),
    webhooks: [],
    stats: { charge_calls: 0, refund_calls: 0 },
  };
  const { charges, refunds } = state;
  const timers = scheduler();
  const replayed = durability.journal_file ? readJournal(durability.journal_file, logger) : [];
  const journal = openJournal(durability.journal_file);
  const sim = outcomes(state, journal, timers, logger);
  const app = simApp(state, access, journal, sim);

  // What the journal holds comes back as it was; what was still under way goes on.
  const undelivered = replayJournal(replayed, state);

  const server = http.createServer(app);
  const host = access.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actual = (server.address() as { port: number }).port;
  logger.info('payment simulator listening', { host, port: actual });
  if (replayed.length) {
    const pending = [...charges.values()].filter((c) => c.status === 'pending');
    const pendingRefunds = [...refunds.values()].filter((r) => r.status === 'pending');
    pending.forEach(sim.decideCharge);
    pendingRefunds.forEach(sim.settleRefund);
    for (const w of undelivered.values()) sim.send(w);
    logger.info('journal replayed', {
      charges: charges.size,
      refunds: refunds.size,
      pending_charges: pending.length,
      pending_refunds: pendingRefunds.length,
      webhooks_resent: undelivered.size,
    });
  }
  const close = once(async () => {
    timers.stop();
    journal.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    config,
    webhooks: state.webhooks,
    charges,
    refunds,
    stats: state.stats,
    configure: (patch) => Object.assign(config, configBody.parse(patch)),
    close,
  };
}
