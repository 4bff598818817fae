import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config';
import { buildTopology } from '../../shared/amqp/topology';
import { definitionsOf, DEFINITIONS_PATH } from '../../scripts/rabbitmq-definitions';

/** docker compose's broker definitions never drift from the topology the code asserts. */
describe('rabbitmq/definitions.json', () => {
  it('declares exactly the default topology (run `npm run rabbitmq:definitions` after changing it)', () => {
    const onDisk = JSON.parse(readFileSync(DEFINITIONS_PATH, 'utf8'));
    expect(onDisk).toEqual(definitionsOf(buildTopology(loadConfig({}))));
  });
  it('has quorum, single-active-consumer partition queues that dead-letter to a declared exchange', () => {
    const onDisk = JSON.parse(readFileSync(DEFINITIONS_PATH, 'utf8'));
    const exchanges = new Set(onDisk.exchanges.map((e: { name: string }) => e.name));
    const partitions = onDisk.queues.filter((q: { name: string }) => /^bookings\.p\d+$/.test(q.name));
    expect(partitions).toHaveLength(8);
    for (const q of partitions) {
      expect(q.arguments).toMatchObject({ 'x-queue-type': 'quorum', 'x-single-active-consumer': true });
      expect(exchanges.has(q.arguments['x-dead-letter-exchange'])).toBe(true);
    }
  });
});
