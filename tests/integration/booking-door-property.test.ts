import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../../shared/errors';
import type { BookingResultPush } from '../../shared/contracts/socket';
import { sleep, TestEnv, waitFor, type ClientSocket } from '../support/env';

/**
 * Invariant 2 at the door, as a property: for random and hostile bodies to `POST /v1/bookings`, every
 * `202` ends in exactly one decided outcome, readable over HTTP and pushed to a real socket.io client;
 * every other answer is a 4xx with a registered code; nothing crashes.
 */
describe('the booking door (property)', () => {
  let env: TestEnv;
  let gaEvent: string;
  let seatedEvent: string;

  beforeAll(async () => {
    env = await TestEnv.create({ BOOKING_RATE_LIMIT: '1000' });
    await env.startIngress();
    await env.startWorker();
    await env.startNotifier();
    gaEvent = await env.createEvent({ max_per_user: 4, general_admission: { capacity: 40, price: 20 } });
    seatedEvent = await env.createEvent({
      max_per_user: 4,
      sections: [
        { name: 'Front', rows: 2, seats_per_row: 5, price: 50 },
        { name: 'Back', rows: 2, seats_per_row: 5, price: 30 },
      ],
    });
  }, 120_000);
  afterAll(() => env.cleanup());

  // Strings over all UTF-16 code units: NUL, other controls, DEL, C1, lone surrogates, and plain text.
  const hostileChar = fc.oneof(
    fc.constantFrom('\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u0085', '\ud800', '\udfff', '\t', '\n'),
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('A', 'B', '1', '-', 'Front', 'Back'),
  );
  const hostileString = fc.string({ unit: hostileChar, minLength: 0, maxLength: 12 });
  const seatId = fc.oneof(fc.constantFrom('Front-1-1', 'Front-2-5', 'Back-1-3', 'Back-2-2', 'X-9-9'), hostileString);
  const eventId = fc.oneof(
    fc
      .constantFrom(
        () => gaEvent,
        () => seatedEvent,
        () => gaEvent.toUpperCase(),
        () => seatedEvent.toUpperCase(),
        () => randomUUID(),
      )
      .map((f) => f()),
    hostileString,
  );
  const sometimesHostile = (plain: fc.Arbitrary<string>) =>
    fc.oneof({ arbitrary: plain, weight: 3 }, { arbitrary: hostileString, weight: 1 });
  const validish = fc.oneof(
    // General admission by quantity, now and then with a hostile filter.
    fc.record(
      {
        event_id: fc
          .constantFrom(
            () => gaEvent,
            () => gaEvent.toUpperCase(),
          )
          .map((f) => f()),
        quantity: fc.integer({ min: 1, max: 3 }),
        section: sometimesHostile(fc.constantFrom('Front', 'Back')),
        price_tier: sometimesHostile(fc.constantFrom('standard', 'vip')),
        max_price: fc.integer({ min: 0, max: 200 }),
      },
      { requiredKeys: ['event_id', 'quantity'] },
    ),
    // Reserved seats by id, now and then hostile ids.
    fc.record(
      {
        event_id: fc
          .constantFrom(
            () => seatedEvent,
            () => seatedEvent.toUpperCase(),
          )
          .map((f) => f()),
        seat_ids: fc.array(seatId, { minLength: 1, maxLength: 3 }),
        accept_alternatives: fc.boolean(),
      },
      { requiredKeys: ['event_id', 'seat_ids'] },
    ),
  );
  const anything = fc.record(
    {
      event_id: eventId,
      quantity: fc.oneof(fc.integer({ min: -2, max: 6 }), fc.double(), fc.constant(null)),
      seat_ids: fc.array(seatId, { maxLength: 4 }),
      section: hostileString,
      price_tier: hostileString,
      max_price: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.double()),
      accept_alternatives: fc.boolean(),
      payment_method: hostileString,
    },
    { requiredKeys: ['event_id'] },
  );
  const body = fc.oneof({ arbitrary: validish, weight: 3 }, { arbitrary: anything, weight: 1 });

  it('every 202 reaches exactly one outcome over HTTP and the socket; everything else is a registered 4xx', async () => {
    const accepted: Array<{ user: string; booking_id: string; socket: ClientSocket }> = [];
    const pushes = new Map<string, BookingResultPush[]>();
    const answers: Array<{ status: number; code?: string }> = [];

    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const user = randomUUID();
        const token = env.token(user);
        const res = await env.http('POST', '/v1/bookings', { token, body: b });
        answers.push({ status: res.status, code: res.body?.error?.code });
        if (res.status === 202) {
          expect(res.body.event_id).toBe(res.body.event_id.toLowerCase());
          const socket = await env.socket(token);
          socket.on('booking.result', (r) => pushes.set(r.booking_id, [...(pushes.get(r.booking_id) ?? []), r]));
          const ack = await socket.emitWithAck('booking.watch', { booking_id: res.body.booking_id });
          expect(ack.ok).toBe(true);
          accepted.push({ user, booking_id: res.body.booking_id, socket });
          return;
        }
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        const code = res.body.error.code as keyof typeof ERRORS;
        expect(Object.keys(ERRORS)).toContain(code);
        expect(ERRORS[code].status).toBe(res.status);
      }),
      { numRuns: 150, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
    );

    // A few known-hostile bodies always run, whatever the random draw.
    for (const hostile of [
      { event_id: gaEvent, quantity: 1, section: 'Fr\u0000ont' },
      { event_id: gaEvent, quantity: 1, price_tier: '\u0000' },
      { event_id: seatedEvent, seat_ids: ['Front-1-1\u0000'] },
      { event_id: seatedEvent, seat_ids: ['\ud800'] },
      { event_id: gaEvent, quantity: 1, ['k\u0000']: 1 },
    ]) {
      const res = await env.http('POST', '/v1/bookings', { token: env.token(randomUUID()), body: hostile });
      expect([res.status, res.body.error.code]).toEqual([400, 'invalid_characters']);
    }

    expect(answers.some((a) => a.status === 202)).toBe(true);
    expect(answers.some((a) => a.code === 'invalid_characters')).toBe(true);

    await waitFor(() => accepted.every((a) => pushes.has(a.booking_id)), 90_000, 'a pushed outcome for every 202');
    await sleep(500); // let any duplicate arrive before counting
    for (const a of accepted) {
      const pushed = pushes.get(a.booking_id)!;
      expect(pushed, a.booking_id).toHaveLength(1);
      const http = await env.http('GET', `/v1/bookings/${a.booking_id}`, { token: env.token(a.user) });
      expect(http.status).toBe(200);
      expect(http.body.status).not.toBe('queued');
      expect(http.body.status).toBe(pushed[0]!.status);
    }

    // One sequence counter per event, whatever the letter case it was named in.
    const seqKeys = await env.redis.keys(`${env.config.REDIS_PREFIX}event:*:seq`);
    for (const k of seqKeys) expect(k).toBe(k.toLowerCase());
    // Nothing crashed: the ingress still answers.
    expect((await env.http('GET', '/healthz')).status).toBe(200);
  }, 300_000);
});
