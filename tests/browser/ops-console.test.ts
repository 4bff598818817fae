import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor } from '../support/env';
import { axeProblems, DESKTOP, keepScreenshot, launch, overflowX, PHONE, step } from './support';
import { staffContext } from './staff';

/**
 * The operations console in Chromium: live figures of an event taking requests, pause and resume,
 * a throttle typed while the console refreshes (the input keeps what was typed), and the phone layout.
 */
describe('operations console in Chromium', () => {
  let env: TestEnv;
  let browser: Browser;
  let eventId: string;

  beforeAll(async () => {
    env = await TestEnv.create();
    // The page's live socket needs to know where the notifier is (client-config.json).
    const notifier = await env.startNotifier();
    await env.startIngress({ NOTIFIER_PUBLIC_URL: `http://127.0.0.1:${notifier.port}` });
    await env.startWorker();
    browser = await launch();
    eventId = await env.createEvent({
      name: 'Harbour Lights Festival',
      max_per_user: 2,
      hold_seconds: 600,
      general_admission: { capacity: 500, price: 40 },
    });
    for (let i = 0; i < 12; i++)
      await env.http('POST', '/v1/bookings', {
        token: env.token(`ops-fan-${i}`),
        body: { event_id: eventId, quantity: 1 },
      });
  });
  afterAll(async () => {
    await browser.close();
    await env.cleanup();
  });

  it('desktop: charts the event, keeps a typed throttle across refreshes, sets it, pauses and resumes', async () => {
    const { ctx } = await staffContext(browser, env, `op-${Date.now()}@example.com`, 'operator', DESKTOP);
    const page = await ctx.newPage();
    await step('ops-desktop', [page], async () => {
      await page.goto('/#/ops');
      await page.getByRole('heading', { level: 1, name: 'Operations' }).waitFor();
      const card = page.locator('.ops-event', { hasText: 'Harbour Lights Festival' });
      await card.waitFor({ timeout: 20_000 });
      await expect.poll(() => card.textContent(), { timeout: 20_000 }).toContain('12 of 12 decided');
      await expect.poll(() => page.locator('.ops-partition').count()).toBe(env.config.PARTITIONS);
      expect(await card.getByRole('img', { name: /Decided\/s/ }).count()).toBe(1);

      // Type a throttle and wait through two refreshes: what was typed stays.
      const input = card.getByLabel('Throttle (per s)');
      await input.fill('25');
      await page.waitForTimeout(4500);
      expect(await input.inputValue()).toBe('25');
      await card.getByRole('button', { name: 'Set' }).click();
      await waitFor(
        async () =>
          (await env.pool.query('SELECT throttle_per_s FROM events WHERE id = $1', [eventId])).rows[0]
            ?.throttle_per_s === 25,
        10_000,
        'throttle saved',
      );
      await expect.poll(() => card.textContent(), { timeout: 10_000 }).toContain('throttled to 25/s');

      await card.getByRole('button', { name: 'Pause' }).click();
      await expect.poll(() => card.textContent(), { timeout: 10_000 }).toContain('paused');
      expect((await env.pool.query('SELECT paused FROM events WHERE id = $1', [eventId])).rows[0]?.paused).toBe(true);
      await keepScreenshot(page, 'ops-console');
      expect(await axeProblems(page), 'ops console').toEqual([]);
      await card.getByRole('button', { name: 'Resume' }).click();
      await waitFor(
        async () =>
          (await env.pool.query('SELECT paused FROM events WHERE id = $1', [eventId])).rows[0]?.paused === false,
        10_000,
        'resumed',
      );
    });
    await ctx.close();
  });

  it('phone: the console fits 390 px without sideways scrolling', async () => {
    const { ctx } = await staffContext(browser, env, `op-phone-${Date.now()}@example.com`, 'operator', PHONE);
    const page = await ctx.newPage();
    await step('ops-phone', [page], async () => {
      await page.goto('/#/ops');
      await page.locator('.ops-event', { hasText: 'Harbour Lights Festival' }).waitFor({ timeout: 20_000 });
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
      await keepScreenshot(page, 'phone-ops-console');
      expect(await axeProblems(page), 'ops console on a phone').toEqual([]);
    });
    await ctx.close();
  });
});
