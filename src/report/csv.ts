// CSV rendering: one tidy table, one row per layer x kernel plus one whole-network row per
// kernel. Numbers are written at full precision, and each speedup row carries the baseline
// kernel and time it was divided by, so spreadsheets can recompute every ratio.

import { hostWarnings } from '../results/host-warnings.js';
import { forkSpread } from '../results/stats.js';
import type { ResultsFile, TimingStats } from '../results/schema.js';
import type { CostView } from '../results/speedups.js';
import type { Precision } from '../types.js';
import { buildReportModel, COST_VIEWS, type Speedup } from './model.js';

const VIEW_PREFIX: Readonly<Record<CostView, string>> = { gemm: 'gemm', withPacking: 'pack', fromFloat: 'float' };

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number | boolean | undefined | null)[]): string {
  return values.map(csvField).join(',');
}

function statsColumns(v: string): string[] {
  return [`${v}_median_ms`, `${v}_p25_ms`, `${v}_p75_ms`, `${v}_mad_ms`, `${v}_rme_pct`, `${v}_samples`, `${v}_iqr_pct`, `${v}_noisy`, `${v}_gmacs`, `${v}_forks`, `${v}_fork_spread_pct`, `${v}_noise`, `${v}_extra_forks`, `${v}_set_aside_forks`];
}

function speedupColumns(v: string, b: Precision): string[] {
  return [`${v}_speedup_vs_${b}`, `${v}_baseline_kernel_${b}`, `${v}_baseline_ms_${b}`, `${v}_geomean_vs_${b}`];
}

function speedupValues(s: Speedup | undefined, geomean: number | undefined): (string | number | undefined)[] {
  return [s?.value, s?.baselineKernel, s?.baselineMs, geomean];
}

export function renderCsv(results: ResultsFile, options: { baseline?: Precision } = {}): string {
  const model = buildReportModel(results, options.baseline);
  const header = ['scope', 'layer', 'M', 'N', 'K', 'count', 'kernel', 'precision', 'backend', 'verification', 'error'];
  for (const view of COST_VIEWS) {
    header.push(...statsColumns(VIEW_PREFIX[view]));
    for (const b of model.baselines) header.push(...speedupColumns(VIEW_PREFIX[view], b));
  }
  for (const b of model.baselines) header.push(`model_speedup_vs_${b}`);
  const lines = [csvLine(header)];

  for (const row of model.rows) {
    const { layer, measurement: m } = row;
    const out: (string | number | boolean | undefined)[] = [
      'layer', layer.name, layer.M, layer.N, layer.K, layer.count, m.kernel, m.precision, m.backend, m.verification, m.error,
    ];
    for (const view of COST_VIEWS) {
      const cell = row.views[view];
      const s: TimingStats | undefined = cell?.stats;
      out.push(s?.medianMs, s?.p25Ms, s?.p75Ms, s?.madMs, s?.rmePercent, s?.samples, cell && cell.spread * 100, cell?.noisy, cell?.gmacs);
      // Forks run (pooled and set aside); the fork spread is over the pooled ones.
      out.push(s && (s.forks?.length ?? 1) + (s.setAsideForks?.length ?? 0), s && forkSpread(s) * 100, cell?.noiseReasons.join('; '));
      out.push(s && (s.extraForks ?? 0), s && (s.setAsideForks?.length ?? 0));
      for (const b of model.baselines) out.push(...speedupValues(cell?.speedups[b], undefined));
    }
    for (const b of model.baselines) out.push(row.model[b]);
    lines.push(csvLine(out));
  }

  const counts = results.layers.reduce((s, l) => s + l.count, 0);
  for (const n of model.network) {
    const out: (string | number | boolean | undefined)[] = ['network', '(whole network)', '', '', '', counts, n.kernel, n.precision, n.backend, '', ''];
    for (const view of COST_VIEWS) {
      const cell = n.views[view];
      // Only the total time and throughput apply to a sum over layers.
      out.push(cell?.totalMs, '', '', '', '', '', '', '', cell?.gmacs, '', '', '', '', '');
      for (const b of model.baselines) out.push(...speedupValues(cell?.speedups[b], cell?.geomean[b]));
    }
    for (const b of model.baselines) out.push(n.model[b]);
    lines.push(csvLine(out));
  }
  // Host warnings (busy machine, emulated CPU) as rows of their own scope, text in `error`, so
  // the table stays rectangular and a spreadsheet filter on `scope` keeps or drops them.
  for (const w of hostWarnings(results.host)) lines.push(csvLine(header.map((_, i) => (i === 0 ? 'warning' : i === 10 ? w : undefined))));
  return `${lines.join('\n')}\n`;
}
