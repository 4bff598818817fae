import { readFileSync } from 'node:fs';
import path from 'node:path';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, TestEnv, waitFor } from '../support/env';

/** The page as a browser would run it (real DOM, WebSocket, localStorage) against this env's ingress and notifier. */
async function openPage(env: TestEnv, hash: string, session?: { token: string; user: Record<string, unknown> }): Promise<JSDOM> {
  const base = env.baseUrl;
  const html = await (await fetch(`${base}/`)).text();
  const page = new JSDOM(html, {
    url: `${base}/${hash}`,
    runScripts: 'dangerously',
    resources: 'usable',
    pretendToBeVisual: true,
    beforeParse(window) {
      // The page's relative fetches go to ingress, as in a browser.
      (window as unknown as { fetch: typeof fetch }).fetch = (input, init) => fetch(new URL(String(input), base), init);
      window.URL.createObjectURL = () => 'blob:qr';
      if (session) {
        window.localStorage.setItem('onsale.token', session.token);
        window.localStorage.setItem('onsale.user', JSON.stringify(session.user));
      }
    },
  });
  // jsdom does not run module scripts: run the page's script (it has no imports) as a classic one.
  const script = page.window.document.createElement('script');
  script.textContent = readFileSync(path.join(ROOT, 'web/app.js'), 'utf8');
  page.window.document.body.append(script);
  return page;
}

/**
 * The buyer page driven like a browser (jsdom: real DOM, WebSocket, localStorage) against the real
 * roles: sign up, find the event, watch the live seat map, book the best seats, see the hold, pay
 * through the payment simulator, see the confirmation and the tickets with their QR codes.
 */
describe('buyer web page, end to end', () => {
  let env: TestEnv;
  let dom: JSDOM | null = null;

  beforeAll(async () => {
    env = await TestEnv.create({ PAYMENT_RETRY_BASE_MS: '50' });
    // The page learns the notifier's URL from ingress's configuration, as in production.
    const notifier = await env.startNotifier();
    await env.startIngress({ NOTIFIER_PUBLIC_URL: `http://127.0.0.1:${notifier.port}` });
    const sim = await env.startPaymentSim({ latency_ms: 50 });
    await env.startWorker(env.paymentWorkerConfig(sim));
  });
  afterAll(async () => {
    dom?.window.close();
    await env.cleanup();
  });

  const click = (el: Element | null | undefined) => {
    if (!el) throw new Error('nothing to click');
    (el as HTMLElement).click();
  };

  it('signs up, books the best seats, sees them taken on the live map, pays, gets tickets, gives one away and cancels a booking for a refund', async () => {
    const eventId = await env.createEvent({ name: 'Web Flow Live', sections: [{ name: 'Front', rows: 2, seats_per_row: 6, price: 80 }] });
    dom = await openPage(env, '#/');
    const { window } = dom;
    const doc = window.document;
    const text = (sel: string) => doc.querySelector(sel)?.textContent ?? '';
    const button = (label: string) => [...doc.querySelectorAll('button')].find((b) => b.textContent === label);

    // The home page lists upcoming events, ours among them.
    await waitFor(() => text('#view').includes('Web Flow Live'), 10_000, 'event listed');

    // Sign up.
    window.location.hash = '#/signin';
    await waitFor(() => doc.querySelector('form.auth') !== null, 5_000, 'sign-in form');
    const form = doc.querySelector('form.auth')!;
    (form.querySelector('[name=email]') as HTMLInputElement).value = `web-${Date.now()}@example.test`;
    (form.querySelector('[name=password]') as HTMLInputElement).value = 'correct horse battery';
    click(form.querySelector('[name=register]'));
    (form.querySelector('[name=name]') as HTMLInputElement).value = 'Web Buyer';
    click(form.querySelector('[name=register]'));
    await waitFor(() => window.localStorage.getItem('onsale.token') !== null, 10_000, 'signed up');
    await waitFor(() => text('#account').includes('Web Buyer'), 5_000, 'account shown');
    await waitFor(() => text('#live') === 'live', 10_000, 'socket connected');

    // The event page with its seat map.
    window.location.hash = `#/events/${eventId}`;
    await waitFor(() => doc.querySelectorAll('.seatmap .seat').length === 12, 10_000, 'seat map');
    expect(text('#availability')).toContain('12 of 12 available');

    // Best available, 2 seats: the hold shows up, and the map marks the seats held (seats.changed).
    click(button('Best available'));
    await waitFor(() => text('#booking .status').startsWith('Held for you'), 15_000, 'hold');
    expect(text('#booking .status')).toContain('Front-1-3, Front-1-4');
    await waitFor(() => doc.getElementById('seat-Front-1-3')?.className.includes(' h') === true, 10_000, 'map updated live');
    expect(doc.getElementById('seat-Front-1-4')!.className).toContain(' h');

    // Pay: payment pending, then confirmed, over the socket.
    click(button('Pay now'));
    await waitFor(() => text('#booking .status').startsWith('Confirmed'), 20_000, 'confirmed');
    await waitFor(() => doc.getElementById('seat-Front-1-3')?.className.includes(' s') === true, 10_000, 'seats sold on the map');

    // Tickets with their QR codes (fetched with the token).
    window.location.hash = '#/tickets';
    await waitFor(() => doc.querySelectorAll('.ticket').length === 2, 10_000, 'tickets');
    expect(text('#view')).toContain('Seat Front-1-3');
    await waitFor(() => [...doc.querySelectorAll('.ticket img')].every((img) => img.getAttribute('src') === 'blob:qr'), 10_000, 'QR images');

    // What the page showed is what the system holds.
    const { rows } = await env.pool.query("SELECT id, status, seat_ids FROM bookings WHERE event_id = $1 AND status = 'confirmed'", [eventId]);
    expect(rows).toHaveLength(1);
    expect([...rows[0].seat_ids].sort()).toEqual(['Front-1-3', 'Front-1-4']);

    // Give one ticket to a friend: it leaves the list and changes owner.
    const friendEmail = `friend-${Date.now()}@example.test`;
    const friendId = await env.createUser(friendEmail);
    const card = [...doc.querySelectorAll('.ticket')].find((c) => c.textContent!.includes('Seat Front-1-4'))!;
    (card.querySelector('input[type=email]') as HTMLInputElement).value = friendEmail;
    click(card.querySelector('form.transfer button'));
    await waitFor(() => doc.querySelectorAll('.ticket').length === 1, 15_000, 'ticket transferred');
    const owner = await env.pool.query("SELECT owner_user_id FROM tickets WHERE event_id = $1 AND seat_id = 'Front-1-4' AND status = 'valid'", [eventId]);
    expect(owner.rows[0].owner_user_id).toBe(friendId);

    // A second booking, paid and then cancelled for a refund from "My bookings".
    const token = window.localStorage.getItem('onsale.token')!;
    const second = await env.http('POST', '/v1/bookings', { token, body: { event_id: eventId, quantity: 2 } });
    await waitFor(async () => (await env.http('GET', `/v1/bookings/${second.body.booking_id}`, { token })).body.status === 'held', 10_000, 'second hold');
    window.location.hash = '#/bookings';
    const mine = () => doc.querySelector(`[data-booking="${second.body.booking_id}"]`);
    await waitFor(() => mine() !== null, 10_000, 'bookings list');
    click([...mine()!.querySelectorAll('button')].find((b) => b.textContent === 'Pay now'));
    await waitFor(() => mine()?.textContent?.includes('confirmed') === true, 20_000, 'second confirmed');
    click([...mine()!.querySelectorAll('button')].find((b) => b.textContent === 'Cancel and refund'));
    await waitFor(() => mine()?.textContent?.includes('refunded') === true, 20_000, 'refunded');
    const refunded = await env.pool.query('SELECT status FROM bookings WHERE id = $1', [second.body.booking_id]);
    expect(refunded.rows[0].status).toBe('refunded');
  });
});

describe('operations page', () => {
  let env: TestEnv;
  let dom: JSDOM | null = null;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startNotifier();
    await env.startWorker();
  });
  afterAll(async () => {
    dom?.window.close();
    await env.cleanup();
  });

  it('shows partitions and an on-sale in progress, and pauses, resumes and throttles it', async () => {
    const eventId = await env.createEvent({ name: 'Ops Night', general_admission: { capacity: 50, price: 10 } });
    expect((await env.http('POST', '/v1/bookings', { token: env.token('fan-1'), body: { event_id: eventId, quantity: 1 } })).status).toBe(202);
    dom = await openPage(env, '#/ops', { token: env.token('op-1', 'operator'), user: { name: 'Ops', role: 'operator' } });
    const doc = dom.window.document;

    const row = () => doc.querySelector(`tr[data-event="${eventId}"]`);
    const settings = async () => (await env.pool.query('SELECT paused, throttle_per_s FROM events WHERE id = $1', [eventId])).rows[0];
    await waitFor(() => row() !== null, 10_000, 'event row');
    expect(doc.querySelector('#account')!.textContent).toContain('Operations');
    expect(doc.querySelectorAll('tr.partition')).toHaveLength(env.config.PARTITIONS);
    await waitFor(() => row()!.textContent!.includes('1 / 1 decided'), 10_000, 'progress');

    const rowButton = (label: string) => [...row()!.querySelectorAll('button')].find((b) => b.textContent === label) as HTMLElement;
    rowButton('Pause').click();
    await waitFor(async () => (await settings()).paused === true, 5_000, 'paused');
    await waitFor(() => row()?.querySelector('.state')?.textContent === 'paused', 5_000, 'shown paused');
    rowButton('Resume').click();
    await waitFor(async () => (await settings()).paused === false, 5_000, 'resumed');
    await waitFor(() => row()?.querySelector('.state')?.textContent === 'flowing', 5_000, 'shown flowing');
    (row()!.querySelector('input.throttle') as HTMLInputElement).value = '25';
    rowButton('Set').click();
    await waitFor(async () => (await settings()).throttle_per_s === 25, 5_000, 'throttled');
    await waitFor(() => row()?.querySelector('.state')?.textContent === 'throttled to 25/s', 5_000, 'shown throttled');
  });
});

describe('organizer tools', () => {
  let env: TestEnv;
  let dom: JSDOM | null = null;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startNotifier();
    await env.startWorker();
  });
  afterAll(async () => {
    dom?.window.close();
    await env.cleanup();
  });

  it('creates an event, adds a section, reprices unsold seats and cancels the event', async () => {
    dom = await openPage(env, '#/new-event', { token: env.token('org-web', 'organizer'), user: { id: 'org-web', name: 'Org', role: 'organizer' } });
    const { window } = dom;
    const doc = window.document;
    const form = () => doc.querySelector('form.new-event') as HTMLFormElement | null;
    await waitFor(() => form() !== null, 10_000, 'new-event form');
    (form()!.querySelector('[name=name]') as HTMLInputElement).value = 'Organizer Web Show';
    (form()!.querySelector('[name=sections]') as HTMLTextAreaElement).value = 'Stalls 2 5 40\nCircle 1 4 25';
    (form()!.querySelector('button') as HTMLElement).click();
    await waitFor(() => window.location.hash.startsWith('#/events/'), 10_000, 'created');
    const eventId = window.location.hash.split('/')[2]!;
    await waitFor(() => doc.querySelectorAll('.seatmap .seat').length === 10, 15_000, 'seat map of the first section');

    // Add a section.
    const add = () => doc.querySelector('form.add-section') as HTMLFormElement;
    (add().querySelector('[name=name]') as HTMLInputElement).value = 'Gallery';
    (add().querySelector('[name=rows]') as HTMLInputElement).value = '1';
    (add().querySelector('[name=seats_per_row]') as HTMLInputElement).value = '3';
    (add().querySelector('[name=price]') as HTMLInputElement).value = '15';
    (add().querySelector('button') as HTMLElement).click();
    await waitFor(() => [...doc.querySelectorAll('select option')].some((o) => o.textContent!.startsWith('Gallery')), 15_000, 'section added');
    expect((await env.pool.query('SELECT count(*)::int AS n FROM seats WHERE event_id = $1', [eventId])).rows[0].n).toBe(17);

    // Reprice what is unsold in Stalls.
    const reprice = () => doc.querySelector('form.reprice') as HTMLFormElement;
    (reprice().querySelector('select') as HTMLSelectElement).value = 'Stalls';
    (reprice().querySelector('[name=new_price]') as HTMLInputElement).value = '45';
    (reprice().querySelector('button') as HTMLElement).click();
    await waitFor(() => doc.querySelector('form.reprice select')?.textContent?.includes('Stalls (€45.00)') === true, 15_000, 'repriced');
    expect((await env.pool.query("SELECT DISTINCT price_cents FROM seats WHERE event_id = $1 AND section = 'Stalls'", [eventId])).rows).toEqual([{ price_cents: 4500 }]);

    // Cancel.
    (doc.querySelector('button.cancel-event') as HTMLElement).click();
    await waitFor(() => doc.querySelector('.notice')?.textContent === 'This event was cancelled.', 15_000, 'cancelled');
    expect((await env.pool.query('SELECT status FROM events WHERE id = $1', [eventId])).rows[0].status).toBe('cancelled');
  });
});
