// Console rendering of a results file: one table, a block of rows per layer.

import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { ResultsFile } from '../results/schema.js';
import { relativeSpread, NOISY_SPREAD } from '../results/stats.js';
import { expectedSpeedup, gmacPerSecond, speedupVs } from '../results/speedups.js';
import { shapeLabel } from '../shapes.js';
import type { Precision } from '../types.js';

export interface ConsoleOptions {
  /** Colour: on for a TTY unless NO_COLOR is set. */
  readonly color: boolean;
}

export function wantsColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(3);
  return ms.toFixed(4);
}

function formatSpeedup(value: number | undefined, chalk: ChalkInstance): string {
  if (value === undefined) return '-';
  const text = `${value.toFixed(2)}x`;
  if (value > 1.05) return chalk.green(text);
  if (value < 0.95) return chalk.red(text);
  return text;
}

/** The speedup columns: the configured baseline and, when different, ternary2b (the FATNN claim). */
export function speedupBaselines(results: ResultsFile): Precision[] {
  const b = results.config.baseline;
  return b === 'ternary2b' ? ['ternary2b'] : [b, 'ternary2b'];
}

export function renderConsole(results: ResultsFile, options: ConsoleOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const baselines = speedupBaselines(results);
  const table = new Table({
    head: ['layer', 'MxNxK', 'kernel', 'median ms', 'IQR', 'GMAC/s', ...baselines.map((b) => `vs ${b}`), `model vs ${baselines[0]}`],
    style: { head: options.color ? ['cyan'] : [], border: [] },
    colAligns: ['left', 'left', 'left', 'right', 'right', 'right', ...baselines.map(() => 'right' as const), 'right'],
  });
  for (const layer of results.layers) {
    for (const m of layer.measurements) {
      const base = [layer.name, shapeLabel(layer), m.kernel];
      if (!m.gemm) {
        table.push([...base, { colSpan: 4 + baselines.length, content: chalk.red(`${m.verification === 'failed' ? 'WRONG' : 'error'}: ${m.error ?? 'no data'}`) }]);
        continue;
      }
      const spread = relativeSpread(m.gemm);
      const spreadText = `${(spread * 100).toFixed(1)}%`;
      table.push([
        ...base,
        formatMs(m.gemm.medianMs),
        spread > NOISY_SPREAD ? chalk.yellow(`${spreadText} noisy`) : spreadText,
        gmacPerSecond(layer, m.gemm.medianMs).toFixed(2),
        ...baselines.map((b) => formatSpeedup(speedupVs(layer, m, b), chalk)),
        `${expectedSpeedup(m, baselines[0]!).toFixed(2)}x`,
      ]);
    }
  }
  return table.toString();
}
