import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerMetrics } from '../../booking-workers/metrics';
import { closedLoop } from '../../bench/closed-loop';
import { requestStream, scenarios } from '../../bench/scenarios';
import { histogramQuantiles } from '../../bench/report/histogram-quantiles';
import { baselineOversold, resetBaselineTables } from '../../bench/baselines/schema';
import type { Baseline } from '../../bench/baselines/contender';
import { conditionalUpdate } from '../../bench/baselines/conditional-update';
import { selectForUpdate } from '../../bench/baselines/select-for-update';
import { skipLocked } from '../../bench/baselines/skip-locked';
import { redisSetnx } from '../../bench/baselines/redis-setnx';
import { TestEnv } from '../support/env';
import { spawn } from 'node:child_process';
import {
  microsPer,
  parseProcStat,
  survivors,
  parseRssBytes,
  readAllStats,
  rssOf,
  ticksByRole,
  TICKS_PER_S,
  type ProcStat,
} from '../../bench/report/proc-stat';
import { generatorCount, parseOpenFilesLimit, split, summarizeCrowd } from '../../bench/crowd/summarize-crowd';
import type { CrowdPart } from '../../bench/crowd/crowd-job';
import type { CrowdResults, CrowdRunResult } from '../../bench/crowd/measure-crowd';
import { crowdTargets } from '../../bench/report/targets';

/**
 * The benchmark's own parts, so its verdicts can be trusted: the request streams, the worker-latency
 * quantiles, and each lock-based baseline run on real PostgreSQL and Redis under concurrency, with the
 * oversold check passing on an honest run and catching a corrupted one. (Speed is not asserted here:
 * `npm run bench` measures it.)
 */
describe('benchmark parts', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create();
  });
  afterAll(() => env.cleanup());

  const small = scenarios(2_000);

  it('feeds every contender the same stream, asking for more than twice the inventory', () => {
    for (const spec of small) {
      const stream = requestStream(spec);
      expect(requestStream(spec)).toEqual(stream);
      expect(stream).toHaveLength(spec.requests);
      expect(stream.reduce((n, r) => n + r.quantity, 0)).toBeGreaterThanOrEqual(2 * spec.capacity);
      expect(new Set(stream.map((r) => r.user)).size).toBe(stream.length);
      if (spec.kind === 'general_admission') expect(stream.every((r) => r.quantity >= 1 && r.quantity <= 4)).toBe(true);
      else {
        expect(stream.every((r) => r.quantity >= 2 && r.quantity <= 4)).toBe(true);
        const aimed = stream.filter((r) => r.section !== undefined).length / stream.length;
        expect(aimed).toBeGreaterThan(0.65);
        expect(aimed).toBeLessThan(0.75);
        expect(new Set(stream.flatMap((r) => (r.section ? [r.section] : [])))).toEqual(new Set(['S0', 'S1', 'S2']));
      }
    }
  });

  it('takes worker latency quantiles from the histograms between two scrapes', async () => {
    const metrics = createWorkerMetrics();
    const labels = { partition: '0' };
    metrics.batchSeconds.observe(labels, 5); // before the measured window: must not count
    const before = await metrics.registry.metrics();
    for (let ms = 1; ms <= 100; ms++) metrics.batchSeconds.observe(labels, ms / 1000);
    const after = await metrics.registry.metrics();
    const q = histogramQuantiles(before, after, 'onsale_worker_batch_seconds');
    expect(q.count).toBe(100);
    expect(q.mean_ms).toBeCloseTo(50.5, 1);
    expect(q.p50_ms).toBeGreaterThanOrEqual(45);
    expect(q.p50_ms).toBeLessThanOrEqual(55);
    expect(q.p99_ms).toBeGreaterThanOrEqual(90);
    expect(q.p99_ms).toBeLessThanOrEqual(100);
  });

  const baselines: Baseline[] = [conditionalUpdate, selectForUpdate, skipLocked, redisSetnx];
  for (const spec of small) {
    for (const baseline of baselines) {
      it(`${spec.name}: ${baseline.name} decides the whole stream under concurrency without overselling`, async () => {
        await resetBaselineTables(env.pool, spec);
        const redisPrefix = `${env.config.REDIS_PREFIX}bench:${baseline.name}:`;
        if (baseline.name === 'redis_setnx' && spec.kind === 'general_admission')
          await env.redis.set(`${redisPrefix}ga:${spec.name}`, spec.capacity);
        const stats = { retries: 0, gave_up: 0 };
        const ctx = { pool: env.pool, redis: env.redis, spec, redisPrefix, stats };
        const result = await closedLoop(requestStream(spec), 32, 60, (req) => baseline.decide(ctx, req, randomUUID()));
        expect(result.completed).toBe(true);
        expect(result.lost).toBe(0);
        expect(result.held + result.rejected).toBe(spec.requests);
        expect(result.held).toBeGreaterThan(0);
        expect(await baselineOversold(env.pool, spec, baseline.name)).toBe(0);
        const { rows } = await env.pool.query('SELECT COALESCE(sum(quantity), 0)::int AS sold FROM bench_bookings');
        expect(rows[0].sold).toBeLessThanOrEqual(spec.capacity);
      });
    }
  }

  it('the oversold check catches a seat held twice, a seat marked without a booking, and units beyond capacity', async () => {
    const [ga, reserved] = small;
    await resetBaselineTables(env.pool, reserved!);
    await env.pool.query(
      `UPDATE bench_seats SET status = 'held', booking_id = 'b1' WHERE id IN (SELECT id FROM bench_seats ORDER BY rank LIMIT 2)`,
    );
    await env.pool.query(
      `INSERT INTO bench_bookings (id, user_id, quantity, seat_ids) SELECT 'b1', 'u1', 2, array_agg(id) FROM (SELECT id FROM bench_seats ORDER BY rank LIMIT 2) s`,
    );
    expect(await baselineOversold(env.pool, reserved!, 'skip_locked')).toBe(0);
    // The same seat in a second booking.
    await env.pool.query(
      `INSERT INTO bench_bookings (id, user_id, quantity, seat_ids) SELECT 'b2', 'u2', 1, array_agg(id) FROM (SELECT id FROM bench_seats ORDER BY rank LIMIT 1) s`,
    );
    expect(await baselineOversold(env.pool, reserved!, 'skip_locked')).toBeGreaterThan(0);
    await env.pool.query(`DELETE FROM bench_bookings WHERE id = 'b2'`);
    // A seat marked held with no booking naming it.
    await env.pool.query(`UPDATE bench_seats SET status = 'held', booking_id = 'ghost' WHERE rank = 10`);
    expect(await baselineOversold(env.pool, reserved!, 'skip_locked')).toBeGreaterThan(0);

    await resetBaselineTables(env.pool, ga!);
    await env.pool.query(`UPDATE bench_ga SET remaining = 0`);
    await env.pool.query(
      `INSERT INTO bench_bookings (id, user_id, quantity) VALUES ('g1', 'u1', $1), ('g2', 'u2', 1)`,
      [ga!.capacity],
    );
    expect(await baselineOversold(env.pool, ga!, 'conditional_update')).toBeGreaterThan(0);
  });
});

describe('crowd benchmark parts (issue 10)', () => {
  it('parses /proc/<pid>/stat, also with spaces and parentheses in the name', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    const line =
      '4242 (my (odd) proc) S 17 4242 4242 0 -1 4194560 900 0 3 0 1234 567 0 0 20 0 11 0 1000 123456789 2048 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ pid: 4242, comm: 'my (odd) proc', ppid: 17, ticks: 1234 + 567 });
    expect(() => parseProcStat('garbage')).toThrow();
    expect(parseRssBytes('Name:\tnode\nVmRSS:\t  123456 kB\nThreads: 11\n')).toBe(123456 * 1024);
    expect(parseRssBytes('Name:\tzombie\n')).toBeNull();
    const me = readAllStats().find((st) => st.pid === process.pid);
    expect(me?.ppid).toBe(process.ppid);
    expect(rssOf(process.pid)).toBeGreaterThan(1024 * 1024);
  });

  it('sums a role over its processes and their descendants, services by name, PostgreSQL only through its filter', () => {
    const st = (pid: number, ppid: number, comm: string, ticks: number): ProcStat => ({ pid, ppid, comm, ticks });
    const stats = [
      st(100, 1, 'node', 10), // ingress primary
      st(101, 100, 'node', 20), // its cluster workers
      st(102, 101, 'node', 5),
      st(200, 1, 'node', 7), // notifier
      st(300, 1, 'beam.smp', 40),
      st(301, 1, 'postgres', 3), // this run's backend
      st(302, 1, 'postgres', 50), // someone else's
      st(303, 1, 'redis-server', 9),
      st(400, 1, 'node', 1000), // unrelated
    ];
    const services = { 'beam.smp': 'rabbitmq', postgres: 'postgresql', 'redis-server': 'redis' };
    const t = ticksByRole(stats, { ingress: [100], notifier: [200] }, services, (pid) => pid === 301);
    expect(t).toEqual({ ingress: 35, notifier: 7, rabbitmq: 40, postgresql: 3, redis: 9 });
    // 10 ms ticks: 35 → 45 ticks over 4 bookings is 25,000 µs each; a role absent before counts from 0.
    expect(microsPer({ ingress: 35 }, { ingress: 45, worker: 2 }, 4)).toEqual({ ingress: 25_000, worker: 5_000 });
    expect(microsPer({ ingress: 35 }, { ingress: 45 }, 0)).toEqual({ ingress: 0 });
    // A private RabbitMQ (another test's) exits between the readings: the shared one's difference stands.
    const before = [st(300, 1, 'beam.smp', 40), st(310, 1, 'beam.smp', 5000), st(320, 1, 'node', 9)];
    const after = [st(300, 1, 'beam.smp', 70), st(320, 1, 'postgres', 1), st(330, 1, 'beam.smp', 4)];
    expect(survivors(before, after).map((x) => x.pid)).toEqual([300]); // 320 is another program now
    const roles = (x: ProcStat[]) => ticksByRole(x, {}, services);
    expect(microsPer(roles(survivors(before, after)), roles(after), 1).rabbitmq).toBe((70 - 40 + 4) * 10_000);
  });

  it("reads a real process's CPU as the process itself accounts it", async () => {
    // The child burns CPU until its own accounting says 300 ms, prints it, and waits to be read.
    const code = `const t=process.cpuUsage();while(true){const u=process.cpuUsage(t);if(u.user+u.system>=300000)break;}const u=process.cpuUsage();process.stdout.write(String(u.user+u.system)+"\\n");process.stdin.resume();`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const own = await new Promise<number>((resolve) =>
        child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString()))),
      );
      const ticks = ticksByRole(readAllStats(), { burner: [child.pid!] }).burner!;
      const fromProc = (ticks * 1_000_000) / TICKS_PER_S;
      expect(own).toBeGreaterThanOrEqual(300_000);
      // The kernel counts in 10 ms ticks; the process's own figure is finer. Allow a few ticks either way.
      expect(Math.abs(fromProc - own)).toBeLessThanOrEqual(50_000);
    } finally {
      child.kill();
    }
  });

  const part = (over: Partial<CrowdPart>): CrowdPart => ({
    submitted: 0,
    accepted: 0,
    held: 0,
    rejected: 0,
    refused: 0,
    last_outcome_ms: 0,
    accept_ms: [],
    result_ms: [],
    decided_to_received_ms: [],
    http_errors: {},
    broadcasts_per_watcher: 0,
    silent_watchers: 0,
    disconnects: {},
    lost: 0,
    no_outcome: 0,
    conflicting_outcomes: 0,
    repeated_announcements: 0,
    not_durable_as_announced: 0,
    ...over,
  });

  it('merges the generators: counts add up, the rate is over the longest window, broadcasts are what one watcher saw', () => {
    const a = part({
      submitted: 6,
      accepted: 5,
      held: 3,
      rejected: 1,
      refused: 1,
      last_outcome_ms: 2000,
      accept_ms: [1, 2, 3, 4],
      result_ms: [10, 20, 30, 40],
      http_errors: { '503': 1 },
      broadcasts_per_watcher: 40,
      lost: 1,
      no_outcome: 1,
    });
    const b = part({
      submitted: 4,
      accepted: 4,
      held: 2,
      rejected: 2,
      last_outcome_ms: 4000,
      accept_ms: [100],
      result_ms: [1000],
      decided_to_received_ms: [7],
      http_errors: { '503': 2, timeout: 1 },
      broadcasts_per_watcher: 42,
      silent_watchers: 3,
      disconnects: { 'ping timeout': 2 },
    });
    const m = summarizeCrowd([a, b]);
    expect(m).toMatchObject({
      submitted: 10,
      accepted: 9,
      decided: 8,
      held: 5,
      rejected: 3,
      refused: 1,
      wall_s: 4,
      decided_per_s: 2,
      lost: 1,
      no_outcome: 1,
      broadcasts_per_watcher: 42,
      silent_watchers: 3,
    });
    expect(m.http_errors).toEqual({ '503': 3, timeout: 1 });
    expect(m.disconnects).toEqual({ 'ping timeout': 2 });
    expect(m.result.max_ms).toBe(1000);
    expect(m.accept.p50_ms).toBe(3);
    expect(m.decided_to_received.p99_ms).toBe(7);
    expect(summarizeCrowd([]).decided_per_s).toBe(0);
  });

  it('spreads sockets over generator processes and reads the open-files limit', () => {
    expect(split(10, 3)).toEqual([4, 3, 3]);
    expect(split(2, 4)).toEqual([1, 1, 0, 0]);
    expect(generatorCount(3000)).toBe(2);
    expect(generatorCount(20_000)).toBe(4);
    expect(generatorCount(20_001)).toBe(5);
    const limits =
      'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            20000                20000                files     \n';
    expect(parseOpenFilesLimit(limits)).toBe(20000);
    expect(
      parseOpenFilesLimit(limits.replace('20000                20000', 'unlimited            unlimited')),
    ).toBeNull();
  });

  it("checks issue 10's targets against the floor of the same run", () => {
    const run = (over: Partial<CrowdRunResult>): CrowdRunResult => ({
      ...summarizeCrowd([]),
      bookers: 10,
      watchers: 0,
      generators: 2,
      seconds: 20,
      connected: 10,
      connect_failures: 0,
      watch_failures: 0,
      connect_s: 1,
      oversold: 0,
      cpu_us_per_booking: {},
      cpu_s: {},
      notifier_us_per_broadcast: null,
      notifier_rss_mb_before: null,
      notifier_rss_mb_connected: null,
      notifier_rss_kb_per_socket: null,
      ...over,
    });
    const c: CrowdResults = {
      floor: {
        bookers: 10,
        http_connections: 8,
        seconds: 5,
        requests: 5000,
        requests_per_s: 1000,
        accept: { p50_ms: 1, p99_ms: 2, max_ms: 3 },
        cpu_us_per_request: { bare_express: 500 },
        errors: {},
      },
      sustained: run({ decided: 100, decided_per_s: 600, cpu_us_per_booking: { ingress: 540, notifier: 160 } }),
      with_watchers: run({ watchers: 100, decided: 100, decided_per_s: 400, cpu_us_per_booking: { notifier: 100 } }),
      sockets: {
        ...run({
          watchers: 90,
          connected: 100,
          decided: 10,
          decided_to_received: { p50_ms: 100, p99_ms: 900, max_ms: 950 },
        }),
        sockets_target: 100,
        notifier_open_files_limit: null,
      },
    };
    const byTarget = Object.fromEntries(crowdTargets(c).map((t) => [t.target.replace(/\d+ idle/, 'N idle'), t.met]));
    expect(byTarget).toEqual({
      'crowd: ingress CPU per accepted booking ≤ 1.1× bare Express per request': true, // 540 ≤ 550
      'crowd: notifier CPU per booking ≤ 0.3× bare Express per request': false, // 160 > 150
      'crowd: sustained decided/s ≥ 0.5× bare Express requests/s, oversold 0, lost 0': true,
      'crowd + N idle watchers: notifier CPU per booking ≤ 0.3× bare Express per request': true,
      'crowd + N idle watchers: decided/s ≥ 80 % of the run without': false, // 400 < 480
      '100 sockets on one notifier, every outcome delivered, p99 publish→receipt < 1 s': true,
    });
    c.sockets!.connected = 99;
    c.sustained!.lost = 1;
    const again = crowdTargets(c);
    expect(again.find((t) => t.target.startsWith('100 sockets'))?.met).toBe(false);
    expect(again.find((t) => t.target.startsWith('crowd: sustained'))?.met).toBe(false);
    expect(crowdTargets({})).toEqual([]);
  });
});
