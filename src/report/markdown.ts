// Markdown rendering, ready to paste into a README or pull request: host and run facts, the
// whole-network table, per-variant speedup matrices (layers x precisions) for each cost view,
// then every measurement with its spread.

import type { ResultsFile } from '../results/schema.js';
import { shapeLabel } from '../shapes.js';
import type { Precision } from '../types.js';
import { formatGmacs, formatMs, formatSpeedupValue, geomeanText, hostFacts, noiseSummary, reportNotes, runFacts, spreadCellText, speedupText, BORROWED_MARK, MODEL_NOTE } from './format.js';
import { buildHeadline, fatnnLine, headlineCaption, headlineGrid, MARKS_LEGEND, type Headline } from './headline.js';
import { VIEW_LABELS, VIEW_SHORT, type ReportModel, type Speedup } from './model.js';

export function mdEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function mdTable(head: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const sep = head.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.map((c) => (r === sep ? c : mdEscape(c))).join(' | ')} |`).join('\n');
}

/** A speedup cell; "~" flags that one of the two medians it divides is noisy, "†" a borrowed baseline. */
export function speedupCell(s: Speedup | undefined): string {
  return speedupText(s);
}

export function reportTitle(results: ResultsFile): string {
  const what = results.config.layersFile ? 'custom layers' : results.config.preset ? results.config.preset : 'custom shapes';
  return `fatnn-bench results: ${what} on ${results.host.cpu.brand}`;
}

function networkSection(model: ReportModel): string {
  const b0 = model.baselines[0]!;
  const extra = model.views.filter((v) => v !== 'gemm');
  const head = ['kernel', 'total ms', 'GMAC/s', ...model.baselines.map((b) => `vs ${b}`), `geomean vs ${b0}`, `model vs ${b0}`];
  for (const v of extra) head.push(`${VIEW_SHORT[v]} total ms`, `${VIEW_SHORT[v]} vs ${b0}`, `${VIEW_SHORT[v]} geomean vs ${b0}`);
  const rows = model.network.map((n) => {
    const g = n.views.gemm;
    return [
      `\`${n.kernel}\``,
      g ? formatMs(g.totalMs) : '-',
      g ? formatGmacs(g.gmacs) : '-',
      ...model.baselines.map((b) => speedupText(g?.speedups[b])),
      geomeanText(g?.geomean[b0], g?.speedups[b0]?.borrowed),
      formatSpeedupValue(n.model[b0]),
      ...extra.flatMap((v) => {
        const p = n.views[v];
        return [p ? formatMs(p.totalMs) : '-', speedupText(p?.speedups[b0]), geomeanText(p?.geomean[b0], p?.speedups[b0]?.borrowed)];
      }),
    ];
  });
  return mdTable(head, rows);
}

function matrixSections(model: ReportModel, view: ReportModel['views'][number]): string[] {
  const b0 = model.baselines[0]!;
  const out: string[] = [];
  for (const mx of model.matrices[view]) {
    out.push(`**${mx.variant}**`, '');
    const head = ['layer', 'MxNxK', 'count', ...mx.precisions];
    const rows = mx.rows.map((r) => [r.layer.name, shapeLabel(r.layer), String(r.layer.count), ...r.cells.map(speedupCell)]);
    rows.push(['**geometric mean**', '', '', ...mx.geomean.map((g, i) => geomeanText(g, mx.borrowed[i]))]);
    rows.push(['**whole network**', '', '', ...mx.network.map(speedupCell)]);
    rows.push(['*op-count model*', '', '', ...mx.model.map((m) => formatSpeedupValue(m))]);
    out.push(mdTable(head, rows));
    if (mx.borrowedBaselines.length > 0) out.push('', `${BORROWED_MARK} The run has no ${b0} kernel in this variant: baseline taken from ${mx.borrowedBaselines.map((k) => `\`${k}\``).join(', ')} (same backend).`);
    out.push('');
  }
  return out;
}

function detailSection(model: ReportModel): string {
  const b0 = model.baselines[0]!;
  const extra = model.views.filter((v) => v !== 'gemm');
  const head = ['layer', 'MxNxK', 'kernel', 'median ms', 'p25-p75 ms', 'IQR', '±rme', 'n', 'GMAC/s', ...model.baselines.map((b) => `vs ${b}`), `model vs ${b0}`];
  for (const v of extra) head.push(`${VIEW_SHORT[v]} median ms`, `${VIEW_SHORT[v]} IQR`, `${VIEW_SHORT[v]} vs ${b0}`);
  const rows = model.rows.map((row) => {
    const { layer, measurement: m } = row;
    const g = row.views.gemm;
    const base = [layer.name, shapeLabel(layer), `\`${m.kernel}\``];
    if (!g) return [...base, `${m.verification === 'failed' ? '**WRONG RESULT**' : '**error**'}: ${m.error ?? 'no timings'}`, ...head.slice(4).map(() => '')];
    return [
      ...base,
      formatMs(g.stats.medianMs),
      `${formatMs(g.stats.p25Ms)}-${formatMs(g.stats.p75Ms)}`,
      spreadCellText(g.spread, g.noisy, g.stats),
      `${g.stats.rmePercent.toFixed(1)}%`,
      String(g.stats.samples),
      formatGmacs(g.gmacs),
      ...model.baselines.map((b) => speedupCell(g.speedups[b])),
      formatSpeedupValue(row.model[b0]),
      ...extra.flatMap((v) => {
        const p = row.views[v];
        return [p ? formatMs(p.stats.medianMs) : '-', p ? spreadCellText(p.spread, p.noisy, p.stats) : '-', speedupCell(p?.speedups[b0])];
      }),
    ];
  });
  return mdTable(head, rows, head.map((_, i) => (i < 3 ? 'l' : 'r')));
}

/** The headline block: host warnings, caption, the class x precision table, the FATNN line. */
export function headlineMarkdown(h: Headline, heading = '## Headline', options: { claim?: boolean } = {}): string[] {
  const out: string[] = [heading, ''];
  for (const w of h.warnings) out.push(`> **Warning**: ${mdEscape(w)}`, '');
  const { head, rows } = headlineGrid(h);
  out.push(headlineCaption(h), '', mdTable(head, rows.map((r, i) => (i === rows.length - 1 ? [`*${r[0]}*`, ...r.slice(1)] : r))), '');
  if (options.claim !== false) out.push(`**${mdEscape(fatnnLine(h))}**`, '');
  return out;
}

export function legendMarkdown(): string[] {
  return ['Marks: ' + MARKS_LEGEND.map(([mark, text]) => `\`${mark}\` ${text}`).join('; ') + '.', ''];
}

/** Collapsed by default: GitHub renders Markdown inside <details> when blank lines surround it. */
function details(summary: string, body: readonly string[]): string[] {
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}

/** The file `run` writes beside results.md with every measurement, too long for the summary. */
export const DETAIL_MD_BASENAME = 'results-detail';

export function renderMarkdown(results: ResultsFile, options: { baseline?: Precision; detail?: boolean } = {}): string {
  const headline = buildHeadline(results, options.baseline);
  const model = headline.report;
  const b0 = model.baselines[0]!;
  const out: string[] = [`# ${reportTitle(results)}`, ''];
  if (!results.complete) out.push(`> **Incomplete run**: ${results.layers.length}${results.config.plannedLayers !== undefined ? ` of ${results.config.plannedLayers}` : ''} layers were measured before it stopped. Whole-network figures cover those layers only.`, '');
  out.push(...headlineMarkdown(headline), ...legendMarkdown());
  const run = [...runFacts(results), ['Noise', noiseSummary(model.noisyCount, model.timingCount)]];
  out.push(
    ...details('Host and run', [
      mdTable(['', ''], hostFacts(results.host, results.config.threads).map(([k, v]) => [`**${k}**`, v]), ['l', 'l']),
      '',
      mdTable(['', ''], run.map(([k, v]) => [`**${k}**`, v!]), ['l', 'l']),
    ]),
  );
  out.push(
    ...details(`Whole network, every kernel (${model.network.length})`, [
      `Total time = sum over layers of (layer count x median time); speedup vs ${b0} = ratio of those totals within the same backend; geomean = geometric mean of the per-layer speedups.`,
      '',
      networkSection(model),
    ]),
  );
  for (const view of model.views) out.push(...details(`Speedup vs ${b0} per layer: ${VIEW_LABELS[view]}`, matrixSections(model, view)));
  if (options.detail) {
    out.push(...details(`All measurements (${model.rows.length})`, [`Speedup = baseline median / median (same backend). ${MODEL_NOTE}.`, '', detailSection(model)]));
  } else {
    out.push(`Every measurement with its spread: \`${DETAIL_MD_BASENAME}.md\` beside this file (or \`fatnn-bench report results.json --format md --detail\`).`, '');
  }
  const notes = reportNotes(model, (id) => `\`${id}\``);
  if (notes.length > 0) out.push('## Notes', '', ...notes.map((n) => `- ${mdEscape(n)}`), '');
  return out.join('\n');
}

/** results-detail.md: every measurement with its spread (the dump results.md leaves out). */
export function renderMarkdownDetail(results: ResultsFile, options: { baseline?: Precision } = {}): string {
  const model = buildHeadline(results, options.baseline).report;
  return [`# ${reportTitle(results)}: every measurement`, '', `Speedup = baseline median / median (same backend). ${MODEL_NOTE}.`, '', detailSection(model), ''].join('\n');
}
