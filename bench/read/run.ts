import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig, type Config } from '../../shared/config';
import { createPool } from '../../shared/db/pool';
import { migrate } from '../../shared/db/migrate';
import { buildTopology, deleteTopology } from '../../shared/amqp/topology';
import { initInventory, seedCatalog } from '../../scripts/seed-catalog';
import { eventPaths, searchPaths } from './requests';

/**
 * `npm run bench:read`: search and event-page throughput and latency over HTTP against a catalog of
 * 100,000 events. It makes its own database, queue prefix and Redis prefix, seeds the catalog, lets a
 * worker create the inventory of the soonest events (so their availability comes from live seat
 * snapshots), starts ingress as a child process, and drives it with autocannon, closed loop: with
 * `--connections` clients (the throughput ceiling), then with fewer (`--levels`), which traces the
 * latency/throughput curve: the throughput at which a latency target holds is read off it. Searches are
 * measured twice, with the answer cache off (every request runs its SQL) and on (the default), over
 * the same Zipf-distributed mix of searches; event pages with 80 % of views on 300 popular events.
 * It always cleans up and is bounded in time.
 *
 * @example npm run bench:read -- --events 100000 --seconds 15 --connections 16
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '15' },
    connections: { type: 'string', default: '16' },
    init: { type: 'string', default: '100' },
    /** Concurrent clients (closed loop) at which latency is measured: a latency/throughput curve. */
    levels: { type: 'string', default: '1,2,4,8' },
  },
});
const EVENTS = Number(values.events);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const INIT = Number(values.init);
const LEVELS = values.levels.split(',').map(Number);
if (LEVELS.some((x) => !Number.isInteger(x) || x < 1 || x > 1000))
  throw new Error('--levels must be whole numbers of clients');
/** The whole run is cut off after this, whatever happens. */
const WATCHDOG_MS = 20 * 60_000;

const log = (msg: string, extra: Record<string, unknown> = {}) =>
  process.stderr.write(`[bench:read] ${msg}${Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : ''}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function spawnRole(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stop(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

interface Measured {
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  requests: number;
  non_2xx: number;
  errors: number;
}

function load(baseUrl: string, paths: string[], opts: { seconds: number; connections: number }): Promise<Measured> {
  let i = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: baseUrl,
        connections: opts.connections,
        duration: opts.seconds,
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }),
          },
        ],
      },
      (err, r) => {
        if (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        resolve({
          rps: Math.round(r.requests.average),
          p50_ms: r.latency.p50,
          p90_ms: r.latency.p90,
          p99_ms: r.latency.p99,
          max_ms: r.latency.max,
          requests: r.requests.total,
          non_2xx: r.non2xx,
          errors: r.errors + r.timeouts,
        });
      },
    );
  });
}

async function main(): Promise<void> {
  const id = randomBytes(3).toString('hex');
  const base = loadConfig(process.env);
  const dbUrl = new URL(base.DATABASE_URL);
  const dbName = `onsale_bench_read_${id}`;
  const adminUrl = new URL(base.DATABASE_URL);
  adminUrl.pathname = '/postgres';
  dbUrl.pathname = `/${dbName}`;
  const config: Config = loadConfig({
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    AMQP_PREFIX: `bench_read_${id}.`,
    REDIS_PREFIX: `bench_read_${id}:`,
    PORT: String(await freePort()),
    WORKER_PORT: '0',
    LOG_LEVEL: 'warn',
  });
  const env = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));
  let ingress: ChildProcess | null = null;
  let worker: ChildProcess | null = null;
  const watchdog = setTimeout(() => {
    log('watchdog: the run took too long; stopping');
    ingress?.kill('SIGKILL');
    worker?.kill('SIGKILL');
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();

  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const pool = createPool(config.DATABASE_URL, 3, 'bench-read');
  try {
    await migrate(config.DATABASE_URL);
    log('seeding', { events: EVENTS });
    const seeded = await seedCatalog(pool, { events: EVENTS, partitions: config.PARTITIONS, seed: 7 });
    log('catalog seeded', {
      events: seeded.events,
      venues: seeded.venues,
      performers: seeded.performers,
      venue_seats: seeded.venueSeats,
      ms: seeded.ms,
    });

    // Live inventory for the soonest events: the worker creates it and writes the seat snapshots.
    if (INIT > 0) {
      worker = spawnRole('booking-workers/main.ts', env);
      await initInventory(config, pool, seeded.eventIds.slice(0, INIT));
      await waitUntil(
        async () =>
          (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE inventory_ready')).rows[0]!.n >=
          INIT,
        180_000,
        'inventory',
      );
      await stop(worker);
      worker = null;
      log('inventory created', { events: INIT });
    }

    const [search, pages] = await Promise.all([searchPaths(pool, 50_000), eventPaths(pool, 20_000)]);
    const baseUrl = `http://127.0.0.1:${config.PORT}`;
    const results: Record<string, { ceiling: Measured; at: Array<Measured & { clients: number }> }> = {};
    const scenarios = [
      // Every search runs its SQL: what PostgreSQL full-text search plus pg_trgm costs here.
      { name: 'search_uncached', paths: search, env: { ...env, SEARCH_CACHE_TTL_S: '0' } },
      // The same Zipf-distributed searches with the default few-seconds answer cache.
      { name: 'search', paths: search, env },
      { name: 'event_page', paths: pages, env },
    ];
    for (const scenario of scenarios) {
      if (!ingress || scenario.env !== env) {
        await stop(ingress);
        ingress = spawnRole('ingress/main.ts', scenario.env);
        await waitUntil(async () => (await fetch(`${baseUrl}/readyz`)).ok, 60_000, 'ingress');
      }
      await load(baseUrl, scenario.paths, { seconds: 3, connections: CONNECTIONS }); // warm-up: JIT, pools, caches
      const ceiling = await load(baseUrl, scenario.paths, { seconds: SECONDS, connections: CONNECTIONS });
      log(`${scenario.name}: ceiling`, { ...ceiling });
      const at: Array<Measured & { clients: number }> = [];
      for (const clients of LEVELS) {
        const m = await load(baseUrl, scenario.paths, { seconds: SECONDS, connections: clients });
        log(`${scenario.name}: ${clients} clients`, { ...m });
        at.push({ ...m, clients });
      }
      results[scenario.name] = { ceiling, at };
      if (scenario.env !== env) {
        await stop(ingress);
        ingress = null;
      }
    }

    const row = (name: string, phase: string, m: Measured) =>
      `| ${name} | ${phase} | ${m.rps} | ${m.p50_ms} | ${m.p90_ms} | ${m.p99_ms} | ${m.non_2xx + m.errors} |`;
    const label: Record<string, string> = {
      search_uncached: 'search, no answer cache',
      search: `search, ${config.SEARCH_CACHE_TTL_S} s answer cache`,
      event_page: 'event page',
    };
    const lines = Object.entries(results).flatMap(([name, r]) => [
      row(label[name]!, `${CONNECTIONS} clients (ceiling)`, r.ceiling),
      ...r.at.map((m) => row(label[name]!, `${m.clients} client${m.clients === 1 ? '' : 's'}`, m)),
    ]);
    process.stdout.write(
      [
        '',
        `Read benchmark: ${EVENTS} events, ${CONNECTIONS} connections, ${SECONDS} s per phase, ${INIT} events with live inventory (2 cores shared by load generator, ingress, PostgreSQL, Redis)`,
        '',
        '| endpoint | load (closed loop) | req/s | p50 ms | p90 ms | p99 ms | errors |',
        '|---|---|---|---|---|---|---|',
        ...lines,
        '',
        JSON.stringify({ events: EVENTS, connections: CONNECTIONS, seconds: SECONDS, results }),
        '',
      ].join('\n'),
    );
  } finally {
    await stop(ingress);
    await stop(worker);
    await pool.end().catch(() => undefined);
    await admin
      .query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
      .catch((err: unknown) => log('drop database failed', { err: (err as Error).message }));
    await admin.end();
    const conn = await amqp.connect(config.AMQP_URL).catch(() => null);
    if (conn) {
      const ch = await conn.createChannel();
      await deleteTopology(ch, buildTopology(config)).catch(() => undefined);
      await conn.close().catch(() => undefined);
    }
    const redis = new Redis(config.REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.REDIS_PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
    clearTimeout(watchdog);
    log('cleaned up');
  }
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
