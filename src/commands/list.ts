// `fatnn-bench list`: the registry as this host sees it, one line per kernel, grouped by
// backend, filterable, and fitted to the terminal (never wider than it, 100 columns when piped).

import { consoleWidth } from '../report/console.js';
import { listKernels } from '../registry.js';
import type { KernelInfo } from '../types.js';
import { parseBackends, parsePrecisions } from './options.js';

export interface ListOptions {
  json?: boolean;
  precision?: string[];
  backend?: string[];
  /** Only the kernels that can run here. */
  available?: boolean;
}

/** Cuts a line to `width` columns, marking the cut. */
function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

/** The popcount form a kernel declares (e.g. "1 popcount/word, carry-save"), when it declares one. */
function popcountForm(k: KernelInfo): string | undefined {
  const form = (k as KernelInfo & { popcountForm?: unknown }).popcountForm;
  return typeof form === 'string' && form !== '' ? form : undefined;
}

export function listLines(kernels: readonly KernelInfo[], width: number): string[] {
  const idWidth = Math.max(0, ...kernels.map((k) => k.id.length));
  const lines: string[] = [];
  // Registry order (single-thread backends, then their workers twins), not BACKENDS' order.
  for (const backend of [...new Set(kernels.map((k) => k.backend))]) {
    const group = kernels.filter((k) => k.backend === backend);
    if (group.length === 0) continue;
    const ready = group.filter((k) => k.available).length;
    lines.push(`${backend} (${ready} of ${group.length} available)`);
    for (const k of group) {
      const form = popcountForm(k);
      const what = k.available ? `${k.description}${form ? `; ${form}` : ''}` : `unavailable: ${k.reason ?? 'unknown reason'}`;
      lines.push(fit(`  ${k.available ? '+' : '-'} ${k.id.padEnd(idWidth)}  ${what}`, width));
    }
  }
  return lines;
}

export function listCommand(opts: ListOptions): number {
  const precisions = parsePrecisions(opts.precision);
  const backends = parseBackends(opts.backend);
  const all = listKernels();
  const kernels = all.filter(
    (k) => (precisions.length === 0 || precisions.includes(k.precision)) && (backends.length === 0 || backends.includes(k.backend)) && (!opts.available || k.available),
  );
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(kernels, null, 2)}\n`);
    return 0;
  }
  const width = consoleWidth(process.stdout);
  const lines = listLines(kernels, width);
  const n = kernels.filter((k) => k.available).length;
  const filtered = kernels.length < all.length ? ` (filters kept ${kernels.length} of ${all.length})` : '';
  lines.push(fit(`${n} of ${kernels.length} kernels available on this host${filtered}`, width));
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
