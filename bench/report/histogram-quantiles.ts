import { round } from '../stats';

export interface HistogramDelta {
  p50_ms: number;
  p99_ms: number;
  /** Observations between the two scrapes (one per batch). */
  count: number;
  mean_ms: number;
}

/** Cumulative bucket counts of one Prometheus histogram (summed over its label sets), by upper bound. */
function buckets(text: string, metric: string): Map<number, number> {
  const acc = new Map<number, number>();
  for (const m of text.matchAll(new RegExp(`^${metric}_bucket\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const le = /le="([^"]+)"/.exec(m[1]!)?.[1];
    const bound = le === '+Inf' ? Infinity : Number(le);
    acc.set(bound, (acc.get(bound) ?? 0) + Number(m[2]));
  }
  return acc;
}

function sample(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/**
 * p50 / p99 (ms) of what a histogram observed between two scrapes of /metrics, by linear
 * interpolation inside the bucket (as PromQL's histogram_quantile does). Only as fine as the buckets.
 */
export function histogramQuantiles(before: string, after: string, metric: string): HistogramDelta {
  const b = buckets(before, metric);
  const a = buckets(after, metric);
  const bounds = [...a.keys()].sort((x, y) => x - y);
  const counts = bounds.map((le) => (a.get(le) ?? 0) - (b.get(le) ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  const sumS = sample(after, `${metric}_sum`) - sample(before, `${metric}_sum`);
  const q = (p: number): number => {
    if (!total) return 0;
    const rank = p * total;
    for (let i = 0; i < bounds.length; i++) {
      if (counts[i]! < rank) continue;
      const lo = i === 0 ? 0 : bounds[i - 1]!;
      // Above the last finite bound all we know is "more than lo".
      const hi = bounds[i] === Infinity ? lo : bounds[i]!;
      const below = i === 0 ? 0 : counts[i - 1]!;
      const inBucket = counts[i]! - below || 1;
      return round((lo + ((rank - below) / inBucket) * (hi - lo)) * 1000, 2);
    }
    return 0;
  };
  return { p50_ms: q(0.5), p99_ms: q(0.99), count: total, mean_ms: total ? round((sumS / total) * 1000, 2) : 0 };
}
