import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor } from '../support/env';
import { axeProblems, DESKTOP, keepScreenshot, launch, overflowX, PHONE, step } from './support';
import { staffContext } from './staff';

/**
 * The organizer pages in Chromium: an event created from a venue layout (a price per section, the
 * on-sale time, hold time and per-buyer limit), its sales shown as bookings come in, and the phone layout.
 */
describe('organizer pages in Chromium', () => {
  let env: TestEnv;
  let browser: Browser;

  beforeAll(async () => {
    env = await TestEnv.create();
    // The page's live socket needs to know where the notifier is (client-config.json).
    const notifier = await env.startNotifier();
    await env.startIngress({ NOTIFIER_PUBLIC_URL: `http://127.0.0.1:${notifier.port}` });
    await env.startWorker();
    browser = await launch();
  });
  afterAll(async () => {
    await browser.close();
    await env.cleanup();
  });

  it('desktop: creates an event from a venue, refuses a bad field, then shows its sales', async () => {
    const { ctx, token } = await staffContext(browser, env, `org-${Date.now()}@example.com`, 'organizer', DESKTOP);
    const venue = await env.http('POST', '/v1/venues', {
      token,
      body: {
        name: 'Fjord Hall',
        city: 'Bergen',
        lat: 60.39,
        lon: 5.32,
        sections: [
          { name: 'Parterre', rows: 4, seats_per_row: 10 },
          { name: 'Gallery', rows: 2, seats_per_row: 10 },
        ],
      },
    });
    expect(venue.status).toBe(201);
    const page = await ctx.newPage();
    await step('organizer-desktop', [page], async () => {
      await page.goto('/#/organizer');
      await page.getByRole('heading', { level: 1, name: 'Organizer' }).waitFor();
      await page.getByLabel('Name').fill('Northern Strings');
      await page.getByLabel('Starts').fill('2031-09-12T19:30');
      await page.getByLabel('On sale from (blank: now)').fill('2031-09-11T19:30');
      await page.getByLabel('Hold time (minutes)').fill('0');
      await page.getByLabel('Per-buyer limit (tickets)').fill('4');
      await page.getByLabel('Parterre').fill('95');
      await page.getByLabel('Gallery').fill('55.5');
      await page.getByRole('button', { name: 'Create event' }).click();
      await page.getByText('Hold time: a whole number of minutes').waitFor();
      expect(await axeProblems(page), 'form with a problem').toEqual([]);

      await page.getByLabel('Hold time (minutes)').fill('8');
      await page.getByLabel('On sale from (blank: now)').fill('');
      await page.getByRole('button', { name: 'Create event' }).click();
      const card = page.locator('.org-sales', { hasText: 'Northern Strings' });
      await card.waitFor({ timeout: 20_000 });
      const { rows } = await env.pool.query(
        'SELECT id, hold_seconds, max_per_user, capacity, layout FROM events WHERE name = $1',
        ['Northern Strings'],
      );
      expect(rows[0]).toMatchObject({ hold_seconds: 480, max_per_user: 4, capacity: 60 });
      const eventId = rows[0].id as string;
      await waitFor(
        async () =>
          (await env.pool.query('SELECT inventory_ready FROM events WHERE id = $1', [eventId])).rows[0]
            ?.inventory_ready === true,
        20_000,
        'inventory',
      );

      // Two buyers take three seats: the sales view follows within its refresh.
      for (const [i, quantity] of [1, 2].entries()) {
        const res = await env.http('POST', '/v1/bookings', {
          token: env.token(`org-fan-${i}`),
          body: { event_id: eventId, quantity },
        });
        expect(res.status).toBe(202);
      }
      await expect
        .poll(() => card.getByRole('img').getAttribute('aria-label'), { timeout: 20_000 })
        .toBe('0 sold, 3 held, 57 available of 60');
      await keepScreenshot(page, 'organizer');
      expect(await axeProblems(page), 'organizer page').toEqual([]);
    });
    await ctx.close();
  });

  it('phone: the organizer page fits 390 px without sideways scrolling', async () => {
    const { ctx } = await staffContext(browser, env, `org-phone-${Date.now()}@example.com`, 'organizer', PHONE);
    const page = await ctx.newPage();
    await step('organizer-phone', [page], async () => {
      await page.goto('/#/organizer');
      await page.getByRole('heading', { name: 'New event' }).waitFor({ timeout: 20_000 });
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
      await keepScreenshot(page, 'phone-organizer');
      expect(await axeProblems(page), 'organizer page on a phone').toEqual([]);
    });
    await ctx.close();
  });
});
