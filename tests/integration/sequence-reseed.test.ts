import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../shared/redis/keys';
import { TestEnv, waitFor } from '../support/env';

/**
 * An event whose sequence counter is missing in Redis (lost, or an event older than counters) met by a
 * crowd at once: every request is stamped with its own number, none reused, none skipped beyond the
 * seed, and the seed is computed once per process for the whole crowd (seed-sequence.ts).
 */
describe('sequence counter missing under a crowd', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  it('stamps 40 concurrent first requests 1..40 after reseeding the counter', async () => {
    const eventId = await env.createEvent({ general_admission: { capacity: 100, price: 10 } });
    const keys = redisKeys(env.config.REDIS_PREFIX);
    await env.redis.del(keys.eventSeq(eventId), keys.eventWatermark(eventId));
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        env.http('POST', '/v1/bookings', { token: env.token(`crowd-${i}`), body: { event_id: eventId, quantity: 1 } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(202));
    const ids = answers.map((a) => a.body.booking_id as string);
    const decided = async () =>
      (await env.pool.query<{ seq: string }>('SELECT seq FROM bookings WHERE id = ANY($1::uuid[])', [ids])).rows;
    await waitFor(async () => (await decided()).length === 40, 20_000, 'all 40 decided');
    const seqs = (await decided()).map((r) => Number(r.seq));
    // No trace of any request before (none in PostgreSQL, none queued): the counter restarts at 0.
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await env.redis.get(keys.eventSeq(eventId))).toBe('40');
  });
});
