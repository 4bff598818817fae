import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freePort } from '../../scripts/private-services';
import { createEvents, runFault } from './support/fault-run';
import { expectInvariants, faultSuite } from './support/suite';
import { RoleProcess, sleep } from './support/roles';

// One stack for both groups below (starting one costs tens of seconds).
const ctx = faultSuite();

/** Role processes killed mid-load: the active worker, the standby, the notifier, the ingress. */
describe('faults: role processes killed with kill -9', () => {
  /** The worker process that owns `events[0]`'s partition now. */
  async function activeWorkerPid(eventId: string): Promise<number> {
    const { rows } = await ctx.pool.query<{ owner: string }>(
      'SELECT p.owner FROM partitions p JOIN events e ON e.partition = p.id WHERE e.id = $1',
      [eventId],
    );
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
    expectInvariants(r, { ingressKilled: true });
  });
});

/** Readiness means ready (issue 9 §3): checked against the same private services. */
describe('faults: readiness', () => {
  const extra: RoleProcess[] = [];
  afterAll(async () => {
    for (const r of extra) await r.stop();
  });

  it('a role started against an unmigrated database is not ready and says `npm run migrate` (or migrates)', async () => {
    const url = await ctx.stack.services.postgres.createDatabase('onsale_unmigrated');
    const port = await freePort();
    const ingress = new RoleProcess(
      'ingress',
      { ...ctx.stack.env, DATABASE_URL: url, PORT: String(port) },
      port,
      ctx.stack.logDir,
      false,
      'ingress-unmigrated',
    );
    extra.push(ingress);
    ingress.start();
    const deadline = Date.now() + 60_000;
    let verdict = '';
    while (!verdict && Date.now() < deadline) {
      await sleep(500);
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(3000) }).catch(
        () => null,
      );
      const body = res ? await res.text() : '';
      if (res?.status === 200) verdict = 'ready';
      else if (res?.status === 503 && /migrat/i.test(body)) verdict = 'not ready: migrate';
      else if (ingress.child?.exitCode !== null && ingress.child?.exitCode !== undefined)
        verdict = /npm run migrate/.test(ingress.log()) ? 'exited: migrate' : 'exited';
    }
    if (verdict === 'ready') {
      // Ready is only right if it migrated the database itself.
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const { rows } = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'bookings'",
      );
      await c.end();
      expect(rows[0]!.n, 'ready against an unmigrated database, without migrating it').toBe(1);
    } else {
      expect(verdict, `readiness against an unmigrated database; log:\n${ingress.logTail(10)}`).toMatch(/migrate/);
    }
  });

  it('a second worker on the same port does not die with an unhandled EADDRINUSE', async () => {
    const taken = ctx.stack.roles['worker-a'].port;
    const second = new RoleProcess(
      'worker-a',
      { ...ctx.stack.env, WORKER_PORT: String(taken) },
      taken,
      ctx.stack.logDir,
      false,
      'worker-same-port',
    );
    extra.push(second);
    second.start();
    // Either it runs (another port, or no HTTP server) or it exits with a message; give it time to try.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && second.child?.exitCode === null) await sleep(500);
    const log = second.log();
    expect(log, 'an unhandled error with its stack trace').not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    if (second.child?.exitCode !== null)
      expect(log, 'the exit message names the port in use').toMatch(new RegExp(`${taken}|in use|EADDRINUSE`));
  });
});
