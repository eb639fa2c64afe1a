// Mann–Whitney U rank test: is one run's sample of GEMM times shifted against another's?
// Timing samples are skewed (a long tail of preempted iterations), so a rank test that makes no
// normality assumption fits better than a t-test, and it needs only the raw samples we keep.

/** Outcome of a two-sided Mann–Whitney U test. */
export interface MannWhitneyResult {
  /** U of the first sample: how often a value of `a` exceeds one of `b` (ties count 1/2). */
  readonly u: number;
  /** Standard score of U under the null hypothesis, with tie and continuity corrections. */
  readonly z: number;
  /** Two-sided p-value from the normal approximation; 1 when every value is tied. */
  readonly pValue: number;
}

/**
 * Two-sided Mann–Whitney U test with the normal approximation.
 *
 * Ranks the pooled samples (tied values share their average rank), takes
 * U = R_a - n_a (n_a + 1) / 2, and compares it with its null mean n_a n_b / 2 and variance
 * n_a n_b / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1))), where t runs over the sizes of the
 * groups of tied values. A continuity correction of 1/2 moves U towards the mean. The
 * approximation is good from about 8 samples per side; runs keep at least `--min-samples`
 * (10 by default) and usually far more.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const na = a.length;
  const nb = b.length;
  if (na === 0 || nb === 0) throw new RangeError('Mann–Whitney U needs at least one value on each side');
  const pooled = [...a.map((v) => ({ v, fromA: true })), ...b.map((v) => ({ v, fromA: false }))].sort((x, y) => x.v - y.v);
  const n = pooled.length;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && pooled[j + 1]!.v === pooled[i]!.v) j++;
    const t = j - i + 1;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (pooled[k]!.fromA) rankSumA += averageRank;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  const u = rankSumA - (na * (na + 1)) / 2;
  const mean = (na * nb) / 2;
  const variance = ((na * nb) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, pValue: 1 };
  const deviation = u - mean;
  const corrected = Math.sign(deviation) * Math.max(0, Math.abs(deviation) - 0.5);
  const z = corrected / Math.sqrt(variance);
  return { u, z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

/**
 * Complementary error function, relative error below 1.2e-7 everywhere (the Chebyshev fit of
 * Numerical Recipes, `erfcc`): ample for p-values compared with 0.05.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
