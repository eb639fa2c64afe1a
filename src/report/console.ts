// Console rendering: a per-layer table and a whole-network table, coloured for better/worse
// on a TTY and plain (no ANSI codes at all) otherwise or with NO_COLOR.

import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { runtimeLabel } from '../results/runtime.js';
import type { ResultsFile } from '../results/schema.js';
import { shapeLabel } from '../shapes.js';
import type { Precision } from '../types.js';
import { formatGmacs, formatMs, formatSpeedupValue, geomeanText, hostFacts, noiseSummary, reportNotes, spreadCellText, timedNote, speedupText, speedupTone, MODEL_NOTE } from './format.js';
import { alignGrid, buildHeadline, headlineCaption, headlineGrid, wrapText, type Headline } from './headline.js';
import { buildReportModel, VIEW_SHORT, type ReportModel, type Speedup } from './model.js';

export { formatMs } from './format.js';

export interface ConsoleOptions {
  /** Colour: on for a TTY unless NO_COLOR is set. */
  readonly color: boolean;
  /** Re-render against another baseline than the run's. */
  readonly baseline?: Precision;
  /** Per-layer and per-kernel tables after the headline (`--detail`). */
  readonly detail?: boolean;
  /** Columns the headline and its notes wrap to (default 100). */
  readonly width?: number;
}

/** The width the headline fits when the output is not a terminal (a file, a pipe, CI logs). */
export const CONSOLE_WIDTH = 100;
/** Below this a terminal is taken as this wide: the headline grid needs about 70 columns. */
const MIN_TERMINAL_WIDTH = 60;

/**
 * A terminal's own width (wider or narrower than 100: text wrapped at 100 in a 90-column
 * terminal is wrapped again by the terminal, leaving one-word lines), 100 columns otherwise.
 */
export function consoleWidth(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY && stream.columns ? Math.max(MIN_TERMINAL_WIDTH, stream.columns) : CONSOLE_WIDTH;
}

export function wantsColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

/** The same text as the Markdown and HTML cells ("~" noisy, "†" borrowed baseline), coloured by value. */
function colourSpeedup(s: Speedup | undefined, chalk: ChalkInstance): string {
  return colour(s?.value, speedupText(s), chalk);
}

function colour(value: number | undefined, text: string, chalk: ChalkInstance): string {
  const tone = speedupTone(value);
  return tone === 'better' ? chalk.green(text) : tone === 'worse' ? chalk.red(text) : text;
}

function layerTable(model: ReportModel, chalk: ChalkInstance, color: boolean): string {
  const { baselines } = model;
  const extra = model.views.filter((v) => v !== 'gemm');
  const head = ['layer', 'MxNxK', 'count', 'kernel', 'median ms', 'IQR', '±rme', 'n', 'GMAC/s', ...baselines.map((b) => `vs ${b}`), `model vs ${baselines[0]}`];
  for (const v of extra) head.push(`${VIEW_SHORT[v]} ms`, `${VIEW_SHORT[v]} vs ${baselines[0]}`);
  const table = new Table({
    head,
    style: { head: color ? ['cyan'] : [], border: [], compact: true },
    colAligns: head.map((_, i) => (i < 4 ? 'left' : 'right')),
  });
  let previous: string | undefined;
  for (const row of model.rows) {
    const { layer, measurement: m } = row;
    const first = previous !== layer.name;
    previous = layer.name;
    const base = first ? [layer.name, shapeLabel(layer), String(layer.count), m.kernel] : ['', '', '', m.kernel];
    const g = row.views.gemm;
    if (!g) {
      const label = m.verification === 'failed' ? 'WRONG' : 'error';
      table.push([...base, { colSpan: head.length - 4, content: chalk.red(`${label}: ${m.error ?? 'no timings'}`) }]);
      continue;
    }
    const spread = spreadCellText(g.spread, g.noisy, g.stats);
    table.push([
      ...base,
      formatMs(g.stats.medianMs),
      g.noisy ? chalk.yellow(spread) : spread,
      `${g.stats.rmePercent.toFixed(1)}%`,
      String(g.stats.samples),
      formatGmacs(g.gmacs),
      ...baselines.map((b) => colourSpeedup(g.speedups[b], chalk)),
      formatSpeedupValue(row.model[baselines[0]!]),
      ...extra.flatMap((v) => {
        const p = row.views[v];
        return [p ? `${formatMs(p.stats.medianMs)}${p.noisy ? chalk.yellow(' ~') : ''}` : '-', colourSpeedup(p?.speedups[baselines[0]!], chalk)];
      }),
    ]);
  }
  return table.toString();
}

function networkTable(model: ReportModel, chalk: ChalkInstance, color: boolean): string {
  const b0 = model.baselines[0]!;
  const extra = model.views.filter((v) => v !== 'gemm');
  const head = ['kernel', 'total ms', 'GMAC/s', ...model.baselines.map((b) => `vs ${b}`), `geomean vs ${b0}`, `model vs ${b0}`];
  for (const v of extra) head.push(`${VIEW_SHORT[v]} total ms`, `${VIEW_SHORT[v]} vs ${b0}`);
  const table = new Table({ head, style: { head: color ? ['cyan'] : [], border: [], compact: true }, colAligns: head.map((_, i) => (i === 0 ? 'left' : 'right')) });
  for (const n of model.network) {
    const g = n.views.gemm;
    table.push([
      n.kernel,
      g ? formatMs(g.totalMs) : '-',
      g ? formatGmacs(g.gmacs) : '-',
      ...model.baselines.map((b) => colourSpeedup(g?.speedups[b], chalk)),
      colour(g?.geomean[b0], geomeanText(g?.geomean[b0], g?.speedups[b0]?.borrowed), chalk),
      formatSpeedupValue(n.model[b0]),
      ...extra.flatMap((v) => {
        const p = n.views[v];
        return [p ? formatMs(p.totalMs) : '-', colourSpeedup(p?.speedups[b0], chalk)];
      }),
    ]);
  }
  return table.toString();
}

/** The headline block as terminal lines, wrapped to `width`; colour marks better and worse. */
export function headlineLines(h: Headline, chalk: ChalkInstance, width: number, title?: string, options: { warnings?: boolean; caption?: boolean } = {}): string[] {
  const { head, rows } = headlineGrid(h);
  const lines = alignGrid(head, rows);
  const out: string[] = [];
  if (title) out.push(chalk.bold(title));
  if (options.warnings !== false) for (const w of h.warnings) out.push(...wrapText(`WARNING: ${w}`, width, '  ').map((l) => chalk.yellow(l)));
  if (options.caption !== false) out.push(...wrapText(headlineCaption(h), width).map((l) => chalk.dim(l)));
  out.push(chalk.cyan(lines[0]!));
  out.push(...lines.slice(1, -1));
  out.push(chalk.dim(lines[lines.length - 1]!));
  return out;
}

export function renderConsole(results: ResultsFile, options: ConsoleOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const width = options.width ?? CONSOLE_WIDTH;
  const headline = buildHeadline(results, options.baseline);
  const model = headline.report;
  const host = hostFacts(results.host, results.config.threads);
  const title = `fatnn-bench ${results.tool.version} on ${host[0]![1]}, ${results.host.arch}, ${runtimeLabel(results.host)}`;
  const lines = wrapText(title, width, '  ').map((l) => chalk.bold(l));
  if (!results.complete) lines.push(chalk.yellow(`INCOMPLETE: ${results.layers.length}${results.config.plannedLayers !== undefined ? ` of ${results.config.plannedLayers}` : ''} layer(s) measured`));
  lines.push(...headlineLines(headline, chalk, width));
  const short: string[] = [noiseSummary(model.noisyCount, model.timingCount), ...(options.detail ? [] : [timedNote(model.views), `${MODEL_NOTE}.`])];
  const marks = [model.noisyCount > 0 && '~ noisy', model.borrowings.length > 0 && '† baseline borrowed from the backend\'s other variant'].filter(Boolean);
  if (marks.length > 0) short.push(`Marks: ${marks.join('; ')}.`);
  // Failures stay visible in the short view: a wrong result must never hide behind --detail.
  const SHOWN_FAILURES = 5;
  for (const f of model.failures.slice(0, SHOWN_FAILURES)) {
    lines.push(...wrapText(`${f.kernel} on ${f.layer}: ${f.verification === 'failed' ? 'WRONG' : 'error'}: ${f.error}`, width, '  ').map((l) => chalk.red(l)));
  }
  if (model.failures.length > SHOWN_FAILURES) lines.push(chalk.red(`... and ${model.failures.length - SHOWN_FAILURES} more failed measurement(s) (--detail shows them all)`));
  if (results.skipped.length > 0) short.push(`${results.skipped.length} kernel(s) cannot run on this host (listed in results.json "skipped" and by --detail).`);
  if (!options.detail) short.push('Per-layer tables: --detail (run) or `fatnn-bench report results.json --detail`.');
  for (const s of short) lines.push(...wrapText(s, width, '  ').map((l) => chalk.dim(l)));
  if (!options.detail) return lines.join('\n');

  lines.push('', chalk.bold('Per layer'), layerTable(model, chalk, options.color));
  if (results.layers.length > 0) {
    const weighted = results.layers.length > 1 || results.layers.some((l) => l.count > 1);
    lines.push(chalk.bold(`Whole network (${weighted ? 'multiplicity-weighted sum of layer medians' : 'one layer'}), GEMM only`), networkTable(model, chalk, options.color));
  }
  // Failures are already spelled out in their table rows.
  const notes = [`speedup = baseline median / median, same backend; ${MODEL_NOTE}`, ...reportNotes(model, (id) => id, { failures: false })];
  if (model.noisyCount > 0 && model.views.length > 1) notes.push(`A "~" after a ${model.views.filter((v) => v !== 'gemm').map((v) => VIEW_SHORT[v]).join(' or ')} time marks a noisy one.`);
  lines.push(...notes.map((n) => chalk.dim(n)));
  return lines.join('\n');
}
