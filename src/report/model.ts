// The tables every report shows, derived once from a results file so that console, CSV,
// Markdown and HTML agree by construction: per-layer rows, whole-network totals weighted by
// layer multiplicity, geometric means, and per-variant speedup matrices.

import { PRECISIONS, type Precision } from '../types.js';
import type { LayerResult, Measurement, ResultsFile, TimingStats } from '../results/schema.js';
import { noiseReasons, relativeSpread } from '../results/stats.js';
import { baselineFor, baselineKernelId, expectedSpeedup, geometricMean, gmacPerSecond, isBorrowed, runKernelIds, timeOf, variantOf, type CostView } from '../results/speedups.js';
import { macs } from '../shapes.js';

export const COST_VIEWS: readonly CostView[] = ['gemm', 'withPacking', 'fromFloat'];

export const VIEW_LABELS: Readonly<Record<CostView, string>> = {
  gemm: 'GEMM only (pre-packed operands)',
  withPacking: 'with activation packing (per-inference cost)',
  fromFloat: 'from float (quantize float activations + pack + GEMM; fp32: GEMM alone)',
};

/** Column prefixes of the views after the GEMM one, the same in every table ("+pack ms"). */
export const VIEW_SHORT: Readonly<Record<CostView, string>> = { gemm: 'GEMM', withPacking: '+pack', fromFloat: 'from float' };

/** A speedup with the two times it is the ratio of, so every renderer can show its provenance. */
export interface Speedup {
  /** baselineMs / ms (> 1: faster than the baseline). */
  readonly value: number;
  readonly ms: number;
  readonly baselineMs: number;
  readonly baselineKernel: string;
  /** The baseline kernel is another variant's (the run has no kernel of that precision in this one). */
  readonly borrowed: boolean;
  /** Either of the two medians is noisy (only known for per-layer speedups). */
  readonly noisy?: boolean;
}

export interface ViewCell {
  readonly stats: TimingStats;
  readonly gmacs: number;
  /** Interquartile range / median. */
  readonly spread: number;
  /** Read with care: wide IQR, forks that disagree or bimodal samples (noiseReasons). */
  readonly noisy: boolean;
  /** Why it is noisy, in words; empty when not. */
  readonly noiseReasons: readonly string[];
  /** Keyed by baseline precision. */
  readonly speedups: Partial<Record<Precision, Speedup>>;
}

export interface LayerRow {
  readonly layer: LayerResult;
  readonly measurement: Measurement;
  readonly views: Readonly<Record<CostView, ViewCell | undefined>>;
  /** Op-count model speedup, keyed by baseline precision. */
  readonly model: Partial<Record<Precision, number>>;
}

export interface NetworkCell {
  /** sum over layers of count x median, ms. */
  readonly totalMs: number;
  readonly gmacs: number;
  /** Ratio of whole-network totals, keyed by baseline precision. */
  readonly speedups: Partial<Record<Precision, Speedup>>;
  /** Geometric mean of the per-layer speedups (unweighted), keyed by baseline precision. */
  readonly geomean: Partial<Record<Precision, number>>;
}

export interface NetworkRow {
  readonly kernel: string;
  readonly precision: Precision;
  readonly backend: Measurement['backend'];
  readonly variant: string;
  /** Absent when the kernel lacks a time on some layer (then no total is meaningful). */
  readonly views: Readonly<Record<CostView, NetworkCell | undefined>>;
  readonly model: Partial<Record<Precision, number>>;
}

/** One speedup matrix: rows are layers, columns precisions, for one kernel variant. */
export interface VariantMatrix {
  readonly variant: string;
  readonly precisions: readonly Precision[];
  readonly rows: readonly { readonly layer: LayerResult; readonly cells: readonly (Speedup | undefined)[] }[];
  readonly geomean: readonly (number | undefined)[];
  readonly network: readonly (Speedup | undefined)[];
  readonly model: readonly number[];
  /** Baseline kernels borrowed from another variant of the same backend (e.g. fp32 for wasm-scalar). */
  readonly borrowedBaselines: readonly string[];
  /** Per precision column: its baseline is borrowed from another variant. */
  readonly borrowed: readonly boolean[];
}

/** A baseline kernel some kernel divides by, lacking a time on some layers of a cost view. */
export interface BaselineGap {
  readonly baselineKernel: string;
  readonly view: CostView;
  readonly layers: readonly string[];
}

/** A kernel whose speedups divide another variant's baseline kernel. */
export interface Borrowing {
  readonly kernel: string;
  readonly baselineKernel: string;
}

export interface ReportModel {
  readonly results: ResultsFile;
  /** The primary baseline first; ternary2b second (the FATNN claim) unless it is the primary. */
  readonly baselines: readonly Precision[];
  readonly views: readonly CostView[];
  readonly rows: readonly LayerRow[];
  readonly network: readonly NetworkRow[];
  readonly matrices: Readonly<Record<CostView, readonly VariantMatrix[]>>;
  readonly failures: readonly { readonly layer: string; readonly kernel: string; readonly verification: string; readonly error: string }[];
  /** Baselines missing on some layers: those speedups, and the kernels' network speedups and geomeans, are undefined. */
  readonly baselineGaps: readonly BaselineGap[];
  /** Every borrowed baseline, per kernel and baseline precision. */
  readonly borrowings: readonly Borrowing[];
  readonly noisyCount: number;
  /** Timings (measurement x cost view) in the file, the denominator of noisyCount. */
  readonly timingCount: number;
  readonly totalMacs: number;
}

export function reportBaselines(primary: Precision): Precision[] {
  return primary === 'ternary2b' ? ['ternary2b'] : [primary, 'ternary2b'];
}

function speedupOf(layer: LayerResult, m: Measurement, baseline: Precision, view: CostView, runKernels: ReadonlySet<string>): Speedup | undefined {
  const ms = timeOf(m, view);
  const base = baselineFor(layer, m, baseline, view, runKernels);
  const baselineMs = base && timeOf(base, view);
  if (ms === undefined || baselineMs === undefined || !base) return undefined;
  const noisy = [m[view], base[view]].some((s) => s !== undefined && noiseReasons(s).length > 0);
  return { value: baselineMs / ms, ms, baselineMs, baselineKernel: base.kernel, borrowed: isBorrowed(m.kernel, base.kernel), noisy };
}

function modelOf(precision: Precision, baselines: readonly Precision[]): Partial<Record<Precision, number>> {
  return Object.fromEntries(baselines.map((b) => [b, expectedSpeedup({ precision } as Measurement, b)]));
}

function kernelOrder(results: ResultsFile): Measurement[] {
  const seen = new Map<string, Measurement>();
  for (const layer of results.layers) for (const m of layer.measurements) if (!seen.has(m.kernel)) seen.set(m.kernel, m);
  return [...seen.values()];
}

/** Whole-network total of one kernel: only when every layer has a time in this view. */
function networkTotal(results: ResultsFile, kernel: string, view: CostView): number | undefined {
  if (results.layers.length === 0) return undefined;
  let total = 0;
  for (const layer of results.layers) {
    const m = layer.measurements.find((x) => x.kernel === kernel);
    const t = m && timeOf(m, view);
    if (t === undefined) return undefined;
    total += layer.count * t;
  }
  return total;
}

export function buildReportModel(results: ResultsFile, baselineOverride?: Precision): ReportModel {
  const baselines = reportBaselines(baselineOverride ?? results.config.baseline);
  // A view is reported when some measurement has it (GEMM always).
  const views = COST_VIEWS.filter((v) => v === 'gemm' || results.layers.some((l) => l.measurements.some((m) => m[v])));
  const totalMacs = results.layers.reduce((s, l) => s + l.count * macs(l), 0);
  const runKernels = runKernelIds(results);

  const rows: LayerRow[] = [];
  const failures: ReportModel['failures'][number][] = [];
  let noisyCount = 0;
  let timingCount = 0;
  for (const layer of results.layers) {
    for (const m of layer.measurements) {
      if (m.error !== undefined || !m.gemm) failures.push({ layer: layer.name, kernel: m.kernel, verification: m.verification, error: m.error ?? 'no timings' });
      const cells = {} as Record<CostView, ViewCell | undefined>;
      for (const view of COST_VIEWS) {
        const stats = m[view];
        if (!stats) {
          cells[view] = undefined;
          continue;
        }
        const spread = relativeSpread(stats);
        const speedups: Partial<Record<Precision, Speedup>> = {};
        for (const b of baselines) {
          const s = speedupOf(layer, m, b, view, runKernels);
          if (s) speedups[b] = s;
        }
        const reasons = noiseReasons(stats);
        cells[view] = { stats, gmacs: gmacPerSecond(layer, stats.medianMs), spread, noisy: reasons.length > 0, noiseReasons: reasons, speedups };
        timingCount += 1;
        if (reasons.length > 0) noisyCount += 1;
      }
      rows.push({ layer, measurement: m, views: cells, model: modelOf(m.precision, baselines) });
    }
  }

  const kernels = kernelOrder(results);
  const totals = new Map<string, number | undefined>();
  const totalOf = (kernel: string, view: CostView) => {
    const key = `${view}\0${kernel}`;
    if (!totals.has(key)) totals.set(key, networkTotal(results, kernel, view));
    return totals.get(key);
  };
  const gaps = new Map<string, BaselineGap>();
  const borrowings = new Map<string, Borrowing>();
  for (const view of views) {
    for (const m of kernels) {
      for (const b of baselines) {
        const baseKernel = baselineKernelId(m.kernel, b, runKernels);
        if (baseKernel === undefined || baseKernel === m.kernel || gaps.has(`${view}\0${baseKernel}`)) continue;
        const missing = layersWithoutTime(results, baseKernel, view);
        if (missing.length > 0) gaps.set(`${view}\0${baseKernel}`, { baselineKernel: baseKernel, view, layers: missing });
      }
    }
  }
  const network: NetworkRow[] = kernels.map((m) => {
    const cells = {} as Record<CostView, NetworkCell | undefined>;
    for (const view of COST_VIEWS) {
      const totalMs = totalOf(m.kernel, view);
      if (totalMs === undefined) {
        cells[view] = undefined;
        continue;
      }
      const speedups: Partial<Record<Precision, Speedup>> = {};
      const geomean: Partial<Record<Precision, number>> = {};
      for (const b of baselines) {
        // The same baseline kernel as every layer of this kernel: a total over its own layers
        // only, never another variant's total standing in for a failed one.
        const baseKernel = baselineKernelId(m.kernel, b, runKernels);
        if (baseKernel === undefined) continue;
        const borrowed = isBorrowed(m.kernel, baseKernel);
        if (borrowed) borrowings.set(`${m.kernel}\0${baseKernel}`, { kernel: m.kernel, baselineKernel: baseKernel });
        const baselineMs = totalOf(baseKernel, view);
        if (baselineMs === undefined) continue;
        speedups[b] = { value: baselineMs / totalMs, ms: totalMs, baselineMs, baselineKernel: baseKernel, borrowed };
        const perLayer = rows.filter((r) => r.measurement.kernel === m.kernel).map((r) => r.views[view]?.speedups[b]?.value);
        const g = perLayer.every((v) => v !== undefined) ? geometricMean(perLayer as number[]) : undefined;
        if (g !== undefined) geomean[b] = g;
      }
      cells[view] = { totalMs, gmacs: totalMacs / (totalMs * 1e6), speedups, geomean };
    }
    return { kernel: m.kernel, precision: m.precision, backend: m.backend, variant: variantOf(m.kernel), views: cells, model: modelOf(m.precision, baselines) };
  });

  const matrices = {} as Record<CostView, VariantMatrix[]>;
  for (const view of COST_VIEWS) matrices[view] = views.includes(view) ? buildMatrices(results, kernels, rows, network, baselines[0]!, view, runKernels) : [];

  return { results, baselines, views, rows, network, matrices, failures, baselineGaps: [...gaps.values()], borrowings: [...borrowings.values()], noisyCount, timingCount, totalMacs };
}

/** Names of the layers where `kernel` has no time in `view` (absent, failed or not timed). */
function layersWithoutTime(results: ResultsFile, kernel: string, view: CostView): string[] {
  return results.layers.filter((l) => {
    const m = l.measurements.find((x) => x.kernel === kernel);
    return !m || timeOf(m, view) === undefined;
  }).map((l) => l.name);
}

function buildMatrices(results: ResultsFile, kernels: readonly Measurement[], rows: readonly LayerRow[], network: readonly NetworkRow[], baseline: Precision, view: CostView, runKernels: ReadonlySet<string>): VariantMatrix[] {
  const variants = [...new Set(kernels.map((k) => variantOf(k.kernel)))];
  return variants.map((variant) => {
    const present = new Set(kernels.filter((k) => variantOf(k.kernel) === variant).map((k) => k.precision));
    const precisions = PRECISIONS.filter((p) => present.has(p));
    const idOf = (p: Precision) => `${p}/${variant}`;
    const bases = precisions.map((p) => baselineKernelId(idOf(p), baseline, runKernels));
    const borrowedColumns = precisions.map((p, i) => bases[i] !== undefined && isBorrowed(idOf(p), bases[i]!));
    const borrowed = new Set(bases.filter((b, i): b is string => borrowedColumns[i]!));
    const matrixRows = results.layers.map((layer) => ({
      layer,
      cells: precisions.map((p) => rows.find((r) => r.layer === layer && r.measurement.kernel === idOf(p))?.views[view]?.speedups[baseline]),
    }));
    const netRows = precisions.map((p) => network.find((n) => n.kernel === idOf(p))?.views[view]);
    return {
      variant,
      precisions,
      rows: matrixRows,
      geomean: netRows.map((c) => c?.geomean[baseline]),
      network: netRows.map((c) => c?.speedups[baseline]),
      model: precisions.map((p) => expectedSpeedup({ precision: p } as Measurement, baseline)),
      borrowedBaselines: [...borrowed],
      borrowed: borrowedColumns,
    };
  });
}
