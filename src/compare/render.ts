// Renderers of a comparison: console table, Markdown (also the GitHub step summary) and CSV.
// All three lay out the same columns from the one Comparison model.

import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { formatSignedPercent } from '../gates/percent.js';
import { csvLine } from '../report/csv.js';
import { formatMs, formatPercent, formatSpeedupValue } from '../report/format.js';
import { mdTable } from '../report/markdown.js';
import type { Change } from './change.js';
import type { Cell, Comparison, GeomeanRow } from './comparison.js';
import { hostLabel } from './warnings.js';

export const COMPARE_FORMATS = ['console', 'md', 'csv'] as const;
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
  for (const r of c.runs.slice(1)) cols.push({ head: `${r.label} vs ${c.runs[0]!.label}`, align: 'right' });
  return cols;
}

function msText(cell: Cell | undefined): Text {
  if (!cell) return { text: '-' };
  if (cell.error) return { text: cell.error, tone: 'bad' };
  return { text: cell.medianMs === undefined ? '-' : formatMs(cell.medianMs) };
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
  const rows = c.rows.map((row) => [
    { text: row.layer.name },
    { text: row.layerKey },
    { text: row.kernel },
    ...row.cells.flatMap((cell) => [msText(cell), speedupText(cell?.speedup, cell?.borrowedBaseline)]),
    ...row.changes.slice(1).map(changeText),
  ]);
  const geo = c.geomean.map((g) => [
    { text: 'geometric mean' },
    { text: geomeanLayersText(g) },
    { text: g.kernel },
    ...g.speedups.flatMap((s) => [{ text: '' }, speedupText(s)]),
    ...g.timeRatios.slice(1).map((t) => ({ text: t === undefined ? '-' : `${formatSignedPercent(t - 1)} time` })),
  ]);
  return [...rows, ...geo];
}

/** The layer count the means cover; two counts only when a run has times but no speedups somewhere. */
function geomeanLayersText(g: GeomeanRow): string {
  const layers = (n: number) => `${n} layer${n === 1 ? '' : 's'}`;
  return g.speedupLayers === g.timeLayers ? layers(g.timeLayers) : `${layers(g.speedupLayers)} (times: ${g.timeLayers})`;
}

function runLines(c: Comparison): string[] {
  return c.runs.map((r) => {
    const res = r.results;
    return `${r.label}: ${hostLabel(res)}, Node ${res.host.node}, fatnn-bench ${res.tool.version}, threads ${res.config.threads}, ${res.startedAt}`;
  });
}

/** No rule between body rows: a comparison has many rows and several runs side by side. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

function renderConsoleTable(c: Comparison, color: boolean): string {
  const chalk: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  const cols = columns(c);
  const table = new Table({ head: cols.map((x) => x.head), colAligns: cols.map((x) => x.align), style: { head: color ? ['cyan'] : [], border: [] }, chars: COMPACT });
  for (const row of bodyRows(c)) table.push(row.map((t) => (t.tone === 'bad' ? chalk.red(t.text) : t.tone === 'good' ? chalk.green(t.text) : t.text)));
  const legend = runLines(c).join('\n');
  return `${legend}\n${table.toString()}\n${changeLegend(c)}`;
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
  const out = [
    '### fatnn-bench comparison',
    '',
    ...runLines(c).map((l) => `- ${l}`),
    '',
    mdTable(cols.map((x) => x.head), rows, cols.map((x) => (x.align === 'right' ? 'r' : 'l'))),
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
    ]);
  }
  return `${lines.map(csvLine).join('\n')}\n`;
}

export function renderComparison(c: Comparison, format: CompareFormat, options: { color: boolean } = { color: false }): string {
  switch (format) {
    case 'console':
      return `${renderConsoleTable(c, options.color)}\n`;
    case 'md':
      return renderMarkdown(c);
    case 'csv':
      return renderCsv(c);
  }
}
