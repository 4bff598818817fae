import { describe, expect, it } from 'vitest';
import { createEvents, runFault } from './support/fault-run';
import { expectInvariants, faultSuite } from './support/suite';
import { sleep } from './support/roles';

/** Role processes killed mid-load: the active worker, the standby, the notifier, the ingress. */
describe('faults: role processes killed with kill -9', () => {
  const ctx = faultSuite();

  /** The worker process that owns `events[0]`'s partition now. */
  async function activeWorkerPid(eventId: string): Promise<number> {
    const { rows } = await ctx.pool.query<{ owner: string }>('SELECT p.owner FROM partitions p JOIN events e ON e.partition = p.id WHERE e.id = $1', [eventId]);
    return Number(/^worker-(\d+)-/.exec(rows[0]!.owner)![1]);
  }

  it('active worker kill -9: the standby takes over', async () => {
    const events = await createEvents(ctx.stack, 'active-worker');
    let killed = 0;
    const r = await runFault({
      name: 'active worker kill -9',
      ...ctx,
      events,
      inject: async () => {
        const pid = await activeWorkerPid(events[0]!);
        const role = ctx.stack.roleByPid(pid);
        expect(role?.name, 'the active worker is one of ours').toMatch(/^worker-/);
        killed = await role!.kill9();
      },
    });
    expectInvariants(r);
    expect(await activeWorkerPid(events[0]!)).not.toBe(killed);
  });

  it('standby worker kill -9: nothing changes for buyers', async () => {
    const events = await createEvents(ctx.stack, 'standby-worker');
    await ctx.stack.allReady();
    const active = await activeWorkerPid(events[0]!);
    const r = await runFault({
      name: 'standby worker kill -9',
      ...ctx,
      events,
      inject: async () => {
        const standby = Object.values(ctx.stack.roles).find((x) => x.name.startsWith('worker-') && x.pid !== active)!;
        await standby.kill9();
      },
    });
    expectInvariants(r);
    expect(await activeWorkerPid(events[0]!), 'the active worker kept its partition').toBe(active);
  });

  it('notifier kill -9: clients reconnect, watch again, and get every outcome', async () => {
    const events = await createEvents(ctx.stack, 'notifier');
    await ctx.stack.allReady();
    const r = await runFault({
      name: 'notifier kill -9',
      ...ctx,
      events,
      inject: async () => {
        await ctx.stack.roles.notifier.kill9();
        await ctx.stack.roles.notifier.waitReady();
      },
    });
    expectInvariants(r);
  });

  it('ingress kill -9: requests in flight are retried with their Idempotency-Key', async () => {
    const events = await createEvents(ctx.stack, 'ingress');
    await ctx.stack.allReady();
    await sleep(500);
    const r = await runFault({
      name: 'ingress kill -9',
      ...ctx,
      events,
      inject: async () => {
        await ctx.stack.roles.ingress.kill9();
        await ctx.stack.roles.ingress.waitReady();
      },
    });
    // Connections refused while no ingress listens are the load balancer's to hide; the client retried them.
    expectInvariants(r, { networkErrorsAllowed: true });
  });
});
