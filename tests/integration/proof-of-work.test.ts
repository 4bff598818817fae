import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueChallenge, leadingZeroBits, powKey, proofDigest, solveChallenge } from '../../shared/pow';
import { TestEnv } from '../support/env';

/** Proof of work at the door (issue 12 §2): 428 without a proof, 400 wrong or expired, 409 used twice. */
describe('proof of work at the door', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  it('asks for a proof, checks it, and accepts each challenge once', async () => {
    const eventId = await env.createEvent({ pow_bits: 8, general_admission: { capacity: 10, price: 10 } });
    const token = env.token('pow-buyer');
    const book = (proof?: unknown, t = token) =>
      env.http('POST', '/v1/bookings', {
        token: t,
        body: { event_id: eventId, quantity: 1, ...(proof ? { proof } : {}) },
      });

    expect((await env.http('GET', `/v1/events/${eventId}/challenge`)).status).toBe(401);
    expect((await env.http('GET', '/v1/events/nope/challenge', { token })).body.error.code).toBe('invalid_id');
    const got = await env.http('GET', `/v1/events/${eventId}/challenge`, { token });
    expect(got.status).toBe(200);
    expect(got.body.bits).toBe(8);
    expect(Date.parse(got.body.expires_at)).toBeGreaterThan(Date.now());
    const { nonce } = solveChallenge(got.body.challenge, 8);

    const missing = await book();
    expect(missing.status).toBe(428);
    expect(missing.body.error.code).toBe('proof_required');
    // A nonce that does not do the work (one in 256 would: skip those).
    let wrong = 0;
    while (leadingZeroBits(proofDigest(got.body.challenge, `no-work-${wrong}`)) >= 8) wrong++;
    const invalid = await book({ challenge: got.body.challenge, nonce: `no-work-${wrong}` });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('proof_invalid');
    expect((await book({ challenge: got.body.challenge })).body.error.code).toBe('validation_failed');
    // Someone else's challenge is no good.
    expect((await book({ challenge: got.body.challenge, nonce }, env.token('pow-thief'))).body.error.code).toBe(
      'proof_invalid',
    );

    const expired = issueChallenge(
      powKey(env.config.JWT_SECRET),
      eventId,
      'pow-buyer',
      8,
      Date.now() - 120_000,
      60_000,
    );
    const old = await book({ challenge: expired.challenge, nonce: solveChallenge(expired.challenge, 8).nonce });
    expect(old.status).toBe(400);
    expect(old.body.error.code).toBe('proof_expired');

    const ok = await book({ challenge: got.body.challenge, nonce });
    expect(ok.status).toBe(202);
    const again = await book({ challenge: got.body.challenge, nonce });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('proof_used');

    // An event without pow_bits needs no proof.
    const open = await env.createEvent({ general_admission: { capacity: 10, price: 10 } });
    expect((await env.http('GET', `/v1/events/${open}/challenge`, { token })).body.bits).toBe(0);
    expect((await env.http('POST', '/v1/bookings', { token, body: { event_id: open, quantity: 1 } })).status).toBe(202);
  }, 60_000);

  it('refuses pow_bits outside 0 … 26 when the event is created', async () => {
    const res = await env.http('POST', '/v1/events', {
      token: env.token('organizer-1', 'organizer'),
      body: {
        name: 'x',
        starts_at: new Date(Date.now() + 86400_000).toISOString(),
        pow_bits: 27,
        general_admission: { capacity: 1, price: 1 },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });
});
