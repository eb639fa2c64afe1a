// Summary statistics of per-GEMM times, computed from raw samples so rounds can be pooled.

import type { ForkStats, TimingStats } from './schema.js';

/** Raw samples kept per measurement (a uniform random subset beyond that): enough for rank tests, small enough for the JSON. */
export const MAX_KEPT_SAMPLES = 500;

/** Linear-interpolated quantile of sorted values, q in [0, 1]. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Two-sided 95% Student t critical value (df >= 30 uses the normal value). */
function tCritical95(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
    2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045];
  return df >= 30 ? 1.96 : table[Math.max(1, df) - 1]!;
}

/** mulberry32: a small seeded generator, so the same samples always keep the same subsample. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A uniform random subset of `max` samples in their original order (selection sampling, Knuth's
 * Algorithm S), seeded deterministically. Unlike evenly spaced order statistics, it is a sample
 * of the raw times, so rank tests on it (compare's Mann-Whitney) keep their meaning, and time
 * order (drift, warm-up) stays visible.
 */
export function subsample(samples: readonly number[], max: number, seed = 0x5eed): number[] {
  if (samples.length <= max) return [...samples];
  const random = mulberry32(seed ^ samples.length);
  const out: number[] = [];
  for (let i = 0; i < samples.length && out.length < max; i++) {
    if (random() * (samples.length - i) < max - out.length) out.push(samples[i]!);
  }
  return out;
}

/** Nanosecond resolution: the timer's own, and it keeps results files short. */
function ns(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}

function forkStats(f: readonly number[]): ForkStats {
  const sorted = [...f].sort((a, b) => a - b);
  return { samples: f.length, medianMs: ns(quantile(sorted, 0.5)), p25Ms: ns(quantile(sorted, 0.25)), p75Ms: ns(quantile(sorted, 0.75)) };
}

/** The median of unsorted values. */
export function medianOf(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/** (max - min) / pooled median of the medians of raw per-fork samples; 0 with fewer than two forks. */
export function forkMedianSpread(forks: readonly (readonly number[])[]): number {
  const used = forks.filter((f) => f.length > 0);
  if (used.length < 2) return 0;
  const medians = used.map(medianOf);
  const pooled = medianOf(used.flat());
  return pooled > 0 ? (Math.max(...medians) - Math.min(...medians)) / pooled : 0;
}

/**
 * The forks (indices into `forks`, in run order) of the largest group holding a strict majority
 * whose medians agree: they span at most FORK_DISAGREEMENT of the median of the group's pooled
 * samples, the very test noiseReasons applies to a timing's forks. Undefined when no majority
 * agrees (two forks that disagree have none). A group that agrees is a run of neighbours in
 * median order, so only those runs are tried; of two that qualify, the tighter one wins.
 */
export function agreeingMajority(forks: readonly (readonly number[])[]): number[] | undefined {
  const used = forks.map((f, i) => ({ i, f, median: f.length > 0 ? medianOf(f) : NaN })).filter((x) => x.f.length > 0);
  const byMedian = [...used].sort((a, b) => a.median - b.median);
  const n = byMedian.length;
  if (n === 0) return undefined;
  for (let size = n; size > n / 2; size--) {
    let best: { span: number; group: typeof byMedian } | undefined;
    for (let start = 0; start + size <= n; start++) {
      const group = byMedian.slice(start, start + size);
      const pooled = medianOf(group.flatMap((g) => g.f));
      const span = pooled > 0 ? (group[size - 1]!.median - group[0]!.median) / pooled : 0;
      if (span <= FORK_DISAGREEMENT && (best === undefined || span < best.span)) best = { span, group };
    }
    if (best) return best.group.map((g) => g.i).sort((a, b) => a - b);
  }
  return undefined;
}

/** Which forks a timing pools (indices into its forks), and which it sets aside for a slow spell. */
export interface ForkChoice {
  /** Undefined: no majority agrees, so every fork is pooled (and the timing is flagged). */
  readonly pooled: number[] | undefined;
  /** Forks set aside because they ran in a slow spell of the machine (see poolForks). */
  readonly spellAside: number[];
}

/**
 * The forks a timing pools. When every fork agrees, all of them. When they disagree and some
 * ran in a slow spell of the machine (`spell[i]`: its speed probe ran well above the run's
 * usual, see sweep.ts) while others did not, the agreeing majority of the forks that did not,
 * the spell forks set aside whatever their number: the probe says which forks saw the machine
 * at its usual speed, where a vote would pick whichever mode more forks happened to meet (on
 * this project's VM, host spells slow the probe 1.2-1.3x and a 1.16 ms kernel to 1.44-1.60 ms
 * for seconds at a time, covering two forks of one run as easily as one). Otherwise the agreeing
 * majority of all forks (agreeingMajority).
 */
export function poolForks(forks: readonly (readonly number[])[], spell: readonly boolean[] = []): ForkChoice {
  const idx = forks.map((_, i) => i).filter((i) => forks[i]!.length > 0);
  const all = agreeingMajority(idx.map((i) => forks[i]!))?.map((j) => idx[j]!);
  if (all !== undefined && all.length === idx.length) return { pooled: all, spellAside: [] };
  const clean = idx.filter((i) => spell[i] !== true);
  const spelled = idx.filter((i) => spell[i] === true);
  if (spelled.length > 0 && clean.length > 0) {
    const m = agreeingMajority(clean.map((i) => forks[i]!));
    if (m) return { pooled: m.map((j) => clean[j]!), spellAside: spelled };
  }
  return { pooled: all, spellAside: [] };
}

/**
 * The forks a timing's statistics pool (`kept`): poolForks' choice, or with no majority every
 * fork with samples; and the forks it set aside for a slow spell. summarizeForks and the
 * runner's probe statistics both pool these.
 */
export function keptForks(forks: readonly (readonly number[])[], spell: readonly boolean[] = []): { kept: number[]; spellAside: number[] } {
  const choice = poolForks(forks, spell);
  return { kept: choice.pooled ?? forks.map((_, i) => i).filter((i) => forks[i]!.length > 0), spellAside: choice.spellAside };
}

/**
 * Statistics of a measurement made in forks (fresh isolates). The pooled figures are over every
 * sample of the forks poolForks keeps: the forks whose medians agree in a majority
 * (agreeingMajority), after setting aside forks that ran in a slow spell of the machine when
 * the forks disagree; a fork outside it ran in another mode of its isolate (JIT tier, code
 * placement) or of the machine and is kept, with its own median and quartiles, in
 * `setAsideForks` (with `slowSpell`, the spell's probe factor, for the latter), out of the pooled
 * figures: mixed in, it would move the median by about half the majority's IQR, widen the IQR
 * and make the samples bimodal. With no majority, every fork is pooled (and the timing is
 * flagged: forks disagree). `extraForks`: how many of the forks were run beyond the planned
 * ones because the planned ones disagreed. `spellFactor[i]`: fork i's probe factor, when it ran
 * in a slow spell.
 */
export function summarizeForks(forks: readonly (readonly number[])[], callsPerSample = 1, extraForks = 0, spellFactor: readonly (number | undefined)[] = []): TimingStats {
  const idx = forks.map((_, i) => i).filter((i) => forks[i]!.length > 0);
  const { kept, spellAside } = keptForks(forks, forks.map((_, i) => spellFactor[i] !== undefined));
  const all: number[] = [];
  for (const i of kept) for (const v of forks[i]!) all.push(v);
  const pooled = summarize(all);
  const setAside = idx
    .filter((i) => !kept.includes(i))
    .map((i) => (spellAside.includes(i) ? { ...forkStats(forks[i]!), slowSpell: Math.round(spellFactor[i]! * 1000) / 1000 } : forkStats(forks[i]!)));
  return {
    ...pooled,
    forks: kept.map((i) => forkStats(forks[i]!)),
    ...(setAside.length > 0 ? { setAsideForks: setAside } : {}),
    ...(extraForks > 0 ? { extraForks } : {}),
    ...(callsPerSample > 1 ? { callsPerSample } : {}),
  };
}

export function summarize(samples: readonly number[]): TimingStats {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const median = quantile(sorted, 0.5);
  const variance = n > 1 ? sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  const sem = Math.sqrt(variance / n);
  const deviations = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  return {
    samples: n,
    medianMs: ns(median),
    meanMs: ns(mean),
    p25Ms: ns(quantile(sorted, 0.25)),
    p75Ms: ns(quantile(sorted, 0.75)),
    minMs: ns(sorted[0]!),
    maxMs: ns(sorted[n - 1]!),
    madMs: ns(quantile(deviations, 0.5)),
    rmePercent: mean > 0 ? (100 * sem * tCritical95(n - 1)) / mean : 0,
    sampleMs: subsample(samples, MAX_KEPT_SAMPLES).map(ns),
  };
}

/** Interquartile range relative to the median: the spread readers should see. */
export function relativeSpread(s: TimingStats): number {
  return s.medianMs > 0 ? (s.p75Ms - s.p25Ms) / s.medianMs : 0;
}

/** A measurement is flagged noisy when its IQR exceeds this fraction of the median. */
export const NOISY_SPREAD = 0.1;

/**
 * Forks disagree when their medians span more than this fraction of the pooled median: the
 * process-to-process modes of issue #15 (fatnn/wasm-simd128 at 1.59 to 2.24 ms in four
 * processes) are 40%; same-mode forks on an idle machine stay within a few percent.
 */
export const FORK_DISAGREEMENT = 0.1;

/**
 * A fork whose batches' median speed probe (all its views) ran more than this over the run's
 * usual probe time ran in a slow spell of the machine: when a timing's forks disagree, such
 * forks are set aside if forks at the usual speed agree (poolForks above), and a timing left
 * with one fork at the usual speed gets an extra fork (runner/sweep.ts). On this project's VM,
 * 4-fork runs of fatnn/wasm-simd128 on 128x784x1152 had forks at 1.44-1.49 ms with probes at
 * 0.029-0.030 ms and forks at 1.16-1.17 ms with probes at 0.024 ms (1.21-1.27x), while a fork
 * at the usual speed reads within 1.07x: below SLOW_FACTOR (1.35 in runner/slow-spells.ts, per
 * batch, which re-takes), so these spells went unseen. Seconds long, they cover whole forks, and then a majority vote
 * picked whichever mode two forks happened to meet.
 */
export const FORK_SPELL_FACTOR = 1.15;

/** (max - min) / median of the fork medians; 0 with fewer than two forks. */
export function forkSpread(s: TimingStats): number {
  const forks = s.forks ?? [];
  if (forks.length < 2 || s.medianMs <= 0) return 0;
  const medians = forks.map((f) => f.medianMs);
  return (Math.max(...medians) - Math.min(...medians)) / s.medianMs;
}

/** Median over forks of each fork's IQR / median: the within-fork spread shown beside forkSpread. */
export function withinForkSpread(s: TimingStats): number {
  const forks = s.forks ?? [];
  if (forks.length === 0) return relativeSpread(s);
  const spreads = forks.map((f) => (f.medianMs > 0 ? (f.p75Ms - f.p25Ms) / f.medianMs : 0)).sort((a, b) => a - b);
  return quantile(spreads, 0.5);
}

/**
 * Two clusters in the kept samples: the largest gap between neighbouring sorted samples in the
 * middle 60% splits them into a lower and an upper group, each holding at least 20%; bimodal when
 * the upper group's median is more than FORK_DISAGREEMENT above the lower one's and the gap is
 * wider than both groups' median absolute deviations together (a step, not a tail). Returns the
 * two medians, or undefined.
 */
export function bimodality(samples: readonly number[]): { lowMs: number; highMs: number; share: number } | undefined {
  const n = samples.length;
  if (n < 10) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  let split = -1;
  let widest = -1;
  for (let i = Math.ceil(n * 0.2); i <= Math.floor(n * 0.8); i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    if (gap > widest) {
      widest = gap;
      split = i;
    }
  }
  if (split <= 0) return undefined;
  const low = sorted.slice(0, split);
  const high = sorted.slice(split);
  const mad = (g: number[]) => {
    const m = quantile(g, 0.5);
    return quantile(g.map((v) => Math.abs(v - m)).sort((a, b) => a - b), 0.5);
  };
  const lowMs = quantile(low, 0.5);
  const highMs = quantile(high, 0.5);
  if (highMs / lowMs - 1 <= FORK_DISAGREEMENT || widest <= mad(low) + mad(high)) return undefined;
  return { lowMs, highMs, share: high.length / n };
}

function ms(v: number): string {
  return v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

/**
 * Why a timing should be read with care, in words every report prints (no commas: CSV cells); empty when clean.
 * Wide IQR (the original "noisy"), forks that disagree, or bimodal samples.
 */
export function noiseReasons(s: TimingStats): string[] {
  const reasons: string[] = [];
  const iqr = relativeSpread(s);
  if (iqr > NOISY_SPREAD) reasons.push(`IQR ${Math.round(iqr * 100)}% of the median`);
  const fs = forkSpread(s);
  if (fs > FORK_DISAGREEMENT) {
    const medians = (s.forks ?? []).map((f) => f.medianMs);
    reasons.push(`forks disagree: fork medians ${ms(Math.min(...medians))}-${ms(Math.max(...medians))} ms (${Math.round(fs * 100)}% apart)`);
  }
  const b = bimodality(s.sampleMs);
  if (b) reasons.push(`bimodal: ${Math.round((1 - b.share) * 100)}% of samples near ${ms(b.lowMs)} ms and ${Math.round(b.share * 100)}% near ${ms(b.highMs)} ms`);
  const p = s.speedProbe;
  if (p && p.slow > 0) reasons.push(`machine slow: ${p.slow} of ${p.batches} batches ran while the speed probe was up to ${p.maxFactor.toFixed(1)}x its usual time`);
  return reasons;
}

/** A timing any report marks as noisy ("~"): see noiseReasons. */
export function isNoisy(s: TimingStats): boolean {
  return noiseReasons(s).length > 0;
}
