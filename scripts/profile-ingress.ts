/**
 * CPU per request of `POST /v1/bookings`, beside the bare floor (an Express endpoint that parses the
 * same JSON body, verifies the same HS256 token and answers 202), against a real worker and notifier,
 * on a throw-away database, queue prefix and Redis prefix (all removed at the end).
 *
 *   npx tsx scripts/profile-ingress.ts [--seconds 15] [--connections 64] [--users 20000] [--processes 1] [--prof DIR]
 *
 * CPU is read from each process's own accounting (/proc/<pid>/stat, children of a cluster included)
 * over the load window. `--prof DIR` runs ingress under `node --cpu-prof` (one .cpuprofile per
 * process in DIR, written at shutdown). Not a benchmark of record (that is `npm run bench`): a tool
 * to see where ingress spends its time, and whether a change cut it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig, type Config } from '../shared/config';
import { migrate } from '../shared/db/migrate';
import { buildTopology, deleteTopology } from '../shared/amqp/topology';
import { signToken } from '../shared/auth';
import { tokenVersionKey } from '../shared/token-versions';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    connections: { type: 'string', default: '64' },
    users: { type: 'string', default: '20000' },
    processes: { type: 'string', default: '1' },
    prof: { type: 'string' },
    'skip-floor': { type: 'boolean', default: false },
    /** Buyers signed in just before (login warms each account's token-version mirror in Redis); else first sight. */
    'signed-in': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const USERS = Number(args.users);
const TICKS = 100; // USER_HZ

const FLOOR = `
const express = require('express'); const jwt = require('jsonwebtoken'); const { createSecretKey } = require('node:crypto');
const key = createSecretKey(Buffer.from(process.env.JWT_SECRET, 'utf8'));
const app = express(); app.use(express.json({ limit: '64kb' }));
app.post('/v1/bookings', (req, res) => {
  const m = /^Bearer\\s+(\\S+)$/i.exec(req.headers.authorization || '');
  try { jwt.verify(m[1], key, { algorithms: ['HS256'] }); } catch { return res.status(401).json({ error: 'unauthorized' }); }
  res.status(202).json({ booking_id: require('node:crypto').randomUUID(), status: 'queued', position: 1 });
});
const s = app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => s.close(() => process.exit(0)));`;

/** utime + stime of a process and of its direct children (a cluster's processes), in clock ticks. */
function cpuTicks(pid: number): number {
  const read = (p: number) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
    } catch {
      return null;
    }
  };
  let total = read(pid)?.ticks ?? 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = read(Number(d));
    if (s && s.ppid === pid) total += s.ticks;
  }
  return total;
}

async function waitReady(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function start(name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on('exit', (code) => code && console.error(`${name} exited ${code}`));
  return child;
}

async function load(url: string, tokens: string[], body: string) {
  let i = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path: '/v1/bookings',
        setupRequest: (req) => ({
          ...req,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i++ % tokens.length]}` },
          body,
        }),
      },
    ],
  });
  return { ok: result['2xx'], non2xx: result.non2xx, rps: result.requests.average, p99: result.latency.p99 };
}

async function measure(
  pid: number,
  run: () => Promise<{ ok: number; non2xx: number; rps: number; p99: number }>,
  others: Record<string, number> = {},
) {
  const before = cpuTicks(pid);
  const othersBefore = Object.fromEntries(Object.entries(others).map(([k, p]) => [k, cpuTicks(p)]));
  const r = await run();
  const cpuMs = ((cpuTicks(pid) - before) * 1000) / TICKS;
  const otherUs = Object.fromEntries(
    Object.entries(others).map(([k, p]) => [
      k,
      Math.round((((cpuTicks(p) - othersBefore[k]!) * 1000) / TICKS / Math.max(1, r.ok)) * 1000),
    ]),
  );
  return {
    ...r,
    cpu_us_per_request: Math.round((cpuMs / Math.max(1, r.ok)) * 1000),
    ...(Object.keys(otherUs).length ? { others_us_per_request: otherUs } : {}),
  };
}

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

const id = `prof_${randomBytes(3).toString('hex')}`;
const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
const dbUrl = new URL(admin);
dbUrl.pathname = `/onsale_${id}`;
const ports = { ingress: await freePort(), notifier: await freePort(), floor: await freePort() };
const env: Record<string, string> = {
  NODE_ENV: 'production',
  DATABASE_URL: dbUrl.toString(),
  AMQP_PREFIX: `${id}.`,
  REDIS_PREFIX: `${id}:`,
  PORT: String(ports.ingress),
  NOTIFIER_PORT: String(ports.notifier),
  WORKER_PORT: '0',
  PARTITIONS: '2',
  JWT_SECRET: `profile-secret-${id}`,
  PAYMENT_WEBHOOK_SECRET: `profile-webhook-${id}`,
  TICKET_SIGNING_SEED: randomBytes(32).toString('hex'),
  METRICS_TOKEN: `profile-metrics-${id}`,
  INGRESS_PROCESSES: args.processes,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
};
const config: Config = loadConfig({ ...process.env, ...env });
const children: ChildProcess[] = [];
const pool = new pg.Client({ connectionString: admin });
await pool.connect();
await pool.query(`CREATE DATABASE onsale_${id}`);
await pool.end();
try {
  await migrate(config.DATABASE_URL);
  const worker = start('worker', 'booking-workers/main.ts', env);
  const notifier = start('notifier', 'notifier/main.ts', env);
  if (args.prof) fs.mkdirSync(args.prof, { recursive: true });
  const ingress = start(
    'ingress',
    'ingress/main.ts',
    env,
    args.prof ? ['--cpu-prof', `--cpu-prof-dir=${args.prof}`] : [],
  );
  children.push(worker, notifier, ingress);
  await waitReady(`http://127.0.0.1:${ports.ingress}/readyz`);
  await waitReady(`http://127.0.0.1:${ports.notifier}/readyz`);

  const organizer = signToken(config.JWT_SECRET, { user_id: randomUUID(), role: 'organizer' });
  const created = await fetch(`http://127.0.0.1:${ports.ingress}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${organizer}` },
    body: JSON.stringify({
      name: 'Profile',
      starts_at: new Date(Date.now() + 86400_000).toISOString(),
      general_admission: { capacity: 5_000_000, price: 10 },
    }),
  });
  if (created.status !== 201) throw new Error(`create event: ${created.status} ${await created.text()}`);
  const eventId = ((await created.json()) as { id: string }).id;
  const check = new pg.Client({ connectionString: config.DATABASE_URL });
  await check.connect();
  for (let i = 0; i < 200; i++) {
    if (
      (await check.query<{ inventory_ready: boolean }>('SELECT inventory_ready FROM events WHERE id = $1', [eventId]))
        .rows[0]?.inventory_ready
    )
      break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await check.end();

  const userIds = Array.from({ length: USERS }, () => randomUUID());
  const tokens = userIds.map((user_id) => signToken(config.JWT_SECRET, { user_id, role: 'buyer' }));
  if (args['signed-in']) {
    const r = new Redis(config.REDIS_URL);
    for (let i = 0; i < userIds.length; i += 1000)
      await r.mset(...userIds.slice(i, i + 1000).flatMap((u) => [tokenVersionKey(config.REDIS_PREFIX, u), '0']));
    r.disconnect();
  }
  const body = JSON.stringify({ event_id: eventId, quantity: 1 });
  const out: Record<string, unknown> = {
    signed_in: args['signed-in'],
    seconds: SECONDS,
    connections: CONNECTIONS,
    users: USERS,
    processes: Number(args.processes),
  };

  if (!args['skip-floor']) {
    const floor = spawn(process.execPath, ['-e', FLOOR], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(ports.floor), JWT_SECRET: config.JWT_SECRET },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(floor);
    await new Promise((r) => setTimeout(r, 1500));
    await load(`http://127.0.0.1:${ports.floor}`, tokens, body); // warm-up is the same run length; keep it short
    out.floor = await measure(floor.pid!, () => load(`http://127.0.0.1:${ports.floor}`, tokens, body));
    floor.kill('SIGTERM');
  }
  out.ingress = await measure(ingress.pid!, () => load(`http://127.0.0.1:${ports.ingress}`, tokens, body), {
    worker: worker.pid!,
    notifier: notifier.pid!,
  });
  if (out.floor)
    out.ratio =
      Math.round(
        ((out.ingress as { cpu_us_per_request: number }).cpu_us_per_request /
          (out.floor as { cpu_us_per_request: number }).cpu_us_per_request) *
          100,
      ) / 100;
  console.log(JSON.stringify(out, null, 2));
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 4000));
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  const conn = await amqp.connect(config.AMQP_URL);
  const ch = await conn.createChannel();
  await deleteTopology(ch, buildTopology(config)).catch(() => undefined);
  await conn.close().catch(() => undefined);
  const redis = new Redis(config.REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.REDIS_PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  const drop = new pg.Client({ connectionString: admin });
  await drop.connect();
  await drop.query(`DROP DATABASE IF EXISTS onsale_${id} WITH (FORCE)`);
  await drop.end();
}
