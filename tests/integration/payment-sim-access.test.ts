import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentSim, type RunningPaymentSim } from '../../payment-sim/server';
import { createLogger } from '../../shared/logger';
import { ROOT } from '../support/env';

/** The payment simulator is a development tool: loopback only, control routes behind a token, one callback target. */
describe('payment simulator access', () => {
  let sim: RunningPaymentSim;
  const token = 'sim-control-token-for-tests';
  const target = 'http://127.0.0.1:9/v1/payments/callback';
  beforeAll(async () => {
    sim = await startPaymentSim({ secret: 'x'.repeat(32), latency_ms: 60_000 }, 0, createLogger('payment-sim'), {
      control_token: token,
      webhook_url: target,
    });
  });
  afterAll(() => sim.close());

  const call = (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${sim.url}${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('listens on loopback only by default', async () => {
    const { networkInterfaces } = await import('node:os');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) await expect(fetch(`http://${external.address}:${sim.port}/healthz`)).rejects.toThrow();
    expect((await fetch(`${sim.url}/healthz`)).status).toBe(200);
  });

  it('refuses its control routes without the token', async () => {
    expect((await call('PUT', '/v1/sim/config', { outage: true })).status).toBe(403);
    expect(
      (await call('PUT', '/v1/sim/config', { outage: true }, { authorization: 'Bearer wrong-token-wrong-token' }))
        .status,
    ).toBe(403);
    expect((await call('GET', '/v1/sim/webhooks')).status).toBe(403);
    expect(sim.config.outage).toBe(false);
    const ok = await call('PUT', '/v1/sim/config', { decline_rate: 0.5 }, { authorization: `Bearer ${token}` });
    expect([ok.status, (await ok.json()).decline_rate]).toEqual([200, 0.5]);
  });

  it('calls back only the configured webhook target', async () => {
    const charge = { idempotency_key: 'k1', amount_cents: 100, reference: 'r1', payment_method: 'pm_card_visa' };
    const foreign = await call('POST', '/v1/charges', {
      ...charge,
      callback_url: 'http://169.254.169.254/latest/meta-data',
    });
    expect([foreign.status, (await foreign.json()).error.code]).toEqual([400, 'callback_not_allowed']);
    const refund = await call('POST', '/v1/refunds', {
      idempotency_key: 'k2',
      charge_id: 'ch_x',
      amount_cents: 1,
      reference: 'r',
      callback_url: 'http://evil.example/',
    });
    expect(refund.status).toBe(400);
    expect(sim.charges.size).toBe(0);
    expect((await call('POST', '/v1/charges', { ...charge, callback_url: target })).status).toBe(202);
  });

  it('does not run with NODE_ENV=production', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'payment-sim/main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        JWT_SECRET: 'a'.repeat(40),
        PAYMENT_WEBHOOK_SECRET: 'b'.repeat(40),
        TICKET_SIGNING_SEED: 'c'.repeat(64),
        PAYMENT_SIM_PORT: '0',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('development tool');
  }, 90_000);
});
