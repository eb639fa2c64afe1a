// The headline every surface shows first: per kernel class (rows) x precision (columns), the
// whole-network speedup vs the baseline, and beside it the FATNN claim (fatnn vs ternary2b) with
// the op-count model and the paper's 2x. One model, rendered as text, Markdown and HTML, so all
// surfaces say the same thing. Platform-neutral: no node: imports.

import { chooseByClass, classLabel, classRank } from '../compare/matching.js';
import { hostWarnings } from '../results/host-warnings.js';
import { browserName } from '../results/runtime.js';
import type { ResultsFile } from '../results/schema.js';
import { modelSpeedup } from '../precisions.js';
import { PRECISIONS, type Precision } from '../types.js';
import { formatSpeedupValue, speedupText } from './format.js';
import type { CostView } from '../results/speedups.js';
import { buildReportModel, type ReportModel, type Speedup } from './model.js';

/** FATNN's claim (Chen et al., ICCV 2021): its ternary inner product costs half the conventional 2-bit one. */
export const PAPER_FATNN_SPEEDUP = 2;

export interface HeadlineRow {
  /** `js`, `wasm-simd128`, ..., `native`, `workers-native`. */
  readonly klass: string;
  /** The native ISA the row's kernels use (`avx512`, `neon+dotprod`). */
  readonly isa?: string;
  /** `native (avx512)`, or the class. */
  readonly label: string;
  /** Per precision column: the kernel that fills it. */
  readonly kernels: readonly (string | undefined)[];
  /** Per precision column: whole-network speedup vs the baseline (GEMM only). */
  readonly cells: readonly (Speedup | undefined)[];
  /** Whole-network fatnn vs ternary2b in this class, when both ran. */
  readonly fatnn?: Speedup;
  /**
   * The same from float (quantize float activations + pack + GEMM; fp32: its GEMM alone), when
   * the run measured that view: the per-layer speedup a deployed network sees.
   */
  readonly fromFloat?: { readonly cells: readonly (Speedup | undefined)[]; readonly fatnn?: Speedup };
}

export interface Headline {
  /** Host in a few words: `AMD EPYC, x64, Node 20.20.2`. */
  readonly host: string;
  readonly baseline: Precision;
  /** Precisions that some row has, in the usual order. */
  readonly precisions: readonly Precision[];
  readonly rows: readonly HeadlineRow[];
  /** Op-count model speedup vs the baseline, per precision column. */
  readonly model: readonly number[];
  /** Op-count model of fatnn vs ternary2b. */
  readonly fatnnModel: number;
  readonly paper: number;
  readonly layers: number;
  readonly complete: boolean;
  /** What every surface must print about the host (busy machine, emulated CPU). */
  readonly warnings: readonly string[];
  readonly report: ReportModel;
}

/** A whole-network speedup marked noisy when any per-layer speedup it sums over is noisy. */
function withLayerNoise(model: ReportModel, kernel: string, baseline: Precision, s: Speedup | undefined, view: CostView = 'gemm'): Speedup | undefined {
  if (!s) return undefined;
  const noisy = model.rows.some((r) => r.measurement.kernel === kernel && r.views[view]?.speedups[baseline]?.noisy);
  return { ...s, noisy };
}

export function hostSummary(results: ResultsFile): string {
  const h = results.host;
  if (h.browser) return `${browserName(h.browser)} on ${h.browser.platform}, ${h.arch}, ${h.cpu.cores} cores`;
  return `${h.cpu.brand}, ${h.arch}, Node ${h.node}`;
}

export function buildHeadline(results: ResultsFile, baselineOverride?: Precision): Headline {
  const model = buildReportModel(results, baselineOverride);
  const baseline = model.baselines[0]!;
  const choice = chooseByClass(
    model.network.map((n) => n.kernel),
    results.host.cpu.flags,
  );
  const classes = [...new Set([...choice.kernels.keys()].map((k) => k.slice(k.indexOf('/') + 1)))].sort((a, b) => classRank(a) - classRank(b));
  const present = new Set([...choice.kernels.keys()].map((k) => k.slice(0, k.indexOf('/'))));
  const precisions = PRECISIONS.filter((p) => present.has(p));
  const network = new Map(model.network.map((n) => [n.kernel, n]));
  const rows = classes.map((klass): HeadlineRow => {
    const kernels = precisions.map((p) => choice.kernels.get(`${p}/${klass}`));
    const isa = choice.isas.get(klass);
    const cells = kernels.map((k) => (k === undefined ? undefined : withLayerNoise(model, k, baseline, network.get(k)?.views.gemm?.speedups[baseline])));
    const fatnnKernel = choice.kernels.get(`fatnn/${klass}`);
    const fatnn = fatnnKernel === undefined ? undefined : withLayerNoise(model, fatnnKernel, 'ternary2b', network.get(fatnnKernel)?.views.gemm?.speedups.ternary2b);
    let fromFloat: HeadlineRow['fromFloat'];
    if (model.views.includes('fromFloat') && kernels.some((k) => k !== undefined && network.get(k)?.views.fromFloat)) {
      const ffCells = kernels.map((k) => (k === undefined ? undefined : withLayerNoise(model, k, baseline, network.get(k)?.views.fromFloat?.speedups[baseline], 'fromFloat')));
      const ffFatnn = fatnnKernel === undefined ? undefined : withLayerNoise(model, fatnnKernel, 'ternary2b', network.get(fatnnKernel)?.views.fromFloat?.speedups.ternary2b, 'fromFloat');
      fromFloat = { cells: ffCells, ...(ffFatnn && { fatnn: ffFatnn }) };
    }
    return { klass, ...(isa !== undefined && { isa }), label: classLabel(klass, isa), kernels, cells, ...(fatnn && { fatnn }), ...(fromFloat && { fromFloat }) };
  });
  return {
    host: hostSummary(results),
    baseline,
    precisions,
    rows,
    model: precisions.map((p) => modelSpeedup(p, baseline)),
    fatnnModel: modelSpeedup('fatnn', 'ternary2b'),
    paper: PAPER_FATNN_SPEEDUP,
    layers: results.layers.length,
    complete: results.complete,
    warnings: hostWarnings(results.host),
    report: model,
  };
}

export const FATNN_COLUMN = 'fatnn/ternary2b';
/** Label of the row under a class's with its "from float" speedups. */
export const FROM_FLOAT_ROW = '  from float';

/** Headline rows in display order: each class, then its "from float" row when measured. */
export function headlineDisplayRows(h: Headline): { label: string; klass: string; kernels: readonly (string | undefined)[]; cells: readonly (Speedup | undefined)[]; fatnn?: Speedup; fromFloat: boolean }[] {
  return h.rows.flatMap((r) => [
    { label: r.label, klass: r.label, kernels: r.kernels, cells: r.cells, ...(r.fatnn && { fatnn: r.fatnn }), fromFloat: false },
    ...(r.fromFloat ? [{ label: FROM_FLOAT_ROW, klass: r.label, kernels: r.kernels, cells: r.fromFloat.cells, ...(r.fromFloat.fatnn && { fatnn: r.fromFloat.fatnn }), fromFloat: true }] : []),
  ]);
}

/** The headline as a grid of strings: header, one row per class (and its from-float row), the model row. */
export function headlineGrid(h: Headline): { head: string[]; rows: string[][] } {
  const head = ['kernel class', ...h.precisions, FATNN_COLUMN];
  const rows = headlineDisplayRows(h).map((r) => [r.label, ...r.cells.map((c, i) => (r.kernels[i] === undefined ? '' : speedupText(c))), speedupText(r.fatnn)]);
  rows.push(['op-count model', ...h.model.map((m) => formatSpeedupValue(m)), `${formatSpeedupValue(h.fatnnModel)} (paper ${h.paper}x)`]);
  return { head, rows };
}

/** What the headline numbers are, in one sentence every surface prints under it. */
export function headlineCaption(h: Headline): string {
  const scope = `${h.layers} layer${h.layers === 1 ? '' : 's'}${h.complete ? '' : ', INCOMPLETE run'}`;
  const fromFloat = h.rows.some((r) => r.fromFloat)
    ? ` "from float" rows: quantize + pack + GEMM, vs ${h.baseline === 'fp32' ? "fp32's GEMM alone" : `${h.baseline}'s from float`}.`
    : '';
  return `Whole-network speedup vs ${h.baseline} (GEMM only, sum over ${scope} weighted by count), each kernel against the ${h.baseline} kernel of its own class; ${FATNN_COLUMN}: the FATNN claim, fatnn vs conventional 2-bit ternary in the same class.${fromFloat}`;
}

/** The FATNN claim in one line: measured per class, model and paper. */
export function fatnnLine(h: Headline, label?: string): string {
  const measured = h.rows.filter((r) => r.fatnn).map((r) => `${r.label} ${speedupText(r.fatnn)}`);
  const what = measured.length > 0 ? measured.join(', ') : 'not measured (needs fatnn and ternary2b kernels of one class)';
  return `${label ? `${label}: ` : ''}FATNN vs ternary2b: ${what}; op-count model ${formatSpeedupValue(h.fatnnModel)}, paper ${h.paper}x`;
}

/** The legend of the marks headline and tables use. */
export const MARKS_LEGEND: readonly [string, string][] = [
  ['~', 'noisy: computed from a median flagged noisy (interquartile range above 10% of it, forks more than 10% apart, or bimodal samples); treat with care'],
  ['†', "baseline borrowed: the run has no kernel of the baseline precision in this kernel's own variant, so the same backend's other variant stands in (wasm-scalar over wasm-simd128 fp32)"],
  ['*', 'in `compare` tables: the same as †, a speedup over a baseline borrowed from another variant'],
];

/**
 * Pads a grid into aligned text columns (first column left, others right), two spaces apart, or
 * one when two would pass `maxWidth` (arm64's "workers-native (neon+dotprod)" label made 101).
 */
export function alignGrid(head: readonly string[], rows: readonly (readonly string[])[], maxWidth = 100): string[] {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const pad = (text: string, i: number) => {
    const gap = widths[i]! - [...text].length;
    return i === 0 ? text + ' '.repeat(gap) : ' '.repeat(gap) + text;
  };
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  const separator = total > maxWidth ? ' ' : '  ';
  return all.map((r) => r.map(pad).join(separator).trimEnd());
}

/** Wraps a paragraph at word boundaries to `width` columns (indenting continuation lines). */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const candidate = line === '' ? w : `${line} ${w}`;
    if ([...candidate].length > width && line !== '') {
      lines.push(line);
      line = `${indent}${w}`;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
