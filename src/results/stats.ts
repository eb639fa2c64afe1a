// Summary statistics of per-GEMM times, computed from raw samples so rounds can be pooled.

import type { TimingStats } from './schema.js';

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
