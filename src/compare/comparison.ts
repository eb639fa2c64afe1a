// The comparison model: several results files aligned by layer shape and kernel id, each run's
// times and speedups vs its own baseline, and the change of every later run against the first.
// Renderers (console, Markdown, CSV) and the regression gate all read this one model.

import { UsageError } from '../errors.js';
import type { LayerResult, LayerSpec, Measurement } from '../results/schema.js';
import { baselineFor, geometricMean, variantOf } from '../results/speedups.js';
import { shapeLabel } from '../shapes.js';
import type { Precision } from '../types.js';
import { detectChange, DEFAULT_CHANGE_OPTIONS, type Change, type ChangeOptions } from './change.js';
import { contextWarnings, droppedLayersWarning, missingBaselineWarning, partialKernelsWarning, type LabelledRun } from './warnings.js';

export interface CompareOptions extends ChangeOptions {
  /** Precision every run's speedups are computed against, within that run. */
  readonly baseline: Precision;
}

/** One run's numbers for one layer and kernel. */
export interface Cell {
  readonly medianMs?: number;
  /** Speedup vs the baseline precision measured in the same run and backend. */
  readonly speedup?: number;
  /**
   * Set when the baseline came from another variant of the backend (wasm-scalar has no fp32,
   * so its fp32 is wasm-simd128's): that speedup mixes two implementations and is marked.
   */
  readonly borrowedBaseline?: string;
  /** Set when the run has the kernel but could not time it (error or wrong result). */
  readonly error?: string;
}

export interface Row {
  readonly layer: LayerSpec;
  readonly kernel: string;
  /** One entry per run; undefined where the run did not measure this kernel. */
  readonly cells: readonly (Cell | undefined)[];
  /** changes[i] is run i against run 0; changes[0] is always undefined. */
  readonly changes: readonly (Change | undefined)[];
}

export interface GeomeanRow {
  readonly kernel: string;
  /** Per run: geometric mean over layers of its speedups. */
  readonly speedups: readonly (number | undefined)[];
  /** Per run: geometric mean over layers of median(run i) / median(run 0). */
  readonly timeRatios: readonly (number | undefined)[];
}

export interface Comparison {
  readonly runs: readonly LabelledRun[];
  readonly options: CompareOptions;
  /** Layers measured by every run, in the first run's order. */
  readonly layers: readonly LayerSpec[];
  readonly rows: readonly Row[];
  readonly geomean: readonly GeomeanRow[];
  readonly warnings: readonly string[];
}

/** Layers are matched by shape: names are labels, the shape is what was measured. */
function layerKey(layer: LayerSpec): string {
  return shapeLabel(layer);
}

/**
 * Column labels from file names. `run --out DIR` always writes DIR/results.json, so when file
 * names repeat the folder names label the runs (CI artifacts: `results-x64/results.json`); when
 * those repeat too, a position suffix keeps labels unique.
 */
export function labelsFor(paths: readonly string[]): string[] {
  const parts = paths.map((p) => p.split(/[\\/]/).filter(Boolean));
  const unique = (names: string[]) => new Set(names).size === names.length;
  const base = parts.map((ps) => (ps[ps.length - 1] ?? '').replace(/\.json$/i, ''));
  if (unique(base)) return base;
  const folders = parts.map((ps, i) => (ps.length >= 2 ? ps[ps.length - 2]! : base[i]!));
  if (unique(folders)) return folders;
  return base.map((b, i) => (base.filter((o) => o === b).length > 1 ? `${b}#${i + 1}` : b));
}

function indexLayers(layers: readonly LayerResult[]): Map<string, LayerResult> {
  const map = new Map<string, LayerResult>();
  for (const l of layers) if (!map.has(layerKey(l))) map.set(layerKey(l), l);
  return map;
}

function cellOf(layer: LayerResult, m: Measurement, baseline: Precision): Cell {
  if (!m.gemm) return { error: m.verification === 'failed' ? 'wrong result' : (m.error ?? 'no data') };
  const base = baselineFor(layer, m, baseline, 'gemm');
  if (!base?.gemm) return { medianMs: m.gemm.medianMs };
  const speedup = base.gemm.medianMs / m.gemm.medianMs;
  return variantOf(base.kernel) === variantOf(m.kernel) ? { medianMs: m.gemm.medianMs, speedup } : { medianMs: m.gemm.medianMs, speedup, borrowedBaseline: base.kernel };
}

export function compareRuns(runs: readonly LabelledRun[], options: Partial<CompareOptions> = {}): Comparison {
  if (runs.length < 2) throw new UsageError('compare needs at least two results files');
  const opts: CompareOptions = { ...DEFAULT_CHANGE_OPTIONS, baseline: runs[0]!.results.config.baseline, ...options };
  const indexed = runs.map((r) => indexLayers(r.results.layers));
  const commonKeys = [...indexed[0]!.keys()].filter((k) => indexed.every((m) => m.has(k)));
  if (commonKeys.length === 0) {
    const shapes = runs.map((r, i) => `${r.label}: ${[...indexed[i]!.keys()].join(', ') || 'none'}`).join('; ');
    throw new UsageError(`the runs have no layer shape in common (${shapes})`);
  }
  const common = new Set(commonKeys);
  const dropped = runs.map((r, i) => ({ label: r.label, layers: [...indexed[i]!.keys()].filter((k) => !common.has(k)) }));

  const kernelOrder: string[] = [];
  for (const map of indexed) {
    for (const key of commonKeys) for (const m of map.get(key)!.measurements) if (!kernelOrder.includes(m.kernel)) kernelOrder.push(m.kernel);
  }
  const measuredBy = (i: number, kernel: string) => commonKeys.some((k) => indexed[i]!.get(k)!.measurements.some((m) => m.kernel === kernel));
  const partial = kernelOrder
    .map((kernel) => ({ kernel, missingFrom: runs.filter((_, i) => !measuredBy(i, kernel)).map((r) => r.label) }))
    .filter((k) => k.missingFrom.length > 0);

  const rows: Row[] = [];
  for (const key of commonKeys) {
    for (const kernel of kernelOrder) {
      const found = indexed.map((map) => {
        const layer = map.get(key)!;
        const m = layer.measurements.find((x) => x.kernel === kernel);
        return m && { layer, m };
      });
      if (found.every((f) => f === undefined)) continue;
      const before = found[0]?.m.gemm;
      rows.push({
        layer: specOf(indexed[0]!.get(key)!),
        kernel,
        cells: found.map((f) => f && cellOf(f.layer, f.m, opts.baseline)),
        changes: found.map((f, i) => (i > 0 && before && f?.m.gemm ? detectChange(before, f.m.gemm, opts) : undefined)),
      });
    }
  }

  const geomean: GeomeanRow[] = kernelOrder.map((kernel) => {
    const mine = rows.filter((r) => r.kernel === kernel);
    return {
      kernel,
      speedups: runs.map((_, i) => geometricMean(mine.flatMap((r) => r.cells[i]?.speedup ?? []))),
      timeRatios: runs.map((_, i) =>
        geometricMean(mine.flatMap((r) => (r.cells[0]?.medianMs !== undefined && r.cells[i]?.medianMs !== undefined ? [r.cells[i]!.medianMs! / r.cells[0]!.medianMs!] : []))),
      ),
    };
  });

  const noBaseline = runs.filter((_, i) => !commonKeys.some((k) => indexed[i]!.get(k)!.measurements.some((m) => m.precision === opts.baseline && m.gemm))).map((r) => r.label);
  return {
    runs,
    options: opts,
    layers: commonKeys.map((k) => specOf(indexed[0]!.get(k)!)),
    rows,
    geomean,
    warnings: [...contextWarnings(runs), ...droppedLayersWarning(dropped), ...partialKernelsWarning(partial), ...missingBaselineWarning(noBaseline, opts.baseline)],
  };
}

function specOf(layer: LayerResult): LayerSpec {
  return { name: layer.name, M: layer.M, N: layer.N, K: layer.K, count: layer.count };
}
