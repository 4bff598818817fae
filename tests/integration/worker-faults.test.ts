import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import pg from 'pg';
import { sleep, TestEnv, waitFor } from '../support/env';
import { buildTopology, deleteTopology, names } from '../../shared/amqp/topology';
import { migrate, migrationNames } from '../../shared/db/migrate';

/** Faults of the worker's own: PostgreSQL dropping its sessions, a second worker on one host, an unmigrated database. */
describe('worker faults', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
  }, 60_000);
  afterAll(() => env.cleanup());

  it('survives PostgreSQL terminating its sessions mid-load (57P01) and retries in place', async () => {
    const worker = await env.startWorker();
    const capacity = 300;
    const eventId = await env.createEvent({ general_admission: { capacity, price: 10 } });
    const { rows } = await env.pool.query<{ partition: number }>('SELECT partition FROM events WHERE id = $1', [
      eventId,
    ]);
    const n = names(env.config.AMQP_PREFIX);
    const conn = await amqp.connect(env.config.AMQP_URL);
    const ch = await conn.createConfirmChannel();
    let terminated = 0;
    // Cleared after the loop below starts, which TypeScript's narrowing does not see.
    let loading = true as boolean;
    // What a fast shutdown does to each session, aimed at this worker's sessions in this test's database only.
    const killer = (async () => {
      while (loading) {
        const r = await env.pool.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
          [worker.id],
        );
        terminated += r.rowCount ?? 0;
        await sleep(150);
      }
    })();
    const ids: string[] = [];
    try {
      for (let i = 0; i < 600; i++) {
        const id = randomUUID();
        ids.push(id);
        const cmd = {
          type: 'book',
          event_id: eventId,
          booking_id: id,
          user_id: `u${i}`,
          seq: i + 1,
          requested_at: new Date().toISOString(),
          request: { quantity: 1 },
        };
        ch.publish(n.bookings, n.partitionKey(rows[0]!.partition), Buffer.from(JSON.stringify(cmd)), {
          persistent: true,
          messageId: id,
        });
        if (i % 50 === 49) {
          await ch.waitForConfirms();
          await sleep(100);
        }
      }
      await ch.waitForConfirms();
      const decided = async () =>
        (
          await env.pool.query<{ status: string; n: number }>(
            'SELECT status, count(*)::int AS n FROM bookings WHERE id = ANY($1::uuid[]) GROUP BY status',
            [ids],
          )
        ).rows;
      await waitFor(
        async () => (await decided()).reduce((a, r) => a + (r.status === 'queued' ? 0 : r.n), 0) === ids.length,
        90_000,
        'every request decided',
      );
      loading = false;
      await killer;
      expect(terminated).toBeGreaterThan(0);
      const byStatus = Object.fromEntries((await decided()).map((r) => [r.status, r.n]));
      // Exactly the capacity sold, the rest sold out: nothing lost, nothing doubled, nothing failed.
      expect(byStatus).toEqual({ held: capacity, rejected: ids.length - capacity });
      const ev = await env.pool.query('SELECT ga_available FROM events WHERE id = $1', [eventId]);
      expect(ev.rows[0].ga_available).toBe(0);
      expect((await fetch(`http://127.0.0.1:${worker.port}/healthz`)).status).toBe(200);
      expect((await ch.checkQueue(n.deadLetterQueue)).messageCount).toBe(0);
    } finally {
      loading = false;
      await killer.catch(() => undefined);
      await conn.close();
    }
  }, 150_000);

  it('a second worker on the same WORKER_PORT carries on with its status server on another port', async () => {
    const port = await freePort();
    const first = await env.startWorker({ WORKER_PORT: port });
    const second = await env.startWorker({ WORKER_PORT: port });
    expect(first.port).toBe(port);
    expect(second.port).not.toBe(port);
    const status = await (await fetch(`http://127.0.0.1:${second.port}/status`)).json();
    expect(status.worker_id).toBe(second.id);
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${second.port}/readyz`)).status === 200,
      20_000,
      'second worker ready',
    );
  }, 60_000);

  it('is not ready against an unmigrated database, says to run npm run migrate, and starts once migrated', async () => {
    const dbName = `${env.dbName}_raw`;
    const url = new URL(env.config.DATABASE_URL);
    url.pathname = `/${dbName}`;
    const prefix = `${env.config.AMQP_PREFIX}raw.`;
    const admin = new pg.Client({ connectionString: env.config.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    try {
      const worker = await env.startWorker({ DATABASE_URL: url.toString(), AMQP_PREFIX: prefix });
      try {
        const ready = async () => {
          const res = await fetch(`http://127.0.0.1:${worker.port}/readyz`);
          return { status: res.status, body: await res.json() };
        };
        const before = await ready();
        expect(before.status).toBe(503);
        expect(before.body.checks.migrations).toContain('run `npm run migrate`');
        expect(before.body.checks.migrations).toContain(migrationNames().at(-1));
        expect(worker.consumers.every((c) => !c.active)).toBe(true);
        await migrate(url.toString());
        await waitFor(async () => (await ready()).status === 200, 30_000, 'ready once migrated');
        expect((await ready()).body.checks).toMatchObject({ migrations: 'ok', partitions: 'ok' });
      } finally {
        await worker.close();
      }
    } finally {
      const c = await amqp.connect(env.config.AMQP_URL);
      const ch = await c.createChannel();
      await deleteTopology(ch, buildTopology({ ...env.config, AMQP_PREFIX: prefix }));
      await c.close();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  }, 90_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '0.0.0.0', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
