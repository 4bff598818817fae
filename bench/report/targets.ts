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
    out.push({ target: 'reserved_hot: pipeline ≥ 4× best baseline', measured: `${ratio}× (${bestName})`, met: ratio >= 4 });
  }
  const ceiling = r.broker_ceiling?.msgs_per_s;
  for (const [name, sc] of Object.entries(r.scenarios)) {
    if (!sc.pipeline) continue;
    if (ceiling) {
      const share = Math.round((sc.pipeline.decided_per_s / ceiling) * 100);
      out.push({ target: `${name}: pipeline ≥ 50 % of broker ceiling`, measured: `${share} %`, met: share >= 50 });
    }
    const pl = sc.pipeline;
    out.push({ target: `${name}: worker batch p99 < 25 ms (at ${pl.clients} in flight)`, measured: `${pl.worker_batch.p99_ms} ms`, met: pl.worker_batch.p99_ms < 25 });
    // The same target along the latency profile: the highest throughput at which it holds, if any.
    const ok = pl.latency_profile.filter((l) => l.worker_batch.p99_ms < 25).sort((a, b) => b.decided_per_s - a.decided_per_s)[0];
    if (pl.latency_profile.length) {
      out.push({
        target: `${name}: worker batch p99 < 25 ms at a lower concurrency (latency profile)`,
        measured: ok ? `${ok.worker_batch.p99_ms} ms at ${ok.clients} in flight, ${ok.decided_per_s} decided/s` : `not at ${pl.latency_profile.map((l) => `${l.clients} (${l.worker_batch.p99_ms} ms)`).join(', ')}`,
        met: ok !== undefined,
      });
    }
  }
  const bad: string[] = [];
  for (const [name, sc] of Object.entries(r.scenarios)) {
    if (sc.pipeline && (sc.pipeline.oversold || sc.pipeline.lost)) bad.push(`${name}.pipeline`);
    for (const l of sc.pipeline?.latency_profile ?? []) if (l.oversold || l.lost) bad.push(`${name}.pipeline@${l.clients}`);
    for (const [b, res] of Object.entries(sc.baselines)) if (res.oversold || res.lost) bad.push(`${name}.${b}`);
  }
  if (r.http_end_to_end && (r.http_end_to_end.oversold || r.http_end_to_end.lost)) bad.push('http_end_to_end');
  const measured = Object.values(r.scenarios).some((sc) => sc.pipeline || Object.keys(sc.baselines).length) || r.http_end_to_end !== undefined;
  if (measured) out.push({ target: 'oversold = 0 and lost = 0 everywhere', measured: bad.length ? `not in ${bad.join(', ')}` : 'all 0', met: bad.length === 0 });
  return out;
}
