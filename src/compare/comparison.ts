// The comparison model: several results files aligned by layer shape and kernel id, each run's
// times and speedups vs its own baseline, and the change of every later run against the first.
// Renderers (console, Markdown, CSV) and the regression gate all read this one model.

import { UsageError } from '../errors.js';
import type { LayerResult, LayerSpec, Measurement, ResultsFile } from '../results/schema.js';
import { baselineFor, geometricMean, runKernelIds, variantOf } from '../results/speedups.js';
import { shapeLabel } from '../shapes.js';
import type { Precision } from '../types.js';
import { detectChange, DEFAULT_CHANGE_OPTIONS, type Change, type ChangeOptions } from './change.js';
import { matchKernels, threadsWarning, unmatchedKernelsWarning, type MatchMode } from './matching.js';
import { contextWarnings, droppedLayersWarning, missingBaselineWarning, partialKernelsWarning, repeatedShapesWarning, whyMissing, type LabelledRun } from './warnings.js';

export interface CompareOptions extends ChangeOptions {
  /** Precision every run's speedups are computed against, within that run. */
  readonly baseline: Precision;
  /** How kernels are paired across runs: by precision and class (default) or by exact id. */
  readonly match: MatchMode;
}

/** Why a run has no time for a measurement it attempted. */
export type CellProblem = 'wrong result' | 'error' | 'no time';

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
  /**
   * Speedup from float (quantize + pack + GEMM) vs the baseline's from-float time (fp32: its
   * GEMM alone), when the run measured that view.
   */
  readonly fromFloatSpeedup?: number;
  /** Set when the run has the kernel but could not time it (error or wrong result): the text shown. */
  readonly error?: string;
  readonly problem?: CellProblem;
}

export interface Row {
  readonly layer: LayerSpec;
  /** What the layer is matched by across runs: its shape, `#2`... for a repeated shape. */
  readonly layerKey: string;
  /** What the row matches: `fatnn/native` (class matching) or the kernel id (`--match id`). */
  readonly kernel: string;
  /** Per run: the kernel id that fills this row (undefined where the run has none). */
  readonly kernels: readonly (string | undefined)[];
  /** Per run: the native ISA its cell names (`avx512`, `neon+dotprod`), for native classes. */
  readonly isas: readonly (string | undefined)[];
  /** One entry per run; undefined where the run did not measure this kernel. */
  readonly cells: readonly (Cell | undefined)[];
  /** changes[i] is run i against run 0; changes[0] is always undefined. */
  readonly changes: readonly (Change | undefined)[];
}

/**
 * Means over the same layers for every run, so the row compares like with like: a run that lost
 * a layer would otherwise average over an easier or harder set and move for no reason.
 */
export interface GeomeanRow {
  readonly kernel: string;
  /** Per run: the native ISA of this row (see Row.isas). */
  readonly isas: readonly (string | undefined)[];
  /** Layers where every run has a speedup of this kernel: what `speedups` average over. */
  readonly speedupLayers: number;
  /** Per run: geometric mean of its speedups over those layers (undefined when there are none). */
  readonly speedups: readonly (number | undefined)[];
  /** Layers where every run has a time of this kernel: what `timeRatios` average over. */
  readonly timeLayers: number;
  /** Per run: geometric mean over those layers of median(run i) / median(run 0). */
  readonly timeRatios: readonly (number | undefined)[];
}

/** A layer the first run measured that a later run did not: no row shows it, the gate must. */
export interface MissingLayer {
  /** Index of the later run in `runs`. */
  readonly run: number;
  readonly layer: LayerSpec;
  readonly layerKey: string;
  /** Kernels the first run timed on it. */
  readonly kernels: readonly string[];
}

export interface Comparison {
  readonly runs: readonly LabelledRun[];
  readonly options: CompareOptions;
  /** Layers measured by every run, in the first run's order. */
  readonly layers: readonly LayerSpec[];
  /** Their match keys (`MxNxK`, `MxNxK #2`), as indexLayers gives them. */
  readonly layerKeys: readonly string[];
  readonly rows: readonly Row[];
  readonly geomean: readonly GeomeanRow[];
  /** Layers of the first run missing from later runs (also left out of `layers`). */
  readonly missingLayers: readonly MissingLayer[];
  /**
   * Kernels the first run timed on a common layer that no later run has a match for: left out
   * of the rows (and named in a warning), but still losses for the regression gate.
   */
  readonly unmatchedTimed: readonly { readonly layer: LayerSpec; readonly layerKey: string; readonly kernel: string }[];
  readonly warnings: readonly string[];
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

/**
 * Layers are matched by shape: names are labels, the shape is what was measured. A shape can
 * occur more than once in a file (`--layers`, repeated `--shape`); the n-th occurrence is keyed
 * `MxNxK #n` and matched with the n-th occurrence of that shape in the other runs.
 */
export function indexLayers(layers: readonly LayerResult[]): Map<string, LayerResult> {
  const map = new Map<string, LayerResult>();
  const seen = new Map<string, number>();
  for (const l of layers) {
    const shape = shapeLabel(l);
    const n = (seen.get(shape) ?? 0) + 1;
    seen.set(shape, n);
    map.set(n === 1 ? shape : `${shape} #${n}`, l);
  }
  return map;
}

function repeatedShapes(layers: readonly LayerResult[]): { shape: string; names: string[] }[] {
  const byShape = new Map<string, string[]>();
  for (const l of layers) byShape.set(shapeLabel(l), [...(byShape.get(shapeLabel(l)) ?? []), l.name]);
  return [...byShape].filter(([, names]) => names.length > 1).map(([shape, names]) => ({ shape, names }));
}

/** A timed measurement with a verified (or unverifiable) result: what a later run must keep. */
function timed(m: Measurement): boolean {
  return m.gemm !== undefined && m.verification !== 'failed';
}

function cellOf(layer: LayerResult, m: Measurement, baseline: Precision, runKernels: ReadonlySet<string>): Cell {
  // A time of a kernel that computed the wrong result measures nothing worth comparing.
  if (m.verification === 'failed') return { error: 'wrong result', problem: 'wrong result' };
  if (!m.gemm) return m.error ? { error: m.error, problem: 'error' } : { error: 'no data', problem: 'no time' };
  const floatBase = m.fromFloat && baselineFor(layer, m, baseline, 'fromFloat', runKernels);
  const fromFloat = m.fromFloat && floatBase?.fromFloat ? { fromFloatSpeedup: floatBase.fromFloat.medianMs / m.fromFloat.medianMs } : {};
  const base = baselineFor(layer, m, baseline, 'gemm', runKernels);
  if (!base?.gemm) return { medianMs: m.gemm.medianMs, ...fromFloat };
  const speedup = base.gemm.medianMs / m.gemm.medianMs;
  return variantOf(base.kernel) === variantOf(m.kernel) ? { medianMs: m.gemm.medianMs, speedup, ...fromFloat } : { medianMs: m.gemm.medianMs, speedup, borrowedBaseline: base.kernel, ...fromFloat };
}

/** True when some run of the comparison has a from-float speedup: its tables then get the columns. */
export function hasFromFloat(c: Pick<Comparison, 'rows'>): boolean {
  return c.rows.some((r) => r.cells.some((cell) => cell?.fromFloatSpeedup !== undefined));
}

export function compareRuns(runs: readonly LabelledRun[], options: Partial<CompareOptions> = {}): Comparison {
  if (runs.length < 2) throw new UsageError('compare needs at least two results files');
  const opts: CompareOptions = { ...DEFAULT_CHANGE_OPTIONS, baseline: runs[0]!.results.config.baseline, match: 'class', ...options };
  const indexed = runs.map((r) => indexLayers(r.results.layers));
  const commonKeys = [...indexed[0]!.keys()].filter((k) => indexed.every((m) => m.has(k)));
  if (commonKeys.length === 0) {
    const shapes = runs.map((r, i) => `${r.label}: ${[...indexed[i]!.keys()].join(', ') || 'none'}`).join('; ');
    throw new UsageError(`the runs have no layer shape in common (${shapes})`);
  }
  const common = new Set(commonKeys);
  const dropped = runs.map((r, i) => ({ label: r.label, layers: [...indexed[i]!.keys()].filter((k) => !common.has(k)) }));
  const missingLayers: MissingLayer[] = [];
  for (let i = 1; i < runs.length; i++) {
    for (const [key, layer] of indexed[0]!) {
      const kernels = layer.measurements.filter(timed).map((m) => m.kernel);
      if (!indexed[i]!.has(key) && kernels.length > 0) missingLayers.push({ run: i, layer: specOf(layer), layerKey: key, kernels });
    }
  }

  const matching = matchKernels(runs, opts.match);
  const measuredBy = (i: number, row: (typeof matching.rows)[number]) => {
    const id = row.kernels[i];
    return id !== undefined && commonKeys.some((k) => indexed[i]!.get(k)!.measurements.some((m) => m.kernel === id));
  };
  const partial = matching.rows
    // Why a run lacks the row, asked about the kernel another run filled it with.
    .map((row) => ({ kernel: row.key, missingFrom: runs.filter((_, i) => !measuredBy(i, row)).map((r) => `${r.label}: ${whyMissing(r.results, row.kernels.find((k) => k !== undefined) ?? row.key)}`) }))
    .filter((k) => k.missingFrom.length > 0);

  // The baseline kernel is chosen once per run (from every kernel it measured), as in `report`.
  const runKernelSets = runs.map((r) => runKernelIds(r.results));
  const rows: Row[] = [];
  for (const key of commonKeys) {
    for (const matched of matching.rows) {
      const found = indexed.map((map, i) => {
        const layer = map.get(key)!;
        const m = layer.measurements.find((x) => x.kernel === matched.kernels[i]);
        return m && { layer, m };
      });
      if (found.every((f) => f === undefined)) continue;
      const gemmOf = (f: (typeof found)[number]) => (f && timed(f.m) ? f.m.gemm : undefined);
      const before = gemmOf(found[0]);
      rows.push({
        layer: specOf(indexed[0]!.get(key)!),
        layerKey: key,
        kernel: matched.key,
        kernels: matched.kernels,
        isas: matched.isas,
        cells: found.map((f, i) => f && cellOf(f.layer, f.m, opts.baseline, runKernelSets[i]!)),
        changes: found.map((f, i) => {
          const after = gemmOf(f);
          return i > 0 && before && after ? detectChange(before, after, opts) : undefined;
        }),
      });
    }
  }

  const unmatchedTimed: Comparison['unmatchedTimed'][number][] = [];
  for (const u of matching.unmatched.filter((x) => x.run === 0)) {
    for (const key of commonKeys) {
      const layer = indexed[0]!.get(key)!;
      const m = layer.measurements.find((x) => x.kernel === u.label);
      if (m && timed(m)) unmatchedTimed.push({ layer: specOf(layer), layerKey: key, kernel: u.label });
    }
  }

  const geomean = matching.rows.map((m) => ({ ...geomeanRow(m.key, rows.filter((r) => r.kernel === m.key), runs.length), isas: m.isas }));

  const noBaseline = runs.filter((_, i) => !commonKeys.some((k) => indexed[i]!.get(k)!.measurements.some((m) => m.precision === opts.baseline && m.gemm))).map((r) => r.label);
  return {
    runs,
    options: opts,
    layers: commonKeys.map((k) => specOf(indexed[0]!.get(k)!)),
    layerKeys: commonKeys,
    rows,
    geomean,
    missingLayers,
    unmatchedTimed,
    warnings: [
      ...contextWarnings(runs),
      ...repeatedShapesWarning(runs.map((r) => ({ label: r.label, repeats: repeatedShapes(r.results.layers) }))),
      ...threadsWarning(runs),
      ...droppedLayersWarning(dropped),
      ...unmatchedKernelsWarning(matching, runs),
      ...partialKernelsWarning(partial),
      ...missingBaselineWarning(noBaseline, opts.baseline),
    ],
  };
}

/** Geometric means of one kernel's rows, each over the layers where every run has the value. */
export function geomeanRow(kernel: string, rows: readonly Row[], runCount: number): Omit<GeomeanRow, 'isas'> {
  const runIndices = Array.from({ length: runCount }, (_, i) => i);
  const withSpeedups = rows.filter((r) => runIndices.every((i) => r.cells[i]?.speedup !== undefined));
  const withTimes = rows.filter((r) => runIndices.every((i) => r.cells[i]?.medianMs !== undefined));
  return {
    kernel,
    speedupLayers: withSpeedups.length,
    speedups: runIndices.map((i) => geometricMean(withSpeedups.map((r) => r.cells[i]!.speedup!))),
    timeLayers: withTimes.length,
    timeRatios: runIndices.map((i) => geometricMean(withTimes.map((r) => r.cells[i]!.medianMs! / r.cells[0]!.medianMs!))),
  };
}

function specOf(layer: LayerResult): LayerSpec {
  return { name: layer.name, M: layer.M, N: layer.N, K: layer.K, count: layer.count };
}

/** A run restricted to the layers every run measured: what its headline block sums over. */
export function commonLayersOnly(results: ResultsFile, layerKeys: readonly string[]): ResultsFile {
  const keep = new Set([...indexLayers(results.layers)].filter(([k]) => layerKeys.includes(k)).map(([, l]) => l));
  return { ...results, layers: results.layers.filter((l) => keep.has(l)) };
}
