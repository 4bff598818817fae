import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/logger';
import { startNotifier, type RunningNotifier } from '../../notifier/server';
import { TestEnv, waitFor } from '../support/env';
import {
  axeProblems,
  DESKTOP,
  freePort,
  keepScreenshot,
  launch,
  overflowX,
  PHONE,
  signedInContext,
  step,
} from './support';

/** 20,000 seats in five sections, three price zones. */
const STADIUM = [
  { name: 'Floor', rows: 20, seats_per_row: 100, price: 249 },
  { name: 'Lower-A', rows: 30, seats_per_row: 100, price: 149 },
  { name: 'Lower-B', rows: 30, seats_per_row: 100, price: 149 },
  { name: 'Upper-A', rows: 60, seats_per_row: 100, price: 79 },
  { name: 'Upper-B', rows: 60, seats_per_row: 100, price: 79 },
];

/** Figures measured in the browser, printed at the end (README records them). */
const figures: Record<string, number | string> = {};

/**
 * The buyer side of the web app in Debian's Chromium against the real roles (ingress, notifier,
 * worker, payment simulator) of an isolated TestEnv: the seat map of a 20,000-seat stadium, booking,
 * checkout with a success and a declined test card, tickets and bookings on a phone, holds seen live
 * in a second browser, the queue room during a crowd of requests, and a notifier restart. axe-core
 * runs on every page.
 */
describe('web app in Chromium', () => {
  let env: TestEnv;
  let browser: Browser;
  let notifier: RunningNotifier;
  let notifierPort: number;
  let stadium: string;
  let club: string;

  beforeAll(async () => {
    env = await TestEnv.create({ PAYMENT_RETRY_BASE_MS: '50' });
    notifierPort = await freePort();
    notifier = await startNotifier(env.config, createLogger('notifier'), notifierPort);
    await env.startIngress({ NOTIFIER_PUBLIC_URL: `http://127.0.0.1:${notifierPort}` });
    const sim = await env.startPaymentSim({ latency_ms: 50 });
    await env.startWorker(env.paymentWorkerConfig(sim));
    browser = await launch();
    stadium = await env.createEvent({
      name: 'Aurora Skies Stadium',
      sections: STADIUM,
      max_per_user: 6,
      hold_seconds: 600,
    });
    club = await env.createEvent({
      name: 'Night Shift Club',
      general_admission: { capacity: 500, price: 35 },
      max_per_user: 4,
      hold_seconds: 600,
    });
  });
  afterAll(async () => {
    console.log('browser figures', JSON.stringify(figures));
    await browser.close();
    await notifier.close().catch(() => undefined);
    await env.cleanup();
  });

  const expectAccessible = async (page: Page, what: string) => expect(await axeProblems(page), what).toEqual([]);

  it('desktop: search, the whole stadium then a section, two seats booked, paid with the success card, tickets shown', async () => {
    const { ctx } = await signedInContext(browser, env, `desk-${randomUUID()}@example.com`, DESKTOP);
    const page = await ctx.newPage();
    const sizes: Record<string, number> = {};
    page.on('requestfinished', async (req) => {
      const m = /\/seat-(layout|status)$/.exec(new URL(req.url()).pathname);
      if (m) sizes[m[1]!] = (await req.sizes()).responseBodySize;
    });
    try {
      await step('search', [page], async () => {
        await page.goto('/#/search?q=aurora');
        await page.getByRole('heading', { level: 1, name: /aurora/i }).waitFor();
        await page.getByRole('link', { name: 'Aurora Skies Stadium' }).click();
        await page.getByRole('heading', { level: 1, name: 'Aurora Skies Stadium' }).waitFor();
      });
      await step('map', [page], async () => {
        await page.locator('.venue .section').first().waitFor();
        const t = await page.evaluate(() => window.__onsale);
        expect(t?.seatCount).toBe(20_000);
        figures.map_ready_ms = Math.round(t!.mapReadyMs!);
        await waitFor(() => sizes.layout !== undefined && sizes.status !== undefined, 10_000, 'seat data sizes');
        figures.layout_bytes = sizes.layout!;
        figures.status_bytes = sizes.status!;
        // Layout and statuses together stay under 150 KB on the wire.
        expect(sizes.layout! + sizes.status!).toBeLessThan(150_000);
        await page.getByText('20,000 of 20,000 seats available').waitFor();
        await keepScreenshot(page, 'venue-map');
        await expectAccessible(page, 'event page');
      });
      await step('section', [page], async () => {
        await page
          .getByRole('button', { name: /^Floor · 2,000 left: €249\.00, 2,000 of 2,000 seats available/ })
          .click();
        const seat = page.getByRole('checkbox', { name: 'Floor, row 3, seat 12, €249.00, available' });
        await seat.click();
        await page.getByRole('checkbox', { name: 'Floor, row 3, seat 13, €249.00, available' }).click();
        await page.getByRole('checkbox', { name: 'Floor, row 3, seat 12, €249.00, selected' }).waitFor();
        await page.getByText('2 of 6 seats · €498.00 before fees').waitFor();
        await keepScreenshot(page, 'section-seats');
        await expectAccessible(page, 'section view');
        await page.getByRole('button', { name: 'Request 2 seats' }).click();
      });
      await step('checkout', [page], async () => {
        await page.getByRole('heading', { name: /Held for you/ }).waitFor({ timeout: 30_000 });
        await page.getByRole('heading', { name: 'Order summary' }).waitFor();
        // €498 + 10 % + €1.50 per ticket.
        await page.getByRole('row', { name: /Total €550\.80/ }).waitFor();
        await keepScreenshot(page, 'checkout');
        await expectAccessible(page, 'checkout');
        await page.getByLabel('Card number').fill('4242 4242 4242 4242');
        await page.getByLabel('Expiry (MM/YY)').fill('12/30');
        await page.getByLabel('CVC').fill('123');
        await page.getByRole('button', { name: /^Pay €550\.80/ }).click();
        await page.getByRole('heading', { name: 'Confirmed. Enjoy the show!' }).waitFor({ timeout: 30_000 });
        await expectAccessible(page, 'confirmed');
      });
      await step('tickets', [page], async () => {
        await page.getByRole('link', { name: 'See your tickets' }).click();
        await page.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor();
        await page.getByText('Floor, row 3, seat 12').waitFor();
        expect(await page.locator('li.ticket').count()).toBe(2);
        await expectAccessible(page, 'tickets');
        // The picked seats were cleared: back on the event, nothing is selected.
        await page.goto(`/#/events/${stadium}`);
        await page.getByText('No seats picked yet.', { exact: false }).waitFor();
        await page.getByText('19,998 of 20,000 seats available').waitFor();
      });
    } finally {
      await ctx.close();
    }
  });

  it('phone (390 px): general admission, a declined card then a good one, tickets and bookings without overflow, transfer and cancel ask first', async () => {
    const { ctx } = await signedInContext(browser, env, `phone-${randomUUID()}@example.com`, PHONE);
    const friend = `friend-${randomUUID()}@example.com`;
    await env.http('POST', '/v1/auth/register', {
      body: { email: friend, password: 'correct horse battery', name: 'Friend' },
    });
    const page = await ctx.newPage();
    try {
      await step('phone-book', [page], async () => {
        await page.goto(`/#/events/${club}`);
        await page.getByRole('heading', { level: 1, name: 'Night Shift Club' }).waitFor();
        expect(await overflowX(page)).toBeLessThanOrEqual(0);
        await expectAccessible(page, 'GA event page (phone)');
        await page.getByLabel(/Tickets \(1–4\)/).fill('2');
        await page.getByRole('button', { name: 'Book 2 tickets' }).click();
        await page.getByRole('heading', { name: /Held for you/ }).waitFor({ timeout: 30_000 });
        expect(await overflowX(page)).toBeLessThanOrEqual(0);
      });
      await step('phone-decline', [page], async () => {
        await page.getByLabel('Card number').fill('4000 0000 0000 0002');
        await page.getByLabel('Expiry (MM/YY)').fill('11/29');
        await page.getByLabel('CVC').fill('321');
        await page.getByRole('button', { name: /^Pay/ }).click();
        await page
          .getByText('Your card was declined. Try another card.', { exact: false })
          .first()
          .waitFor({ timeout: 30_000 });
        await expectAccessible(page, 'declined (phone)');
        await page.getByLabel('Card number').fill('4242424242424242');
        await page.getByRole('button', { name: /^Pay/ }).click();
        await page.getByRole('heading', { name: 'Confirmed. Enjoy the show!' }).waitFor({ timeout: 30_000 });
      });
      await step('phone-tickets', [page], async () => {
        await page.goto('/#/tickets');
        await page.locator('li.ticket').nth(1).waitFor();
        expect(await overflowX(page)).toBeLessThanOrEqual(0);
        await expectAccessible(page, 'tickets (phone)');
        await keepScreenshot(page, 'phone-tickets');
        const first = page.locator('li.ticket').first();
        await first.getByLabel('Transfer to (e-mail)').fill(friend);
        await first.getByRole('button', { name: 'Transfer' }).click();
        await first.getByText(`Give this ticket to ${friend}?`, { exact: false }).waitFor();
        await first.getByRole('button', { name: 'Yes, transfer' }).click();
        await waitFor(async () => (await page.locator('li.ticket').count()) === 1, 30_000, 'one ticket left');
      });
      await step('phone-bookings', [page], async () => {
        await page.goto('/#/bookings');
        await page.getByRole('heading', { level: 1, name: 'My bookings' }).waitFor();
        await page.getByText('Some tickets of this booking were transferred, so it cannot be cancelled.').waitFor();
        expect(await page.getByRole('button', { name: 'Cancel and refund' }).count()).toBe(0);
        expect(await overflowX(page)).toBeLessThanOrEqual(0);
        await expectAccessible(page, 'bookings (phone)');
      });
    } finally {
      await ctx.close();
    }
  });

  it('cancel asks for confirmation and refunds', async () => {
    const { ctx, token } = await signedInContext(browser, env, `cancel-${randomUUID()}@example.com`, PHONE);
    const page = await ctx.newPage();
    try {
      await step('cancel', [page], async () => {
        const booked = await env.http('POST', '/v1/bookings', { token, body: { event_id: club, quantity: 1 } });
        expect(booked.status).toBe(202);
        const id = booked.body.booking_id as string;
        await waitFor(
          async () => (await env.http('GET', `/v1/bookings/${id}`, { token })).body.status === 'held',
          30_000,
          'held',
        );
        expect(
          (await env.http('POST', `/v1/bookings/${id}/checkout`, { token, body: { payment_method: 'pm_card_visa' } }))
            .status,
        ).toBe(202);
        await waitFor(
          async () => (await env.http('GET', `/v1/bookings/${id}`, { token })).body.status === 'confirmed',
          30_000,
          'confirmed',
        );
        await page.goto('/#/bookings');
        await page.getByRole('button', { name: 'Cancel and refund' }).click();
        await page.getByText('Cancel this booking?', { exact: false }).waitFor();
        await page.getByRole('button', { name: 'Yes, cancel' }).click();
        await page.locator('.badge.refunded, .badge.cancelled').first().waitFor({ timeout: 30_000 });
      });
    } finally {
      await ctx.close();
    }
  });

  it('two browsers see each other’s holds live, and a burst of 1,000 seat changes is applied quickly', async () => {
    const a = await signedInContext(browser, env, `a-${randomUUID()}@example.com`, DESKTOP);
    const b = await signedInContext(browser, env, `b-${randomUUID()}@example.com`, DESKTOP);
    const pa = await a.ctx.newPage();
    const pb = await b.ctx.newPage();
    try {
      await step('two-browsers', [pa, pb], async () => {
        for (const p of [pa, pb]) {
          await p.goto(`/#/events/${stadium}`);
          await p.getByRole('button', { name: /^Lower-A · / }).click();
          await p.locator('.live[data-state="live"]').waitFor();
        }
        await pa.getByRole('checkbox', { name: 'Lower-A, row 1, seat 5, €149.00, available' }).click();
        await pb.getByRole('checkbox', { name: 'Lower-A, row 1, seat 5, €149.00, available' }).click();
        await pa.getByRole('button', { name: 'Request 1 seat' }).click();
        // B picked the same seat: it turns held on B's map and leaves B's selection, with a notice.
        await pb
          .getByRole('checkbox', { name: 'Lower-A, row 1, seat 5, €149.00, held by another buyer' })
          .waitFor({ timeout: 30_000 });
        await pb.getByText('Just taken by someone else: Lower-A row 1 seat 5.', { exact: false }).first().waitFor();
      });
      await step('burst', [pb], async () => {
        // 1,000 changes in one push, as the notifier sends a coalesced batch.
        const seats = Array.from(
          { length: 1000 },
          (_, i) => [`Upper-B-${Math.floor(i / 100) + 1}-${(i % 100) + 1}`, 'sold'] as const,
        );
        const before = await pb.evaluate(() => window.__onsale!.bursts.length);
        const conn = await amqp.connect(env.config.AMQP_URL);
        const ch = await conn.createChannel();
        ch.publish(
          `${env.config.AMQP_PREFIX}booking-events`,
          `seats.changed.${stadium}`,
          Buffer.from(JSON.stringify({ event_id: stadium, seats, as_of: new Date().toISOString() })),
          { type: 'seats.changed', contentType: 'application/json' },
        );
        await ch.close();
        await conn.close();
        await waitFor(
          async () => (await pb.evaluate(() => window.__onsale!.bursts.filter((x) => x.seats >= 1000).length)) > 0,
          20_000,
          'burst applied',
        );
        const burst = await pb.evaluate((n) => window.__onsale!.bursts.slice(n).find((x) => x.seats >= 1000)!, before);
        figures.burst_1000_ms = Math.round(burst.ms * 10) / 10;
        await pb.getByRole('button', { name: /^← Whole venue/ }).click();
        await pb.getByRole('button', { name: /^Upper-B · 5,000 left: €79\.00/ }).waitFor();
      });
    } finally {
      await a.ctx.close();
      await b.ctx.close();
    }
  });

  it('queue room: paused, then a crowd of API requests while the page waits, then held', async () => {
    const op = env.token(await env.createUser(`op-${randomUUID()}@example.com`, 'operator'), 'operator');
    expect((await env.http('POST', `/v1/ops/events/${club}/pause`, { token: op })).status).toBe(200);
    const { ctx } = await signedInContext(browser, env, `queue-${randomUUID()}@example.com`, PHONE);
    const page = await ctx.newPage();
    try {
      await step('queue', [page], async () => {
        await page.goto(`/#/events/${club}`);
        await page.getByRole('button', { name: 'Book 2 tickets' }).click();
        await page.getByRole('heading', { name: 'You are in the queue' }).waitFor({ timeout: 30_000 });
        await page
          .getByText('The sale is paused by the organizer for a moment.', { exact: false })
          .waitFor({ timeout: 15_000 });
        await page.getByText('Keep this page open.').waitFor();
        await keepScreenshot(page, 'queue-room');
        await expectAccessible(page, 'queue room');
        // A crowd: 150 other buyers' requests arrive while this page waits.
        const crowd = await Promise.all(
          Array.from({ length: 150 }, async (_, i) => {
            const token = env.token(await env.createUser(`crowd-${i}-${randomUUID()}@example.com`));
            return env.http('POST', '/v1/bookings', { token, body: { event_id: club, quantity: 1 } });
          }),
        );
        expect(crowd.filter((r) => r.status === 202).length).toBeGreaterThan(100);
        // A reload keeps the place.
        await page.reload();
        await page.getByRole('heading', { name: 'You are in the queue' }).waitFor();
        await page.getByText(/Your place: \d+/).waitFor();
        expect((await env.http('POST', `/v1/ops/events/${club}/resume`, { token: op })).status).toBe(200);
        await page.getByRole('heading', { name: /Held for you/ }).waitFor({ timeout: 60_000 });
      });
    } finally {
      await env.http('POST', `/v1/ops/events/${club}/resume`, { token: op });
      await ctx.close();
    }
  });

  it('reconnects after a notifier restart and catches up on what changed meanwhile', async () => {
    const { ctx } = await signedInContext(browser, env, `reconnect-${randomUUID()}@example.com`, DESKTOP);
    const other = env.token(await env.createUser(`other-${randomUUID()}@example.com`));
    const page = await ctx.newPage();
    try {
      await step('reconnect', [page], async () => {
        await page.goto(`/#/events/${stadium}`);
        await page.getByRole('button', { name: /^Upper-A · / }).click();
        await page.locator('.live[data-state="live"]').waitFor();
        await notifier.close();
        await page.locator('.live[data-state="offline"]').waitFor({ timeout: 15_000 });
        // A seat is held while the page has no live connection.
        const booked = await env.http('POST', '/v1/bookings', {
          token: other,
          body: { event_id: stadium, seat_ids: ['Upper-A-1-1'] },
        });
        expect(booked.status).toBe(202);
        await waitFor(
          async () =>
            (await env.http('GET', `/v1/bookings/${booked.body.booking_id}`, { token: other })).body.status === 'held',
          30_000,
          'held',
        );
        notifier = await startNotifier(env.config, createLogger('notifier'), notifierPort);
        await page.locator('.live[data-state="live"]').waitFor({ timeout: 30_000 });
        await page
          .getByRole('checkbox', { name: 'Upper-A, row 1, seat 1, €79.00, held by another buyer' })
          .waitFor({ timeout: 15_000 });
        // And live pushes flow again.
        const again = await env.http('POST', '/v1/bookings', {
          token: other,
          body: { event_id: stadium, seat_ids: ['Upper-A-1-2'] },
        });
        expect(again.status).toBe(202);
      });
    } finally {
      await ctx.close();
    }
  });

  it('sign-in, organizer and operations placeholders and the home page pass axe and say what they are', async () => {
    const ctx = await browser.newContext({ ...DESKTOP, baseURL: env.baseUrl });
    const page = await ctx.newPage();
    try {
      await step('other-pages', [page], async () => {
        await page.goto('/#/signin');
        await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
        await expectAccessible(page, 'sign-in');
        await page.goto('/#/');
        await page.getByRole('heading', { level: 1, name: 'Upcoming events' }).waitFor();
        await expectAccessible(page, 'home');
        for (const [hash, name] of [
          ['#/organizer', 'Organizer'],
          ['#/ops', 'Operations'],
        ] as const) {
          await page.goto(`/${hash}`);
          await page.getByRole('heading', { level: 1, name }).waitFor();
          await expectAccessible(page, name);
        }
      });
    } finally {
      await ctx.close();
    }
  });
});
