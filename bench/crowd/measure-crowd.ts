import { readFileSync } from 'node:fs';
import { round, type LatencySummary } from '../stats';
import { microsPer } from '../report/proc-stat';
import { dbNameOf } from '../report/cpu-usage';
import { pipelineOversold } from '../report/pipeline-oversold';
import type { BenchIdentity } from '../setup/bench-identity';
import type { BenchEnv } from '../setup/create-bench-env';
import { createReadyEvent } from '../setup/create-ready-event';
import { REPO_ROOT, startRole, stopRole, type RunningRole } from '../setup/roles';
import type { ScenarioSpec } from '../scenarios';
import type { BenchSettings } from '../settings';
import type { CrowdJob } from './crowd-job';
import { runCrowd } from './run-crowd';
import { generatorCount, parseOpenFilesLimit, split, summarizeCrowd } from './summarize-crowd';

export type CrowdPartName = 'crowd' | 'crowd_watchers' | 'crowd_sockets';

export interface FloorResult {
  bookers: number;
  http_connections: number;
  seconds: number;
  requests: number;
  requests_per_s: number;
  accept: LatencySummary;
  /** CPU µs per answered request of the bare Express process (and of the load generators). */
  cpu_us_per_request: Record<string, number>;
  errors: Record<string, number>;
}

export interface CrowdRunResult extends ReturnType<typeof summarizeCrowd> {
  bookers: number;
  watchers: number;
  generators: number;
  seconds: number;
  connected: number;
  connect_failures: number;
  watch_failures: number;
  connect_s: number;
  oversold: number;
  /**
   * CPU µs per accepted booking (a `202`), per role, from /proc/<pid>/stat over the run. Accepted, not
   * decided: a run whose outcomes never arrive still says where the CPU went (with lost 0 they are equal).
   */
  cpu_us_per_booking: Record<string, number>;
  /** CPU seconds per role over the run (the numerator of the above). */
  cpu_s: Record<string, number>;
  /** The notifier's CPU per broadcast one idle watcher received (null without watchers). */
  notifier_us_per_broadcast: number | null;
  notifier_rss_mb_before: number | null;
  notifier_rss_mb_connected: number | null;
  notifier_rss_kb_per_socket: number | null;
}

export interface CrowdSocketsResult extends CrowdRunResult {
  sockets_target: number;
  /** The notifier's open-files limit, which caps the sockets one process can hold here. */
  notifier_open_files_limit: number | null;
}

export interface CrowdResults {
  floor?: FloorResult;
  sustained?: CrowdRunResult;
  with_watchers?: CrowdRunResult;
  sockets?: CrowdSocketsResult;
}

const MB = 2 ** 20;
/** Seconds of the same load before each measured run, not measured. */
const WARMUP_S = 3;

/**
 * Issue 10's front-door measurements in one run: the bare Express floor, then the same crowd of
 * Socket.IO bookers without and with idle watchers of the event, then as many sockets on one
 * notifier as asked for (20,000 in full mode). Each crowd gets its own event and a fresh notifier.
 */
export async function measureCrowd(
  b: BenchIdentity,
  env: BenchEnv,
  s: BenchSettings,
  parts: Set<CrowdPartName>,
  log: (m: string) => void,
): Promise<CrowdResults> {
  const c = s.crowd;
  const out: CrowdResults = {};
  const roles: RunningRole[] = [];
  const dbName = dbNameOf(b.config.DATABASE_URL);
  try {
    const worker = await startRole('booking-workers/main.ts', b.config, 'WORKER_PORT', s.workerEnv);
    roles.push(worker);
    // The per-account limit (30 a minute by default) would refuse a booker's later bookings in a sustained run.
    const ingress = await startRole('ingress/main.ts', b.config, 'PORT', { BOOKING_RATE_LIMIT: '1000000' });
    roles.push(ingress);
    const bare = await startRole('bench/crowd/bare-express.ts', b.config, 'PORT', {}, REPO_ROOT);
    roles.push(bare);

    const newEvent = async () => {
      const capacity = 5_000_000;
      const spec: ScenarioSpec = {
        name: 'ga_hot',
        kind: 'general_admission',
        capacity,
        sections: 0,
        rowsPerSection: 0,
        seatsPerRow: 0,
        requests: 0,
      };
      return (await createReadyEvent(env, b.config.PARTITIONS, spec, undefined, { max_per_user: 1000 })).id;
    };
    const jobsFor = (
      mode: CrowdJob['mode'],
      httpUrl: string,
      notifierUrl: string,
      eventId: string,
      bookers: number,
      watchers: number,
      seconds: number,
    ): CrowdJob[] => {
      // Bookers and idle watchers live in separate processes, as a buyer's tab holds one socket: a
      // booker's result is read by a process that is not also reading thousands of watchers' updates.
      // The bookers are split as in the floor (same processes, same HTTP pool), the watchers added.
      const kb = generatorCount(bookers);
      const kw = watchers > 0 ? generatorCount(watchers, 1) : 0;
      const conns = split(s.http.connections, kb);
      const job = (b_: number, w: number, connections: number): CrowdJob => ({
        mode,
        httpUrl,
        notifierUrl,
        databaseUrl: b.config.DATABASE_URL,
        jwtSecret: b.config.JWT_SECRET,
        eventId,
        bookers: b_,
        watchers: w,
        httpConnections: Math.max(1, connections),
        seconds,
        drainSeconds: c.drainSeconds,
      });
      return [
        ...split(bookers, kb).map((n, i) => job(n, 0, conns[i]!)),
        ...split(watchers, kw).map((n) => job(0, n, 1)),
      ];
    };
    const timeoutS = c.seconds + c.drainSeconds + 600;

    // Every measured run is preceded by the same load for WARMUP_S, not measured: the processes' code
    // is compiled and their caches and pools are filled (a steady state, as in an on-sale's minutes),
    // for the floor and the roles alike.
    const warmUp = (jobs: CrowdJob[]) => runCrowd(jobs, {}, undefined, dbName, timeoutS);

    // 1. The floor: the same clients, body, token and HTTP pool against bare Express.
    const floorEvent = await newEvent();
    await warmUp(jobsFor('floor', bare.url, '', floorEvent, c.bookers, 0, WARMUP_S));
    log(`crowd: bare Express floor, ${c.bookers} clients for ${c.floorSeconds} s`);
    const floorRaw = await runCrowd(
      jobsFor('floor', bare.url, '', floorEvent, c.bookers, 0, c.floorSeconds),
      { bare_express: [bare.child.pid!] },
      undefined,
      dbName,
      timeoutS,
    );
    const f = summarizeCrowd(floorRaw.parts);
    out.floor = {
      bookers: c.bookers,
      http_connections: s.http.connections,
      seconds: c.floorSeconds,
      requests: f.accepted,
      requests_per_s: f.wall_s > 0 ? Math.round(f.accepted / f.wall_s) : 0,
      accept: f.accept,
      cpu_us_per_request: pick(microsPer(floorRaw.ticks_before, floorRaw.ticks_after, f.accepted), [
        'bare_express',
        'load_generator',
      ]),
      errors: f.http_errors,
    };

    const crowdRun = async (
      bookers: number,
      watchers: number,
    ): Promise<{ run: CrowdRunResult; limit: number | null }> => {
      // NOTIFIER_* settings in the bench's environment reach the notifier (to measure a setting's cost).
      const notifierSettings = Object.fromEntries(
        Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('NOTIFIER_') && !!e[1]),
      );
      const notifier = await startRole('notifier/main.ts', b.config, 'NOTIFIER_PORT', notifierSettings);
      roles.push(notifier);
      try {
        const eventId = await newEvent();
        await warmUp(jobsFor('crowd', ingress.url, notifier.url, eventId, bookers, 0, WARMUP_S));
        const limit = openFilesLimit(notifier.child.pid!);
        const raw = await runCrowd(
          jobsFor('crowd', ingress.url, notifier.url, eventId, bookers, watchers, c.seconds),
          { ingress: [ingress.child.pid!], notifier: [notifier.child.pid!], worker: [worker.child.pid!] },
          notifier.child.pid,
          dbName,
          timeoutS,
        );
        const sum = summarizeCrowd(raw.parts);
        const cpu = microsPer(raw.ticks_before, raw.ticks_after, sum.accepted);
        const notifierTicks = (raw.ticks_after.notifier ?? 0) - (raw.ticks_before.notifier ?? 0);
        const connected = raw.ready.reduce((n, r) => n + r.connected, 0);
        const rssKbPerSocket =
          raw.notifier_rss_before !== null && raw.notifier_rss_connected !== null && connected > 0
            ? round((raw.notifier_rss_connected - raw.notifier_rss_before) / 1024 / connected, 1)
            : null;
        const run: CrowdRunResult = {
          ...sum,
          bookers,
          watchers,
          generators: raw.ready.length,
          seconds: c.seconds,
          connected,
          connect_failures: raw.ready.reduce((n, r) => n + r.connect_failures, 0),
          watch_failures: raw.ready.reduce((n, r) => n + r.watch_failures, 0),
          connect_s: round(raw.connect_ms / 1000, 1),
          oversold: await pipelineOversold(env.pool, eventId),
          cpu_us_per_booking: cpu,
          cpu_s: Object.fromEntries(
            Object.entries(microsPer(raw.ticks_before, raw.ticks_after, 1)).map(([k, v]) => [k, round(v / 1e6, 2)]),
          ),
          notifier_us_per_broadcast:
            watchers > 0 && sum.broadcasts_per_watcher > 0
              ? Math.round((notifierTicks * 10_000) / sum.broadcasts_per_watcher)
              : null,
          notifier_rss_mb_before: raw.notifier_rss_before === null ? null : round(raw.notifier_rss_before / MB, 1),
          notifier_rss_mb_connected:
            raw.notifier_rss_connected === null ? null : round(raw.notifier_rss_connected / MB, 1),
          notifier_rss_kb_per_socket: rssKbPerSocket,
        };
        return { run, limit };
      } finally {
        await stopRole(notifier);
        roles.splice(roles.indexOf(notifier), 1);
      }
    };

    if (parts.has('crowd')) {
      log(`crowd: sustained, ${c.bookers} bookers for ${c.seconds} s`);
      out.sustained = (await crowdRun(c.bookers, 0)).run;
    }
    if (parts.has('crowd_watchers')) {
      log(`crowd: sustained, ${c.bookers} bookers + ${c.watchers} idle watchers for ${c.seconds} s`);
      out.with_watchers = (await crowdRun(c.bookers, c.watchers)).run;
    }
    if (parts.has('crowd_sockets')) {
      // One process cannot hold more sockets than its open-files limit (less its own files and connections).
      const limit = openFilesLimit(process.pid);
      const sockets = limit === null ? c.sockets : Math.min(c.sockets, limit - 150);
      log(
        `crowd: ${sockets} sockets on one notifier (${c.bookers} bookers + ${sockets - c.bookers} idle watchers) for ${c.seconds} s${sockets < c.sockets ? `; capped by the open-files limit ${limit}` : ''}`,
      );
      const { run, limit: notifierLimit } = await crowdRun(c.bookers, sockets - c.bookers);
      out.sockets = { ...run, sockets_target: c.sockets, notifier_open_files_limit: notifierLimit };
    }
    return out;
  } finally {
    for (const r of roles.reverse()) await stopRole(r);
  }
}

function pick(o: Record<string, number>, keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, o[k] ?? 0]));
}

function openFilesLimit(pid: number): number | null {
  try {
    return parseOpenFilesLimit(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  } catch {
    return null;
  }
}
