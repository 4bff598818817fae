import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestIds, drawOrder, drawPermutation, SeededWords } from '../../booking-workers/allocator/draw';
import { bucketOf, chiSquareBuckets, chiSquareSurvival, lnGamma, spearmanRho } from '../../shared/stats/fairness';

describe('fairness statistics', () => {
  it('Spearman ρ is 1 for the same order, −1 for the reverse and near 0 for a shuffle', () => {
    const id = Array.from({ length: 100 }, (_, i) => i);
    expect(spearmanRho(id, id)).toBe(1);
    expect(spearmanRho(id, [...id].reverse())).toBe(-1);
    // Hand-computed: d = (1, -1, 0) → Σd² = 2 → 1 − 12 / 24 = 0.5
    expect(spearmanRho([0, 1, 2], [1, 0, 2])).toBeCloseTo(0.5, 12);
    expect(() => spearmanRho([0, 1], [0])).toThrow(RangeError);
  });

  it('chi-square survival matches tabulated values', () => {
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    // Critical values from standard tables.
    expect(chiSquareSurvival(3.841, 1)).toBeCloseTo(0.05, 3);
    expect(chiSquareSurvival(6.635, 1)).toBeCloseTo(0.01, 3);
    expect(chiSquareSurvival(21.666, 9)).toBeCloseTo(0.01, 3);
    expect(chiSquareSurvival(113.512, 81)).toBeCloseTo(0.01, 3);
    expect(chiSquareSurvival(80.334, 81)).toBeCloseTo(0.5, 2);
    expect(chiSquareSurvival(0, 81)).toBe(1);
  });

  it('chi-square of deciles rejects the identity and a reversal, and counts every item once', () => {
    const n = 1000;
    const id = Array.from({ length: n }, (_, i) => i);
    const same = chiSquareBuckets(id, id);
    expect(same.degreesOfFreedom).toBe(81);
    expect(same.pValue).toBeLessThan(1e-10);
    expect(same.table.flat().reduce((s, x) => s + x, 0)).toBe(n);
    expect(same.table[3]![3]).toBe(100);
    expect(chiSquareBuckets(id, [...id].reverse()).pValue).toBeLessThan(1e-10);
    expect(bucketOf(999, 1000, 10)).toBe(9);
    expect(bucketOf(100, 1000, 10)).toBe(1);
  });
});

describe('the draw', () => {
  it('is a permutation, deterministic in its seed, and different for another seed', () => {
    const seed = Buffer.alloc(32, 7);
    const p = drawPermutation(seed, 1000);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(drawPermutation(seed, 1000)).toEqual(p);
    expect(drawPermutation(Buffer.alloc(32, 8), 1000)).not.toEqual(p);
    expect(drawPermutation(seed, 0)).toEqual([]);
    expect(drawPermutation(seed, 1)).toEqual([0]);
  });

  it('draws uniformly: every one of the 6 orders of 3 about equally often', () => {
    const counts = new Map<string, number>();
    const trials = 6000;
    for (let t = 0; t < trials; t++) {
      const key = drawPermutation(randomBytes(32), 3).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    // Chi-square goodness of fit with 5 degrees of freedom: not rejected at 0.1 %.
    const stat = [...counts.values()].reduce((s, o) => s + (o - 1000) ** 2 / 1000, 0);
    expect(chiSquareSurvival(stat, 5)).toBeGreaterThan(0.001);
  });

  it('samples below a bound without modulo bias', () => {
    const rng = new SeededWords(Buffer.alloc(32, 1));
    const seen = new Array<number>(3).fill(0);
    for (let i = 0; i < 3000; i++) seen[rng.below(3)]!++;
    for (const s of seen) expect(s).toBeGreaterThan(850);
  });

  it('gives the drawn entries the waiting room’s own sequence numbers in drawn order, with digests an auditor can recompute', () => {
    const entries = [5, 2, 9, 3].map((seq) => ({ bookingId: `b${seq}`, seq }));
    const seed = Buffer.alloc(32, 3);
    const r = drawOrder(seed, entries);
    expect(r.drawn.map((d) => d.seq)).toEqual([2, 3, 5, 9]);
    expect(r.drawn.map((d) => d.arrivalSeq).sort((a, b) => a - b)).toEqual([2, 3, 5, 9]);
    for (const d of r.drawn) expect(d.bookingId).toBe(`b${d.arrivalSeq}`);
    expect(r.inputDigest).toBe(digestIds(['b2', 'b3', 'b5', 'b9']));
    expect(r.orderDigest).toBe(digestIds(r.drawn.map((d) => d.bookingId)));
    // Recomputed from the seed and the arrival order alone.
    const perm = drawPermutation(seed, 4);
    expect(r.drawn.map((d) => d.bookingId)).toEqual(perm.map((i) => ['b2', 'b3', 'b5', 'b9'][i]));
  });
});
