import { describe, expect, it } from 'vitest';
import { createEvents, runFault } from './support/fault-run';
import { expectInvariants, faultSuite } from './support/suite';
import { sleep } from './support/roles';

/** The (single-node) broker stopped gracefully and crashed mid-load, then started again on its data. */
describe('faults: RabbitMQ restarts', () => {
  const ctx = faultSuite();
  const node = () => ctx.stack.services.rabbit!.node;

  it('RabbitMQ graceful restart', async () => {
    const events = await createEvents(ctx.stack, 'broker-graceful');
    const r = await runFault({
      name: 'RabbitMQ graceful restart',
      ...ctx,
      events,
      inject: async () => {
        await node().stop();
        await sleep(2000);
        await node().start();
      },
    });
    expectInvariants(r);
    expect(r.restarts['worker-a']! + r.restarts['worker-b']!, 'workers are crash-only on broker loss').toBeGreaterThan(0);
  });

  it('RabbitMQ crash (kill -9) and start', async () => {
    const events = await createEvents(ctx.stack, 'broker-crash');
    await ctx.stack.allReady();
    const r = await runFault({
      name: 'RabbitMQ crash',
      ...ctx,
      events,
      inject: async () => {
        await node().crash();
        await sleep(2000);
        await node().start();
      },
    });
    expectInvariants(r);
  });
});
