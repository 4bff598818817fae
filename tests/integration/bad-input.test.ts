import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import jwt from 'jsonwebtoken';
import { TestEnv, waitFor } from '../support/env';

/** Invariant 4: bad input gets a 4xx with a stable code, and nothing is queued. */
describe('bad HTTP input', () => {
  let env: TestEnv;
  let eventId: string;
  let buyer: string;

  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    // A worker creates the inventory, then stops: anything queued afterwards stays visible in the queue.
    const worker = await env.startWorker();
    eventId = await env.createEvent({ general_admission: { capacity: 10, price: 20 } });
    await worker.close();
    // The stopped worker may have left a liveness tick or two in the queues (not requests): start empty.
    const conn = await amqp.connect(env.config.AMQP_URL);
    const ch = await conn.createChannel();
    for (let p = 0; p < env.config.PARTITIONS; p++) await ch.purgeQueue(`${env.config.AMQP_PREFIX}bookings.p${p}`);
    await conn.close();
    buyer = env.token('buyer-1');
  });
  afterAll(() => env.cleanup());

  const post = (body: unknown, opts: { token?: string; raw?: string; headers?: Record<string, string> } = {}) =>
    env.http('POST', '/v1/bookings', {
      token: opts.token ?? buyer,
      ...(opts.raw !== undefined ? { raw: opts.raw } : { body }),
      headers: opts.headers,
    });

  const cases: Array<[string, () => ReturnType<typeof post>, number, string]> = [
    [
      'malformed JSON',
      () => post(undefined, { raw: '{"event_id": ', headers: { 'content-type': 'application/json' } }),
      400,
      'invalid_json',
    ],
    [
      'not JSON at all',
      () => post(undefined, { raw: 'quantity=2', headers: { 'content-type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    ],
    ['wrong types', () => post({ event_id: 42, quantity: 'two' }), 400, 'validation_failed'],
    [
      'unknown field',
      () => post({ event_id: '00000000-0000-4000-8000-000000000000', quantity: 1, user_id: 'someone-else' }),
      400,
      'validation_failed',
    ],
    ['negative quantity', () => post({ event_id: eventId, quantity: -1 }), 400, 'quantity_out_of_range'],
    ['zero quantity', () => post({ event_id: eventId, quantity: 0 }), 400, 'quantity_out_of_range'],
    ['huge quantity', () => post({ event_id: eventId, quantity: 1e9 }), 400, 'quantity_out_of_range'],
    ['fractional quantity', () => post({ event_id: eventId, quantity: 1.5 }), 400, 'validation_failed'],
    ['neither seats nor quantity', () => post({ event_id: eventId }), 400, 'invalid_booking_request'],
    [
      'both seats and quantity',
      () => post({ event_id: eventId, quantity: 1, seat_ids: ['A-1-1'] }),
      400,
      'invalid_booking_request',
    ],
    [
      'unknown event',
      () => post({ event_id: '00000000-0000-4000-8000-000000000000', quantity: 1 }),
      404,
      'event_not_found',
    ],
    [
      'missing token',
      () => env.http('POST', '/v1/bookings', { body: { event_id: eventId, quantity: 1 } }),
      401,
      'unauthorized',
    ],
    [
      'forged token',
      () =>
        post(
          { event_id: eventId, quantity: 1 },
          { token: jwt.sign({ role: 'buyer' }, 'not-the-secret-at-all', { subject: 'mallory' }) },
        ),
      401,
      'unauthorized',
    ],
    [
      'alg none token',
      () =>
        post(
          { event_id: eventId, quantity: 1 },
          {
            token: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x","role":"operator"}').toString('base64url')}.`,
          },
        ),
      401,
      'unauthorized',
    ],
    [
      'expired token',
      () =>
        post(
          { event_id: eventId, quantity: 1 },
          {
            token: jwt.sign({ role: 'buyer', exp: Math.floor(Date.now() / 1000) - 60 }, env.config.JWT_SECRET, {
              subject: 'u',
            }),
          },
        ),
      401,
      'unauthorized',
    ],
    [
      'unknown role',
      () =>
        post(
          { event_id: eventId, quantity: 1 },
          { token: jwt.sign({ role: 'admin' }, env.config.JWT_SECRET, { subject: 'u' }) },
        ),
      401,
      'unauthorized',
    ],
    [
      'oversized body',
      () => post({ event_id: eventId, quantity: 1, section: 'x'.repeat(100_000) }),
      413,
      'payload_too_large',
    ],
    [
      'NUL in section',
      () => post({ event_id: eventId, quantity: 1, section: 'Fr\u0000ont' }),
      400,
      'invalid_characters',
    ],
    [
      'control character in a seat id',
      () => post({ event_id: eventId, seat_ids: ['A-1-1\u001b'] }),
      400,
      'invalid_characters',
    ],
    [
      'NUL in an event name',
      () =>
        env.http('POST', '/v1/events', {
          token: env.token('org', 'organizer'),
          body: {
            name: 'Gig\u0000',
            starts_at: new Date(Date.now() + 86400_000).toISOString(),
            general_admission: { capacity: 1, price: 1 },
          },
        }),
      400,
      'invalid_characters',
    ],
    [
      'NUL in an account name',
      () =>
        env.http('POST', '/v1/auth/register', {
          body: { email: 'nul@example.com', password: 'long-enough-password', name: 'Nul\u0000' },
        }),
      400,
      'invalid_characters',
    ],
    ['NUL in a query', () => env.http('GET', '/v1/events?q=a%00b'), 400, 'invalid_characters'],
    ['NUL in a path', () => env.http('GET', '/v1/events/abc%00'), 400, 'invalid_characters'],
    [
      'bad idempotency key',
      () => post({ event_id: eventId, quantity: 1 }, { headers: { 'idempotency-key': 'x'.repeat(200) } }),
      400,
      'validation_failed',
    ],
  ];

  it.each(cases)('%s → %i %s', async (_name, send, status, code) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toEqual(expect.any(String));
  });

  it('answers bad ids, unknown routes and wrong roles with stable codes', async () => {
    expect((await env.http('GET', '/v1/bookings/not-a-uuid', { token: buyer })).body.error.code).toBe('invalid_id');
    expect((await env.http('GET', '/v1/events/not-a-uuid')).body.error.code).toBe('invalid_id');
    expect((await env.http('GET', '/v1/nope')).status).toBe(404);
    const asBuyer = await env.http('POST', '/v1/events', {
      token: buyer,
      body: { name: 'x', starts_at: new Date().toISOString(), general_admission: { capacity: 1, price: 1 } },
    });
    expect([asBuyer.status, asBuyer.body.error.code]).toEqual([403, 'forbidden']);
    const ops = await env.http('GET', '/v1/ops/partitions', { token: buyer });
    expect([ops.status, ops.body.error.code]).toEqual([403, 'forbidden']);
    const badEvent = await env.http('POST', '/v1/events', {
      token: env.token('org', 'organizer'),
      body: { name: 'x', starts_at: 'tomorrow', sections: [{ name: 'A', rows: -1, seats_per_row: 10, price: 1 }] },
    });
    expect([badEvent.status, badEvent.body.error.code]).toEqual([400, 'validation_failed']);
    const badThrottle = await env.http('PUT', `/v1/ops/events/${eventId}/throttle`, {
      token: env.token('op', 'operator'),
      body: { per_second: -5 },
    });
    expect([badThrottle.status, badThrottle.body.error.code]).toEqual([400, 'validation_failed']);
  });

  it('queued nothing and stamped no sequence number for any of it', async () => {
    const conn = await amqp.connect(env.config.AMQP_URL);
    const ch = await conn.createChannel();
    let queued = 0;
    for (let p = 0; p < env.config.PARTITIONS; p++)
      queued += (await ch.checkQueue(`${env.config.AMQP_PREFIX}bookings.p${p}`)).messageCount;
    await conn.close();
    expect(queued).toBe(0);
    // The counter starts at 0 when the event is created; nothing stamped a number.
    expect(await env.redis.get(`${env.config.REDIS_PREFIX}event:${eventId}:seq`)).toBe('0');
    expect((await env.pool.query('SELECT count(*)::int AS n FROM bookings')).rows[0].n).toBe(0);
  });

  it('an Idempotency-Key retry returns the first answer and queues once', async () => {
    const headers = { 'idempotency-key': 'retry-me-1' };
    const first = await post({ event_id: eventId, quantity: 2 }, { headers });
    const second = await post({ event_id: eventId, quantity: 2 }, { headers });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replay')).toBe('true');
    const other = await post({ event_id: eventId, quantity: 3 }, { headers });
    expect([other.status, other.body.error.code]).toEqual([422, 'idempotency_key_reused']);
    expect(await env.redis.get(`${env.config.REDIS_PREFIX}event:${eventId}:seq`)).toBe('1');
    const mine = await env.http('GET', `/v1/bookings/${first.body.booking_id}`, { token: buyer });
    expect(mine.body).toMatchObject({ status: 'queued', position: 1 });
    const theirs = await env.http('GET', `/v1/bookings/${first.body.booking_id}`, { token: env.token('someone-else') });
    expect([theirs.status, theirs.body.error.code]).toEqual([404, 'booking_not_found']);
  });
});

describe('booking request rate per account', () => {
  let env: TestEnv;
  let eventId: string;
  beforeAll(async () => {
    env = await TestEnv.create({ BOOKING_RATE_LIMIT: '3', BOOKING_RATE_WINDOW_S: '60' });
    await env.startIngress();
    await env.startWorker();
    eventId = await env.createEvent({ general_admission: { capacity: 100, price: 5 } });
  });
  afterAll(() => env.cleanup());

  it('accepts BOOKING_RATE_LIMIT requests per account and window, then 429 with Retry-After; bad requests do not count', async () => {
    const spammer = env.token('spammer');
    for (let i = 0; i < 5; i++)
      expect(
        (await env.http('POST', '/v1/bookings', { token: spammer, body: { event_id: eventId, quantity: 0 } })).status,
      ).toBe(400);
    for (let i = 0; i < 3; i++)
      expect(
        (await env.http('POST', '/v1/bookings', { token: spammer, body: { event_id: eventId, quantity: 1 } })).status,
      ).toBe(202);
    const over = await env.http('POST', '/v1/bookings', { token: spammer, body: { event_id: eventId, quantity: 1 } });
    expect([over.status, over.body.error.code]).toEqual([429, 'rate_limited']);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // Others are not held back.
    expect(
      (
        await env.http('POST', '/v1/bookings', {
          token: env.token('someone-else'),
          body: { event_id: eventId, quantity: 1 },
        })
      ).status,
    ).toBe(202);
    // Exactly the three accepted ones reached the worker.
    await waitFor(
      async () =>
        (await env.pool.query('SELECT count(*)::int AS n FROM bookings WHERE event_id = $1', [eventId])).rows[0].n ===
        4,
      10_000,
      'decisions',
    );
    expect((await env.pool.query("SELECT count(*)::int AS n FROM bookings WHERE user_id = 'spammer'")).rows[0].n).toBe(
      3,
    );
  });
});
