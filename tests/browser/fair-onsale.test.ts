import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/logger';
import { startNotifier, type RunningNotifier } from '../../notifier/server';
import { TestEnv, waitFor } from '../support/env';
import { axeProblems, freePort, launch, signedInContext, step } from './support';

/**
 * The fair on-sale in the web app (issue 13) in Chromium against the real roles: a booking on an
 * event asking for an 8-bit proof of work (solved in the page's Web Worker under the strict CSP),
 * then a second buyer joins and leaves the waitlist of the now sold-out event.
 */
describe('web app: fair on-sale', () => {
  let env: TestEnv;
  let browser: Browser;
  let notifier: RunningNotifier;
  let eventId: string;

  beforeAll(async () => {
    env = await TestEnv.create({ PAYMENT_RETRY_BASE_MS: '50' });
    const notifierPort = await freePort();
    notifier = await startNotifier(env.config, createLogger('notifier'), notifierPort);
    await env.startIngress({ NOTIFIER_PUBLIC_URL: `http://127.0.0.1:${notifierPort}` });
    const sim = await env.startPaymentSim({ latency_ms: 50 });
    await env.startWorker(env.paymentWorkerConfig(sim));
    browser = await launch();
    eventId = await env.createEvent({
      name: 'Proof Hall',
      general_admission: { capacity: 2, price: 20 },
      max_per_user: 2,
      hold_seconds: 600,
      pow_bits: 8,
    });
  });
  afterAll(async () => {
    // Unset when set-up failed half-way: close only what was started.
    const started: { browser?: Browser; notifier?: RunningNotifier; env?: TestEnv } = { browser, notifier, env };
    await started.browser?.close();
    await started.notifier?.close().catch(() => undefined);
    await started.env?.cleanup();
  });

  it('books with a proof of work solved in a Web Worker, then a second buyer joins and leaves the waitlist', async () => {
    const a = await signedInContext(browser, env, `pow-${randomUUID()}@example.com`);
    const page = await a.ctx.newPage();
    const cspErrors: string[] = [];
    page.on(
      'console',
      (m) => m.type() === 'error' && /Content Security Policy|worker/i.test(m.text()) && cspErrors.push(m.text()),
    );
    try {
      await step('proof of work', [page], async () => {
        await page.goto(`/#/events/${eventId}`);
        await page.getByRole('heading', { level: 1, name: 'Proof Hall' }).waitFor();
        await page.getByLabel(/Tickets/).fill('2');
        await page.getByRole('button', { name: 'Book 2 tickets' }).click();
        await page.waitForURL(/#\/bookings\/[0-9a-f-]{36}/, { timeout: 60_000 });
      });
      expect(cspErrors).toEqual([]);
      const bookingId = /#\/bookings\/([0-9a-f-]{36})/.exec(page.url())![1]!;
      // The server accepted the proof: the booking exists and is decided as a hold.
      await waitFor(
        async () =>
          (await env.pool.query('select status from bookings where id = $1', [bookingId])).rows[0]?.status === 'held',
        60_000,
        'booking held',
      );
    } finally {
      await a.ctx.close();
    }

    const b = await signedInContext(browser, env, `wait-${randomUUID()}@example.com`);
    const page2 = await b.ctx.newPage();
    try {
      await step('waitlist', [page2], async () => {
        await waitFor(
          async () => {
            await page2.goto(`/#/events/${eventId}`);
            await page2.getByRole('heading', { level: 1, name: 'Proof Hall' }).waitFor();
            return (await page2.getByRole('button', { name: 'Join the waitlist' }).count()) > 0;
          },
          60_000,
          'sold out with a waitlist',
        );
        expect(await axeProblems(page2)).toEqual([]);
        await page2.getByRole('button', { name: 'Join the waitlist' }).click();
        await page2.getByText(/You are on the waitlist, place 1\b/).waitFor({ timeout: 30_000 });
        expect(await axeProblems(page2)).toEqual([]);
        await page2.getByRole('button', { name: 'Leave the waitlist' }).click();
        await page2.getByRole('button', { name: 'Join the waitlist' }).waitFor({ timeout: 30_000 });
      });
    } finally {
      await b.ctx.close();
    }
  }, 240_000);
});
