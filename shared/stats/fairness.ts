/**
 * Statistics that check a draw is fair: no correlation between when someone arrived and where they
 * were drawn. Pure functions over plain arrays, used by the draw's tests and unit-tested on their own.
 */

/**
 * Spearman's rank correlation of two rankings of the same n items, each a permutation of `0 … n-1`
 * (no ties): ρ = 1 − 6·Σd² / (n(n² − 1)).
 */
export function spearmanRho(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n !== b.length) throw new RangeError('rankings differ in length');
  if (n < 2) throw new RangeError('need at least two items');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return 1 - (6 * sum) / (n * (n * n - 1));
}

/** The bucket (0 … buckets-1) of rank `r` among `n`, in equal parts. */
export function bucketOf(r: number, n: number, buckets: number): number {
  return Math.min(buckets - 1, Math.floor((r * buckets) / n));
}

export interface ChiSquareResult {
  statistic: number;
  degreesOfFreedom: number;
  /** Probability of a statistic at least this large under independence. */
  pValue: number;
  /** The observed counts: `table[arrival bucket][drawn bucket]`. */
  table: number[][];
}

/**
 * Pearson's chi-square test of independence between the arrival bucket and the drawn bucket of each
 * item (deciles by default): under a uniform draw every cell expects n / buckets², with
 * (buckets − 1)² degrees of freedom.
 */
export function chiSquareBuckets(arrival: readonly number[], drawn: readonly number[], buckets = 10): ChiSquareResult {
  const n = arrival.length;
  if (n !== drawn.length) throw new RangeError('rankings differ in length');
  const table = Array.from({ length: buckets }, () => new Array<number>(buckets).fill(0));
  for (let i = 0; i < n; i++) table[bucketOf(arrival[i]!, n, buckets)]![bucketOf(drawn[i]!, n, buckets)]!++;
  const rows = table.map((r) => r.reduce((s, x) => s + x, 0));
  const cols = table[0]!.map((_, j) => table.reduce((s, r) => s + r[j]!, 0));
  let statistic = 0;
  for (let i = 0; i < buckets; i++) {
    for (let j = 0; j < buckets; j++) {
      const expected = (rows[i]! * cols[j]!) / n;
      if (expected > 0) statistic += (table[i]![j]! - expected) ** 2 / expected;
    }
  }
  const degreesOfFreedom = (buckets - 1) ** 2;
  return { statistic, degreesOfFreedom, pValue: chiSquareSurvival(statistic, degreesOfFreedom), table };
}

/** P(X ≥ x) for X chi-square with `k` degrees of freedom: the regularized upper incomplete gamma Q(k/2, x/2). */
export function chiSquareSurvival(x: number, k: number): number {
  if (x <= 0) return 1;
  return upperGammaQ(k / 2, x / 2);
}

/** ln Γ(z) for z > 0 (Lanczos, g = 7, n = 9; about 15 significant digits). */
export function lnGamma(z: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lnGamma(1 - z);
  const x = z - 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Q(a, x) = Γ(a, x) / Γ(a): the series for x < a + 1, Lentz's continued fraction otherwise. */
function upperGammaQ(a: number, x: number): number {
  const lnPrefix = a * Math.log(x) - x - lnGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - sum * Math.exp(lnPrefix);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(lnPrefix) * h;
}
