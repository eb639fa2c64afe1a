// Renderers of a comparison: console table, Markdown (also the GitHub step summary) and CSV.
// All three lay out the same columns from the one Comparison model.

import { Chalk, type ChalkInstance } from 'chalk';
import { runtimeLabel } from '../results/runtime.js';
import Table from 'cli-table3';
import { formatSignedPercent } from '../gates/percent.js';
import { csvLine } from '../report/csv.js';
import { headlineLines } from '../report/console.js';
import { formatMs, formatPercent, formatSpeedupValue } from '../report/format.js';
import { buildHeadline, fatnnLine, headlineCaption, wrapText, type Headline } from '../report/headline.js';
import { collapsible, headlineHtml, HTML_STYLE, legendHtml, table as htmlTable, type Cell as HtmlCell } from '../report/html.js';
import { headlineMarkdown, legendMarkdown, mdTable } from '../report/markdown.js';
import { chartRange } from '../report/svg.js';
import { escapeXml as esc } from '../report/svg.js';
import type { Change } from './change.js';
import { commonLayersOnly, hasFromFloat, type Cell, type Comparison, type GeomeanRow } from './comparison.js';
import { hostLabel } from './warnings.js';

export const COMPARE_FORMATS = ['console', 'md', 'csv', 'html'] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

interface Column {
  readonly head: string;
  readonly align: 'left' | 'right';
}

/** A rendered cell: plain text plus how to colour it on a terminal. */
interface Text {
  readonly text: string;
  readonly tone?: 'good' | 'bad';
}

function columns(c: Comparison): Column[] {
  const cols: Column[] = [
    { head: 'layer', align: 'left' },
    { head: 'MxNxK', align: 'left' },
    { head: 'kernel', align: 'left' },
  ];
  for (const r of c.runs) cols.push({ head: `${r.label} ms`, align: 'right' }, { head: `${r.label} vs ${c.options.baseline}`, align: 'right' });
  if (hasFromFloat(c)) for (const r of c.runs) cols.push({ head: `${r.label} from float vs ${c.options.baseline}`, align: 'right' });
  for (const r of c.runs.slice(1)) cols.push({ head: `${r.label} vs ${c.runs[0]!.label}`, align: 'right' });
  return cols;
}

/** A time, naming the ISA when the row is a native class (hosts may differ in it). */
function msText(cell: Cell | undefined, isa: string | undefined): Text {
  if (!cell) return { text: '-' };
  if (cell.error) return { text: `${cell.error}${isa ? ` (${isa})` : ''}`, tone: 'bad' };
  return { text: cell.medianMs === undefined ? '-' : `${formatMs(cell.medianMs)}${isa ? ` (${isa})` : ''}` };
}

function speedupText(value: number | undefined, borrowed?: string): Text {
  return { text: `${formatSpeedupValue(value)}${borrowed ? '*' : ''}` };
}

/** Each kernel whose speedups divide another variant's baseline, once: `a/x over b/y`. */
function borrowedPairs(c: Comparison): string[] {
  const pairs = new Set<string>();
  for (const row of c.rows) for (const cell of row.cells) if (cell?.borrowedBaseline) pairs.add(`${row.kernel} over ${cell.borrowedBaseline}`);
  return [...pairs];
}

/** `+12.3% slower (p=0.001)`; noise keeps its number so readers see how small it was. */
function changeText(change: Change | undefined): Text {
  if (!change) return { text: '-' };
  const p = change.pValue === undefined ? '' : ` (p${change.pValue < 0.001 ? '<0.001' : `=${change.pValue.toFixed(3)}`})`;
  const tone = change.verdict === 'slower' ? 'bad' : change.verdict === 'faster' ? 'good' : undefined;
  return { text: `${formatSignedPercent(change.relative)} ${change.verdict}${p}`, tone };
}

function bodyRows(c: Comparison): Text[][] {
  const float = hasFromFloat(c);
  const rows = c.rows.map((row) => [
    { text: row.layer.name },
    { text: row.layerKey },
    { text: row.kernel },
    ...row.cells.flatMap((cell, i) => [msText(cell, row.isas[i]), speedupText(cell?.speedup, cell?.borrowedBaseline)]),
    ...(float ? row.cells.map((cell) => speedupText(cell?.fromFloatSpeedup)) : []),
    ...row.changes.slice(1).map(changeText),
  ]);
  // The whole-network from-float speedups are in each run's headline block.
  const geo = c.geomean.map((g) => [
    { text: 'geometric mean' },
    { text: geomeanLayersText(g) },
    { text: g.kernel },
    ...g.speedups.flatMap((s, i) => [{ text: g.isas[i] ? `(${g.isas[i]})` : '' }, speedupText(s)]),
    ...(float ? c.runs.map(() => ({ text: '' })) : []),
    ...g.timeRatios.slice(1).map((t) => ({ text: t === undefined ? '-' : `${formatSignedPercent(t - 1)} time` })),
  ]);
  return [...rows, ...geo];
}

/** The layer count the means cover; two counts only when a run has times but no speedups somewhere. */
function geomeanLayersText(g: GeomeanRow): string {
  const layers = (n: number) => `${n} layer${n === 1 ? '' : 's'}`;
  return g.speedupLayers === g.timeLayers ? layers(g.timeLayers) : `${layers(g.speedupLayers)} (times: ${g.timeLayers})`;
}

/** Each run's headline, over the layers every run measured, so the blocks sum the same work. */
export function comparisonHeadlines(c: Comparison): Headline[] {
  return c.runs.map((r) => buildHeadline(commonLayersOnly(r.results, c.layerKeys), c.options.baseline));
}

/** One line per host: its FATNN ratio per class, model and paper. */
function fatnnLines(c: Comparison, headlines: readonly Headline[]): string[] {
  return headlines.map((h, i) => fatnnLine(h, c.runs[i]!.label));
}

/** Blocks of lines side by side when they fit in `width`, else one after another. */
function sideBySide(blocks: readonly string[][], width: number, visible: (s: string) => number): string[] {
  const widths = blocks.map((b) => Math.max(0, ...b.map(visible)));
  const gap = 4;
  if (widths.reduce((a, w) => a + w, 0) + gap * (blocks.length - 1) > width) return blocks.flatMap((b, i) => (i === 0 ? b : ['', ...b]));
  const height = Math.max(...blocks.map((b) => b.length));
  return Array.from({ length: height }, (_, row) =>
    blocks
      .map((b, i) => {
        const line = b[row] ?? '';
        return i === blocks.length - 1 ? line : line + ' '.repeat(widths[i]! - visible(line) + gap);
      })
      .join('')
      .trimEnd(),
  );
}

function runLines(c: Comparison): string[] {
  return c.runs.map((r) => {
    const res = r.results;
    return `${r.label}: ${hostLabel(res)}, ${runtimeLabel(res.host)}, fatnn-bench ${res.tool.version}, threads ${res.config.threads}, ${res.startedAt}`;
  });
}

/** No rule between body rows: a comparison has many rows and several runs side by side. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

// eslint-disable-next-line no-control-regex
const visibleLength = (s: string) => [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;

function renderConsoleTable(c: Comparison, color: boolean, width: number): string {
  const chalk: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  const headlines = comparisonHeadlines(c);
  // Each block is kept at most 100 columns wide; side by side only when the terminal fits them.
  // Warnings and the caption once above the blocks, so the blocks line up row for row.
  const above = [
    ...headlines.flatMap((h, i) => h.warnings.flatMap((w) => wrapText(`WARNING (${c.runs[i]!.label}): ${w}`, width, '  ').map((l) => chalk.yellow(l)))),
    ...wrapText(headlineCaption(headlines[0]!), width).map((l) => chalk.dim(l)),
  ];
  const blocks = headlines.map((h, i) => headlineLines(h, chalk, Math.min(width, 100), `${c.runs[i]!.label}: ${h.host}`, { warnings: false, caption: false }));
  const top = [...above, ...sideBySide(blocks, width, visibleLength), '', ...fatnnLines(c, headlines).flatMap((l) => wrapText(l, width, '  ').map((x) => chalk.bold(x))), ''];
  const cols = columns(c);
  const table = new Table({ head: cols.map((x) => x.head), colAligns: cols.map((x) => x.align), style: { head: color ? ['cyan'] : [], border: [] }, chars: COMPACT });
  for (const row of bodyRows(c)) table.push(row.map((t) => (t.tone === 'bad' ? chalk.red(t.text) : t.tone === 'good' ? chalk.green(t.text) : t.text)));
  const legend = runLines(c).join('\n');
  return `${top.join('\n')}\n${legend}\n${table.toString()}\n${changeLegend(c)}`;
}

function changeLegend(c: Comparison): string {
  const { alpha, noise } = c.options;
  const borrowed = borrowedPairs(c);
  const star = borrowed.length > 0 ? ` * marks a baseline borrowed from another variant of the backend: ${borrowed.join(', ')}.` : '';
  return `Speedups are vs ${c.options.baseline} in the same run and backend.${star} Changes are of the median GEMM time vs ${c.runs[0]!.label}; "no change" means below ${formatPercent(noise)} or not significant (two-sided Mann-Whitney U, p >= ${alpha}).`;
}

function renderMarkdown(c: Comparison): string {
  const cols = columns(c);
  const rows = bodyRows(c).map((row) => row.map((t) => (t.tone === 'bad' && t.text.includes('slower') ? `**${t.text}**` : t.text)));
  const headlines = comparisonHeadlines(c);
  const out = [
    '### fatnn-bench comparison',
    '',
    ...runLines(c).map((l) => `- ${l}`),
    '',
    ...fatnnLines(c, headlines).map((l) => `- **${l}**`),
    '',
    // The FATNN lines are listed above, one per host.
    ...headlines.flatMap((h, i) => headlineMarkdown(h, `#### ${c.runs[i]!.label}: ${h.host}`, { claim: false })),
    ...legendMarkdown(),
    '<details>',
    `<summary>Per layer (${c.rows.length} rows)</summary>`,
    '',
    mdTable(cols.map((x) => x.head), rows, cols.map((x) => (x.align === 'right' ? 'r' : 'l'))),
    '',
    '</details>',
    '',
    changeLegend(c),
  ];
  if (c.warnings.length > 0) out.push('', '**Warnings**', '', ...c.warnings.map((w) => `- ${w}`));
  return `${out.join('\n')}\n`;
}

/** CSV keeps raw numbers (no units, no rounding) in separate columns, for spreadsheets. */
function renderCsv(c: Comparison): string {
  const head = ['layer', 'M', 'N', 'K', 'kernel'];
  for (const r of c.runs) head.push(`${r.label}_median_ms`, `${r.label}_speedup_vs_${c.options.baseline}`);
  for (const r of c.runs.slice(1)) head.push(`${r.label}_change`, `${r.label}_p_value`, `${r.label}_verdict`);
  // Last, so earlier column positions do not move: the kernel id each run's cells come from.
  for (const r of c.runs) head.push(`${r.label}_kernel`);
  // Runs before schema version 3 have no from-float view: their comparisons keep the old columns.
  const float = hasFromFloat(c);
  if (float) for (const r of c.runs) head.push(`${r.label}_from_float_speedup_vs_${c.options.baseline}`);
  const num = (v: number | undefined) => (v === undefined ? '' : String(v));
  const lines: string[][] = [head];
  for (const row of c.rows) {
    lines.push([
      row.layer.name,
      String(row.layer.M),
      String(row.layer.N),
      String(row.layer.K),
      row.kernel,
      ...row.cells.flatMap((cell) => [num(cell?.medianMs), num(cell?.speedup)]),
      ...row.changes.slice(1).flatMap((ch) => [num(ch?.relative), num(ch?.pValue), ch?.verdict ?? '']),
      ...row.kernels.map((k) => k ?? ''),
      ...(float ? row.cells.map((cell) => num(cell?.fromFloatSpeedup)) : []),
    ]);
  }
  for (const g of c.geomean) {
    lines.push([
      'geometric mean',
      '',
      '',
      '',
      g.kernel,
      ...g.speedups.flatMap((s) => ['', num(s)]),
      ...g.timeRatios.slice(1).flatMap((t) => [num(t === undefined ? undefined : t - 1), '', '']),
      ...c.runs.map(() => ''),
      ...(float ? c.runs.map(() => '') : []),
    ]);
  }
  return `${lines.map(csvLine).join('\n')}\n`;
}

/** A self-contained page: the hosts' headline blocks side by side (same axis), then the rows. */
function renderHtmlPage(c: Comparison): string {
  const headlines = comparisonHeadlines(c);
  const range = chartRange(headlines.flatMap((h) => [...h.rows.flatMap((r) => [...r.cells, ...(r.fromFloat?.cells ?? [])].map((x) => x?.value)), ...h.model]));
  const title = `fatnn-bench comparison: ${c.runs.map((r) => r.label).join(' vs ')}`;
  const cols = columns(c);
  const rows = bodyRows(c).map((row) => row.map((t): HtmlCell => (t.tone ? { html: esc(t.text), cls: t.tone === 'bad' ? 'worse' : 'better' } : t.text)));
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head><body>',
    `<h1>${esc(title)}</h1>`,
    `<ul>${runLines(c).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`,
    `<ul class="claim">${fatnnLines(c, headlines).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`,
    // Above the blocks, so the blocks stay aligned row for row.
    ...headlines.flatMap((h, i) => h.warnings.map((w) => `<p class="warning"><b>Warning</b> (${esc(c.runs[i]!.label)}): ${esc(w)}</p>`)),
    '<div class="hosts">',
    ...headlines.map((h, i) => `<section><h2>${esc(`${c.runs[i]!.label}: ${h.host}`)}</h2>\n${headlineHtml(h, { title: `${c.runs[i]!.label}: speedup vs ${h.baseline}, whole network`, range, warnings: false, claim: false })}</section>`),
    '</div>',
    legendHtml(),
    '<h2>Per layer</h2>',
    collapsible(`Every layer and kernel (${c.rows.length} rows)`, htmlTable(cols.map((x) => x.head), rows)),
    `<p class="note">${esc(changeLegend(c))}</p>`,
    c.warnings.length > 0 ? `<h2>Warnings</h2><ul>${c.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '',
    '</body></html>',
    '',
  ]
    .filter((x) => x !== '')
    .join('\n');
}

export function renderComparison(c: Comparison, format: CompareFormat, options: { color: boolean; width?: number } = { color: false }): string {
  switch (format) {
    case 'console':
      return `${renderConsoleTable(c, options.color, options.width ?? 100)}\n`;
    case 'html':
      return renderHtmlPage(c);
    case 'md':
      return renderMarkdown(c);
    case 'csv':
      return renderCsv(c);
  }
}
