import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor } from '../support/env';

/** Presales (issue 12 §3): codes and invitations decided exactly by the single writer before the on-sale. */
describe('presales', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create({ WAITING_ROOM_MINUTES: '30' });
    await env.startIngress();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  const organizer = () => env.token('organizer-1', 'organizer');
  const statuses = async (eventId: string) =>
    (
      await env.pool.query<{ status: string; reason: string | null; n: number }>(
        'SELECT status, reason, count(*)::int AS n FROM bookings WHERE event_id = $1 GROUP BY 1, 2',
        [eventId],
      )
    ).rows;

  it('gives exactly 100 holds to 1,000 concurrent uses of a 100-use code, and terminal reasons to the rest', async () => {
    const eventId = await env.createEvent({
      on_sale_at: new Date(Date.now() + 2 * 3600_000).toISOString(),
      general_admission: { capacity: 500, price: 20 },
    });
    const now = Date.now();
    const created = await env.http('POST', `/v1/events/${eventId}/presales`, {
      token: organizer(),
      body: {
        name: 'Fan club',
        starts_at: new Date(now - 60_000).toISOString(),
        ends_at: new Date(now + 3600_000).toISOString(),
        codes: { count: 3, uses_per_code: 100 },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.codes).toHaveLength(3);
    for (const c of created.body.codes as string[])
      expect(Buffer.from(c, 'base64url').length).toBeGreaterThanOrEqual(10);
    // Stored hashed only.
    const stored = (await env.pool.query('SELECT code_hash FROM presale_codes')).rows.map((r) => r.code_hash);
    for (const c of created.body.codes as string[]) expect(stored).not.toContain(c);
    const code = created.body.codes[0] as string;

    const limit = pLimit(50);
    const answers = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        limit(() =>
          env.http('POST', '/v1/bookings', {
            token: env.token(`fan-${i}`),
            body: { event_id: eventId, quantity: 1, presale_code: code },
          }),
        ),
      ),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(answers[0]!.body).toMatchObject({ status: 'queued', queue: 'presale' });
    await waitFor(
      async () => (await statuses(eventId)).reduce((n, r) => n + (r.status === 'queued' ? 0 : r.n), 0) === 1000,
      120_000,
      'all decided',
    );
    const rows = await statuses(eventId);
    expect(rows.find((r) => r.status === 'held')?.n).toBe(100);
    expect(rows.find((r) => r.reason === 'presale_code_used_up')?.n).toBe(900);
    expect(
      (
        await env.pool.query(
          "SELECT count(*)::int AS n FROM bookings WHERE event_id = $1 AND presale_code_hash IS NOT NULL AND status = 'held'",
          [eventId],
        )
      ).rows[0].n,
    ).toBe(100);

    // A wrong code: a terminal outcome with its reason. No code: waits for the general on-sale (outside the waiting room: not_on_sale).
    const wrong = await env.http('POST', '/v1/bookings', {
      token: env.token('guesser'),
      body: { event_id: eventId, quantity: 1, presale_code: 'not-a-real-code' },
    });
    const none = await env.http('POST', '/v1/bookings', {
      token: env.token('no-code'),
      body: { event_id: eventId, quantity: 1 },
    });
    const other = await env.http('POST', '/v1/bookings', {
      token: env.token('fan-2nd-code'),
      body: { event_id: eventId, quantity: 1, presale_code: created.body.codes[1] },
    });
    const outcome = async (token: string, id: string) => {
      await waitFor(
        async () => (await env.http('GET', `/v1/bookings/${id}`, { token })).body.status !== 'queued',
        20_000,
        'decided',
      );
      return (await env.http('GET', `/v1/bookings/${id}`, { token })).body;
    };
    expect(await outcome(env.token('guesser'), wrong.body.booking_id)).toMatchObject({
      status: 'rejected',
      reason: 'presale_code_invalid',
    });
    expect(await outcome(env.token('no-code'), none.body.booking_id)).toMatchObject({
      status: 'rejected',
      reason: 'not_on_sale',
    });
    expect(await outcome(env.token('fan-2nd-code'), other.body.booking_id)).toMatchObject({ status: 'held' });

    const listed = await env.http('GET', `/v1/events/${eventId}/presales`, { token: organizer() });
    expect(listed.body.presales[0]).toMatchObject({
      name: 'Fan club',
      open: true,
      codes: 3,
      uses_allowed: 300,
      holds_granted: 101,
    });
  }, 300_000);

  it('admits invited accounts, enforces the presale per-user limit and the window, and refuses bad input', async () => {
    const eventId = await env.createEvent({
      on_sale_at: new Date(Date.now() + 2 * 3600_000).toISOString(),
      general_admission: { capacity: 50, price: 20 },
    });
    const userId = await env.createUser('Invited@Example.com');
    const now = Date.now();
    const body = {
      name: 'Invitees',
      starts_at: new Date(now - 60_000).toISOString(),
      ends_at: new Date(now + 3600_000).toISOString(),
      allowed_emails: ['invited@example.com'],
      max_per_user: 1,
    };
    expect(
      (
        await env.http('POST', `/v1/events/${eventId}/presales`, {
          token: env.token('someone-else', 'organizer'),
          body,
        })
      ).status,
    ).toBe(403);
    expect(
      (await env.http('POST', `/v1/events/${eventId}/presales`, { token: env.token('buyer-x'), body })).status,
    ).toBe(403);
    expect(
      (
        await env.http('POST', `/v1/events/${eventId}/presales`, {
          token: organizer(),
          body: { ...body, allowed_emails: undefined },
        })
      ).body.error.code,
    ).toBe('validation_failed');
    expect(
      (
        await env.http('POST', `/v1/events/${eventId}/presales`, {
          token: organizer(),
          body: { ...body, codes: { count: 0, uses_per_code: 1 } },
        })
      ).body.error.code,
    ).toBe('validation_failed');
    expect(
      (
        await env.http('POST', `/v1/events/${eventId}/presales`, {
          token: organizer(),
          body: { ...body, ends_at: body.starts_at },
        })
      ).body.error.code,
    ).toBe('invalid_range');
    expect(
      (
        await env.http('POST', `/v1/events/${eventId}/presales`, {
          token: organizer(),
          body: { ...body, ends_at: new Date(now + 3 * 3600_000).toISOString() },
        })
      ).body.error.code,
    ).toBe('invalid_range');
    expect(
      (
        await env.http('POST', '/v1/bookings', {
          token: env.token(userId),
          body: { event_id: eventId, quantity: 1, presale_code: '' },
        })
      ).body.error.code,
    ).toBe('validation_failed');
    const created = await env.http('POST', `/v1/events/${eventId}/presales`, { token: organizer(), body });
    expect(created.status).toBe(201);
    expect(created.body.codes).toBeUndefined();

    const token = env.token(userId);
    const book = async () => {
      const res = await env.http('POST', '/v1/bookings', { token, body: { event_id: eventId, quantity: 1 } });
      expect(res.status).toBe(202);
      await waitFor(
        async () => (await env.http('GET', `/v1/bookings/${res.body.booking_id}`, { token })).body.status !== 'queued',
        20_000,
        'decided',
      );
      return (await env.http('GET', `/v1/bookings/${res.body.booking_id}`, { token })).body;
    };
    const first = await book();
    expect(first.status).toBe('held');
    // Release it, then try again: the presale allows one booking per account.
    await env.http('DELETE', `/v1/bookings/${first.booking_id}`, { token });
    await waitFor(
      async () => (await env.http('GET', `/v1/bookings/${first.booking_id}`, { token })).body.status === 'cancelled',
      20_000,
      'released',
    );
    expect(await book()).toMatchObject({ status: 'rejected', reason: 'presale_limit_exceeded' });

    // A presale that has not started: its code is refused with presale_not_open.
    const later = await env.http('POST', `/v1/events/${eventId}/presales`, {
      token: organizer(),
      body: {
        name: 'Later',
        starts_at: new Date(now + 600_000).toISOString(),
        ends_at: new Date(now + 3600_000).toISOString(),
        codes: { count: 1, uses_per_code: 5 },
      },
    });
    const t2 = env.token('early-bird');
    const early = await env.http('POST', '/v1/bookings', {
      token: t2,
      body: { event_id: eventId, quantity: 1, presale_code: later.body.codes[0] },
    });
    await waitFor(
      async () =>
        (await env.http('GET', `/v1/bookings/${early.body.booking_id}`, { token: t2 })).body.status !== 'queued',
      20_000,
      'decided',
    );
    expect((await env.http('GET', `/v1/bookings/${early.body.booking_id}`, { token: t2 })).body).toMatchObject({
      status: 'rejected',
      reason: 'presale_not_open',
    });
  }, 120_000);
});
