import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { msUntilToken, newBucket, take } from '../../booking-workers/throttle';
import { ConfigError, loadConfig } from '../../shared/config';
import { buildTopology, validateTopology } from '../../shared/amqp/topology';
import { partitionFor } from '../../shared/partition';

describe('token bucket', () => {
  it('grants the configured rate over time and no more', () => {
    const b = newBucket(10, 0);
    let granted = take(b, 100, 0);
    for (let t = 50; t <= 10_000; t += 50) granted += take(b, 100, t);
    expect(granted).toBeGreaterThanOrEqual(100);
    expect(granted).toBeLessThanOrEqual(102);
    expect(msUntilToken(b, 10_000)).toBeGreaterThan(0);
  });
});

describe('configuration', () => {
  it('defaults to the local services', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      NOTIFIER_PORT: 3001,
      PARTITIONS: 8,
      DATABASE_URL: expect.stringContaining('127.0.0.1'),
    });
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('fails fast and names each bad variable', () => {
    expect(() => loadConfig({ PARTITIONS: 'many', PORT: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '-1' })).toThrow(/PORT/);
    // One error naming all three, not only the first one found.
    const err = thrownBy(() => loadConfig({ PARTITIONS: 'many', AMQP_URL: 'not a url', JWT_SECRET: 'short' }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/PARTITIONS/);
    expect(err.message).toMatch(/AMQP_URL/);
    expect(err.message).toMatch(/JWT_SECRET/);
    expect(err.message).not.toMatch(/PORT/);
  });
});

describe('topology and partitions', () => {
  it('declares a quorum, single-active-consumer, dead-lettering queue per partition', () => {
    const t = buildTopology({ AMQP_PREFIX: 'x.', PARTITIONS: 3, DELIVERY_LIMIT: 5 });
    const parts = t.queues.filter((q) => q.name.startsWith('x.bookings.p'));
    expect(parts).toHaveLength(3);
    for (const q of parts)
      expect(q.arguments).toMatchObject({
        'x-queue-type': 'quorum',
        'x-single-active-consumer': true,
        'x-dead-letter-exchange': 'x.bookings.dlx',
        'x-delivery-limit': 5,
      });
    expect(() =>
      validateTopology({
        ...t,
        bindings: [...t.bindings, { exchange: 'nope', queue: 'x.bookings.p0', routingKey: '' }],
      }),
    ).toThrow(/undeclared exchange/);
  });
  it('maps an event to a stable partition: the first 32 bits of the SHA-1 of its id, modulo the count', () => {
    // Published SHA-1 test vectors (FIPS 180): "abc" → a9993e36…, "" → da39a3ee…. Pinned, so a change
    // of hash or byte order (which would move events created from then on) fails here.
    expect(partitionFor('abc', 8)).toBe(0xa9993e36 % 8);
    expect(partitionFor('abc', 1000)).toBe(0xa9993e36 % 1000);
    expect(partitionFor('', 7)).toBe(0xda39a3ee % 7);
    const id = '6a1f0b8e-61a4-4b65-9b1e-0d7c1f2e3a4b';
    expect(partitionFor(id, 8)).toBe(createHash('sha1').update(id).digest().readUInt32BE(0) % 8);
  });
  it('spreads events over every partition, roughly evenly, always in range', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (const n of [1, 3, 8, 64]) {
      const counts = new Array<number>(n).fill(0);
      const outOfRange: string[] = [];
      for (const id of ids) {
        const p = partitionFor(id, n);
        if (Number.isInteger(p) && p >= 0 && p < n) counts[p]!++;
        else outOfRange.push(`${id} → ${p}`);
      }
      expect(outOfRange, `partitions=${n}`).toEqual([]);
      // 4000/n expected per partition; the bounds are many standard deviations wide.
      expect(Math.min(...counts), `partitions=${n}`).toBeGreaterThan((4000 / n) * 0.6);
      expect(Math.max(...counts), `partitions=${n}`).toBeLessThan((4000 / n) * 1.4);
    }
  });
});

/** The error `fn` throws; fails the test when it throws nothing. */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw, got none');
}
