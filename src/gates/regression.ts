// The regression gate of `compare --fail-on-regression PCT`: against the first (reference) run,
// which measurements got slower by more than PCT with a significant rank test, and which ones a
// later run broke or lost (a kernel that now fails or is gone is worse than any slowdown).

import type { Comparison } from '../compare/comparison.js';
import { formatSignedPercent } from './percent.js';

export interface Regression {
  /** Label of the run that got slower. */
  readonly run: string;
  /** Label of the run it is compared with (the first file). */
  readonly reference: string;
  readonly layer: string;
  readonly kernel: string;
  readonly relative: number;
  readonly pValue: number;
}

/**
 * Significant slowdowns above `threshold` (a fraction). The noise threshold of the comparison
 * does not apply here: the gate's own threshold is the bar, and significance is still required
 * so that a noisy CI runner does not fail builds on chance.
 */
export function findRegressions(comparison: Comparison, threshold: number): Regression[] {
  const found: Regression[] = [];
  for (const row of comparison.rows) {
    row.changes.forEach((change, i) => {
      if (change?.pValue !== undefined && change.significant && change.relative > threshold) {
        found.push({ run: comparison.runs[i]!.label, reference: comparison.runs[0]!.label, layer: `${row.layer.name} (${row.layerKey})`, kernel: row.kernel, relative: change.relative, pValue: change.pValue });
      }
    });
  }
  return found;
}

export function describeRegression(r: Regression): string {
  return `${r.kernel} on ${r.layer}: median ${formatSignedPercent(r.relative)} in ${r.run} vs ${r.reference} (p = ${r.pValue.toPrecision(2)})`;
}

/** How a later run lost a measurement the first run timed. */
export type LossKind = 'wrong result' | 'error' | 'no time' | 'missing' | 'layer missing';

export interface Loss {
  readonly run: string;
  readonly layer: string;
  readonly kernel: string;
  readonly kind: LossKind;
  /** The run's error message, for `error`. */
  readonly detail?: string;
}

/**
 * Measurements the first run timed that a later run did not: a wrong result, an error, no
 * time, the kernel absent from that layer, or the layer absent altogether. Ordered by run, then
 * as the first run lists its layers and kernels, then the layers that run lacks.
 */
export function findLosses(comparison: Comparison): Loss[] {
  const found: Loss[] = [];
  for (let i = 1; i < comparison.runs.length; i++) {
    const run = comparison.runs[i]!.label;
    for (const row of comparison.rows) {
      if (row.cells[0]?.medianMs === undefined) continue;
      const at = { run, layer: `${row.layer.name} (${row.layerKey})`, kernel: row.kernel };
      const cell = row.cells[i];
      if (!cell) found.push({ ...at, kind: 'missing' });
      else if (cell.problem === 'error') found.push({ ...at, kind: 'error', ...(cell.error !== undefined && { detail: cell.error }) });
      else if (cell.problem) found.push({ ...at, kind: cell.problem });
      else if (cell.medianMs === undefined) found.push({ ...at, kind: 'no time' });
    }
    for (const u of comparison.unmatchedTimed) found.push({ run, layer: `${u.layer.name} (${u.layerKey})`, kernel: u.kernel, kind: 'missing' });
    for (const m of comparison.missingLayers.filter((x) => x.run === i)) {
      for (const kernel of m.kernels) found.push({ run, layer: `${m.layer.name} (${m.layerKey})`, kernel, kind: 'layer missing' });
    }
  }
  return found;
}

export function describeLoss(l: Loss): string {
  const what = l.kind === 'error' ? `error in ${l.run}: ${l.detail ?? 'unknown'}` : l.kind === 'layer missing' ? `missing in ${l.run} (layer not measured)` : `${l.kind} in ${l.run}`;
  return `${l.kernel} on ${l.layer}: ${what}`;
}
