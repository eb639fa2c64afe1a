// A self-contained HTML page (inline CSS and SVG, no scripts or external requests): the same
// tables as the Markdown report plus one speedup chart per kernel variant.

import type { ResultsFile, TimingStats } from '../results/schema.js';
import { shapeLabel } from '../shapes.js';
import type { Precision } from '../types.js';
import { formatGmacs, formatMs, formatSpeedupValue, hostFacts, noiseSummary, reportNotes, runFacts, spreadCellText, speedupTone, BORROWED_MARK, MODEL_NOTE } from './format.js';
import { reportTitle } from './markdown.js';
import { buildHeadline, fatnnLine, FROM_FLOAT_ROW, headlineCaption, headlineDisplayRows, headlineGrid, MARKS_LEGEND, type Headline } from './headline.js';
import { VIEW_LABELS, VIEW_SHORT, type ReportModel, type Speedup } from './model.js';
import { escapeXml as esc, headlineChartSvg, speedupChartSvg, type ChartRange } from './svg.js';

export type Cell = string | { html: string; cls?: string };

export function table(head: readonly string[], rows: readonly (readonly Cell[])[], cls = ''): string {
  const td = (c: Cell) => (typeof c === 'string' ? `<td>${esc(c)}</td>` : `<td${c.cls ? ` class="${c.cls}"` : ''}>${c.html}</td>`);
  return [
    `<table${cls ? ` class="${cls}"` : ''}>`,
    `<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${r.map(td).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}

function speedup(value: number | undefined, noisy = false, borrowed = false): Cell {
  const tone = speedupTone(value);
  const cls = [tone === 'same' ? '' : tone, noisy ? 'noisy' : ''].filter(Boolean).join(' ');
  const marks = `${noisy ? '<span title="computed from a noisy median">~</span>' : ''}${borrowed && value !== undefined ? `<span title="baseline taken from another variant">${BORROWED_MARK}</span>` : ''}`;
  return { html: `${esc(formatSpeedupValue(value))}${marks}`, cls: cls || undefined };
}

export const sp = (s: Speedup | undefined): Cell => speedup(s?.value, s?.noisy, s?.borrowed);
const code = (t: string): Cell => ({ html: `<code>${esc(t)}</code>` });

function facts(pairs: [string, string][]): string {
  return `<table class="facts"><tbody>${pairs.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
}

function networkTable(model: ReportModel): string {
  const b0 = model.baselines[0]!;
  const extra = model.views.filter((v) => v !== 'gemm');
  const head = ['kernel', 'total ms', 'GMAC/s', ...model.baselines.map((b) => `vs ${b}`), `geomean vs ${b0}`, `model vs ${b0}`];
  for (const v of extra) head.push(`${VIEW_SHORT[v]} total ms`, `${VIEW_SHORT[v]} vs ${b0}`, `${VIEW_SHORT[v]} geomean vs ${b0}`);
  return table(
    head,
    model.network.map((n) => {
      const g = n.views.gemm;
      return [
        code(n.kernel),
        g ? formatMs(g.totalMs) : '-',
        g ? formatGmacs(g.gmacs) : '-',
        ...model.baselines.map((b) => sp(g?.speedups[b])),
        speedup(g?.geomean[b0], false, g?.speedups[b0]?.borrowed),
        formatSpeedupValue(n.model[b0]),
        ...extra.flatMap((v) => {
          const p = n.views[v];
          return [p ? formatMs(p.totalMs) : '-', sp(p?.speedups[b0]), speedup(p?.geomean[b0], false, p?.speedups[b0]?.borrowed)];
        }),
      ];
    }),
  );
}

function matrices(model: ReportModel): string {
  const b0 = model.baselines[0]!;
  const out: string[] = [];
  for (const view of model.views) {
    out.push(`<h2>Speedup vs ${esc(b0)} per layer: ${esc(VIEW_LABELS[view])}</h2>`);
    for (const mx of model.matrices[view]) {
      out.push(`<h3>${esc(mx.variant)}</h3>`);
      const chart = speedupChartSvg(mx, b0, `${mx.variant}: speedup vs ${b0}, ${VIEW_LABELS[view]}`);
      if (chart) out.push(`<figure>${chart}</figure>`);
      const rows: Cell[][] = mx.rows.map((r) => [r.layer.name, shapeLabel(r.layer), String(r.layer.count), ...r.cells.map(sp)]);
      rows.push([{ html: '<b>geometric mean</b>' }, '', '', ...mx.geomean.map((g, i) => speedup(g, false, mx.borrowed[i]))]);
      rows.push([{ html: '<b>whole network</b>' }, '', '', ...mx.network.map(sp)]);
      rows.push([{ html: '<i>op-count model</i>' }, '', '', ...mx.model.map((m) => formatSpeedupValue(m))]);
      out.push(collapsible(`${mx.variant} table (${mx.rows.length} layers)`, table(['layer', 'MxNxK', 'count', ...mx.precisions], rows)));
      if (mx.borrowedBaselines.length > 0) out.push(`<p class="note">${BORROWED_MARK} The run has no ${esc(b0)} kernel in this variant: baseline taken from ${mx.borrowedBaselines.map((k) => `<code>${esc(k)}</code>`).join(', ')} (same backend).</p>`);
    }
  }
  return out.join('\n');
}

/** A long table behind a disclosure triangle (no script needed). */
export function collapsible(summary: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${esc(summary)}</summary>\n${body}\n</details>`;
}

/** The headline block: warnings, chart, class x precision table, FATNN line. */
export function headlineHtml(h: Headline, options: { title?: string; range?: ChartRange; warnings?: boolean; claim?: boolean } = {}): string {
  const { head, rows } = headlineGrid(h);
  const display = headlineDisplayRows(h);
  const twoViews = display.some((r) => r.fromFloat);
  const chart = headlineChartSvg(
    {
      title: options.title ?? `Whole-network speedup vs ${h.baseline} by kernel class (${twoViews ? 'GEMM only and from float' : 'GEMM only'})`,
      baseline: h.baseline,
      precisions: h.precisions,
      // A class's GEMM-only and from-float bars side by side under its name, each view named under its bars.
      groups: display.map((r) => ({ label: r.klass, ...(twoViews && { sublabel: r.fromFloat ? FROM_FLOAT_ROW.trim() : 'GEMM only' }), values: r.cells.map((c) => c?.value) })),
      model: h.model,
    },
    options.range,
  );
  const bodyRows: Cell[][] = display.map((r) => [r.fromFloat ? { html: `&nbsp;&nbsp;${esc(r.label.trim())}` } : r.label, ...r.cells.map((c, i) => (r.kernels[i] === undefined ? '' : sp(c))), sp(r.fatnn)]);
  bodyRows.push([{ html: '<i>op-count model</i>' }, ...rows[rows.length - 1]!.slice(1)]);
  return [
    ...(options.warnings === false ? [] : h.warnings.map((w) => `<p class="warning"><b>Warning</b>: ${esc(w)}</p>`)),
    `<p class="note">${esc(headlineCaption(h))}</p>`,
    chart ? `<figure>${chart}</figure>` : '',
    table(head, bodyRows, 'headline'),
    options.claim === false ? '' : `<p class="claim">${esc(fatnnLine(h))}</p>`,
  ]
    .filter(Boolean)
    .join('\n');
}

export function legendHtml(): string {
  return `<p class="note">${MARKS_LEGEND.map(([m, t]) => `<b>${esc(m)}</b> ${esc(t)}`).join('; ')}.</p>`;
}

function detailTable(model: ReportModel): string {
  const b0 = model.baselines[0]!;
  const extra = model.views.filter((v) => v !== 'gemm');
  const head = ['layer', 'MxNxK', 'kernel', 'median ms', 'p25-p75 ms', 'IQR', '±rme', 'n', 'GMAC/s', ...model.baselines.map((b) => `vs ${b}`), `model vs ${b0}`];
  for (const v of extra) head.push(`${VIEW_SHORT[v]} median ms`, `${VIEW_SHORT[v]} IQR`, `${VIEW_SHORT[v]} vs ${b0}`);
  const rows = model.rows.map((row): Cell[] => {
    const { layer, measurement: m } = row;
    const g = row.views.gemm;
    const base: Cell[] = [layer.name, shapeLabel(layer), code(m.kernel)];
    if (!g) {
      const label = m.verification === 'failed' ? 'WRONG RESULT' : 'error';
      return [...base, { html: `<span class="worse">${esc(label)}: ${esc(m.error ?? 'no timings')}</span>` }, ...head.slice(4).map(() => '')];
    }
    const iqr = (noisy: boolean, spread: number, stats: TimingStats): Cell => ({ html: esc(spreadCellText(spread, noisy, stats)), cls: noisy ? 'noisy' : undefined });
    return [
      ...base,
      formatMs(g.stats.medianMs),
      `${formatMs(g.stats.p25Ms)}-${formatMs(g.stats.p75Ms)}`,
      iqr(g.noisy, g.spread, g.stats),
      `${g.stats.rmePercent.toFixed(1)}%`,
      String(g.stats.samples),
      formatGmacs(g.gmacs),
      ...model.baselines.map((b) => sp(g.speedups[b])),
      formatSpeedupValue(row.model[b0]),
      ...extra.flatMap((v): Cell[] => {
        const p = row.views[v];
        return [p ? formatMs(p.stats.medianMs) : '-', p ? iqr(p.noisy, p.spread, p.stats) : '-', sp(p?.speedups[b0])];
      }),
    ];
  });
  return table(head, rows, 'detail');
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1400px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child, table.detail td:nth-child(-n+3) { text-align: left; }
table.facts th { text-align: left; background: #f4f4f4; }
table.facts td { text-align: left; }
thead th { background: #f0f0f0; position: sticky; top: 0; }
td.better { color: #1a7f37; font-weight: 600; }
td.worse, span.worse { color: #c62828; }
td.noisy { background: #fff6d6; }
.warning { background: #fff3cd; border: 1px solid #e0c36c; padding: 0.6em 1em; }
.note { color: #555; font-size: 13px; }
figure { margin: 0.5em 0; overflow-x: auto; }
code { font-size: 12px; }
details { margin: 0.3em 0 0.8em; }
summary { cursor: pointer; color: #0b57d0; }
table.headline { font-size: 14px; }
table.headline td:first-child { font-weight: 600; }
.claim { font-weight: 600; }
.hosts { display: flex; flex-wrap: wrap; gap: 2em; align-items: flex-start; }
.hosts > section { flex: 1 1 560px; min-width: 0; }
.hosts h2 { font-size: 1.1em; }
.hosts figure svg { max-width: 100%; height: auto; }
`;

export const HTML_STYLE = STYLE;

export function renderHtml(results: ResultsFile, options: { baseline?: Precision } = {}): string {
  const headline = buildHeadline(results, options.baseline);
  const model = headline.report;
  const b0 = model.baselines[0]!;
  const title = reportTitle(results);
  const notes = reportNotes(model, (id) => id);
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${esc(`${results.tool.name} ${results.tool.version}`)}">`,
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    `<h1>${esc(title)}</h1>`,
    results.complete
      ? ''
      : `<p class="warning"><b>Incomplete run</b>: ${results.layers.length}${results.config.plannedLayers !== undefined ? ` of ${results.config.plannedLayers}` : ''} layers were measured before it stopped. Whole-network figures cover those layers only.</p>`,
    headlineHtml(headline),
    legendHtml(),
    collapsible('Host and run', `${facts(hostFacts(results.host, results.config.threads))}\n${facts([...runFacts(results), ['Noise', noiseSummary(model.noisyCount, model.timingCount)]])}`),
    collapsible(
      `Whole network, every kernel (${model.network.length})`,
      `<p class="note">Total time = sum over layers of (layer count x median time); speedup vs ${esc(b0)} = ratio of those totals within the same backend; geomean = geometric mean of the per-layer speedups.</p>\n${networkTable(model)}`,
    ),
    matrices(model),
    '<h2>All measurements</h2>',
    collapsible(`Every measurement (${model.rows.length})`, `<p class="note">Speedup = baseline median / median (same backend). ${esc(MODEL_NOTE)}.</p>\n${detailTable(model)}`),
    notes.length > 0 ? `<h2>Notes</h2><ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '',
    '</body></html>',
    '',
  ]
    .filter((s) => s !== '')
    .join('\n');
}
