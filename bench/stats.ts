/** Small statistics helpers shared by the orchestrator and the load generator. */

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round(sorted[idx]!);
}

export interface LatencySummary {
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** p50 / p99 / max of latencies in ms (sorts a copy as a Float64Array: fast for 50k samples). */
export function summarize(latencies: number[]): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  return {
    p50_ms: percentile(sorted, 50),
    p99_ms: percentile(sorted, 99),
    max_ms: round(sorted[sorted.length - 1] ?? 0),
  };
}
