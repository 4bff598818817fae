import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import pLimit from 'p-limit';
import { pipelineOversold } from '../../../bench/report/pipeline-oversold';
import { Crowd, newTally, type HttpTally, type Tracked } from './crowd';
import { ROOT, sleep, type FaultStack } from './roles';

/** Every fault's latest report, keyed by fault name (a JSON object); `FAULTS_REPORT` overrides. */
export const REPORT_FILE = process.env.FAULTS_REPORT ?? path.join(ROOT, 'bench/results/faults.json');

/** The load each fault runs under. CI-sized by default; `FAULTS_RATE` / `FAULTS_SECONDS` scale it. */
export const LOAD = {
  rate: Number(process.env.FAULTS_RATE ?? 120),
  seconds: Number(process.env.FAULTS_SECONDS ?? 8),
  /** When, after the load starts, the fault is injected, in seconds. */
  faultAt: Number(process.env.FAULTS_AT ?? 3),
  sockets: Number(process.env.FAULTS_SOCKETS ?? 300),
};

const ACTIVE = ['held', 'payment_pending', 'confirmed'];
/**
 * A booking's history only moves forward: decision, then a final state. `held` ⇄ `payment_pending`
 * may alternate (a payment that failed or could not be made puts the booking back on hold).
 */
const RANK: Record<string, number> = {
  queued: 0,
  held: 1,
  rejected: 1,
  failed: 1,
  payment_pending: 1,
  confirmed: 2,
  expired: 2,
  cancelled: 2,
  refunded: 3,
};
const DECISIONS = new Set(['held', 'rejected', 'failed']);

export interface FaultReport {
  fault: string;
  rate_per_s: number;
  load_seconds: number;
  sockets: number;
  http: HttpTally;
  accepted: number;
  /** Accepted bookings with a terminal decision in PostgreSQL, readable over HTTP and pushed over the socket. */
  outcomes: number;
  /** Accepted bookings without a decision in PostgreSQL at the end (or without any row). */
  lost: number;
  /** Accepted bookings decided in PostgreSQL but never pushed to their socket. */
  unpushed: number;
  /** Seats or GA units sold beyond inventory or twice (PostgreSQL). */
  doubled: number;
  /** Bookings in PostgreSQL that no client was ever given (answered 503 / lost connection, yet queued). */
  ghosts: number;
  /** Bookings pushed two different decisions, or pushed a state older than one already pushed. */
  regressions: number;
  regression_examples: Array<{ booking_id: string; pushed: string[] }>;
  /** Bookings whose last push or HTTP answer disagrees with PostgreSQL. */
  mismatched: number;
  watch_failures: Record<string, number>;
  /** First and last send time of the requests that hung, in s relative to the fault (null: none). */
  hangs_sent_s_after_fault: [number, number] | null;
  /** Longest event-loop stall of the test process itself during the load (a starved client). */
  client_loop_lag_max_ms: number;
  /** How long the fault kept the service down (what the test imposed), in ms. */
  outage_ms: number;
  /** From the fault until a request sent after the service was back got its pushed outcome, in ms. */
  recovery_ms: number | null;
  /** Longest time between two consecutive first outcomes pushed, in ms (what a buyer waits extra). */
  max_outcome_gap_ms: number;
  restarts: Record<string, number>;
}

export interface FaultOptions {
  name: string;
  stack: FaultStack;
  crowd: Crowd;
  pool: pg.Pool;
  /** Injects the fault and resolves once the service is back (the outage is over). */
  inject: () => Promise<void>;
  /** Events the load goes to (fresh ones per fault, so every check is per fault). */
  events: string[];
  decideTimeoutMs?: number;
  /** Runs once every request is decided, before the checks (e.g. wait for payments to settle). */
  settle?: () => Promise<void>;
}

/** Creates a reserved event (sections of seats) and a general-admission one, smaller than the demand. */
export async function createEvents(
  stack: FaultStack,
  tag: string,
  extra: { hold_seconds?: number } = {},
): Promise<string[]> {
  const token = (await import('../../../shared/auth')).signToken(stack.env.JWT_SECRET!, {
    user_id: 'organizer-faults',
    role: 'organizer',
  });
  const bodies = [
    {
      name: `Faults ${tag} reserved`,
      max_per_user: 6,
      sections: [
        { name: 'A', rows: 10, seats_per_row: 25, price: 80 },
        { name: 'B', rows: 10, seats_per_row: 25, price: 50 },
      ],
    },
    { name: `Faults ${tag} GA`, max_per_user: 6, general_admission: { capacity: 400, price: 30 } },
  ];
  const ids: string[] = [];
  for (const b of bodies) {
    const res = await fetch(`${stack.baseUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ starts_at: new Date(Date.now() + 86_400_000).toISOString(), ...extra, ...b }),
    });
    if (res.status !== 201) throw new Error(`create event: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 1 });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM events WHERE id = ANY($1) AND inventory_ready',
        [ids],
      );
      if (rows[0]!.n === ids.length) return ids;
      if (Date.now() > deadline) throw new Error('events never became ready');
      await sleep(200);
    }
  } finally {
    await pool.end();
  }
}

/**
 * Runs the moderate load, injects the fault `LOAD.faultAt` seconds in, waits for every accepted
 * request to be decided, then checks invariants 1–3 from PostgreSQL, HTTP and the sockets, and
 * writes one report line.
 */
export async function runFault(o: FaultOptions): Promise<FaultReport> {
  const tally = newTally();
  const loadStart = Date.now();
  // The test process shares two cores with everything it starts: its own event-loop lag says how far
  // its timings (and its "hang" timeout) can be trusted.
  const lag = monitorEventLoopDelay({ resolution: 50 });
  lag.enable();
  let injectedAt = 0;
  let restoredAt = 0;
  const fault = (async () => {
    await sleep(LOAD.faultAt * 1000);
    injectedAt = Date.now();
    await o.inject();
    restoredAt = Date.now();
  })();
  const restartsBefore = Object.fromEntries(Object.values(o.stack.roles).map((r) => [r.name, r.restarts.length]));
  // The load goes on until 3 s after the service is back, so recovery is measured on fresh requests.
  const until = () => restoredAt > 0 && Date.now() > restoredAt + 3000;
  await Promise.all([o.crowd.load({ events: o.events, rate: LOAD.rate, seconds: LOAD.seconds, tally, until }), fault]);
  await o.stack.allReady();
  lag.disable();

  // Every accepted request must be decided in PostgreSQL and pushed.
  const accepted = () => o.crowd.bookings(o.events);
  const undecided = async () => {
    const ids = accepted().map((t) => t.id);
    const { rows } = await o.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM bookings WHERE id = ANY($1::uuid[]) AND status NOT IN ('queued')`,
      [ids],
    );
    return ids.length - rows[0]!.n;
  };
  const deadline = Date.now() + (o.decideTimeoutMs ?? 90_000);
  while ((await undecided()) > 0 && Date.now() < deadline) await sleep(500);
  const pushDeadline = Date.now() + 20_000;
  while (accepted().some((t) => t.pushes.length === 0) && Date.now() < pushDeadline) await sleep(250);
  await o.settle?.();
  await sleep(500); // a late duplicate or an out-of-order push would arrive now

  const list = accepted();
  const { rows } = await o.pool.query<{
    id: string;
    status: string;
    seat_ids: string[] | null;
    quantity: number | null;
  }>('SELECT id, status, seat_ids, quantity FROM bookings WHERE event_id = ANY($1::uuid[])', [o.events]);
  const db = new Map(rows.map((r) => [r.id, r]));
  const known = new Set(list.map((t) => t.id));
  const ghosts = rows.filter((r) => !known.has(r.id)).length;
  let lost = 0;
  let unpushed = 0;
  let regressions = 0;
  let mismatched = 0;
  let outcomes = 0;
  const regressionExamples: Array<{ booking_id: string; pushed: string[] }> = [];
  const limit = pLimit(16);
  await Promise.all(
    list.map((t) =>
      limit(async () => {
        const row = db.get(t.id);
        if (!row || row.status === 'queued') {
          lost++;
          return;
        }
        if (t.pushes.length === 0) {
          unpushed++;
          return;
        }
        if (!monotonic(t)) {
          regressions++;
          if (regressionExamples.length < 5)
            regressionExamples.push({ booking_id: t.id, pushed: t.pushes.map((p) => p.status) });
        }
        const last = t.pushes[t.pushes.length - 1]!;
        const http = await fetch(`${o.stack.baseUrl}/v1/bookings/${t.id}`, {
          headers: { authorization: `Bearer ${o.crowd.token(t.user)}` },
        });
        const body = http.ok ? ((await http.json()) as { status: string }) : null;
        const seatsAgree =
          !ACTIVE.includes(row.status) ||
          JSON.stringify([...(last.seats ?? [])].sort()) === JSON.stringify([...(row.seat_ids ?? [])].sort()) ||
          row.seat_ids === null;
        if (last.status !== row.status || body?.status !== row.status || !seatsAgree) mismatched++;
        else outcomes++;
      }),
    ),
  );
  let doubled = 0;
  for (const e of o.events) doubled += await pipelineOversold(o.pool, e);

  const firstPushes = list.flatMap((t) => (t.pushes[0] ? [t.pushes[0].at] : [])).sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < firstPushes.length; i++) gap = Math.max(gap, firstPushes[i]! - firstPushes[i - 1]!);
  const after = list.filter((t) => t.submittedAt >= restoredAt && t.pushes[0]).map((t) => t.pushes[0]!.at);
  const report: FaultReport = {
    fault: o.name,
    rate_per_s: LOAD.rate,
    load_seconds: LOAD.seconds,
    sockets: o.crowd.users.length,
    http: tally,
    accepted: list.length,
    outcomes,
    lost,
    unpushed,
    doubled,
    ghosts,
    regressions,
    regression_examples: regressionExamples,
    mismatched,
    watch_failures: { ...o.crowd.watchFailures },
    client_loop_lag_max_ms: Math.round(lag.max / 1e6),
    hangs_sent_s_after_fault: hangWindow(tally.hangSentAt, injectedAt),
    outage_ms: restoredAt - injectedAt,
    recovery_ms: after.length ? Math.min(...after) - injectedAt : null,
    max_outcome_gap_ms: gap,
    restarts: Object.fromEntries(
      Object.values(o.stack.roles).map((r) => [r.name, r.restarts.length - restartsBefore[r.name]!]),
    ),
  };
  o.crowd.resetWatchFailures();
  // Files run one after another, so a read-modify-write of the one report file is safe.
  mkdirSync(path.dirname(REPORT_FILE), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(REPORT_FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    /* first fault of the run */
  }
  all[report.fault] = { at: new Date(loadStart).toISOString(), ...report };
  writeFileSync(REPORT_FILE, `${JSON.stringify(all, null, 2)}\n`);
  process.stdout.write(`${line(report)}\n`);
  return report;
}

function hangWindow(sentAt: number[], injectedAt: number): [number, number] | null {
  if (!sentAt.length) return null;
  const rel = sentAt.map((t) => Math.round((t - injectedAt) / 100) / 10);
  return [Math.min(...rel), Math.max(...rel)];
}

function monotonic(t: Tracked): boolean {
  const decisions = new Set(t.pushes.map((p) => p.status).filter((s) => DECISIONS.has(s)));
  if (decisions.size > 1) return false;
  for (let i = 1; i < t.pushes.length; i++)
    if ((RANK[t.pushes[i]!.status] ?? 0) < (RANK[t.pushes[i - 1]!.status] ?? 0)) return false;
  return true;
}

/** `fault: accepted N, outcomes N, lost N, doubled N, recovery N ms` */
export function line(r: FaultReport): string {
  const http = Object.entries(r.http.statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  return (
    `[fault] ${r.fault}: accepted ${r.accepted}, outcomes ${r.outcomes}, lost ${r.lost}, unpushed ${r.unpushed}, doubled ${r.doubled}, ghosts ${r.ghosts}, ` +
    `regressions ${r.regressions}${r.regressions ? ` e.g. ${JSON.stringify(r.regression_examples[0]?.pushed)}` : ''}, mismatched ${r.mismatched}; outage ${r.outage_ms} ms, recovery ${r.recovery_ms ?? '–'} ms, longest outcome gap ${r.max_outcome_gap_ms} ms; ` +
    `http ${http}; generator skipped ${r.http.skipped} (client loop lag max ${r.client_loop_lag_max_ms} ms); hangs ${r.http.hangs}${r.hangs_sent_s_after_fault ? ` (sent ${r.hangs_sent_s_after_fault.join('…')} s after the fault)` : ''}, unexplained 5xx ${r.http.unexplained5xx}, 503 w/o Retry-After ${r.http.unavailableWithoutRetryAfter}, ` +
    `network errors ${r.http.networkErrors} ${JSON.stringify(r.http.networkErrorCauses)}, unresolved ${r.http.unresolved}; watch failures ${JSON.stringify(r.watch_failures)}; restarts ${JSON.stringify(r.restarts)}`
  );
}

export { Crowd };
