import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envOf, ROOT, TestEnv, waitFor } from '../support/env';

let env: TestEnv;
let primary: ChildProcess | null = null;

beforeAll(async () => {
  env = await TestEnv.create();
  await env.startIngress();
  await env.startWorker();
}, 60_000);

afterAll(async () => {
  if (primary && primary.exitCode === null) primary.kill('SIGKILL');
  await env.cleanup();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Structured log lines of the cluster (every process writes to the same pipes). */
function collectLogs(child: ChildProcess): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  const read = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not a log line */
      }
    }
  };
  child.stdout?.on('data', read);
  child.stderr?.on('data', read);
  return lines;
}

const listening = (logs: Array<Record<string, unknown>>) =>
  new Set(logs.filter((l) => l.message === 'ingress listening').map((l) => l.pid as number));

/** The value of a counter sample in Prometheus text, 0 when absent. */
function sample(metrics: string, name: string, labels: Record<string, string>): number {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return 0;
}

describe('INGRESS_PROCESSES', () => {
  it('serves one port from several processes: bookings decided, metrics summed, a dead process replaced, a clean stop', async () => {
    const port = await freePort();
    primary = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'ingress/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...envOf(env.config), PORT: String(port), INGRESS_PROCESSES: '2', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs = collectLogs(primary);
    await waitFor(() => listening(logs).size === 2, 60_000, 'two ingress processes listening');
    const base = `http://127.0.0.1:${port}`;

    const eventId = await env.createEvent({ general_admission: { capacity: 100, price: 10 } });
    const users = Array.from({ length: 12 }, (_, i) => `cluster-user-${i}`);
    const accepted = await Promise.all(
      users.map(async (u) => {
        const res = await fetch(`${base}/v1/bookings`, {
          method: 'POST',
          headers: { authorization: `Bearer ${env.token(u)}`, 'content-type': 'application/json' },
          body: JSON.stringify({ event_id: eventId, quantity: 1 }),
        });
        expect(res.status).toBe(202);
        return { user: u, id: ((await res.json()) as { booking_id: string }).booking_id };
      }),
    );
    // Each booking is decided, and readable through whichever process answers.
    await waitFor(
      async () => {
        const states = await Promise.all(
          accepted.map(
            async (a) =>
              (
                (await (
                  await fetch(`${base}/v1/bookings/${a.id}`, {
                    headers: { authorization: `Bearer ${env.token(a.user)}` },
                  })
                ).json()) as { status: string }
              ).status,
          ),
        );
        return states.every((s) => s === 'held');
      },
      30_000,
      'every booking held',
    );
    const { rows } = await env.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM bookings WHERE event_id = $1 AND status = 'held'",
      [eventId],
    );
    expect(Number(rows[0]!.n)).toBe(users.length);

    // /metrics on any process is the sum over all of them.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(sample(metrics, 'onsale_http_requests_total', { method: 'POST', status: '202' })).toBe(users.length);

    // A process that dies is replaced; the port keeps answering meanwhile.
    const [victim] = [...listening(logs)];
    process.kill(victim!, 'SIGKILL');
    await waitFor(() => listening(logs).size === 3, 60_000, 'a replacement process');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    // SIGTERM: every process closes gracefully and the primary exits 0.
    const exited = new Promise<number | null>((resolve) => primary!.once('exit', (code) => resolve(code)));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs.filter((l) => l.message === 'ingress stopped').length).toBeGreaterThanOrEqual(2);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  }, 180_000);
});
