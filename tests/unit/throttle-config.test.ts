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
    expect(c).toMatchObject({ PORT: 3000, NOTIFIER_PORT: 3001, PARTITIONS: 8, DATABASE_URL: expect.stringContaining('127.0.0.1') });
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('fails fast and names each bad variable', () => {
    expect(() => loadConfig({ PARTITIONS: 'many', PORT: '-1' })).toThrow(ConfigError);
    try {
      loadConfig({ PARTITIONS: 'many', AMQP_URL: 'not a url', JWT_SECRET: 'short' });
    } catch (err) {
      expect((err as Error).message).toMatch(/PARTITIONS/);
      expect((err as Error).message).toMatch(/AMQP_URL/);
      expect((err as Error).message).toMatch(/JWT_SECRET/);
    }
  });
});

describe('topology and partitions', () => {
  it('declares a quorum, single-active-consumer, dead-lettering queue per partition', () => {
    const t = buildTopology({ AMQP_PREFIX: 'x.', PARTITIONS: 3, DELIVERY_LIMIT: 5 });
    const parts = t.queues.filter((q) => q.name.startsWith('x.bookings.p'));
    expect(parts).toHaveLength(3);
    for (const q of parts) expect(q.arguments).toMatchObject({ 'x-queue-type': 'quorum', 'x-single-active-consumer': true, 'x-dead-letter-exchange': 'x.bookings.dlx', 'x-delivery-limit': 5 });
    expect(() => validateTopology({ ...t, bindings: [...t.bindings, { exchange: 'nope', queue: 'x.bookings.p0', routingKey: '' }] })).toThrow(/undeclared exchange/);
  });
  it('maps an event to a stable partition', () => {
    const id = '6a1f0b8e-61a4-4b65-9b1e-0d7c1f2e3a4b';
    expect(partitionFor(id, 8)).toBe(partitionFor(id, 8));
    const spread = new Set(Array.from({ length: 200 }, (_, i) => partitionFor(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 8)));
    expect(spread.size).toBe(8);
  });
});
