import type { CrowdResults, CrowdRunResult } from '../crowd/measure-crowd';
import type { BenchResults } from './results';

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

/** The issue's targets, checked against this run's figures (reported as they are, met or not). */
export function checkTargets(r: BenchResults): TargetCheck[] {
  const out: TargetCheck[] = [];
  const ga = r.scenarios.ga_hot;
  const rs = r.scenarios.reserved_hot;
  const x = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10) / 10 : Infinity);
  if (ga?.pipeline && ga.baselines.conditional_update) {
    const ratio = x(ga.pipeline.decided_per_s, ga.baselines.conditional_update.decided_per_s);
    out.push({ target: 'ga_hot: pipeline ≥ 10× conditional_update', measured: `${ratio}×`, met: ratio >= 10 });
  }
  if (rs?.pipeline && Object.keys(rs.baselines).length) {
    const [bestName, best] = Object.entries(rs.baselines).sort((a, b) => b[1].decided_per_s - a[1].decided_per_s)[0]!;
    const ratio = x(rs.pipeline.decided_per_s, best.decided_per_s);
    out.push({
      target: 'reserved_hot: pipeline ≥ 4× best baseline',
      measured: `${ratio}× (${bestName})`,
      met: ratio >= 4,
    });
  }
  const ceiling = r.broker_ceiling?.msgs_per_s;
  for (const [name, sc] of Object.entries(r.scenarios)) {
    if (!sc.pipeline) continue;
    if (ceiling) {
      const share = Math.round((sc.pipeline.decided_per_s / ceiling) * 100);
      out.push({ target: `${name}: pipeline ≥ 50 % of broker ceiling`, measured: `${share} %`, met: share >= 50 });
    }
    const pl = sc.pipeline;
    out.push({
      target: `${name}: worker batch p99 < 25 ms (at ${pl.clients} in flight)`,
      measured: `${pl.worker_batch.p99_ms} ms`,
      met: pl.worker_batch.p99_ms < 25,
    });
    // The same target along the latency profile: the highest throughput at which it holds, if any.
    const ok = pl.latency_profile
      .filter((l) => l.worker_batch.p99_ms < 25)
      .sort((a, b) => b.decided_per_s - a.decided_per_s)[0];
    if (pl.latency_profile.length) {
      out.push({
        target: `${name}: worker batch p99 < 25 ms at a lower concurrency (latency profile)`,
        measured: ok
          ? `${ok.worker_batch.p99_ms} ms at ${ok.clients} in flight, ${ok.decided_per_s} decided/s`
          : `not at ${pl.latency_profile.map((l) => `${l.clients} (${l.worker_batch.p99_ms} ms)`).join(', ')}`,
        met: ok !== undefined,
      });
    }
  }
  const bad: string[] = [];
  for (const [name, sc] of Object.entries(r.scenarios)) {
    if (sc.pipeline && (sc.pipeline.oversold || sc.pipeline.lost)) bad.push(`${name}.pipeline`);
    for (const l of sc.pipeline?.latency_profile ?? [])
      if (l.oversold || l.lost) bad.push(`${name}.pipeline@${l.clients}`);
    for (const [b, res] of Object.entries(sc.baselines)) if (res.oversold || res.lost) bad.push(`${name}.${b}`);
  }
  if (r.http_end_to_end && (r.http_end_to_end.oversold || r.http_end_to_end.lost)) bad.push('http_end_to_end');
  const crowdRuns = { sustained: r.crowd?.sustained, with_watchers: r.crowd?.with_watchers, sockets: r.crowd?.sockets };
  for (const [name, run] of Object.entries(crowdRuns)) if (run && (run.oversold || run.lost)) bad.push(`crowd.${name}`);
  const measured =
    Object.values(r.scenarios).some((sc) => sc.pipeline || Object.keys(sc.baselines).length) ||
    r.http_end_to_end !== undefined ||
    r.crowd !== undefined;
  out.push(...crowdTargets(r.crowd));
  if (measured)
    out.push({
      target: 'oversold = 0 and lost = 0 everywhere',
      measured: bad.length ? `not in ${bad.join(', ')}` : 'all 0',
      met: bad.length === 0,
    });
  return out;
}

/** Issue 10's targets: ratios to the bare Express floor measured in the same run. */
export function crowdTargets(c: CrowdResults | undefined): TargetCheck[] {
  const out: TargetCheck[] = [];
  const floorUs = c?.floor?.cpu_us_per_request.bare_express;
  const floorRps = c?.floor?.requests_per_s;
  if (!c || !floorUs || !floorRps) return out;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const notifierBound = (name: string, run: CrowdRunResult) => {
    const us = run.cpu_us_per_booking.notifier ?? 0;
    out.push({
      target: `${name}: notifier CPU per booking ≤ 0.3× bare Express per request`,
      measured: `${us} µs = ${ratio(us, floorUs)}× (floor ${floorUs} µs)`,
      met: us <= 0.3 * floorUs,
    });
  };
  const s = c.sustained;
  if (s) {
    const us = s.cpu_us_per_booking.ingress ?? 0;
    out.push({
      target: 'crowd: ingress CPU per accepted booking ≤ 1.1× bare Express per request',
      measured: `${us} µs = ${ratio(us, floorUs)}× (floor ${floorUs} µs)`,
      met: us <= 1.1 * floorUs,
    });
    notifierBound('crowd', s);
    const clean = s.oversold === 0 && s.lost === 0;
    out.push({
      target: 'crowd: sustained decided/s ≥ 0.5× bare Express requests/s, oversold 0, lost 0',
      measured: `${s.decided_per_s}/s = ${ratio(s.decided_per_s, floorRps)}× (floor ${floorRps}/s), oversold ${s.oversold}, lost ${s.lost}`,
      met: s.decided_per_s >= 0.5 * floorRps && clean,
    });
  }
  const w = c.with_watchers;
  if (w) {
    notifierBound(`crowd + ${w.watchers} idle watchers`, w);
    if (s) {
      out.push({
        target: `crowd + ${w.watchers} idle watchers: decided/s ≥ 80 % of the run without`,
        measured: `${w.decided_per_s}/s vs ${s.decided_per_s}/s = ${Math.round((w.decided_per_s / Math.max(1, s.decided_per_s)) * 100)} %`,
        met: w.decided_per_s >= 0.8 * s.decided_per_s,
      });
    }
  }
  const k = c.sockets;
  if (k) {
    const dropped = Object.values(k.disconnects).reduce((n, v) => n + v, 0);
    out.push({
      target: `${k.sockets_target} sockets on one notifier, every outcome delivered, p99 publish→receipt < 1 s`,
      measured: `${k.connected} connected (${k.connect_failures} failed${k.notifier_open_files_limit ? `, open-files limit ${k.notifier_open_files_limit}` : ''}), ${dropped} dropped during the run, lost ${k.lost}, p99 ${k.decided_to_received.p99_ms} ms`,
      met:
        k.connected >= k.sockets_target &&
        dropped === 0 &&
        k.lost === 0 &&
        k.decided > 0 &&
        k.decided_to_received.p99_ms < 1000,
    });
  }
  return out;
}
