import { describe, expect, it } from 'vitest';
import { createEvents, runFault } from './support/fault-run';
import { expectInvariants, faultSuite } from './support/suite';
import { sleep } from './support/roles';

/** The (single-node) broker stopped gracefully and crashed mid-load, then started again on its data. */
describe('faults: RabbitMQ restarts', () => {
  const ctx = faultSuite();
  const node = () => ctx.stack.services.rabbit!.node;
  /** Answers of the notifier's and ingress's /readyz while the broker is down (for 2 s). */
  async function readinessWhileDown(): Promise<{ notifierReady: number; probes: number }> {
    let notifierReady = 0;
    let probes = 0;
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      probes++;
      const res = await fetch(`${ctx.stack.notifierUrl}/readyz`, { signal: AbortSignal.timeout(1000) }).catch(
        () => null,
      );
      if (res?.status === 200) notifierReady++;
      await sleep(200);
    }
    return { notifierReady, probes };
  }

  it('RabbitMQ graceful restart', async () => {
    const events = await createEvents(ctx.stack, 'broker-graceful');
    let down = { notifierReady: 0, probes: 0 };
    const r = await runFault({
      name: 'RabbitMQ graceful restart',
      ...ctx,
      events,
      inject: async () => {
        await node().stop();
        down = await readinessWhileDown();
        await node().start();
      },
    });
    expectInvariants(r);
    expect(down.notifierReady, 'the notifier answered /readyz 200 while the broker was down').toBe(0);
  });

  it('RabbitMQ crash (kill -9) and start', async () => {
    const events = await createEvents(ctx.stack, 'broker-crash');
    let down = { notifierReady: 0, probes: 0 };
    await ctx.stack.allReady();
    const r = await runFault({
      name: 'RabbitMQ crash',
      ...ctx,
      events,
      inject: async () => {
        await node().crash();
        down = await readinessWhileDown();
        await node().start();
      },
    });
    expectInvariants(r);
    expect(down.notifierReady, 'the notifier answered /readyz 200 while the broker was down').toBe(0);
  });
});
