// Welch's t-test on log times, for compare's fork-level significance: each fork median is one
// independent observation of a kernel's speed in a fresh isolate, so when both runs have enough
// forks the test uses them instead of the raw samples, whose between-fork variance the
// Mann-Whitney U test cannot see (issue #15: four processes gave 1.59 to 2.24 ms).

export interface WelchResult {
  readonly t: number;
  readonly df: number;
  /** Two-sided p-value. */
  readonly pValue: number;
}

function meanVar(v: readonly number[]): { mean: number; variance: number } {
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const variance = v.length > 1 ? v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1) : 0;
  return { mean, variance };
}

/** Welch's unequal-variance t-test of mean(log a) vs mean(log b); needs two values per side. */
export function welchLogTest(a: readonly number[], b: readonly number[]): WelchResult {
  if (a.length < 2 || b.length < 2) throw new RangeError("Welch's t-test needs at least two values on each side");
  const A = meanVar(a.map(Math.log));
  const B = meanVar(b.map(Math.log));
  const sa = A.variance / a.length;
  const sb = B.variance / b.length;
  const se2 = sa + sb;
  if (!(se2 > 0)) return { t: 0, df: a.length + b.length - 2, pValue: A.mean === B.mean ? 1 : 0 };
  const t = (B.mean - A.mean) / Math.sqrt(se2);
  const df = (se2 * se2) / ((sa * sa) / (a.length - 1) + (sb * sb) / (b.length - 1));
  return { t, df, pValue: studentTwoSided(t, df) };
}

/** P(|T| > |t|) for Student's t with df degrees of freedom: I_{df/(df+t^2)}(df/2, 1/2). */
export function studentTwoSided(t: number, df: number): number {
  return Math.min(1, regularizedBeta(df / (df + t * t), df / 2, 0.5));
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), relative error < 1e-13 for x > 0.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let s = c[0]!;
  for (let i = 1; i < 9; i++) s += c[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Regularized incomplete beta I_x(a, b) by its continued fraction (Numerical Recipes, betacf). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(1 - x, b, a);
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-12) break;
  }
  return (front * h) / a;
}
